"""Layer 5: every differentiable op.

Each module here holds a family of ops: their argument checks, forward (on
``xp`` arrays) and backward (on Tensors) side by side. A module attaches its
Tensor methods itself (``@tensor_method``) and lists in ``__all__`` the names
that ``ember`` exports at top level (``ember.add``, ``ember.exp`` ...). This
package imports every module it contains, so a new op module needs no
registration anywhere else.
"""
import importlib
import pkgutil

public = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    _mod = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_mod, "__all__", ()):
        public[_name] = getattr(_mod, _name)

# Operator namespaces made by ember.library (``torch.ops.mylib.foo``), filled when an op is defined.
namespaces = {}


def __getattr__(name):
    try:
        return namespaces[name]
    except KeyError:
        raise AttributeError(f"module 'ember.ops' has no attribute '{name}' (no custom operator namespace "
                             f"'{name}' has been defined with torch.library)") from None
