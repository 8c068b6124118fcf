"""Layouts: ``torch.layout`` and its instances ``torch.strided``, ``torch.sparse_coo`` ...

A layout says how a tensor's elements are stored: ``strided`` (dense, one value
per element at ``offset + sum(index * stride)``) or one of the sparse formats.
Every Ember tensor is strided (``Tensor.layout`` is ``strided``); the sparse
layouts exist as names, so code that compares or passes them runs, but no
Ember tensor has them.
"""

__all__ = ["layout", "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "jagged"]


class layout:  # noqa: N801 - PyTorch's name
    """The type of ``torch.strided``, ``torch.sparse_coo`` ... (fixed instances; it cannot be instantiated).
    Instances compare by identity, as PyTorch's do."""
    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.layout' instances")

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):       # pickle and deepcopy give back the same instance (found by name in this module)
        return self._name


def _make(name):
    lay = object.__new__(layout)
    lay._name = name
    return lay


strided = _make("strided")
sparse_coo = _make("sparse_coo")
sparse_csr = _make("sparse_csr")
sparse_csc = _make("sparse_csc")
sparse_bsr = _make("sparse_bsr")
sparse_bsc = _make("sparse_bsc")
jagged = _make("jagged")
