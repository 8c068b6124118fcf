"""Oracle tests for pointwise math and comparisons: Ember against real PyTorch.

Every op: float32 and float64 forward/gradient, int inputs, in-place and
``out=`` forms; binary ops also with broadcasting and Python-number operands.
"""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import check

F32_64 = [np.float32, np.float64]

# name -> input range (low, high) where the op and its gradient are defined
UNARY = {
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3), "log2": (0.1, 3), "log10": (0.1, 3),
    "log1p": (-0.9, 3), "sqrt": (0.1, 3), "rsqrt": (0.1, 3), "reciprocal": (0.2, 3), "square": (-2, 2),
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9),
    "atan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-2, 2), "asinh": (-3, 3), "acosh": (1.1, 3),
    "atanh": (-0.9, 0.9), "sigmoid": (-4, 4), "logit": (0.05, 0.95), "erf": (-3, 3), "erfc": (-3, 3),
    "erfinv": (-0.95, 0.95), "abs": (-2, 2), "neg": (-2, 2), "frac": (-3, 3), "deg2rad": (-3, 3),
    "rad2deg": (-3, 3), "arcsin": (-0.9, 0.9), "arctanh": (-0.9, 0.9), "absolute": (-2, 2),
}
# piecewise constant: forward compared, gradient zero
STEP = ["floor", "ceil", "round", "trunc", "fix", "sign", "sgn"]
# defined for integer inputs (the float-valued ones promote to float32)
INT_OK = ["exp", "exp2", "expm1", "log1p", "sqrt", "square", "sin", "cos", "atan", "sinh", "tanh", "asinh",
          "sigmoid", "erf", "erfc", "abs", "neg", "floor", "ceil", "round", "trunc", "sign", "reciprocal",
          "deg2rad"]


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype):
    lo, hi = UNARY[name]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else None
    check(lambda t, x: getattr(t, name)(x), [(3, 4)], dtype=dtype, low=lo, high=hi, tol=tol)
    check(lambda t, x: getattr(x, name)(), [()], dtype=dtype, low=lo, high=hi, tol=tol)   # 0-dim, method


@pytest.mark.parametrize("name", STEP)
def test_step_functions(name):
    a = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 1.7, -1.7], dtype=np.float32)
    grad = name != "sgn"    # PyTorch's sgn backward gives a ZeroTensor, which cannot be read as NumPy
    check(lambda t, x: getattr(t, name)(x), [a], grad=grad)
    check(lambda t, x: getattr(t, name)(x), [a.astype(np.float64)], grad=grad)
    x = ember.tensor(a, requires_grad=True)
    getattr(ember, name)(x).sum().backward()
    assert x.grad.tolist() == [0.0] * len(a)


def test_round_decimals():
    a = np.array([1.2345, -2.5551, 1234.5678, 0.125], dtype=np.float64)
    for d in (0, 1, 2, 3, -1, -2):
        check(lambda t, x: t.round(x, decimals=d), [a])
    check(lambda t, x: x.round(decimals=2), [a.astype(np.float32)])


@pytest.mark.parametrize("name", INT_OK)
def test_unary_int_inputs(name):
    check(lambda t, x: getattr(t, name)(x), [(2, 3)], dtype=np.int64, positive=True, grad=False)
    check(lambda t, x: getattr(t, name)(x), [(4,)], dtype=np.uint8, positive=True, grad=False)


@pytest.mark.parametrize("name", ["floor", "frac", "abs", "round", "trunc", "ceil"])
def test_unary_bool_errors(name):
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError, match="not implemented for 'Bool'"):
            getattr(lib, name)(lib.tensor([True, False]))


def test_dtype_errors_of_round_and_float_power_():
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError, match="\"round_cpu\" not implemented for 'Long'"):
            lib.round(lib.tensor([15, 25]), decimals=-1)
        with pytest.raises(RuntimeError, match="the base given to float_power_ has dtype Float but the operation's "
                                               "result requires dtype Double"):
            lib.tensor([1.0, 2.0]).float_power_(2)
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        assert x.float_power_(2).tolist() == [1.0, 4.0]


