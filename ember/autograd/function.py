"""Graph nodes and the two ways to define a differentiable op.

* ``Op`` (internal, used by ``ember.ops``): ``forward(ctx, *arrays)`` computes
  on raw ``xp`` arrays; ``backward(ctx, *grads)`` computes on Tensors with
  Ember ops, so that ``create_graph=True`` gives higher-order gradients for free.
* ``Function`` (public ``ember.autograd.Function``): PyTorch's custom-function
  API, ``forward(ctx, *tensors)`` on Tensors (run without grad tracking).

The ``ctx`` object *is* the graph node (``grad_fn``): one class per op, named
as PyTorch names it (``MulBackward0``), created only when a gradient is needed.
"""
import itertools
import weakref

import numpy as np

from .. import _backend, _device_check
from .grad_mode import GradMode

_new = object.__new__

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
              "have already been freed). Saved intermediate values of the graph are freed when you call "
              ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
              "graph a second time or if you need to access saved tensors after calling backward.")

Tensor = None  # set by ember._tensor (layer 3 registers itself; no upward import)


class AnomalyMode:
    enabled = False
    check_nan = True


class Node:
    """A node of the backward graph. Subclasses implement ``apply(*grad_outputs)``.

    Every attribute has a class-level default, so making a node costs one
    object allocation; instances only store what differs (hot path: one node
    per differentiable op call).
    """
    next_functions = ()      # ((node | None, input_nr), ...) one per differentiable input
    _input_meta = ()         # (shape, numpy dtype) of each input, to validate the grads sent to it
    _pre_hooks = None        # hooks on the grads flowing into this node
    _hooks = None            # hooks on (grad_inputs, grad_outputs)
    _tensor_hooks = None     # {output_nr: [hook]} from Tensor.register_hook on non-leaves
    _retained = None         # {output_nr: weakref(tensor)} from retain_grad()
    _trace = None            # forward stack, in anomaly mode
    _is_sink = False         # AccumulateGrad
    _seq = -1                # creation number: the engine runs later-created nodes first
    _rare = False            # set once any of the three hook kinds above is registered
    _saved = ()              # saved tensors (BackwardNode)

    def name(self):
        return type(self).__name__

    def register_hook(self, fn):
        self._hooks = (self._hooks or []) + [fn]
        return _RemovableHandle(self, "_hooks", fn)

    def register_prehook(self, fn):
        self._pre_hooks = (self._pre_hooks or []) + [fn]
        self._rare = True
        return _RemovableHandle(self, "_pre_hooks", fn)

    def __call__(self, *grads):
        return self.apply(*grads)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def _release(self):
        pass

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata


class _RemovableHandle:
    def __init__(self, owner, attr, fn):
        self.owner, self.attr, self.fn = owner, attr, fn

    def remove(self):
        hooks = getattr(self.owner, self.attr) or []
        setattr(self.owner, self.attr, [h for h in hooks if h is not self.fn] or None)


class AccumulateGrad(Node):
    """Sink of the graph for a leaf tensor: adds the incoming gradient to ``.grad``."""

    _is_sink = True

    def __init__(self, variable):
        self._seq = _next_seq()
        self.variable = variable
        self._input_meta = ((variable._data.shape, variable._data.dtype),)

    def apply(self, grad):  # accumulation itself is done by the engine (it knows create_graph)
        return ()


class _Saved:
    """One saved tensor with the version it had when saved (PyTorch's SavedVariable)."""
    __slots__ = ("tensor", "version", "output_nr", "creator")

    def __init__(self, tensor, output_nr=None, creator=None):
        # A saved *output* keeps no strong reference to its grad_fn (that would be this node: a cycle);
        # it is rebuilt on unpacking with grad_fn = the owning node.
        self.output_nr = output_nr
        self.version = tensor._version[0]
        # (node class, output index) of the op that made it, named only if the in-place error is raised
        if output_nr is not None:
            self.tensor = tensor._alias()
            self.creator = (creator, output_nr)
        else:
            self.tensor = tensor
            fn = tensor._grad_fn
            self.creator = None if fn is None else (type(fn), tensor._output_nr)


