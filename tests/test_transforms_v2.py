"""ember.vision.transforms.v2 and ember.vision.tv_tensors.

torchvision is not installed here: box results are derived by hand (or with torch matrix products for rotated
corners), image results come from the v1 kernels the v2 layer dispatches to, and random parameters are checked
against torchvision's draw sequence written out with real torch calls.
"""
import collections
import math
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from PIL import Image as PILImage

import ember
from ember.vision import tv_tensors
from ember.vision.transforms import functional as F1
from ember.vision.transforms import v2
from ember.vision.transforms.v2 import functional as F

torch = pytest.importorskip("torch")


def _img(h=10, w=12, seed=0):
    return tv_tensors.Image(ember.tensor(np.random.default_rng(seed).integers(0, 256, (3, h, w), dtype=np.uint8)))


def _boxes(data, fmt="XYXY", canvas=(10, 12), dtype=None, **kw):
    return tv_tensors.BoundingBoxes(data, format=fmt, canvas_size=canvas, dtype=dtype, **kw)


# ---------------------------------------------------------------- tv_tensors

def test_tv_tensor_construction_and_reprs():
    pil = PILImage.fromarray(np.arange(24, dtype=np.uint8).reshape(2, 4, 3))
    image = tv_tensors.Image(pil)
    assert image.shape == (3, 2, 4) and image.dtype == ember.uint8
    assert tv_tensors.Image(ember.zeros(5, 6)).shape == (1, 5, 6)
    assert repr(tv_tensors.Image(ember.tensor([[1, 2]], dtype=ember.uint8))) == \
        "Image([[[1, 2]]], dtype=torch.uint8, )"
    mask = tv_tensors.Mask(pil)
    assert mask.shape == (2, 4) and mask.numpy().tolist() == np.asarray(pil)[..., 0].tolist()
    boxes = _boxes([0, 1, 5, 6], "xywh", dtype=ember.float32)
    assert boxes.shape == (1, 4) and boxes.format is tv_tensors.BoundingBoxFormat.XYWH
    assert repr(boxes) == ("BoundingBoxes([[0., 1., 5., 6.]], format=BoundingBoxFormat.XYWH, canvas_size=(10, 12), "
                           "clamping_mode=soft)")
    with pytest.raises(ValueError, match="Video expects data of shape"):
        tv_tensors.Video(ember.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="Image expects data of shape"):
        tv_tensors.Image(ember.zeros(4))
    with pytest.raises(ValueError, match="Expected a 1D or 2D tensor, got 3D"):
        _boxes(ember.zeros(1, 1, 4))
    with pytest.raises(ValueError, match="Unknown bounding box format 'XYZ'"):
        _boxes([0, 0, 1, 1], "XYZ")
    with pytest.raises(ValueError, match="clamping_mode must be None, hard or soft, got edge"):
        _boxes([0, 0, 1, 1], clamping_mode="edge")


def test_tv_tensor_ops_unwrap_except_clone_to_detach():
    image = _img()
    assert type(image + 1) is ember.Tensor and type(image.float() / 255) is ember.Tensor
    assert type(image.clone()) is tv_tensors.Image and type(image.to(ember.float32)) is tv_tensors.Image
    assert type(image.detach()) is tv_tensors.Image
    boxes = _boxes([[1, 2, 3, 4]])
    for copy in (boxes.clone(), boxes.to(ember.float64), pickle.loads(pickle.dumps(boxes)),
                 __import__("copy").deepcopy(boxes)):
        assert type(copy) is tv_tensors.BoundingBoxes and copy.canvas_size == (10, 12)
        assert copy.format is tv_tensors.BoundingBoxFormat.XYXY and copy.tolist() == [[1, 2, 3, 4]]
    wrapped = tv_tensors.wrap(ember.zeros(2, 4), like=boxes, canvas_size=(5, 5))
    assert type(wrapped) is tv_tensors.BoundingBoxes and wrapped.canvas_size == (5, 5)
    shared = tv_tensors.Image(image)
    shared[0, 0, 0] = 7                       # wrapping shares memory, as as_subclass does
    assert image[0, 0, 0].item() == 7
    assert type(pickle.loads(pickle.dumps(image))) is tv_tensors.Image


