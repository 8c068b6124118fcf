"""RandomErasing for the v2 API (images and videos; masks and boxes pass through with a warning)."""
import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from ember.vision import tv_tensors
from ember.vision.transforms import _rng
from ember.vision.transforms import transforms as _v1

from . import functional as F
from ._transform import _RandomApplyTransform
from ._utils import query_chw


class RandomErasing(_RandomApplyTransform):
    """With probability ``p``, erase a random rectangle (area ``scale``, aspect ``ratio``) with ``value``
    (a number, one per channel, or "random" for normal noise)."""
    _v1_transform_cls = _v1.RandomErasing

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace=False):
        super().__init__(p=p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        self.scale = scale
        self.ratio = ratio
        if isinstance(value, (int, float)):
            self.value = [float(value)]
        elif isinstance(value, str):
            self.value = None
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace

    def _call_kernel(self, functional, inpt, *args, **kwargs):
        if isinstance(inpt, (tv_tensors.BoundingBoxes, tv_tensors.Mask)):
            warnings.warn(f"{type(self).__name__}() is currently passing through inputs of type "
                          f"tv_tensors.{type(inpt).__name__}. This will likely change in the future.")
        return super()._call_kernel(functional, inpt, *args, **kwargs)

    def make_params(self, flat_inputs):
        img_c, img_h, img_w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(f"If value is a sequence, it should have either a single value or {img_c} (number of "
                             "inpt channels)")
        area = img_h * img_w
        for _ in range(10):
            erase_area = area * _rng.uniform(self.scale[0], self.scale[1])
            aspect_ratio = _rng.log_uniform(self.ratio[0], self.ratio[1])
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = _rng.normal((img_c, h, w))
            else:
                v = np.asarray(self.value, dtype=np.float32)[:, None, None]
            i = _rng.randint(0, img_h - h + 1)
            j = _rng.randint(0, img_w - w + 1)
            return dict(i=i, j=j, h=h, w=w, v=v)
        return dict(i=0, j=0, h=img_h, w=img_w, v=None)       # no fitting rectangle: nothing is erased

    def transform(self, inpt, params):
        if params["v"] is not None:
            inpt = self._call_kernel(F.erase, inpt, **params, inplace=self.inplace)
        return inpt
