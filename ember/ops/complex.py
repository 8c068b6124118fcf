"""Complex numbers: ``conj conj_physical resolve_conj resolve_neg is_conj is_neg view_as_real view_as_complex
complex polar``, and the ``Tensor.real`` / ``Tensor.imag`` setters.

PyTorch's ``conj`` is lazy (a view with a conjugate bit); Ember conjugates at once,
so ``is_conj()`` and ``is_neg()`` are always False and ``resolve_conj``/``resolve_neg``
return their input. ``view_as_real``/``view_as_complex`` are true views: they share
memory and the version counter with their input, as in PyTorch.

Gradients follow PyTorch's convention (conjugate Wirtinger derivatives): the
gradient of ``conj`` is ``conj(g)``, that of ``complex(re, im)`` is ``(g.real, g.imag)``.
"""
from .. import _dtype as D
from ._util import Op, Tensor, broadcast_error, tensor_method, wrap_out, xp_of
from .shape import _elem_strides, _storage, as_view
from .unary import imag as _imag, real as _real

__all__ = ['conj', 'conj_physical', 'resolve_conj', 'resolve_neg', 'is_conj', 'is_neg', 'view_as_real',
           'view_as_complex', 'complex', 'polar']

_TO_COMPLEX = {D.float32: D.complex64, D.float64: D.complex128}
_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
           "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _legacy(dtype):
    return _LEGACY.get(dtype.name, dtype.name)


# ---------------------------------------------------------------------------------------------- conj
class Conj(Op):
    """The complex conjugate, materialised (PyTorch's is a lazy view; the values are the same)."""
    node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).conj(x)

    @staticmethod
    def backward(ctx, g):
        return g.conj()


class ConjPhysical(Conj):
    node_name = "ConjPhysicalBackward0"


@tensor_method("conj")
def conj(input):
    """The complex conjugate; a real tensor is returned as it is (``torch.conj``)."""
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


@tensor_method("conj_physical")
def conj_physical(input, *, out=None):
    """The complex conjugate, always computed into new memory; a real tensor is returned as it is."""
    if input._data.dtype.kind != "c":
        return wrap_out(input, out) if out is not None else input
    return wrap_out(ConjPhysical.apply(input), out)


@tensor_method("resolve_conj")
def resolve_conj(input):
    """``input`` itself: Ember's ``conj`` is never lazy, so there is no conjugate bit to resolve."""
    return input


@tensor_method("resolve_neg")
def resolve_neg(input):
    """``input`` itself: Ember has no lazy negation bit."""
    return input


@tensor_method("is_conj")
def is_conj(input):
    """False: Ember materialises conjugates (``conj()`` computes the values at once)."""
    return False


@tensor_method("is_neg")
def is_neg(input):
    """False: Ember has no lazy negation bit."""
    return False


# ---------------------------------------------------------------------------------------------- real views
def _real_view(x):
    """A complex array as a real array of shape (..., 2) sharing its memory (real, imaginary parts)."""
    return x[..., None].view(x.real.dtype)


def _complex_view(x):
    """A real array of shape (..., 2) (last dim contiguous) as a complex array of shape (...) sharing memory."""
    return x.view(D._FROM_NP[x.dtype].to_complex().np)[..., 0]


class ViewAsReal(Op):
    node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx, x):
        return _real_view(x)

    @staticmethod
    def backward(ctx, g):
        return complex(g[..., 0], g[..., 1])     # g may be any layout (expanded): no view needed here


class ViewAsComplex(Op):
    node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx, x):
        return _complex_view(x)

    @staticmethod
    def backward(ctx, g):
        return view_as_real(g)