# ---------------------------------------------------------------- box formats and clamping (by hand)

def test_convert_bounding_box_format_by_hand():
    xyxy = _boxes([[1, 2, 5, 8]], dtype=ember.float32)
    xywh = F.convert_bounding_box_format(xyxy, new_format="XYWH")
    cxcywh = F.convert_bounding_box_format(xyxy, new_format=tv_tensors.BoundingBoxFormat.CXCYWH)
    assert xywh.tolist() == [[1, 2, 4, 6]] and xywh.format is tv_tensors.BoundingBoxFormat.XYWH
    assert cxcywh.tolist() == [[3, 5, 4, 6]]
    assert F.convert_bounding_box_format(cxcywh, new_format="XYXY").tolist() == [[1, 2, 5, 8]]
    # integer CXCYWH: the half width rounds up (x1 = cx - ceil(w / 2)), as in torchvision
    ints = ember.tensor([[3, 4, 5, 3]])
    assert F.convert_bounding_box_format(ints, old_format="CXCYWH", new_format="XYXY").tolist() == [[0, 2, 5, 5]]
    floats = ember.tensor([[3.0, 4.0, 5.0, 3.0]])
    assert F.convert_bounding_box_format(floats, old_format="CXCYWH", new_format="XYXY").tolist() == \
        [[0.5, 2.5, 5.5, 5.5]]
    with pytest.raises(ValueError, match="For pure tensor inputs, `old_format` has to be passed."):
        F.convert_bounding_box_format(ints, new_format="XYXY")
    with pytest.raises(ValueError, match="`old_format` must not be passed"):
        F.convert_bounding_box_format(xyxy, old_format="XYXY", new_format="XYWH")
    t = v2.ConvertBoundingBoxFormat("CXCYWH")
    assert t({"b": xyxy, "n": 3})["b"].tolist() == [[3, 5, 4, 6]]


def test_clamp_bounding_boxes():
    boxes = _boxes([[-3.0, 2.0, 15.0, 12.0], [1.0, 1.0, 4.0, 4.0]])
    assert F.clamp_bounding_boxes(boxes).tolist() == [[0, 2, 12, 10], [1, 1, 4, 4]]
    assert F.clamp_bounding_boxes(boxes, clamping_mode=None).tolist() == boxes.tolist()
    xywh = _boxes([[-2, -2, 6, 30]], "XYWH")
    assert F.clamp_bounding_boxes(xywh).tolist() == [[0, 0, 4, 10]]
    assert F.clamp_bounding_boxes(ember.tensor([[-1, 0, 20, 4]]), format="XYXY", canvas_size=(5, 8),
                                  clamping_mode="hard").tolist() == [[0, 0, 8, 4]]
    with pytest.raises(ValueError, match="For pure tensor inputs, `format`, `canvas_size` and `clamping_mode`"):
        F.clamp_bounding_boxes(ember.tensor([[0, 0, 1, 1]]))
    assert v2.ClampBoundingBoxes()(boxes).tolist() == [[0, 2, 12, 10], [1, 1, 4, 4]]
    assert repr(v2.ClampBoundingBoxes()) == "ClampBoundingBoxes(clamping_mode=auto)"


# ---------------------------------------------------------------- box kernels (by hand)

@pytest.mark.parametrize("fmt, data, flipped_h, flipped_v", [
    ("XYXY", [1, 2, 5, 8], [7, 2, 11, 8], [1, 2, 5, 8]),
    ("XYWH", [1, 2, 4, 6], [7, 2, 4, 6], [1, 2, 4, 6]),
    ("CXCYWH", [3, 5, 4, 6], [9, 5, 4, 6], [3, 5, 4, 6]),
])
def test_flip_boxes_every_format(fmt, data, flipped_h, flipped_v):
    boxes = _boxes([data], fmt, canvas=(10, 12))
    assert F.horizontal_flip(boxes).tolist() == [flipped_h]
    # vertical: y1' = H - y2 = 2, the box of rows 2..8 stays put on a height-10 canvas
    assert F.vertical_flip(boxes).tolist() == [flipped_v]
    twice = F.horizontal_flip(F.horizontal_flip(boxes))
    assert twice.tolist() == [data] and twice.canvas_size == (10, 12)


