"""Oracle tests for products and linear algebra: matmul mm mv bmm dot vdot outer addmm addmv baddbmm addbmm
einsum tensordot kron trace cross."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check

F32_64 = [np.float32, np.float64]


def _raises(fn, exc=RuntimeError, prefix=None):
    """Both libraries raise ``exc``; Ember's message starts with PyTorch's (or with ``prefix``)."""
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    p = prefix if prefix is not None else str(te.value)
    assert str(ee.value).startswith(p), f"{ee.value!r} vs torch {te.value!r}"


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((2, 3, 4), (4, 5)),
                 ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)),
                 ((2, 1, 3, 4), (5, 4, 2)), ((1, 3, 4), (2, 4, 5))]


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(dtype, sa, sb):
    check(lambda t, x, y: t.matmul(x, y), [sa, sb], dtype=dtype)
    check(lambda t, x, y: x @ y, [sa, sb], dtype=dtype)


def test_matmul_grad_fn_names():
    def name(t, sa, sb):
        x = t.ones(*sa, requires_grad=True)
        y = t.ones(*sb, requires_grad=True)
        return (x @ y).grad_fn.name()
    for sa, sb in [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                   ((2, 3, 4), (4,))]:
        assert name(ember, sa, sb) == name(torch, sa, sb), (sa, sb)
    x = ember.ones(2, 3, 4, requires_grad=True)
    assert (x @ ember.ones(4, 5)).grad_fn.next_functions[0][0].name() == "MmBackward0"
    assert (x @ x.mT).grad_fn.next_functions[0][0].name() == "BmmBackward0"
    m = ember.ones(3, 3, requires_grad=True)
    assert ember.addmm(ember.ones(3), m, m).grad_fn.name() == "AddmmBackward0"
    assert ember.bmm(x, x.mT).grad_fn.name() == "BmmBackward0"
    assert ember.mv(m, ember.ones(3)).grad_fn.name() == "MvBackward0"
    assert ember.trace(m).grad_fn.name() == "TraceBackward0"
    assert ember.cross(m, m, dim=1).grad_fn.name() == "LinalgCrossBackward0"


def test_matmul_int_and_errors():
    check(lambda t, x, y: x @ y, [(3, 4), (4, 2)], dtype=np.int64)
    _raises(lambda t: t.ones(1, 5) @ t.ones(1, 5), RuntimeError, "mat1 and mat2 shapes cannot be multiplied "
            "(1x5 and 1x5)")
    e = pytest.raises(RuntimeError, lambda: ember.mm(ember.ones(1, 5), ember.ones(1, 5)))
    assert "weights.view(5, 1)" in str(e.value)
    _raises(lambda t: t.ones(2, 3) @ t.ones(3, 4).double(), RuntimeError, "expected m1 and m2 to have the same "
            "dtype, but got: float != double")
    _raises(lambda t: t.ones(3) @ t.ones(4))
    _raises(lambda t: t.tensor(1.0) @ t.ones(3))
    _raises(lambda t: t.ones(2, 3, 4) @ t.ones(5, 6), RuntimeError, "mat1 and mat2 shapes cannot be multiplied "
            "(6x4 and 5x6)")
    _raises(lambda t: t.ones(2, 3, 4) @ t.ones(3, 4, 5), RuntimeError, "The size of tensor a (2) must match the "
            "size of tensor b (3) at non-singleton dimension 0")
    _raises(lambda t: t.mm(t.ones(3), t.ones(3, 2)), RuntimeError, "self must be a matrix")
    _raises(lambda t: t.mv(t.ones(2, 3), t.ones(4)), RuntimeError, "size mismatch, got input (2), mat (2x3), "
            "vec (4)")
    _raises(lambda t: t.mv(t.ones(2, 3), t.ones(2, 3)), RuntimeError, "vector + matrix @ vector expected, got 1, "
            "2, 2")
    _raises(lambda t: t.bmm(t.ones(2, 3), t.ones(2, 3)), RuntimeError, "batch1 must be a 3D tensor")
    _raises(lambda t: t.bmm(t.ones(2, 2, 3), t.ones(3, 2, 2)), RuntimeError, "Expected size for first two "
            "dimensions of batch2 tensor to be: [2, 3] but got: [3, 2].")
    _raises(lambda t: t.dot(t.ones(2, 2), t.ones(2, 2)), RuntimeError, "1D tensors expected, but got 2D and 2D "
            "tensors")
    _raises(lambda t: t.dot(t.ones(3), t.ones(3).double()), RuntimeError, "dot : expected both vectors to have "
            "same dtype, but found Float and Double")
    _raises(lambda t: t.dot(t.ones(3), t.ones(4)))
    _raises(lambda t: t.outer(t.ones(2, 2), t.ones(3)), RuntimeError, "outer: Expected 1-D argument self, but "
            "got 2-D")
    _raises(lambda t: t.trace(t.ones(3)), RuntimeError, "trace: expected a matrix, but got tensor with dim 1")


@pytest.mark.parametrize("dtype", F32_64)
def test_mm_mv_bmm_dot(dtype):
    check(lambda t, x, y: t.mm(x, y), [(3, 4), (4, 2)], dtype=dtype)
    check(lambda t, x, y: x.mv(y), [(3, 4), (4,)], dtype=dtype)
    check(lambda t, x, y: t.bmm(x, y), [(2, 3, 4), (2, 4, 5)], dtype=dtype)
    check(lambda t, x, y: t.dot(x, y), [(4,), (4,)], dtype=dtype)
    check(lambda t, x, y: t.vdot(x, y), [(4,), (4,)], dtype=dtype)
    check(lambda t, x, y: t.outer(x, y), [(3,), (4,)], dtype=dtype)
    check(lambda t, x, y: x.ger(y), [(3,), (4,)], dtype=dtype)
    check(lambda t, x, y: t.inner(x, y), [(2, 4), (3, 4)], dtype=dtype)


@pytest.mark.parametrize("dtype", F32_64)
def test_addmm_family(dtype):
    check(lambda t, c, a, b: t.addmm(c, a, b), [(5,), (3, 4), (4, 5)], dtype=dtype)
    check(lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0), [(3, 5), (3, 4), (4, 5)], dtype=dtype)
    check(lambda t, c, a, b: c.addmm(a, b, beta=0), [(3, 1), (3, 4), (4, 5)], dtype=dtype)
    check(lambda t, c, a, b: t.addmv(c, a, b, alpha=3), [(3,), (3, 4), (4,)], dtype=dtype)
    check(lambda t, c, a, b: t.baddbmm(c, a, b, beta=2, alpha=0.5), [(3, 5), (2, 3, 4), (2, 4, 5)], dtype=dtype)
    check(lambda t, c, a, b: t.addbmm(c, a, b, alpha=-1), [(3, 5), (2, 3, 4), (2, 4, 5)], dtype=dtype)
    _raises(lambda t: t.addmm(t.ones(3), t.ones(2, 3), t.ones(2, 2)), RuntimeError, "mat1 and mat2 shapes "
            "cannot be multiplied (2x3 and 2x2)")


EINSUM_CASES = [("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("ii->i", [(3, 3)]),
                ("ii", [(3, 3)]), ("ij->", [(3, 4)]), ("ij->j", [(3, 4)]), ("ji", [(3, 4)]),
                ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,j->ij", [(3,), (4,)]), ("i,i->", [(3,), (3,)]),
                ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]), ("b...,b->...", [(2, 3, 4), (2,)]),
                ("iij->ij", [(3, 3, 2)]), ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]), ("bhqd,bhkd->bhqk",
                                                                                     [(2, 2, 3, 4), (2, 2, 5, 4)]),
                ("i,jk->ijk", [(2,), (1, 3)]), ("iji->j", [(2, 3, 2)])]


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(dtype, eq, shapes):
    check(lambda t, *xs: t.einsum(eq, *xs), shapes, dtype=dtype)


def test_einsum_list_and_errors():
    check(lambda t, x, y: t.einsum("ij,jk->ik", [x, y]), [(2, 3), (3, 2)])
    _raises(lambda t: t.einsum("ij,jk->ik", t.ones(2, 3), t.ones(2, 3)), RuntimeError, "einsum(): subscript j "
            "has size 2 for operand 1 which does not broadcast with previously seen size 3")
    _raises(lambda t: t.einsum("ij,jk", t.ones(2, 3)), RuntimeError, "einsum(): fewer operands were provided "
            "than specified in the equation")
    _raises(lambda t: t.einsum("i->j", t.ones(2)), RuntimeError, "einsum(): output subscript j does not appear "
            "in the equation for any input operand")
    _raises(lambda t: t.einsum("ii", t.ones(2, 3)), RuntimeError, "einsum(): subscript i is repeated for operand "
            "0 but the sizes don't match, 3 != 2")
    _raises(lambda t: t.einsum("ij,jk", t.ones(2, 3), t.ones(3, 2).double()), RuntimeError,
            "expected scalar type Float but found Double")


@pytest.mark.parametrize("dtype", F32_64)
def test_tensordot_kron_trace_cross(dtype):
    check(lambda t, x, y: t.tensordot(x, y), [(2, 3, 4), (3, 4, 5)], dtype=dtype)
    check(lambda t, x, y: t.tensordot(x, y, 1), [(2, 3, 4), (4, 5)], dtype=dtype)
    check(lambda t, x, y: t.tensordot(x, y, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)], dtype=dtype)
    check(lambda t, x, y: t.tensordot(x, y, 0), [(2,), (3,)], dtype=dtype)
    check(lambda t, x, y: t.kron(x, y), [(2, 3), (3, 2)], dtype=dtype)
    check(lambda t, x, y: t.kron(x, y), [(2,), (3, 2)], dtype=dtype)
    check(lambda t, x: t.trace(x), [(3, 4)], dtype=dtype)
    check(lambda t, x: x.trace(), [(4, 4)], dtype=np.int64, grad=False)
    check(lambda t, x, y: t.cross(x, y, dim=1), [(4, 3), (4, 3)], dtype=dtype)
    check(lambda t, x, y: x.cross(y, dim=0), [(3, 2), (3, 1)], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x, y: t.cross(x, y), [(2, 3), (2, 3)], dtype=dtype)
    _raises(lambda t: t.tensordot(t.ones(2, 3), t.ones(2, 3), 1), RuntimeError, "contracted dimensions need to "
            "match, but first has size 3 in dim -1 and second has size 2 in dim 0")


def test_double_backward():
    rng = np.random.default_rng(5)
    cases = [(lambda t, x, y: ((x @ y) ** 2).sum(), (3, 4), (4, 2)),
             (lambda t, x, y: (t.einsum("bij,bjk->bik", x, y) ** 2).sum(), (2, 3, 4), (2, 4, 2)),
             (lambda t, x, y: (t.addmm(y[0], x, y) ** 2).sum(), (3, 4), (4, 4)),
             (lambda t, x, y: ((x @ y) ** 2).sum(), (2, 3, 4), (4,))]
    for fn, sa, sb in cases:
        a, b = rng.uniform(-1, 1, sa), rng.uniform(-1, 1, sb)
        res = []
        for lib in (ember, torch):
            x, y = lib.tensor(a.copy(), requires_grad=True), lib.tensor(b.copy(), requires_grad=True)
            gx, gy = lib.autograd.grad(fn(lib, x, y), (x, y), create_graph=True)
            res.append([g.detach().numpy() for g in lib.autograd.grad((gx * gx).sum() + (gy ** 3).sum(), (x, y))])
        for e, t in zip(*res):
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", F32_64)
def test_linalg_submodule(dtype):
    check(lambda t, x: t.linalg.vector_norm(x, 3, dim=1), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.linalg.norm(x), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.linalg.matrix_norm(x), [(2, 3, 4)], dtype=dtype)
    well_conditioned = np.eye(3) * 3 + np.random.default_rng(6).uniform(-1, 1, (2, 3, 3))
    tol = dict(rtol=1e-3, atol=1e-4) if dtype == np.float32 else None
    check(lambda t, x: t.linalg.inv(x), [well_conditioned.astype(dtype)], dtype=dtype, tol=tol)
    check(lambda t, x: t.linalg.det(x), [well_conditioned.astype(dtype)], dtype=dtype, tol=tol)
    check(lambda t, x, b: t.linalg.solve(x, b), [well_conditioned[0].astype(dtype), (3, 2)], dtype=dtype, tol=tol)
    check(lambda t, x, y: t.linalg.cross(x, y), [(4, 3), (4, 3)], dtype=dtype)
    check(lambda t, x, y, z: t.linalg.multi_dot([x, y, z]), [(2, 3), (3, 4), (4,)], dtype=dtype)
    x = ember.eye(3, requires_grad=True)
    assert ember.linalg.inv(x).grad_fn.name() == "LinalgInvExBackward0"
    assert ember.linalg.det(x).grad_fn.name() == "LinalgDetBackward0"
