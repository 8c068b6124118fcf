"""``torchvision.tv_tensors``: tensor subclasses that tell ``transforms.v2`` what a tensor holds.

``Image`` (..., C, H, W), ``Video`` (..., T, C, H, W), ``Mask`` (..., H, W) and
``BoundingBoxes`` (N, 4, with ``format`` and ``canvas_size``) are Tensors that
share memory with the data they wrap. As in torchvision, operations on them
return plain tensors, except ``clone``, ``to``, ``detach`` and
``requires_grad_``, which keep the type and metadata; ``wrap(t, like=x)``
re-wraps a result.

Left out: ``KeyPoints``, the rotated box formats (XYWHR, CXCYWHR, XXYYXXYY)
and ``set_return_type``.
"""
from enum import Enum

from PIL import Image as _PILImage

from ember._tensor import Tensor

__all__ = ["TVTensor", "Image", "Video", "Mask", "BoundingBoxes", "BoundingBoxFormat", "wrap"]


def _as_subclass(tensor, cls):
    """A ``cls`` instance sharing ``tensor``'s data, version counter and autograd history."""
    out = object.__new__(cls)
    out._data = tensor._data
    out._version = tensor._version
    out._requires_grad = tensor._requires_grad
    out._grad_fn = tensor._grad_fn
    for name in ("_output_nr", "_base", "_view_fn"):
        if name in tensor.__dict__:
            out.__dict__[name] = tensor.__dict__[name]
    return out


def _to_tensor(data, dtype=None, device=None, requires_grad=None):
    import ember
    if requires_grad is None:
        requires_grad = data.requires_grad if isinstance(data, Tensor) else False
    return ember.as_tensor(data, dtype=dtype, device=device).requires_grad_(requires_grad)


def _plain(tensor):
    """The same data as a plain Tensor (``t.as_subclass(torch.Tensor)``)."""
    return _as_subclass(tensor, Tensor)


class TVTensor(Tensor):
    """Base class of the tv_tensors; not meant to be used directly."""

    def _metadata(self):
        return {}

    def _rewrap(self, output):
        return wrap(output, like=self) if isinstance(output, Tensor) else output

    def clone(self, *, memory_format=None):
        return self._rewrap(Tensor.clone(self, memory_format=memory_format))

    def to(self, *args, **kwargs):
        return self._rewrap(Tensor.to(self, *args, **kwargs))

    def detach(self):
        return self._rewrap(Tensor.detach(self))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = self.detach().clone().requires_grad_(self.requires_grad)
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, proto):
        return (_rebuild_tv_tensor, (type(self), _plain(self), self._metadata()))

    def _make_repr(self, **kwargs):
        # torchvision's repr: the tensor's, with the metadata appended after a comma (a bare ", )" when none)
        extra = ", ".join(f"{key}={value}" for key, value in kwargs.items())
        return f"{Tensor.__repr__(self)[:-1]}, {extra})"

    def __repr__(self, *, tensor_contents=None):
        return self._make_repr(**self._metadata())

    __str__ = __repr__


def _rebuild_tv_tensor(cls, tensor, metadata):
    return cls._wrap_tv(tensor, **metadata)


class Image(TVTensor):
    """An image or a batch of images (..., C, H, W); a PIL image or an (H, W) tensor gets a channel dimension."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        if isinstance(data, _PILImage.Image):
            from ember.vision.transforms.functional import pil_to_tensor
            data = pil_to_tensor(data)
        tensor = _to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 2:
            raise ValueError(f"Image expects data of shape (H, W) or (..., C, H, W), got {tuple(tensor.shape)}")
        if tensor.ndim == 2:
            tensor = tensor.unsqueeze(0)
        return _as_subclass(tensor, cls)

    @classmethod
    def _wrap_tv(cls, tensor):
        return _as_subclass(tensor, cls)


class Video(TVTensor):
    """A video or a batch of videos (..., T, C, H, W)."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        tensor = _to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 4:
            raise ValueError(f"Video expects data of shape (..., T, C, H, W), got {tuple(tensor.shape)}")
        return _as_subclass(tensor, cls)

    @classmethod
    def _wrap_tv(cls, tensor):
        return _as_subclass(tensor, cls)


class Mask(TVTensor):
    """Segmentation or detection masks (..., H, W); a PIL image gives its first band."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        if isinstance(data, _PILImage.Image):
            from ember.vision.transforms.functional import pil_to_tensor
            data = pil_to_tensor(data)[0]
        return _as_subclass(_to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad), cls)

    @classmethod
    def _wrap_tv(cls, tensor):
        return _as_subclass(tensor, cls)


class BoundingBoxFormat(Enum):
    """Box coordinates: XYXY (x1, y1, x2, y2), XYWH (x1, y1, width, height), CXCYWH (centre x, centre y, w, h)."""
    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"


_CLAMPING_MODES = (None, "soft", "hard")


class BoundingBoxes(TVTensor):
    """Boxes (N, 4) on an image of ``canvas_size`` (H, W), in ``format`` (a BoundingBoxFormat or its name).

    ``clamping_mode`` says how geometric transforms keep boxes inside the canvas: "soft" (default) and "hard"
    clamp (they differ only for rotated boxes, which Ember does not have), None leaves boxes as computed.
    """

    def __new__(cls, data, *, format, canvas_size, clamping_mode="soft", dtype=None, device=None,
                requires_grad=None):
        tensor = _to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        return cls._wrap_tv(tensor, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)

    @classmethod
    def _wrap_tv(cls, tensor, *, format, canvas_size, clamping_mode="soft", check_dims=True):
        if check_dims:
            if tensor.ndim == 1:
                tensor = tensor.unsqueeze(0)
            elif tensor.ndim != 2:
                raise ValueError(f"Expected a 1D or 2D tensor, got {tensor.ndim}D")
        if isinstance(format, str):
            try:
                format = BoundingBoxFormat[format.upper()]
            except KeyError:
                raise ValueError(f"Unknown bounding box format '{format}': use one of "
                                 f"{[f.name for f in BoundingBoxFormat]}") from None
        if not isinstance(format, BoundingBoxFormat):
            raise TypeError(f"format should be a BoundingBoxFormat or its name, got {type(format).__name__}")
        if clamping_mode not in _CLAMPING_MODES:
            raise ValueError(f"clamping_mode must be None, hard or soft, got {clamping_mode}.")
        boxes = _as_subclass(tensor, cls)
        boxes.format = format
        boxes.canvas_size = tuple(int(s) for s in canvas_size)
        boxes.clamping_mode = clamping_mode
        return boxes

    def _metadata(self):
        return dict(format=self.format, canvas_size=self.canvas_size, clamping_mode=self.clamping_mode)


def wrap(wrappee, *, like, **kwargs):
    """``wrappee`` (a tensor) as the tv_tensor type of ``like``, with its metadata (overridden by ``kwargs``)."""
    if isinstance(like, BoundingBoxes):
        return BoundingBoxes._wrap_tv(
            wrappee, format=kwargs.get("format", like.format), canvas_size=kwargs.get("canvas_size", like.canvas_size),
            clamping_mode=kwargs.get("clamping_mode", like.clamping_mode), check_dims=False)
    return _as_subclass(wrappee, type(like))


def __getattr__(name):
    raise AttributeError(f"ember has no torchvision.tv_tensors.{name} yet "
                         f"(module 'ember.vision.tv_tensors' has no attribute '{name}')")
