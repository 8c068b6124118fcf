"""SummaryWriter writes event files that TensorBoard's own reader understands."""
import numpy as np
import pytest

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _load(path):
    acc = EventAccumulator(str(path), size_guidance={"images": 0, "histograms": 0, "scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def test_scalars_histogram_image_text_roundtrip(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalar("loss/train", ember.tensor(1.0 / (step + 1)), step)
        w.add_histogram("weights", ember.randn(1000) if hasattr(ember, "randn") else
                        ember.tensor(np.random.default_rng(0).standard_normal(1000)), 0)
        w.add_image("sample", ember.ones(3, 8, 10) * 0.5, 0)
        w.add_images("batch", ember.zeros(4, 1, 5, 6), 0)
        w.add_text("note", "hello", 0)
    acc = _load(tmp_path)
    tags = acc.Tags()
    assert [round(e.value, 4) for e in acc.Scalars("loss/train")] == [1.0, 0.5, 0.3333]
    assert [e.step for e in acc.Scalars("loss/train")] == [0, 1, 2]
    h = acc.Histograms("weights")[0].histogram_value
    assert h.num == 1000 and h.min < -2 and h.max > 2 and sum(h.bucket) == 1000
    img = acc.Images("sample")[0]
    assert (img.width, img.height) == (10, 8)
    assert "batch" in tags["images"]
    assert "note/text_summary" in tags["tensors"]


def test_add_scalars_writes_one_run_per_key(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalars("run", {"a": 1.0, "b": 2.0}, 0)
    w.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["run_a", "run_b"]
    assert _load(tmp_path / "run_a").Scalars("run")[0].value == 1.0


def test_scalar_of_many_elements_is_rejected(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(AssertionError, match="one element"):
        w.add_scalar("x", ember.ones(3), 0)
