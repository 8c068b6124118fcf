"""Samplers: which indices a DataLoader fetches, in which order.

The random samplers draw exactly as PyTorch's do (``randperm``/``randint``/
``multinomial`` on the same generator streams), so under the same seed an
Ember DataLoader shuffles in the same order as PyTorch's.
"""
import math

from ... import _random
from ...ops.random import multinomial, randint, randperm

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DistributedSampler"]


class Sampler:
    """Base class: an iterable of dataset indices (or of index lists, for batch samplers)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def _index_lists(self):
        yield list(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random order without replacement (a permutation per pass), or ``num_samples`` draws with replacement."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        for indices in self._index_lists():
            yield from indices

    def _index_lists(self):
        """The indices as lists, one per draw, drawn when reached (``BatchSampler`` slices them into batches)."""
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _seeded_from_default()
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield randint(high=n, size=(32,), generator=generator).tolist()
            yield randint(high=n, size=(self.num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield randperm(n, generator=generator).tolist()
            rest = self.num_samples % n
            # PyTorch draws one more permutation even when none of it is used (rest == 0); on the private
            # generator seeded from the default one nobody can see that draw, so it is skipped there.
            if rest or self.generator is not None:
                yield randperm(n, generator=generator).tolist()[:rest]

    def __len__(self):
        return self.num_samples


def _seeded_from_default():
    """``torch.empty((), dtype=torch.int64).random_()`` as the seed of a new generator (PyTorch's exact draw)."""
    from ...ops.creation import empty
    from ... import int64
    seed = int(empty((), dtype=int64).random_().item())
    g = _random.Generator()
    g.manual_seed(seed)
    return g


class SubsetRandomSampler(Sampler):
    """The given indices, in random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        from ... import as_tensor, float64
        weights_tensor = as_tensor(weights, dtype=float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rand_tensor = multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        yield from iter(rand_tensor.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        size = self.batch_size
        index_lists = _index_lists(self.sampler)
        if index_lists is not None:     # slice whole lists of indices: no Python step per index
            pending = []
            for indices in index_lists:
                pending = pending + indices if pending else indices
                full = len(pending) - len(pending) % size
                for start in range(0, full, size):
                    yield pending[start:start + size]
                pending = pending[full:]
            if pending and not self.drop_last:
                yield pending
            return
        it = iter(self.sampler)
        if self.drop_last:
            while True:
                batch = []
                try:
                    for _ in range(size):
                        batch.append(next(it))
                except StopIteration:
                    return
                yield batch
        batch = []
        for idx in it:
            batch.append(idx)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


def _index_lists(sampler):
    """``sampler._index_lists()`` when the sampler's order is exactly its ``__iter__``'s, else None."""
    for base in (RandomSampler, SequentialSampler):
        if isinstance(sampler, base) and type(sampler).__iter__ is base.__iter__ \
                and type(sampler)._index_lists is base._index_lists:
            return sampler._index_lists()
    return None


class DistributedSampler(Sampler):
    """The share of the dataset for replica ``rank`` of ``num_replicas`` (shuffled per epoch: ``set_epoch``).

    Ember has no process groups, so ``num_replicas`` and ``rank`` must be given.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available: Ember has no torch.distributed "
                               "process group, so pass num_replicas= and rank= explicitly, e.g. "
                               "DistributedSampler(dataset, num_replicas=world_size, rank=rank)")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        if self.shuffle:
            g = _random.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        assert len(indices) == self.total_size
        indices = indices[self.rank:self.total_size:self.num_replicas]
        assert len(indices) == self.num_samples
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        self.epoch = epoch
