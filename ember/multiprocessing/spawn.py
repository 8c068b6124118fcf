"""``spawn``/``start_processes``: run ``fn(i, *args)`` in ``nprocs`` new processes and wait for them.

A child that raises writes its traceback to a private file and exits with code 1; the parent then stops the
other children and raises ``ProcessRaisedException`` carrying that traceback. A child killed by a signal or
exiting with another code gives ``ProcessExitedException``.
"""
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import warnings

__all__ = ["ProcessException", "ProcessRaisedException", "ProcessExitedException", "ProcessContext", "spawn",
           "start_processes"]


class ProcessException(Exception):
    def __init__(self, msg, error_index, error_pid):
        super().__init__(msg)
        self.msg, self.error_index, self.error_pid = msg, error_index, error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A child process raised an exception; its traceback is in the message."""


class ProcessExitedException(ProcessException):
    """A child process exited with a non-zero code, or was killed by a signal."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)


def _child(fn, i, args, error_file):
    """The child's entry point: run ``fn(i, *args)``; on an exception leave its traceback for the parent."""
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass                            # the parent is stopping us
    except Exception:
        import traceback
        with open(error_file, "w") as f:
            f.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes ``start_processes(join=False)`` started; ``join()`` waits for them."""

    def __init__(self, processes, error_files):
        self.processes, self.error_files = processes, error_files
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self):
        return [p.pid for p in self.processes]

    def _wait_all(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        for p in self.processes:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            p.join(left)

    def join(self, timeout=None, grace_period=None):
        """Wait (up to ``timeout`` seconds) for processes to finish. True once all have finished successfully,
        False while some still run. When one failed, the others are stopped (SIGTERM, after ``grace_period``
        seconds if given; SIGKILL if they still run) and the failure is raised."""
        if not self.sentinels:
            return True
        failed = None
        for sentinel in multiprocessing.connection.wait(list(self.sentinels), timeout=timeout):
            i = self.sentinels.pop(sentinel)
            self.processes[i].join()
            if self.processes[i].exitcode != 0:
                failed = i
                break
        if failed is None:
            return not self.sentinels
        if grace_period is not None:
            self._wait_all(grace_period)
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        self._wait_all(30 if grace_period is None else grace_period)
        for p in self.processes:
            if p.is_alive():
                p.kill()
            p.join()
        self._raise(failed)

    def _raise(self, i):
        process, path = self.processes[i], self.error_files[i]
        if os.access(path, os.R_OK):
            with open(path) as f:
                trace = f.read()
            raise ProcessRaisedException(f"\n\n-- Process {i:d} terminated with the following error:\n{trace}", i,
                                         process.pid)
        code = process.exitcode
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"<Unknown signal {-code}>"
            raise ProcessExitedException(f"process {i:d} terminated with signal {name}", i, process.pid, code, name)
        raise ProcessExitedException(f"process {i:d} terminated with exit code {code:d}", i, process.pid, code)


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes (with ``start_method``: "spawn", "fork", "forkserver") running
    ``fn(i, *args)``, ``i`` the process index. ``join=True``: wait for all and return None (a failure raises);
    else return the ``ProcessContext``. ``fn`` must be picklable (a module-level function) unless forking."""
    ctx = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for i in range(nprocs):
        fd, path = tempfile.mkstemp(prefix="ember-errorfile-", suffix=".txt")
        os.close(fd)
        os.unlink(path)                 # the child creates it only when it fails
        p = ctx.Process(target=_child, args=(fn, i, args, path), daemon=daemon)
        p.start()
        processes.append(p)
        error_files.append(path)
    context = ProcessContext(processes, error_files)
    if not join:
        return context
    while not context.join():
        pass


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``start_processes`` with the "spawn" start method (``start_method`` is deprecated: another value
    warns and is ignored, as in PyTorch; use ``start_processes`` for fork)."""
    if start_method != "spawn":
        warnings.warn(f"This method only supports start_method=spawn (got: {start_method}).\nTo use a different "
                      "start_method use:\n\t\t torch.multiprocessing.start_processes(...)", FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
