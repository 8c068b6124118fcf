"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, and ``rnn`` (packed sequences)."""
import importlib

from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_  # noqa: F401
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401

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
