"""``ember.profiler`` (``torch.profiler``): where a training loop spends its time, op by op.

``profile`` records every Ember op (see ``ember.autograd.profiler`` for what is timed and how), optionally
only on some steps of a loop (``schedule``), handing each finished recording to ``on_trace_ready`` (e.g.
``tensorboard_trace_handler``). Results: ``prof.key_averages().table(sort_by=..., row_limit=...)``,
``prof.events()``, ``prof.export_chrome_trace(path)``.

Ember measures host time: ``ProfilerActivity.CPU``. ``ProfilerActivity.CUDA`` is accepted when a GPU is
usable, but CuPy kernels run asynchronously and no kernel events or device times are recorded.
``with_flops``, ``with_modules`` and ``experimental_config`` are accepted and add nothing.
"""
import enum
import os
import socket
import time
import warnings

from .. import _backend
from ..autograd import profiler as _legacy
from ..autograd.profiler import EventList, FunctionEvent, FunctionEventAvg, record_function

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "tensorboard_trace_handler", "supported_activities", "EventList", "FunctionEvent", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does on a step: nothing, warm up, record, or record and then hand the trace over."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    """The activities Ember can be asked for: CPU, and CUDA when a GPU is usable."""
    acts = {ProfilerActivity.CPU}
    if _backend.cupy_module() is not None:
        acts.add(ProfilerActivity.CUDA)
    return acts


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """The action for each step number: after ``skip_first`` steps, cycles of ``wait`` idle steps, ``warmup``
    steps, then ``active`` recorded steps (the last one saves: ``on_trace_ready`` gets the trace); ``repeat``
    cycles (0: as long as the loop runs). ``skip_first_wait=1`` skips the first cycle's wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", UserWarning, stacklevel=2)
    cycle = wait + warmup + active

    def action(step):
        if step < 0:
            raise AssertionError(f"Step should be non-negative, but got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait                # the first cycle starts with its warmup
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        mod = step % cycle
        if mod < wait:
            return ProfilerAction.NONE
        if mod < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return action


def _always_record(step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` that writes each trace to ``dir_name/<worker>.<time>.pt.trace.json[.gz]``, where
    TensorBoard's profiler plugin (and Perfetto) read it."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        path = os.path.join(dir_name, f"{name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else ""))
        prof.export_chrome_trace(path)
    return handler


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


class profile(_legacy.profile):
    """``with torch.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:``

    Without ``schedule`` every op inside the block is recorded. With one, call ``prof.step()`` at the end
    of each loop iteration: steps are recorded as the schedule says, each one as a ``ProfilerStep*`` range,
    and at the end of each active cycle ``on_trace_ready(prof)`` is called (also at the end of the block when
    a recording is under way). ``prof.events()``/``key_averages()`` give the last finished recording (all of
    them with ``acc_events=True``)."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None,
                 custom_trace_id_callback=None):
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory, with_stack=with_stack,
                         acc_events=acc_events)
        acts = set(activities) if activities else supported_activities()
        if ProfilerActivity.CPU not in acts:
            warnings.warn("Ember records the host (CPU) time of each op, not device kernels: the profile holds "
                          "CPU events (add ProfilerActivity.CPU to say so)", UserWarning, stacklevel=2)
        self.activities = acts
        self.record_steps = schedule is not None
        self.schedule = schedule or _always_record
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._step_range = None
        self._running = False

    # -- recording on and off as the schedule moves
    def _open_step(self):
        if self.record_steps and self._recorder is not None:
            self._step_range = self._recorder.range("ProfilerStep*")
            self._step_range.__enter__()

    def _close_step(self):
        if self._step_range is not None:
            rng, self._step_range = self._step_range, None
            rng.__exit__(None, None, None)

    def _save(self):
        self._stop_recording()
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def start(self):
        if self._running:
            raise RuntimeError("Profiler context manager is not reentrant")
        self._running = True
        if self.current_action in _RECORDING:
            self._start_recording()
            self._open_step()

    def stop(self):
        if not self._running:
            return
        self._running = False
        self._close_step()
        if self._recorder is not None:
            self._save()

    def step(self):
        """End the current step and begin the next (recording starts, stops or saves as the schedule says)."""
        self._close_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        if previous in _RECORDING and (previous is ProfilerAction.RECORD_AND_SAVE or
                                       self.current_action not in _RECORDING):
            self._save()
        if self.current_action in _RECORDING and self._recorder is None and self._running:
            self._start_recording()
        self._open_step()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def events(self):
        """The events of the last finished recording (an ``EventList``), or None before one finished."""
        return self.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running (no recording has finished yet: leave the `with` "
                               "block, or step past an active cycle of the schedule)")
        return super().key_averages(group_by_input_shape, group_by_stack_n, group_by_overload_name)
