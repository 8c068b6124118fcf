"""ember.save / ember.load: PyTorch's zip and legacy checkpoint formats, both directions with real PyTorch."""
import collections
import copy
import io
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
import torch

import ember


def _parameter_cls():
    from ember.nn.parameter import Parameter
    return Parameter

DTYPES = ["float32", "float64", "float16", "bfloat16", "complex64", "complex128", "uint8", "int8", "int16",
          "int32", "int64", "bool"]


def _values(t):
    """A tensor's values as a float64/complex128 NumPy array (torch or ember, any dtype)."""
    if isinstance(t, torch.Tensor):
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.detach().numpy().astype(np.complex128 if t.is_complex() else np.float64)
    a = np.asarray(t._data)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _sample(dtype_name, lib):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 10
    if dtype_name.startswith("complex"):
        a = a + 1j * rng.standard_normal((3, 4))
    if dtype_name == "bool":
        a = a > 0
    if dtype_name == "uint8":
        a = np.abs(a)
    dt = getattr(lib, dtype_name)
    if lib is torch:
        return torch.tensor(a).to(dt)
    return ember.tensor(a.tolist()).to(dt)


def _roundtrip_ember_to_torch(obj):
    b = io.BytesIO()
    ember.save(obj, b)
    b.seek(0)
    return torch.load(b, weights_only=True)


def _roundtrip_torch_to_ember(obj, **kw):
    b = io.BytesIO()
    torch.save(obj, b, **kw)
    b.seek(0)
    return ember.load(b)


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_ember_to_torch(name):
    t = _sample(name, ember)
    r = _roundtrip_ember_to_torch({"t": t, "col": t[:, 1]})
    assert r["t"].dtype == getattr(torch, name)
    np.testing.assert_array_equal(_values(r["t"]), _values(t))
    np.testing.assert_array_equal(_values(r["col"]), _values(t)[:, 1])


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_torch_to_ember(name):
    t = _sample(name, torch)
    r = _roundtrip_torch_to_ember({"t": t, "row": t[1], "tt": t.t()})
    assert r["t"].dtype is getattr(ember, name)
    assert r["tt"].shape == ember.Size([4, 3])
    np.testing.assert_array_equal(_values(r["t"]), _values(t))
    np.testing.assert_array_equal(_values(r["row"]), _values(t[1]))
    np.testing.assert_array_equal(_values(r["tt"]), _values(t.t()))


def test_views_share_one_storage_both_ways():
    base = ember.arange(12.).reshape(3, 4)
    b = io.BytesIO()
    ember.save([base, base[1], base[:, 2], base.t()], b)
    names = zipfile.ZipFile(io.BytesIO(b.getvalue())).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]     # saved once
    b.seek(0)
    r = torch.load(b)
    assert len({x.untyped_storage().data_ptr() for x in r}) == 1
    assert r[2].storage_offset() == 2 and r[2].stride() == (4,)
    r[0][1, 2] = 100.0                                                 # shared in torch too
    assert r[1][2] == 100.0 and r[2][1] == 100.0

    tb = torch.arange(12.).reshape(3, 4)
    e = _roundtrip_torch_to_ember([tb, tb[1:], tb[:, 1]])
    e[0]._data[2, 1] = -1.0
    assert e[1]._data[1, 1] == -1.0 and e[2]._data[2] == -1.0          # one storage after loading too
    np.testing.assert_array_equal(e[2].numpy(), [1.0, 5.0, -1.0])