def test_resize_crop_pad_boxes_by_hand():
    boxes = _boxes([[2, 2, 6, 8]], canvas=(10, 12))
    resized = F.resize(boxes, [20, 36])
    assert resized.tolist() == [[6, 4, 18, 16]] and resized.canvas_size == (20, 36)
    short = F.resize(_boxes([[2.0, 2.0, 6.0, 8.0]]), [5])      # shorter side 10 -> 5: both ratios 0.5
    assert short.canvas_size == (5, 6) and short.tolist() == [[1, 1, 3, 4]]
    cropped = F.crop(boxes, top=3, left=1, height=4, width=4)
    assert cropped.tolist() == [[1, 0, 4, 4]] and cropped.canvas_size == (4, 4)      # clamped to the new canvas
    assert F.center_crop(boxes, [6, 6]).tolist() == [[0, 0, 3, 6]]                   # top=2, left=3
    padded = F.pad(boxes, [1, 2, 3, 4])
    assert padded.tolist() == [[3, 4, 7, 10]] and padded.canvas_size == (16, 16)
    rc = F.resized_crop(_boxes([[2.0, 2.0, 6.0, 8.0]]), 2, 2, 4, 4, [8, 8])
    assert rc.tolist() == [[0, 0, 8, 8]] and rc.canvas_size == (8, 8)
    with pytest.raises(ValueError, match="Padding mode 'reflect' is not supported with bounding boxes"):
        F.pad(boxes, 2, padding_mode="reflect")


def test_rotate_and_affine_boxes():
    boxes = _boxes([[1.0, 2.0, 4.0, 3.0]], canvas=(10, 12))
    # 90 degrees counter-clockwise with expand: (x, y) -> (y, W - x) on a (12, 10) canvas
    rot = F.rotate(boxes, 90.0, expand=True)
    assert rot.canvas_size == (12, 10)
    np.testing.assert_allclose(rot.numpy(), [[2, 8, 3, 11]], atol=1e-4)
    moved = F.affine(boxes, angle=0.0, translate=[3, -1], scale=1.0, shear=[0.0, 0.0])
    assert moved.tolist() == [[4, 1, 7, 2]]
    # a general angle: the box around the four rotated corners, against torch's matrix product
    angle, center = 30.0, (6.0, 5.0)
    out = F.rotate(_boxes([[2.0, 3.0, 6.0, 7.0]], canvas=(10, 12), clamping_mode=None), angle).numpy()
    rad = math.radians(angle)
    rot_m = torch.tensor([[math.cos(rad), math.sin(rad)], [-math.sin(rad), math.cos(rad)]], dtype=torch.float32)
    corners = torch.tensor([[2.0, 3.0], [6.0, 3.0], [6.0, 7.0], [2.0, 7.0]]) - torch.tensor(center)
    turned = corners @ rot_m.T + torch.tensor(center)
    ref = torch.cat([turned.min(0).values, turned.max(0).values]).numpy()
    np.testing.assert_allclose(out[0], ref, atol=1e-4)
    clamped = F.rotate(_boxes([[0.0, 0.0, 12.0, 10.0]]), 45.0)
    assert clamped.tolist() == [[0, 0, 12, 10]]


def test_masks_use_nearest_and_scalar_fill():
    mask = tv_tensors.Mask(ember.tensor(np.array([[0, 1, 1, 2], [0, 1, 2, 2], [3, 3, 2, 2]], dtype=np.int64)))
    big = F.resize(mask, [6, 8], interpolation=v2.InterpolationMode.BILINEAR)    # interpolation ignored
    assert type(big) is tv_tensors.Mask and set(np.unique(big.numpy())) <= {0, 1, 2, 3}
    np.testing.assert_array_equal(big.numpy(), np.repeat(np.repeat(mask.numpy(), 2, 0), 2, 1))
    np.testing.assert_array_equal(F.horizontal_flip(mask).numpy(), mask.numpy()[:, ::-1])
    rotated = F.rotate(mask, 90.0, expand=True, fill=5)
    np.testing.assert_array_equal(rotated.numpy(), np.rot90(mask.numpy()))
    assert F.pad(mask, 1, fill=9).numpy()[0].tolist() == [9] * 6
    with pytest.raises(ValueError, match="Non-scalar fill value is not supported"):
        F.pad(mask, 1, fill=[1, 2])
    stacked = tv_tensors.Mask(ember.tensor(np.stack([mask.numpy(), mask.numpy()])))      # (N, H, W) masks
    assert F.crop(stacked, 1, 1, 2, 2).shape == (2, 2, 2)


