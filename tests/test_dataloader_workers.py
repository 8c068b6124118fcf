"""DataLoader with real worker processes: order, seeds, worker info, errors, dead workers, timeouts, persistence."""
import os
import signal
import time

import pytest

import ember
from ember.utils import data as E


class Squares(E.Dataset):
    """Sample i = (i, i*i, pid of the process that made it)."""

    def __init__(self, n=20, sleep=0.0):
        self.n, self.sleep = n, sleep

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.sleep:
            time.sleep(self.sleep * ((i * 7) % 3))       # uneven delays: results arrive out of order
        return i, i * i, os.getpid()


def test_workers_results_in_order_from_other_processes():
    loader = E.DataLoader(Squares(20, sleep=0.01), batch_size=3, num_workers=2, prefetch_factor=3)
    batches = list(loader)
    assert [b[0].tolist() for b in batches] == [list(range(i, min(i + 3, 20))) for i in range(0, 20, 3)]
    pids = {p for b in batches for p in b[2].tolist()}
    assert os.getpid() not in pids and len(pids) == 2
    assert len(loader) == 7


def test_tensor_dataset_with_workers_and_shuffle_matches_single_process():
    ds = E.TensorDataset(ember.arange(40.0).reshape(20, 2), ember.arange(20))
    ember.manual_seed(11)
    single = [b[1].tolist() for b in E.DataLoader(ds, batch_size=6, shuffle=True)]
    ember.manual_seed(11)
    multi = [b[1].tolist() for b in E.DataLoader(ds, batch_size=6, shuffle=True, num_workers=2)]
    assert single == multi


class Info(E.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = E.get_worker_info()
        return info.id, info.num_workers, info.seed, ember.rand(1).item(), os.environ.get("EMBER_TEST_INIT", "")


def _init(worker_id):
    os.environ["EMBER_TEST_INIT"] = f"w{worker_id}"


def test_worker_info_seeds_and_init_fn():
    loader = E.DataLoader(Info(), batch_size=None, num_workers=2, worker_init_fn=_init,
                          generator=ember.Generator().manual_seed(0))
    rows = list(loader)
    ids = [r[0] for r in rows]
    assert sorted(set(ids)) == [0, 1] and all(r[1] == 2 for r in rows)
    seeds = {r[0]: r[2] for r in rows}
    assert seeds[1] == seeds[0] + 1                          # base_seed + worker_id
    assert {r[4] for r in rows} == {"w0", "w1"}
    assert len({r[3] for r in rows}) == 4                    # each worker's stream is its own
    again = list(E.DataLoader(Info(), batch_size=None, num_workers=2, worker_init_fn=_init,
                              generator=ember.Generator().manual_seed(0)))
    assert [r[3] for r in again] == [r[3] for r in rows]     # reproducible under a seeded generator


class Failing(E.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"no sample {i} here")
        return i


def test_worker_exception_reraised_with_traceback():
    loader = E.DataLoader(Failing(), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(KeyError) as info:
        next(it)
    msg = str(info.value)
    assert "Caught KeyError in DataLoader worker process" in msg
    assert "Traceback (most recent call last)" in msg and "no sample 5 here" in msg and "__getitem__" in msg


class Killer(E.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_dead_worker_raises_instead_of_hanging():
    start = time.time()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly") as info:
        list(E.DataLoader(Killer(), batch_size=2, num_workers=2))
    assert "SIGKILL" in str(info.value)
    assert time.time() - start < 30


class Slow(E.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(2)
        return i


def test_timeout():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        next(iter(E.DataLoader(Slow(), num_workers=1, timeout=0.5)))


class Shards(E.IterableDataset):
    """Each worker yields its share (PyTorch's documented get_worker_info pattern)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = E.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_with_workers():
    got = [b.tolist() for b in E.DataLoader(Shards(9), batch_size=2, num_workers=2)]
    flat = sorted(x for b in got for x in b)
    assert flat == list(range(9))
    assert got[0] == [0, 2] and got[1] == [1, 3]             # round-robin over the workers


def test_persistent_workers_reused_across_epochs():
    loader = E.DataLoader(Squares(8), batch_size=2, num_workers=2, persistent_workers=True)
    first = list(loader)
    it1 = loader._iterator
    pids1 = {w.pid for w in it1._workers}
    second = list(loader)
    assert loader._iterator is it1 and {w.pid for w in it1._workers} == pids1
    assert all(w.is_alive() for w in it1._workers)
    assert [b[0].tolist() for b in first] == [b[0].tolist() for b in second]
    half = iter(loader)
    next(half)                                             # abandon an epoch half-way: the next one starts clean
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    it1._shutdown_workers()
    assert not any(w.is_alive() for w in it1._workers)


def test_workers_stop_after_epoch():
    loader = E.DataLoader(Squares(4), batch_size=2, num_workers=2)
    it = iter(loader)
    list(it)
    assert not any(w.is_alive() for w in it._workers)
    assert "_MultiProcessingDataLoaderIter" in str(pytest.raises(AttributeError, lambda: it.next()).value)
