"""Worker functions for tests/test_runtime_modules.py's multiprocessing tests: a module of its own (importing
only Ember), so that processes started with "spawn" load it quickly."""
import ember


def put_square(i, queue, scale):
    """``spawn``'s target: ``fn(i, *args)``; sends back (i, a computed value)."""
    queue.put((i, (ember.ones(2) * (i * scale)).pow(2).tolist()))


def fail_on_one(i):
    if i == 1:
        raise ValueError("worker 1 failed on purpose")


def exit_with_code(i):
    import os
    os._exit(3)
