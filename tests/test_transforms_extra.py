"""ember.vision.transforms additions: colour ops, perspective, elastic, the auto-augment policies.

torchvision is not installed here, so references are: Pillow's ImageOps / ImageEnhance (what torchvision calls
for PIL images), values derived by hand, and torchvision's tensor algorithms written out with real PyTorch ops
(conv2d, grid_sample, torch's random draws in torchvision's order).
"""
import math

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

torch = pytest.importorskip("torch")


def _rgb(h=9, w=11, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (3, h, w), dtype=np.uint8)


def _pil(a):
    return Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)))


def _chw(img):
    return np.asarray(img).transpose(2, 0, 1)


def _t(a):
    return ember.tensor(np.ascontiguousarray(a))


RAMP = np.arange(256, dtype=np.uint8).reshape(1, 16, 16).repeat(3, 0)    # every uint8 value once per channel


# ---------------------------------------------------------------- colour ops: hand-derived and PIL

def test_posterize_solarize_invert_by_hand_and_pil():
    v = RAMP.astype(np.int64)
    np.testing.assert_array_equal(F.posterize(_t(RAMP), 3).numpy(), v & 0b11100000)
    np.testing.assert_array_equal(F.posterize(_t(RAMP), 0).numpy(), np.zeros_like(RAMP))
    np.testing.assert_array_equal(F.posterize(_t(RAMP), 8).numpy(), RAMP)
    np.testing.assert_array_equal(F.solarize(_t(RAMP), 128).numpy(), np.where(v >= 128, 255 - v, v))
    np.testing.assert_array_equal(F.invert(_t(RAMP)).numpy(), 255 - v)
    img = _rgb()
    for fn, args, pil_fn in [(F.posterize, (3,), ImageOps.posterize), (F.solarize, (100,), ImageOps.solarize),
                             (F.invert, (), ImageOps.invert), (F.equalize, (), ImageOps.equalize)]:
        expected = _chw(pil_fn(_pil(img), *args))
        np.testing.assert_array_equal(_chw(fn(_pil(img), *args)), expected)
        np.testing.assert_array_equal(fn(_t(img), *args).numpy(), expected)        # tensor path == PIL path
    f = RAMP.astype(np.float32) / 255
    np.testing.assert_allclose(F.invert(_t(f)).numpy(), 1 - f)
    np.testing.assert_allclose(F.solarize(_t(f), 0.5).numpy(), np.where(f >= 0.5, 1 - f, f))


def test_equalize_matches_pil_on_skewed_histograms_and_batches():
    rng = np.random.default_rng(1)
    skewed = (rng.beta(2, 8, (3, 12, 10)) * 255).astype(np.uint8)
    constant = np.full((3, 4, 5), 7, np.uint8)
    for img in (skewed, constant, RAMP):
        np.testing.assert_array_equal(F.equalize(_t(img)).numpy(), _chw(ImageOps.equalize(_pil(img))))
    batch = np.stack([skewed, skewed[:, ::-1].copy()])
    out = F.equalize(_t(batch)).numpy()
    for k in range(2):
        np.testing.assert_array_equal(out[k], _chw(ImageOps.equalize(_pil(batch[k]))))
    np.testing.assert_array_equal(F.equalize(_t(constant)).numpy(), constant)     # step 0: unchanged


def _torch_sharpness(img, factor):
    """torchvision's tensor kernel written with torch: 3x3 SMOOTH kernel on the interior (rounded for integer
    images), then blended with the image and clamped."""
    fp = img.is_floating_point()
    kernel = torch.ones((3, 3), dtype=img.dtype if fp else torch.float32)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    kernel = kernel.expand(img.shape[-3], 1, 3, 3)
    blurred = torch.nn.functional.conv2d(img.to(kernel.dtype)[None], kernel, groups=img.shape[-3])[0]
    degenerate = img.clone()
    degenerate[..., 1:-1, 1:-1] = (blurred if fp else torch.round(blurred)).to(img.dtype)
    return (factor * img + (1.0 - factor) * degenerate).clamp(0, 1.0 if fp else 255).to(img.dtype)


