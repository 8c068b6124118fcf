"""ember.vision.transforms: every transform's output against Pillow, NumPy by hand, or real PyTorch."""
import numpy as np
import pytest
from PIL import Image, ImageEnhance

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

torch = pytest.importorskip("torch")


def _rgb(h=12, w=16, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _pil(h=12, w=16, seed=0):
    return Image.fromarray(_rgb(h, w, seed))


def _t(a):
    return ember.tensor(np.ascontiguousarray(a))


def _chw(img):
    return np.asarray(img).transpose(2, 0, 1)


# ---------------------------------------------------------------- conversion

def test_to_tensor_pil_and_ndarray():
    arr = _rgb()
    x = T.ToTensor()(Image.fromarray(arr))
    assert tuple(x.shape) == (3, 12, 16) and x.dtype == ember.float32
    np.testing.assert_array_equal(x.numpy(), arr.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    gray = T.ToTensor()(Image.fromarray(arr[:, :, 0]))
    assert tuple(gray.shape) == (1, 12, 16)
    np.testing.assert_array_equal(T.ToTensor()(arr).numpy(), x.numpy())
    f = np.ones((2, 3), np.float64) * 7          # non-uint8 arrays keep their values and dtype
    out = T.ToTensor()(f)
    assert tuple(out.shape) == (1, 2, 3) and out.dtype == ember.float64 and float(out[0, 0, 0]) == 7.0
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([1, 2])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 1, 1, 1), np.uint8))


def test_pil_to_tensor_and_to_pil_image_round_trip():
    arr = _rgb()
    u = T.PILToTensor()(Image.fromarray(arr))
    assert u.dtype == ember.uint8
    np.testing.assert_array_equal(u.numpy(), arr.transpose(2, 0, 1))
    back = T.ToPILImage()(u)
    assert back.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(back), arr)
    f = ember.tensor([[[0.0, 0.5, 0.999, 1.0]]])
    img = T.ToPILImage()(f)
    assert img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), [[0, 127, 254, 255]])     # mul(255) then truncation
    assert T.ToPILImage(mode="F")(f).mode == "F"
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        T.ToPILImage()(ember.zeros(3))
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.ToPILImage("L")) == "ToPILImage(mode=L)"


def test_convert_image_dtype():
    u = _t(np.array([[[0, 128, 255]]], np.uint8))
    f = T.ConvertImageDtype(ember.float32)(u)
    np.testing.assert_array_equal(f.numpy(), np.array([[[0, 128, 255]]], np.float32) / 255)
    back = T.ConvertImageDtype(ember.uint8)(f)
    np.testing.assert_array_equal(back.numpy(), [[[0, 128, 255]]])
    wide = F.convert_image_dtype(u, ember.int16)
    np.testing.assert_array_equal(wide.numpy(), [[[0, 128 * 128, 255 * 128]]])
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int32 cannot be performed safely."):
        F.convert_image_dtype(f, ember.int32)


# ---------------------------------------------------------------- normalize

def test_normalize_values_batches_and_errors():
    x = T.ToTensor()(_pil())
    out = T.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.5))(x)
    ref = (torch.from_numpy(x.numpy()) - torch.tensor([0.5, 0.4, 0.3]).view(3, 1, 1)) / torch.tensor([0.2, 0.25, 0.5]).view(3, 1, 1)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), T.ToTensor()(_pil()).numpy())     # input untouched
    batch = ember.stack([x, x])
    np.testing.assert_allclose(T.Normalize([0.5] * 3, [0.2, 0.25, 0.5])(batch).numpy()[1][0], ref.numpy()[0], rtol=1e-6)
    one = T.Normalize(mean=0.5, std=0.5)(x)           # one value broadcasts over the channels
    np.testing.assert_allclose(one.numpy(), (x.numpy() - 0.5) / 0.5, rtol=1e-6)
    same = T.Normalize((0.5,) * 3, (0.5,) * 3, inplace=True)(x)
    assert same is x
    with pytest.raises(TypeError, match="img should be Tensor Image. Got <class 'PIL.Image.Image'>"):
        T.Normalize((0.5,), (0.5,))(_pil())
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        T.Normalize((0.5,), (0.5,))(T.PILToTensor()(_pil()))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        T.Normalize((0.5,), (0.0,))(x)