def _modified_message(t, saved):
    """PyTorch's in-place modification error (its wording, then what to do)."""
    what = f"[{t.type()} [{', '.join(str(d) for d in t.shape)}]]"
    if saved.creator is not None:
        cls, nr = saved.creator
        name = cls.__name__
        op = name[:-9] if name.endswith("Backward0") or name.endswith("Backward1") else name
        what += f", which is output {nr} of {op},"
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"{what} is at version {t._version[0]}; expected version {saved.version} instead. Hint: the tensor "
            "was changed in place (x += ..., x.add_(...), x[i] = ..., relu(inplace=True)) after an op saved it "
            "for backward; use the out-of-place form (x = x + ...) or clone() it before changing it.")


class BackwardNode(Node):
    """The ctx/grad_fn of one op application."""
    _forward_cls = None
    materialize_grads = True
    _saved = ()
    _freed = False
    needs_input_grad = ()
    _non_differentiable = ()
    _output_meta = ()        # (shape, dtype, device) per output, only for multi-output ops
    _backward_data = None    # the op's backward on arrays, when it has one (used without create_graph)
    _packed = False          # _saved holds _Packed records (saved_tensors_hooks were active)

    # -- the ctx API shared with PyTorch's custom Functions --
    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = outputs

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        if self._packed:
            return tuple(None if p is None else p.unpack_for(self) for p in self._saved)
        out = []
        for s in self._saved:
            if s is None:
                out.append(None)
                continue
            t = s.tensor
            if t._version[0] != s.version:
                raise RuntimeError(_modified_message(t, s))
            if s.output_nr is not None:  # rebuild the output with its history (for double backward)
                t = t._alias()
                t._grad_fn = self
                t._output_nr = s.output_nr
                t._requires_grad = True
            out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    @property
    def saved_data(self):
        """The saved tensors' arrays, version-checked as ``saved_tensors`` (for ``backward_data``)."""
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        if self._packed:
            return [None if t is None else t._data for t in self.saved_tensors]
        out = [None if s is None else s.tensor._data for s in self._saved]
        for s in self._saved:
            if s is not None and s.tensor._version[0] != s.version:
                raise RuntimeError(_modified_message(s.tensor, s))
        return out

    def _release(self):
        if self._saved:
            self._saved = ()
            self._freed = True

    def apply(self, *grads):
        return self._forward_cls.backward(self, *grads)


def _edge(t):
    """The graph edge a gradient for tensor ``t`` travels along."""
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    acc = t._grad_acc() if t._grad_acc is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._grad_acc = weakref.ref(acc)
    return (acc, 0)


def _connect(ctx, inputs):
    """Give node ``ctx`` its edges to the Tensor inputs that need a gradient."""
    n = len(inputs)
    while n and not isinstance(inputs[n - 1], Tensor):
        n -= 1                  # trailing parameters (dims, flags) are not graph inputs
    edges, needs, meta = [], [], []
    for a in inputs[:n] if n < len(inputs) else inputs:
        if isinstance(a, Tensor) and a._requires_grad:
            fn = a._grad_fn
            edges.append((fn, a._output_nr) if fn is not None else _edge(a))
            needs.append(True)
            d = a._data
            meta.append((d.shape, d.dtype))
        else:
            edges.append(_NO_EDGE)
            needs.append(False)
            meta.append(None)
    ctx.next_functions = tuple(edges)
    ctx.needs_input_grad = tuple(needs)
    ctx._input_meta = tuple(meta)
    ctx._seq = _next_seq()      # after _edge may have made AccumulateGrad nodes: consumers come later
    if AnomalyMode.enabled:
        import traceback
        ctx._trace = "".join(traceback.format_stack()[:-3])


_NO_EDGE = (None, 0)
_next_seq = itertools.count().__next__


def _save(ctx, inputs, in_arrays, outputs, raw_outputs=()):
    """Turn what forward passed to save_for_backward into version-checked _Saved records."""
    to_save = ctx.__dict__.pop("_to_save", ())
    saved = []
    for x in to_save:
        if x is None:
            saved.append(None)
            continue
        if isinstance(x, Tensor):
            for i, o in enumerate(outputs):
                if o is x:
                    saved.append(_Saved(o, i, type(ctx)))
                    break
            else:
                saved.append(_Saved(x))
            continue
        for a, t in zip(in_arrays, inputs):   # an input array: save the input tensor (version-checked)
            if a is x and isinstance(t, Tensor):
                saved.append(_Saved(t))
                break
        else:
            for i, o in enumerate(outputs):
                if o._data is x or (i < len(raw_outputs) and raw_outputs[i] is x):
                    saved.append(_Saved(o, i, type(ctx)))
                    break
            else:
                saved.append(_Saved(Tensor._wrap(x)))
    if _saved_tensors_hooks:    # torch.autograd.graph.saved_tensors_hooks: keep what pack returns instead
        saved = [None if s is None else _Packed(s) for s in saved]
        ctx._packed = True
    ctx._saved = tuple(saved)