def test_adjust_sharpness_against_torch_and_pil():
    img = _rgb(10, 12, seed=2)
    for factor in (0.0, 0.4, 1.0, 2.5):
        ours = F.adjust_sharpness(_t(img), factor).numpy().astype(int)
        ref = _torch_sharpness(torch.tensor(img), factor).numpy().astype(int)
        assert np.abs(ours - ref).max() <= 1 and (ours != ref).mean() < 0.01
        pil = _chw(ImageEnhance.Sharpness(_pil(img)).enhance(factor)).astype(int)
        np.testing.assert_array_equal(_chw(F.adjust_sharpness(_pil(img), factor)), pil)
        assert np.abs(ours - pil).max() <= 1          # PIL rounds its blend, torchvision truncates
    tiny = _t(img[:, :2, :5])
    assert F.adjust_sharpness(tiny, 2.0) is tiny                                 # too small to have an interior
    f = img.astype(np.float32) / 255
    ref = _torch_sharpness(torch.tensor(f), 1.8).numpy()
    np.testing.assert_allclose(F.adjust_sharpness(_t(f), 1.8).numpy(), ref, atol=1e-6)
    with pytest.raises(ValueError, match=r"sharpness_factor \(-1\) is not non-negative"):
        F.adjust_sharpness(_t(img), -1)


def _torch_autocontrast(img):
    bound = 1.0 if img.is_floating_point() else 255
    dtype = img.dtype if img.is_floating_point() else torch.float32
    minimum = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    maximum = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = bound / (maximum - minimum)
    eq = torch.isfinite(scale).logical_not()
    minimum[eq] = 0
    scale[eq] = 1
    return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)


