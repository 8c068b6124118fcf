"""Module attributes with a setter: PyTorch's backend switches (``cudnn.benchmark = True``) check their
value when set. A module's class may be a ``ModuleType`` subclass, whose properties then act on attribute
assignment to the module."""
import sys
import types


def bool_switch(default, setter_name):
    """A property holding a bool; a non-bool raises PyTorch's ``<setter_name> expects a bool`` error."""
    slot = f"_{setter_name}"

    def get(module):
        return module.__dict__.get(slot, default)

    def set_(module, value):
        if not isinstance(value, bool):
            raise RuntimeError(f"{setter_name} expects a bool, but got {type(value).__name__}")
        module.__dict__[slot] = value
    return property(get, set_)


def install(module_name, **switches):
    """Give module ``module_name`` the properties ``switches`` (name -> property)."""
    module = sys.modules[module_name]
    module.__class__ = type("ModuleWithSwitches", (types.ModuleType,), dict(switches, __module__=module_name))
