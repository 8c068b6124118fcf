"""ember.vision.ops (torchvision.ops): box ops against hand-computed values and torch formulas (values and
gradients), NMS against a brute-force greedy reference, roi_align / roi_pool against direct per-sample loop
references written here from the kernels' definition (values and gradients), the losses against their
formulas, and the layers against torch.nn with the same weights."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.vision import ops

RNG = np.random.default_rng(0)


def E(a, grad=False):
    t = ember.tensor(np.array(a, dtype=np.float32))
    return t.requires_grad_(True) if grad else t


def T(a, grad=False):
    t = torch.tensor(np.array(a, dtype=np.float32))
    return t.requires_grad_(True) if grad else t


def close(e, t, **kw):
    kw = kw or dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy() if hasattr(t, "detach") else t, **kw)


def random_boxes(n, size=20.0, rng=RNG):
    xy = rng.uniform(0, size, (n, 2))
    wh = rng.uniform(1, size / 2, (n, 2))
    return np.concatenate([xy, xy + wh], 1).astype(np.float32)


# ---------------------------------------------------------------- box utilities
def test_box_area_iou_giou_diou_ciou_hand_values():
    b1 = E([[0, 0, 2, 2], [0, 0, 4, 2]])
    b2 = E([[1, 1, 3, 3], [0, 0, 2, 2]])
    np.testing.assert_allclose(ops.box_area(b1).numpy(), [4, 8])
    iou = ops.box_iou(b1, b2).numpy()
    np.testing.assert_allclose(iou, [[1 / 7, 1], [2 / 10, 0.5]], rtol=1e-6)
    giou = ops.generalized_box_iou(b1, b2).numpy()
    # [0,0,2,2] vs [1,1,3,3]: enclosing 3x3 = 9, union 7
    np.testing.assert_allclose(giou[0, 0], 1 / 7 - 2 / 9, rtol=1e-6)
    np.testing.assert_allclose(giou[1, 1], 0.5, rtol=1e-6)           # enclosing box == union box
    diou = ops.distance_box_iou(b1, b2).numpy()
    np.testing.assert_allclose(diou[0, 0], 1 / 7 - 2 / 18, rtol=1e-5)
    np.testing.assert_allclose(diou[1, 1], 0.5 - 1 / 20, rtol=1e-5)   # centres (2,1),(1,1); diagonal^2 = 20
    ciou = ops.complete_box_iou(b1, b2).numpy()
    v = 4 / math.pi ** 2 * (math.atan(2) - math.atan(1)) ** 2
    np.testing.assert_allclose(ciou[1, 1], 0.45 - v / (0.5 + v) * v, rtol=1e-5)
    np.testing.assert_allclose(ciou[0, 0], diou[0, 0], rtol=1e-6)      # equal aspect ratios: v = 0
    assert ops.box_iou(b1, b2).dtype == ember.float32


def _torch_pairwise(b1, b2):
    """Formulas written out in torch (pairwise IoU family), for values and gradients."""
    a1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    a2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = torch.max(b1[:, None, :2], b2[None, :, :2])
    rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = a1[:, None] + a2[None] - inter
    iou = inter / union
    elt = torch.min(b1[:, None, :2], b2[None, :, :2])
    erb = torch.max(b1[:, None, 2:], b2[None, :, 2:])
    ewh = (erb - elt).clamp(min=0)
    giou = iou - (ewh[..., 0] * ewh[..., 1] - union) / (ewh[..., 0] * ewh[..., 1])
    c1, c2 = (b1[:, :2] + b1[:, 2:]) / 2, (b2[:, :2] + b2[:, 2:]) / 2
    d2 = ((c1[:, None] - c2[None]) ** 2).sum(-1)
    diou = iou - d2 / ((ewh ** 2).sum(-1) + 1e-7)
    w1, h1 = b1[:, 2] - b1[:, 0], b1[:, 3] - b1[:, 1]
    w2, h2 = b2[:, 2] - b2[:, 0], b2[:, 3] - b2[:, 1]
    v = 4 / math.pi ** 2 * (torch.atan(w1 / h1)[:, None] - torch.atan(w2 / h2)[None]) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + 1e-7)
    return {"box_iou": iou, "generalized_box_iou": giou, "distance_box_iou": diou,
            "complete_box_iou": diou - alpha * v}


@pytest.mark.parametrize("name", ["box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"])
def test_pairwise_iou_values_and_gradients_match_torch_formulas(name):
    a, b = random_boxes(5), random_boxes(4)
    eb1, eb2, tb1, tb2 = E(a, True), E(b, True), T(a, True), T(b, True)
    e, t = getattr(ops, name)(eb1, eb2), _torch_pairwise(tb1, tb2)[name]
    close(e, t, rtol=1e-5, atol=1e-6)
    up = RNG.uniform(-1, 1, t.shape).astype(np.float32)
    (e * ember.tensor(up)).sum().backward()
    (t * torch.tensor(up)).sum().backward()
    close(eb1.grad, tb1.grad, rtol=1e-4, atol=1e-5)
    close(eb2.grad, tb2.grad, rtol=1e-4, atol=1e-5)


def test_box_iou_batched_and_formats():
    a, b = random_boxes(6).reshape(2, 3, 4), random_boxes(8).reshape(2, 4, 4)
    got = ops.box_iou(E(a), E(b)).numpy()
    assert got.shape == (2, 3, 4)
    for i in range(2):
        np.testing.assert_allclose(got[i], ops.box_iou(E(a[i]), E(b[i])).numpy(), rtol=1e-6)
    for fmt in ("xywh", "cxcywh"):
        ca, cb = ops.box_convert(E(a), "xyxy", fmt), ops.box_convert(E(b), "xyxy", fmt)
        np.testing.assert_allclose(ops.box_iou(ca, cb, fmt=fmt).numpy(), got, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ops.box_area(ca, fmt=fmt).numpy(), ops.box_area(E(a)).numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="Unsupported Box IoU Calculation for given format xyzw"):
        ops.box_iou(E(a), E(b), fmt="xyzw")
    with pytest.raises(ValueError, match="Unsupported Bounding Box area for given format"):
        ops.box_area(E(a), fmt="xywhr")


def test_box_convert_values_and_round_trips():
    b = E([[10, 20, 30, 60]])
    np.testing.assert_allclose(ops.box_convert(b, "xyxy", "xywh").numpy(), [[10, 20, 20, 40]])
    np.testing.assert_allclose(ops.box_convert(b, "xyxy", "cxcywh").numpy(), [[20, 40, 20, 40]])
    np.testing.assert_allclose(ops.box_convert(E([[20, 40, 20, 40]]), "cxcywh", "xywh").numpy(), [[10, 20, 20, 40]])
    r = random_boxes(7)
    for fmt in ("xywh", "cxcywh"):
        back = ops.box_convert(ops.box_convert(E(r), "xyxy", fmt), fmt, "xyxy")
        np.testing.assert_allclose(back.numpy(), r, rtol=1e-5, atol=1e-5)
    same = ops.box_convert(b, "xyxy", "xyxy")
    assert same is not b and np.array_equal(same.numpy(), b.numpy())
    # rotated: a 4x2 box turned by 90 degrees (counter-clockwise) about its top-left corner's frame
    rot = ops.box_convert(E([[0, 0, 4, 2, 90]]), "xywhr", "xyxyxyxy").numpy()
    np.testing.assert_allclose(rot, [[0, 0, 0, -4, 2, -4, 2, 0]], atol=1e-5)
    back = ops.box_convert(ember.tensor(rot), "xyxyxyxy", "xywhr").numpy()
    np.testing.assert_allclose(back, [[0, 0, 4, 2, 90]], atol=1e-4)
    c = ops.box_convert(E([[0, 0, 4, 2, 0]]), "xywhr", "cxcywhr").numpy()
    np.testing.assert_allclose(c, [[2, 1, 4, 2, 0]], atol=1e-6)
    with pytest.raises(ValueError, match="Unsupported Bounding Box Conversions for given in_fmt xyxy and out_fmt abc"):
        ops.box_convert(b, "xyxy", "abc")
    with pytest.raises(NotImplementedError, match="in_fmt xyxy and out_fmt xywhr"):
        ops.box_convert(b, "xyxy", "xywhr")


def test_box_convert_gradient():
    r = random_boxes(3)
    e, t = E(r, True), T(r, True)
    out = ops.box_convert(e, "xyxy", "cxcywh")
    ref = torch.stack([(t[:, 0] + t[:, 2]) / 2, (t[:, 1] + t[:, 3]) / 2, t[:, 2] - t[:, 0], t[:, 3] - t[:, 1]], -1)
    up = RNG.uniform(-1, 1, (3, 4)).astype(np.float32)
    (out * ember.tensor(up)).sum().backward()
    (ref * torch.tensor(up)).sum().backward()
    close(e.grad, t.grad)


def test_clip_remove_small_masks_to_boxes():
    b = E([[-5, 2, 12, 30], [3, -1, 4, 5]])
    np.testing.assert_allclose(ops.clip_boxes_to_image(b, (20, 10)).numpy(), [[0, 2, 10, 20], [3, 0, 4, 5]])
    keep = ops.remove_small_boxes(E([[0, 0, 5, 5], [0, 0, 0.5, 9], [1, 1, 2, 2], [0, 0, 3, 0.9]]), 1.0)
    assert keep.dtype == ember.int64 and keep.tolist() == [0, 2]
    masks = np.zeros((3, 6, 7), dtype=np.uint8)
    masks[0, 1:4, 2:6] = 1
    masks[1, 5, 0] = 1
    masks[2, 0, :] = 1
    masks[2, 4, 3] = 1
    boxes = ops.masks_to_boxes(ember.tensor(masks))
    assert boxes.dtype == ember.float32
    np.testing.assert_array_equal(boxes.numpy(), [[2, 1, 5, 3], [0, 5, 0, 5], [0, 0, 6, 4]])
    assert ops.masks_to_boxes(ember.zeros(0, 4, 4)).shape == (0, 4)
    masks[1] = 0
    with pytest.raises(RuntimeError, match="mask 1 has no non-zero pixel"):
        ops.masks_to_boxes(ember.tensor(masks))


# ---------------------------------------------------------------- NMS
def greedy_nms_reference(boxes, scores, thr, classes=None):
    """Textbook greedy NMS with explicit loops (stable sort by descending score)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep, removed = [], set()
    for pos, i in enumerate(order):
        if i in removed:
            continue
        keep.append(i)
        for j in order[pos + 1:]:
            if classes is not None and classes[i] != classes[j]:
                continue
            xx1, yy1 = max(boxes[i][0], boxes[j][0]), max(boxes[i][1], boxes[j][1])
            xx2, yy2 = min(boxes[i][2], boxes[j][2]), min(boxes[i][3], boxes[j][3])
            inter = max(0.0, xx2 - xx1) * max(0.0, yy2 - yy1)
            ai = (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1])
            aj = (boxes[j][2] - boxes[j][0]) * (boxes[j][3] - boxes[j][1])
            if inter / (ai + aj - inter) > thr:
                removed.add(j)
    return keep


