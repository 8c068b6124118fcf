"""PyTorch 2.x infrastructure APIs against torch: torch.compiler, cond/while_loop, torch.library (custom_op,
Library), torch.overrides, the autocast setters, build flags, get_device_module and layouts."""
import copy
import operator
import pickle
import re
import typing
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as EF
from ember import compiler as ecompiler
from ember import library as elib
from ember import overrides as eoverrides


def _raises_same(fn_e, fn_t, exc=Exception, match_prefix=None, normalize=lambda s: s):
    """Both calls raise the same exception type; with ``match_prefix`` the messages agree up to that length,
    else entirely (after ``normalize``)."""
    with pytest.raises(exc) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    t_msg, e_msg = normalize(str(te.value)), normalize(str(ee.value))
    if match_prefix is None:
        assert e_msg == t_msg
    else:
        assert e_msg[:match_prefix] == t_msg[:match_prefix], (e_msg, t_msg)
    return ee.value


def _np(t):
    return t.detach().cpu().numpy()


# ================================================================ torch.compiler
def test_compiler_markers_and_queries_match_torch():
    def f(x):
        return x + 1
    for lib in (ecompiler, torch.compiler):
        assert lib.disable(f)(1) == 2                          # bare
        assert lib.disable(reason="why", recursive=False)(f)(2) == 3
        assert lib.disable()(f)(3) == 4
        assert lib.allow_in_graph(f) is f and lib.allow_in_graph([f, f]) == [f, f]
        assert lib.assume_constant_result(f) is f and f._dynamo_marked_constant is True
        assert (lib.is_compiling(), lib.is_dynamo_compiling(), lib.is_exporting()) == (False, False, False)
        assert lib.reset() is None and lib.cudagraph_mark_step_begin() is None
    assert ecompiler.compile is ember.compile
    _raises_same(lambda: ecompiler.disable(3), lambda: torch.compiler.disable(3), AssertionError)
    _raises_same(lambda: ecompiler.disable(3, recursive=False), lambda: torch.compiler.disable(3, recursive=False),
                 AssertionError)
    _raises_same(lambda: ecompiler.allow_in_graph(3), lambda: torch.compiler.allow_in_graph(3), AssertionError)
    assert ecompiler.list_backends() == torch.compiler.list_backends()
    assert set(ecompiler.list_backends(())) <= set(torch.compiler.list_backends(()))


def test_compiler_backend_stance_and_numpy_wrapper():
    for lib in (ecompiler, torch.compiler):
        assert lib.get_default_backend() == "inductor"
        lib.set_default_backend("eager")
        assert lib.get_default_backend() == "eager"
        lib.set_default_backend(None)
        assert lib.get_default_backend() == "inductor"
    _raises_same(lambda: ecompiler.set_default_backend(3), lambda: torch.compiler.set_default_backend(3), TypeError)
    _raises_same(lambda: ecompiler.set_stance("force_eager", force_backend="eager"),
                 lambda: torch.compiler.set_stance("force_eager", force_backend="eager"), RuntimeError)
    assert ecompiler.set_enable_guard_collectives(True) is False and ecompiler.set_enable_guard_collectives(False)

    # set_stance: a call sets it, a context manager restores it, a decorator applies it while the function runs
    ecompiler.set_stance("force_eager")
    assert ecompiler._stance.stance == "force_eager"
    ecompiler.set_stance("default")
    with ecompiler.set_stance("eager_on_recompile"):
        assert ecompiler._stance.stance == "eager_on_recompile"
    assert ecompiler._stance.stance == "default"

    @ecompiler.set_stance("fail_on_recompile")
    def inside():
        return ecompiler._stance.stance
    assert ecompiler._stance.stance == "default" and inside() == "fail_on_recompile"
    assert ecompiler._stance.stance == "default"
    with pytest.raises(RuntimeError, match="invalid torch.compile stance 'bogus'"):
        ecompiler.set_stance("bogus")
    assert ecompiler._stance.stance == "default"

    def sq(a):
        return np.sum(a * a), a * 2
    e_out, t_out = ecompiler.wrap_numpy(sq)(ember.arange(3.0)), torch.compiler.wrap_numpy(sq)(torch.arange(3.0))
    assert e_out[0] == t_out[0] and isinstance(e_out[1], ember.Tensor)
    np.testing.assert_array_equal(_np(e_out[1]), _np(t_out[1]))


