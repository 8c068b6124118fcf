"""Flatten parameters into one vector and back (``parameters_to_vector`` / ``vector_to_parameters``)."""
from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(param, old_param_device):
    device = param.get_device()
    if old_param_device is None:
        return device
    if device != old_param_device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return old_param_device


def parameters_to_vector(parameters):
    r"""One 1-D tensor holding every parameter, flattened and concatenated (differentiable)."""
    from ... import cat  # noqa: WPS433 - the top-level torch.cat, resolved at call time
    param_device = None
    vec = []
    for param in parameters:
        param_device = _check_same_device(param, param_device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    r"""Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (replacing their ``.data``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    param_device = None
    pointer = 0
    for param in parameters:
        param_device = _check_same_device(param, param_device)
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
