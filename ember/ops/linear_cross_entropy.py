"""``F.linear_cross_entropy``: ``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

PyTorch adds an optional chunked kernel (``options=LinearCrossEntropyOptions(...)``) that never holds
the whole (N, C) logits at once; the values are those of the reference form. Ember computes the
reference form always; given ``options`` it warns that they are ignored (PyTorch does the same for the
configurations its chunked kernel does not cover).
"""

__all__ = []
__functional__ = ["linear_cross_entropy"]

import math
import warnings

from .activation import linear
from .loss import cross_entropy


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    r"""Cross entropy of the logits ``input @ linear_weight^T + linear_bias`` against ``target``.

    Shapes: input (in_features) or (N, in_features); linear_weight (C, in_features), or
    (C, d_1, ..., d_K, in_features) for a K-dimensional loss (batched input only), giving logits
    (N, C, d_1, ..., d_K); linear_bias (C, d_1, ..., d_K). ``target``: class indices (N, d_1, ...) or, when
    shaped like the logits, class probabilities. ``ignore_index`` None means -100 (and must stay None
    with probabilities). Other arguments as ``cross_entropy``.
    """
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batch = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(f"expected equal input and linear_weight last dimensions (in_features), got "
                           f"{in_features} and {linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires "
                           f"batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = batch + (num_classes,) + out_features
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if options is not None:
        warnings.warn("linear_cross_entropy: ``options`` ignored; Ember computes the reference form "
                      "(cross_entropy of the full logits), which gives the same values with more memory.",
                      stacklevel=2)
    flat = math.prod(out_features) * num_classes
    w2 = linear_weight.reshape(flat, in_features) if out_features else linear_weight
    b2 = linear_bias.reshape(flat) if out_features and linear_bias is not None else linear_bias
    logits = linear(input, w2, b2).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)