def test_substitute_in_graph():
    def original(a, b, *, c=1):
        return a + b + c

    def polyfill(a, b, *, c=1):
        return -1
    wrapped = ecompiler.substitute_in_graph(original)(polyfill)
    assert wrapped(1, 2) == 4 and wrapped.__name__ == "polyfill"       # eager calls the original
    assert wrapped.__torch_dynamo_original__ is original and wrapped.__torch_dynamo_polyfill__ is polyfill
    with pytest.raises(ValueError, match="Duplicate polyfill handlers"):
        ecompiler.substitute_in_graph(original)(polyfill)

    def orig2(x):
        return x

    def orig3(x):
        return x
    strip = lambda s: re.sub(r" at 0x[0-9a-f]+", "", s)  # noqa: E731
    _raises_same(lambda: ecompiler.substitute_in_graph(orig2)(lambda y: y),
                 lambda: torch.compiler.substitute_in_graph(orig3)(lambda y: y), TypeError,
                 normalize=lambda s: strip(s).replace("orig3", "orig2"))
    _raises_same(lambda: ecompiler.substitute_in_graph(3), lambda: torch.compiler.substitute_in_graph(3), TypeError)
    assert ecompiler.substitute_in_graph(operator.indexOf)(lambda a, b: 0)([1, 2, 3], 3) == 2   # builtin: no sig


# ================================================================ cond / while_loop
def _pair(values, requires_grad=True):
    e = [ember.tensor(v, requires_grad=requires_grad) for v in values]
    t = [torch.tensor(v, requires_grad=requires_grad) for v in values]
    return e, t


def test_cond_values_and_gradients_match_torch():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -3.0])
    for pred in (True, False):
        (ex, ey), (tx, ty) = _pair([x, y])
        outs = []
        for lib, a, b in ((ember, ex, ey), (torch, tx, ty)):
            out = lib.cond(lib.tensor(pred), lambda p, q: (p.sin() * 2, {"k": p * 3}), lambda p, q: (q.cos() * p,
                           {"k": q.exp()}), (a, b))
            (out[0].sum() + out[1]["k"].sum()).backward()
            outs.append((out, a.grad, b.grad))
        (eo, exg, eyg), (to, txg, tyg) = outs
        assert type(eo[0].grad_fn).__name__ == type(to[0].grad_fn).__name__ == "CondAutogradOpBackward"
        np.testing.assert_allclose(_np(eo[0]), _np(to[0]), rtol=1e-6)
        np.testing.assert_allclose(_np(eo[1]["k"]), _np(to[1]["k"]), rtol=1e-6)
        np.testing.assert_allclose(_np(exg), _np(txg), rtol=1e-6)
        np.testing.assert_allclose(_np(eyg), _np(tyg), rtol=1e-6)        # zeros for the unused operand
    # a constant branch output still requires grad; the operand gets a zero gradient (as torch)
    (ex,), _ = _pair([x])
    out = ember.cond(ember.tensor([1.0]), lambda p: ember.ones(3), lambda p: p * 2, (ex,))
    assert out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(_np(ex.grad), np.zeros(3))
    # Python predicates call the branch directly (no checks, no node), as torch does
    assert ember.cond(1, lambda p: p * 2, lambda p: p * 3, (2,)) == 4
    assert type(ember.cond(True, lambda p: p.sin(), lambda p: p, (ex,)).grad_fn).__name__ == "SinBackward0"
    # no grad wanted: no node
    with ember.no_grad():
        assert ember.cond(ember.tensor(True), lambda p: p * 2, lambda p: p, (ex,)).grad_fn is None


def test_cond_errors_match_torch():
    ex, tx = ember.ones(3), torch.ones(3)
    cases = [("a", lambda a: a.sin(), lambda a: a.cos(), "ops"),
             (None, lambda a: a.sin(), lambda a: a.cos(), "ops"),
             ("multi", lambda a: a.sin(), lambda a: a.cos(), "ops"),
             ("true", 3, lambda a: a.cos(), "ops"),
             ("true", lambda a: a.sin(), lambda a: a.cos(), "bare"),
             ("true", lambda a, b: a.sin(), lambda a, b: a.cos(), "int")]
    for pred, tf, ff, ops in cases:
        def call(lib, x):
            p = {"true": lib.tensor(True), "multi": lib.tensor([True, False])}.get(pred, pred)
            operands = {"ops": (x,), "bare": x, "int": (x, 3)}[ops]
            return lib.cond(p, tf, ff, operands)
        _raises_same(lambda: call(ember, ex), lambda: call(torch, tx), RuntimeError)
    # torch's traced checks, made on the branch that runs: outputs of tensors/ints, no aliasing, no mutation
    xr = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.cond(torch.tensor(True), lambda a: a, lambda a: a * 2, (torch.ones(3, requires_grad=True),))
    with pytest.raises(RuntimeError, match="aliasing"):
        ember.cond(ember.tensor(True), lambda a: a, lambda a: a * 2, (xr,))
    with pytest.raises(RuntimeError, match="aliasing"):
        ember.cond(ember.tensor(True), lambda a: a[1:], lambda a: a * 2, (ex,))
    with pytest.raises(RuntimeError, match="mutation"):
        ember.cond(ember.tensor(True), lambda a: a.add_(1) * 2, lambda a: a * 2, (ember.ones(3),))
    with pytest.raises(RuntimeError, match="tensors or ints"):
        ember.cond(ember.tensor(True), lambda a: None, lambda a: None, (ex,))
    with ember.no_grad():            # inference: in-place and returning the operand are allowed (as torch)
        z = ember.ones(3)
        assert ember.cond(ember.tensor(True), lambda a: a.add_(1), lambda a: a * 2, (z,)) is z
    np.testing.assert_array_equal(_np(z), np.full(3, 2.0))


