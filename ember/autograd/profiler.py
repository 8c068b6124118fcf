"""``ember.autograd.profiler`` (``torch.autograd.profiler``): time every op a program runs.

While a ``profile`` records, each Ember op call is timed (host wall-clock, ``time.perf_counter_ns``) and
named as PyTorch's dispatcher names it: ``aten::`` plus the op's autograd node name in snake case
(``AddmmBackward0`` -> ``aten::addmm``, ``MaxPool2DWithIndicesBackward0`` -> ``aten::max_pool2d_with_indices``).
Each backward node the engine runs is one ``autograd::engine::evaluate_function: <Node>`` event, and
``record_function(name)`` adds a user range; ops inside a range or a backward node are its children, so a
range's "Self CPU" is its time outside the ops it called.

How it hooks in: ``Op.apply`` and ``Op._apply_with_grad`` (ember/autograd/function.py) call
``function._profiler_hook`` when it is set, and the engine wraps its node runner; with no profiler the hot
path pays one global lookup. What is not seen: the no-grad fast paths that bypass ``Op.apply`` (elementwise
operators between float CPU tensors, ``relu``, 2-D ``matmul``/``@``, full sums) count toward the enclosing
range's self time; custom ``autograd.Function``s count toward their caller.

``profile_memory`` records the bytes of the arrays each op returned that are not views of its inputs (CPU
Mem: with children; Self CPU Mem: the op's own); frees are not tracked. On the GPU (CuPy) kernels run
asynchronously: the times are those of launching them, and no device time is reported.
"""
import contextlib
import functools
import gzip
import json
import os
import re
import threading
import sys
import time

from . import function as _fn

__all__ = ["profile", "record_function", "FunctionEvent", "FunctionEventAvg", "EventList"]

_perf_ns = time.perf_counter_ns
_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CONTEXTLIB = contextlib.__file__
_active = None          # the _Recorder of the profile now recording (one per process, as PyTorch per thread)


# ---------------------------------------------------------------------------------------------- naming
_CAMEL = re.compile(r"(?<=[A-Za-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")


@functools.lru_cache(maxsize=None)
def _op_name(cls):
    """``aten::<name>`` from the op's node name: ``NativeBatchNormBackward0`` -> ``aten::native_batch_norm``."""
    node = re.sub(r"Backward\d*$", "", cls._backward_cls.__name__) or cls.__name__
    return "aten::" + _CAMEL.sub("_", node).lower()


# ---------------------------------------------------------------------------------------------- recording
class _Raw:
    """One event while recording (cheap to make); turned into a ``FunctionEvent`` when the profile stops."""
    __slots__ = ("name", "start", "end", "thread", "shapes", "mem", "stack", "parent", "kind")

    def __init__(self, name, start, thread, parent, kind):
        self.name, self.start, self.end, self.thread, self.parent, self.kind = name, start, None, thread, parent, kind
        self.shapes, self.mem, self.stack = None, 0, None


