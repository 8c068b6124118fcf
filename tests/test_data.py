"""ember.utils.data in one process: datasets, samplers, collation, DataLoader; compared with torch.utils.data."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as T

import ember
from ember.utils import data as E


def _xy(lib, n=10):
    return lib.arange(2.0 * n).reshape(n, 2), lib.arange(n)


# ---------------------------------------------------------------------------------------------- datasets
def test_tensor_dataset_and_size_mismatch():
    ds = E.TensorDataset(*_xy(ember))
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        E.TensorDataset(ember.zeros(3), ember.zeros(4))


def test_subset_concat_chain_stack():
    ds = E.TensorDataset(*_xy(ember))
    sub = E.Subset(ds, [9, 0, 4])
    assert len(sub) == 3 and sub[0][1].item() == 9
    cat = ds + sub
    assert isinstance(cat, E.ConcatDataset) and len(cat) == 13 and cat[11][1].item() == 0 and cat[-1][1].item() == 4
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat[-14]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        E.ConcatDataset([])

    class Count(E.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = Count(2) + Count(3)
    assert isinstance(chain, E.ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5

    st = E.StackDataset(ds, ds)
    assert st[2][0][1].item() == 2 and len(st) == 10
    sd = E.StackDataset(a=ds, b=ds)
    assert set(sd[1]) == {"a", "b"}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        E.StackDataset(ds, sub)
    with pytest.raises(ValueError, match="both types are given"):
        E.StackDataset(ds, b=ds)


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.34, 0.33, 0.33]])
def test_random_split_matches_torch(lengths):
    ours = E.random_split(range(10), lengths, generator=ember.Generator().manual_seed(42))
    theirs = T.random_split(range(10), lengths, generator=torch.Generator().manual_seed(42))
    assert [list(s.indices) for s in ours] == [list(s.indices) for s in theirs]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        E.random_split(range(10), [3, 3])


# ---------------------------------------------------------------------------------------------- samplers
def test_samplers_match_torch_streams():
    data = list(range(13))
    pairs = [
        (lambda g: E.RandomSampler(data, generator=g), lambda g: T.RandomSampler(data, generator=g)),
        (lambda g: E.RandomSampler(data, replacement=True, num_samples=40, generator=g),
         lambda g: T.RandomSampler(data, replacement=True, num_samples=40, generator=g)),
        (lambda g: E.RandomSampler(data, num_samples=30, generator=g),
         lambda g: T.RandomSampler(data, num_samples=30, generator=g)),
        (lambda g: E.SubsetRandomSampler([5, 7, 9, 11], generator=g),
         lambda g: T.SubsetRandomSampler([5, 7, 9, 11], generator=g)),
        (lambda g: E.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 12, generator=g),
         lambda g: T.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 12, generator=g)),
        (lambda g: E.WeightedRandomSampler([1, 2, 3, 4, 5], 4, replacement=False, generator=g),
         lambda g: T.WeightedRandomSampler([1, 2, 3, 4, 5], 4, replacement=False, generator=g)),
    ]
    for make_e, make_t in pairs:
        e, t = make_e(ember.Generator().manual_seed(7)), make_t(torch.Generator().manual_seed(7))
        assert list(e) == list(t) and len(e) == len(t)
    ember.manual_seed(3)
    torch.manual_seed(3)
    assert list(E.RandomSampler(data)) == list(T.RandomSampler(data))      # default generator path too


def test_sampler_errors_and_batch_sampler():
    assert list(E.SequentialSampler(range(4))) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        E.RandomSampler([])
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        E.RandomSampler([1], replacement=1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        E.WeightedRandomSampler([[1.0, 2.0]], 1)
    bs = E.BatchSampler(E.SequentialSampler(range(10)), 3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] and len(bs) == 4
    bs = E.BatchSampler(range(10), 3, drop_last=True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and len(bs) == 3
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        E.BatchSampler(range(3), 0, False)


@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_matches_torch(drop_last):
    ds = list(range(11))
    for rank in range(3):
        e = E.DistributedSampler(ds, num_replicas=3, rank=rank, drop_last=drop_last, seed=5)
        t = T.DistributedSampler(ds, num_replicas=3, rank=rank, drop_last=drop_last, seed=5)
        e.set_epoch(2)
        t.set_epoch(2)
        assert list(e) == list(t) and len(e) == len(t)
    with pytest.raises(RuntimeError, match="pass num_replicas= and rank="):
        E.DistributedSampler(ds)


# ---------------------------------------------------------------------------------------------- collate
def test_default_collate_types():
    c = E.default_collate
    b = c([ember.ones(2), ember.zeros(2)])
    assert b.shape == ember.Size([2, 2]) and b.dtype is ember.float32
    assert c([1, 2]).dtype is ember.int64 and c([1.5, 2.0]).dtype is ember.float64
    assert c([True, False]).dtype is ember.bool
    a = c([np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)])
    assert isinstance(a, ember.Tensor) and a.shape == ember.Size([2, 2, 2]) and a.dtype is ember.float32
    assert c([np.float32(1), np.float32(2)]).dtype is ember.float32
    assert c(["a", "b"]) == ["a", "b"]
    d = c([{"x": 1, "s": "a"}, {"x": 2, "s": "b"}])
    assert d["x"].tolist() == [1, 2] and d["s"] == ["a", "b"]
    od = c([collections.OrderedDict(x=1.0)] * 2)
    assert isinstance(od, collections.OrderedDict)
    t = c([(ember.ones(1), 0), (ember.zeros(1), 1)])
    assert isinstance(t, list) and t[1].tolist() == [0, 1]
    P = collections.namedtuple("P", "img label")
    p = c([P(ember.ones(3), 1), P(ember.ones(3), 2)])
    assert isinstance(p, P) and p.img.shape == ember.Size([2, 3]) and p.label.tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        c([[1, 2], [1]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers"):
        c([object(), object()])
    conv = E.default_convert({"a": np.ones(2), "b": (np.zeros(1), "s")})
    assert isinstance(conv["a"], ember.Tensor) and isinstance(conv["b"], list) and conv["b"][1] == "s"


def test_collate_unequal_images_message():
    with pytest.raises(RuntimeError) as info:
        E.default_collate([ember.zeros(3, 237, 224), ember.zeros(3, 224, 400)])
    msg = str(info.value)
    assert msg.startswith("stack expects each tensor to be equal size, but got [3, 237, 224] at entry 0 and "
                          "[3, 224, 400] at entry 1")
    assert "CenterCrop" in msg and "Resize((224, 224))" in msg
    with pytest.raises(RuntimeError) as theirs:
        T.default_collate([torch.zeros(3, 237, 224), torch.zeros(3, 224, 400)])
    assert msg.startswith(str(theirs.value))


# ---------------------------------------------------------------------------------------------- DataLoader
def test_dataloader_batches_len_drop_last_and_torch_order():
    ds = E.TensorDataset(*_xy(ember, 10))
    tds = T.TensorDataset(*_xy(torch, 10))
    loader = E.DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert isinstance(batches[0], list) and batches[0][0].shape == ember.Size([4, 2])
    assert len(E.DataLoader(ds, batch_size=4, drop_last=True)) == 2
    for seed in (0, 1):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        for _ in range(2):                   # two epochs: the default generator advances the same way
            ours = [b[1].tolist() for b in E.DataLoader(ds, batch_size=3, shuffle=True)]
            theirs = [b[1].tolist() for b in T.DataLoader(tds, batch_size=3, shuffle=True)]
            assert ours == theirs
    ours = [b[1].tolist() for b in E.DataLoader(ds, batch_size=3, shuffle=True,
                                                generator=ember.Generator().manual_seed(9))]
    theirs = [b[1].tolist() for b in T.DataLoader(tds, batch_size=3, shuffle=True,
                                                  generator=torch.Generator().manual_seed(9))]
    assert ours == theirs


def test_getitems_fast_path_and_custom_collate():
    calls = []

    class Batched(E.TensorDataset):
        def __getitem__(self, i):
            calls.append(("item", i))
            return super().__getitem__(i)

        def __getitems__(self, indices):
            calls.append(("items", list(indices)))
            return super().__getitems__(indices)

    ds = Batched(*_xy(ember, 6))
    xs, ys = next(iter(E.DataLoader(ds, batch_size=4)))
    assert calls == [("items", [0, 1, 2, 3])]
    assert xs.shape == ember.Size([4, 2]) and ys.tolist() == [0, 1, 2, 3]
    seen = []

    def collate(samples):                 # a custom collate_fn sees the samples, as in PyTorch
        seen.append(len(samples))
        assert all(isinstance(s, tuple) and len(s) == 2 for s in samples)
        return [s[1].item() for s in samples]

    assert list(E.DataLoader(ds, batch_size=4, collate_fn=collate)) == [[0, 1, 2, 3], [4, 5]]
    assert seen == [4, 2]
    sub = E.random_split(ds, [3, 3], generator=ember.Generator().manual_seed(0))[0]
    calls.clear()
    list(E.DataLoader(sub, batch_size=3))
    assert calls and calls[0][0] == "items"


def test_no_autobatching_iterable_and_batch_sampler():
    ds = E.TensorDataset(*_xy(ember, 4))
    items = list(E.DataLoader(ds, batch_size=None))
    assert len(items) == 4 and items[2][1].item() == 2
    loader = E.DataLoader(ds, batch_sampler=[[3, 0], [1]])
    assert [b[1].tolist() for b in loader] == [[3, 0], [1]] and len(loader) == 2

    class Stream(E.IterableDataset):
        def __iter__(self):
            return iter([{"v": i} for i in range(7)])

        def __len__(self):
            return 7

    s = E.DataLoader(Stream(), batch_size=3)
    assert [b["v"].tolist() for b in s] == [[0, 1, 2], [3, 4, 5], [6]] and len(s) == 3
    assert len(E.DataLoader(Stream(), batch_size=3, drop_last=True)) == 2
    assert [b["v"].tolist() for b in E.DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]


def test_dataloader_errors():
    ds = E.TensorDataset(*_xy(ember, 4))
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        E.DataLoader(E.TensorDataset(ember.zeros(0, 2)), shuffle=True)
    with pytest.raises(AttributeError) as info:
        iter(E.DataLoader(ds)).next()
    assert str(info.value).startswith("'_SingleProcessDataLoaderIter' object has no attribute 'next'")
    assert "next(iter(loader))" in str(info.value)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        E.DataLoader(ds, sampler=E.SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        E.DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        E.DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        E.DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in multiprocessing"):
        E.DataLoader(ds, prefetch_factor=2)
    loader = E.DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        loader.batch_size = 3
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        assert len(list(E.DataLoader(ds, batch_size=2, pin_memory=True))) == 2
    assert E.get_worker_info() is None


def test_torch_names_resolve():
    import ember.utils.data as d
    for name in ("DataLoader", "Dataset", "TensorDataset", "random_split", "default_collate", "get_worker_info",
                 "WeightedRandomSampler", "DistributedSampler", "StackDataset"):
        assert hasattr(d, name) and hasattr(T, name)
    assert ember.utils.data is d