def test_state_dict_with_metadata_parameters_and_optimizer_state():
    Parameter = _parameter_cls()
    sd = collections.OrderedDict([("fc.weight", Parameter(ember.ones(2, 3))), ("fc.bias", ember.zeros(2)),
                                  ("bn.num_batches_tracked", ember.tensor(7))])
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("fc", {"version": 1})])
    opt = {"state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.full((2, 3), 0.5)}},
           "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0, 1], "amsgrad": False,
                             "foreach": None}]}
    ck = {"model": sd, "optimizer": opt, "epoch": 5, "dtype": ember.float16, "device": ember.device("cpu"),
          "size": ember.Size([2, 3]), "misc": {1, 2}, "blob": b"\x00\xff", "c": 1 + 2j}
    r = _roundtrip_ember_to_torch(ck)
    assert isinstance(r["model"], collections.OrderedDict)
    assert r["model"]._metadata == {"": {"version": 1}, "fc": {"version": 1}}
    assert isinstance(r["model"]["fc.weight"], torch.nn.Parameter)
    assert r["model"]["bn.num_batches_tracked"].dtype == torch.int64
    assert r["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert r["dtype"] is torch.float16 and r["device"] == torch.device("cpu") and r["size"] == torch.Size([2, 3])
    assert r["misc"] == {1, 2} and r["blob"] == b"\x00\xff" and r["c"] == 1 + 2j

    e = _roundtrip_torch_to_ember(r)                                    # and back through torch.save
    assert isinstance(e["model"]["fc.weight"], Parameter) and e["model"]["fc.weight"].requires_grad
    assert e["model"]._metadata["fc"] == {"version": 1}
    assert e["dtype"] is ember.float16 and isinstance(e["size"], ember.Size) and e["device"] == ember.device("cpu")
    np.testing.assert_array_equal(e["optimizer"]["state"][0]["exp_avg"].numpy(), np.full((2, 3), 0.5, np.float32))
    assert e["optimizer"]["state"][0]["step"].item() == 3.0


def test_torch_model_state_dict_loads_in_ember():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Linear(4, 2))
    e = _roundtrip_torch_to_ember(m.state_dict())
    assert list(e) == list(m.state_dict())
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(_values(e[k]), _values(v))
    assert e._metadata["1"]["version"] == 2


def test_legacy_format_read_and_write():
    Parameter = _parameter_cls()
    t = torch.arange(6.0).reshape(2, 3)
    p = torch.nn.Parameter(torch.ones(2))
    e = _roundtrip_torch_to_ember({"t": t, "row": t[1], "i": torch.tensor([1, 2], dtype=torch.int16), "p": p},
                                  _use_new_zipfile_serialization=False)
    np.testing.assert_array_equal(e["t"].numpy(), t.numpy())
    np.testing.assert_array_equal(e["row"].numpy(), [3.0, 4.0, 5.0])
    assert e["i"].dtype is ember.int16
    assert isinstance(e["p"], Parameter) and e["p"].requires_grad
    np.testing.assert_array_equal(e["p"].detach().numpy(), [1.0, 1.0])

    b = io.BytesIO()
    ember.save({"t": ember.arange(4), "half": ember.ones(2, dtype=ember.float16)}, b,
               _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(io.BytesIO(b.getvalue()))
    b.seek(0)
    r = torch.load(b)
    assert r["t"].tolist() == [0, 1, 2, 3] and r["half"].dtype == torch.float16


def test_paths_pathlib_and_file_objects(tmp_path):
    t = ember.arange(5.0)
    ember.save(t, str(tmp_path / "a.pt"))
    ember.save(t, tmp_path / "b.pth")
    with open(tmp_path / "c.pt", "wb") as fh:
        ember.save(t, fh)
    for name in ("a.pt", "b.pth", "c.pt"):
        assert torch.load(tmp_path / name).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
        with open(tmp_path / name, "rb") as fh:
            assert ember.load(fh).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
        assert ember.load(pathlib.Path(tmp_path / name)).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]   # no temporary files left
    with pytest.raises(RuntimeError, match="Parent directory"):
        ember.save(t, tmp_path / "missing" / "x.pt")


