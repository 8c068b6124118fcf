"""``ember.autograd.gradcheck``/``gradgradcheck`` behave as PyTorch's: pass, fail, messages, options."""
import warnings

import pytest
import torch

import ember


def _bad_square(lib):
    """x*x with a wrong backward (g*x instead of 2*g*x): gradcheck must catch it."""
    class BadSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x
    return BadSquare


def _opaque_cube(lib):
    """x**3 whose backward is right but not differentiable (computed outside autograd): gradgradcheck fails."""
    class OpaqueCube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * (3 * x.detach() ** 2 + x.detach() * 0)
    return OpaqueCube


@pytest.mark.parametrize("lib", [ember, torch])
def test_passes_on_correct_gradients(lib):
    x = lib.tensor([[0.3, -1.2, 0.7], [0.5, 2.0, -0.1]], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([0.7, 1.5, -0.4], dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(lambda a, b: (a * b).sin() + a.exp() / (1 + b * b), (x, y)) is True
    assert lib.autograd.gradcheck(lambda a, b: (a * b).sin(), (x, y), fast_mode=True) is True
    assert lib.autograd.gradgradcheck(lambda a, b: (a * b).sin() * a, (x, y)) is True
    # several outputs, non-tensor arguments, inputs that do not require grad
    z = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
    assert lib.autograd.gradcheck(lambda a, k, c: (a * k + c, (a * c).sum()), (x, 2.5, z)) is True


@pytest.mark.parametrize("lib", [ember, torch])
def test_detects_wrong_backward(lib):
    x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
    bad = _bad_square(lib)
    with pytest.raises(RuntimeError) as info:
        lib.autograd.gradcheck(bad.apply, (x,))
    assert type(info.value).__name__ == "GradcheckError"
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor(")
    assert "\nanalytical:tensor(" in msg
    assert lib.autograd.gradcheck(bad.apply, (x,), raise_exception=False) is False
    assert lib.autograd.gradcheck(bad.apply, (x,), raise_exception=False, fast_mode=True) is False


def test_message_has_the_jacobians():
    x = ember.tensor([0.5, -1.5], dtype=ember.float64, requires_grad=True)
    with pytest.raises(ember.autograd.GradcheckError) as info:
        ember.autograd.gradcheck(_bad_square(ember).apply, (x,))
    numerical = info.value.args[0].split("numerical:")[1].split("analytical:")[0]
    analytical = info.value.args[0].split("analytical:")[1]
    assert "1." in numerical and "-3." in numerical          # 2x on the diagonal
    assert "0.5" in analytical and "-1.5" in analytical      # the wrong x


@pytest.mark.parametrize("lib", [ember, torch])
def test_gradgradcheck_detects_non_differentiable_backward(lib):
    x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
    cube = _opaque_cube(lib)
    assert lib.autograd.gradcheck(cube.apply, (x,)) is True
    assert lib.autograd.gradgradcheck(cube.apply, (x,), raise_exception=False) is False


@pytest.mark.parametrize("lib", [ember, torch])
def test_input_checks(lib):
    x = lib.tensor([0.5, 1.0], dtype=lib.float64)
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require gradient"):
        lib.autograd.gradcheck(lambda a: a * 2, (x,))
    xf = lib.tensor([0.5, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lib.autograd.gradcheck(lambda a: a * 2, (xf,), eps=1e-3, atol=1e-2)
    assert any("Input #0 requires gradient and is not a double precision floating point" in str(m.message)
               for m in w)


def test_single_tensor_input_and_function_identity():
    x = ember.tensor([0.2, 0.4], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(ember.tanh, x)            # a bare Tensor, not a tuple
    from ember.autograd.gradcheck import GradcheckError       # importing the module keeps the function
    assert issubclass(GradcheckError, RuntimeError)
    assert callable(ember.autograd.gradcheck) and ember.autograd.gradcheck(ember.sin, (x,))
    assert ember.autograd.gradgradcheck(ember.sin, (x,), (ember.tensor([1.0, -1.0], dtype=ember.float64),))


def test_tolerances_are_used():
    x = ember.tensor([0.5, -1.5], dtype=ember.float64, requires_grad=True)
    bad = _bad_square(ember)
    # analytical x vs numerical 2x: |diff| = |x| <= atol passes
    assert ember.autograd.gradcheck(bad.apply, (x,), atol=2.0)
    assert not ember.autograd.gradcheck(bad.apply, (x,), atol=1.0, rtol=0.0, raise_exception=False)


def test_unsupported_modes_say_so():
    x = ember.tensor([0.5], dtype=ember.float64, requires_grad=True)
    with pytest.raises(ValueError, match="forward-mode AD"):
        ember.autograd.gradcheck(ember.sin, (x,), check_forward_ad=True)
