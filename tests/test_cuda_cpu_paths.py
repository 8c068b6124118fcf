"""The CUDA paths that can be exercised without a GPU.

1. Without CuPy (this machine): ``cuda.is_available()`` is False, importing
   never fails, and what needs a GPU raises PyTorch's AssertionError naming
   what is missing; what PyTorch's CPU build answers quietly (memory stats,
   ``manual_seed``) Ember answers the same.
2. With a *fake* GPU: ``FakeCupy`` below stands in for the ``cupy`` module in
   ``ember._backend`` and ``FakeCudaArray`` (a NumPy ndarray subclass) for
   ``cupy.ndarray``, so Ember's device bookkeeping (``.to('cuda')``,
   ``device``, printing, mixed-device errors, ``Module.to``, ``save``/``load``
   locations) runs for real on the CPU. The fake lives only in this file.
"""
import io
import subprocess
import sys
import types
import warnings
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import _backend


# ------------------------------------------------------------------------------------------- the fake GPU
class _Dev:
    def __init__(self, id=0):
        self.id = id

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def use(self):
        pass

    def synchronize(self):
        pass


class FakeCudaArray(np.ndarray):
    """A NumPy array that Ember's backend takes for a CuPy array on cuda:0."""

    @property
    def device(self):
        return _Dev(0)

    def get(self):
        return np.array(self, copy=True).view(np.ndarray)

    @property
    def data(self):       # CuPy's MemoryPointer has .ptr
        return types.SimpleNamespace(ptr=self.__array_interface__["data"][0])


def _on_gpu(x):
    if type(x) is np.ndarray:
        return x.view(FakeCudaArray)
    if isinstance(x, tuple):
        return tuple(_on_gpu(v) for v in x)
    return x


class _GpuFn:
    def __init__(self, f):
        self.f = f

    def __call__(self, *a, **k):
        return _on_gpu(self.f(*a, **k))

    def __getattr__(self, n):
        return getattr(self.f, n)


class _FakeRandomState:
    def __init__(self, seed=None):
        self._rs = np.random.RandomState(None if seed is None else seed % 2 ** 32)

    def __getattr__(self, n):
        return _GpuFn(getattr(self._rs, n))


class _Pool:
    def used_bytes(self):
        return 1024

    def total_bytes(self):
        return 2048

    def free_all_blocks(self):
        pass


class FakeCupy(types.ModuleType):
    ndarray = FakeCudaArray

    def __init__(self):
        super().__init__("cupy")
        props = {"name": b"Fake GPU", "totalGlobalMem": 2 ** 30, "major": 9, "minor": 0, "multiProcessorCount": 1}
        self.cuda = types.SimpleNamespace(Device=_Dev, runtime=types.SimpleNamespace(
            getDeviceCount=lambda: 1, getDeviceProperties=lambda i: props))
        self.random = types.SimpleNamespace(RandomState=_FakeRandomState, seed=lambda s=None: None)

    @staticmethod
    def asarray(a, dtype=None):
        if isinstance(a, FakeCudaArray) and dtype is None:
            return a
        return np.array(a, dtype=dtype, copy=True).view(FakeCudaArray)

    @staticmethod
    def get_default_memory_pool():
        return _Pool()

    def __getattr__(self, name):
        return _gpu_attr(np, name)


class _GpuNamespace:
    """A NumPy submodule (``xp.lib.stride_tricks``, ``xp.linalg``) whose functions return fake GPU arrays."""

    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        return _gpu_attr(self._mod, name)


def _gpu_attr(mod, name):
    v = getattr(mod, name)
    if isinstance(v, types.ModuleType):
        return _GpuNamespace(v)
    return _GpuFn(v) if callable(v) and not isinstance(v, type) else v


@pytest.fixture
def fake_cuda(monkeypatch):
    monkeypatch.setattr(_backend, "_cupy", FakeCupy())
    monkeypatch.setattr(_backend, "_probed", True)
    monkeypatch.setattr(_backend, "_cupy_error", None)
    from ember import _random
    monkeypatch.setattr(_random, "_cuda_generators", {}, raising=False)
    yield