def test_normalize_three_values_on_one_channel_is_pytorch_error_plus_fix():
    mnist_like = T.ToTensor()(Image.fromarray(np.zeros((28, 28), np.uint8)))
    with pytest.raises(RuntimeError) as info:
        T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))(mnist_like)
    msg = str(info.value)
    assert msg.startswith("output with shape [1, 28, 28] doesn't match the broadcast shape [3, 28, 28]")
    assert "Normalize((0.5,), (0.5,))" in msg
    # the same wording real PyTorch gives for the in-place op torchvision runs
    with pytest.raises(RuntimeError, match=r"output with shape \[1, 28, 28\] doesn't match the broadcast shape \[3, 28, 28\]"):
        torch.zeros(1, 28, 28).sub_(torch.tensor([0.5, 0.5, 0.5]).view(-1, 1, 1))


# ---------------------------------------------------------------- geometry

def test_resize_pil_shorter_side_and_max_size():
    img = _pil(30, 40)
    out = T.Resize(15)(img)
    assert out.size == (20, 15)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((20, 15), Image.Resampling.BILINEAR)))
    assert T.Resize((10, 7))(img).size == (7, 10)
    assert T.Resize(15, max_size=18)(img).size == (18, 13)
    assert T.Resize(30)(img) is img                   # already the size: returned as is
    with pytest.raises(ValueError, match="max_size = 15 must be strictly greater than the requested size"):
        T.Resize(15, max_size=15)(img)
    near = T.Resize(15, interpolation=T.InterpolationMode.NEAREST)(img)
    np.testing.assert_array_equal(np.asarray(near), np.asarray(img.resize((20, 15), Image.Resampling.NEAREST)))
    assert T.Resize(15, interpolation=2).interpolation is T.InterpolationMode.BILINEAR   # PIL's old integer
    assert repr(T.Resize(255)) == "Resize(size=255, interpolation=bilinear, max_size=None, antialias=True)"


@pytest.mark.parametrize("mode,antialias", [("bilinear", True), ("bilinear", False), ("nearest", True),
                                            ("bicubic", True), ("bicubic", False)])
def test_resize_tensor_matches_torch_interpolate(mode, antialias):
    x = np.random.default_rng(1).random((2, 3, 30, 40), dtype=np.float32)
    out = F.resize(_t(x), [12, 17], interpolation=T.InterpolationMode(mode), antialias=antialias)
    kwargs = {} if mode == "nearest" else {"align_corners": False, "antialias": antialias}
    ref = torch.nn.functional.interpolate(torch.from_numpy(x), size=(12, 17), mode=mode, **kwargs)
    assert tuple(out.shape) == (2, 3, 12, 17)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=2e-5)
    up = F.resize(_t(x), [45, 50], interpolation=T.InterpolationMode(mode), antialias=antialias)
    ref_up = torch.nn.functional.interpolate(torch.from_numpy(x), size=(45, 50), mode=mode, **kwargs)
    np.testing.assert_allclose(up.numpy(), ref_up.numpy(), atol=2e-5)


def test_center_crop_pil_tensor_and_padding():
    arr = _rgb(12, 16)
    out = T.CenterCrop(8)(Image.fromarray(arr))
    np.testing.assert_array_equal(np.asarray(out), arr[2:10, 4:12])
    t = T.CenterCrop((8, 6))(_t(arr.transpose(2, 0, 1)))
    np.testing.assert_array_equal(t.numpy(), arr.transpose(2, 0, 1)[:, 2:10, 5:11])
    big = T.CenterCrop((14, 16))(_t(arr.transpose(2, 0, 1)))      # larger than the image: zero padding
    assert tuple(big.shape) == (3, 14, 16)
    np.testing.assert_array_equal(big.numpy()[:, 1:13], arr.transpose(2, 0, 1))
    assert big.numpy()[:, 0].sum() == 0 and big.numpy()[:, 13].sum() == 0
    assert repr(T.CenterCrop(224)) == "CenterCrop(size=(224, 224))"


def test_random_crop_padding_pad_if_needed_and_errors():
    arr = _rgb(12, 16)
    ember.manual_seed(3)
    a = T.RandomCrop(10, padding=4)(Image.fromarray(arr))
    ember.manual_seed(3)
    b = T.RandomCrop(10, padding=4)(Image.fromarray(arr))
    assert a.size == (10, 10)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    padded = np.pad(arr, ((4, 4), (4, 4), (0, 0)))
    hits = [(i, j) for i in range(11) for j in range(15)
            if np.array_equal(padded[i:i + 10, j:j + 10], np.asarray(a))]
    assert hits                                         # a genuine window of the padded image
    out = T.RandomCrop((20, 20), pad_if_needed=True, fill=7)(_t(arr.transpose(2, 0, 1)))
    assert tuple(out.shape) == (3, 20, 20) and (out.numpy() == 7).sum() > 0
    with pytest.raises(ValueError, match=r"Required crop size \(20, 20\) is larger than input image size \(12, 16\)"):
        T.RandomCrop(20)(Image.fromarray(arr))
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"


