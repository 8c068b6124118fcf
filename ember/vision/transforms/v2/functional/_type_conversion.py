"""Conversions between PIL images, NumPy arrays, plain tensors and ``tv_tensors.Image``."""
import numpy as np
import PIL.Image

from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms.functional import pil_to_tensor, to_pil_image, to_tensor  # noqa: F401

__all__ = ["to_image", "pil_to_tensor", "to_pil_image"]


def to_image(inpt):
    """A ``tv_tensors.Image`` from a PIL image, an HWC NumPy array or a (..., C, H, W) tensor (no scaling)."""
    if isinstance(inpt, np.ndarray):
        import ember
        output = ember.from_numpy(np.ascontiguousarray(np.atleast_3d(inpt).transpose(2, 0, 1)))
    elif isinstance(inpt, PIL.Image.Image):
        output = pil_to_tensor(inpt)
    elif isinstance(inpt, Tensor):
        output = inpt
    else:
        raise TypeError("Input can either be a pure Tensor, a numpy array, or a PIL image, but got "
                        f"{type(inpt)} instead.")
    return tv_tensors.Image(output)
