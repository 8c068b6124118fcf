"""``nn.utils.prune``: zero out parts of a parameter with a mask that is reapplied before every forward.

Pruning ``module.weight`` moves the Parameter to ``weight_orig``, stores a buffer ``weight_mask``
(1 = kept, 0 = pruned) and sets ``module.weight = weight_orig * weight_mask`` in a forward pre-hook, so
gradients reach only the kept entries. Pruning the same tensor again composes the masks (a
``PruningContainer``): unstructured methods act on the entries still kept, structured ones on the
channels not yet fully pruned. ``remove`` makes the pruning permanent.

``amount`` is a count (int) or a fraction (float in [0, 1], rounded with Python's ``round``). The
magnitude-based methods pick exactly the entries PyTorch (CPU) picks, equal magnitudes included: see
``_topk_indices``. The random methods draw from the same generator as PyTorch's.
"""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import numpy as np

from ... import _backend
from ..._tensor import Tensor
from ...ops._util import xp_of
from ...ops.creation import ones_like, zeros_like
from ...ops.random import rand, rand_like
from ...ops.sort import kthvalue
from .convert_parameters import parameters_to_vector

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured", "l1_unstructured",
           "random_structured", "ln_structured", "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


# ---------------------------------------------------------------- which entries torch.topk picks among equal values
# PyTorch's CPU topk (aten TopKImpl.h) runs std::partial_sort when k * 64 <= n, else std::nth_element, on
# (value, index) pairs compared by value only (NaN counts as the largest). Which of several equal values end up
# among the k depends on those algorithms, so they are reproduced here (libstdc++'s introselect and heap
# select) on integer ranks. When no equal values straddle the cut, the set is simply "the k best".

def _ranks(x, largest):
    """Dense ranks of the 1-D float64 array ``x``: 0 is the entry topk prefers, equal values share a rank."""
    xp = xp_of(x)
    nan = xp.isnan(x)
    finite_values, inv = xp.unique(x[~nan], return_inverse=True)    # ascending
    r = xp.empty(x.shape[0], dtype=xp.int64)
    m = finite_values.shape[0]
    if largest:     # NaN first, then descending
        r[~nan] = m - inv.reshape(-1)
        r[nan] = 0
    else:           # ascending, NaN last
        r[~nan] = inv.reshape(-1)
        r[nan] = m
    return r


