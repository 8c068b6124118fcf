"""Conversions between PIL images, NumPy arrays, tensors and tv_tensors (and the deprecated ToTensor)."""
import warnings

import numpy as np
import PIL.Image

from ember.vision import tv_tensors
from ember.vision.transforms import functional as _F

from . import functional as F
from ._transform import Transform
from ._utils import is_pure_tensor


class PILToTensor(Transform):
    """PIL image -> CHW tensor of the same dtype (uint8), without scaling."""
    _transformed_types = (PIL.Image.Image,)

    def transform(self, inpt, params):
        return F.pil_to_tensor(inpt)


class ToImage(Transform):
    """PIL image, HWC NumPy array or plain tensor -> ``tv_tensors.Image`` (values unchanged)."""
    _transformed_types = (is_pure_tensor, PIL.Image.Image, np.ndarray)

    def transform(self, inpt, params):
        return F.to_image(inpt)


class ToPILImage(Transform):
    """Tensor image or HWC NumPy array -> PIL image."""
    _transformed_types = (is_pure_tensor, tv_tensors.Image, np.ndarray)

    def __init__(self, mode=None):
        super().__init__()
        self.mode = mode

    def transform(self, inpt, params):
        return F.to_pil_image(inpt, mode=self.mode)


class ToPureTensor(Transform):
    """Every tv_tensor of the sample -> a plain tensor (same data)."""
    _transformed_types = (tv_tensors.TVTensor,)

    def transform(self, inpt, params):
        return tv_tensors._plain(inpt)


class ToTensor(Transform):
    """Deprecated: PIL image / HWC array -> float tensor in [0, 1].

    Use ``Compose([ToImage(), ToDtype(torch.float32, scale=True)])`` instead.
    """
    _transformed_types = (PIL.Image.Image, np.ndarray)

    def __init__(self):
        warnings.warn("The transform `ToTensor()` is deprecated and will be removed in a future release. Instead, "
                      "please use `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`.Output is "
                      "equivalent up to float precision.")
        super().__init__()

    def transform(self, inpt, params):
        return _F.to_tensor(inpt)