def view_as_real(input):
    """A real view of a complex tensor: shape ``(*input.shape, 2)``, last dim (real, imaginary); shares memory."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors (got "
                           f"{input.dtype}; for a real tensor x, torch.stack([x, torch.zeros_like(x)], -1) is the "
                           "same layout)")
    return as_view(ViewAsReal.apply(input), input, view_as_real)


def view_as_complex(input):
    """A complex view of a real tensor of shape ``(..., 2)`` (real, imaginary in the last dim); shares memory."""
    a = input._data
    if input.dtype not in _TO_COMPLEX:
        if input.dtype is D.float16:
            raise RuntimeError("view_as_complex: ember has no complex32 (torch.chalf); convert the tensor to "
                               "float32 first, e.g. x.float()")
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a tensor "
                           f"of scalar type: {_legacy(input.dtype)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError(f"Tensor must have a last dimension of size 2 (view_as_complex of shape "
                           f"{list(a.shape)}: the last dim holds (real, imaginary))")
    strides = _elem_strides(a)
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1 (call .contiguous() first)")
    if any(st % 2 for st in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension (call "
                           ".contiguous() first)")
    if _storage(a)[1] % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2 (call .contiguous() first)")
    return as_view(ViewAsComplex.apply(input), input, view_as_complex)


# ---------------------------------------------------------------------------------------------- complex, polar
def _broadcast(op, a, b):
    try:
        return xp_of(a).broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(op, a.shape, b.shape) from None


class Complex(Op):
    """``real + i imag`` (broadcasting); the gradient splits back into real and imaginary parts."""
    node_name = "ComplexBackward0"

    @staticmethod
    def forward(ctx, re, im):
        xp = xp_of(re)
        out = xp.empty(_broadcast("complex", re, im), D._FROM_NP[re.dtype].to_complex().np)
        out.real = re               # assigned, not re + 1j * im: inf * 1j would make a nan real part
        out.imag = im
        return out

    @staticmethod
    def backward(ctx, g):
        return g.real, g.imag


class Polar(Op):
    """``abs * (cos(angle) + i sin(angle))``. PyTorch's gradients, which take ``abs >= 0``: for ``abs`` the real
    part of ``conj(g) * sgn(out)`` (so 0 where ``abs == 0``, and the sign flips where ``abs < 0``)."""
    node_name = "PolarBackward0"

    @staticmethod
    def forward(ctx, r, theta):
        xp = xp_of(r)
        _broadcast("polar", r, theta)
        out = Complex.forward(ctx, r * xp.cos(theta), r * xp.sin(theta))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        gc = g.conj()
        return (gc * out.sgn()).real, (gc * out * 1j).real


def _check_parts(op, a, b):
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        bad, pos = ("real", 1) if not isinstance(a, Tensor) else ("imag", 2)
        if op == "polar":
            bad = "abs" if pos == 1 else "angle"
        other = b if not isinstance(a, Tensor) else a
        raise TypeError(f"{op}(): argument '{bad}' (position {pos}) must be Tensor, not {type(other).__name__}")
    ok = (D.float16, D.float32, D.float64)
    if a.dtype not in ok or b.dtype not in ok:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got {_legacy(a.dtype)} "
                           f"and {_legacy(b.dtype)} ({op}: convert them, e.g. with .float())")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_legacy(a.dtype)} but got scalar type "
                           f"{_legacy(b.dtype)} for second argument ({op}: give both the same dtype)")
    if a.dtype is D.float16:
        raise RuntimeError(f"{op}: ember has no complex32 (torch.chalf), the result of two float16 tensors; "
                           "convert them to float32 first")


def complex(real, imag, *, out=None):  # noqa: A001 - PyTorch's name
    """The complex tensor ``real + i imag`` (float32 parts give complex64, float64 complex128)."""
    _check_parts("complex", real, imag)
    return wrap_out(Complex.apply(real, imag), out)


def polar(abs, angle, *, out=None):  # noqa: A002 - PyTorch's names
    """The complex tensor with modulus ``abs`` and argument ``angle``: ``abs * (cos(angle) + i sin(angle))``."""
    _check_parts("polar", abs, angle)
    return wrap_out(Polar.apply(abs, angle), out)


# ---------------------------------------------------------------------------------------------- .real / .imag =
def _set_part(part):
    def setter(self, value):
        view = getattr(self, part)     # a view of this tensor's real or imaginary parts
        if isinstance(value, Tensor):
            view.copy_(value)
        else:
            view.fill_(value)
    return setter


Tensor.real = property(_real, _set_part("real"))
Tensor.imag = property(_imag, _set_part("imag"))

from .pointwise import inplace_methods  # noqa: E402 - after the methods it wraps exist

inplace_methods("conj_physical")
