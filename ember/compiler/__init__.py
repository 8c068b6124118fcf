"""``ember.compiler`` (``torch.compiler``): the controls PyTorch's compiler stack exposes to user code.

Ember runs every op eagerly and compiles nothing (``torch.compile`` returns the model itself), so each
function here does what PyTorch's does in eager mode, outside any compiled region:

* markers for the compiler -- ``disable``, ``allow_in_graph``, ``assume_constant_result``,
  ``substitute_in_graph``, ``nested_compile_region`` -- check their arguments as PyTorch does and return
  a function that runs the original code;
* queries -- ``is_compiling``, ``is_dynamo_compiling``, ``is_exporting`` -- answer False;
* state -- ``set_stance``, ``set_default_backend``/``get_default_backend``, ``set_enable_guard_collectives``
  -- is validated and remembered (there is no compiled code for it to steer);
* ``reset`` and ``cudagraph_mark_step_begin`` have no caches or CUDA graphs to act on;
* ``wrap_numpy`` runs a NumPy function on tensors (tensors in, NumPy arrays to the function, tensors out).
"""
import functools
import inspect
import types
from collections import namedtuple

from ..ops.switches import compile  # noqa: A004 - PyTorch's name; torch.compiler.compile is torch.compile

__all__ = ["compile", "disable", "allow_in_graph", "assume_constant_result", "substitute_in_graph",
           "nested_compile_region", "is_compiling", "is_dynamo_compiling", "is_exporting", "reset",
           "set_stance", "list_backends", "set_default_backend", "get_default_backend",
           "set_enable_guard_collectives", "cudagraph_mark_step_begin", "wrap_numpy"]


# ---------------------------------------------------------------- markers
def disable(fn=None, recursive=True, *, reason=None):
    """Keep the compiler out of ``fn`` (and, with ``recursive``, out of what it calls). Usable bare
    (``@disable``), with arguments (``@disable(recursive=False, reason=...)``) or as ``disable(fn)``.
    Nothing in Ember is compiled, so ``fn`` is returned as it is."""
    def mark(f):
        if not callable(f):
            raise AssertionError("fn must be callable")
        return f
    return mark if fn is None else mark(fn)


def allow_in_graph(fn):
    """Let the compiler put ``fn`` in its graph as an opaque call (a list/tuple of functions gives a list).
    Returns ``fn`` (Ember builds no graph)."""
    if isinstance(fn, (list, tuple)):
        return [allow_in_graph(f) for f in fn]
    if not callable(fn):
        raise AssertionError("allow_in_graph expects a callable")
    return fn


def assume_constant_result(fn):
    """Mark ``fn`` as returning a constant (the compiler may then fold its result); returns ``fn``."""
    fn._dynamo_marked_constant = True
    return fn


_POLYFILLS = {}      # original function -> the wrapper registered for it (PyTorch refuses a second one)


def _is_function(f):
    return isinstance(f, (types.FunctionType, types.BuiltinFunctionType, types.MethodDescriptorType,
                          types.WrapperDescriptorType))


def _signature_ident(sig):
    """What two signatures must share: positional names, keyword-only names, defaults."""
    params = sig.parameters.values()
    skip = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return (tuple(p.name for p in params if p.kind not in skip),
            {p.name for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY},
            {p.name: p.default for p in params if p.kind not in skip[1:]})


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    """Register a traceable Python stand-in (a "polyfill") for ``original_fn``, used by the compiler when it
    inlines ``original_fn``. The decorated function returned calls ``original_fn`` itself, as PyTorch's does
    in eager mode. The signatures must agree unless ``skip_signature_check`` (or one side is ``*args,
    **kwargs``)."""
    if not _is_function(original_fn):
        raise TypeError(f"substitute_in_graph expects a function but got {type(original_fn)!r}")

    def register(traceable_fn):
        if not _is_function(traceable_fn):
            raise TypeError(f"@substitute_in_graph(...) expects a function but got {type(traceable_fn)!r}")
        if not skip_signature_check:
            try:
                original_sig = inspect.signature(original_fn)
            except ValueError:          # builtins without a signature: nothing to compare
                original_sig = None
            if original_sig is not None:
                traceable_sig = inspect.signature(traceable_fn)
                wildcard = _signature_ident(inspect.signature(lambda *args, **kwargs: None))
                a, b = _signature_ident(original_sig), _signature_ident(traceable_sig)
                if a != b and wildcard not in (a, b):
                    raise TypeError(f"Signature mismatch between {original_fn} and {traceable_fn}: "
                                    f"{original_sig} != {traceable_sig}")
        if original_fn in _POLYFILLS:
            raise ValueError(f"Duplicate polyfill handlers for {original_fn}: already handled by "
                             f"{_POLYFILLS[original_fn]}")

        @functools.wraps(traceable_fn)
        def wrapped(*args, **kwargs):
            return original_fn(*args, **kwargs)
        wrapped.__torch_dynamo_original__ = original_fn
        wrapped.__torch_dynamo_polyfill__ = traceable_fn
        wrapped.__torch_dynamo_can_constant_fold_through__ = can_constant_fold_through
        _POLYFILLS[original_fn] = wrapped
        return wrapped
    return register


