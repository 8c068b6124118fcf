"""Tensor printing, character for character as PyTorch 2.x prints (``repr``/``str`` of a Tensor).

The rules (PyTorch's ``torch/_tensor_str.py``, re-implemented on NumPy):

* one width for all elements, from the values that are printed (the edge items
  when summarised); floats use ``precision`` digits, whole-valued floats print
  as ``1.``, and scientific notation is used when the largest/smallest nonzero
  finite magnitude ratio exceeds 1000, the largest exceeds 1e8 or the smallest
  is below 1e-4 (unless ``sci_mode`` forces it);
* more than ``threshold`` elements are summarised with ``edgeitems`` items at
  each end and ``...``; rows wrap at ``linewidth`` characters;
* suffixes: ``device=``, ``dtype=`` (when not the default for its kind),
  ``size=`` for empty tensors, ``grad_fn=<...>`` or ``requires_grad=True``.
"""
import contextlib
import math

import numpy as np

from . import _dtype as D


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set print options (``profile`` is 'default', 'short' or 'full'); ``sci_mode=None`` is automatic."""
    if profile is not None:
        presets = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}
        if profile not in presets:
            raise ValueError(f"set_printoptions: profile must be 'default', 'short' or 'full', got {profile!r}")
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = presets[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options, as keyword arguments for ``set_printoptions``."""
    return {k: getattr(PRINT_OPTS, k) for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (``with printoptions(precision=2): ...``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One width and one notation for every element of a tensor (from the values that are printed)."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        vals = flat.astype(np.float64)
        vals = vals[np.isfinite(vals) & (vals != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals)
        vmin, vmax = mags.min(), mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        pylist = vals.tolist()
        if self.sci_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.{p}e}") for v in pylist))
        elif self.int_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.0f}") + 1 for v in pylist))
        else:
            self.max_width = max(self.max_width, max(len(f"{v:.{p}f}") for v in pylist))

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val, f1, f2):
    real = f1.format(val.real)
    imag = (f2.format(val.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _scalar_str(a, f1, f2):
    v = a.item()
    return _complex_str(v, f1, f2) if f2 is not None else f1.format(v)


def _vector_str(a, indent, summarize, f1, f2):
    element_length = f1.width() + 2
    if f2 is not None:
        element_length += f2.width() + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def fmt(vals):
        if f2 is not None:
            return [_complex_str(v, f1, f2) for v in vals]
        return [f1.format(v) for v in vals]

    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = fmt(a[:e].tolist()) + [" ..."] + fmt(a[-e:].tolist())
    else:
        data = fmt(a.tolist())
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a, indent, summarize, f1, f2=None):
    dim = a.ndim
    if dim == 0:
        return _scalar_str(a, f1, f2)
    if dim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        rows = list(range(e)) + [None] + list(range(a.shape[0] - e, a.shape[0]))
    else:
        rows = range(a.shape[0])
    slices = ["..." if i is None else _tensor_str_with_formatter(a[i], indent + 1, summarize, f1, f2)
              for i in rows]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a):
    """The elements that a summarised print shows (edge items along every dimension)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    rows = list(range(e)) + list(range(a.shape[0] - e, a.shape[0])) if a.shape[0] > 2 * e else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _tensor_str(a, dtype, indent):
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    src = _summarized(a) if summarize else a
    if dtype.is_complex:
        f1 = _Formatter(src.real, True)
        f2 = _Formatter(src.imag, True)
        return _tensor_str_with_formatter(a, indent, summarize, f1, f2)
    floating = dtype.is_floating_point
    if floating and a.dtype != np.float64:
        a = a.astype(np.float64)       # exact: the printed digits come from the double value, as in PyTorch
        src = src.astype(np.float64)
    return _tensor_str_with_formatter(a, indent, summarize, _Formatter(src, floating))


def _add_suffixes(tensor_str, suffixes, indent):
    out = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def format_tensor(t, tensor_contents=None):
    """``repr(t)`` as PyTorch prints it."""
    from ._tensor import Tensor
    plain = type(t) is Tensor or t._is_param
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    data = t._data
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
        data = data.get()
    data = np.asarray(data)
    dtype = t.dtype
    default = D.get_default_dtype()
    has_default_dtype = dtype in (default, D.default_complex(), D.int64, D.bool_)
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype is not default:
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = _tensor_str(data, dtype, indent)
    if tensor_contents is not None:
        tensor_str = tensor_contents
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    s = _add_suffixes(prefix + tensor_str, suffixes, indent)
    if t._is_param:
        s = "Parameter containing:\n" + s
    return s