# ------------------------------------------------------------------------------------------- 1. no CuPy
def test_import_never_fails_without_cupy_and_cuda_is_unavailable():
    code = ("import sys; sys.modules['cupy'] = None\n"      # 'import cupy' raises ImportError
            "import ember\n"
            "assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0\n"
            "from ember import _backend; print(_backend.cuda_unavailable_reason())\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "CuPy is not installed" in r.stdout and "pip install ember[cuda12]" in r.stdout


def _no_gpu():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2).cuda(),
    lambda lib: lib.zeros(2).to("cuda"),
    lambda lib: lib.zeros(2, device="cuda"),
    lambda lib: lib.randn(2, device="cuda:0"),
    lambda lib: lib.nn.Linear(2, 2).cuda(),
    lambda lib: lib.cuda.get_device_name(),
    lambda lib: lib.cuda.get_device_properties(0),
    lambda lib: lib.cuda.current_device(),
    lambda lib: lib.cuda.synchronize(),
    lambda lib: lib.cuda.init(),
])
def test_what_needs_a_gpu_raises_assertion_error_like_torch(make):
    _no_gpu()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        make(torch)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled") as e:
        make(ember)
    assert "CuPy" in str(e.value)       # and says what is missing
    assert isinstance(e.value, RuntimeError)


def test_quiet_answers_without_gpu_match_torch_cpu_build():
    _no_gpu()
    for lib in (ember, torch):
        assert lib.cuda.is_available() is False
        assert lib.cuda.device_count() == 0
        assert lib.cuda.is_initialized() is False
        assert lib.cuda.manual_seed(0) is None and lib.cuda.manual_seed_all(1) is None and lib.cuda.seed() is None
        for f in ("memory_allocated", "memory_reserved", "max_memory_allocated"):
            assert getattr(lib.cuda, f)() == 0, f
        assert lib.cuda.empty_cache() is None
    with pytest.raises(RuntimeError):
        ember.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError):
        ember.cuda.Stream()


def test_device_agnostic_idiom_picks_cpu():
    _no_gpu()
    device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    m = ember.nn.Linear(3, 2).to(device)
    assert m(ember.randn(4, 3).to(device)).device == ember.device("cpu")


def test_load_of_a_cuda_checkpoint_without_gpu(tmp_path):
    _no_gpu()
    path = tmp_path / "ck.pt"
    _torch_save_as_cuda({"w": torch.arange(6.0).reshape(2, 3)}, path)
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        ember.load(path)
    got = ember.load(path, map_location="cpu")
    assert got["w"].device == ember.device("cpu") and got["w"].tolist() == [[0, 1, 2], [3, 4, 5]]
    got = ember.load(path, map_location={"cuda:0": "cpu"})
    assert got["w"].tolist() == [[0, 1, 2], [3, 4, 5]]


def _torch_save_as_cuda(obj, path):
    """A genuine PyTorch checkpoint whose storages carry location 'cuda:0' (as saved on a GPU)."""
    import torch.serialization as S
    tag = lambda storage: "cuda:0"  # noqa: E731
    S.register_package(-100, tag, lambda storage, location: None)
    try:
        torch.save(obj, path)
    finally:
        S._package_registry[:] = [p for p in S._package_registry if p[1] is not tag]