def test_while_loop_values_and_gradients_match_torch():
    x = np.array([0.3, -1.2, 2.0])
    (ex,), (tx,) = _pair([x])
    res = []
    for lib, a in ((ember, ex), (torch, tx)):
        i, out = lib.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v.sin() * 1.5), (lib.tensor(0), a))
        out.sum().backward()
        res.append((i, out, a.grad))
    (ei, eo, eg), (ti, to, tg) = res
    assert int(ei) == int(ti) == 3 and ei.dtype == ember.int64 and not ei.requires_grad
    assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__ == "WhileLoopAutogradOpBackward"
    np.testing.assert_allclose(_np(eo), _np(to), rtol=1e-6)
    np.testing.assert_allclose(_np(eg), _np(tg), rtol=1e-6)
    # int state, a nested dict, a list
    for lib in (ember, torch):
        n, v = lib.while_loop(lambda n, v: 2 * n < v.shape[0], lambda n, v: (n + 1, v + n), (0, lib.zeros(5)))
        assert n == 3 and _np(v).tolist() == [3.0] * 5
        d, = lib.while_loop(lambda d: d["i"] < 2, lambda d: ({"i": d["i"] + 1},), ({"i": lib.tensor(0)},))
        assert int(d["i"]) == 2
    # no iteration: clones of the inputs (PyTorch returns 2s for this gradient, its bug; 1 is d out / d in)
    (ex,), _ = _pair([x])
    i, out = ember.while_loop(lambda i, v: i < 0, lambda i, v: (i + 1, v * 2), (ember.tensor(0), ex))
    assert out is not ex and _np(out).tolist() == x.tolist()
    out.sum().backward()
    np.testing.assert_array_equal(_np(ex.grad), np.ones(3))


def test_while_loop_errors():
    cases = [
        (RuntimeError, lambda lib: lib.while_loop(3, lambda i: (i + 1,), (lib.tensor(0),))),
        (AssertionError, lambda lib: lib.while_loop(lambda i: i < 3, lambda i: (i + 1,), (1.5,))),
        (RuntimeError, lambda lib: lib.while_loop(lambda i: i * 0, lambda i: (i + 1,), (lib.tensor(0),))),
        (RuntimeError, lambda lib: lib.while_loop(lambda i: i < 3, lambda i: (i + 1.5,), (lib.tensor(0),))),
        (RuntimeError, lambda lib: lib.while_loop(lambda i: i < 3, lambda i: (i + 1, i * 2), (lib.tensor(0),))),
    ]
    for exc, call in cases:
        with pytest.raises(exc):
            call(torch)
        with pytest.raises(exc):
            call(ember)
    with pytest.raises(RuntimeError, match="carried_inputs must be a tuple or list"):
        ember.while_loop(lambda i: i < 3, lambda i: (i + 1,), ember.tensor(0))
    with pytest.raises(RuntimeError, match="cond_fn must return a boolean scalar tensor or a boolean"):
        ember.while_loop(lambda i: i < 3, lambda i: (i + 1,), (ember.tensor([0]),))
    with pytest.raises(RuntimeError, match=r"same metadata but found:\npair\[0\] differ in 'dtype: torch.float32"):
        ember.while_loop(lambda i: i < 3, lambda i: (i + 1.5,), (ember.tensor(0),))
    with pytest.raises(RuntimeError, match="'shape: torch.Size"):
        ember.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v.sum()), (ember.tensor(0), ember.ones(2)))
    with pytest.raises(RuntimeError, match="same number of outputs"):
        ember.while_loop(lambda i: i < 3, lambda i: (i + 1, i * 2), (ember.tensor(0),))
    with pytest.raises(RuntimeError, match="aliasing"):
        ember.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v), (ember.tensor(0), ember.ones(2)))
    with pytest.raises(RuntimeError, match="mutation"):
        ember.while_loop(lambda i: i < 3, lambda i: (i.add_(1).clone(),), (ember.tensor(0),))
    with ember.no_grad():           # inference: in-place on the state is allowed (as torch)
        assert int(ember.while_loop(lambda i: i < 3, lambda i: (i.add_(1).clone(),), (ember.tensor(0),))[0]) == 3


