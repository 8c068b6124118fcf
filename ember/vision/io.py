"""``torchvision.io`` image functions, decoded and encoded with Pillow: uint8 (C, H, W) tensors."""
import io as _io
from enum import Enum

import numpy as np
from PIL import Image

from ember._tensor import Tensor

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "read_image", "encode_png", "write_png",
           "encode_jpeg", "write_jpeg"]


class ImageReadMode(Enum):
    """Which channels to read: as stored, gray, gray+alpha, RGB or RGBA."""
    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
              ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """The file's bytes as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        return Tensor._wrap(np.frombuffer(f.read(), dtype=np.uint8).copy())


def write_file(filename, data):
    with open(filename, "wb") as f:
        f.write(np.asarray(data._data, dtype=np.uint8).tobytes())


def _mode(mode):
    if isinstance(mode, str):
        return ImageReadMode[mode.upper()]
    return mode


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode a JPEG/PNG/... given as a uint8 byte tensor (or a path) into a uint8 (C, H, W) tensor."""
    if isinstance(input, Tensor):
        if input.dtype.itemsize != 1 or input.ndim != 1:
            raise RuntimeError("Expected a 1 dimensional uint8 tensor of encoded bytes, got "
                               f"{input.dtype} of shape {list(input.shape)}")
        img = Image.open(_io.BytesIO(np.asarray(input._data).tobytes()))
    else:
        img = Image.open(input)
    img.load()
    if apply_exif_orientation:
        from PIL import ImageOps
        img = ImageOps.exif_transpose(img)
    mode = _mode(mode)
    if mode is not ImageReadMode.UNCHANGED:
        img = img.convert(_PIL_MODES[mode])
    elif img.mode not in ("L", "LA", "RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return Tensor._wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an image file into a uint8 (C, H, W) tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _to_pil(input):
    a = np.asarray(input._data)
    if a.dtype != np.uint8 or a.ndim != 3:
        raise RuntimeError(f"Input tensor should be a uint8 (C, H, W) image, got {input.dtype} of shape "
                           f"{list(input.shape)}")
    a = np.ascontiguousarray(a.transpose(1, 2, 0))
    return Image.fromarray(a[:, :, 0] if a.shape[2] == 1 else a)


def encode_png(input, compression_level=6):
    buf = _io.BytesIO()
    _to_pil(input).save(buf, format="PNG", compress_level=compression_level)
    return Tensor._wrap(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_png(input, filename, compression_level=6):
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    if not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    buf = _io.BytesIO()
    _to_pil(input).save(buf, format="JPEG", quality=quality)
    return Tensor._wrap(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_jpeg(input, filename, quality=75):
    write_file(filename, encode_jpeg(input, quality))