# ------------------------------------------------------------------------------------------- 2. fake GPU
def test_to_cuda_cpu_device_and_is_cuda(fake_cuda):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    for xc in (x.cuda(), x.to("cuda"), x.to("cuda:0"), x.to(ember.device("cuda", 0)), x.cuda(0),
               ember.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda")):
        assert type(xc._data) is FakeCudaArray
        assert xc.is_cuda and not xc.is_cpu and xc.device == ember.device("cuda:0") and xc.get_device() == 0
        assert str(xc.device) == "cuda:0" and xc.type() == "torch.cuda.FloatTensor"
    xc = x.cuda()
    assert xc.cuda() is xc and xc.to("cuda") is xc
    back = xc.cpu()
    assert type(back._data) is np.ndarray and back.device == ember.device("cpu") and back.tolist() == x.tolist()
    assert x.cpu() is x
    h = xc.to("cuda", ember.float64)
    assert h.is_cuda and h.dtype is ember.float64
    assert ember.zeros(3, device="cuda").is_cuda and ember.randn(3, device="cuda").is_cuda
    assert ember.cuda.is_available() and ember.cuda.device_count() == 1
    assert ember.cuda.get_device_name() == "Fake GPU" and ember.cuda.memory_allocated() == 1024


def test_printing_item_tolist_and_numpy_error(fake_cuda):
    xc = ember.tensor([1.5, 2.0]).cuda()
    assert repr(xc) == "tensor([1.5000, 2.0000], device='cuda:0')"
    assert repr(ember.tensor([1, 2]).cuda()) == "tensor([1, 2], device='cuda:0')"
    assert xc[0].item() == 1.5 and xc.tolist() == [1.5, 2.0]
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy.*\.cpu\(\)\.numpy\(\)"):
        xc.numpy()
    assert xc.cpu().numpy().tolist() == [1.5, 2.0]


def test_same_device_ops_stay_on_device(fake_cuda):
    a, b = ember.randn(3, 4).cuda(), ember.randn(4, 2).cuda()
    for r in (a + a, a * 2, a.exp(), a.sum(), a @ b, ember.relu(a), a.mean(1), ember.cat([a, a])):
        assert r.is_cuda, r


def _CAT(x, y):
    return ember.cat([x, y])


@pytest.mark.parametrize("op", [
    lambda x, y: x + y,
    lambda x, y: y * x,
    lambda x, y: x @ y.T,
    _CAT,
    lambda x, y: ember.where(x > 0, x, y),
])
@pytest.mark.parametrize("grad", [False, True])
def test_mixed_devices_raise_pytorch_error(fake_cuda, op, grad):
    x = ember.randn(2, 3, requires_grad=grad)
    y = ember.randn(2, 3).cuda()
    with pytest.raises(RuntimeError) as e:
        op(x, y)
    msg = str(e.value)
    if op is _CAT:      # cat checks its list itself, naming devices in list order as PyTorch's cat does
        assert msg.startswith("Expected all tensors to be on the same device, but found at least two devices, "
                              "cpu and cuda:0!")
        return
    # PyTorch's TensorIterator names the GPU device first, whatever the operand order
    assert msg.startswith("Expected all tensors to be on the same device, but found at least two devices, "
                          "cuda:0 and cpu!")
    assert ".to(" in msg                    # the fix


def test_cpu_scalar_tensor_joins_cuda_tensor_as_in_pytorch(fake_cuda):
    x = ember.randn(3).cuda()
    s = ember.tensor(2.0)
    r = x * s
    assert r.is_cuda and np.allclose(r.cpu().numpy(), x.cpu().numpy() * 2)
    assert (s + x).is_cuda


def test_gradient_flows_back_across_devices(fake_cuda):
    w = ember.randn(3, 2, requires_grad=True)
    wc = w.cuda()
    assert wc.grad_fn.name() == "ToCopyBackward0"
    (wc * wc).sum().backward()
    assert type(w.grad._data) is np.ndarray and np.allclose(w.grad.numpy(), 2 * w.detach().numpy())


def test_module_to_device_and_training_step(fake_cuda):
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3))
    assert m.to("cuda") is m
    assert all(p.is_cuda for p in m.parameters())
    opt = ember.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x, y = ember.randn(5, 4).cuda(), ember.tensor([0, 1, 2, 0, 1]).cuda()
    loss = ember.nn.functional.cross_entropy(m(x), y)
    loss.backward()
    opt.step()
    assert all(p.is_cuda and p.grad.is_cuda for p in m.parameters())
    with pytest.raises(RuntimeError, match="same device"):
        m(ember.randn(5, 4))                  # forgot to move the batch
    m.cpu()
    assert all(not p.is_cuda for p in m.parameters()) and not m(ember.randn(5, 4)).is_cuda


def test_save_cuda_tensor_location_and_torch_loads_it(fake_cuda, tmp_path):
    path = tmp_path / "t.pt"
    t = ember.arange(6.0).reshape(2, 3).cuda()
    ember.save({"t": t, "cpu": ember.ones(2)}, path)
    with zipfile.ZipFile(path) as zf:
        pkl = zf.read(next(n for n in zf.namelist() if n.endswith("data.pkl")))
    assert b"cuda:0" in pkl
    got = torch.load(path, map_location="cpu", weights_only=True)
    assert got["t"].tolist() == [[0, 1, 2], [3, 4, 5]] and got["cpu"].tolist() == [1, 1]
    back = ember.load(path)                       # a GPU is there: back on cuda:0
    assert back["t"].is_cuda and not back["cpu"].is_cuda and back["t"].tolist() == t.tolist()
    assert not ember.load(path, map_location="cpu")["t"].is_cuda
    assert ember.load(path, map_location="cuda")["cpu"].is_cuda


def test_torch_cuda_checkpoint_loads_on_the_fake_gpu(fake_cuda, tmp_path):
    path = tmp_path / "ck.pt"
    _torch_save_as_cuda({"w": torch.arange(4.0)}, path)
    assert ember.load(path)["w"].is_cuda
    assert not ember.load(path, map_location=lambda storage, loc: storage)["w"].is_cuda


def test_cuda_rng_is_seeded_by_manual_seed(fake_cuda):
    ember.manual_seed(3)
    a = ember.randn(4, device="cuda")
    ember.cuda.manual_seed(3)
    ember.manual_seed(3)
    b = ember.randn(4, device="cuda")
    assert a.is_cuda and a.tolist() == b.tolist()
