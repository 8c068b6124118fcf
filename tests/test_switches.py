"""Process-wide switches (ember.ops.switches) against PyTorch: compile, matmul precision, deterministic
algorithms, anomaly mode, inter-op threads."""
import pytest
import torch

import ember
from ember.autograd.function import AnomalyMode
from ember.ops import switches


@pytest.fixture(autouse=True)
def _restore():
    """Each test leaves Ember's and PyTorch's switches as it found them."""
    saved, anomaly = dict(switches._state), (AnomalyMode.enabled, AnomalyMode.check_nan)
    t_saved = (torch.get_float32_matmul_precision(), torch.are_deterministic_algorithms_enabled(),
               torch.is_deterministic_algorithms_warn_only_enabled())
    yield
    switches._state.update(saved)
    AnomalyMode.enabled, AnomalyMode.check_nan = anomaly
    torch.set_float32_matmul_precision(t_saved[0])
    torch.use_deterministic_algorithms(t_saved[1], warn_only=t_saved[2])
    torch.set_anomaly_enabled(False)


def same_error(fn):
    errs = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        errs.append(info)
    assert errs[0].type is errs[1].type or issubclass(errs[1].type, errs[0].type), (errs[0].value, errs[1].value)
    assert str(errs[0].value)[:40] == str(errs[1].value)[:40], (errs[0].value, errs[1].value)


def test_compile_returns_the_model():
    model = ember.nn.Linear(2, 3)
    assert ember.compile(model) is model
    assert ember.compile(model, mode="max-autotune", fullgraph=True, dynamic=False, backend="inductor") is model

    def f(x):
        return x + 1
    assert ember.compile(f, options={"triton.cudagraphs": False}) is f

    @ember.compile
    def g(x):
        return x * 2

    @ember.compile(mode="reduce-overhead", disable=True)
    def h(x):
        return x * 3
    assert g(ember.tensor(2.)).item() == 4. and h.__name__ == "h" and h(ember.tensor(1.)).item() == 3.
    assert "eager" in ember.compile.__doc__.lower()
    # PyTorch 2.13's errors (not asked of torch here: that would import its compiler, ~10 s)
    with pytest.raises(RuntimeError, match="^Either mode or options can be specified, but both can't"):
        ember.compile(f, mode="max-autotune", options={})
    with pytest.raises(RuntimeError, match="^Unrecognized mode=bogus, should be one of: default, lite, "):
        ember.compile(f, mode="bogus")
    with pytest.raises(AssertionError, match="^A callable function is expected, but <class 'int'> is provided"):
        ember.compile(3)


def test_float32_matmul_precision():
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    for p in ("high", "medium", "highest"):
        ember.set_float32_matmul_precision(p)
        assert ember.get_float32_matmul_precision() == p
    with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
        ember.set_float32_matmul_precision("low")
    assert ember.get_float32_matmul_precision() == "highest"
    same_error(lambda lib: lib.set_float32_matmul_precision(3))
    ember.set_float32_matmul_precision("medium")   # float32 matmuls stay exact float32
    a = ember.randn(8, 8)
    assert (a @ a).dtype == ember.float32


def test_deterministic_algorithms():
    for mode, warn_only in ((True, True), (True, False), (False, True), (False, False)):
        for lib in (ember, torch):
            lib.use_deterministic_algorithms(mode, warn_only=warn_only)
        assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
        assert (ember.is_deterministic_algorithms_warn_only_enabled()
                == torch.is_deterministic_algorithms_warn_only_enabled())
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
    for m in ("warn", 2, "default", 1, 0, "error"):
        for lib in (ember, torch):
            lib.set_deterministic_debug_mode(m)
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert ember.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
    for fn in (lambda lib: lib.use_deterministic_algorithms("x"), lambda lib: lib.use_deterministic_algorithms(1),
               lambda lib: lib.use_deterministic_algorithms(True, warn_only=1),
               lambda lib: lib.set_deterministic_debug_mode("x"), lambda lib: lib.set_deterministic_debug_mode(3),
               lambda lib: lib.set_deterministic_debug_mode(1.0)):
        same_error(fn)


def test_anomaly_switch():
    assert ember.is_anomaly_enabled() is False
    ember.set_anomaly_enabled(True)
    assert ember.is_anomaly_enabled() and ember.autograd.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    x = ember.tensor([0.], requires_grad=True)
    with pytest.raises(RuntimeError, match="nan|NaN"):
        (x.sqrt() * 0).sum().backward()       # 0 * inf in SqrtBackward: anomaly mode reports it
    ember.set_anomaly_enabled(True, False)
    assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
    ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled()
    same_error(lambda lib: lib.set_anomaly_enabled(1))
    same_error(lambda lib: lib.set_anomaly_enabled(True, 1))


def test_interop_threads():
    switches._state["interop_threads"] = None
    assert ember.get_num_interop_threads() == ember.get_num_threads()
    same_error(lambda lib: lib.set_num_interop_threads(0))
    same_error(lambda lib: lib.set_num_interop_threads(True))
    same_error(lambda lib: lib.set_num_interop_threads(2.0))
    ember.set_num_interop_threads(3)
    assert ember.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
        ember.set_num_interop_threads(2)


def test_default_device_on_a_cpu_machine():
    assert str(ember.get_default_device()) == str(torch.get_default_device()) == "cpu"
    try:
        ember.set_default_device("cpu")
        assert ember.zeros(2).device.type == ember.randn(2).device.type == ember.tensor([1.0]).device.type == "cpu"
        if not ember.cuda.is_available():
            with pytest.raises(RuntimeError):
                ember.set_default_device("cuda")        # clear error now, not at every factory later
        assert ember.get_default_device().type == "cpu"
    finally:
        ember.set_default_device(None)
