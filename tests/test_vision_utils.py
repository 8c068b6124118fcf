"""ember.vision.utils: make_grid and save_image, against the layout torchvision documents, computed by hand."""
import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision.utils import make_grid, save_image


def _batch(n=10, c=1, h=4, w=5, seed=0):
    return np.random.default_rng(seed).random((n, c, h, w), dtype=np.float32)


def test_make_grid_layout_and_gray_to_rgb():
    x = _batch()
    grid = make_grid(ember.tensor(x), nrow=4, padding=2, pad_value=0.5)
    # 10 images, 4 per row -> 3 rows; each cell is (h + padding) x (w + padding), plus a leading border
    assert tuple(grid.shape) == (3, 3 * 6 + 2, 4 * 7 + 2) and grid.dtype == ember.float32
    g = grid.numpy()
    for k in range(10):
        r, c = divmod(k, 4)
        for ch in range(3):                       # 1 channel repeated into RGB
            np.testing.assert_array_equal(g[ch, 2 + r * 6: 2 + r * 6 + 4, 2 + c * 7: 2 + c * 7 + 5], x[k, 0])
    assert (g[:, :2, :] == 0.5).all() and (g[:, -8:, 2 * 7 + 2:] == 0.5).all()   # border and empty cells


def test_make_grid_default_nrow_list_input_and_single_image():
    imgs = [ember.tensor(a) for a in _batch(3, 3, 2, 2)]
    grid = make_grid(imgs)
    assert tuple(grid.shape) == (3, 2 + 4, 3 * 4 + 2)
    one = make_grid(ember.tensor(_batch(1, 3, 4, 4)))
    assert tuple(one.shape) == (3, 4, 4)                     # a single image comes back without padding
    assert tuple(make_grid(ember.zeros(4, 4)).shape) == (3, 4, 4)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'numpy.ndarray'>"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got a list containing <class 'int'>"):
        make_grid([1, 2])


def test_make_grid_normalize_value_range_and_scale_each():
    x = np.stack([np.full((1, 2, 2), 2.0, np.float32), np.full((1, 2, 2), 6.0, np.float32)])
    x[0, 0, 0, 0] = 0.0
    x[1, 0, 0, 0] = 4.0
    t = ember.tensor(x)
    g = make_grid(t, normalize=True, padding=0).numpy()
    np.testing.assert_allclose(g[0], np.concatenate([x[0, 0], x[1, 0]], axis=1) / 6.0)
    np.testing.assert_array_equal(t.numpy(), x)             # the input is not modified
    each = make_grid(t, normalize=True, scale_each=True, padding=0).numpy()
    np.testing.assert_allclose(each[0], [[0, 1, 0, 1], [1, 1, 1, 1]])
    clipped = make_grid(t, normalize=True, value_range=(1.0, 3.0), padding=0).numpy()
    np.testing.assert_allclose(clipped[0], [[0, 0.5, 1, 1], [0.5, 0.5, 1, 1]])
    with pytest.raises(TypeError, match=r"value_range has to be a tuple \(min, max\)"):
        make_grid(t, normalize=True, value_range=[0, 1])


def test_save_image_png_round_trip(tmp_path):
    x = _batch(4, 3, 5, 6, seed=1)
    path = tmp_path / "grid.png"
    save_image(ember.tensor(x), path, nrow=2, padding=1)
    img = np.asarray(Image.open(path))
    assert img.shape == (2 * 6 + 1, 2 * 7 + 1, 3)
    expected = np.clip(x[3] * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(img[1 + 6: 1 + 6 + 5, 1 + 7: 1 + 7 + 6], expected)
    single = tmp_path / "one.jpg"
    save_image(ember.tensor(x[0]), str(single), format="PNG")          # format overrides the extension
    assert Image.open(single).format == "PNG"


def test_io_read_write_png_round_trip(tmp_path):
    from ember.vision import io
    arr = np.random.default_rng(5).integers(0, 256, (3, 6, 7), dtype=np.uint8)
    path = tmp_path / "x.png"
    io.write_png(ember.tensor(arr), str(path))
    back = io.read_image(str(path))
    assert back.dtype == ember.uint8
    np.testing.assert_array_equal(back.numpy(), arr)
    gray = io.read_image(str(path), io.ImageReadMode.GRAY)
    np.testing.assert_array_equal(gray.numpy()[0], np.asarray(Image.open(path).convert("L")))
    assert tuple(io.decode_image(io.read_file(str(path))).shape) == (3, 6, 7)
