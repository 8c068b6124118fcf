"""``LazyLinear``: a ``Linear`` whose ``in_features`` is inferred from the first input."""
from ..parameter import UninitializedParameter
from ...autograd.grad_mode import no_grad
from .lazy import LazyModuleMixin
from .linear import Linear

__all__ = ["LazyLinear"]


class LazyLinear(LazyModuleMixin, Linear):
    r"""``Linear(in_features, out_features)`` with ``in_features`` = the last dim of the first input; it then
    becomes a ``Linear``. Until then ``weight`` and ``bias`` are ``UninitializedParameter``.

    Shape:
        - Input: :math:`(*, H_{in})`, Output: :math:`(*, \text{out\_features})`
    """
    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
