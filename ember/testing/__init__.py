"""``ember.testing`` (``torch.testing``): ``assert_close`` (and the deprecated ``assert_allclose``) to compare
tensors, numbers and nested containers of them with per-dtype tolerances; ``make_tensor`` to make random
test inputs of any shape and dtype (drawn from Ember's generator, so the same seed gives PyTorch's values)."""
from ._comparison import assert_allclose, assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]