def test_frac_int_error_and_imag():
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError, match="frac_cpu\" not implemented for 'Long'"):
            lib.frac(lib.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
            lib.imag(lib.tensor([1.0]))


@pytest.mark.parametrize("name", ["exp", "sin", "log1p", "erf", "floor", "reciprocal", "sigmoid", "rsqrt",
                                  "acos", "tanh", "abs", "frac", "trunc", "square"])
def test_unary_inplace_and_out(name):
    lo, hi = UNARY.get(name, (-0.9, 0.9))
    lo, hi = max(lo, -0.9), min(hi, 0.9) if name != "rsqrt" else hi
    if name in ("rsqrt", "reciprocal"):
        lo, hi = 0.2, 2.0
    check(lambda t, x: getattr(x.clone(), name + "_")(), [(3, 4)], low=lo, high=hi)
    check(lambda t, x: getattr(t, name)(x, out=t.empty(3, 4)), [(3, 4)], low=lo, high=hi, grad=False)
    check(lambda t, x: getattr(t, name)(x, out=t.empty(0)), [(2, 2)], low=lo, high=hi, grad=False)  # resized


def test_inplace_version_and_leaf_error():
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.sin_()
        y = x * 1
        z = y.cos()           # saves y
        y.sin_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_erf_family_accuracy_float64():
    x = np.concatenate([np.linspace(-6, 6, 601), [0.0, -0.0, 1e-300, 27.0, -27.0, np.inf, -np.inf, np.nan]])
    for name in ("erf", "erfc"):
        e = getattr(ember, name)(ember.tensor(x)).numpy()
        t = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-300, equal_nan=True)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 801), [0.0, 1e-300, 1 - 1e-16, -1 + 1e-16, 1.0, -1.0,
                                                                 1.5, np.nan]])
    e = ember.erfinv(ember.tensor(y)).numpy()
    t = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-300, equal_nan=True)
    assert ember.erfinv(ember.tensor([0.3], dtype=ember.float32)).dtype is ember.float32


def test_logit_eps_and_nan_to_num():
    check(lambda t, x: t.logit(x, eps=0.2), [np.array([0.05, 0.3, 0.5, 0.9, 0.1])])
    check(lambda t, x: t.logit(x, 1e-6), [np.array([0.05, 0.3, 0.5, 0.9], dtype=np.float64)])
    a = np.array([1.0, np.nan, np.inf, -np.inf, -2.0], dtype=np.float32)
    check(lambda t, x: t.nan_to_num(x), [a])
    check(lambda t, x: x.nan_to_num(nan=1.5, posinf=9.0, neginf=-9.0), [a.astype(np.float64)])
    check(lambda t, x: t.nan_to_num(x), [np.array([1, 2])], grad=False)


def test_angle_real_imag_positive():
    check(lambda t, x: t.angle(x), [np.array([-1.5, 0.0, 2.0, np.nan], dtype=np.float32)])
    check(lambda t, x: t.angle(x), [np.array([-1, 0, 2])], grad=False)
    c = np.array([1 + 2j, -3 - 1j], dtype=np.complex64)
    check(lambda t, x: t.angle(x), [c], grad=False)
    check(lambda t, x: (t.real(x), t.imag(x), x.real, x.imag), [c], grad=False)
    x = ember.tensor([1.0, 2.0])
    assert ember.real(x) is x and ember.positive(x) is x
    z = ember.tensor(c)
    z.real[0] = 7.0                     # a view: writes through
    assert z[0].item() == 7 + 2j


# ---------------- binary ops ----------------
BINARY = {   # name -> (low, high) of both operands
    "atan2": (-2, 2), "hypot": (-2, 2), "maximum": (-2, 2), "minimum": (-2, 2), "fmax": (-2, 2),
    "fmin": (-2, 2), "fmod": (0.3, 3), "remainder": (0.3, 3), "copysign": (-2, 2), "logaddexp": (-3, 3),
    "logaddexp2": (-3, 3), "xlogy": (0.2, 3), "add": (-2, 2), "sub": (-2, 2), "mul": (-2, 2), "div": (0.3, 2),
    "true_divide": (0.3, 2), "pow": (0.3, 2), "float_power": (0.3, 2),
}


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, dtype):
    lo, hi = BINARY[name]
    check(lambda t, x, y: getattr(t, name)(x, y), [(3, 4), (4,)], dtype=dtype, low=lo, high=hi)
    check(lambda t, x, y: getattr(x, name)(y), [(2, 1, 3), (4, 1)], dtype=dtype, low=lo, high=hi)
    check(lambda t, x, y: getattr(t, name)(x, y), [(3,), ()], dtype=dtype, low=lo, high=hi)