# Stack of (pack, unpack) pairs pushed by torch.autograd.graph.saved_tensors_hooks; the last one applies.
# Empty in normal use: then saving and unpacking take the plain path above (one truth test more).
_saved_tensors_hooks = []


class _Packed:
    """A saved tensor as a pack hook returned it, plus what is needed to put the unpacked tensor back in
    the graph. Hooks may change the data, so there is no version check (as in PyTorch)."""
    __slots__ = ("packed", "unpack", "output_nr", "edge", "requires_grad")

    def __init__(self, saved):
        pack, self.unpack = _saved_tensors_hooks[-1]
        t = saved.tensor             # a saved output is a detached alias: the hook gets no cycle to its node
        self.output_nr = saved.output_nr
        self.requires_grad = t._requires_grad
        # where the unpacked tensor's gradient goes: its grad_fn, or (weakly, as PyTorch) a leaf's AccumulateGrad
        self.edge = None
        if t._grad_fn is not None:
            self.edge = (t._grad_fn, t._output_nr)
        elif t._requires_grad and self.output_nr is None:
            _edge(t)
            self.edge = t._grad_acc
        version = t._version[0]
        prev, GradMode.enabled = GradMode.enabled, False     # PyTorch runs pack hooks without grad
        try:
            self.packed = pack(t)
        finally:
            GradMode.enabled = prev
        if t._version[0] != version:
            raise RuntimeError("A saved tensor pack hook is modifying its input in place. Tensors provided as "
                               "input to pack hook cannot be modified by in-place operations as this can lead to "
                               "unexpected side-effects. Please open an issue if you need to perform in-place "
                               "operations on the input to a pack hook.")

    def unpack_for(self, node):
        u = self.unpack(self.packed)
        if not isinstance(u, Tensor):
            raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                            f"{type(u).__name__}")
        t = u._alias()
        if self.output_nr is not None:       # an output of ``node``: rebuilt with its history, as unhooked
            t._grad_fn, t._output_nr, t._requires_grad = node, self.output_nr, True
        elif type(self.edge) is tuple:
            (t._grad_fn, t._output_nr), t._requires_grad = self.edge, True
        elif self.requires_grad:
            t._requires_grad = True
            t._grad_acc = self.edge
        return t