class _Recorder:
    """Collects the events of one recording; installed as ``function._profiler_hook`` while it records."""

    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False):
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.events = []
        self.open = {}                  # thread id -> stack of open ranges (record_function, backward nodes)
        self.t0 = _perf_ns()

    # -- the hook: Op.apply(cls, *args, **params) or Op._apply_with_grad(cls, args, arrays, params)
    def __call__(self, cls, args, params, arrays=None):
        _fn._profiler_hook = None       # the call below runs the op itself (ops inside it are not timed)
        start = _perf_ns()
        try:
            out = cls.apply(*args, **params) if arrays is None else cls._apply_with_grad(args, arrays, params)
        finally:
            end = _perf_ns()
            _fn._profiler_hook = self
        tid = threading.get_ident()
        stack = self.open.get(tid)
        ev = _Raw(_op_name(cls), start, tid, stack[-1] if stack else None, "cpu_op")
        ev.end = end
        if self.record_shapes:
            ev.shapes = [list(a.shape) if isinstance(a, _fn.Tensor) else [] for a in args]
        if self.profile_memory:
            ev.mem = _new_bytes(args, out)
        if self.with_stack:
            ev.stack = _user_stack()
        self.events.append(ev)
        return out

    def node_runner(self, run_node):
        """Wrap the engine's node runner: one event per backward node."""
        def run(node, *rest):
            with self.range(f"autograd::engine::evaluate_function: {node.name()}", "cpu_op"):
                return run_node(node, *rest)
        return run

    @contextlib.contextmanager
    def range(self, name, kind="user_annotation"):
        tid = threading.get_ident()
        stack = self.open.setdefault(tid, [])
        frames = _user_stack() if self.with_stack else None      # before the clock starts
        ev = _Raw(name, _perf_ns(), tid, stack[-1] if stack else None, kind)
        ev.stack = frames
        stack.append(ev)
        try:
            yield ev
        finally:
            ev.end = _perf_ns()
            stack.remove(ev)
            self.events.append(ev)

    def start(self):
        global _active
        if _active is not None:
            raise RuntimeError("Profiler is already enabled on this thread (ember records one profile at a time: "
                               "stop the other profile first)")
        _active = self
        _fn._profiler_hook = self

    def stop(self):
        global _active
        _fn._profiler_hook = None
        _active = None
        end = _perf_ns()
        for stack in self.open.values():     # ranges still open (a step the schedule cut short) end now
            for ev in stack:
                ev.end = end
                self.events.append(ev)
        self.open = {}
        return self._build()

    def _build(self):
        """FunctionEvents in start order, with parents, children and self times."""
        raw = sorted(self.events, key=lambda e: (e.start, -e.end))
        made = {}
        out = EventList()
        for i, r in enumerate(raw):
            ev = FunctionEvent(i, r.name, r.thread, (r.start - self.t0) / 1e3, (r.end - self.t0) / 1e3,
                               input_shapes=r.shapes if r.shapes is not None else [], stack=r.stack or [],
                               self_cpu_memory_usage=r.mem, is_user_annotation=r.kind == "user_annotation")
            made[id(r)] = ev
            out.append(ev)
        for r in raw:
            if r.parent is not None and id(r.parent) in made:
                made[id(r)].cpu_parent = made[id(r.parent)]
                made[id(r.parent)].cpu_children.append(made[id(r)])
        return out


def _roots(a):
    """The array owning ``a``'s memory (NumPy and CuPy views keep their base)."""
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


def _new_bytes(args, out):
    """Bytes of the op's output arrays that are not views of its inputs."""
    inputs = {id(_roots(a._data)) for a in args if isinstance(a, _fn.Tensor)}
    outs = out if isinstance(out, tuple) else (out,)
    return sum(t._data.nbytes for t in outs if isinstance(t, _fn.Tensor) and id(_roots(t._data)) not in inputs)


def _user_stack():
    """The caller's frames outside Ember, innermost first, as ``file(line): function`` (no source is read)."""
    out = []
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if not code.co_filename.startswith(_EMBER_DIR) and not code.co_filename.startswith(_CONTEXTLIB):
            out.append(f"{code.co_filename}({frame.f_lineno}): {code.co_name}")
        frame = frame.f_back
    return out


# ---------------------------------------------------------------------------------------------- events
def _format_time(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes):
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


def _share(us, total):
    if total == 0:
        return "NaN"
    return f"{us * 100.0 / total:.2f}%"


class _Times:
    """``*_str`` forms of the times, and the device fields (Ember records host time only: zero)."""
    device_time_total = self_device_time_total = device_time = 0.0
    device_memory_usage = self_device_memory_usage = 0
    is_async = False
    node_id = -1
    overload_name = ""
    flops = 0

    cpu_time_str = property(lambda self: _format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: _format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: _format_time(self.self_cpu_time_total))


class Interval:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def elapsed_us(self):
        return self.end - self.start


class FunctionEvent(_Times):
    """One recorded call: ``name``, ``time_range`` (microseconds since the profile started), ``thread``,
    ``input_shapes``, ``stack``, ``cpu_parent``/``cpu_children``, the times and memory."""
    count = 1

    def __init__(self, id, name, thread, start_us, end_us, input_shapes=None, stack=None,  # noqa: A002
                 self_cpu_memory_usage=0, is_user_annotation=False):
        self.id, self.name, self.thread = id, name, thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.self_cpu_memory_usage = self_cpu_memory_usage
        self.is_user_annotation = is_user_annotation
        self.cpu_children = []
        self.cpu_parent = None

    key = property(lambda self: self.name)

    @property
    def cpu_time_total(self):
        return self.time_range.elapsed_us()

    cpu_time = cpu_time_total

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_memory_usage(self):
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_total_str} "
                f"start_us={self.time_range.start:.3f} end_us={self.time_range.end:.3f} "
                f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage}>")