def test_nms_crafted_overlaps():
    boxes = E([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10.5]])
    scores = E([0.9, 0.8, 0.7, 0.95])
    keep = ops.nms(boxes, scores, 0.5)
    assert keep.dtype == ember.int64 and keep.tolist() == [3, 2]          # 3 suppresses 0 and 1
    assert ops.nms(boxes, scores, 0.99).tolist() == [3, 0, 1, 2]           # nothing overlaps that much
    # IoU exactly 0.5 is kept (suppression needs IoU > threshold)
    half = E([[0, 0, 2, 2], [0, 0, 2, 1]])
    assert ops.nms(half, E([1.0, 0.5]), 0.5).tolist() == [0, 1]
    assert ops.nms(half, E([1.0, 0.5]), 0.49).tolist() == [0]
    # a chain: A suppresses B, so C (which only overlaps B) survives
    chain = E([[0, 0, 10, 10], [5, 0, 15, 10], [10, 0, 20, 10]])
    assert ops.nms(chain, E([0.9, 0.8, 0.7]), 0.3).tolist() == [0, 2]
    # equal scores: index order decides
    assert ops.nms(E([[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]]), E([0.5, 0.5, 0.5]), 0.5).tolist() == [0]
    tie = E([[0, 0, 1, 1], [5, 5, 6, 6], [0, 0, 1, 1]])
    assert ops.nms(tie, E([0.5, 0.5, 0.5]), 0.5).tolist() == [0, 1]
    assert ops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5).tolist() == []


