"""``default_collate`` and ``default_convert``: turning a list of samples into a batch.

Tensors are stacked straight on their arrays (one ``np.stack`` per field), and
a ``BatchedSamples`` from a dataset's ``__getitems__`` is already a batch.
"""
import collections.abc
import numbers

import numpy as np

from ... import _backend
from ... import _dtype as D
from ..._tensor import Tensor
from .dataset import BatchedSamples

__all__ = ["default_collate", "default_convert"]

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")
_STRING_KINDS = "SaUO"


def _stack_error(shapes):
    first = shapes[0]
    j = next(i for i, s in enumerate(shapes) if s != first)
    msg = (f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 and "
           f"{list(shapes[j])} at entry {j}")
    hint = ("\nDataLoader's default_collate stacks the samples of a batch into one tensor, so they must all have "
            "the same shape.")
    if len(first) == 3:
        hint += (" These look like images of different sizes: make them one size in the dataset's transform, "
                 "e.g. transforms.Resize(256) followed by transforms.CenterCrop(224) (Resize with one int only "
                 "fixes the shorter side), or a fixed-size transforms.Resize((224, 224)).")
    else:
        hint += " For samples of varying length, pass a collate_fn that pads them (e.g. nn.utils.rnn.pad_sequence)."
    return RuntimeError(msg + hint)


def _stack_tensors(batch):
    arrays = [t._data for t in batch]
    first = arrays[0]
    shapes = [a.shape for a in arrays]
    if any(s != shapes[0] for s in shapes):
        raise _stack_error(shapes)
    if any(t._requires_grad for t in batch) or any(a.dtype != first.dtype for a in arrays):
        from ...ops.join import stack          # autograd / type promotion: the real op
        return stack(list(batch), 0)
    xp = _backend.xp_of(first)
    return Tensor._wrap(xp.stack(arrays, 0))


def default_collate(batch):
    """Collate a list of samples into a batch (``torch.utils.data.default_collate``).

    Tensors are stacked on a new first dimension; NumPy arrays and numbers
    become tensors (Python ints -> int64, floats -> float64, bools -> bool);
    strings stay a list; dicts, namedtuples and sequences are collated field by
    field (a tuple of fields becomes a list, as in PyTorch).
    """
    if type(batch) is BatchedSamples:
        return batch.collated
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ in ("ndarray", "memmap"):
            if elem.dtype.kind in _STRING_KINDS:
                raise TypeError(default_collate_err_msg_format.format(elem.dtype))
            return default_collate([Tensor._wrap(np.asarray(b)) for b in batch])
        if elem.shape == ():                       # NumPy scalars
            return Tensor._wrap(np.asarray(batch))
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, complex):
        return Tensor._wrap(np.array(batch, dtype=np.complex128))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        result = {key: default_collate([d[key] for d in batch]) for key in elem}
        if elem_type is dict:
            return result
        try:
            return elem_type(result)
        except TypeError:
            return result
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return elem_type(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(list(samples)) for samples in transposed]
        collated = [default_collate(list(samples)) for samples in transposed]
        if elem_type is list:
            return collated
        try:
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, numbers.Number):
        return Tensor._wrap(np.array(batch))
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_convert(data):
    """Convert NumPy arrays/scalars in ``data`` to tensors, recursively (the no-batching collate)."""
    if type(data) is BatchedSamples:
        return data.collated
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and data.dtype.kind in _STRING_KINDS:
            return data
        if data.dtype.kind in _STRING_KINDS:
            return data
        D.from_numpy_dtype(data.dtype)
        return Tensor._wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        result = {key: default_convert(data[key]) for key in data}
        if elem_type is dict:
            return result
        try:
            return elem_type(result)
        except TypeError:
            return result
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if elem_type is list:
            return converted
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    return data
