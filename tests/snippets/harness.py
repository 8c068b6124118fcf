"""Run a study-note snippet under real PyTorch and under Ember and compare everything a learner sees.

A snippet is source text. It runs in a fresh namespace with ``torch`` bound to the library
(``nn``, ``F``, ``optim`` and ``np`` too); ``import torch...``/``from torch... import`` and
``torchvision`` inside the snippet resolve to the same library. The source may be cut into
parts by ``# --sync--`` lines: after each part, every ``nn.Module`` variable of the PyTorch run
has its parameters and buffers copied into the Ember module of the same name (so outputs compare
even if initialisation ever drifts). Both runs start from ``manual_seed(0)`` and ``np.random.seed(0)``.

Compared: stdout (object addresses ``0x...`` normalised), the exception (type, and Ember's message
starts with PyTorch's), and the final variables (tensors: dtype, shape, values, requires_grad,
grad; modules: state_dict keys and values; NumPy arrays and Python values).
"""
import builtins
import contextlib
import importlib
import io
import re
import types
import warnings

import numpy as np
import torch

import ember
from ember.compat import ember_name

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def _importer(lib):
    real_import = builtins.__import__
    if lib is torch:
        return real_import

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        mapped = ember_name(name) if level == 0 else None
        if mapped is None:
            return real_import(name, globals, locals, fromlist, level)
        module = importlib.import_module(mapped)
        if fromlist:
            return module
        return importlib.import_module(ember_name(name.split(".")[0]))
    return _import


def fresh_namespace(lib):
    b = dict(vars(builtins))
    b["__import__"] = _importer(lib)
    return {"__builtins__": b, "__name__": "__main__", "torch": lib, "nn": lib.nn, "F": lib.nn.functional,
            "optim": lib.optim, "np": np}


class Run:
    def __init__(self, lib):
        self.lib = lib
        self.ns = fresh_namespace(lib)
        self.out = io.StringIO()
        self.exc = None
        self.warnings = []

    def run_part(self, src, name):
        if self.exc is not None:
            return
        code = compile(src, f"<{name}:{self.lib.__name__}>", "exec")
        with contextlib.redirect_stdout(self.out), warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                exec(code, self.ns)
            except Exception as e:  # noqa: BLE001 - the learner's error is part of what we compare
                self.exc = e
        self.warnings += [(x.category.__name__, str(x.message)) for x in w]

    @property
    def stdout(self):
        return _ADDR.sub("0x?", self.out.getvalue())


def _sync(t_ns, e_ns):
    for name, tm in t_ns.items():
        em = e_ns.get(name)
        if isinstance(tm, torch.nn.Module) and isinstance(em, ember.nn.Module):
            sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
            em.load_state_dict(sd)


def run_both(src, name="snippet", tmp_path=None):
    """Run ``src`` under torch and ember; return the two ``Run`` objects."""
    parts = re.split(r"^\s*# --sync--.*$", src, flags=re.M)
    t, e = Run(torch), Run(ember)
    with contextlib.ExitStack() as stack:
        if tmp_path is not None:
            stack.enter_context(contextlib.chdir(tmp_path))
        for lib in (torch, ember):
            lib.manual_seed(0)
        np_state = {}
        for i, part in enumerate(parts):
            for r in (t, e):
                # identical NumPy stream for both runs
                if i == 0:
                    np.random.seed(0)
                else:
                    np.random.set_state(np_state[i])
                r.run_part(part, name)
                np_state[i + 1] = np.random.get_state()
            if i + 1 < len(parts) and t.exc is None and e.exc is None:
                _sync(t.ns, e.ns)
    torch.set_grad_enabled(True)
    ember.set_grad_enabled(True)
    return t, e


# ---------------------------------------------------------------- comparison of final variables

def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x.detach().cpu().numpy())