def test_nms_and_batched_nms_match_greedy_reference_on_random_boxes():
    rng = np.random.default_rng(3)
    boxes = random_boxes(150, 40.0, rng)
    scores = rng.uniform(0, 1, 150).astype(np.float32)
    scores[10:20] = scores[5]                         # some ties
    classes = rng.integers(0, 4, 150)
    for thr in (0.2, 0.5, 0.7):
        ref = greedy_nms_reference(boxes.tolist(), scores.tolist(), thr)
        assert ops.nms(E(boxes), E(scores), thr).tolist() == ref
        ref = greedy_nms_reference(boxes.tolist(), scores.tolist(), thr, classes.tolist())
        assert ops.batched_nms(E(boxes), E(scores), ember.tensor(classes), thr).tolist() == ref
    assert ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0, dtype=ember.int64), 0.5).dtype == \
        ember.int64


def test_nms_errors():
    with pytest.raises(RuntimeError, match="boxes should have 4 elements in dimension 1, got 5"):
        ops.nms(ember.zeros(3, 5), ember.zeros(3), 0.5)
    with pytest.raises(RuntimeError, match="boxes and scores should have same number of elements in dimension 0"):
        ops.nms(ember.zeros(3, 4), ember.zeros(2), 0.5)
    with pytest.raises(RuntimeError, match="scores should be a 1d tensor, got 2D"):
        ops.nms(ember.zeros(3, 4), ember.zeros(3, 1), 0.5)


# ---------------------------------------------------------------- RoI Align / Pool
def _bilinear(f, y, x):
    h, w = f.shape[-2:]
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return f[:, 0, 0] * 0
    y, x = max(y, 0.0), max(x, 0.0)
    yl, xl = int(y), int(x)
    if yl >= h - 1:
        yh = yl = h - 1
        y = float(yl)
    else:
        yh = yl + 1
    if xl >= w - 1:
        xh = xl = w - 1
        x = float(xl)
    else:
        xh = xl + 1
    ly, lx = y - yl, x - xl
    hy, hx = 1 - ly, 1 - lx
    return hy * hx * f[:, yl, xl] + hy * lx * f[:, yl, xh] + ly * hx * f[:, yh, xl] + ly * lx * f[:, yh, xh]


def roi_align_reference(inp, rois, out_size, scale, sampling_ratio, aligned):
    """RoI Align written sample by sample (torch autograd gives its gradient)."""
    ph_n, pw_n = out_size
    f32 = np.float32
    outs = []
    for r in rois.tolist():
        off = 0.5 if aligned else 0.0
        x1, y1, x2, y2 = [f32(v * scale - off) for v in r[1:]]
        rw, rh = f32(x2 - x1), f32(y2 - y1)
        if not aligned:
            rw, rh = max(rw, f32(1)), max(rh, f32(1))
        bh, bw = f32(rh / ph_n), f32(rw / pw_n)
        gh = sampling_ratio if sampling_ratio > 0 else int(math.ceil(rh / ph_n))
        gw = sampling_ratio if sampling_ratio > 0 else int(math.ceil(rw / pw_n))
        f = inp[int(r[0])]
        rows = []
        for ph in range(ph_n):
            row = []
            for pw in range(pw_n):
                acc = f[:, 0, 0] * 0
                for iy in range(gh):
                    y = float(f32(y1 + ph * bh + f32((iy + .5) * bh) / gh))
                    for ix in range(gw):
                        x = float(f32(x1 + pw * bw + f32((ix + .5) * bw) / gw))
                        acc = acc + _bilinear(f, y, x)
                row.append(acc / max(gh * gw, 1))
            rows.append(torch.stack(row, -1))
        outs.append(torch.stack(rows, -2))
    return torch.stack(outs)


ROIS = np.array([[0, 1.2, 0.7, 6.3, 7.9], [1, -2, -1.5, 4, 3], [1, 5, 5, 13, 12], [0, 3, 3, 3.2, 3.1],
                 [1, -5, -5, -3, -3], [0, 2, 2, 1, 1]], np.float32)