# ================================================================ torch.overrides
class _A:
    calls = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        cls.calls.append(("A", [t.__name__ for t in types], kwargs))
        return NotImplemented


class _B(_A):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        _A.calls.append(("B", [t.__name__ for t in types], kwargs))
        return NotImplemented


class _D:
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return ("D", func.__name__, len(args))


def test_overrides_protocol_matches_torch():
    assert EF.has_torch_function is eoverrides.has_torch_function
    for lib, ov, x in ((ember, eoverrides, ember.ones(2)), (torch, torch.overrides, torch.ones(2))):
        assert not ov.has_torch_function((x, 1)) and not ov.has_torch_function_unary(x)
        assert not ov.has_torch_function_variadic(x, 2.0)
        assert ov.has_torch_function((x, _D())) and ov.has_torch_function_unary(_D())
        assert ov.is_tensor_like(x) and ov.is_tensor_like(_D()) and not ov.is_tensor_like(3)
        assert ov.is_tensor_like(lib.Tensor) and not ov.is_tensor_like(None)

        _A.calls.clear()
        with pytest.raises(TypeError, match="no implementation found for 'torch.add' on types that implement "
                                            "__torch_function__"):
            ov.handle_torch_function(lib.add, (_A(), _B()), _A(), _B(), alpha=2)
        assert _A.calls == [("B", ["_B", "_A"], {"alpha": 2}), ("A", ["_B", "_A"], {"alpha": 2})]

        @ov.wrap_torch_function(lambda a, b: (a, b))
        def myfn(a, b):
            return "plain"
        assert myfn(1, 2) == "plain" and myfn(_D(), 2) == ("D", "myfn", 2)
    assert eoverrides.get_overridable_functions() == {}
    ignored = eoverrides.get_ignored_functions()
    assert ember.add in ignored and EF.relu in ignored and ember.Tensor.sum in ignored
    assert eoverrides.is_tensor_method_or_property(ember.Tensor.__add__)

    class Mode(eoverrides.TorchFunctionMode):
        pass
    with pytest.raises(RuntimeError, match="do not dispatch through __torch_function__"):
        with Mode():
            pass


# ================================================================ autocast setters, flags, layouts
def _autocast_state(lib):
    return (lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled("cuda"), lib.get_autocast_dtype("cpu"),
            lib.get_autocast_dtype("cuda"), lib.is_autocast_cache_enabled())


def test_autocast_setters_round_trip_like_torch():
    results = []
    for lib in (ember, torch):
        saved = _autocast_state(lib)
        steps = []
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                lib.set_autocast_enabled("cpu", True)
                steps.append(_autocast_state(lib))
                lib.set_autocast_enabled(True)                   # legacy form: CUDA
                steps.append(_autocast_state(lib))
                lib.set_autocast_enabled(False)
                lib.set_autocast_cpu_enabled(False)
                lib.set_autocast_dtype("cpu", lib.float16)
                lib.set_autocast_gpu_dtype(lib.bfloat16)
                steps.append(_autocast_state(lib))
                lib.set_autocast_cpu_dtype(lib.bfloat16)
                lib.set_autocast_dtype("cuda", lib.float16)
                lib.set_autocast_cache_enabled(False)
                steps.append(_autocast_state(lib))
                lib.set_autocast_cache_enabled(True)
                with lib.autocast("cpu", cache_enabled=False):
                    steps.append((_autocast_state(lib), lib.autocast_increment_nesting(),
                                   lib.autocast_decrement_nesting()))
                steps.append((_autocast_state(lib), lib.autocast_increment_nesting(),
                              lib.autocast_decrement_nesting(), lib.clear_autocast_cache()))
                lib.set_autocast_enabled("cpu", True)
                with lib.autocast("cpu", enabled=False):
                    steps.append(_autocast_state(lib))
                steps.append(_autocast_state(lib))
                lib.set_autocast_enabled("cpu", False)
            steps.append(sorted({(x.category.__name__, str(x.message).split(" (Triggered")[0]) for x in w}))
        finally:
            lib.set_autocast_enabled("cpu", saved[0])
            lib.set_autocast_enabled("cuda", saved[1])
            lib.set_autocast_dtype("cpu", saved[2])
            lib.set_autocast_dtype("cuda", saved[3])
            lib.set_autocast_cache_enabled(saved[4])
        results.append(repr(steps))
    assert results[0] == results[1]
    for call in (lambda lib: lib.set_autocast_enabled(1), lambda lib: lib.set_autocast_enabled("cpu", 1),
                 lambda lib: lib.set_autocast_enabled(), lambda lib: lib.set_autocast_enabled("foo", True),
                 lambda lib: lib.set_autocast_dtype(lib.float16), lambda lib: lib.set_autocast_cache_enabled(1)):
        _raises_same(lambda: call(ember), lambda: call(torch), match_prefix=60,
                     normalize=lambda s: re.sub("Expected one of .* device type", "Expected one of <types> device type",
                                                s))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_same(lambda: ember.set_autocast_cpu_dtype("float16"), lambda: torch.set_autocast_cpu_dtype("float16"))


