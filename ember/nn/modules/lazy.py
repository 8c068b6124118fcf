"""``LazyModuleMixin``: modules whose parameter shapes are inferred from the first input.

A lazy module starts with ``UninitializedParameter``/``UninitializedBuffer`` placeholders. A forward
pre-hook calls ``initialize_parameters(*input)`` on the first call, which materializes them (in place,
so optimizers built before hold valid references) and initialises them; then the hooks are removed and
the module's class becomes ``cls_to_become`` (``LazyLinear`` -> ``Linear``). Loading a state dict into a
lazy module materializes the placeholders with the checkpoint's shapes.
"""
import itertools

from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mixin for modules that infer their parameter shapes on the first forward (see module docstring)."""
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self.register_load_state_dict_pre_hook(_lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # placeholders go into the state dict as they are (detach() would need their data)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if is_lazy(param) or keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def has_uninitialized_params(self):
        """Whether any parameter or buffer of this module is still a placeholder."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(), self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the placeholders from the first input's shape (each lazy layer defines it)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with `DataParallel`. Run a "
                           "dummy forward pass to correctly initialize the modules")


def _lazy_load_hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                    error_msgs):
    """Materialize each placeholder that the checkpoint holds a real tensor for, with its shape."""
    for name, param in itertools.chain(module._parameters.items(), module._buffers.items()):
        key = prefix + name
        if key in state_dict and param is not None:
            input_param = state_dict[key]
            if is_lazy(param) and not is_lazy(input_param):
                with no_grad():
                    param.materialize(input_param.shape)


def _infer_parameters(module, args, kwargs=None):
    """Forward pre-hook: materialize from the first input, then become the ordinary class."""
    module.initialize_parameters(*args, **(kwargs or {}))
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    module._load_hook.remove()
    delattr(module, "_initialize_hook")
    delattr(module, "_load_hook")
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