@pytest.mark.parametrize("sampling_ratio,aligned,scale,size", [(-1, False, 1.0, (3, 3)), (-1, True, 0.5, (2, 4)),
                                                               (2, True, 1.0, (3, 2)), (1, False, 0.5, (2, 2))])
def test_roi_align_matches_per_sample_reference_with_gradients(sampling_ratio, aligned, scale, size):
    x = RNG.standard_normal((2, 3, 9, 11)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ref = roi_align_reference(tx, torch.tensor(ROIS), size, scale, sampling_ratio, aligned)
    g = RNG.standard_normal(tuple(ref.shape)).astype(np.float32)
    ref.backward(torch.tensor(g))
    ex = ember.tensor(x, requires_grad=True)
    out = ops.roi_align(ex, ember.tensor(ROIS), size, scale, sampling_ratio, aligned)
    assert out.shape == (len(ROIS), 3) + size and out.dtype == ember.float32
    out.backward(ember.tensor(g))
    close(out, ref, rtol=1e-5, atol=1e-5)
    close(ex.grad, tx.grad, rtol=1e-5, atol=1e-5)


def test_roi_align_list_boxes_module_double_backward_and_errors():
    x = ember.randn(2, 4, 8, 8, dtype=ember.float64, requires_grad=True)
    boxes = [ember.tensor([[1.0, 1, 5, 6]], dtype=ember.float64),
             ember.tensor([[0.0, 0, 7, 7], [2, 3, 4, 4]], dtype=ember.float64)]
    rois = ember.tensor([[0, 1.0, 1, 5, 6], [1, 0, 0, 7, 7], [1, 2, 3, 4, 4]], dtype=ember.float64)
    a = ops.roi_align(x, boxes, 2, 1.0, 2)
    b = ops.RoIAlign((2, 2), 1.0, 2)(x, rois)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
    assert repr(ops.RoIAlign((2, 2), 0.5, 2)) == "RoIAlign(output_size=(2, 2), spatial_scale=0.5, sampling_ratio=2, " \
                                                 "aligned=False)"
    # the input gradient is the adjoint A^T g; its gradient with respect to g is A w
    g = ember.randn(3, 4, 2, 2, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 4, 8, 8, dtype=ember.float64)
    gx, = ember.autograd.grad(b, x, grad_outputs=g, create_graph=True)
    (gx * w).sum().backward()
    np.testing.assert_allclose(g.grad.numpy(), ops.roi_align(w, rois, 2, 1.0, 2).numpy(), rtol=1e-10)
    np.testing.assert_allclose((gx * w).sum().item(), (ops.roi_align(w, rois, 2, 1.0, 2) * g).sum().item(),
                               rtol=1e-10)
    with pytest.raises(AssertionError, match="Tensor\\[K, 5\\]"):
        ops.roi_align(x, ember.zeros(3, 4, dtype=ember.float64), 2)
    with pytest.raises(RuntimeError, match="same type"):
        ops.roi_align(x, rois.float(), 2)
    with pytest.raises(IndexError, match="batch indices"):
        ops.roi_align(x, ember.tensor([[2, 0, 0, 1, 1.0]], dtype=ember.float64), 2)


def roi_pool_reference(inp, rois, out_size, scale):
    ph_n, pw_n = out_size
    h, w = inp.shape[-2:]

    def c_round(v):
        return int(math.copysign(math.floor(abs(v) + 0.5), v))

    outs = []
    for r in rois.tolist():
        x1, y1, x2, y2 = [c_round(v * scale) for v in r[1:]]
        bh = np.float32(max(y2 - y1 + 1, 1)) / np.float32(ph_n)
        bw = np.float32(max(x2 - x1 + 1, 1)) / np.float32(pw_n)
        rows = []
        for ph in range(ph_n):
            row = []
            for pw in range(pw_n):
                hs = min(max(int(math.floor(np.float32(ph) * bh)) + y1, 0), h)
                he = min(max(int(math.ceil(np.float32(ph + 1) * bh)) + y1, 0), h)
                ws = min(max(int(math.floor(np.float32(pw) * bw)) + x1, 0), w)
                we = min(max(int(math.ceil(np.float32(pw + 1) * bw)) + x1, 0), w)
                if he <= hs or we <= ws:
                    row.append(inp[int(r[0]), :, 0, 0] * 0)
                else:
                    win = inp[int(r[0]), :, hs:he, ws:we].reshape(inp.shape[1], -1)
                    row.append(win.gather(1, win.argmax(1)[:, None])[:, 0])     # first maximum
            rows.append(torch.stack(row, -1))
        outs.append(torch.stack(rows, -2))
    return torch.stack(outs)


@pytest.mark.parametrize("scale,size", [(1.0, (3, 3)), (0.5, (2, 4)), (1.0, (5, 5))])
def test_roi_pool_matches_reference_with_gradients(scale, size):
    x = RNG.standard_normal((2, 3, 9, 11)).astype(np.float32)
    x[0, :, 2:5, 2:5] = 1.5                            # ties: the first pixel in row-major order wins
    rois = np.concatenate([ROIS, [[0, 1.5, 2.5, 5.5, 6.5]]]).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ref = roi_pool_reference(tx, torch.tensor(rois), size, scale)
    g = RNG.standard_normal(tuple(ref.shape)).astype(np.float32)
    ref.backward(torch.tensor(g))
    ex = ember.tensor(x, requires_grad=True)
    out = ops.roi_pool(ex, ember.tensor(rois), size, scale)
    out.backward(ember.tensor(g))
    close(out, ref, rtol=1e-6, atol=0)
    close(ex.grad, tx.grad, rtol=1e-5, atol=1e-6)
    assert repr(ops.RoIPool(2, 0.25)) == "RoIPool(output_size=2, spatial_scale=0.25)"


def test_multiscale_roi_align_picks_levels():
    feats = OrderedDict([("p2", ember.randn(1, 2, 16, 16)), ("p3", ember.randn(1, 2, 8, 8)),
                         ("other", ember.randn(1, 2, 4, 4))])
    boxes = [ember.tensor([[0.0, 0, 20, 20], [0, 0, 60, 60], [8, 8, 40, 40]])]
    pooler = ops.MultiScaleRoIAlign(["p2", "p3"], 3, 2, canonical_scale=28, canonical_level=3)
    out = pooler(feats, boxes, [(64, 64)])
    assert pooler.scales == [0.25, 0.125] and out.shape == (3, 2, 3, 3)
    # level = floor(3 + log2(sqrt(area) / 28)) clamped to [2, 3]: 20 -> 2, 60 -> 3, 32 -> 3
    rois = ember.tensor([[0, 0.0, 0, 20, 20], [0, 0, 0, 60, 60], [0, 8, 8, 40, 40]])
    exp = [ops.roi_align(feats["p2"], rois[:1], 3, 0.25, 2), ops.roi_align(feats["p3"], rois[1:], 3, 0.125, 2)]
    np.testing.assert_allclose(out.numpy(), ember.cat(exp).numpy(), rtol=1e-6)
    assert repr(pooler) == "MultiScaleRoIAlign(featmap_names=['p2', 'p3'], output_size=(3, 3), sampling_ratio=2)"


# ---------------------------------------------------------------- losses
def test_sigmoid_focal_loss_matches_formula_with_gradients():
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    y = (RNG.uniform(size=(4, 5)) > 0.6).astype(np.float32)
    for alpha, gamma, red in [(0.25, 2, "none"), (-1, 1.5, "mean"), (0.7, 0, "sum")]:
        ex, tx = E(x, True), T(x, True)
        e = ops.sigmoid_focal_loss(ex, E(y), alpha, gamma, red)
        p, ty = torch.sigmoid(tx), T(y)
        ce = -(ty * torch.log(p) + (1 - ty) * torch.log(1 - p))
        pt = p * ty + (1 - p) * (1 - ty)
        t = ce * (1 - pt) ** gamma
        if alpha >= 0:
            t = (alpha * ty + (1 - alpha) * (1 - ty)) * t
        t = {"none": t, "mean": t.mean(), "sum": t.sum()}[red]
        close(e, t, rtol=1e-5, atol=1e-6)
        e.sum().backward()
        t.sum().backward()
        close(ex.grad, tx.grad, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="Invalid alpha value: 2. alpha must be in the range"):
        ops.sigmoid_focal_loss(E(x), E(y), alpha=2)
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction': 'avg"):
        ops.sigmoid_focal_loss(E(x), E(y), reduction="avg")


def test_box_losses_values_gradients_and_reductions():
    b1 = E([[0, 0, 2, 2], [0, 0, 4, 2], [0, 0, 1, 1]], True)
    b2 = E([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]])
    v = 4 / math.pi ** 2 * (math.atan(1) - math.atan(2)) ** 2
    giou = ops.generalized_box_iou_loss(b1, b2)
    np.testing.assert_allclose(giou.detach().numpy(), [1 - (1 / 7 - 2 / 9), 0.5, 1 - (0 - (36 - 2) / 36)], rtol=1e-5)
    diou = ops.distance_box_iou_loss(b1, b2)
    np.testing.assert_allclose(diou.detach().numpy(), [1 - 1 / 7 + 2 / 18, 0.5 + 1 / 20, 1 + 50 / 72], rtol=1e-5)
    ciou = ops.complete_box_iou_loss(b1, b2)
    np.testing.assert_allclose(ciou.detach().numpy()[1], 0.55 + v / (0.5 + v) * v, rtol=1e-5)
    # gradients against the pairwise torch formulas' diagonals (element-wise losses)
    tb1 = T(b1.detach().numpy(), True)
    ref = _torch_pairwise(tb1, T(b2.numpy()))
    for loss, name in ((giou, "generalized_box_iou"), (diou, "distance_box_iou"), (ciou, "complete_box_iou")):
        tb1.grad = None
        b1.grad = None
        (1 - torch.diagonal(_torch_pairwise(tb1, T(b2.numpy()))[name])).sum().backward()
        loss.sum().backward(retain_graph=True)
        close(b1.grad, tb1.grad, rtol=1e-3, atol=1e-5)
    assert ref["box_iou"].shape == (3, 3)
    assert ops.generalized_box_iou_loss(b1, b2, reduction="mean").shape == ()
    np.testing.assert_allclose(ops.distance_box_iou_loss(b1, b2, reduction="sum").item(), diou.sum().item(), rtol=1e-6)
    assert ops.complete_box_iou_loss(ember.zeros(0, 4), ember.zeros(0, 4), reduction="mean").item() == 0.0
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction'"):
        ops.generalized_box_iou_loss(b1, b2, reduction="max")
    assert ops.distance_box_iou_loss(ember.tensor([0, 0, 2, 2]), ember.tensor([0, 0, 2, 2])).dtype == ember.float32


