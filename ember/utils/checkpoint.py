"""``ember.utils.checkpoint``: activation checkpointing, trading compute for memory.

``checkpoint(fn, *args, use_reentrant=False)`` runs ``fn`` without keeping the tensors its ops save
for backward; backward runs ``fn`` again on the same inputs to get them back. The random number
generator state is stashed before the forward and restored for the recomputation, so dropout draws
the same masks and the gradients equal those of the plain model.

Two variants, as in PyTorch:

* ``use_reentrant=True``: an autograd Function whose forward runs ``fn`` under ``no_grad`` saving only the
  inputs, and whose backward recomputes ``fn`` with grad enabled and runs a nested backward through it.
  Only tensor positional arguments take part in autograd; at least one must require grad.
* ``use_reentrant=False`` (recommended): ``fn`` runs with autograd recording, under
  ``saved_tensors_hooks`` that drop every tensor an op saves and keep only its index; the first time
  backward needs one, ``fn`` is rerun (stopping once the last saved tensor is recomputed) and the saved
  tensors are handed back in order. Keyword arguments, ``autograd.grad`` and inputs that do not require
  grad all work.
"""
import contextlib
import sys
import warnings

from .. import _random
from .._tensor import Tensor
from ..autograd import backward as _autograd_backward
from ..autograd import engine as _engine
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "check_backward_validity",
           "detach_variable", "noop_context_fn", "set_checkpoint_early_stop"]

_enable_checkpoint_early_stop = None     # set by set_checkpoint_early_stop; None: each call's early_stop decides


class CheckpointError(RuntimeError):
    """The recomputation saved different tensors than the original forward (non-reentrant checkpoint)."""


def noop_context_fn():
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Inside the block, non-reentrant checkpoints made there stop (or with ``False`` do not stop) their
    recomputation as soon as every tensor saved in the forward has been recomputed."""
    global _enable_checkpoint_early_stop
    prev = _enable_checkpoint_early_stop
    _enable_checkpoint_early_stop = enable
    try:
        yield
    finally:
        _enable_checkpoint_early_stop = prev


def detach_variable(inputs):
    """The tuple ``inputs`` with each tensor detached, keeping its ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            out.append(x)
        else:
            out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


def _tree_tensors(tree):
    """Every Tensor in nested tuples, lists and dicts."""
    if isinstance(tree, Tensor):
        yield tree
    elif isinstance(tree, (tuple, list)):
        for x in tree:
            yield from _tree_tensors(x)
    elif isinstance(tree, dict):
        for x in tree.values():
            yield from _tree_tensors(x)


def _tree_detach(tree):
    """``tree`` with each Tensor detached (keeping ``requires_grad``): the recomputation builds its own graph."""
    if isinstance(tree, Tensor):
        x = tree.detach()
        x.requires_grad = tree.requires_grad
        return x
    if isinstance(tree, (tuple, list)):
        items = [_tree_detach(x) for x in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    if isinstance(tree, dict):
        return {k: _tree_detach(v) for k, v in tree.items()}
    return tree


class _RngStash:
    """The random number generator state at the start of a checkpointed forward, to replay it for the
    recomputation (and restore the surrounding state afterwards).

    The CPU generator's state is copied. A CUDA generator's (CuPy's) state cannot be copied, so it is reseeded
    from its own stream before the forward; the recomputation reseeds it with the same seed.
    """

    def __init__(self, args, enabled):
        self.enabled = enabled
        if not enabled:
            return
        self.cpu = _random.get_rng_state()
        self.cuda = {}
        for index in sorted({t.device.index or 0 for t in _tree_tensors(args) if t.device.type == "cuda"}):
            gen = _random.cuda_generator(index)
            seed = int(gen._cupy().randint(0, 2 ** 31 - 1))
            gen.manual_seed(seed)
            self.cuda[index] = seed

    @contextlib.contextmanager
    def replay(self):
        if not self.enabled:
            yield
            return
        cpu_now = _random.get_rng_state()
        cuda_now = {i: (_random.cuda_generator(i)._seed, _random.cuda_generator(i)._cupy_rng) for i in self.cuda}
        _random.set_rng_state(self.cpu)
        for i, seed in self.cuda.items():
            _random.cuda_generator(i).manual_seed(seed)
        try:
            yield
        finally:
            _random.set_rng_state(cpu_now)
            for i, (seed, rng) in cuda_now.items():
                gen = _random.cuda_generator(i)
                gen._seed, gen._cupy_rng = seed, rng


# ---------------------------------------------------------------- reentrant variant
def _outer_backward_is_plain():
    """Whether the backward now running was started by ``.backward()`` without ``inputs`` (not by
    ``autograd.grad`` or ``.backward(inputs=...)``): the nested backward of the reentrant variant
    accumulates into ``.grad`` of every leaf, which only a plain backward allows. Read from the innermost
    running engine frame."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _engine.run_backward.__code__:
            return frame.f_locals.get("inputs") is None and frame.f_locals.get("accumulate", True)
        frame = frame.f_back
    return True


class CheckpointFunction(Function):
    """The reentrant checkpoint: forward without a graph, backward by recomputation and a nested backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.rng = _RngStash(args, preserve_rng_state)
        # Tensors are saved (version-checked); other arguments are kept as they are.
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        if not _outer_backward_is_plain():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can either "
                               "set use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with ctx.rng.replay():
            detached_inputs = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs_with_grad, grads = [], []
        for out, g in zip(outputs, grad_outputs):
            if isinstance(out, Tensor) and out.requires_grad:
                outputs_with_grad.append(out)
                grads.append(g)
        if not outputs_with_grad:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _autograd_backward(outputs_with_grad, grads)
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached_inputs)