def test_random_resized_crop_params_and_output():
    img = _pil(60, 80)
    ember.manual_seed(0)
    for _ in range(20):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and i + h <= 60 and 0 <= j and j + w <= 80
        assert 0.08 * 4800 * 0.7 <= h * w <= 4800 and 3 / 4 * 0.8 <= w / h <= 4 / 3 * 1.25
    # impossible constraints: the 10 attempts fail and the central crop at the nearest ratio is used
    assert T.RandomResizedCrop.get_params(img, (2.0, 3.0), (1.0, 1.0)) == (0, 10, 60, 60)
    out = T.RandomResizedCrop(24)(img)
    assert out.size == (24, 24)
    t = T.RandomResizedCrop((8, 9))(_t(_chw(img)))
    assert tuple(t.shape) == (3, 8, 9) and t.dtype == ember.uint8
    assert repr(T.RandomResizedCrop(224)) == ("RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), "
                                              "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")


def test_flips():
    arr = _rgb()
    img = Image.fromarray(arr)
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(p=1.0)(img)), arr[:, ::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(p=1.0)(img)), arr[::-1])
    assert T.RandomHorizontalFlip(p=0.0)(img) is img
    t = _t(arr.transpose(2, 0, 1))
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(t).numpy(), arr.transpose(2, 0, 1)[:, :, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(t).numpy(), arr.transpose(2, 0, 1)[:, ::-1])
    ember.manual_seed(0)
    flips = sum(T.RandomHorizontalFlip()(t) is not t for _ in range(200))
    assert 60 < flips < 140
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"


def test_rotation_and_affine():
    arr = _rgb(10, 10)
    img = Image.fromarray(arr)
    rot = T.RandomRotation((90, 90))(img)              # counter-clockwise, as PIL and torchvision
    np.testing.assert_array_equal(np.asarray(rot), np.rot90(arr))
    t = _t(arr.transpose(2, 0, 1))
    np.testing.assert_array_equal(T.RandomRotation((90, 90))(t).numpy(), np.rot90(arr).transpose(2, 0, 1))
    wide = _pil(10, 20)
    expanded = T.RandomRotation((90, 90), expand=True)(wide)
    assert expanded.size == (10, 20)
    filled = F.rotate(_t(_chw(wide)), 45.0, fill=[255, 0, 0])
    assert tuple(filled.numpy()[:, 0, 0]) == (255, 0, 0)  # corners come from the fill
    assert repr(T.RandomRotation(30)) == "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)"
    shifted = F.affine(img, angle=0.0, translate=[3, 0], scale=1.0, shear=[0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(shifted)[:, 3:], arr[:, :-3])
    assert np.asarray(shifted)[:, :3].sum() == 0
    shifted_t = F.affine(t, angle=0.0, translate=[0, 2], scale=1.0, shear=0.0)
    np.testing.assert_array_equal(shifted_t.numpy()[:, 2:], arr.transpose(2, 0, 1)[:, :-2])
    assert T.RandomAffine(0)(img).size == img.size
    ember.manual_seed(5)
    out = T.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5)(t)
    assert tuple(out.shape) == (3, 10, 10)
    assert repr(T.RandomAffine(10, translate=(0.1, 0.1))) == "RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.1))"
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))


def test_pad_modes_and_values():
    arr = _rgb(4, 5)
    img = Image.fromarray(arr)
    out = T.Pad(2, fill=(1, 2, 3))(img)
    assert out.size == (9, 8) and tuple(np.asarray(out)[0, 0]) == (1, 2, 3)
    np.testing.assert_array_equal(np.asarray(out)[2:6, 2:7], arr)
    for mode in ("edge", "reflect", "symmetric"):
        np.testing.assert_array_equal(np.asarray(T.Pad((1, 2), padding_mode=mode)(img)),
                                      np.pad(arr, ((2, 2), (1, 1), (0, 0)), mode=mode))
        t = T.Pad([1, 2, 3, 1], padding_mode=mode)(_t(arr.transpose(2, 0, 1)))
        np.testing.assert_array_equal(t.numpy(), np.pad(arr.transpose(2, 0, 1), ((0, 0), (2, 1), (1, 3)), mode=mode))
    ref = torch.nn.functional.pad(torch.from_numpy(arr.transpose(2, 0, 1).astype(np.float32)), (1, 3, 2, 1), mode="reflect")
    np.testing.assert_array_equal(T.Pad([1, 2, 3, 1], padding_mode="reflect")(_t(arr.transpose(2, 0, 1).astype(np.float32))).numpy(), ref.numpy())
    assert repr(T.Pad(4)) == "Pad(padding=4, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="wrap")