@pytest.mark.parametrize("name", ["fmod", "remainder", "copysign", "xlogy", "add", "sub", "mul", "div", "pow",
                                  "float_power"])
def test_binary_python_number(name):
    for v in (2, 1.5, -0.5) if name not in ("xlogy", "pow", "float_power") else (2, 1.5):
        check(lambda t, x: getattr(t, name)(x, v), [(3, 4)], low=0.3, high=2)
        check(lambda t, x: getattr(t, name)(x, v), [(3,)], dtype=np.float64, low=0.3, high=2)


@pytest.mark.parametrize("name", ["remainder", "xlogy", "pow", "float_power", "sub", "div"])
def test_binary_number_first(name):
    # PyTorch has no derivative of remainder(number, tensor): compare values only there
    check(lambda t, y: getattr(t, name)(2.5, y), [(3, 4)], low=0.3, high=2, grad=name != "remainder")


@pytest.mark.parametrize("name", ["atan2", "maximum", "minimum", "fmax", "fmin", "fmod", "remainder", "copysign",
                                  "xlogy", "float_power", "add", "mul", "div", "pow"])
def test_binary_int_inputs(name):
    a = np.array([[3, -7, 4], [5, 0, -2]])
    b = np.array([2, -3, 5])
    if name in ("pow",):
        a, b = np.abs(a), np.abs(b)
    check(lambda t, x, y: getattr(t, name)(x, y), [a, b], grad=False)
    check(lambda t, x, y: getattr(t, name)(x, y), [a.astype(np.int32), b.astype(np.uint8)], grad=False)
    check(lambda t, x, y: getattr(t, name)(x, y), [a, b.astype(np.float32)], grad=False)


def test_maxmin_ties_and_nan():
    a = np.array([1.0, 2.0, np.nan, 3.0, np.nan], dtype=np.float32)
    b = np.array([1.0, 3.0, 1.0, np.nan, np.nan], dtype=np.float32)
    for name in ("maximum", "minimum", "fmax", "fmin"):
        check(lambda t, x, y: getattr(t, name)(x, y), [a, b])
    check(lambda t, x, y: t.maximum(x, y), [np.array([True, False]), np.array([False, False])], grad=False)


def test_typeerrors_for_number_operands():
    for name, args in (("maximum", (1.0,)), ("atan2", (1,)), ("hypot", (2.0,)), ("logaddexp", (1.0,))):
        for lib in (ember, torch):
            with pytest.raises(TypeError, match=f"{name}\\(\\): argument 'other' \\(position 2\\) must be Tensor"):
                getattr(lib, name)(lib.tensor([1.0]), *args)


def test_float_only_errors():
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError, match="\"hypot_cpu\" not implemented for 'Long'"):
            lib.hypot(lib.tensor([1]), lib.tensor([2]))
        with pytest.raises(NotImplementedError, match="logaddexp_cpu"):
            lib.logaddexp(lib.tensor([1]), lib.tensor([2]))


def test_remainder_and_fmod_signs():
    a = np.array([-7, 7, -8, 3, 0, 5])
    for b in (2, -2, 3):
        check(lambda t, x: x % b, [a], grad=False)
        check(lambda t, x: t.fmod(x, b), [a], grad=False)
        check(lambda t, x: t.remainder(x, float(b)), [a], grad=False)
    af = np.array([-7.5, 7.5, -8.0, 3.25, -0.5], dtype=np.float32)
    check(lambda t, x: x % -2, [af])
    check(lambda t, x: 5.5 % x, [af], grad=False)
    check(lambda t, x: t.fmod(x, -2.5), [af])
    check(lambda t, x, y: x % y, [af, np.array([2.0, -2.0, 3.0, -3.0, 1.5], dtype=np.float32)])
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.tensor([1, 2]) % 0
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.fmod(lib.tensor([1, 2]), lib.tensor([1, 0]))
    x = ember.tensor([5.0, -5.0])
    x %= 3
    assert x.tolist() == [2.0, 1.0]