def test_build_flags_device_module_and_threads():
    from ember.backends import mkl, openmp
    assert ember.has_lapack is True and ember.has_spectral is True
    assert ember.has_mkl is mkl.is_available() and ember.has_openmp is openmp.is_available()
    assert ember.is_vulkan_available() is torch.is_vulkan_available() is False
    assert ember.get_device_module("cpu") is ember.cpu and ember.get_device_module("cuda:0") is ember.cuda
    assert ember.get_device_module(ember.device("cpu")) is ember.cpu
    assert ember.get_device_module() is (ember.cuda if ember.accelerator.current_accelerator() else ember.cpu)
    for bad in (3, "meta"):
        _raises_same(lambda: ember.get_device_module(bad), lambda: torch.get_device_module(bad), RuntimeError)
    assert ember.init_num_threads() is None


def test_layout_objects():
    t = ember.ones(2)
    assert t.layout is ember.strided and t.layout == ember.strided and ember.strided != ember.sparse_coo
    assert repr(ember.strided) == repr(torch.strided) == "torch.strided" and str(ember.sparse_coo) == "torch.sparse_coo"
    assert isinstance(ember.strided, ember.layout) and type(ember.sparse_csr) is ember.layout
    assert pickle.loads(pickle.dumps(ember.strided)) is ember.strided and copy.deepcopy(ember.jagged) is ember.jagged
    _raises_same(lambda: ember.layout(), lambda: torch.layout(), TypeError)
    assert ember.signal.windows.hann(3, layout=ember.strided).shape == (3,)


# ================================================================ torch.library: custom_op
def _make_ops(lib, ns):
    """The same custom ops, made with ember or torch (annotations from ``lib``)."""
    L, T = lib.library, lib.Tensor
    seen = {}

    @L.custom_op(f"{ns}::scaled_mm", mutates_args=())
    def scaled_mm(x: T, w: T, scale: float = 1.0) -> T:
        return (x @ w) * scale

    @scaled_mm.register_fake
    def _(x, w, scale=1.0):
        return x.new_empty(x.shape[0], w.shape[1])

    def setup_context(ctx, inputs, output):
        x, w, scale = inputs
        seen["setup"] = (len(inputs), tuple(ctx.needs_input_grad)[:len(inputs)])   # torch adds one internal slot
        ctx.save_for_backward(x, w)
        ctx.scale = scale

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        seen["backward"] = tuple(ctx.needs_input_grad)
        return g @ w.t() * ctx.scale, x.t() @ g * ctx.scale, None
    scaled_mm.register_autograd(backward, setup_context=setup_context)

    @L.custom_op(f"{ns}::weighted_sum", mutates_args=())
    def weighted_sum(xs: typing.List[T], *, k: float = 2.0) -> T:
        return sum(x * (i + 1) for i, x in enumerate(xs)) * k

    def ws_setup(ctx, inputs, keyword_only_inputs, output):
        ctx.k = keyword_only_inputs["k"]
        ctx.n = len(inputs[0])

    def ws_backward(ctx, g):
        return [g * (i + 1) * ctx.k for i in range(ctx.n)]
    weighted_sum.register_autograd(ws_backward, setup_context=ws_setup)

    @L.custom_op(f"{ns}::plain", mutates_args=())
    def plain(x: T) -> T:
        return x * 2

    @L.custom_op(f"{ns}::add_into", mutates_args=("out",))
    def add_into(out: T, y: T) -> None:
        out.add_(y)
    return scaled_mm, weighted_sum, plain, add_into, seen


_E_OPS = _make_ops(ember, "infra_e")
_T_OPS = _make_ops(torch, "infra_t")


