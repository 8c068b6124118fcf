"""Which scaled-dot-product-attention backends the user allows (``torch.nn.attention.sdpa_kernel``).

PyTorch picks among fused kernels and a math fallback; Ember has one kernel, the math one, and runs it
for every allowed backend that PyTorch could run on that device. The state is kept here, in the ops
layer, because ``scaled_dot_product_attention`` reads it; ``ember.nn.attention`` sets it.

Backends are PyTorch's numbers: ERROR -1, MATH 0, FLASH_ATTENTION 1, EFFICIENT_ATTENTION 2,
CUDNN_ATTENTION 3, OVERRIDEABLE 4.
"""
MATH, FLASH, EFFICIENT, CUDNN, OVERRIDEABLE = 0, 1, 2, 3, 4

enabled = [MATH, FLASH, EFFICIENT, CUDNN, OVERRIDEABLE]   # all on, as in PyTorch; order = priority

# the backends PyTorch has a kernel for on each device type: on the CPU the math one and a flash kernel
RUNNABLE = {"cpu": {MATH, FLASH}, "cuda": {MATH, FLASH, EFFICIENT, CUDNN}}


def check(device_type):
    """Raise PyTorch's error when no allowed backend can run on ``device_type``."""
    if not RUNNABLE.get(device_type, {MATH}) & set(enabled):
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due to "
                           "turning off both the math kernel and the fused kernels. (Allowed by sdpa_kernel: "
                           f"{_names(enabled) or 'none'}; on {device_type} Ember can run "
                           f"{_names(sorted(RUNNABLE.get(device_type, {MATH})))}: add one of them.)")


def _names(backends):
    words = {-1: "ERROR", MATH: "MATH", FLASH: "FLASH_ATTENTION", EFFICIENT: "EFFICIENT_ATTENTION",
             CUDNN: "CUDNN_ATTENTION", OVERRIDEABLE: "OVERRIDEABLE"}
    return ", ".join(words[b] for b in backends)