@pytest.mark.parametrize("dtype", F32_64)
def test_lerp(dtype):
    check(lambda t, s, e: t.lerp(s, e, 0.3), [(3, 4), (4,)], dtype=dtype)
    check(lambda t, s, e: s.lerp(e, 0.7), [(3, 4), (3, 4)], dtype=dtype)
    check(lambda t, s, e, w: t.lerp(s, e, w), [(3, 4), (3, 4), (4,)], dtype=dtype)
    check(lambda t, s, e, w: t.lerp(s, e, w), [(2, 3), (3,), ()], dtype=dtype)
    check(lambda t, s, e: s.clone().lerp_(e, 0.25), [(3,), (3,)], dtype=dtype)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
            lib.lerp(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64), 0.5)


@pytest.mark.parametrize("dtype", F32_64)
def test_clamp(dtype):
    a = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, np.nan], dtype=dtype)
    check(lambda t, x: t.clamp(x, -0.5, 1.0), [a])
    check(lambda t, x: t.clamp(x, min=0), [a])
    check(lambda t, x: x.clamp(max=0.25), [a])
    check(lambda t, x: t.clip(x, 0.5, 0.2), [a])            # min > max: everything is max
    check(lambda t, x: t.clamp_min(x, 0.1), [a])
    check(lambda t, x: t.clamp_max(x, 0.1), [a])
    check(lambda t, x, lo, hi: t.clamp(x, lo, hi), [(3, 4), (4,), (3, 1)], dtype=dtype)
    check(lambda t, x, lo: t.clamp(x, min=lo), [(3, 4), (3, 4)], dtype=dtype)
    check(lambda t, x, hi: x.clamp(max=hi), [(3, 4), ()], dtype=dtype)
    check(lambda t, x: x.clone().clamp_(-1, 1), [(5,)], dtype=dtype)
    check(lambda t, x: t.clamp(x, 0, 1, out=t.empty(5, dtype=x.dtype)), [(5,)], dtype=dtype, grad=False)


def test_clamp_dtypes_and_errors():
    i = np.array([1, -2, 3])
    check(lambda t, x: t.clamp(x, 0, 2), [i], grad=False)
    check(lambda t, x: t.clamp(x, min=0.5), [i], grad=False)
    check(lambda t, x: t.clamp(x, t.tensor(0.5)), [i], grad=False)
    check(lambda t, x: t.clamp(x, 0, 1), [np.array([True, False])], grad=False)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
            lib.clamp(lib.tensor([1.0]))
        x = lib.tensor([1.0], requires_grad=True)
        assert type(x.clamp(0, 1).grad_fn).__name__ == "ClampBackward1"
        assert type(x.clamp(lib.tensor(0.0)).grad_fn).__name__ == "ClampBackward0"


def test_copysign_zero_and_int():
    check(lambda t, x, y: t.copysign(x, y), [np.array([0.0, -1.0, 2.0, -0.0], dtype=np.float32),
                                             np.array([-1.0, 2.0, -0.0, 1.0], dtype=np.float32)])
    check(lambda t, x: t.copysign(x, -1), [np.array([1, -2, 3])], grad=False)


def test_xlogy_zero_and_nan():
    check(lambda t, x, y: t.xlogy(x, y), [np.array([0.0, 0.0, 1.0, 2.0], dtype=np.float64),
                                          np.array([0.0, np.nan, 2.0, 0.5], dtype=np.float64)])
    check(lambda t, y: t.xlogy(2, y), [(3,)], positive=True)


def test_float_power_is_double():
    check(lambda t, x: t.float_power(x, 2), [np.array([1, 2, 3])], grad=False)
    check(lambda t, x: t.float_power(x, 0.5), [(3,)], positive=True)
    check(lambda t, x: t.float_power(2, x), [(3,)])