class _NoGradCtx:
    """The ctx passed to forward when no graph is built: saving is a no-op."""

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *outputs):
        pass

    def mark_dirty(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass

    needs_input_grad = ()


_NO_GRAD_CTX = _NoGradCtx()


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        suffix = "Backward0" if ns.get("_internal", bases and getattr(bases[0], "_internal", False)) else "Backward"
        node_name = ns.get("node_name") or (name + suffix)
        cls._backward_cls = type(node_name, (BackwardNode,), {"_forward_cls": cls, "__module__": cls.__module__,
                                                              "_backward_data": _array_backward_of(cls)})


def _array_backward_of(cls):
    """``cls.backward_data`` if the class that defines the op's ``backward`` also defines it: a subclass
    that overrides ``backward`` alone must not inherit its parent's array form."""
    for k in cls.__mro__:
        if "backward" in k.__dict__ or "backward_data" in k.__dict__:
            fn = k.__dict__.get("backward_data")
            return fn.__func__ if isinstance(fn, staticmethod) else fn
    return None


# While a profiler records (ember.autograd.profiler), the callable that times each op: ``hook(cls, args, params)``
# for ``Op.apply``, ``hook(cls, args, params, arrays)`` for ``Op._apply_with_grad``. None otherwise: then the hot
# path pays one global lookup.
_profiler_hook = None


def _is_differentiable(arr):
    return arr.dtype.kind in "fcV"   # V: bfloat16 (ml_dtypes)


class Op(metaclass=_FunctionMeta):
    """Base of Ember's internal ops: ``forward(ctx, *arrays, **params) -> array | tuple``.

    Tensor positional arguments reach ``forward`` as their arrays; everything
    else (Python numbers, shapes, keyword parameters) as given. ``backward(ctx,
    *grads)`` receives one Tensor gradient per output and returns one gradient
    (Tensor or None) per positional input. Gradients may be returned in the
    broadcast shape: the engine sums them to the input's shape and casts them
    to its dtype, as PyTorch's engine does.

    Hot ops also define ``backward_data(ctx, *grad_arrays)``: the same
    gradients on raw arrays (saved values from ``ctx.saved_data``), which
    the engine uses when no graph of the backward is wanted (no
    ``create_graph``): it skips making a Tensor and a dispatch per step.
    ``backward`` stays the definition; tests check that the two agree.
    """
    _internal = True

    @classmethod
    def apply(cls, *args, **params):
        if _profiler_hook is not None:      # torch.profiler is recording: it times this call (autograd/profiler.py)
            return _profiler_hook(cls, args, params)
        arrays = []
        need = False
        for a in args:                      # one pass: unwrap Tensors, note whether any needs a gradient
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a._requires_grad:
                    need = True
            else:
                arrays.append(a)
        if _backend._cupy is not None and len(args) > 1:   # a GPU exists: one device for all Tensors
            arrays = _device_check.check(args, arrays)
        if need and GradMode.enabled:
            return cls._apply_with_grad(args, arrays, params)
        out = cls.forward(_NO_GRAD_CTX, *arrays, **params)
        if type(out) is np.ndarray:         # the common case, wrapped inline (hot path)
            t = _new(Tensor)
            t._data = out
            t._version = [0]
            t._requires_grad = False
            t._grad_fn = None
            return t
        if type(out) is tuple:
            return tuple(Tensor._wrap(o) for o in out)
        return Tensor._wrap(out)

    @classmethod
    def _apply_with_grad(cls, args, arrays, params):
        if _profiler_hook is not None:      # reached directly by the hot ops' fast paths
            return _profiler_hook(cls, args, params, arrays)
        ctx = cls._backward_cls()
        _connect(ctx, args)     # first, so forward can save only what ctx.needs_input_grad calls for
        out = cls.forward(ctx, *arrays, **params)
        if type(out) is not tuple:          # single output
            if type(out) is np.ndarray:
                t = _new(Tensor)
                t._data = out
                t._version = [0]
                t._requires_grad = False
                t._grad_fn = None
            else:
                t = Tensor._wrap(out)
            if t._data.dtype.kind in "fcV" and not ctx._non_differentiable:
                t._grad_fn = ctx
                t._requires_grad = True
            if "_to_save" in ctx.__dict__:
                _save(ctx, args, arrays, (t,), (out,))
            return t
        non_diff = ctx._non_differentiable
        results = []
        for i, o in enumerate(out):
            t = Tensor._wrap(o)
            if _is_differentiable(t._data) and not any(o is n for n in non_diff):
                t._grad_fn = ctx
                t._output_nr = i
                t._requires_grad = True
            results.append(t)
        ctx._output_meta = tuple((t._data.shape, t.dtype, t.device) for t in results)
        _save(ctx, args, arrays, results, out)
        return tuple(results)

    @staticmethod
    def forward(ctx, *args, **params):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"the derivative for '{ctx.name()[:-9]}' is not implemented")


class FunctionCtx(BackwardNode):
    pass


class Function(metaclass=_FunctionMeta):
    """PyTorch's custom autograd Function.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx,
    *grad_outputs)`` and call ``MyFunction.apply(*args)``. ``forward`` sees
    Tensors (with grad tracking off); ``ctx.save_for_backward``,
    ``ctx.saved_tensors``, ``ctx.needs_input_grad`` and
    ``ctx.mark_non_differentiable`` behave as in PyTorch.
    """
    _internal = False

    def __init__(self, *args, **kwargs):
        pass

    @classmethod
    def apply(cls, *args, **kwargs):
        needs = GradMode.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx = cls._backward_cls()
        prev = GradMode.enabled
        GradMode.enabled = False
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = prev
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        if not needs:
            ctx.__dict__.pop("_to_save", None)
            return out
        _connect(ctx, args)
        non_diff = ctx._non_differentiable
        results = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                results.append(o)
                continue
            if any(o is a for a in args):   # an input returned as is: give the output its own identity
                o = o._alias()
            if _is_differentiable(o._data) and not any(o is n for n in non_diff):
                o._grad_fn = ctx
                o._output_nr = i
                o._requires_grad = True
            results.append(o)
        ctx._output_meta = tuple((t._data.shape, t.dtype, t.device) if isinstance(t, Tensor) else None
                                 for t in results)
        _save(ctx, args, [a._data if isinstance(a, Tensor) else a for a in args],
              [t for t in results if isinstance(t, Tensor)])
        return tuple(results) if multi else results[0]

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

