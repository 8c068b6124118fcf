"""``torch.return_types``: the named tuples that ``max(dim)``, ``sort``, ``topk``... return.

Each type is a ``tuple`` subclass (so ``values, indices = t.max(1)`` and
``t.max(1)[1]`` work) with named fields, printed as PyTorch prints them::

    torch.return_types.max(
    values=tensor([3., 4.]),
    indices=tensor([1, 0]))
"""
import operator

__all__ = []


class _StructSeq(tuple):
    """Base of the return types: a tuple with named fields and PyTorch's repr."""
    __slots__ = ()
    _fields = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return super().__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _make(name, fields):
    ns = {"__slots__": (), "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields),
          "__module__": __name__, "__qualname__": name}
    for i, f in enumerate(fields):
        ns[f] = property(operator.itemgetter(i), doc=f"Field {i} ({f}).")
    cls = type(name, (_StructSeq,), ns)
    globals()[name] = cls
    __all__.append(name)
    return cls


for _n in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
    _make(_n, ("values", "indices"))
_make("aminmax", ("min", "max"))
_make("slogdet", ("sign", "logabsdet"))
_make("linalg_slogdet", ("sign", "logabsdet"))
_make("qr", ("Q", "R"))
_make("linalg_qr", ("Q", "R"))
_make("linalg_eigh", ("eigenvalues", "eigenvectors"))
_make("linalg_svd", ("U", "S", "Vh"))
_make("svd", ("U", "S", "V"))
_make("linalg_inv_ex", ("inverse", "info"))
_make("linalg_cholesky_ex", ("L", "info"))
_make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
for _n in ("linalg_lu", "lu_unpack"):
    _make(_n, ("P", "L", "U"))
_make("linalg_lu_factor", ("LU", "pivots"))
for _n in ("linalg_lu_factor_ex", "_lu_with_info"):
    _make(_n, ("LU", "pivots", "info"))
_make("linalg_solve_ex", ("result", "info"))
_make("triangular_solve", ("solution", "cloned_coefficient"))
_make("linalg_eig", ("eigenvalues", "eigenvectors"))
_make("geqrf", ("a", "tau"))
_make("linalg_ldl_factor", ("LD", "pivots"))
_make("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
_make("histogramdd", ("hist", "bin_edges"))
del _n