class FunctionEventAvg(_Times):
    """The events of one key added up: ``count``, total and self times, ``cpu_time`` (the average)."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.input_shapes = None
        self.stack = None
        self.cpu_parent = None
        self.is_user_annotation = False

    def add(self, other):
        if self.key is None:
            self.key, self.input_shapes, self.stack = other.key, other.input_shapes, other.stack
            self.is_user_annotation = other.is_user_annotation
            self.cpu_parent = other.cpu_parent
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        return self

    __iadd__ = add

    @property
    def cpu_time(self):
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} count={self.count}>")


class EventList(list):
    """A list of ``FunctionEvent`` (or, from ``key_averages``, ``FunctionEventAvg``) with PyTorch's reports."""

    def __init__(self, *args, profile_memory=False, **kwargs):
        super().__init__(*args)
        self._profile_memory = profile_memory

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        """One ``FunctionEventAvg`` per name (and input shapes / top ``n`` stack frames when asked), in order
        of first appearance."""
        groups = {}
        for e in self:
            key = (e.key, str(e.input_shapes) if group_by_input_shape else None,
                   tuple(e.stack[:group_by_stack_n]) if group_by_stack_n else None)
            groups.setdefault(key, FunctionEventAvg()).add(e)
        return EventList(groups.values(), profile_memory=self._profile_memory)

    def total_average(self):
        total = FunctionEventAvg()
        for e in self:
            total.add(e)
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        """PyTorch's text table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, (CPU Mem,
        Self CPU Mem,) # of Calls, then Input Shapes / Source Location when recorded. ``sort_by`` names an
        attribute (``"cpu_time_total"``, ``"self_cpu_time_total"``, ``"count"``, ``"cpu_memory_usage"`` ...),
        sorted descending; ``time_unit`` ("s", "ms", "us") fixes the unit of every time."""
        return _table(self, sort_by, row_limit, max_src_column_width, max_name_column_width,
                      max_shapes_column_width, header, top_level_events_only, time_unit, self._profile_memory)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON ``traceEvents``; gzip when ``path`` ends in .gz), for
        chrome://tracing, Perfetto or TensorBoard's profiler plugin."""
        pid = os.getpid()
        events = []
        for e in self:
            entry = {"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op", "name": e.name,
                     "pid": pid, "tid": e.thread, "ts": e.time_range.start, "dur": e.cpu_time_total,
                     "args": {}}
            if e.input_shapes:
                entry["args"]["Input Dims"] = e.input_shapes
            if e.stack:
                entry["args"]["Call stack"] = ";".join(e.stack)
            events.append(entry)
        data = json.dumps({"traceEvents": events, "displayTimeUnit": "ms", "schemaVersion": 1,
                           "deviceProperties": [], "traceName": "ember"})
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "wt") as f:
            f.write(data)