def test_custom_op_schema_and_names_match_torch():
    for (e, t) in zip(_E_OPS[:4], _T_OPS[:4]):
        assert str(e._opoverload._schema).replace("infra_e", "infra_t") == str(t._opoverload._schema)
        assert repr(e).replace("infra_e", "infra_t") == repr(t)
    e_mm = ember.ops.infra_e.scaled_mm
    assert repr(e_mm) == "<OpOverloadPacket(op='infra_e.scaled_mm')>" and e_mm.overloads() == ["default"]
    assert repr(e_mm.default) == "<OpOverload(op='infra_e.scaled_mm', overload='default')>"
    assert str(e_mm.default) == "infra_e.scaled_mm.default" and e_mm.default.name() == "infra_e::scaled_mm"

    def sig(lib):
        T, Opt, Seq = lib.Tensor, typing.Optional, typing.Sequence

        def f(a: T, b: Opt[T], c: Seq[T], n: int, m: Seq[int], o: Opt[int], f: float, flag: bool, s: str,
              d: lib.dtype, dev: lib.device, num: lib.types.Number, g: Opt[float] = None, h: int = 3,
              i: str = "x", *, k: bool = True) -> typing.Tuple[T, T]:
            pass
        return f
    for mutates in ((), ("a", "c"), "unknown"):
        assert ember.library.infer_schema(sig(ember), mutates_args=mutates, op_name="op") == \
            torch.library.infer_schema(sig(torch), mutates_args=mutates, op_name="op")


def test_custom_op_argument_errors_match_torch():
    def make(lib, **kw):
        def f(x: lib.Tensor, y: float) -> lib.Tensor:
            return x * y
        return lambda: lib.library.custom_op("infra_err::f", **kw)(f)
    norm = lambda s: s.replace("ember.Tensor", "torch.Tensor")  # noqa: E731
    for kw in ({}, {"mutates_args": "x"}, {"mutates_args": ("z",)}, {"mutates_args": ("y",)}):
        _raises_same(make(ember, **kw), make(torch, **kw), normalize=norm)

    def noann(x):
        return x
    _raises_same(lambda: ember.library.custom_op("infra_err::g", noann, mutates_args=()),
                 lambda: torch.library.custom_op("infra_err::g", noann, mutates_args=()), ValueError)
    e_mm, t_mm = _E_OPS[0], _T_OPS[0]
    for args in ((ember.ones(2, 2), "a"), (2.0, 2.0), (ember.ones(2, 2),)):
        t_args = tuple(torch.ones(2, 2) if isinstance(a, ember.Tensor) else a for a in args)
        _raises_same(lambda: e_mm(*args), lambda: t_mm(*t_args), RuntimeError,
                     normalize=lambda s: s.replace("infra_e", "infra_t").split("\nCast error")[0])


def test_custom_op_autograd_and_kernels_match_torch():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    results = []
    for lib, ops in ((ember, _E_OPS), (torch, _T_OPS)):
        scaled_mm, weighted_sum, plain, add_into, seen = ops
        tx, tw = lib.tensor(x, requires_grad=True), lib.tensor(w)
        out = scaled_mm(tx, tw, 2.0)
        via_ops = getattr(lib.ops, "infra_e" if lib is ember else "infra_t").scaled_mm.default(tx, tw, scale=2.0)
        out.sum().backward()
        grad_name = type(out.grad_fn).__name__.replace("infra_t", "infra_e")
        a, b = lib.tensor(x[0], requires_grad=True), lib.tensor(x[1], requires_grad=True)
        s = weighted_sum([a, b], k=3.0)
        (s * lib.arange(3.0)).sum().backward()
        buf = lib.zeros(3)
        add_into(buf, lib.ones(3))
        results.append((out, via_ops, tx.grad, dict(seen), grad_name, a.grad, b.grad, s, buf))
    for e, t in zip(*results):
        if isinstance(t, torch.Tensor):
            np.testing.assert_allclose(_np(e), _np(t), rtol=1e-5, atol=1e-6)
        else:
            assert e == t
    assert results[0][4] == "GeneratedBackwardFor_infra_e_scaled_mm_defaultBackward"

    # no autograd formula: the error comes at backward, as torch's
    _raises_same(lambda: _E_OPS[2](ember.ones(2, requires_grad=True)).sum().backward(),
                 lambda: _T_OPS[2](torch.ones(2, requires_grad=True)).sum().backward(), RuntimeError,
                 normalize=lambda s: s.replace("infra_e", "infra_t"))
    # a device kernel overrides the default; set_kernel_enabled switches it off for a while
    for lib, ops in ((ember, _E_OPS), (torch, _T_OPS)):
        plain = ops[2]
        plain.register_kernel("cpu")(lambda x: x * 3)
        with plain.set_kernel_enabled("cpu", False):
            assert _np(plain(lib.ones(1))).tolist() == [2.0]
        assert _np(plain(lib.ones(1))).tolist() == [3.0]


