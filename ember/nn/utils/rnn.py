"""``nn.utils.rnn``: ``PackedSequence``, ``pack_padded_sequence``, ``pad_packed_sequence``, ``pad_sequence``,
``pack_sequence``, ``unpad_sequence``, ``unpack_sequence``.

A PackedSequence stores a batch of variable-length sequences time-major without
padding: ``data`` holds, for t = 0, 1, ..., the t-th element of every sequence
that is long enough (sequences sorted by decreasing length), and
``batch_sizes[t]`` says how many there are. RNN layers run on it directly.
"""
from collections import namedtuple

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...ops import rnn as _R

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Holds ``data`` (sum(batch_sizes), *) and ``batch_sizes`` (int64, CPU); ``[0]`` is ``data``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        # PackedSequence(data_and_batch_sizes) form
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        si = self.sorted_indices.to(dev) if self.sorted_indices is not None else None
        ui = self.unsorted_indices.to(dev) if self.unsorted_indices is not None else None
        return type(self)(data, self.batch_sizes, si, ui)

    def cuda(self, *args, **kwargs):
        return self.to("cuda")

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=D.float64)

    def float(self):
        return self.to(dtype=D.float32)

    def half(self):
        return self.to(dtype=D.float16)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    if permutation is None:
        return None
    out = np.empty_like(permutation._data)
    out[permutation._data] = np.arange(permutation.numel())
    return Tensor._wrap(out)


def _packed_index(batch_sizes, batch):
    """Row index into a time-major (T*B) flattening for every packed row."""
    return np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)]).astype(np.int64)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        if lengths.is_cuda:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got 1D cuda:0 Long tensor "
                               "(move it with lengths.cpu())")
        return np.asarray(lengths._data, dtype=np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of ``lengths``.

    With ``enforce_sorted=True`` (default) lengths must be decreasing; otherwise the batch is sorted here and
    the permutation kept in ``sorted_indices``/``unsorted_indices``.
    """
    from ...ops.creation import tensor
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = tensor(order.astype(np.int64))
        input = input[sorted_indices] if batch_first else input[:, sorted_indices]
    if batch_first:
        input = input.transpose(0, 1)
    T, B = input.shape[0], input.shape[1]
    if lens.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} (batch_size={B})")
    if lens.size and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if lens.size and lens[0] > T:
        raise RuntimeError(f"Expected sequence length to be no more than {T}, but got length {lens[0]} (the padded "
                           f"input has {T} time steps)")
    batch_sizes = np.array([(lens > t).sum() for t in range(int(lens[0]) if lens.size else 0)], dtype=np.int64)
    idx = _packed_index(batch_sizes, B)
    data = input.reshape((T * B,) + tuple(input.shape[2:]))[tensor(idx)]
    return PackedSequence(data, Tensor._wrap(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of ``pack_padded_sequence``: returns (padded (T, B, *) or (B, T, *), lengths int64 tensor)."""
    from ...ops.creation import tensor
    bs = np.asarray(sequence.batch_sizes._data, dtype=np.int64)
    max_len = bs.size
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_len}")
        max_len = total_length
    B = int(bs[0])
    idx = _packed_index(bs, B)
    data = sequence.data
    padded = _R.unpack_rows(data, tensor(idx), max_len * B, padding_value)
    padded = padded.reshape((max_len, B) + tuple(data.shape[1:]))
    lengths = np.array([(bs > j).sum() for j in range(B)], dtype=np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        ui = sequence.unsorted_indices
        padded = padded[ui] if batch_first else padded[:, ui]
        lengths = lengths[np.asarray(ui._data)]
    return padded, Tensor._wrap(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), padding with ``padding_value``."""
    from ...ops.join import stack
    from ...ops.pad import pad
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    max_len = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = max_len - s.shape[0]
        amount = (0, 0) * (s.ndim - 1) + ((0, extra) if padding_side == "right" else (extra, 0))
        padded.append(pad(s, amount, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (decreasing L_i unless ``enforce_sorted=False``)."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of (L_i, *) tensors."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths))]


def unpack_sequence(packed_sequences):
    """Split a PackedSequence into a list of (L_i, *) tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