def test_five_and_ten_crop():
    arr = _rgb(10, 12)
    crops = T.FiveCrop(4)(Image.fromarray(arr))
    expected = [arr[:4, :4], arr[:4, 8:], arr[6:, :4], arr[6:, 8:], arr[3:7, 4:8]]
    for c, e in zip(crops, expected):
        np.testing.assert_array_equal(np.asarray(c), e)
    ten = T.TenCrop(4)(_t(arr.transpose(2, 0, 1)))
    assert len(ten) == 10
    np.testing.assert_array_equal(ten[5].numpy(), arr[:4, ::-1][:, :4].transpose(2, 0, 1))
    with pytest.raises(ValueError, match=r"Requested crop size \(11, 11\) is bigger than input size \(10, 12\)"):
        T.FiveCrop(11)(Image.fromarray(arr))


# ---------------------------------------------------------------- colour

def test_color_adjustments_pil_match_imageenhance():
    img = _pil()
    for fn, enh in ((F.adjust_brightness, ImageEnhance.Brightness), (F.adjust_contrast, ImageEnhance.Contrast),
                    (F.adjust_saturation, ImageEnhance.Color)):
        np.testing.assert_array_equal(np.asarray(fn(img, 1.7)), np.asarray(enh(img).enhance(1.7)))
    np.testing.assert_array_equal(np.asarray(F.adjust_hue(img, 0.0)), np.asarray(img.convert("HSV").convert("RGB")))
    cj = T.ColorJitter(brightness=(2, 2))
    np.testing.assert_array_equal(np.asarray(cj(img)), np.asarray(ImageEnhance.Brightness(img).enhance(2.0)))
    assert repr(T.ColorJitter(0.2, 0.3)) == "ColorJitter(brightness=(0.8, 1.2), contrast=(0.7, 1.3), saturation=None, hue=None)"
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\), but got \[-0.7, 0.7\]."):
        T.ColorJitter(hue=0.7)


def test_color_adjustments_tensor():
    x = np.random.default_rng(2).random((3, 6, 7), dtype=np.float32)
    t = _t(x)
    np.testing.assert_allclose(F.adjust_brightness(t, 1.5).numpy(), np.clip(1.5 * x, 0, 1), rtol=1e-6)
    gray = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    np.testing.assert_allclose(F.rgb_to_grayscale(t).numpy()[0], gray, rtol=1e-5)
    np.testing.assert_allclose(F.adjust_contrast(t, 0.5).numpy(), np.clip(0.5 * x + 0.5 * gray.mean(), 0, 1), rtol=1e-5)
    np.testing.assert_allclose(F.adjust_saturation(t, 0.0).numpy(), np.broadcast_to(gray, x.shape), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(F.adjust_hue(t, 0.0).numpy(), x, atol=1e-6)      # HSV round trip
    shifted = F.adjust_hue(_t(np.array([[[1.0]], [[0.0]], [[0.0]]], np.float32)), 1 / 3)   # red -> green
    np.testing.assert_allclose(shifted.numpy()[:, 0, 0], [0, 1, 0], atol=1e-6)
    ember.manual_seed(1)
    out = T.ColorJitter(0.4, 0.4, 0.4, 0.1)(t)
    assert tuple(out.shape) == (3, 6, 7) and 0 <= float(out.min()) and float(out.max()) <= 1


def test_grayscale():
    img = _pil()
    g = T.Grayscale()(img)
    assert g.mode == "L"
    np.testing.assert_array_equal(np.asarray(g), np.asarray(img.convert("L")))
    g3 = T.Grayscale(num_output_channels=3)(img)
    assert g3.mode == "RGB" and (np.asarray(g3)[..., 0] == np.asarray(g)).all()
    assert T.RandomGrayscale(p=1.0)(img).mode == "RGB"
    t3 = T.RandomGrayscale(p=1.0)(T.ToTensor()(img))
    assert tuple(t3.shape) == (3, 12, 16)
    np.testing.assert_array_equal(t3.numpy()[0], t3.numpy()[2])
    assert repr(T.Grayscale()) == "Grayscale(num_output_channels=1)"


# ---------------------------------------------------------------- blur, erase

def test_gaussian_blur_matches_torch_conv():
    x = np.random.default_rng(3).random((3, 9, 11), dtype=np.float32)
    out = F.gaussian_blur(_t(x), [5, 3], [1.2, 0.7])
    def k1d(k, s):
        v = torch.linspace(-(k - 1) / 2, (k - 1) / 2, k)
        p = torch.exp(-0.5 * (v / s) ** 2)
        return p / p.sum()
    kernel = (k1d(3, 0.7)[:, None] * k1d(5, 1.2)[None, :]).expand(3, 1, 3, 5)
    padded = torch.nn.functional.pad(torch.from_numpy(x)[None], (2, 2, 1, 1), mode="reflect")
    ref = torch.nn.functional.conv2d(padded, kernel, groups=3)[0]
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-6)
    pil = T.GaussianBlur(3, sigma=(0.5, 0.5))(_pil())
    assert isinstance(pil, Image.Image) and pil.size == (16, 12)
    assert repr(T.GaussianBlur(3)) == "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"
    with pytest.raises(ValueError, match="Kernel size value should be an odd and positive number."):
        T.GaussianBlur(4)


