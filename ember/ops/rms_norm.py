"""``F.rms_norm``: root-mean-square normalisation over the trailing dims, composed of differentiable ops
as PyTorch composes it (``x * rsqrt(mean(x²) + eps) * weight``; gradients come from those ops)."""
__all__ = ["rms_norm"]
__functional__ = ["rms_norm"]

from ._util import Tensor

# torch.finfo(dtype).eps, PyTorch's default eps for rms_norm
_EPS = {"torch.float64": 2.220446049250313e-16, "torch.float32": 1.1920928955078125e-07,
        "torch.float16": 0.0009765625, "torch.bfloat16": 0.0078125}


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""Normalise ``input`` of shape :math:`(*, *normalized\_shape)` by the root mean square of its trailing
    ``normalized_shape`` dims, then scale by ``weight`` (shape ``normalized_shape``).

    ``eps`` (added to the mean square) defaults to ``torch.finfo(input.dtype).eps``.
    Half types are computed in float32 and rounded once, as PyTorch does.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"rms_norm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(ns)}")
    if eps is None:
        eps = _EPS.get(str(input.dtype), _EPS["torch.float32"])
    dims = tuple(range(-k, 0))
    x = input.float() if str(input.dtype) in ("torch.float16", "torch.bfloat16") else input
    out = x * (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out.to(input.dtype)