def test_map_location_forms():
    b = io.BytesIO()
    torch.save({"w": torch.ones(2)}, b)
    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage, lambda s, loc: None):
        b.seek(0)
        r = ember.load(b, map_location=ml)
        assert r["w"].device == ember.device("cpu") and r["w"].tolist() == [1.0, 1.0]
    seen = []
    b.seek(0)
    ember.load(b, map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cpu"]


def test_cuda_location_without_gpu_says_map_location():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    b = io.BytesIO()
    ember.save(ember.ones(2), b)
    raw = b.getvalue()
    # Rewrite the saved location to 'cuda:0' (same length as 'cpu\x00'? no: rebuild the pickle) via torch's format.
    zin = zipfile.ZipFile(io.BytesIO(raw))
    pkl = zin.read("archive/data.pkl").replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, pkl if n.endswith("data.pkl") else zin.read(n))
    out.seek(0)
    with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
        ember.load(out)
    out.seek(0)
    assert ember.load(out, map_location="cpu").tolist() == [1.0, 1.0]
    out.seek(0)
    assert ember.load(out, map_location={"cuda:0": "cpu"}).tolist() == [1.0, 1.0]


def test_tensor_pickle_deepcopy_and_requires_grad():
    Parameter = _parameter_cls()
    t = ember.arange(6.0).reshape(2, 3)[:, 1]
    t2 = pickle.loads(pickle.dumps(t))
    assert t2.tolist() == [1.0, 4.0] and t2.dtype is ember.float32
    g = ember.ones(2, requires_grad=True)
    assert pickle.loads(pickle.dumps(g)).requires_grad
    p = Parameter(ember.ones(2))
    assert isinstance(pickle.loads(pickle.dumps(p)), Parameter)
    c = copy.deepcopy({"a": t})
    assert c["a"].tolist() == [1.0, 4.0]
    r = _roundtrip_ember_to_torch({"g": g})
    assert r["g"].requires_grad


def test_weights_only_false_loads_full_pickles():
    class_obj = collections.Counter("abca")
    b = io.BytesIO()
    ember.save({"c": class_obj, "frac": __import__("fractions").Fraction(1, 3)}, b)
    b.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(b)
    b.seek(0)
    r = ember.load(b, weights_only=False)
    assert r["frac"] == __import__("fractions").Fraction(1, 3) and r["c"]["a"] == 2


def test_weights_only_false_maps_torch_globals():
    b = io.BytesIO()
    torch.save({"t": torch.ones(2), "dt": torch.int64}, b)
    b.seek(0)
    r = ember.load(b, weights_only=False)
    assert r["dt"] is ember.int64 and r["t"].tolist() == [1.0, 1.0]


def test_empty_and_zero_dim_tensors():
    r = _roundtrip_ember_to_torch({"e": ember.zeros(0, 3), "s": ember.tensor(2.5), "i": ember.tensor(7)})
    assert r["e"].shape == (0, 3) and r["s"].item() == 2.5 and r["i"].dtype == torch.int64
    e = _roundtrip_torch_to_ember({"e": torch.zeros(0, 3), "s": torch.tensor(2.5), "x": torch.ones(2).expand(3, 2)})
    assert e["e"].shape == ember.Size([0, 3]) and e["s"].item() == 2.5
    assert e["x"].tolist() == [[1.0, 1.0]] * 3


def test_whole_modules_with_weights_only_false():
    _parameter_cls()
    m = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.ReLU())
    b = io.BytesIO()
    ember.save(m, b)
    b.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(b)                                             # a full pickle is refused by default
    b.seek(0)
    m2 = ember.load(b, weights_only=False)
    x = ember.ones(1, 2)
    np.testing.assert_allclose(m2(x).detach().numpy(), m(x).detach().numpy())
    # a module that torch pickled whole: its torch.nn classes map onto ember.nn
    tb = io.BytesIO()
    tm = torch.nn.Linear(2, 3)
    torch.save(tm, tb)
    tb.seek(0)
    em = ember.load(tb, weights_only=False)
    np.testing.assert_allclose(em(x).detach().numpy(), tm(torch.ones(1, 2)).detach().numpy(), rtol=1e-6)
