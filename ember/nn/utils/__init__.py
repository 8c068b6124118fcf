"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, weight and spectral normalization
(legacy hook forms), BatchNorm fusion, ``skip_init``, and the submodules ``rnn`` (packed sequences),
``parametrize``, ``parametrizations``, ``prune`` and ``stateless`` (loaded on first use)."""
import importlib

from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,  # noqa: F401
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights  # noqa: F401
from .init import skip_init  # noqa: F401
# As in PyTorch, these functions shadow their submodules' names (``nn.utils.weight_norm`` is the function).
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401

_LAZY_SUBMODULES = ("rnn", "parametrize", "parametrizations", "prune", "stateless")


def __getattr__(name):
    # Submodules written by other layers (``nn.utils.rnn``) load on first use.
    if name in _LAZY_SUBMODULES:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'ember.nn.utils' has no attribute '{name}' (torch.nn.utils.{name} is not "
                                 "available in Ember yet)") from None
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'ember.nn.utils' has no attribute '{name}'")