def nested_compile_region(fn=None, *, options=None, max_reuse_entries=8, reuse_hash_fn=None):
    """Mark ``fn`` as a region the compiler may compile once and reuse; a no-op in eager mode (returns
    ``fn``). Usable bare or with arguments."""
    if options is not None:
        raise RuntimeError("nested_compile_region config is an experimental feature for testing only.")
    return (lambda f: f) if fn is None else fn


# ---------------------------------------------------------------- queries
def is_compiling():
    """True while the compiler traces a function: never in Ember."""
    return False


def is_dynamo_compiling():
    return False


def is_exporting():
    return False


# ---------------------------------------------------------------- state
def reset():
    """Clear the compiler's in-process caches: Ember compiles nothing, so there are none."""


def cudagraph_mark_step_begin():
    """Mark the start of a training/inference step for CUDA-graph trees; Ember records no CUDA graphs."""


_STANCES = ("default", "force_eager", "eager_on_recompile", "fail_on_recompile", "eager_then_compile",
            "aot_eager_then_compile")
_Stance = namedtuple("DynamoStance", "stance skip_guard_eval_unsafe backend")
_stance = _Stance("default", False, None)


def _swap_stance(new):
    global _stance
    prev, _stance = _stance, new
    return prev


class set_stance:  # noqa: N801 - PyTorch's name
    """Set the compiler's stance: as a call (``set_stance("force_eager")`` sets it until the next call), as a
    context manager (restores the previous stance on exit) or as a decorator (in force while the function
    runs). ``force_backend`` goes with the ``"default"`` stance only, as PyTorch requires. Ember runs
    everything eagerly whatever the stance; the stance is recorded for code that sets and restores it."""

    def __init__(self, stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
        if force_backend is not None and stance != "default":
            raise RuntimeError("non-default stance cannot have force_backend set")
        if stance not in _STANCES:     # PyTorch finds this when a compiled function next runs; Ember has none
            raise RuntimeError(f"invalid torch.compile stance '{stance}' (expected one of {', '.join(_STANCES)})")
        self.stance = _Stance(stance, skip_guard_eval_unsafe, force_backend)
        self.prev = _swap_stance(self.stance)

    def __enter__(self):
        _swap_stance(self.stance)

    def __exit__(self, exc_type, exc, tb):
        _swap_stance(self.prev)
        return False

    def __call__(self, fn):
        _swap_stance(self.prev)          # as a decorator it applies only while fn runs

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


# PyTorch's registered backend names and their tags (list_backends hides the 'debug'/'experimental' ones).
# Ember's torch.compile accepts every one of them and runs the model eagerly.
_BACKENDS = {"cudagraphs": (), "inductor": (), "openxla": (), "tvm": (), "openxla_eval": ("experimental",),
             "eager": ("debug",), "eager_noexcept": ("debug",), "eager_debug": ("debug",),
             "pre_dispatch_eager": ("debug",), "aot_eager": ("debug",), "aot_eager_default_partitioner": ("debug",),
             "aot_eager_decomp_partition": ("debug",), "ts": ("debug",), "aot_ts": ("debug",),
             "invoke_subgraph": ("debug",)}
_default_backend = "inductor"


def list_backends(exclude_tags=("debug", "experimental")):
    """The backend names ``torch.compile(..., backend=name)`` takes, without those tagged ``exclude_tags``."""
    exclude = set(exclude_tags or ())
    return sorted(name for name, tags in _BACKENDS.items() if not exclude.intersection(tags))


def set_default_backend(backend):
    """The backend ``torch.compile`` uses when given none (``None`` restores ``"inductor"``)."""
    global _default_backend
    if backend is not None and not (isinstance(backend, str) or callable(backend)):
        raise TypeError(f"backend must be a string or callable, got {type(backend)}")
    _default_backend = "inductor" if backend is None else backend


def get_default_backend():
    return _default_backend


_guard_collectives = [False]


def set_enable_guard_collectives(enabled):
    """Synchronise guard evaluation across ranks with collectives; returns the previous setting. Ember
    evaluates no guards: the setting is only remembered."""
    prev, _guard_collectives[0] = _guard_collectives[0], bool(enabled)
    return prev


# ---------------------------------------------------------------- NumPy functions on tensors
def _map(fn, kind, obj):
    """``obj`` with every leaf of type ``kind`` replaced by ``fn(leaf)`` (through lists, tuples and dicts)."""
    if isinstance(obj, kind):
        return fn(obj)
    if isinstance(obj, (list, tuple)):
        items = [_map(fn, kind, o) for o in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
    if isinstance(obj, dict):
        return {k: _map(fn, kind, v) for k, v in obj.items()}
    return obj


def wrap_numpy(fn):
    """Turn ``fn`` (NumPy arrays in, NumPy arrays out) into a function on tensors: tensor arguments reach
    ``fn`` as NumPy arrays (``Tensor.numpy()``, so CPU tensors not requiring grad), and NumPy arrays it
    returns come back as tensors (``torch.as_tensor``), through lists, tuples and dicts."""
    import numpy as np

    from .._tensor import Tensor
    from ..ops.creation import as_tensor

    @functools.wraps(fn)
    def wrap(*args, **kwargs):
        args, kwargs = _map(lambda t: t.numpy(), Tensor, (args, kwargs))
        return _map(as_tensor, np.ndarray, fn(*args, **kwargs))
    return wrap