def _table(events, sort_by, row_limit, max_src_width, max_name_width, max_shapes_width, header, top_level_only,
           time_unit, profile_memory):
    if len(events) == 0:
        return ""
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device").replace("xpu", "device").replace("privateuse1", "device")
        events = sorted(events, key=lambda e: getattr(e, attr), reverse=True)
    has_shapes = any(e.input_shapes for e in events)
    stacks = [e.stack for e in events if e.stack]

    def fmt_time(us):
        if time_unit == "s":
            return f"{us / 1e6:.3f}s"
        if time_unit == "ms":
            return f"{us / 1e3:.3f}ms"
        if time_unit == "us":
            return f"{us:.3f}us"
        return _format_time(us)

    name_width = max(len(e.key) for e in events) + 4
    if max_name_width is not None:
        name_width = min(name_width, max_name_width)
    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    widths = [name_width] + [12] * (len(headers) - 1)
    aligns = [">"] * len(headers)
    if has_shapes:
        shapes_width = max(len(str(e.input_shapes)) for e in events) + 4
        if max_shapes_width is not None:
            shapes_width = min(shapes_width, max_shapes_width)
        headers.append("Input Shapes")
        widths.append(shapes_width)
        aligns.append(">")
    if stacks:
        src_width = max(len(line) for s in stacks for line in s) + 4
        if max_src_width is not None:
            src_width = min(src_width, max_src_width)
        headers.append("Source Location")
        widths.append(src_width)
        aligns.append("<")
    row_format = "".join("{: " + a + str(w) + "}  " for a, w in zip(aligns, widths))
    sep = "".join("-" * w + "  " for w in widths)
    line_length = sum(w + 2 for w in widths) - 2

    def trim(path):
        if len(path) > src_width:
            path = path[len(path) - src_width:]
            if len(path) > 3:
                path = "..." + path[3:]
        return path

    total = sum(e.self_cpu_time_total for e in events)
    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [sep, row_format.format(*headers), sep]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_width is not None and len(name) >= max_name_width - 3:
            name = name[:max_name_width - 3] + "..."
        row = [name, _share(e.self_cpu_time_total, total), fmt_time(e.self_cpu_time_total),
               _share(e.cpu_time_total, total), fmt_time(e.cpu_time_total), fmt_time(e.cpu_time)]
        if profile_memory:
            row += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        row.append(e.count)
        if has_shapes:
            row.append(str(e.input_shapes)[:shapes_width])
        if stacks:
            row.append(trim(e.stack[0]) if e.stack else "")
        lines.append(row_format.format(*row))
        if stacks:
            blank = [""] * (len(headers) - 1)
            for entry in (e.stack or [])[1:]:
                lines.append(row_format.format(*(blank + [trim(entry)])))
            lines.append(row_format.format(*([""] * len(headers))))
    lines += [sep, f"Self CPU time total: {fmt_time(total)}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- user API
class record_function(contextlib.ContextDecorator):
    """``with record_function("name"):`` (or ``@record_function("name")``): a named range in the profile;
    the ops run inside it are its children. Does nothing when no profile is recording."""

    def __init__(self, name, args=None):
        self.name, self.args = name, args
        self._open = []                 # one entry per active use (a decorated function may recurse)

    def __enter__(self):
        ctx = _active.range(self.name) if _active is not None else None
        if ctx is not None:
            ctx.__enter__()
        self._open.append(ctx)
        return self

    def __exit__(self, *exc):
        ctx = self._open.pop()
        if ctx is not None:
            ctx.__exit__(*exc)
        return False


class profile:
    """``with torch.autograd.profiler.profile() as prof:`` record the ops run inside, then
    ``prof.key_averages().table(sort_by="self_cpu_time_total")``, ``prof.export_chrome_trace(path)``.

    ``record_shapes`` adds each op's input shapes, ``profile_memory`` the bytes each op allocated,
    ``with_stack`` the Python frames that called it. ``use_cuda``/``use_device`` add no device times
    (Ember measures host time only); ``with_flops``/``with_modules``/``use_kineto`` add nothing."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        self.enabled = enabled
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.acc_events = acc_events
        self._recorder = None
        self.function_events = None
        self.entered = False

    def _start_recording(self):
        self._recorder = _Recorder(self.record_shapes, self.profile_memory, self.with_stack)
        self._recorder.start()

    def _stop_recording(self):
        events = self._recorder.stop()
        self._recorder = None
        if self.acc_events and self.function_events is not None:
            events = EventList(list(self.function_events) + list(events), profile_memory=self.profile_memory)
        events._profile_memory = self.profile_memory
        self.function_events = events

    def __enter__(self):
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._start_recording()
        return self

    def __exit__(self, *exc):
        if self.enabled and self._recorder is not None:
            self._stop_recording()
        return False

    def _events(self):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        return self._events().key_averages(group_by_input_shape, group_by_stack_n, group_by_overload_name)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        return self._events().table(sort_by, row_limit, max_src_column_width, max_name_column_width,
                                    max_shapes_column_width, header, top_level_events_only, time_unit)

    def export_chrome_trace(self, path):
        return self._events().export_chrome_trace(path)

    def total_average(self):
        return self._events().total_average()

    @property
    def self_cpu_time_total(self):
        return self._events().self_cpu_time_total

    def __str__(self):
        return str(self.function_events) if self.function_events is not None else "<unfinished profile>"