@pytest.mark.parametrize("dtype", F32_64)
def test_addcmul_addcdiv(dtype):
    check(lambda t, a, b, c: t.addcmul(a, b, c, value=0.5), [(3, 4), (4,), (3, 1)], dtype=dtype)
    check(lambda t, a, b, c: a.addcmul(b, c), [(3,), (3,), ()], dtype=dtype)
    check(lambda t, a, b, c: t.addcdiv(a, b, c, value=-2), [(3, 4), (4,), (3, 1)], dtype=dtype, low=0.5, high=2)
    check(lambda t, a, b, c: a.clone().addcdiv_(b, c), [(3,), (3,), (3,)], dtype=dtype, low=0.5, high=2)
    check(lambda t, a, b, c: a.clone().addcmul_(b, c, value=3), [(3,), (3,), (3,)], dtype=dtype)
    i = np.array([1, -2, 3])
    check(lambda t, a, b, c: t.addcmul(a, b, c, value=2), [i, i, i], grad=False)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
            lib.addcdiv(lib.tensor([1]), lib.tensor([1]), lib.tensor([2]))


@pytest.mark.parametrize("name", ["atan2", "hypot", "fmod", "remainder", "copysign", "xlogy", "add", "mul", "div",
                                  "pow", "sub", "float_power"])
def test_binary_inplace_and_out(name):
    dt = np.float64 if name == "float_power" else np.float32
    check(lambda t, x, y: getattr(x.clone(), name + "_")(y), [(3, 4), (4,)], low=0.3, high=2, dtype=dt)
    check(lambda t, x, y: getattr(t, name)(x, y, out=t.empty(3, 4, dtype=x.dtype)), [(3, 4), (4,)], low=0.3,
          high=2, grad=False, dtype=dt)


# ---------------- existing arithmetic: edge cases ----------------
ARITH_CASES = [
    "t.tensor([-7, 7, -8, 3]) // -2", "t.tensor([-7, 7, -8, 3]) // 2.5", "5 // t.tensor([2, -2])",
    "t.div(t.tensor([-7, 7, -8, 3]), 2, rounding_mode='trunc')",
    "t.div(t.tensor([-7, 7, -8, 3], dtype=t.int8), -2, rounding_mode='trunc')",
    "t.div(t.tensor([-7, 7, -8, 3]), t.tensor([-2, 2, 3, -3]), rounding_mode='floor')",
    "t.div(t.tensor([-7., 7., -8., 3.]), 0., rounding_mode='floor')",
    "t.div(t.tensor([-7., 7., 0.]), 0., rounding_mode='trunc')",
    "t.tensor([1, 2]) + 1.5", "t.tensor([250], dtype=t.uint8) + 10", "t.tensor([250], dtype=t.uint8) * 2",
    "t.tensor([3], dtype=t.uint8) - 5", "-t.tensor([250], dtype=t.uint8)", "t.tensor([100], dtype=t.int8) + 100",
    "t.tensor([True, False]) + t.tensor([True, True])", "t.tensor([True, False]) * 3",
    "t.tensor([True, False]) + 1.5", "t.tensor([True, False]) / t.tensor([True, True])",
    "t.tensor([2, 3]) ** 2", "t.tensor([2, 3]) ** 2.5", "2 ** t.tensor([2, 3])", "t.tensor([2, 3]) / 0",
    "t.tensor(5) + t.tensor([1, 2], dtype=t.int8)", "t.tensor(3) / t.tensor(2)", "t.tensor([0., -0.]) ** 0",
    "t.tensor([1, 2]).add(t.tensor([1., 2.]), alpha=2)", "t.tensor([1., 2.]).add(1, alpha=2.5)",
    "t.tensor([True]).add(t.tensor([True]), alpha=2)", "1 - t.tensor([1, 2])",
    "t.tensor([1.5, -1.5]) // 0.5", "t.tensor([1., -1., 0.]) / 0", "t.tensor([2, 3], dtype=t.int32) * 2.5",
]
ARITH_ERRORS = [
    "t.tensor([2, 0]) // 0", "t.tensor([2, 3]) ** -1", "t.tensor([1, 2]).add(1, alpha=2.5)",
    "t.tensor([1, 2]).sub(t.tensor([True]))", "t.tensor([True]) - 1", "t.tensor([True]) - t.tensor([False])",
    "t.tensor([1.]).add(t.tensor([1]), alpha=True)", "-t.tensor([True])",
]


