import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _datasets_dir():
    return pathlib.Path(os.environ.get("EMBER_TEST_DATA", ROOT.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def datasets_dir():
    """The real datasets (MNIST, FashionMNIST, hymenoptera_data): $EMBER_TEST_DATA or ../shared/datasets."""
    d = _datasets_dir()
    if not d.is_dir():
        pytest.skip(f"real datasets not found at {d} (set EMBER_TEST_DATA)")
    return d


@pytest.fixture(autouse=True)
def _reset_ember_state():
    """Each test starts from the same random state (no test may pass or fail by the luck of the draw)."""
    import ember
    import torch
    ember.manual_seed(0)
    torch.manual_seed(0)
    yield
    ember.set_default_dtype(ember.float32)
    ember.autograd.grad_mode.GradMode.enabled = True