def assert_same_value(e, t, what, tol=None, values=True):
    tol = tol or {}
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e).__name__}"
        assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs torch {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs torch {tuple(t.shape)}"
        assert e.requires_grad == t.requires_grad, f"{what}: requires_grad {e.requires_grad} vs {t.requires_grad}"
        assert e.is_leaf == t.is_leaf, f"{what}: is_leaf {e.is_leaf} vs {t.is_leaf}"
        if not values:
            return
        a, b = _np(e), _np(t)
        if b.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=tol.get("rtol", 1e-5), atol=tol.get("atol", 1e-6),
                                       equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(a, b, err_msg=what)
        if t.is_leaf and t.requires_grad:
            assert (e.grad is None) == (t.grad is None), f"{what}.grad: {e.grad} vs {t.grad}"
            if t.grad is not None:
                assert_same_value(e.grad, t.grad, what + ".grad", tol)
        return
    if isinstance(t, torch.nn.Module):
        assert isinstance(e, ember.nn.Module), f"{what}: expected a Module, got {type(e).__name__}"
        assert type(e).__name__ == type(t).__name__
        assert e.training == t.training, f"{what}.training"
        ts, es = t.state_dict(), e.state_dict()
        assert list(es.keys()) == list(ts.keys()), f"{what}: state_dict keys {list(es)} vs {list(ts)}"
        for k in ts:
            assert_same_value(es[k], ts[k], f"{what}.{k}", tol, values)
        for (k, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
            assert (ep.grad is None) == (tp.grad is None), f"{what}.{k}.grad: None-ness differs"
            if values and tp.grad is not None:
                assert_same_value(ep.grad, tp.grad, f"{what}.{k}.grad", tol)
        return
    if isinstance(t, torch.Size):
        assert isinstance(e, ember.Size) and tuple(e) == tuple(t), f"{what}: {e!r} vs {t!r}"
        return
    if isinstance(t, torch.dtype):
        assert str(e) == str(t), f"{what}: {e} vs {t}"
        return
    if isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray) and e.dtype == t.dtype and e.shape == t.shape, f"{what}: {e!r} vs {t!r}"
        if values:
            np.testing.assert_allclose(e, t, rtol=1e-6, err_msg=what)
        return
    if isinstance(t, (list, tuple)):
        assert type(e).__name__ == type(t).__name__ and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same_value(a, b, f"{what}[{i}]", tol, values)
        return
    if isinstance(t, dict):
        assert list(e.keys()) == list(t.keys()), f"{what}: keys {list(e)} vs {list(t)}"
        for k in t:
            assert_same_value(e[k], t[k], f"{what}[{k!r}]", tol, values)
        return
    if isinstance(t, (bool, int, float, str, type(None))):
        assert type(e) is type(t), f"{what}: {type(e).__name__} vs torch {type(t).__name__}"
        if values:
            assert e == t or (isinstance(t, float) and np.isclose(e, t, rtol=tol.get("rtol", 1e-5))), \
                f"{what}: {e!r} vs {t!r}"
        return
    # functions, classes, modules, optimizers, loaders...: not compared by value


_NUM = re.compile(r"-?(?:\d+\.\d*|\.\d+)(?:e[+-]?\d+)?|-?\d+e[+-]?\d+")


def _printed_close(e_out, t_out):
    """Same text, and every printed float within one unit of its last printed digit (plus 1e-5 relative).

    For values that went through matrix products or long reductions: float32 results that differ
    in the last bits (BLAS or summation order) may round to a neighbouring printed digit.
    """
    e_parts, t_parts = _NUM.split(e_out), _NUM.split(t_out)
    e_nums, t_nums = _NUM.findall(e_out), _NUM.findall(t_out)
    if e_parts != t_parts or len(e_nums) != len(t_nums):
        return False
    for a, b in zip(e_nums, t_nums):
        mant, _, exp = b.lower().partition("e")
        decimals = len(mant.partition(".")[2])
        unit = 10.0 ** (-decimals) * 10.0 ** int(exp or 0)
        if abs(float(a) - float(b)) > 1.01 * unit + 1e-5 * abs(float(b)):
            return False
    return True


def compare(t, e, skip=(), no_values=(), msg_first_line=False, tol=None, warn=False, fuzzy=False):
    """Assert that the Ember run ``e`` saw what the PyTorch run ``t`` saw (``fuzzy``: see ``_printed_close``)."""
    if not (fuzzy and _printed_close(e.stdout, t.stdout)):
        assert e.stdout == t.stdout, f"stdout differs\n--- torch ---\n{t.stdout}\n--- ember ---\n{e.stdout}"
    if t.exc is None:
        assert e.exc is None, f"ember raised {type(e.exc).__name__}: {e.exc}"
    else:
        assert e.exc is not None, f"torch raised {type(t.exc).__name__}: {t.exc}; ember did not"
        assert type(e.exc).__name__ == type(t.exc).__name__ or isinstance(e.exc, type(t.exc)), \
            f"exception type {type(e.exc).__name__}: {e.exc} vs torch {type(t.exc).__name__}: {t.exc}"
        tm, em = str(t.exc), str(e.exc)
        if msg_first_line:
            tm = tm.splitlines()[0]
        assert em.startswith(tm), f"message differs\n--- torch ---\n{tm}\n--- ember ---\n{em}"
    if warn:
        assert [w[0] for w in e.warnings] == [w[0] for w in t.warnings], f"{e.warnings} vs {t.warnings}"
        for (_, em), (_, tm) in zip(e.warnings, t.warnings):
            assert em.startswith(tm[:60]), f"warning {em!r} vs torch {tm!r}"
    for name, tv in t.ns.items():
        if name.startswith("_") or name in skip or isinstance(tv, types.ModuleType):
            continue
        assert name in e.ns, f"variable {name} missing in the ember run"
        assert_same_value(e.ns[name], tv, name, tol, values=name not in no_values)
