"""svd_lowrank, pca_lowrank and lobpcg against PyTorch under the same seed: values (vectors up to sign, since
LAPACK builds may pick other signs), gradients, iteration counts and errors."""
import numpy as np
import pytest
import torch

import ember


def spd(m, seed, top=50.0):
    """A symmetric positive definite (m, m) matrix with eigenvalues spread over [1, top]."""
    r = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(r.standard_normal((m, m)))
    return (Q * np.linspace(1, top, m)) @ Q.T


def same(e, t, tol=1e-10):
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def same_up_to_sign(e, t, tol=1e-10):
    """Columns (dim -2 holds the vectors) equal up to a sign each."""
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    a, b = e.detach().numpy(), t.detach().numpy()
    signs = np.sign((a * b).sum(-2, keepdims=True))
    np.testing.assert_allclose(a * signs, b, rtol=tol, atol=tol)


def both(fn, *arrays, seed=3, grad=False):
    out = {}
    for lib in (torch, ember):
        lib.manual_seed(seed)
        ins = [lib.tensor(a).requires_grad_(grad) if isinstance(a, np.ndarray) else a for a in arrays]
        out[lib] = (fn(lib, *ins), ins)
    return out[ember], out[torch]


@pytest.mark.parametrize("shape,q", [((20, 12), 4), ((12, 20), 5), ((3, 15, 10), 4)])
def test_svd_lowrank_matches_torch(shape, q):
    A = np.random.default_rng(0).standard_normal(shape)
    (e, _), (t, _) = both(lambda lib, a: lib.svd_lowrank(a, q=q), A)
    same_up_to_sign(e[0], t[0])
    same(e[1], t[1])
    same_up_to_sign(e[2], t[2])


def test_svd_lowrank_with_M_float32_and_niter():
    rng = np.random.default_rng(1)
    A, M = rng.standard_normal((30, 8)), rng.standard_normal((8,))
    (e, _), (t, _) = both(lambda lib, a, m: lib.svd_lowrank(a, q=4, niter=0, M=m), A, M)
    same(e[1], t[1])
    same_up_to_sign(e[0], t[0])
    A32 = rng.standard_normal((25, 9)).astype(np.float32)
    (e, _), (t, _) = both(lambda lib, a: lib.svd_lowrank(a), A32)
    same(e[1], t[1], 1e-4)
    same_up_to_sign(e[2], t[2], 1e-4)


def test_svd_lowrank_recovers_low_rank_matrix():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((40, 3)) @ rng.standard_normal((3, 25))
    ember.manual_seed(0)
    U, S, V = ember.svd_lowrank(ember.tensor(A), q=5)
    np.testing.assert_allclose((U @ S.diag_embed() @ V.mT).numpy(), A, atol=1e-10)


def test_svd_lowrank_gradients():
    A = np.random.default_rng(3).standard_normal((10, 6))

    def f(lib, a):
        U, S, V = lib.svd_lowrank(a, q=3)
        (S.sum() + 0.3 * (U * U).sum() + (V[:, 0] ** 2).sum()).backward()   # sign-independent loss
        return a.grad

    (e, _), (t, _) = both(f, A, grad=True)
    same(e, t)


def test_pca_lowrank():
    A = np.random.default_rng(4).standard_normal((30, 8)) + 5.0
    for kw in (dict(), dict(q=3, center=False), dict(q=8, niter=4)):
        (e, _), (t, _) = both(lambda lib, a: lib.pca_lowrank(a, **kw), A)
        same(e[1], t[1])
        same_up_to_sign(e[0], t[0])
        same_up_to_sign(e[2], t[2])
    for kw in (dict(q=9), dict(q=-1), dict(niter=-1)):
        with pytest.raises(ValueError) as te:
            torch.pca_lowrank(torch.tensor(A), **kw)
        with pytest.raises(ValueError) as ee:
            ember.pca_lowrank(ember.tensor(A), **kw)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("with_B", [False, True])
def test_lobpcg_matches_torch(method, largest, with_B):
    A = spd(30, 1)
    B = spd(30, 2) / 50 + np.eye(30) if with_B else None
    for k in (1, 3):
        steps = {}
        for lib in (torch, ember):
            lib.manual_seed(4)
            steps[lib] = []
            res = lib.lobpcg(lib.tensor(A), k=k, B=None if B is None else lib.tensor(B), method=method,
                             largest=largest, tracker=lambda w, s=steps[lib]: s.append(w.ivars["istep"]))
            steps[lib].append(res)
        e, t = steps[ember].pop(), steps[torch].pop()
        assert steps[ember] == steps[torch]            # the same number of iterations
        same(e[0], t[0], 1e-9)
        same_up_to_sign(e[1], t[1], 1e-8)


def test_lobpcg_float32_batched_X_and_n():
    A32 = spd(40, 3).astype(np.float32)
    (e, _), (t, _) = both(lambda lib, a: lib.lobpcg(a, k=2), A32)
    same(e[0], t[0], 1e-5)
    same_up_to_sign(e[1], t[1], 1e-4)
    Ab = np.stack([spd(30, 5), spd(30, 6)])
    (e, _), (t, _) = both(lambda lib, a: lib.lobpcg(a, k=2), Ab)
    same(e[0], t[0], 1e-9)
    same_up_to_sign(e[1], t[1], 1e-8)
    X0 = np.random.default_rng(7).standard_normal((30, 3))
    (e, _), (t, _) = both(lambda lib, a, x: lib.lobpcg(a, k=2, X=x, largest=False), spd(30, 8), X0)
    same(e[0], t[0], 1e-9)
    (e, _), (t, _) = both(lambda lib, a: lib.lobpcg(a, k=1, n=2, niter=5), spd(30, 9))
    same(e[0], t[0], 1e-9)
    same_up_to_sign(e[1], t[1], 1e-8)
    assert np.allclose(ember.lobpcg(ember.tensor(spd(12, 1)), k=2)[0].numpy(), [50.0, 50 - 49 / 11])


@pytest.mark.parametrize("largest", [True, False])
def test_lobpcg_gradients(largest):
    A = spd(12, 1)
    W = np.random.default_rng(9).standard_normal((12, 3))
    for k in (1, 3):
        def f(lib, a):
            E, U = lib.lobpcg(a, k=k, largest=largest)
            assert type(E.grad_fn).__name__ == "LOBPCGAutogradFunctionBackward"
            loss = (E * lib.arange(1.0, k + 1, dtype=lib.float64)).sum() + (U * U * lib.tensor(W[:, :k])).sum()
            loss.backward()
            return a.grad

        (e, _), (t, _) = both(f, A, seed=4, grad=True)
        same(e, t, 1e-9)


def test_lobpcg_errors():
    A = spd(8, 1)
    for kw in (dict(k=3), dict(X=np.zeros((8, 3))), dict(k=2, B=spd(8, 2)[:4, :4])):
        errs = []
        for lib in (torch, ember):
            args = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
            with pytest.raises((ValueError, AssertionError)) as info:
                lib.lobpcg(lib.tensor(A), **args)
            errs.append(info)
        assert type(errs[0].value) is type(errs[1].value) and str(errs[0].value) == str(errs[1].value)
    B = spd(12, 2)
    for lib in (torch, ember):
        a = lib.tensor(spd(12, 1)).requires_grad_()
        E, _ = lib.lobpcg(a, k=1, B=lib.tensor(B))
        with pytest.raises(ValueError, match="B != I"):
            E.sum().backward()
    with pytest.raises(ValueError, match="method must be"):
        ember.lobpcg(ember.tensor(spd(12, 1)), method="lanczos")