# ---------------------------------------------------------------- layers
def _copy_params(src, dst):
    """Ember module -> torch module with the same state_dict keys."""
    dst.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


def test_conv_norm_activation_matches_torch_layers():
    m = ops.Conv2dNormActivation(3, 8, kernel_size=3, stride=2, activation_layer=nn.Hardswish)
    assert [k for k in m.state_dict()] == ["0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                           "1.num_batches_tracked"]
    assert m[0].padding == (1, 1) and m[0].bias is None and m.out_channels == 8
    tm = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 2, 1, bias=False), torch.nn.BatchNorm2d(8),
                             torch.nn.Hardswish())
    _copy_params(m, tm)
    x = RNG.standard_normal((2, 3, 9, 9)).astype(np.float32)
    close(m(E(x)), tm(T(x)), rtol=1e-4, atol=1e-5)
    m2 = ops.Conv2dNormActivation(4, 4, kernel_size=(1, 5), dilation=2, norm_layer=None)
    assert m2[0].padding == (0, 4) and m2[0].bias is not None and len(m2) == 2
    m3 = ops.Conv3dNormActivation(2, 3, kernel_size=3, inplace=None)
    assert isinstance(m3[0], nn.Conv3d) and isinstance(m3[1], nn.BatchNorm3d)
    assert m3(ember.randn(1, 2, 4, 5, 6)).shape == (1, 3, 4, 5, 6)


