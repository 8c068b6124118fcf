"""``ember.types`` (``torch.types``): the type aliases PyTorch's annotations use.

Ember has no symbolic shapes, so the ``*LikeType`` aliases are the plain Python types.
"""
import os
from collections.abc import Sequence
from typing import IO, Union

from ._device import device as _device
from ._dtype import dtype as _dtype
from ._layout import layout as _layout
from ._size import Size
from ._tensor import Tensor

__all__ = ["Number", "Device", "FileLike", "IntLikeType", "FloatLikeType", "BoolLikeType"]

_bool = bool
_int = int
_float = float
_complex = complex
_str = str
_bytes = bytes
_size = Union[Size, list[int], tuple[int, ...]]
_symsize = Union[Size, Sequence[int]]
_dispatchkey = str

_TensorOrTensors = Union[Tensor, Sequence[Tensor]]
_TensorOrOptionalTensors = Union[Tensor, Sequence[Union[Tensor, None]]]

IntLikeType = int
FloatLikeType = float
BoolLikeType = bool

_Number = (int, float, bool)            # for isinstance checks
Number = Union[int, float, bool]
Device = Union[_device, str, int, None]
FileLike = Union[str, os.PathLike, IO[bytes]]
