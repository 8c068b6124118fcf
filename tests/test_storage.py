"""torch.storage: UntypedStorage / TypedStorage / the legacy FloatStorage ... classes, Tensor.untyped_storage(),
storage(), storage_type(), set_ with storages, is_storage; side by side with PyTorch."""
import re
import warnings

import numpy as np
import pytest
import torch

import ember

DEPRECATION = ("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
               "storage class. This should only matter to you if you are using storages directly.  To access "
               "UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()")


@pytest.fixture(autouse=True)
def _quiet_typed_storage():
    """The deprecation warning is tested on its own; elsewhere it is silenced in both libraries."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="TypedStorage is deprecated")
        yield


def pair(data, dtype="float32"):
    a = np.asarray(data, dtype=dtype)
    return ember.tensor(a), torch.tensor(a)


def errors_alike(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    assert str(te.value).split("\n")[0] in str(ee.value)


def test_untyped_storage_metadata_and_bytes():
    e, t = pair([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    se, st = e.untyped_storage(), t.untyped_storage()
    assert type(se) is ember.UntypedStorage
    for f in (lambda s: s.nbytes(), lambda s: s.size(), len, lambda s: s.element_size(), lambda s: str(s.device),
              lambda s: s.tolist(), lambda s: s[4], lambda s: s[-1], lambda s: s[4:8].tolist(), lambda s: s.is_cuda,
              lambda s: s.get_device(), lambda s: s.type(), list, repr, lambda s: s[30:40].nbytes(),
              lambda s: s[4:8].data_ptr() - s.data_ptr()):
        assert f(se) == f(st)
    assert se.data_ptr() == e.data_ptr()


def test_views_share_storage_and_copies_do_not():
    x = ember.arange(12.0)
    ptr = x.untyped_storage().data_ptr()
    for v in (x[1:], x[::3], x.view(3, 4).t(), x.view(3, 4)[1], x.reshape(2, 6), x.detach(), x.data,
              x.view(ember.int32), x.view(3, 4).unsqueeze(0).expand(2, 3, 4)):
        assert v.untyped_storage().data_ptr() == ptr and v.untyped_storage().nbytes() == 48
    for c in (x.clone(), x[::2].contiguous(), x + 0, x.view(3, 4).t().contiguous()):
        assert c.untyped_storage().data_ptr() != ptr
    assert x[2:].storage_offset() == 2 and x[2:].data_ptr() - ptr == 8
    n = np.arange(6.0)
    assert ember.from_numpy(n).untyped_storage().data_ptr() == ember.from_numpy(n[2:]).untyped_storage().data_ptr()
    for lib in (ember, torch):    # the storage of a channels-last copy is its NHWC block
        assert lib.zeros(2, 3, 4, 5).contiguous(memory_format=lib.channels_last).untyped_storage().nbytes() == 480


def test_writes_through_storages_reach_the_tensors():
    e, t = pair([0, 0, 0, 0], "uint8")
    for s in (e.untyped_storage(), t.untyped_storage()):
        s[0] = 255
        s[1] = 256                  # modulo 256
        s[2] = -1
        s[3] = True
    assert e.tolist() == t.tolist() == [255, 0, 255, 1]
    for s in (e.untyped_storage(), t.untyped_storage()):
        s[1:3] = 7
    assert e.tolist() == t.tolist()
    e.untyped_storage().fill_(300)
    t.untyped_storage().fill_(300)
    assert e.tolist() == t.tolist() == [44] * 4
    src_e, src_t = pair([1, 2, 3, 4], "uint8")
    e.untyped_storage().copy_(src_e.untyped_storage())
    t.untyped_storage().copy_(src_t.untyped_storage())
    assert e.tolist() == t.tolist() == [1, 2, 3, 4]
    f = ember.zeros(2)
    f.untyped_storage()[3] = 63                        # the high byte of float32 1.875
    f.untyped_storage()[2] = 240
    assert f.tolist() == [1.875, 0.0]


def test_untyped_storage_errors():
    e, t = pair([1.0, 2.0])
    cases = [lambda s: s[100], lambda s: s[::2], lambda s: s["a"], lambda s: s[1.0],
             lambda s: s.__setitem__(0, 1.7), lambda s: s.__setitem__("a", 1), lambda s: s.__setitem__(10, 1),
             lambda s: s.copy_(type(s)([1, 2, 3]))]
    for f in cases:
        errors_alike(lambda: f(e.untyped_storage()), lambda: f(t.untyped_storage()))
    errors_alike(lambda: ember.UntypedStorage(3.5), lambda: torch.UntypedStorage(3.5))
    errors_alike(lambda: ember.UntypedStorage("ab"), lambda: torch.UntypedStorage("ab"))


def test_untyped_storage_constructors_and_copies():
    for args in ((), ([1, 2, 300, -1],), ([],)):
        se, st = ember.UntypedStorage(*args), torch.UntypedStorage(*args)
        assert se.tolist() == st.tolist() and repr(se) == repr(st)
    assert ember.UntypedStorage(24).nbytes() == 24 and str(ember.UntypedStorage(2).device) == "cpu"
    s = ember.UntypedStorage([1, 2, 3])
    c = s.clone()
    c[0] = 9
    assert s[0] == 1 and c.data_ptr() != s.data_ptr() and s.cpu() is s
    assert s.float().tolist() == torch.UntypedStorage([1, 2, 3]).float().tolist() == [1.0, 2.0, 3.0]
    assert s.bool().tolist() == [True, True, True] and type(s.float()) is ember.TypedStorage


def test_typed_storage_warns_once_as_torch():
    e, t = pair([1.0, 2.0])
    for lib, x in ((ember, e), (torch, t)):
        lib.storage._reset_warn_typed_storage_removal()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s = x.storage()
            s.size()
            len(s)
            x.storage_type()
        assert [str(m.message) for m in w] == [DEPRECATION] and w[0].category is UserWarning
        assert w[0].filename == __file__                   # points at the caller
        lib.storage._reset_warn_typed_storage_removal()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.FloatStorage(2)
        assert len(w) == 1


def test_typed_storage_from_tensor():
    e, t = pair([1.5, 2.0, -3.0, 4.0, 5.0, 6.25])
    se, st = e.storage(), t.storage()
    assert type(se) is ember.TypedStorage
    for f in (lambda s: str(s.dtype), lambda s: s.size(), len, lambda s: s.nbytes(), lambda s: s.element_size(),
              lambda s: s[2], lambda s: s[-1], lambda s: s.tolist(), list, repr, lambda s: s.type(),
              lambda s: s.pickle_storage_type(), lambda s: s.int().tolist(), lambda s: s.double().tolist(),
              lambda s: str(s.device), lambda s: s.is_cuda, lambda s: s.untyped().nbytes()):
        assert f(se) == f(st)
    assert isinstance(se, ember.FloatStorage) and not isinstance(se, ember.DoubleStorage)
    assert isinstance(se, ember.TypedStorage) and not isinstance(se, ember.UntypedStorage)
    assert e.storage_type() is ember.FloatStorage and t.storage_type() is torch.FloatStorage
    assert ember.zeros(1, dtype=ember.int64).storage_type() is ember.LongStorage
    assert se.data_ptr() == e.data_ptr() == e[1:].storage().data_ptr()
    assert se.untyped().data_ptr() == e.untyped_storage().data_ptr()
    assert se.float().data_ptr() != se.data_ptr()           # a conversion copies, even to the same dtype
    se[0] = 9
    st[0] = 9
    se[1:3] = 0.5
    st[1:3] = 0.5
    assert e.tolist() == t.tolist()
    se.fill_(7)
    st.fill_(7)
    assert e.tolist() == t.tolist() == [7.0] * 6
    se.copy_(ember.FloatStorage([1, 2, 3, 4, 5, 6]))
    assert e.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    cases = [lambda s: s[1:2], lambda s: s[10], lambda s: s[-7], lambda s: s["a"], lambda s: s.__setitem__(1.0, 3),
             lambda s: s.__setitem__(0, s)]
    for f in cases:
        errors_alike(lambda: f(se), lambda: f(st))


@pytest.mark.parametrize("name", ["FloatStorage", "DoubleStorage", "LongStorage", "IntStorage", "ByteStorage",
                                  "BoolStorage", "HalfStorage", "BFloat16Storage", "CharStorage", "ShortStorage",
                                  "ComplexFloatStorage", "ComplexDoubleStorage"])
def test_legacy_classes(name):
    ce, ct = getattr(ember, name), getattr(torch, name)
    assert str(ce.dtype) == str(ct.dtype)
    data = [1, 0, 1] if name == "BoolStorage" else [1, 2, 3]
    se, st = ce(data), ct(data)
    assert type(se) is ember.TypedStorage and isinstance(se, ce)
    assert repr(se) == repr(st) and se.tolist() == st.tolist()
    assert ce(4).size() == ct(4).size() == 4 and ce().size() == 0
    wrapped = ce(wrap_storage=ember.UntypedStorage(2 * se.element_size()))
    assert wrapped.size() == 2 and isinstance(wrapped, ce)


def test_typed_storage_constructor_errors():
    u_e, u_t = ember.UntypedStorage(8), torch.UntypedStorage(8)
    for f in (lambda lib, u: lib.FloatStorage(3.5), lambda lib, u: lib.FloatStorage(1, 2),
              lambda lib, u: lib.FloatStorage(dtype=lib.float64), lambda lib, u: lib.FloatStorage(1, wrap_storage=u),
              lambda lib, u: lib.FloatStorage(wrap_storage=[1]), lambda lib, u: lib.TypedStorage(1, 2),
              lambda lib, u: lib.TypedStorage(1.5), lambda lib, u: lib.TypedStorage(wrap_storage=u),
              lambda lib, u: lib.TypedStorage(wrap_storage=u, dtype=lib.float32, device="cpu")):
        errors_alike(lambda: f(ember, u_e), lambda: f(torch, u_t))
    for lib, u in ((ember, u_e), (torch, u_t)):
        assert lib.TypedStorage(wrap_storage=u, dtype=lib.int16).size() == 4
        assert lib.TypedStorage([1, 2], dtype=lib.int64).tolist() == [1, 2]
        assert lib.TypedStorage(3).dtype == lib.float32 and lib.TypedStorage(2, dtype=lib.float64).nbytes() == 16


def test_set_with_storages():
    for lib in (ember, torch):
        x = lib.arange(12, dtype=lib.float32)
        y = lib.empty(0)
        assert y.set_(x.untyped_storage(), 2, (2, 3), (3, 1)) is y
        assert y.tolist() == [[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]] and y.stride() == (3, 1)
        assert y.storage_offset() == 2 and (y._version if lib is torch else y._version_number) == 1
        y[0, 0] = 100
        assert x[2].item() == 100.0
        z = lib.empty(0).set_(source=x.untyped_storage(), storage_offset=1, size=(2, 2), stride=(1, 2))
        assert z.tolist() == [[1.0, 3.0], [100.0, 4.0]]
        assert lib.empty(0).set_(x.untyped_storage()).shape == (12,)
        assert lib.empty(0).set_(x.storage()).shape == (12,)
        assert lib.empty(0).set_(x.untyped_storage(), 0, (4,)).tolist() == [0.0, 1.0, 100.0, 3.0]
        assert lib.empty(0, dtype=lib.float64).set_(x.untyped_storage()).shape == (6,)
        w = lib.empty(0, dtype=lib.int32).set_(x, 0, (3,))            # a tensor's storage, reinterpreted
        assert w.tolist() == [0, 1065353216, 1120403456]
        assert lib.empty(0).set_(x[2:].view(2, 5)).storage_offset() == 2
        assert w.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


def test_set_errors():
    xe, xt = ember.arange(6, dtype=ember.float32), torch.arange(6, dtype=torch.float32)
    cases = [lambda lib, x: lib.empty(0, dtype=lib.int64).set_(x.storage()),
             lambda lib, x: lib.empty(0, dtype=lib.float16).set_(x.storage()),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), -1, (2,)),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), 0, (2,), (-1,)),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), 0, (2, 3), (1,)),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), 0),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), 0, 4),
             lambda lib, x: lib.empty(0).set_(x.untyped_storage(), 0, (4,), (1,), 1),
             lambda lib, x: lib.zeros(3, requires_grad=True).set_(x.untyped_storage()),
             lambda lib, x: lib.empty(0).set_(1)]
    for f in cases:
        errors_alike(lambda: f(ember, xe), lambda: f(torch, xt))
    n = np.arange(6, dtype=np.float32)          # a storage PyTorch cannot grow either
    with pytest.raises(RuntimeError, match=re.escape("out of bounds for storage of size 24")):
        ember.empty(0).set_(ember.from_numpy(n).untyped_storage(), 0, (40,))
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True)
        w.set_(xe.untyped_storage(), 0, (2,))
    assert w.requires_grad and w.tolist() == [0.0, 1.0]


def test_is_storage():
    e, t = pair([1.0])
    for lib, x in ((ember, e), (torch, t)):
        assert lib.is_storage(x.untyped_storage()) and lib.is_storage(x.storage())
        assert not lib.is_storage(x) and not lib.is_storage(lib.FloatStorage) and not lib.is_storage([1])
