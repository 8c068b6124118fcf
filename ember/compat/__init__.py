"""Layer 8: run unmodified PyTorch code on Ember.

``install()`` puts an import hook in front of ``sys.meta_path`` that answers
``import torch`` (and every ``torch.*`` submodule) with Ember's modules, and
``import torchvision`` (``torchvision.*``) with ``ember.vision``. The mapped
module *is* Ember's: ``sys.modules['torch'] is ember``.

An API Ember lacks fails with an error that names it, e.g.
``AttributeError: ember has no torch.fft.rfft2 yet``.
"""
import importlib
import importlib.abc
import importlib.machinery
import sys

# PyTorch module paths whose Ember counterpart lives elsewhere.
_RENAMES = {
    "torchvision": "ember.vision",
    "torch": "ember",
}


def ember_name(fullname):
    """``torch.nn.functional`` -> ``ember.nn.functional``; ``torchvision.x`` -> ``ember.vision.x``; else None."""
    for prefix in ("torchvision", "torch"):
        if fullname == prefix or fullname.startswith(prefix + "."):
            return _RENAMES[prefix] + fullname[len(prefix):]
    return None


def _friendly_getattr(module, torch_name):
    """Give a mapped module a ``__getattr__`` that names the missing PyTorch API.

    A module with its own ``__getattr__`` (a lazy loader) keeps it: the
    friendly one calls it first, and names the API only when it fails.
    """
    own = vars(module).get("__getattr__")
    if getattr(own, "_ember_friendly", False):
        return

    def __getattr__(attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        if own is not None:
            try:
                value = own(attr)
            except AttributeError:
                pass
            else:
                _name_missing_apis()        # it may have loaded new submodules
                return value
        raise AttributeError(f"ember has no {torch_name}.{attr} yet (module '{module.__name__}' has no attribute "
                             f"'{attr}')")
    __getattr__._ember_friendly = True
    module.__getattr__ = __getattr__


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return self.target

    def exec_module(self, module):
        pass


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch``/``torchvision`` imports to Ember's modules."""

    def find_spec(self, fullname, path=None, target=None):
        name = ember_name(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("ember"):
                raise ModuleNotFoundError(f"ember has no {fullname} yet (No module named '{name}')",
                                          name=fullname) from None
            raise
        _friendly_getattr(module, fullname)
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))
        return spec


_finder = TorchAliasFinder()


def torch_name(ember_module_name):
    """``ember.nn.functional`` -> ``torch.nn.functional``; ``ember.vision.x`` -> ``torchvision.x``."""
    if ember_module_name == "ember.vision" or ember_module_name.startswith("ember.vision."):
        return "torchvision" + ember_module_name[len("ember.vision"):]
    return "torch" + ember_module_name[len("ember"):]


def _name_missing_apis():
    """Give every loaded Ember module the friendly ``__getattr__`` (also those reached as attributes,
    e.g. ``torch.nn.functional.x`` after a bare ``import torch``)."""
    for name, module in list(sys.modules.items()):
        if (name == "ember" or name.startswith("ember.")) and module is not None:
            _friendly_getattr(module, torch_name(name))


def install():
    """Map ``torch``/``torchvision`` to Ember in this interpreter (idempotent)."""
    import ember
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    _name_missing_apis()
    if _name_missing_apis not in ember._after_lazy_import:
        ember._after_lazy_import.append(_name_missing_apis)
    for name in list(sys.modules):
        if ember_name(name) is not None and not sys.modules[name].__name__.startswith("ember"):
            raise RuntimeError(f"real PyTorch is already imported ({name}); call ember.compat.install() before "
                               "`import torch`, or restart the interpreter")


def uninstall():
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if ember_name(n) is not None]:
        if sys.modules[name].__name__.startswith("ember"):
            del sys.modules[name]