@pytest.mark.parametrize("expr", ARITH_CASES)
def test_arithmetic_edge_cases(expr):
    e, r = eval(expr, {"t": ember}), eval(expr, {"t": torch})
    assert str(e.dtype) == str(r.dtype), expr
    np.testing.assert_allclose(e.numpy(), r.numpy(), rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("expr", ARITH_ERRORS)
def test_arithmetic_errors(expr):
    with pytest.raises(RuntimeError) as r:
        eval(expr, {"t": torch})
    with pytest.raises(RuntimeError) as e:
        eval(expr, {"t": ember})
    assert str(e.value).startswith(str(r.value)[:40]), (str(e.value), str(r.value))


# ---------------- comparisons and logic ----------------
SPECIAL = np.array([1.0, -np.inf, np.inf, np.nan, 0.0, -0.0, -3.5], dtype=np.float32)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "isreal"])
def test_classify(name):
    check(lambda t, x: getattr(t, name)(x), [SPECIAL], grad=False)
    check(lambda t, x: getattr(x, name)(), [SPECIAL.astype(np.float64)], grad=False)
    check(lambda t, x: getattr(t, name)(x), [np.array([1, -2, 0])], grad=False)
    check(lambda t, x: getattr(t, name)(x), [np.array([True, False])], grad=False)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name):
    a = np.array([0.0, 1.0, -2.0, np.nan], dtype=np.float32)
    b = np.array([1, 0, 0, 1])
    check(lambda t, x, y: getattr(t, name)(x, y), [a, b], grad=False)
    check(lambda t, x, y: getattr(x, name)(y), [np.array([[True], [False]]), np.array([True, False])], grad=False)
    check(lambda t, x, y: getattr(t, name)(x, y, out=t.empty(4, dtype=t.float32)), [a, b], grad=False)
    check(lambda t, x, y: getattr(x.clone(), name + "_")(y), [a, b], grad=False)


def test_isclose_allclose_equal():
    a = np.array([1.0, 1.0 + 1e-9, np.nan, np.inf, 2.0], dtype=np.float64)
    b = np.array([1.0, 1.0, np.nan, np.inf, 2.1], dtype=np.float64)
    check(lambda t, x, y: t.isclose(x, y), [a, b], grad=False)
    check(lambda t, x, y: t.isclose(x, y, equal_nan=True), [a, b], grad=False)
    check(lambda t, x, y: x.isclose(y, rtol=0.1, atol=0.0), [a, b], grad=False)
    check(lambda t, x, y: t.isclose(x, y), [np.array([1, 2]), np.array([1, 3])], grad=False)
    for lib in (ember, torch):
        x, y = lib.tensor(a), lib.tensor(b)
        assert lib.allclose(x[:2], y[:2]) is True
        assert lib.allclose(x, y) is False
        assert x.allclose(y, rtol=0.1, equal_nan=True) is True
        assert lib.equal(x[:2], x[:2].clone()) is True
        assert lib.equal(x, x.clone()) is False                 # nan != nan
        assert lib.equal(lib.tensor([1, 2]), lib.tensor([1, 2, 3])) is False
        assert lib.equal(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])) is True
        with pytest.raises(RuntimeError):
            lib.isclose(lib.tensor([1.0]), lib.tensor([1], dtype=lib.float64))


def test_comparisons_with_numbers_and_broadcast():
    check(lambda t, x, y: (x < y, x >= y, x == y, x != y, t.gt(x, 0.5), t.le(x, y)), [(3, 4), (4,)], grad=False)
    check(lambda t, x: (x > 1, 1 < x, x == 2, x.ne(2.5), x.eq(t.tensor(2))), [np.array([1, 2, 3])], grad=False)


# ---------------- gradient checks in float64 ----------------
GRADCHECK_UNARY = sorted(set(UNARY) - {"abs", "absolute"})