def test_autocontrast_against_torch_and_pil():
    img = (_rgb(8, 9, seed=3) // 3 + 40).astype(np.uint8)
    img[1] = 77                                                                   # a constant channel stays
    ours = F.autocontrast(_t(img)).numpy()
    np.testing.assert_array_equal(ours, _torch_autocontrast(torch.tensor(img)).numpy())
    pil = _chw(ImageOps.autocontrast(_pil(img)))
    np.testing.assert_array_equal(_chw(F.autocontrast(_pil(img))), pil)
    assert np.abs(ours.astype(int) - pil).max() <= 1
    # the float32 scale (reciprocal * 255) can leave the brightest pixel at 254, in torchvision too
    assert ours[0].min() == 0 and ours[0].max() >= 254 and (ours[1] == 77).all()
    f = img.astype(np.float64) / 255
    np.testing.assert_allclose(F.autocontrast(_t(f)).numpy(), _torch_autocontrast(torch.tensor(f)).numpy())


def test_adjust_gamma_against_torch_and_pil():
    img = _rgb(6, 7, seed=4)
    for gamma, gain in ((0.5, 1.0), (2.2, 0.9)):
        t = torch.tensor(img).float() / 255
        ref = (gain * t ** gamma).clamp(0, 1).mul(255.999).to(torch.uint8)      # convert_image_dtype both ways
        np.testing.assert_array_equal(F.adjust_gamma(_t(img), gamma, gain).numpy(), ref.numpy())
        table = [int(255.999 * gain * (v / 255.0) ** gamma) for v in range(256)]
        np.testing.assert_array_equal(_chw(F.adjust_gamma(_pil(img), gamma, gain)), np.asarray(table)[img])
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number"):
        F.adjust_gamma(_t(img), -1)


def test_colour_op_errors():
    img = _t(_rgb())
    with pytest.raises(ValueError, match="The number if bits should be between 0 and 8. Got 9"):
        F.posterize(img, 9)
    with pytest.raises(TypeError, match="Only torch.uint8 image tensors are supported, but found torch.float32"):
        F.posterize(img.float(), 3)
    with pytest.raises(TypeError, match="Threshold should be less than bound of img"):
        F.solarize(img.float() / 255, 2.0)
    with pytest.raises(TypeError, match="Input image tensor should have 3 or 4 dimensions, but found 5"):
        F.equalize(_t(np.zeros((1, 1, 3, 4, 4), np.uint8)))
    with pytest.raises(TypeError, match=r"permitted channel values are \[1, 3\], but found 2"):
        F.autocontrast(_t(np.zeros((2, 4, 4), np.uint8)))
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        F.invert(np.zeros((3, 4, 4)))


# ---------------------------------------------------------------- perspective and elastic: torch grid_sample

def _torch_grid_transform(img, grid, mode, fill):
    """torchvision's _apply_grid_transform with torch (a (C, H, W) uint8 image, a (1, H, W, 2) float32 grid)."""
    x = img[None].float()
    if fill is not None:
        x = torch.cat((x, torch.ones_like(x[:, :1])), 1)
    out = torch.nn.functional.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask, out = out[:, -1:].expand_as(out[:, :-1]), out[:, :-1]
        fill_img = torch.tensor(fill, dtype=out.dtype).view(1, -1, 1, 1).expand_as(out)
        if mode == "nearest":
            out = torch.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    return torch.round(out[0]).to(img.dtype)


def _torch_perspective_grid(coeffs, ow, oh):
    theta1 = torch.tensor([[[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]]])
    theta2 = torch.tensor([[[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]]])
    base = torch.empty(1, oh, ow, 3)
    base[..., 0].copy_(torch.linspace(0.5, ow - 0.5, steps=ow))
    base[..., 1].copy_(torch.linspace(0.5, oh - 0.5, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    g1 = base.view(1, oh * ow, 3).bmm(theta1.transpose(1, 2) / torch.tensor([0.5 * ow, 0.5 * oh]))
    g2 = base.view(1, oh * ow, 3).bmm(theta2.transpose(1, 2))
    return (g1 / g2 - 1.0).view(1, oh, ow, 2)


START = [[0, 0], [10, 0], [10, 8], [0, 8]]
END = [[1, 2], [9, 0], [10, 7], [2, 8]]


def test_perspective_coeffs_against_torch_lstsq():
    a = torch.zeros(8, 8, dtype=torch.float64)
    for i, (p1, p2) in enumerate(zip(END, START)):
        a[2 * i] = torch.tensor([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]])
        a[2 * i + 1] = torch.tensor([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]])
    b = torch.tensor(START, dtype=torch.float64).view(8)
    ref = torch.linalg.lstsq(a, b, driver="gels").solution.to(torch.float32).tolist()
    assert F._get_perspective_coeffs(START, END) == ref
    # the coefficients send every end point (output) to its start point (input)
    c = F._get_perspective_coeffs(START, END)
    for (x, y), (sx, sy) in zip(END, START):
        den = c[6] * x + c[7] * y + 1
        assert abs((c[0] * x + c[1] * y + c[2]) / den - sx) < 1e-4
        assert abs((c[3] * x + c[4] * y + c[5]) / den - sy) < 1e-4
    with pytest.raises(ValueError, match="Please provide exactly four corners, got 3 startpoints and 4 endpoints"):
        F._get_perspective_coeffs(START[:3], END)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill", [None, [10.0, 20.0, 30.0]])
def test_perspective_tensor_against_torch_grid_sample(mode, fill):
    img = _rgb()
    grid = _torch_perspective_grid(F._get_perspective_coeffs(START, END), 11, 9)
    ref = _torch_grid_transform(torch.tensor(img), grid, mode, fill).numpy()
    ours = F.perspective(_t(img), START, END, mode, fill).numpy()
    assert np.abs(ours.astype(int) - ref).max() <= 1 and (ours != ref).mean() < 0.02
    pil = F.perspective(_pil(img), START, END, mode, fill)         # PIL's own transform
    expected = _pil(img).transform((11, 9), Image.Transform.PERSPECTIVE, F._get_perspective_coeffs(START, END),
                                   Image.Resampling.BILINEAR if mode == "bilinear" else Image.Resampling.NEAREST,
                                   fillcolor=(10, 20, 30) if fill else 0)
    np.testing.assert_array_equal(np.asarray(pil), np.asarray(expected))


def test_perspective_identity_float_and_errors():
    img = _rgb().astype(np.float32) / 255
    corners = [[0, 0], [10, 0], [10, 8], [0, 8]]
    np.testing.assert_allclose(F.perspective(_t(img), corners, corners).numpy(), img, atol=1e-5)
    with pytest.raises(ValueError, match="Interpolation mode 'bicubic' is unsupported with Tensor input"):
        F.perspective(_t(img), START, END, T.InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match=r"'fill' cannot broadcast .* \(2 != 3\)"):
        F.perspective(_t(img), START, END, fill=[1.0, 2.0])


def test_elastic_transform_against_torch():
    img = _rgb(8, 10, seed=5)
    disp = (np.random.default_rng(6).random((1, 8, 10, 2), dtype=np.float32) - 0.5) * 0.3
    hw = [torch.linspace((-s + 1) / s, (s - 1) / s, s) for s in (8, 10)]
    gy, gx = torch.meshgrid(hw, indexing="ij")
    grid = torch.stack([gx, gy], -1).unsqueeze(0) + torch.tensor(disp)
    for mode, fill in (("bilinear", [5.0, 6.0, 7.0]), ("nearest", None)):
        ref = _torch_grid_transform(torch.tensor(img), grid, mode, fill).numpy()
        ours = F.elastic_transform(_t(img), _t(disp), mode, fill).numpy()
        assert np.abs(ours.astype(int) - ref).max() <= 1 and (ours != ref).mean() < 0.02
    out = F.elastic_transform(_pil(img), _t(disp))
    assert isinstance(out, Image.Image) and out.mode == "RGB"
    np.testing.assert_array_equal(_chw(out), F.elastic_transform(_t(img), _t(disp)).numpy())
    zero = F.elastic_transform(_t(img), ember.zeros(1, 8, 10, 2))             # no displacement: the image
    np.testing.assert_array_equal(zero.numpy(), img)
    with pytest.raises(ValueError, match=r"displacement shape should be \[1, 8, 10, 2\], but given \[1, 8, 9, 2\]"):
        F.elastic_transform(_t(img), ember.zeros(1, 8, 9, 2))
    with pytest.raises(TypeError, match="Argument displacement should be a Tensor"):
        F.elastic_transform(_t(img), disp)


# ---------------------------------------------------------------- random transforms: torchvision's draws

def test_random_perspective_params_follow_torchvision_draws():
    ember.manual_seed(3)
    torch.manual_seed(3)
    width, height, scale = 40, 30, 0.5
    start, end = T.RandomPerspective.get_params(width, height, scale)
    hw, hh = int(scale * (width // 2)), int(scale * (height // 2))

    def r(lo, hi):
        return int(torch.randint(lo, hi, size=(1,)).item())
    expected = [[r(0, hw + 1), r(0, hh + 1)], [r(width - hw - 1, width), r(0, hh + 1)],
                [r(width - hw - 1, width), r(height - hh - 1, height)], [r(0, hw + 1), r(height - hh - 1, height)]]
    assert end == expected and start == [[0, 0], [39, 0], [39, 29], [0, 29]]
    img = _rgb(30, 40)
    out = T.RandomPerspective(p=1.0, fill=9)(_t(img))
    assert out.shape == (3, 30, 40) and out.dtype == ember.uint8
    assert T.RandomPerspective(p=0.0)(_t(img)).numpy().tolist() == img.tolist()
    assert repr(T.RandomPerspective()) == "RandomPerspective(p=0.5)"


def test_random_colour_ops_probability_and_reprs():
    img = _t(_rgb())
    for tf, fn in [(T.RandomInvert(p=1.0), F.invert), (T.RandomPosterize(2, p=1.0), lambda x: F.posterize(x, 2)),
                   (T.RandomSolarize(90, p=1.0), lambda x: F.solarize(x, 90)),
                   (T.RandomAdjustSharpness(3, p=1.0), lambda x: F.adjust_sharpness(x, 3)),
                   (T.RandomAutocontrast(p=1.0), F.autocontrast), (T.RandomEqualize(p=1.0), F.equalize)]:
        np.testing.assert_array_equal(tf(img).numpy(), fn(img).numpy())
        tf.p = 0.0
        assert tf(img) is img
    ember.manual_seed(7)
    torch.manual_seed(7)
    decisions = [T.RandomInvert(p=0.3)(img) is not img for _ in range(20)]
    assert decisions == [torch.rand(1).item() < 0.3 for _ in range(20)]
    assert repr(T.RandomPosterize(3)) == "RandomPosterize(bits=3,p=0.5)"
    assert repr(T.RandomSolarize(192.0, p=0.2)) == "RandomSolarize(threshold=192.0,p=0.2)"
    assert repr(T.RandomAdjustSharpness(2)) == "RandomAdjustSharpness(sharpness_factor=2,p=0.5)"
    assert repr(T.RandomAutocontrast()) == "RandomAutocontrast(p=0.5)"
    assert repr(T.RandomEqualize(0.1)) == "RandomEqualize(p=0.1)"
    assert repr(T.RandomInvert()) == "RandomInvert(p=0.5)"


def test_random_resized_crop_params_follow_torchvision_draws():
    def reference(h, w, scale, ratio):
        log_ratio = torch.log(torch.tensor(ratio))
        for _ in range(10):
            target_area = h * w * torch.empty(1).uniform_(scale[0], scale[1]).item()
            aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            cw, ch = int(round(math.sqrt(target_area * aspect))), int(round(math.sqrt(target_area / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                return (torch.randint(0, h - ch + 1, size=(1,)).item(), torch.randint(0, w - cw + 1, size=(1,)).item(),
                        ch, cw)
        raise AssertionError("fallback not expected with these settings")
    img = _t(_rgb(30, 40))
    for seed in range(5):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        got = [T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(5)]
        assert got == [reference(30, 40, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(5)]


def test_elastic_transform_displacement_follows_torchvision():
    ember.manual_seed(2)
    torch.manual_seed(2)
    ours = T.ElasticTransform.get_params([4.0, 6.0], [1.0, 1.5], [12, 14]).numpy()
    size = [12, 14]
    parts = []
    for k, (alpha, sigma) in enumerate(zip([4.0, 6.0], [1.0, 1.5])):
        d = torch.rand([1, 1] + size) * 2 - 1
        ks = int(8 * sigma + 1)
        ks += 1 - ks % 2
        # torchvision blurs with kernel [ks, ks] and sigma [1.0, 1.5] (the whole list), reflect-padded
        sx, sy = 1.0, 1.5

        def kern(n, s):
            x = torch.linspace(-(n - 1) / 2, (n - 1) / 2, n)
            pdf = torch.exp(-0.5 * (x / s) ** 2)
            return pdf / pdf.sum()
        k2 = torch.outer(kern(ks, sy), kern(ks, sx))[None, None]
        d = torch.nn.functional.conv2d(torch.nn.functional.pad(d, [ks // 2] * 4, mode="reflect"), k2)
        parts.append(d * alpha / size[0 if k == 0 else 1])
    ref = torch.cat(parts, 1).permute(0, 2, 3, 1).numpy()
    assert ours.shape == (1, 12, 14, 2)
    np.testing.assert_allclose(ours, ref, atol=1e-6)
    tf = T.ElasticTransform(alpha=20.0, sigma=2.0, fill=3)
    assert repr(tf) == ("ElasticTransform(alpha=[20.0, 20.0], sigma=[2.0, 2.0], "
                        "interpolation=InterpolationMode.BILINEAR, fill=[3.0])")
    out = tf(_pil(_rgb(24, 20)))
    assert isinstance(out, Image.Image) and out.size == (20, 24)
    with pytest.raises(TypeError, match="alpha should be float or a sequence of floats. Got <class 'int'>"):
        T.ElasticTransform(alpha=50)


def test_linear_transformation_against_torch():
    rng = np.random.default_rng(8)
    m = rng.standard_normal((12, 12)).astype(np.float32)
    mean = rng.standard_normal(12).astype(np.float32)
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    tf = T.LinearTransformation(_t(m), _t(mean))
    ref = torch.mm(torch.tensor(x).view(-1, 12) - torch.tensor(mean), torch.tensor(m)).view(2, 3, 2, 2)
    np.testing.assert_allclose(tf(_t(x)).numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    assert repr(T.LinearTransformation(ember.eye(2), ember.zeros(2))) == \
        "LinearTransformation(transformation_matrix=[[1.0, 0.0], [0.0, 1.0]], mean_vector=[0.0, 0.0])"
    with pytest.raises(ValueError, match=r"transformation_matrix should be square. Got \(2, 3\) rectangular"):
        T.LinearTransformation(ember.zeros(2, 3), ember.zeros(2))
    with pytest.raises(ValueError, match="mean_vector should have the same length 3"):
        T.LinearTransformation(ember.eye(2), ember.zeros(3))
    with pytest.raises(ValueError, match="Input tensors should have the same dtype"):
        T.LinearTransformation(ember.eye(2), ember.zeros(2, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"incompatible shape.\[3 x 2 x 2\] != 2"):
        T.LinearTransformation(ember.eye(2), ember.zeros(2))(_t(x))


# ---------------------------------------------------------------- auto-augment policies

def test_auto_augment_draws_follow_torchvision():
    img = _t(_rgb(16, 20))
    for seed in range(4):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        policy_id, probs, signs = T.AutoAugment.get_params(25)
        assert policy_id == int(torch.randint(25, (1,)).item())
        np.testing.assert_array_equal(probs, torch.rand((2,)).numpy())
        np.testing.assert_array_equal(signs, torch.randint(2, (2,)).numpy())
    # RandAugment: op index, then a sign draw only for signed ops
    names = list(T.RandAugment()._augmentation_space(31, (16, 20)))
    signed = {n for n, (_, s) in T.RandAugment()._augmentation_space(31, (16, 20)).items() if s}
    ember.manual_seed(5)
    torch.manual_seed(5)
    picked = []
    original = T.autoaugment._apply_op
    try:
        T.autoaugment._apply_op = lambda img, name, magnitude, **kw: picked.append((name, magnitude)) or img
        T.RandAugment(num_ops=6)(img)
        T.TrivialAugmentWide()(img)
    finally:
        T.autoaugment._apply_op = original
    expected = []
    space = T.RandAugment()._augmentation_space(31, (16, 20))
    for _ in range(6):
        name = names[int(torch.randint(len(names), (1,)).item())]
        mags, is_signed = space[name]
        magnitude = float(mags[9]) if mags is not None else 0.0
        if is_signed and torch.randint(2, (1,)):
            magnitude *= -1.0
        expected.append((name, magnitude))
    wide = T.TrivialAugmentWide()._augmentation_space(31)
    name = list(wide)[int(torch.randint(len(wide), (1,)).item())]
    mags, is_signed = wide[name]
    magnitude = float(mags[int(torch.randint(len(mags), (1,)).item())]) if mags is not None else 0.0
    if is_signed and torch.randint(2, (1,)):
        magnitude *= -1.0
    expected.append((name, magnitude))
    assert [n for n, _ in picked] == [n for n, _ in expected]
    np.testing.assert_allclose([m for _, m in picked], [m for _, m in expected], rtol=1e-6)
    assert signed == {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
                      "Contrast", "Sharpness"}


def test_augmentation_space_magnitudes_match_torch():
    space = T.AutoAugment()._augmentation_space(10, (32, 48))
    np.testing.assert_allclose(space["TranslateX"][0], torch.linspace(0.0, 150.0 / 331.0 * 48, 10), rtol=1e-6)
    np.testing.assert_allclose(space["Solarize"][0], torch.linspace(255.0, 0.0, 10), rtol=1e-6)
    assert space["Posterize"][0] == (8 - (torch.arange(10) / ((10 - 1) / 4)).round().int()).tolist()
    wide = T.TrivialAugmentWide()._augmentation_space(31)
    assert wide["Posterize"][0] == (8 - (torch.arange(31) / ((31 - 1) / 6)).round().int()).tolist()
    mix = T.AugMix()._augmentation_space(10, (32, 48))
    assert mix["Posterize"][0] == (4 - (torch.arange(10) / ((10 - 1) / 4)).round().int()).tolist()
    assert len(mix) == 13 and len(T.AugMix(all_ops=False)._augmentation_space(10, (32, 48))) == 9


def test_auto_augment_outputs_reprs_and_errors():
    a = _rgb(16, 20)
    for tf in (T.AutoAugment(), T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=[1, 2, 3]),
               T.AutoAugment(T.AutoAugmentPolicy.SVHN), T.RandAugment(num_ops=3), T.TrivialAugmentWide(),
               T.AugMix(), T.AugMix(chain_depth=2, all_ops=False)):
        ember.manual_seed(1)
        out_t = tf(_t(a))
        ember.manual_seed(1)
        out_again = tf(_t(a))
        np.testing.assert_array_equal(out_t.numpy(), out_again.numpy())           # seeded: reproducible
        assert out_t.shape == (3, 16, 20) and out_t.dtype == ember.uint8
        out_p = tf(_pil(a))
        assert isinstance(out_p, Image.Image) and out_p.size == (20, 16)
        assert tf(_t(np.stack([a, a]))).shape == (2, 3, 16, 20)
    assert repr(T.AutoAugment()) == "AutoAugment(policy=AutoAugmentPolicy.IMAGENET, fill=None)"
    assert repr(T.RandAugment()) == ("RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31, "
                                     "interpolation=InterpolationMode.NEAREST, fill=None)")
    assert repr(T.TrivialAugmentWide()) == ("TrivialAugmentWide(num_magnitude_bins=31, "
                                            "interpolation=InterpolationMode.NEAREST, fill=None)")
    assert repr(T.AugMix()) == ("AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True, "
                                "interpolation=InterpolationMode.BILINEAR, fill=None)")
    with pytest.raises(ValueError, match=r"The severity must be between \[1, 10\]. Got 11 instead."):
        T.AugMix(severity=11)
    with pytest.raises(ValueError, match="The provided policy imagenet is not recognized"):
        T.AutoAugment("imagenet")


def test_augmix_mixing_weights_follow_torch_dirichlet():
    from ember.vision.transforms import _rng
    for alphas, rows in (([1.0, 1.0], 1), ([1.0] * 3, 2), ([0.4, 0.4], 2), ([2.5, 0.3, 1.0], 1)):
        ember.manual_seed(4)
        torch.manual_seed(4)
        np.testing.assert_array_equal(_rng.dirichlet(alphas, rows),
                                      torch._sample_dirichlet(torch.tensor(alphas).expand(rows, -1)).numpy())
        assert ember.rand(3).tolist() == torch.rand(3).tolist()                    # the stream stays in step
    # identity chains: AugMix with only AutoContrast on an image that autocontrast leaves alone mixes to itself
    a = RAMP.copy()
    tf = T.AugMix(severity=1, mixture_width=2, chain_depth=1)
    tf._augmentation_space = lambda num_bins, size: {"AutoContrast": (None, False)}
    ember.manual_seed(0)
    out = tf(_t(a)).numpy().astype(int)
    assert np.abs(out - a).max() <= 1                     # weights sum to 1; truncation may lose one step


def test_v1_random_choice_and_order_draw_from_python_random():
    import random
    double, add = T.Lambda(lambda v: v * 2), T.Lambda(lambda v: v + 1)
    random.seed(3)
    picks = [T.RandomChoice([double, add], p=[0.3, 0.7])(10) for _ in range(12)]
    random.seed(3)
    assert picks == [(20, 11)[random.choices([0, 1], weights=[0.3, 0.7])[0]] for _ in range(12)]
    random.seed(5)
    results = [T.RandomOrder([double, add])(10) for _ in range(12)]
    random.seed(5)
    expected = []
    for _ in range(12):
        order = [0, 1]
        random.shuffle(order)
        expected.append(22 if order == [1, 0] else 21)       # add first: (10 + 1) * 2; double first: 10 * 2 + 1
    assert results == expected