# ---------------------------------------------------------------- non-reentrant variant
class _StopRecomputation(Exception):
    pass


def _metadata(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device}


class _CheckpointFrame:
    """One non-reentrant checkpoint call: what its forward saved (only shapes/dtypes/devices, for the check),
    and the recomputed tensors waiting to be unpacked."""

    def __init__(self, function, args, kwargs, rng, early_stop, check, recompute_context):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng, self.early_stop, self.check = rng, early_stop, check
        self.recompute_context = recompute_context
        self.saved_metadata = []        # one entry per tensor saved in the forward; the index is its handle
        self.recomputed = {}            # handle -> recomputed tensor, consumed by unpack

    def pack(self, t):
        self.saved_metadata.append(_metadata(t) if self.check else None)
        return len(self.saved_metadata) - 1

    def unpack(self, handle):
        if handle not in self.recomputed:
            # first use in this backward (or a later backward of a retained graph): recompute them all
            self._recompute()
        return self.recomputed.pop(handle)

    def _recompute(self):
        total = len(self.saved_metadata)
        saved = []

        def pack(t):
            if len(saved) >= total:
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during recomputation "
                                      "than during the original forward pass.")
            saved.append(t.detach())
            if self.early_stop and len(saved) == total:
                raise _StopRecomputation
            return t

        with self.rng.replay(), enable_grad(), saved_tensors_hooks(pack, lambda t: t), self.recompute_context:
            try:
                self.function(*_tree_detach(self.args), **_tree_detach(self.kwargs))
            except _StopRecomputation:
                pass
        if len(saved) != total:
            raise CheckpointError("torch.utils.checkpoint: A different number of tensors was saved during the "
                                  "original forward and recomputation.\n"
                                  f"Number of tensors saved during forward: {total}\n"
                                  f"Number of tensors saved during recomputation: {len(saved)}.")
        if self.check:
            different = [(i, meta, _metadata(t)) for i, (meta, t) in enumerate(zip(self.saved_metadata, saved))
                         if meta != _metadata(t)]
            if different:
                lines = "".join(f"tensor at position {i}:\nsaved metadata: {m}\nrecomputed metadata: {r}\n"
                                for i, m, r in different)
                raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors have "
                                      f"different metadata than during the forward pass.\n{lines}.")
        self.recomputed = dict(enumerate(saved))


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check, early_stop, args,
                                  kwargs):
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    if _enable_checkpoint_early_stop is not None:
        early_stop = _enable_checkpoint_early_stop
    frame = _CheckpointFrame(function, args, kwargs, _RngStash(args, preserve_rng_state), early_stop,
                             determinism_check == "default", recompute_context)
    suppressed = True
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        out = function(*args, **kwargs)
        suppressed = False
    if suppressed:      # the forward raised and forward_context swallowed the exception
        raise RuntimeError("torch.utils.checkpoint: the forward context provided by context_fn suppressed an "
                           "exception raised during the checkpointed forward. This is not supported because "
                           "checkpoint cannot return a value for a failed forward.")
    return out


# ---------------------------------------------------------------- public entry points
def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """``function(*args, **kwargs)``, without keeping its intermediate activations: backward recomputes them.

    Args:
        function: what to run (a module or any callable).
        args: its inputs.
        use_reentrant: which variant (see the module docstring); pass it explicitly, ``False`` is recommended
            (``None`` warns and means ``True``, as in PyTorch 2.x).
        preserve_rng_state (keyword): stash and replay the random state so that dropout matches. Default True.
        context_fn: non-reentrant only: returns two context managers, for the forward and the recomputation.
        determinism_check: non-reentrant only: ``"default"`` compares shapes, dtypes and devices of the
            recomputed saved tensors with the original ones; ``"none"`` skips it.
        early_stop: non-reentrant only: stop recomputing once every needed tensor is back.
        debug: PyTorch's operator traces in errors; not available in Ember (only ``False``).

    Returns ``function``'s output.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
                      "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if debug:
        raise ValueError("checkpoint: debug=True (operator traces of the forward and the recomputation in error "
                         "messages) is not available in Ember; pass debug=False")
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, early_stop, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list of modules/functions) on ``input`` in ``segments``
    chunks, checkpointing every chunk but the last (whose activations backward needs first anyway).

    ``preserve_rng_state`` (keyword, default True) as in ``checkpoint``. Returns the last output.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
                      "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start, end, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    from ..nn.modules.container import Sequential     # noqa: WPS433 - ember.nn loads on first use
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