@pytest.mark.parametrize("name", GRADCHECK_UNARY)
def test_gradcheck_unary(name):
    lo, hi = UNARY[name]
    x = ember.tensor(np.random.default_rng(1).uniform(lo, hi, size=(2, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(getattr(ember, name), (x,))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_gradcheck_binary(name):
    lo, hi = BINARY[name]
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.uniform(lo, hi, size=(2, 3)), requires_grad=True)
    y = ember.tensor(rng.uniform(lo, hi, size=(3,)), requires_grad=True)
    if name in ("fmod", "remainder"):   # keep away from the jumps of the quotient
        x = ember.tensor([[2.3, 0.7, 1.1], [1.9, 2.6, 0.4]], dtype=ember.float64, requires_grad=True)
        y = ember.tensor([1.0, 0.5, 0.9], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(getattr(ember, name), (x, y))


def test_gradcheck_ternary_and_clamp():
    rng = np.random.default_rng(3)
    a, b, c = (ember.tensor(rng.uniform(0.5, 2, size=s), requires_grad=True) for s in ((2, 3), (3,), (2, 1)))
    assert ember.autograd.gradcheck(lambda x, y, z: ember.addcmul(x, y, z, value=0.7), (a, b, c))
    assert ember.autograd.gradcheck(lambda x, y, z: ember.addcdiv(x, y, z, value=-1.5), (a, b, c))
    assert ember.autograd.gradcheck(lambda x, y, z: ember.lerp(x, y, z), (a, b, c))
    assert ember.autograd.gradcheck(lambda x, y: ember.lerp(x, y, 0.3), (a, b))
    x = ember.tensor([-1.3, 0.2, 0.6, 1.7], dtype=ember.float64, requires_grad=True)
    lo = ember.tensor([-1.0, 0.5, -1.0, 0.0], dtype=ember.float64, requires_grad=True)
    hi = ember.tensor([1.0, 1.0, 0.3, 1.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda v: v.clamp(-1, 1), (x,))
    assert ember.autograd.gradcheck(lambda v, p, q: v.clamp(p, q), (x, lo, hi))


GRADGRAD = ["exp", "log", "sin", "tan", "asin", "atanh", "sigmoid", "erf", "erfinv", "rsqrt", "logit", "sqrt",
            "expm1", "reciprocal"]


@pytest.mark.parametrize("name", GRADGRAD)
def test_gradgradcheck_unary(name):
    lo, hi = UNARY[name]
    x = ember.tensor(np.random.default_rng(4).uniform(lo, hi, size=(3,)), requires_grad=True)
    assert ember.autograd.gradgradcheck(getattr(ember, name), (x,))


@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "xlogy", "maximum", "div", "pow", "copysign"])
def test_gradgradcheck_binary(name):
    rng = np.random.default_rng(5)
    x = ember.tensor(rng.uniform(0.5, 2, size=(2, 3)), requires_grad=True)
    y = ember.tensor(rng.uniform(0.5, 2, size=(3,)), requires_grad=True)
    assert ember.autograd.gradgradcheck(getattr(ember, name), (x, y))


def test_grad_fn_names():
    for lib in (ember, torch):
        x = lib.tensor([0.5, 0.25], requires_grad=True)
        names = [type(f).__name__ for f in (x.sin().grad_fn, x.exp2().grad_fn, x.erfinv().grad_fn,
                                            lib.maximum(x, x).grad_fn, (x % 2).grad_fn, x.lerp(x, 0.5).grad_fn,
                                            x.lerp(x, x).grad_fn, x.square().grad_fn, x.addcmul(x, x).grad_fn)]
        assert names == ["SinBackward0", "Exp2Backward0", "ErfinvBackward0", "MaximumBackward0",
                         "RemainderBackward0", "LerpBackward0", "LerpBackward1", "PowBackward0",
                         "AddcmulBackward0"], names


def test_no_numpy_warnings():
    """inf/nan come silently, as in PyTorch. The filters are installed when ember is imported, so this runs in a
    fresh interpreter (pytest imports the test modules inside a warnings context that it discards)."""
    import subprocess
    import sys
    code = """
import warnings
import numpy as np
import ember
x = ember.tensor([0.0, -1.0, 2.0, 1000.0])
(x.log(), x / 0, x.sqrt(), x.rsqrt(), x.reciprocal(), ember.atanh(x), x.log1p(), ember.logit(x), x.acos(),
 ember.xlogy(x, x), ember.fmod(x, 0.0), x.erfinv(), x.exp(), x * 1e38, x.cosh(), x ** 200,
 ember.isclose(x / 0, x / 0), x.clamp(0, 1) / 0, x // 0, ember.remainder(x, 0.0))
with warnings.catch_warnings(record=True) as caught:     # NumPy's own warnings are left alone
    warnings.simplefilter("always")
    np.log(np.zeros(1))
assert len(caught) == 1, caught
"""
    r = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert math.isnan(ember.tensor(-1.0).sqrt().item())