def test_custom_op_output_checks_and_backward_validation():
    def make(lib, ns):
        @lib.library.custom_op(f"{ns}::ident", mutates_args=())
        def ident(x: lib.Tensor) -> lib.Tensor:
            return x[:1]

        @lib.library.custom_op(f"{ns}::twice", mutates_args=())
        def twice(x: lib.Tensor, y: float) -> lib.Tensor:
            return x * y
        twice.register_autograd(lambda ctx, g: (g,), setup_context=lambda ctx, inputs, output: None)
        return ident, twice
    (e_ident, e_twice), (t_ident, t_twice) = make(ember, "infra_chk_e"), make(torch, "infra_chk_t")
    _raises_same(lambda: e_ident(ember.ones(2)), lambda: t_ident(torch.ones(2)), RuntimeError,
                 normalize=lambda s: s.split("):", 1)[1])
    _raises_same(lambda: e_twice(ember.ones(2, requires_grad=True), 2.0).sum().backward(),
                 lambda: t_twice(torch.ones(2, requires_grad=True), 2.0).sum().backward(), RuntimeError,
                 match_prefix=90, normalize=lambda s: s.replace("infra_chk_t", "infra_chk_e"))
    e_twice.register_autograd(lambda ctx, g: (g, 1.0), setup_context=lambda ctx, inputs, output: None)
    with pytest.raises(RuntimeError, match="returned a gradient different than None at position 2"):
        e_twice(ember.ones(2, requires_grad=True), 2.0).sum().backward()
    with pytest.raises(NotImplementedError, match="kwarg-only Tensor args"):
        ember.library.custom_op("infra_chk_e::kwt", lambda x, *, y: x, mutates_args=(),
                                schema="(Tensor x, *, Tensor y) -> Tensor")
    with pytest.raises(RuntimeError, match="Cannot register autograd formula for non-functional operator"):
        _E_OPS[3].register_autograd(lambda ctx, g: g)


def test_opcheck():
    x = ember.ones(2, 3, requires_grad=True)
    w = ember.ones(3, 2)
    assert elib.opcheck(_E_OPS[0], (x, w, 0.5)) == {k: "SUCCESS" for k in
                                                    ("test_schema", "test_autograd_registration", "test_faketensor",
                                                     "test_aot_dispatch_dynamic")}
    assert torch.library.opcheck(_T_OPS[0], (torch.ones(2, 3, requires_grad=True), torch.ones(3, 2), 0.5),
                                 test_utils=("test_faketensor", "test_autograd_registration")) == \
        elib.opcheck(_E_OPS[0], (x, w, 0.5), test_utils=("test_faketensor", "test_autograd_registration"))
    # no fake impl; no autograd formula
    res = elib.opcheck(_E_OPS[2], (ember.ones(2, requires_grad=True),), raise_exception=False)
    assert res["test_schema"] == res["test_autograd_registration"] == "SUCCESS"
    assert "There was no fake impl registered for <CustomOpDef(infra_e::plain)>" in str(res["test_faketensor"])
    assert "no autograd formula was registered" in str(res["test_aot_dispatch_dynamic"])

    def make(lib, ns):
        @lib.library.custom_op(f"{ns}::badfake", mutates_args=())
        def badfake(x: lib.Tensor) -> lib.Tensor:
            return x.cos()
        badfake.register_fake(lambda x: x.new_empty(x.shape[0] + 1))

        @lib.library.custom_op(f"{ns}::sneaky", mutates_args=())
        def sneaky(x: lib.Tensor) -> lib.Tensor:
            x.add_(1)
            return x.clone()
        return badfake, sneaky
    (e_bad, e_sneaky), (t_bad, _) = make(ember, "infra_oc_e"), make(torch, "infra_oc_t")
    with pytest.raises(Exception) as te:
        torch.library.opcheck(t_bad, (torch.ones(3),), test_utils="test_faketensor")
    with pytest.raises(elib.OpCheckError) as ee:
        elib.opcheck(e_bad, (ember.ones(3),), test_utils="test_faketensor")
    assert type(te.value).__name__ == "OpCheckError"
    assert str(ee.value) == str(te.value).replace("infra_oc_t", "infra_oc_e")
    with pytest.raises(elib.OpCheckError, match="Argument x is not defined as mutable but was mutated"):
        elib.opcheck(e_sneaky, (ember.ones(3),), test_utils="test_schema")
    _raises_same(lambda: elib.opcheck(e_bad, (ember.ones(3),), test_utils="test_x"),
                 lambda: torch.library.opcheck(t_bad, (torch.ones(3),), test_utils="test_x"), ValueError)


