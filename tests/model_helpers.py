"""Shared by the model tests."""
import contextlib


@contextlib.contextmanager
def no_random_init():
    """Build models without drawing their random init (for models whose weights are replaced by a loaded
    checkpoint right away, or whose shapes alone are needed): the draw costs seconds for the 100M+
    parameter models."""
    import ember.nn.init as init
    saved = init._draw, init.trunc_normal_
    init._draw = init.trunc_normal_ = lambda tensor, *a, **k: tensor
    try:
        yield
    finally:
        init._draw, init.trunc_normal_ = saved
