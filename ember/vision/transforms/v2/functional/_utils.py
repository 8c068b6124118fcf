"""Kernel dispatch for ``transforms.v2.functional``.

Every functional (``resize``, ``horizontal_flip``, ...) keeps a table from
input type to kernel: pure tensors, ``Image`` and ``Video`` use the v1 image
kernels, PIL images the v1 PIL code, ``Mask`` the image kernel with nearest
resampling, ``BoundingBoxes`` the box kernels. A tv_tensor's kernel runs on
the plain tensor and the result is wrapped back (with new box metadata where
the canvas changes).
"""
import PIL.Image

from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.tv_tensors import TVTensor, _plain, wrap

_KERNEL_REGISTRY = {}
_BUILTIN = (tv_tensors.Image, tv_tensors.Video, tv_tensors.Mask, tv_tensors.BoundingBoxes)


def is_pure_tensor(inpt):
    """A Tensor that is not a tv_tensor."""
    return isinstance(inpt, Tensor) and not isinstance(inpt, TVTensor)


def _register_kernel_internal(functional, input_type, *, tv_tensor_wrapper=True):
    """Register ``kernel`` for ``input_type``; with ``tv_tensor_wrapper`` a tv_tensor input reaches the kernel as a
    plain tensor and the result is wrapped like the input."""
    table = _KERNEL_REGISTRY.setdefault(functional, {})

    def decorator(kernel):
        if input_type in table:
            raise ValueError(f"Functional {functional.__name__} already has a kernel registered for type "
                             f"{input_type.__name__}.")
        wrapped = kernel
        if tv_tensor_wrapper and isinstance(input_type, type) and issubclass(input_type, TVTensor):
            def wrapped(inpt, *args, **kwargs):
                return wrap(kernel(_plain(inpt), *args, **kwargs), like=inpt)
        table[input_type] = wrapped
        return kernel
    return decorator


def _register_image_kernels(functional, kernel, *, pil=True, video=True):
    """One kernel for pure tensors, Image (and Video), and PIL images (the v1 functionals take both)."""
    types = [Tensor, tv_tensors.Image] + ([tv_tensors.Video] if video else []) + ([PIL.Image.Image] if pil else [])
    for input_type in types:
        _register_kernel_internal(functional, input_type)(kernel)


def register_kernel(functional, tv_tensor_cls):
    """Decorator registering a kernel of ``functional`` for a custom tv_tensor class (torchvision's API).

    The kernel receives the tv_tensor itself and returns the output (wrapping is up to it).
    """
    if not (isinstance(tv_tensor_cls, type) and issubclass(tv_tensor_cls, TVTensor)):
        raise ValueError(f"Kernels can only be registered for subclasses of torchvision.tv_tensors.TVTensor, but "
                         f"got {tv_tensor_cls}.")
    if tv_tensor_cls in _BUILTIN:
        raise ValueError(f"Kernels cannot be registered for the builtin tv_tensor classes, but got {tv_tensor_cls}")
    if functional not in _KERNEL_REGISTRY:
        raise ValueError(f"Could not find functional with name '{getattr(functional, '__name__', functional)}' in "
                         "torchvision.transforms.v2.functional.")
    return _register_kernel_internal(functional, tv_tensor_cls, tv_tensor_wrapper=False)


def _passthrough(inpt, *args, **kwargs):
    return inpt


def _get_kernel(functional, input_type, *, allow_passthrough=False):
    """The kernel of ``functional`` for ``input_type`` (the closest registered class in its MRO).

    User tv_tensor subclasses stop at TVTensor: they never reach the pure-tensor kernel.
    """
    table = _KERNEL_REGISTRY.get(functional, {})
    for cls in input_type.__mro__:
        if cls in table:
            return table[cls]
        if cls is TVTensor:
            break
    if allow_passthrough:
        return _passthrough
    names = ", ".join(_type_name(t) for t in table)
    raise TypeError(f"Functional F.{functional.__name__} supports inputs of type [{names}], but got "
                    f"{_type_name(input_type)} instead.")


def _type_name(t):
    if t is Tensor:
        return "torch.Tensor"
    if t is PIL.Image.Image:
        return "PIL.Image.Image"
    if issubclass(t, TVTensor):
        return f"tv_tensors.{t.__name__}"
    return t.__name__


def _dispatch(functional, inpt, *args, **kwargs):
    return _get_kernel(functional, type(inpt))(inpt, *args, **kwargs)
