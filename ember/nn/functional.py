"""``ember.nn.functional`` (``F``): the functional form of every layer.

The functions live beside their ops in ``ember.ops`` (forward and backward in
one place); each op module lists the names it contributes here in
``__functional__``, and this module collects them.
"""
from .. import ops as _ops
import sys as _sys

__all__ = []
for _mod_name, _mod in sorted((n, m) for n, m in _sys.modules.items() if n.startswith(_ops.__name__ + ".")):
    for _name in getattr(_mod, "__functional__", ()):
        globals()[_name] = getattr(_mod, _name)
        __all__.append(_name)
