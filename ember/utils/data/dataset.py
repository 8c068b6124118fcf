"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``,
``ChainDataset``, ``StackDataset`` and ``random_split``.

Batch fetching (``__getitems__``)
---------------------------------
As in PyTorch >= 2.1, when a map-style dataset defines ``__getitems__(indices)``
the DataLoader calls it once per batch with the batch's list of indices,
instead of ``dataset[i]`` per index, and passes what it returns to
``collate_fn``. The contract:

- ``__getitems__(indices)`` returns a sequence with one sample per index, in
  order (what ``[self[i] for i in indices]`` would return).
- To skip per-sample work entirely, return a ``BatchedSamples``: it carries the
  batch already collated (what ``default_collate`` would make of the samples,
  e.g. ``[images (B,C,H,W), labels (B,)]`` for ``(image, label)`` samples) and
  still behaves as the list of samples for a custom ``collate_fn`` (sample ``i``
  is made on demand by ``sample_fn(i)``). ``default_collate`` returns the
  pre-collated batch as is: one gather per batch, no per-sample Python.

``TensorDataset`` and ``Subset`` implement it; the vision datasets do too.
"""
import bisect
import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np

from ... import _random
from ..._tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "StackDataset", "random_split", "BatchedSamples"]


class BatchedSamples(Sequence):
    """A batch fetched by ``__getitems__``: the collated batch plus lazy access to its samples.

    Args:
        collated: the batch as ``default_collate`` would return it.
        length: the number of samples.
        sample_fn: ``i -> sample i`` (used only by custom collate functions).
    """
    __slots__ = ("collated", "_length", "_sample_fn")

    def __init__(self, collated, length, sample_fn):
        self.collated = collated
        self._length = length
        self._sample_fn = sample_fn

    def __len__(self):
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._sample_fn(j) for j in range(*i.indices(self._length))]
        if not -self._length <= i < self._length:
            raise IndexError(f"sample index {i} out of range for a batch of {self._length}")
        return self._sample_fn(i % self._length)

    def __repr__(self):
        return f"BatchedSamples(len={self._length})"


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and usually ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is an iterable of samples (``__iter__``); with workers, each worker iterates its own copy
    (use ``get_worker_info()`` in ``__iter__`` to split the work)."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


def _first_dim(t):
    return t.size(0)


class TensorDataset(Dataset):
    """Samples are ``tuple(t[i] for t in tensors)``; all tensors must have the same first dimension."""

    def __init__(self, *tensors):
        assert all(tensors[0].size(0) == t.size(0) for t in tensors), "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices):
        """One fancy-index gather per tensor for the whole batch (no per-sample Python)."""
        collated = [_gather(t, indices) for t in self.tensors]
        return BatchedSamples(collated, len(indices), lambda i: tuple(c[i] for c in collated))

    def __len__(self):
        return self.tensors[0].size(0)


def _gather(t, indices):
    """``t[indices]`` for a list of ints, straight on the array when no autograd is involved."""
    if t._requires_grad:
        from ... import tensor
        return t[tensor(list(indices))]
    data = t._data
    n = data.shape[0]
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx[(idx >= n) | (idx < -n)][0]
        raise IndexError(f"index {bad} is out of bounds for dimension 0 with size {n}")
    if type(data) is not np.ndarray:
        from ... import _backend
        idx = _backend.xp_of(data).asarray(idx)
    return Tensor._wrap(data[idx])


class StackDataset(Dataset):
    """Samples combine the datasets' samples: a tuple (``StackDataset(a, b)``) or a dict (``StackDataset(x=a)``)."""

    def __init__(self, *args, **kwargs):
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                                 "input/output, but both types are given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(d) for d in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices):
        def fetch(d):
            if callable(getattr(d, "__getitems__", None)):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch. Expected {}, got {}".format(
                        len(indices), len(items)))
                return list(items)
            return [d[i] for i in indices]
        if isinstance(self.datasets, dict):
            cols = {k: fetch(d) for k, d in self.datasets.items()}
            return [{k: c[j] for k, c in cols.items()} for j in range(len(indices))]
        cols = [fetch(d) for d in self.datasets]
        return [tuple(c[j] for c in cols) for j in range(len(indices))]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """The concatenation of map-style datasets."""

    @staticmethod
    def cumsum(sequence):
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets):
        self.datasets = list(datasets)
        assert len(self.datasets) > 0, "datasets should not be an empty iterable"
        for d in self.datasets:
            assert not isinstance(d, IterableDataset), "ConcatDataset does not support IterableDataset"
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """The chaining of iterable datasets (one after the other)."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        mapped = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(mapped)
        return [self.dataset[i] for i in mapped]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random subsets of the given lengths or fractions (summing to 1).

    Same algorithm as PyTorch (one ``randperm`` from ``generator``), so the same seed gives the same split.
    """
    if generator is None:
        generator = _random.default_generator
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(int(math.floor(len(dataset) * frac)))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    from ...ops.random import randperm
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