# ---------------------------------------------------------------- one set of parameters for the whole sample

def _spot_image(h=20, w=24):
    """An image that is black except a bright block at rows 4..9, columns 5..11, and the box around the block."""
    a = np.zeros((3, h, w), np.uint8)
    a[:, 4:10, 5:12] = 255
    return tv_tensors.Image(ember.tensor(a)), _boxes([[5, 4, 12, 10]], canvas=(h, w))


def _bright_box(image):
    rows, cols = np.nonzero(image.numpy()[0] > 127)
    return [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


@pytest.mark.parametrize("make", [
    lambda: v2.RandomHorizontalFlip(p=1.0), lambda: v2.RandomVerticalFlip(p=1.0),
    lambda: v2.RandomCrop(14, padding=3), lambda: v2.Pad([2, 3, 4, 5]), lambda: v2.Resize([40, 48]),
    lambda: v2.RandomResizedCrop(16, scale=(0.5, 1.0)), lambda: v2.CenterCrop(16),
    lambda: v2.RandomRotation([90, 90], expand=True), lambda: v2.RandomAffine(0, translate=(0.2, 0.2)),
])
def test_boxes_follow_the_pixels(make):
    ember.manual_seed(3)
    image, boxes = _spot_image()
    out_image, out_boxes = make()(image, boxes)
    assert type(out_image) is tv_tensors.Image and type(out_boxes) is tv_tensors.BoundingBoxes
    assert tuple(out_boxes.canvas_size) == tuple(out_image.shape[-2:])
    if (out_image.numpy() > 127).any():
        bright = _bright_box(out_image)
        np.testing.assert_allclose(out_boxes.numpy()[0], bright, atol=1.0)


def test_structures_pass_through():
    image, boxes = _spot_image()
    Point = collections.namedtuple("Point", "x y")
    sample = {"image": image, "target": {"boxes": boxes, "labels": ember.tensor([3]), "name": "cat", "id": 7,
                                         "extra": [None, 2.5, Point(1, 2)]}}
    out = v2.RandomHorizontalFlip(p=1.0)(sample)
    assert list(out) == ["image", "target"] and list(out["target"]) == list(sample["target"])
    assert out["target"]["labels"] is sample["target"]["labels"]               # plain tensors beside an Image
    assert out["target"]["name"] == "cat" and out["target"]["id"] == 7
    assert out["target"]["extra"] == [None, 2.5, Point(1, 2)]
    np.testing.assert_array_equal(out["image"].numpy(), image.numpy()[..., ::-1])
    # several positional inputs come back as a tuple
    a, b, c = v2.RandomVerticalFlip(p=1.0)(image, boxes, "keep")
    assert c == "keep" and type(b) is tv_tensors.BoundingBoxes
    # without an Image, the first plain tensor is the image and later plain tensors pass through
    plain = ember.tensor(image.numpy())
    extra = ember.arange(4)
    x, y = v2.RandomHorizontalFlip(p=1.0)(plain, extra)
    assert type(x) is ember.Tensor and y is extra
    np.testing.assert_array_equal(x.numpy(), image.numpy()[..., ::-1])
    pil = PILImage.fromarray(image.numpy().transpose(1, 2, 0))
    flipped_pil, flipped_boxes, untouched = v2.RandomHorizontalFlip(p=1.0)(pil, boxes, plain)
    assert isinstance(flipped_pil, PILImage.Image) and untouched is plain
    assert flipped_boxes.tolist() == [[12, 4, 19, 10]]


def test_colour_transforms_leave_masks_and_boxes():
    image, boxes = _spot_image()
    mask = tv_tensors.Mask(ember.zeros(20, 24, dtype=ember.int64))
    for tf in (v2.ColorJitter(0.5, 0.5, 0.5, 0.2), v2.Grayscale(3), v2.RandomInvert(1.0), v2.RandomPosterize(2, 1.0),
               v2.RandomSolarize(100, 1.0), v2.RandomAutocontrast(1.0), v2.RandomEqualize(1.0),
               v2.RandomAdjustSharpness(2.0, 1.0), v2.GaussianBlur(3)):
        out_image, out_boxes, out_mask = tf(image, boxes, mask)
        assert out_boxes is boxes and out_mask is mask and type(out_image) is tv_tensors.Image
    np.testing.assert_array_equal(v2.RandomInvert(1.0)(image).numpy(), 255 - image.numpy())
    with pytest.raises(TypeError, match=r"Functional F.invert supports inputs of type .* but got tv_tensors.Mask"):
        F.invert(mask)


# ---------------------------------------------------------------- torchvision's draws

def test_random_resized_crop_and_random_crop_draw_like_torchvision():
    image, boxes = _spot_image(30, 40)
    for seed in range(3):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        params = v2.RandomResizedCrop(16).make_params([image, boxes])
        log_ratio = torch.log(torch.tensor((3 / 4, 4 / 3)))
        for _ in range(10):
            area = 1200 * torch.empty(1).uniform_(0.08, 1.0).item()
            aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            w, h = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if 0 < w <= 40 and 0 < h <= 30:
                break
        top, left = torch.randint(0, 30 - h + 1, size=(1,)).item(), torch.randint(0, 40 - w + 1, size=(1,)).item()
        assert params == dict(top=top, left=left, height=h, width=w)
    # RandomCrop draws an offset only along a dimension larger than the crop
    ember.manual_seed(5)
    torch.manual_seed(5)
    params = v2.RandomCrop((30, 20)).make_params([image])
    assert params["top"] == 0 and params["left"] == int(torch.randint(0, 21, size=()))
    assert params["needs_crop"] and not params["needs_pad"]


def test_random_containers_draw_like_torchvision():
    flip, vflip, invert = v2.RandomHorizontalFlip(1.0), v2.RandomVerticalFlip(1.0), v2.RandomInvert(1.0)
    image = _img()
    ember.manual_seed(9)
    torch.manual_seed(9)
    choice = v2.RandomChoice([flip, vflip, invert], p=[1, 2, 1])
    assert choice.p == [0.25, 0.5, 0.25]
    picks = [choice(image) for _ in range(8)]
    expected = []
    for _ in range(8):
        expected.append(int(torch.multinomial(torch.tensor([0.25, 0.5, 0.25]), 1)))
        torch.rand(1)                                   # the picked transform's own p check
    fns = [F.horizontal_flip, F.vertical_flip, F.invert]
    for got, k in zip(picks, expected):
        np.testing.assert_array_equal(got.numpy(), fns[k](image).numpy())
    ember.manual_seed(2)
    torch.manual_seed(2)
    applied = [v2.RandomApply([invert], p=0.4)(image) is not image for _ in range(10)]
    expected = []
    for _ in range(10):
        expected.append(not (torch.rand(1) >= 0.4))
        if expected[-1]:
            torch.rand(1)                               # RandomInvert's own p check
    assert applied == expected
    ember.manual_seed(4)
    torch.manual_seed(4)
    calls = []
    order = v2.RandomOrder([v2.Lambda(lambda x, k=k: calls.append(k) or x) for k in range(4)])
    order(image)
    assert calls == torch.randperm(4).tolist()


def test_auto_augment_v2_draws_like_torchvision():
    image = _img(16, 20)
    picked = []
    tf = v2.AutoAugment(v2.AutoAugmentPolicy.SVHN)
    tf._apply_image_or_video_transform = lambda img, name, magnitude, *a: picked.append((name, magnitude)) or img
    ember.manual_seed(6)
    torch.manual_seed(6)
    for _ in range(5):
        tf(image)
    expected = []
    space = tf._augmentation_space(10, 16, 20)
    for _ in range(5):
        policy = tf._policies[int(torch.randint(len(tf._policies), ()))]
        for name, probability, index in policy:
            if not torch.rand(()) <= probability:
                continue
            magnitudes, signed = space[name]
            magnitude = 0.0
            if magnitudes is not None:
                magnitude = float(magnitudes[index])
                if signed and torch.rand(()) <= 0.5:
                    magnitude *= -1
            expected.append((name, magnitude))
    assert [n for n, _ in picked] == [n for n, _ in expected]
    np.testing.assert_allclose([m for _, m in picked], [m for _, m in expected], rtol=1e-6)


def test_auto_augment_v2_outputs_and_errors():
    image, boxes = _spot_image()
    for tf in (v2.AutoAugment(), v2.RandAugment(), v2.TrivialAugmentWide(), v2.AugMix()):
        ember.manual_seed(0)
        out, label = tf(image, ember.tensor(1))
        assert type(out) is tv_tensors.Image and out.shape == image.shape and label.item() == 1
        assert isinstance(tf(PILImage.fromarray(image.numpy().transpose(1, 2, 0))), PILImage.Image)
        with pytest.raises(TypeError, match=f"Inputs of type BoundingBoxes are not supported by {type(tf).__name__}"):
            tf(image, boxes)
    with pytest.raises(TypeError, match="only properly defined for a single image or video, but found 2"):
        v2.RandAugment()(image, image)
    video = tv_tensors.Video(ember.tensor(np.stack([image.numpy()] * 2)))
    ember.manual_seed(1)
    assert type(v2.AugMix()(video)) is tv_tensors.Video
    assert repr(v2.RandAugment()) == ("RandAugment(interpolation=InterpolationMode.NEAREST, num_ops=2, magnitude=9, "
                                      "num_magnitude_bins=31)")


# ---------------------------------------------------------------- conversions

def test_to_dtype_matches_torch_scaling():
    values = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    image = tv_tensors.Image(ember.tensor(values))
    out = v2.ToDtype(ember.float32, scale=True)(image)
    assert type(out) is tv_tensors.Image and out.dtype == ember.float32
    ref = torch.tensor(values).to(torch.float32).mul_(1.0 / 255)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    back = F.to_dtype(out, ember.uint8, scale=True)
    np.testing.assert_array_equal(back.numpy(), ref.mul(255.999).to(torch.uint8).numpy())
    np.testing.assert_array_equal(F.to_dtype(image, ember.int16, scale=True).numpy(),
                                  torch.tensor(values).to(torch.int16).bitwise_left_shift(7).numpy())
    assert v2.ToDtype(ember.float32)(image).numpy().max() == 255.0                  # no scaling by default
    mask = tv_tensors.Mask(ember.ones(4, 4, dtype=ember.uint8))
    img2, mask2 = v2.ToDtype(ember.float32, scale=True)(image, mask)
    assert mask2 is mask                                                            # one dtype: images only
    img3, mask3 = v2.ToDtype({tv_tensors.Image: ember.float64, tv_tensors.Mask: ember.int64}, scale=True)(image, mask)
    assert img3.dtype == ember.float64 and mask3.dtype == ember.int64 and type(mask3) is tv_tensors.Mask
    assert mask3.numpy().max() == 1
    with pytest.raises(ValueError, match="No dtype was specified for type"):
        v2.ToDtype({tv_tensors.Image: ember.float32})(image, mask)
    with pytest.raises(ValueError, match="dtype must be a dict or a torch.dtype"):
        v2.ToDtype("float32")
    assert repr(v2.ToDtype(ember.float32, scale=True)) == "ToDtype(scale=True)"


def test_type_conversion_transforms():
    array = np.random.default_rng(2).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    pil = PILImage.fromarray(array)
    from_pil = v2.ToImage()(pil)
    from_np = v2.ToImage()(array)
    assert type(from_pil) is tv_tensors.Image and from_pil.shape == (3, 5, 6)
    np.testing.assert_array_equal(from_pil.numpy(), array.transpose(2, 0, 1))
    np.testing.assert_array_equal(from_np.numpy(), array.transpose(2, 0, 1))
    assert type(v2.ToImage()(ember.zeros(2, 3))) is tv_tensors.Image
    pure, boxes = v2.ToPureTensor()(from_pil, _boxes([[0, 0, 1, 1]]))
    assert type(pure) is ember.Tensor and type(boxes) is ember.Tensor
    assert isinstance(v2.ToPILImage()(from_pil), PILImage.Image)
    assert type(v2.PILToTensor()(pil)) is ember.Tensor
    with pytest.warns(UserWarning, match="The transform `ToTensor\\(\\)` is deprecated"):
        to_tensor = v2.ToTensor()
    np.testing.assert_allclose(to_tensor(pil).numpy(), F1.to_tensor(pil).numpy())
    tf = v2.Compose([v2.ToImage(), v2.ToDtype(ember.float32, scale=True), v2.Normalize([0.5] * 3, [0.5] * 3)])
    out = tf(pil)
    assert type(out) is tv_tensors.Image
    np.testing.assert_allclose(out.numpy(), (array.transpose(2, 0, 1) / 255 - 0.5) / 0.5, atol=1e-6)
    with pytest.raises(TypeError, match="Normalize\\(\\) does not support PIL images."):
        v2.Normalize([0.5], [0.5])(pil)


def test_v2_colour_functionals_on_float_images():
    f = tv_tensors.Image(ember.tensor(np.linspace(0, 1, 48, dtype=np.float32).reshape(3, 4, 4)))
    post = F.posterize(f, 2)
    np.testing.assert_allclose(post.numpy(), np.clip(np.floor(f.numpy() * 4), 0, 3) / 4)
    eq = F.equalize(f)
    as_u8 = F.to_dtype(f, ember.uint8, scale=True)
    expected = F.to_dtype(tv_tensors.Image(F1.equalize(ember.tensor(as_u8.numpy()))), ember.float32, scale=True)
    assert type(eq) is tv_tensors.Image
    np.testing.assert_array_equal(eq.numpy(), expected.numpy())
    gray = tv_tensors.Image(ember.zeros(1, 2, 2, dtype=ember.uint8))
    assert F.grayscale_to_rgb(gray).shape == (3, 2, 2)


# ---------------------------------------------------------------- SanitizeBoundingBoxes, erasing, errors, reprs

def test_sanitize_bounding_boxes():
    boxes = _boxes([[0, 0, 5, 5], [3, 3, 3, 8], [2, 2, 4, 2.5], [-1, 0, 3, 3], [1, 1, 13, 4], [6, 6, 9, 9]],
                   canvas=(10, 12), dtype=ember.float32)
    masks = tv_tensors.Mask(ember.arange(6).reshape(6, 1, 1).expand(6, 10, 12).clone())
    labels = ember.tensor([10, 11, 12, 13, 14, 15])
    image = _img()
    out = v2.SanitizeBoundingBoxes()(image, {"boxes": boxes, "masks": masks, "labels": labels, "iscrowd": 0})
    target = out[1]
    assert target["boxes"].tolist() == [[0, 0, 5, 5], [6, 6, 9, 9]]
    assert type(target["boxes"]) is tv_tensors.BoundingBoxes
    assert target["labels"].tolist() == [10, 15] and type(target["masks"]) is tv_tensors.Mask
    assert target["masks"][:, 0, 0].tolist() == [0, 5] and target["iscrowd"] == 0
    kept, valid = F.sanitize_bounding_boxes(boxes, min_size=3)
    assert valid.tolist() == [True, False, False, False, False, True] and kept.shape == (2, 4)
    assert v2.SanitizeBoundingBoxes(labels_getter=None)(boxes).shape == (2, 4)
    with pytest.raises(ValueError, match="Could not infer where the labels are in the sample"):
        v2.SanitizeBoundingBoxes()(image, {"boxes": boxes})
    with pytest.raises(ValueError, match="min_size must be >= 1, got 0.5"):
        v2.SanitizeBoundingBoxes(min_size=0.5)
    assert repr(v2.SanitizeBoundingBoxes()) == \
        "SanitizeBoundingBoxes(min_size=1.0, min_area=1.0, labels_getter=default)"


def test_random_erasing_v2():
    image = tv_tensors.Image(ember.ones(3, 20, 20))
    mask = tv_tensors.Mask(ember.ones(20, 20))
    ember.manual_seed(0)
    with pytest.warns(UserWarning, match="RandomErasing\\(\\) is currently passing through inputs of type "
                                         "tv_tensors.Mask"):
        out, out_mask = v2.RandomErasing(p=1.0, value=0)(image, mask)
    assert type(out) is tv_tensors.Image and (out.numpy() == 0).any() and out_mask is mask
    assert repr(v2.RandomErasing()) == ("RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0.0], "
                                        "inplace=False)")


def test_errors_and_reprs():
    image, boxes = _spot_image()
    with pytest.raises(ValueError, match="Found multiple HxW dimensions in the sample"):
        v2.RandomCrop(5)(image, _boxes([[0, 0, 1, 1]], canvas=(5, 5)))
    with pytest.raises(TypeError, match="No image, video, mask or bounding box was found in the sample"):
        v2.RandomResizedCrop(4)("just text")
    with pytest.raises(TypeError, match=r"Functional F.resize supports inputs of type \[torch.Tensor"):
        F.resize("not an image", [4])
    with pytest.raises(ValueError, match="`p` should be a floating point value in the interval"):
        v2.RandomHorizontalFlip(p=2)
    with pytest.raises(ValueError, match="Pass at least one transform"):
        v2.Compose([])
    assert repr(v2.Compose([v2.RandomHorizontalFlip(), v2.Resize(32)])) == (
        "Compose(\n      RandomHorizontalFlip(p=0.5)\n"
        "      Resize(size=[32], interpolation=InterpolationMode.BILINEAR, antialias=True)\n)")
    assert repr(v2.RandomCrop(8, padding=2)) == ("RandomCrop(size=(8, 8), padding=[2, 2, 2, 2], pad_if_needed=False, "
                                                 "fill=0, padding_mode=constant)")
    assert repr(v2.RandomResizedCrop(224)) == (
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333333333333333), "
        "interpolation=InterpolationMode.BILINEAR, antialias=True)")
    assert repr(v2.ColorJitter(brightness=0.2)) == "ColorJitter(brightness=(0.8, 1.2))"
    assert repr(v2.Normalize((0.5,), (0.25,))) == "Normalize(mean=[0.5], std=[0.25], inplace=False)"
    assert repr(v2.RandomPosterize(3)) == "RandomPosterize(p=0.5, bits=3)"
    assert repr(v2.GaussianBlur(3)) == "GaussianBlur(kernel_size=(3, 3), sigma=[0.1, 2.0])"
    assert repr(v2.Lambda(abs)) == "Lambda(abs, types=['object'])"
    assert v2.RandomResizedCrop.get_params is not None and v2.RandomRotation.get_params([0, 0]) == 0.0
    with pytest.raises(AttributeError, match="ember has no torchvision.transforms.v2.MixUp yet"):
        v2.MixUp


