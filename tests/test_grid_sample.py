"""F.affine_grid and F.grid_sample (2-D and 3-D, every mode and padding) against PyTorch: values,
gradients with respect to input and grid, errors and warnings."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("mode,padding,align", list(itertools.product(
    ["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"], [False, True])))
def test_grid_sample_2d(mode, padding, align):
    fn = lambda t, x, g: F(t).grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=align)  # noqa: E731
    check(fn, [(2, 3, 4, 5), (2, 6, 7, 2)], low=-1.3, high=1.3)
    check(fn, [(1, 2, 3, 4), (1, 5, 3, 2)], low=-3.3, high=3.3, dtype=np.float64)   # far outside: reflections


@pytest.mark.parametrize("mode,padding,align", list(itertools.product(
    ["bilinear", "nearest"], ["zeros", "border", "reflection"], [False, True])))
def test_grid_sample_3d(mode, padding, align):
    check(lambda t, x, g: F(t).grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=align),
          [(2, 2, 3, 4, 5), (2, 2, 3, 4, 3)], low=-1.3, high=1.3, dtype=np.float64)


@pytest.mark.parametrize("align", [False, True])
def test_affine_grid(align):
    check(lambda t, th: F(t).affine_grid(th, (2, 3, 4, 5), align_corners=align), [(2, 2, 3)])
    check(lambda t, th: F(t).affine_grid(th, (2, 3, 4, 5, 6), align_corners=align), [(2, 3, 4)])


def test_spatial_transformer_pipeline():
    """affine_grid then grid_sample, gradients flowing back to theta (the tutorial's localisation net)."""
    def fn(t, x, theta):
        grid = F(t).affine_grid(theta, x.size(), align_corners=False)
        return F(t).grid_sample(x, grid, align_corners=False)
    check(fn, [(3, 1, 6, 6), (3, 2, 3)], low=-1, high=1)
    out = fn(ember, ember.randn(1, 1, 2, 2, requires_grad=True), ember.randn(1, 2, 3))
    assert type(out.grad_fn).__name__ == "GridSampler2DBackward0"


def test_identity_transform_reproduces_input():
    x = ember.randn(2, 3, 5, 4)
    theta = ember.tensor([[[1.0, 0, 0], [0, 1, 0]]]).repeat(2, 1, 1)
    grid = F(ember).affine_grid(theta, x.shape, align_corners=False)
    np.testing.assert_allclose(F(ember).grid_sample(x, grid, align_corners=False).numpy(), x.numpy(), atol=1e-6)


def test_align_corners_default_warns():
    x, g = ember.randn(1, 1, 2, 2), ember.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(ember).grid_sample(x, g)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(ember).affine_grid(ember.randn(1, 2, 3), (1, 1, 2, 2))


def _same_error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as t_err:
            fn(torch)
        with pytest.raises(type(t_err.value)) as e_err:
            fn(ember)
    assert str(e_err.value) == str(t_err.value)


def test_errors_match_torch():
    _same_error(lambda t: F(t).grid_sample(t.randn(2, 3, 4, 5), t.rand(1, 6, 7, 2), align_corners=False))
    _same_error(lambda t: F(t).grid_sample(t.randn(2, 3, 4, 5), t.rand(2, 6, 7, 1), align_corners=False))
    _same_error(lambda t: F(t).grid_sample(t.randn(2, 3, 4, 5), t.rand(2, 6, 7, 2).double()))
    _same_error(lambda t: F(t).grid_sample(t.randn(2, 3, 4, 5), t.rand(2, 6, 7, 2), mode="foo"))
    _same_error(lambda t: F(t).grid_sample(t.randn(2, 3, 4, 5), t.rand(2, 6, 7, 2), padding_mode="foo"))
    _same_error(lambda t: F(t).grid_sample(t.randn(1, 1, 2, 2, 2), t.rand(1, 3, 3, 3, 3), mode="bicubic",
                                           align_corners=True))
    _same_error(lambda t: F(t).affine_grid(t.randn(2, 2, 3), (2, 3, 4), align_corners=False))
    _same_error(lambda t: F(t).affine_grid(t.randn(2, 2, 3), (2, 3, 4, 5, 6), align_corners=False))
    _same_error(lambda t: F(t).affine_grid(t.randn(2, 3, 4), (2, 3, 4, 5), align_corners=False))
    _same_error(lambda t: F(t).affine_grid(t.randn(2, 2, 3).int(), (2, 3, 4, 5), align_corners=False))
    _same_error(lambda t: F(t).affine_grid(t.randn(2, 2, 3), (2, 3, 0, 5), align_corners=False))