def test_squeeze_excitation_mlp_permute():
    se = ops.SqueezeExcitation(8, 2)
    assert [k for k in se.state_dict()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    x = RNG.standard_normal((2, 8, 5, 5)).astype(np.float32)
    w1, b1 = T(se.fc1.weight.detach().numpy()), T(se.fc1.bias.detach().numpy())
    w2, b2 = T(se.fc2.weight.detach().numpy()), T(se.fc2.bias.detach().numpy())
    tx = T(x)
    s = torch.nn.functional.conv2d(tx.mean((2, 3), keepdim=True), w1, b1).relu()
    ref = torch.sigmoid(torch.nn.functional.conv2d(s, w2, b2)) * tx
    close(se(E(x)), ref, rtol=1e-5, atol=1e-6)
    mlp = ops.MLP(6, [10, 4], norm_layer=nn.LayerNorm, dropout=0.1)
    assert [k for k in mlp.state_dict()] == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"]
    assert [type(c).__name__ for c in mlp] == ["Linear", "LayerNorm", "ReLU", "Dropout", "Linear", "Dropout"]
    assert mlp.eval()(ember.randn(3, 6)).shape == (3, 4)
    p = ops.Permute([0, 2, 3, 1])
    assert p(ember.randn(2, 3, 4, 5)).shape == (2, 4, 5, 3)


def test_frozen_batch_norm():
    fbn = ops.FrozenBatchNorm2d(4, eps=1e-3)
    assert repr(fbn) == "FrozenBatchNorm2d(4, eps=0.001)" and list(fbn.parameters()) == []
    bn = nn.BatchNorm2d(4)
    bn.weight.data.uniform_(0.5, 2)
    bn.bias.data.uniform_(-1, 1)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    fbn.load_state_dict(bn.state_dict())             # num_batches_tracked is dropped, not unexpected
    x = RNG.standard_normal((2, 4, 3, 3)).astype(np.float32)
    sd = {k: T(v.numpy()) for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    ref = torch.nn.functional.batch_norm(T(x), sd["running_mean"], sd["running_var"], sd["weight"], sd["bias"],
                                         False, 0.0, 1e-3)
    close(fbn(E(x)), ref, rtol=1e-5, atol=1e-6)


def test_stochastic_depth():
    x = ember.ones(200, 3, 2)
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    assert ops.StochasticDepth(0.0, "batch")(x) is x
    y = ops.stochastic_depth(x, 0.25, "row").numpy()
    rows = y.reshape(200, -1)
    assert set(np.unique(rows).tolist()) <= {0.0, float(np.float32(1) / np.float32(0.75))}
    assert all(len(set(r)) == 1 for r in rows.tolist())            # whole rows kept or dropped
    assert 0.6 < (rows[:, 0] > 0).mean() < 0.9
    b = ops.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(b)) == 1 and float(np.unique(b)[0]) in (0.0, 2.0)
    assert np.all(ops.stochastic_depth(x, 1.0, "row").numpy() == 0)
    assert repr(ops.StochasticDepth(0.2, "row")) == "StochasticDepth(p=0.2, mode=row)"
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got 1.5"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        ops.stochastic_depth(x, 0.5, "col")


def test_drop_block():
    x = ember.ones(2, 3, 12, 12)
    assert ops.drop_block2d(x, 0.3, 3, training=False) is x
    y = ops.drop_block2d(x, 0.2, 3).numpy()
    kept = y > 0
    scale = np.unique(y[kept])
    assert len(scale) == 1 and np.isclose(scale[0], y.size / (1e-6 + kept.sum()), rtol=1e-5)
    dropped = ~kept
    assert dropped.any()
    # every dropped pixel lies in a fully dropped 3x3 block
    n, c, h, w = dropped.shape
    for i, j, r, s in zip(*np.nonzero(dropped)):
        assert any(dropped[i, j, max(r - a, 0):r - a + 3, max(s - b, 0):s - b + 3].sum() ==
                   (min(r - a + 3, h) - max(r - a, 0)) * (min(s - b + 3, w) - max(s - b, 0))
                   for a in range(3) for b in range(3))
    z = ember.ones(1, 2, 5, 6, 7)
    assert ops.DropBlock3d(0.3, 3)(z).shape == z.shape
    assert repr(ops.DropBlock2d(0.1, 5)) == "DropBlock2d(p=0.1, block_size=5, inplace=False)"
    with pytest.raises(ValueError, match="input should be 4 dimensional. Got 5 dimensions."):
        ops.drop_block2d(z, 0.1, 3)
    with pytest.raises(ValueError, match="block size should be odd. Got 4 which is even."):
        ops.drop_block2d(x, 0.1, 4)
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1"):
        ops.drop_block3d(z, -0.1, 3)


def test_feature_pyramid_network():
    fpn = ops.FeaturePyramidNetwork([4, 8], 6, extra_blocks=ops.feature_pyramid_network.LastLevelMaxPool())
    keys = list(fpn.state_dict())
    assert keys == ["inner_blocks.0.0.weight", "inner_blocks.0.0.bias", "inner_blocks.1.0.weight",
                    "inner_blocks.1.0.bias", "layer_blocks.0.0.weight", "layer_blocks.0.0.bias",
                    "layer_blocks.1.0.weight", "layer_blocks.1.0.bias"]
    assert float(fpn.inner_blocks[0][0].bias.abs().sum()) == 0
    c3, c4 = RNG.standard_normal((1, 4, 8, 8)).astype(np.float32), RNG.standard_normal((1, 8, 4, 4)).astype(np.float32)
    out = fpn(OrderedDict([("c3", E(c3)), ("c4", E(c4))]))
    assert list(out) == ["c3", "c4", "pool"]
    assert [tuple(v.shape) for v in out.values()] == [(1, 6, 8, 8), (1, 6, 4, 4), (1, 6, 2, 2)]
    sd = {k: T(v.numpy()) for k, v in fpn.state_dict().items()}
    F = torch.nn.functional
    i4 = F.conv2d(T(c4), sd["inner_blocks.1.0.weight"], sd["inner_blocks.1.0.bias"])
    i3 = F.conv2d(T(c3), sd["inner_blocks.0.0.weight"], sd["inner_blocks.0.0.bias"]) + \
        F.interpolate(i4, size=(8, 8), mode="nearest")
    close(out["c4"], F.conv2d(i4, sd["layer_blocks.1.0.weight"], sd["layer_blocks.1.0.bias"], padding=1),
          rtol=1e-4, atol=1e-5)
    close(out["c3"], F.conv2d(i3, sd["layer_blocks.0.0.weight"], sd["layer_blocks.0.0.bias"], padding=1),
          rtol=1e-4, atol=1e-5)
    # a version-1 checkpoint (bare convs) still loads
    old = {k.replace(".0.weight", ".weight").replace(".0.bias", ".bias"): v for k, v in fpn.state_dict().items()}
    fpn2 = ops.FeaturePyramidNetwork([4, 8], 6)
    fpn2.load_state_dict(old)
    np.testing.assert_array_equal(fpn2.layer_blocks[1][0].weight.detach().numpy(),
                                  fpn.layer_blocks[1][0].weight.detach().numpy())
    p6p7 = ops.FeaturePyramidNetwork([4, 8], 6, extra_blocks=ops.feature_pyramid_network.LastLevelP6P7(8, 6))
    out = p6p7(OrderedDict([("c3", E(c3)), ("c4", E(c4))]))
    assert list(out) == ["c3", "c4", "p6", "p7"] and out["p7"].shape == (1, 6, 1, 1)
    with pytest.raises(TypeError, match="extra_blocks should be of type ExtraFPNBlock"):
        ops.FeaturePyramidNetwork([4], 6, extra_blocks=nn.ReLU())
    with pytest.raises(ValueError, match="in_channels=0 is currently not supported"):
        ops.FeaturePyramidNetwork([0], 6)


def test_ops_namespace():
    import ember.vision as tv
    assert tv.ops is ops
    for name in ops.__all__:
        assert hasattr(ops, name), name
    with pytest.raises(AttributeError, match="ember has no torchvision.ops.deform_conv2d yet"):
        ops.deform_conv2d


def test_roi_pool_double_backward_gathers_at_the_argmax():
    x = ember.randn(2, 3, 8, 8, dtype=ember.float64, requires_grad=True)
    rois = ember.tensor([[0, 1, 1, 6, 6], [1, 0, 0, 3, 5.0], [1, -9, -9, -8, -8]], dtype=ember.float64)
    y = ops.roi_pool(x, rois, 2)
    g = ember.randn(*y.shape, dtype=ember.float64, requires_grad=True)
    gx, = ember.autograd.grad(y, x, grad_outputs=g, create_graph=True)
    w = ember.randn(*x.shape, dtype=ember.float64)
    (gx * w).sum().backward()
    # d<scatter(g), w>/dg = w read at each bin's argmax: compared with torch's double backward of the loop reference
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    gt = torch.tensor(g.detach().numpy(), requires_grad=True)
    tg, = torch.autograd.grad(roi_pool_reference(tx, torch.tensor(rois.numpy()), (2, 2), 1.0), tx, grad_outputs=gt,
                              create_graph=True)
    (tg * torch.tensor(w.numpy())).sum().backward()
    np.testing.assert_allclose(g.grad.numpy(), gt.grad.numpy(), rtol=1e-12)
    assert float(g.grad[2].abs().sum()) == 0          # the RoI outside the map has empty bins


def _ps_select(full, ph_n, pw_n):
    """(K, C, PH, PW) -> (K, C / (PH*PW), PH, PW) taking channel (c * PH + ph) * PW + pw for bin (ph, pw)."""
    k, c = full.shape[:2]
    cout = c // (ph_n * pw_n)
    r = full.reshape(k, cout, ph_n, pw_n, ph_n, pw_n)
    return torch.stack([torch.stack([r[:, :, i, j, i, j] for j in range(pw_n)], -1) for i in range(ph_n)], -2)


@pytest.mark.parametrize("sampling_ratio,size", [(-1, (2, 2)), (2, (3, 2))])
def test_ps_roi_align_matches_reference_with_gradients(sampling_ratio, size):
    ph_n, pw_n = size
    x = RNG.standard_normal((2, 2 * ph_n * pw_n, 9, 11)).astype(np.float32)
    rois = ROIS[:5]                                   # the last RoI of ROIS has no sample: checked below
    tx = torch.tensor(x, requires_grad=True)
    # torchvision's ps geometry is roi_align's aligned=True geometry, read position-sensitively
    ref = _ps_select(roi_align_reference(tx, torch.tensor(rois), size, 0.5, sampling_ratio, True), ph_n, pw_n)
    g = RNG.standard_normal(tuple(ref.shape)).astype(np.float32)
    ref.backward(torch.tensor(g))
    ex = ember.tensor(x, requires_grad=True)
    out = ops.ps_roi_align(ex, ember.tensor(rois), size, 0.5, sampling_ratio)
    assert out.shape == (5, 2, ph_n, pw_n)
    out.backward(ember.tensor(g))
    close(out, ref, rtol=1e-5, atol=1e-5)
    close(ex.grad, tx.grad, rtol=1e-5, atol=1e-5)
    empty = ops.ps_roi_align(ember.tensor(x), ember.tensor(ROIS[5:]), size, 1.0)
    assert bool(ember.isnan(empty).all())            # zero samples: 0 / 0 as in torchvision's kernel
    assert repr(ops.PSRoIAlign(2, 0.5, -1)) == "PSRoIAlign(output_size=2, spatial_scale=0.5, sampling_ratio=-1)"
    with pytest.raises(RuntimeError, match="input channels must be a multiple of pooling height \\* pooling width"):
        ops.ps_roi_align(ember.randn(1, 5, 4, 4), ember.tensor([[0, 0, 0, 2, 2.0]]), 2)


def ps_roi_pool_reference(x, rois, ph_n, pw_n, scale):
    """torchvision's ps_roi_pool kernels as loops: forward values and the gradient map for ``g``."""
    n, c, h, w = x.shape
    cout = c // (ph_n * pw_n)

    def c_round(v):
        return int(math.copysign(math.floor(abs(v) + 0.5), v))

    def bins(r, ph, pw, hmax, wmax):
        x1, y1, x2, y2 = [c_round(v * scale) for v in r[1:]]
        bh = np.float32(max(y2 - y1, 1)) / np.float32(ph_n)
        bw = np.float32(max(x2 - x1, 1)) / np.float32(pw_n)
        hs = min(max(int(math.floor(np.float32(ph) * bh)) + y1, 0), hmax)
        he = min(max(int(math.ceil(np.float32(ph + 1) * bh)) + y1, 0), hmax)
        ws = min(max(int(math.floor(np.float32(pw) * bw)) + x1, 0), wmax)
        we = min(max(int(math.ceil(np.float32(pw + 1) * bw)) + x1, 0), wmax)
        return hs, he, ws, we

    out = np.zeros((len(rois), cout, ph_n, pw_n))
    for k, r in enumerate(rois.tolist()):
        for co in range(cout):
            for ph in range(ph_n):
                for pw in range(pw_n):
                    hs, he, ws, we = bins(r, ph, pw, h - 1, w - 1)
                    if he > hs and we > ws:
                        ci = (co * ph_n + ph) * pw_n + pw
                        out[k, co, ph, pw] = x[int(r[0]), ci, hs:he, ws:we].mean()

    def grad(g):
        gi = np.zeros(x.shape)
        for k, r in enumerate(rois.tolist()):
            for co in range(cout):
                for ph in range(ph_n):
                    for pw in range(pw_n):
                        hs, he, ws, we = bins(r, ph, pw, h, w)
                        if he > hs and we > ws:
                            ci = (co * ph_n + ph) * pw_n + pw
                            gi[int(r[0]), ci, hs:he, ws:we] += g[k, co, ph, pw] / ((he - hs) * (we - ws))
        return gi
    return out, grad


def test_ps_roi_pool_matches_torchvision_kernels():
    x = RNG.standard_normal((2, 8, 9, 11)).astype(np.float32)
    rois = np.concatenate([ROIS, [[1, 4, 3, 11, 9]]]).astype(np.float32)     # the last reaches the last row/column
    ref, grad = ps_roi_pool_reference(x, rois, 2, 2, 1.0)
    ex = ember.tensor(x, requires_grad=True)
    out = ops.ps_roi_pool(ex, ember.tensor(rois), 2, 1.0)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-5, atol=1e-6)
    g = RNG.standard_normal(ref.shape).astype(np.float32)
    out.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), grad(g), rtol=1e-5, atol=1e-6)
    assert repr(ops.PSRoIPool((2, 2), 1.0)) == "PSRoIPool(output_size=(2, 2), spatial_scale=1.0)"
    # the gradient map is linear in g: its own gradient is its transpose
    xd = ember.tensor(x.astype(np.float64), requires_grad=True)
    y = ops.ps_roi_pool(xd, ember.tensor(rois.astype(np.float64)), 2)
    gg = ember.randn(*y.shape, dtype=ember.float64, requires_grad=True)
    gx, = ember.autograd.grad(y, xd, grad_outputs=gg, create_graph=True)
    wt = ember.randn(*x.shape, dtype=ember.float64)
    (gx * wt).sum().backward()
    expected = [(grad(np.eye(gg.numel())[i].reshape(gg.shape)) * wt.numpy()).sum() for i in range(gg.numel())]
    np.testing.assert_allclose(gg.grad.numpy().reshape(-1), expected, rtol=1e-9, atol=1e-12)
