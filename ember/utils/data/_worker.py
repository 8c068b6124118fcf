"""What runs inside a DataLoader worker process, and the helpers both sides share.

Each worker reads ``(task index, batch indices)`` from its own index queue,
fetches and collates the batch, and puts ``(task index, batch)`` on the one
result queue; the main process puts results back in order. An exception is
sent back as an ``ExceptionWrapper`` (type + formatted traceback) and
re-raised in the main process. ``None`` on the index queue stops a worker; a
worker whose parent died stops by itself.
"""
import os
import queue
import random
import sys
import traceback

import numpy as np

MP_STATUS_CHECK_INTERVAL = 5.0   # seconds between a waiting worker's checks that its parent is alive

_worker_info = None


class WorkerInfo:
    """Inside a worker: ``id``, ``num_workers``, ``seed`` and ``dataset`` (the worker's copy). Read-only."""
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """The ``WorkerInfo`` of the current DataLoader worker process, or ``None`` in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception with its traceback text, carried from a worker to the main process and re-raised there."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)    # KeyError repr()s its message: keep the newlines readable
        try:
            exception = self.exc_type(msg)
        except Exception:                  # an exception type that does not take one message argument
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (they answer with it, then start afresh)."""


def _numpy_seed(base_seed, worker_id):
    """A NumPy seed per worker that does not collide with ``random``'s (PyTorch seeds NumPy per worker too)."""
    return np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]).generate_state(4)


def _worker_loop(make_fetcher, dataset_is_iterable, dataset, index_queue, data_queue, done_event, base_seed,
                 init_fn, worker_id, num_workers, parent_pid):
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        from ..._random import manual_seed
        manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher()
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent_pid:       # the main process is gone: nobody will read our results
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if init_exception is None:
                    fetcher = make_fetcher()          # iterable datasets start from the beginning again
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not dataset_is_iterable:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()    # the main process stopped reading: do not block on unsent results
        data_queue.close()
