"""``ember.overrides`` (``torch.overrides``): the ``__torch_function__`` protocol, as far as Ember has it.

PyTorch routes almost every function through ``__torch_function__`` of tensor-like arguments. Ember's ops
do not: ``torch.add(obj, 1)`` never consults ``obj.__torch_function__``, and Ember tensors have no
``__torch_function__``. What Ember does have:

* the protocol for code that calls it itself -- ``has_torch_function``, ``has_torch_function_unary``,
  ``has_torch_function_variadic``, ``handle_torch_function`` and the ``wrap_torch_function`` decorator
  behave as PyTorch's for objects whose type defines ``__torch_function__``;
* ``is_tensor_like`` and ``is_tensor_method_or_property``;
* ``get_ignored_functions`` (every Ember function: none can be overridden) and
  ``get_overridable_functions`` (empty, for the same reason);
* ``TorchFunctionMode`` to subclass; entering a mode raises, since no Ember op would reach it.
"""
import collections
import functools
import types

from ._tensor import Tensor
from .ops.runtime_extra import (handle_torch_function, has_torch_function, has_torch_function_unary,
                                has_torch_function_variadic, is_tensor_like)

__all__ = ["get_ignored_functions", "get_overridable_functions", "handle_torch_function", "has_torch_function",
           "has_torch_function_unary", "has_torch_function_variadic", "is_tensor_like",
           "is_tensor_method_or_property", "wrap_torch_function", "TorchFunctionMode"]


def _public_functions():
    """Every public function of ember, ember.nn.functional, linalg, fft, special and every Tensor method."""
    import ember
    from . import fft, linalg, special
    from .nn import functional

    found = set()
    for module in (ember, functional, linalg, fft, special):
        for name in getattr(module, "__all__", None) or dir(module):
            obj = getattr(module, name, None)
            if not name.startswith("_") and callable(obj) and not isinstance(obj, (type, types.ModuleType)):
                found.add(obj)
    for name, obj in vars(Tensor).items():
        if not name.startswith("_") and callable(obj):
            found.add(obj)
    return found


def get_ignored_functions():
    """The functions that ignore ``__torch_function__``: in Ember, all of them (its ops never dispatch)."""
    return _public_functions()


def get_overridable_functions():
    """Namespace -> functions that ``__torch_function__`` can override: none in Ember (an empty mapping)."""
    return collections.defaultdict(list)


def is_tensor_method_or_property(func):
    """True for a function defined on ``Tensor`` (``Tensor.add``, ``Tensor.__add__``). Checked by identity,
    as PyTorch checks it; Ember's ``torch.add`` *is* ``Tensor.add`` (one function), so it answers True too."""
    name = getattr(func, "__name__", None)
    return name is not None and vars(Tensor).get(name) is func


def wrap_torch_function(dispatcher):
    """Decorator: the function calls ``handle_torch_function`` when ``dispatcher(*args, **kwargs)`` (the
    relevant arguments) holds an object implementing ``__torch_function__``."""
    def inner(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            relevant = dispatcher(*args, **kwargs)
            if has_torch_function(relevant):
                return handle_torch_function(wrapped, relevant, *args, **kwargs)
            return func(*args, **kwargs)
        return wrapped
    return inner


class TorchFunctionMode:
    """Base class of PyTorch's torch-function modes (subclass it and define ``__torch_function__``). A mode
    intercepts the torch functions called while it is active; Ember's functions do not dispatch to modes,
    so entering one raises instead of silently seeing nothing."""

    def __enter__(self):
        raise RuntimeError(f"{type(self).__name__}: Ember's ops do not dispatch through __torch_function__, so a "
                           "TorchFunctionMode would intercept no call. Run this code with PyTorch, or call the "
                           "functions you need to intercept yourself.")

    def __exit__(self, exc_type, exc, tb):
        return False