def _adjust_heap(a, hole, length, value):
    """libstdc++ ``__adjust_heap`` then ``__push_heap`` on list ``a`` of (rank, index), "less" = better rank."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if a[child][0] < a[child - 1][0]:
            child -= 1
        a[hole] = a[child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[hole] = a[child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and a[parent][0] < value[0]:
        a[hole] = a[parent]
        hole = parent
        parent = (hole - 1) // 2
    a[hole] = value


def _heap_select(r, idx, first, middle, last):
    """libstdc++ ``__heap_select``: afterwards ``[first, middle)`` holds the entries std::partial_sort keeps."""
    heap = list(zip(r[first:middle].tolist(), idx[first:middle].tolist()))
    length = middle - first
    if length > 1:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(heap, parent, length, heap[parent])
    # An entry enters only if better than the heap's top (its worst), which only gets better: scan in
    # chunks, visiting in Python only the entries better than the top at the start of the chunk.
    pos = middle
    while pos < last and length:
        end = min(pos + 4096, last)
        for i in (np.flatnonzero(r[pos:end] < heap[0][0]) + pos).tolist():
            if r[i] < heap[0][0]:
                _adjust_heap(heap, 0, length, (int(r[i]), int(idx[i])))
        pos = end
    if length:
        r[first:middle] = [h[0] for h in heap]
        idx[first:middle] = [h[1] for h in heap]


def _move_median_to_first(r, idx, result, a, b, c):
    if r[a] < r[b]:
        t = b if r[b] < r[c] else (c if r[a] < r[c] else a)
    elif r[a] < r[c]:
        t = a
    else:
        t = c if r[b] < r[c] else b
    r[[result, t]] = r[[t, result]]
    idx[[result, t]] = idx[[t, result]]


def _unguarded_partition(r, idx, lo, hi, pivot_pos):
    """libstdc++ ``__unguarded_partition`` of ``[lo, hi)`` around ``r[pivot_pos]``, vectorized.

    The left scan stops at entries not better than the pivot (L, ascending), the right scan at entries not
    worse (R, descending); pair j is swapped while L[j] < R[j]. A swapped-in entry can stop a later scan,
    hence the returned cut min(L[m], R[m-1]).
    """
    p = r[pivot_pos]
    L = np.flatnonzero(r[lo:hi] >= p) + lo
    R = (np.flatnonzero(r[pivot_pos:hi] <= p) + pivot_pos)[::-1]
    c = min(len(L), len(R))
    stop = L[:c] >= R[:c]
    m = int(np.argmax(stop)) if stop.any() else c
    if m:
        li, ri = L[:m], R[:m]
        r[li], r[ri] = r[ri], r[li]
        idx[li], idx[ri] = idx[ri], idx[li]
    if m == 0:
        return int(L[0])
    return int(min(L[m], R[m - 1])) if m < len(L) else int(R[m - 1])


def _insertion_sort(r, idx, first, last):
    for i in range(first + 1, last):
        val = (r[i], idx[i])
        j = i
        while j > first and val[0] < r[j - 1]:      # stable: equal ranks keep their order
            r[j], idx[j] = r[j - 1], idx[j - 1]
            j -= 1
        r[j], idx[j] = val


def _nth_element(r, idx, nth):
    """libstdc++ ``std::nth_element`` (introselect) on ranks ``r`` carrying indices ``idx``."""
    first, last = 0, len(r)
    depth = 2 * (last.bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(r, idx, first, nth + 1, last)
            return
        depth -= 1
        _move_median_to_first(r, idx, first, first + 1, first + (last - first) // 2, last - 1)
        cut = _unguarded_partition(r, idx, first + 1, last, first)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(r, idx, first, last)


def _topk_indices(values, k, largest):
    """Indices (a LongTensor, in no particular order) of the ``k`` entries of 1-D ``values`` that
    ``torch.topk(values, k, largest=largest)`` returns on the CPU, ties included."""
    data = values._data.reshape(-1)
    xp = xp_of(data)
    n = data.shape[0]
    if k == 0:
        return Tensor._wrap(xp.zeros(0, dtype=xp.int64))
    r = _ranks(data.astype(xp.float64), largest)
    kth = xp.partition(r, k - 1)[k - 1]
    better, tied = r < kth, r == kth
    if int(better.sum()) + int(tied.sum()) == k:       # no equal values straddle the cut
        return Tensor._wrap(xp.flatnonzero(better | tied))
    rh = _backend.to_device(r, "cpu").copy()
    idx = np.arange(n, dtype=np.int64)
    if k * 64 <= n:
        _heap_select(rh, idx, 0, k, n)
    else:
        _nth_element(rh, idx, k - 1)
    return Tensor._wrap(xp.asarray(idx[:k]))


# ---------------------------------------------------------------- pruning methods
class BasePruningMethod(ABC):
    """Base class of pruning methods: subclasses define ``compute_mask(t, default_mask)`` and ``PRUNING_TYPE``
    (``"unstructured"``, ``"structured"`` with a ``dim``, or ``"global"``). An instance is the module's forward
    pre-hook that reapplies the mask."""
    _tensor_name = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The new mask (same shape as ``t``) given the mask already in place, ``default_mask``."""

    def apply_mask(self, module):
        """``<name>_orig * <name>_mask``: the pruned tensor."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, on top of any pruning already applied to it.

        ``importance_scores`` (same shape as the tensor) rank the entries instead of the tensor's own values.
        Returns the method (a PruningContainer when the tensor was pruned before).
        """
        # One hook per tensor: a previous method and the new one are merged into a container.
        old_method, hooks_to_remove = None, []
        for k, hook in module._forward_pre_hooks.items():
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                old_method = hook
                hooks_to_remove.append(k)
        if len(hooks_to_remove) > 1:
            raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                                 "Use a PruningContainer.")
        for k in hooks_to_remove:
            del module._forward_pre_hooks[k]
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if isinstance(old_method, PruningContainer):
            old_method.add_pruning_method(method)
            method = old_method
        elif old_method is not None:
            container = PruningContainer(old_method)
            container.add_pruning_method(method)
            method = container

        orig = getattr(module, name)
        if importance_scores is not None:
            if importance_scores.shape != orig.shape:
                raise AssertionError(f"importance_scores should have the same shape as parameter {name} of {module}, "
                                     f"got {importance_scores.shape} vs {orig.shape}")
        else:
            importance_scores = orig
        if not isinstance(method, PruningContainer):
            # first pruning of this tensor: the Parameter becomes <name>_orig
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if not isinstance(method, PruningContainer):   # roll back to the unpruned module
                orig = getattr(module, name + "_orig")
                module.register_parameter(name, orig)
                del module._parameters[name + "_orig"]
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask this method computes for it (no module involved)."""
        if importance_scores is not None:
            if importance_scores.shape != t.shape:
                raise AssertionError("importance_scores should have the same shape as tensor t, got "
                                     f"{importance_scores.shape} vs {t.shape}")
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: ``<name>`` becomes the Parameter (``<name>_orig``) holding the pruned
        values; the mask and the hook's reparametrization go away."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + "_orig"]
        orig.data = weight.data
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


class PruningContainer(BasePruningMethod):
    """The sequence of pruning methods applied to one tensor; its mask composes the last method's mask
    with the mask already in place."""

    def __init__(self, *args):
        self._pruning_methods = ()
        if args:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' to "
                             f"PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """The last method's mask, computed only on what is still unpruned: the kept entries (unstructured),
        the channels along ``dim`` not already all zero (structured), or everything (global)."""
        method = self._pruning_methods[-1]
        mask = default_mask
        new_mask = mask.to(dtype=t.dtype)
        if method.PRUNING_TYPE == "unstructured":
            slc = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the attribute `dim` '
                                     "defined.")
            n_dims = t.dim()
            dim = method.dim + n_dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            keep_channel = mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            slc = [slice(None)] * n_dims
            slc[dim] = keep_channel
            slc = tuple(slc)
        elif method.PRUNING_TYPE == "global":
            slc = (slice(None),) * len(t.shape)
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        partial_mask = method.compute_mask(t[slc], default_mask=mask[slc])
        new_mask[slc] = partial_mask.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: a mask of ones (to reparametrize a tensor the way pruning does)."""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` entries chosen at random."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = default_mask.clone()
        if nparams_toprune != 0:
            prob = rand_like(t)      # the entries with the largest random draws are pruned
            mask.view(-1)[_topk_indices(prob, nparams_toprune, largest=True)] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = default_mask.clone()
        if nparams_toprune != 0:
            mask.view(-1)[_topk_indices(t.abs(), nparams_toprune, largest=False)] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim``, chosen at random."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask
        # one random draw per channel; the channels with the nparams_toprune lowest draws go
        prob = rand(tensor_size)
        threshold = kthvalue(prob, k=nparams_toprune).values
        slc = [slice(None)] * len(t.shape)
        slc[self.dim] = prob > threshold
        mask = zeros_like(t)
        mask[tuple(slc)] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest L``n`` norm (``n``: int, float, inf, -inf, 'fro',
    'nuc')."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        nparams_tokeep = tensor_size - nparams_toprune
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask
        keep = _topk_indices(_compute_norm(t, self.n, self.dim), nparams_tokeep, largest=True)
        slc = [slice(None)] * len(t.shape)
        slc[self.dim] = keep
        mask = zeros_like(t)
        mask[tuple(slc)] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given ``mask`` is 0."""
    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match self.mask shape "
                                 f"{self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


# ---------------------------------------------------------------- functional forms
def identity(module, name):
    """Reparametrize ``module.<name>`` as pruning does, with a mask of ones. Returns ``module``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune ``amount`` (count or fraction) random entries of ``module.<name>``. Returns ``module``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the ``amount`` (count or fraction) entries of ``module.<name>`` with the smallest absolute value
    (of ``importance_scores`` when given). Returns ``module``."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune ``amount`` random channels of ``module.<name>`` along ``dim``. Returns ``module``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the ``amount`` channels along ``dim`` with the smallest L``n`` norm. Returns ``module``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the ``(module, name)`` tensors in ``parameters`` together: ``pruning_method(**kwargs)`` (an
    unstructured method such as ``L1Unstructured``) ranks all their entries as one vector, so a layer may
    lose more or fewer entries than ``amount``. ``importance_scores``: optional ``{(module, name): tensor}``."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)       # iterated twice below (a generator would be consumed)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    relevant_importance_scores = parameters_to_vector(
        [importance_scores.get((module, name), getattr(module, name)) for module, name in parameters])
    default_mask = parameters_to_vector(
        [getattr(module, name + "_mask", ones_like(getattr(module, name))) for module, name in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        custom_from_mask(module, name, mask=final_mask[pointer:pointer + num_param].view_as(param))
        pointer += num_param


def custom_from_mask(module, name, mask):
    """Prune ``module.<name>`` where ``mask`` is 0. Returns ``module``."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of ``module.<name>`` permanent (the Parameter keeps the zeros; mask and hook go away).
    Returns ``module``."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether ``module`` or any submodule has a pruning hook."""
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False


# ---------------------------------------------------------------- checks
def _validate_pruning_amount_init(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _validate_pruning_amount(amount, tensor_size):
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={tensor_size}")


def _validate_structured_pruning(t):
    shape = t.shape
    if len(shape) <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found tensor of shape "
                         f"{shape} with {len(shape)} dims")


def _compute_nparams_toprune(amount, tensor_size):
    """A count as given, or a fraction of ``tensor_size`` rounded half to even (Python's ``round``)."""
    if isinstance(amount, numbers.Integral):
        return amount
    return round(amount * tensor_size)


def _validate_pruning_dim(t, dim):
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _compute_norm(t, n, dim):
    """The L``n`` norm of each slice of ``t`` along ``dim`` (over all the other dims)."""
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    return t.norm(p=n, dim=dims)