def test_torchvision_v2_and_tv_tensors_through_ember_run(tmp_path):
    script = tmp_path / "detection_sample.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torchvision
        from torchvision import tv_tensors
        from torchvision.transforms import v2
        image = tv_tensors.Image(torch.zeros(3, 20, 24, dtype=torch.uint8))
        target = {"boxes": tv_tensors.BoundingBoxes([[5, 4, 12, 10]], format="XYXY", canvas_size=(20, 24)),
                  "labels": torch.tensor([7])}
        tf = v2.Compose([v2.RandomHorizontalFlip(p=1.0), v2.ToDtype(torch.float32, scale=True)])
        out, target = tf(image, target)
        print(type(out).__name__, out.dtype, target["boxes"].tolist(), target["labels"].tolist(),
              torchvision.tv_tensors.BoundingBoxFormat.XYXY.name)
    """))
    proc = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Image torch.float32 [[12, 4, 19, 10]] [7] XYXY"


def test_register_kernel_for_a_custom_tv_tensor():
    class Heatmap(tv_tensors.TVTensor):
        @classmethod
        def _wrap_tv(cls, tensor):
            return tv_tensors._as_subclass(tensor, cls)

    heat = tv_tensors._as_subclass(ember.arange(6.0).reshape(2, 3), Heatmap)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert v2.RandomHorizontalFlip(p=1.0)(heat) is heat          # no kernel: passes through

    @F.register_kernel(F.horizontal_flip, Heatmap)
    def _flip_heatmap(h):
        return tv_tensors.wrap(ember.flip(h, [-1]), like=h)
    flipped = v2.RandomHorizontalFlip(p=1.0)(heat)
    assert type(flipped) is Heatmap and flipped.tolist() == [[2, 1, 0], [5, 4, 3]]
    with pytest.raises(ValueError, match="Kernels cannot be registered for the builtin tv_tensor classes"):
        F.register_kernel(F.horizontal_flip, tv_tensors.Image)
