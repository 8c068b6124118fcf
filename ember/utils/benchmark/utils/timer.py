"""``torch.utils.benchmark.Timer``: ``timeit.Timer`` with replicates, statistics and thread control.

``Timer(stmt, setup, globals=..., label=..., sub_label=..., description=..., num_threads=1)``
runs ``stmt`` with Ember's thread count set to ``num_threads`` (1 by default, for comparable
numbers), waits for queued GPU work before reading the clock, and returns ``Measurement``s:

* ``timeit(number)``: one block of ``number`` runs (after a short warm-up);
* ``blocked_autorange(min_run_time=0.2)``: picks a block size that makes the clock's overhead
  negligible, then times blocks until ``min_run_time`` has passed;
* ``adaptive_autorange(threshold=0.1, min_run_time=0.01, max_run_time=10.0)``: times blocks
  until the IQR is below ``threshold`` of the median (or ``max_run_time`` has passed).

``repeat`` and ``autorange`` raise ``NotImplementedError`` pointing to ``blocked_autorange``, as
PyTorch's do. C++ statements (``language='cpp'``) and Callgrind instruction counts need libtorch
and Valgrind and are not available in Ember.
"""
import enum
import statistics
import textwrap
import timeit as _timeit_module

from .... import accelerator as _accelerator
from . import common

__all__ = ["Timer", "timer", "Language"]


def timer():
    """``timeit.default_timer()``, after waiting for the GPU's queued work when a GPU is usable."""
    if _accelerator.is_available():
        _accelerator.synchronize()
    return _timeit_module.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    """Time a Python statement (see the module docstring). ``globals`` provides variables ``stmt`` uses;
    ``torch`` is predefined (as Ember). ``label``, ``sub_label``, ``description`` and ``env`` name the
    measurement in its printout and in ``Compare``'s table."""
    _timer_cls = _timeit_module.Timer

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timer, globals=None, label=None,
                 sub_label=None, description=None, env=None, num_threads=1, language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        self._globals = dict(globals or {})
        if language in (Language.PYTHON, "py", "python"):
            import ember  # noqa: WPS433 - what `torch` means in the timed code
            self._globals.setdefault("torch", ember)
            self._language = Language.PYTHON
            if global_setup:
                raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely this code can simply "
                                 "be moved to `setup`.")
        elif language in (Language.CPP, "cpp", "c++"):
            raise ValueError("Timer(language='cpp') compiles the statement as C++ against libtorch, which Ember does "
                             "not have: time the Python statement instead (language='python')")
        else:
            raise ValueError(f"Invalid language `{language}`.")
        stmt, setup = _clean(stmt), _clean(setup)
        self._timer = self._timer_cls(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                          sub_label=sub_label, description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number):
        # A block can never take zero time (a zero would break the statistics).
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number=1000000):
        """One block of ``number`` runs (after a warm-up of ``number // 100``), as ``timeit.Timer.timeit``."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(number=max(int(number // 100), 2))
            return common.Measurement(number_per_run=number, raw_times=[self._timeit(number=number)],
                                      task_spec=self._task_spec)

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _threaded_measurement_loop(self, number, time_hook, stop_hook, min_run_time, max_run_time=None,
                                   callback=None):
        """Time blocks until ``min_run_time`` has passed and ``stop_hook(times)`` agrees (or ``max_run_time``)."""
        total_time, can_stop, times = 0.0, False, []
        with common.set_torch_threads(self._task_spec.num_threads):
            while total_time < min_run_time or not can_stop:
                time_spent = time_hook()
                times.append(time_spent)
                total_time += time_spent
                if callback:
                    callback(number, time_spent)
                can_stop = stop_hook(times)
                if max_run_time and total_time > max_run_time:
                    break
        return times

    def _estimate_block_size(self, min_run_time):
        """Runs per block: grown tenfold until the clock's own overhead is under 0.01% of a block and a block
        takes at least ``min_run_time / 1000`` (or a block alone exceeds ``min_run_time``)."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overhead = statistics.median(self._timeit(0) for _ in range(5))
            number = 1
            while True:
                time_taken = self._timeit(number)
                if overhead / time_taken <= 1e-4 and time_taken >= min_run_time / 1000:
                    break
                if time_taken > min_run_time or number * 10 > 2147483647:
                    break
                number *= 10
        return number

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Blocks of an estimated size (see ``_estimate_block_size``), timed until ``min_run_time`` seconds
        have been spent; ``callback(number, time)`` after each block."""
        number = self._estimate_block_size(min_run_time)
        times = self._threaded_measurement_loop(number, lambda: self._timeit(number), lambda times: True,
                                                min_run_time=min_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        """Like ``blocked_autorange``, but keeps timing until more than 3 blocks have an IQR below ``threshold``
        of their median (after at least ``min_run_time``), or ``max_run_time`` seconds have passed."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop_hook(times):
            return len(times) > 3 and common.Measurement(
                number_per_run=number, raw_times=times, task_spec=self._task_spec).meets_confidence(threshold)
        times = self._threaded_measurement_loop(number, lambda: self._timeit(number), stop_hook, min_run_time,
                                                max_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)


def _clean(code):
    """Dedented, without a leading newline or trailing whitespace (so a triple-quoted block works)."""
    code = textwrap.dedent(code)
    return (code[1:] if code and code[0] == "\n" else code).rstrip()