# ================================================================ torch.library: Library / define / impl
def test_library_define_impl_match_torch():
    libs = {lib: lib.library.Library("infra_lib", "DEF") for lib in (ember, torch)}
    out = []
    for lib, L in libs.items():
        assert repr(L) == "Library(kind=DEF, ns=infra_lib, dispatch_key=)>"
        assert L.define("foo(Tensor x, float alpha=1.0) -> Tensor") == "foo"
        L.define("foo.scaled(Tensor x, float s) -> Tensor")
        L.define("sq(Tensor x) -> Tensor")
        L.define("mut(Tensor(a!) x, Tensor y) -> ()")
        L.impl("foo", lambda x, alpha=1.0: x * alpha, "CPU")
        L.impl("foo.scaled", lambda x, s: x * s, "CompositeImplicitAutograd")
        L.impl("sq", lambda x: x * x, "CompositeImplicitAutograd")
        L.impl("mut", lambda x, y: [x.add_(y)] and None, "CPU")
        ops = lib.ops.infra_lib
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = ops.sq(x)
        y.sum().backward()
        with warnings.catch_warnings(record=True) as w:     # a CPU kernel and no autograd kernel: warns
            warnings.simplefilter("always")
            ops.foo(x, 3.0).sum().backward()
        buf = lib.zeros(2)
        ops.mut(buf, lib.ones(2))
        out.append((ops.foo(lib.ones(2)), ops.foo.default(lib.ones(2), alpha=2.0), ops.foo.scaled(lib.ones(2), 4.0),
                    y, x.grad, buf, ops.foo.overloads(), str(ops.foo.scaled._schema),
                    any("autograd kernel was not registered" in str(m.message) for m in w),
                    type(y.grad_fn).__name__))
    for e, t in zip(*out):
        if isinstance(t, torch.Tensor):
            np.testing.assert_allclose(_np(e), _np(t))
        else:
            assert e == t
    E, T = libs[ember], libs[torch]
    for call in (lambda L: L.define("foo(Tensor x) -> Tensor"),      # duplicate
                 lambda L: L.define("other::bar(Tensor x) -> Tensor"),
                 lambda L: L.impl("foo", lambda x: x, "Foo"),
                 lambda L: L.impl("foo", 3, "CPU")):
        _raises_same(lambda: call(E), lambda: call(T), match_prefix=70)
    for call in (lambda lib: lib.library.Library("infra_lib", "DEF"), lambda lib: lib.library.Library("x", "XYZ")):
        _raises_same(lambda: call(ember), lambda: call(torch), match_prefix=70)
    for lib, L in libs.items():
        L.define("nokernel(Tensor x) -> Tensor")
    _raises_same(lambda: ember.ops.infra_lib.nokernel(ember.ones(1)),
                 lambda: torch.ops.infra_lib.nokernel(torch.ones(1)), NotImplementedError, match_prefix=70)
    _raises_same(lambda: ember.ops.infra_lib.foo(ember.ones(1), "a"),
                 lambda: torch.ops.infra_lib.foo(torch.ones(1), "a"), RuntimeError,
                 normalize=lambda s: re.sub(r"\nCast error details: [^\n]*", "", s))
    _raises_same(lambda: ember.ops.infra_lib.sq(ember.ones(1), ember.ones(1)),
                 lambda: torch.ops.infra_lib.sq(torch.ones(1), torch.ones(1)), RuntimeError)
    # a Library's ops go away with it
    E._destroy()
    with pytest.raises(AttributeError, match="has no attribute 'foo'"):
        ember.ops.infra_lib.foo
    with pytest.raises(AttributeError, match="no custom operator namespace 'infra_nowhere'"):
        ember.ops.infra_nowhere


def test_library_functional_api_and_register_functions():
    for lib in (ember, torch):
        lib.library.define("infra_fn::f", "(Tensor x, int n=2) -> Tensor")
        lib.library.impl("infra_fn::f", "cpu")(lambda x, n=2: x + n)
        assert _np(lib.ops.infra_fn.f(lib.ones(1))).tolist() == [3.0]
        lib.library.register_kernel("infra_fn::f", "cpu")(lambda x, n=2: x * n)
        assert _np(lib.ops.infra_fn.f(lib.ones(1), 5)).tolist() == [5.0]
        lib.library.register_fake("infra_fn::f")(lambda x, n=2: lib.empty_like(x))
        lib.library.register_autograd("infra_fn::f", lambda ctx, g: (g * ctx.n, None),
                                      setup_context=lambda ctx, inputs, output: setattr(ctx, "n", inputs[1]))
        x = lib.ones(2, requires_grad=True)
        lib.ops.infra_fn.f(x, 4).sum().backward()
        assert _np(x.grad).tolist() == [4.0, 4.0]
    _raises_same(lambda: ember.library.register_fake("infra_fn::missing")(lambda x: x),
                 lambda: torch.library.register_fake("infra_fn::missing")(lambda x: x), RuntimeError)
    _raises_same(lambda: ember.library.define("infra_fn::g", "Tensor x -> Tensor"),
                 lambda: torch.library.define("infra_fn::g", "Tensor x -> Tensor"), ValueError)