def test_random_erasing():
    x = ember.ones(3, 20, 20)
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0)(x)
    zeros = out.numpy() == 0
    assert zeros.any() and float(x.sum()) == 1200.0        # not in place
    rows, cols = np.nonzero(zeros[0])
    assert zeros[:, rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()   # one rectangle, all channels
    rnd = T.RandomErasing(p=1.0, value="random")(x)
    assert (rnd.numpy() != 1).any()
    assert T.RandomErasing(p=0.0)(x) is x
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.RandomErasing(p=1.0)(_pil())
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")


# ---------------------------------------------------------------- composition

def test_compose_lambda_and_random_containers():
    tf = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    assert repr(tf) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)"
    double = T.Lambda(lambda v: v * 2)
    assert double(3) == 6 and repr(double) == "Lambda()"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    assert T.RandomApply([double], p=1.0)(3) == 6 and T.RandomApply([double], p=0.0)(3) == 3
    assert repr(T.RandomApply([double], p=0.3)) == "RandomApply(\n    p=0.3\n    Lambda()\n)"
    add = T.Lambda(lambda v: v + 1)
    ember.manual_seed(0)
    picks = {T.RandomChoice([double, add])(10) for _ in range(40)}
    assert picks == {20, 11}
    assert T.RandomChoice([double, add], p=[0, 1])(10) == 11
    ember.manual_seed(0)
    orders = {T.RandomOrder([double, add])(10) for _ in range(40)}
    assert orders == {21, 22}


def test_manual_seed_reproduces_augmentation():
    tf = T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(0.3, 0.3, 0.3, 0.05),
                    T.ToTensor(), T.RandomErasing(p=0.5)])
    img = _pil(20, 24)
    ember.manual_seed(11)
    a = [tf(img).numpy() for _ in range(5)]
    ember.manual_seed(11)
    b = [tf(img).numpy() for _ in range(5)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(a[0], x) for x in a[1:])


def test_batch_transform_equals_per_sample():
    imgs = np.random.default_rng(4).integers(0, 256, (6, 3, 10, 12), dtype=np.uint8)
    tf = T.Compose([T.Pad(1), T.CenterCrop(10), T.RandomHorizontalFlip(p=1.0), T.ToTensor(),
                    T.Normalize((0.1, 0.2, 0.3), (0.5, 0.5, 0.5)), T.ConvertImageDtype(ember.float64)])
    batch = T.batch_transform(tf, imgs)
    for k in range(6):
        single = tf(Image.fromarray(imgs[k].transpose(1, 2, 0)))
        np.testing.assert_array_equal(batch[k], single.numpy())
    crop = T.batch_transform(T.Compose([T.RandomCrop(8, padding=2), T.PILToTensor()]), imgs)
    assert crop.shape == (6, 3, 8, 8) and crop.dtype == np.uint8
    padded = np.pad(imgs, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for k in range(6):
        assert any(np.array_equal(padded[k, :, i:i + 8, j:j + 8], crop[k]) for i in range(7) for j in range(9))
    assert T.batch_transform(T.Compose([T.Resize(5), T.ToTensor()]), imgs) is None    # PIL-only step
    assert T.batch_transform(T.Compose([T.RandomHorizontalFlip()]), imgs) is None       # no tensor at the end
