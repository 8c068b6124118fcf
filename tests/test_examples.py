"""Acceptance tests: every program in examples/ runs on a small subset of the real data and writes what it says.

Each example runs as a user runs it (a subprocess, ``python examples/X.py --data-root ... --out ...``); the
test checks what it printed (epoch lines, accuracy above chance) and what it wrote (PNG files that Pillow
opens, of the size the figure asks for; checkpoints that ``ember.load`` reads back into the model).
BLAS runs single-threaded in the subprocesses: the examples' GEMMs are small, and on a shared 2-core machine
OpenBLAS worker threads spin against the other processes (an LSTM step gets 20x slower).
"""
import os
import pathlib
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

import ember

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
Image = pytest.importorskip("PIL.Image")
pytest.importorskip("matplotlib")


def run_example(name, tmp_path, datasets_dir, *args, env=None, timeout=600):
    out = tmp_path / "out"
    cmd = [sys.executable, str(EXAMPLES / name), "--data-root", str(datasets_dir), "--out", str(out), *args]
    full_env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "Agg", **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=full_env)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return proc, out


def final_accuracy(stdout):
    found = re.findall(r"Test accuracy: ([0-9.]+)", stdout)
    assert found, stdout
    return float(found[-1])


def assert_png(path, size=None):
    assert path.is_file(), f"{path.name} was not written"
    with Image.open(path) as img:
        assert img.format == "PNG"
        img.load()
        if size is not None:
            assert img.size == size, f"{path.name}: {img.size} != {size}"
        assert np.asarray(img).std() > 0, f"{path.name} is blank"


def import_example(monkeypatch, name):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import importlib
    return importlib.import_module(name)


def test_part1_tensors(tmp_path, datasets_dir):
    proc, out = run_example("part1_tensors.py", tmp_path, datasets_dir)
    assert "neuron output (sum): tensor([[0.1595]])" in proc.stdout      # the course's value for seed 7
    assert "neuron output (mm):  tensor([[0.1595]])" in proc.stdout
    assert "fails as the course shows" in proc.stdout
    assert "from_numpy shares memory: True" in proc.stdout
    assert_png(out / "activation.png", (500, 350))


def test_linear_regression(tmp_path, datasets_dir):
    proc, out = run_example("linear_regression.py", tmp_path, datasets_dir, "--epochs", "100")
    for label in ("by hand", "nn.Linear"):
        w, b = map(float, re.search(label + r": learned w=([-0-9.]+) b=([-0-9.]+)", proc.stdout).groups())
        assert abs(w - 3.0) < 0.1 and abs(b - 0.5) < 0.05
    assert_png(out / "fit.png", (500, 350))


def test_part2_mnist_network(tmp_path, datasets_dir):
    proc, out = run_example("part2_mnist_network.py", tmp_path, datasets_dir, "--limit", "300")
    assert "torch.Size([64, 1, 28, 28]) torch.Size([64])" in proc.stdout
    assert "(softmax): Softmax(dim=1)" in proc.stdout
    acc = float(re.search(r"Untrained accuracy: ([0-9.]+)", proc.stdout).group(1))
    assert 0.0 <= acc <= 0.35                                          # untrained: near chance
    assert_png(out / "batch.png", (800, 864))
    assert_png(out / "view_classify.png", (600, 900))


def test_part3_training(tmp_path, datasets_dir):
    proc, out = run_example("part3_training.py", tmp_path, datasets_dir, "--epochs", "1", "--limit", "1500",
                            "--lr", "0.1", "--no-progress")
    for line in ("CrossEntropyLoss", "x.grad == x / 2: True", "a second backward fails",
                 "w_new == w - lr * grad: True", "Epoch 1/1  Training loss:"):
        assert line in proc.stdout
    assert final_accuracy(proc.stdout) > 0.2                           # 24 plain-SGD steps: above chance (0.1)
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (1280, 760))
    assert_png(out / "view_classify.png", (600, 900))


def test_part5_inference_validation(tmp_path, datasets_dir):
    proc, out = run_example("part5_inference_validation.py", tmp_path, datasets_dir, "--epochs", "1",
                            "--limit", "1500", "--no-progress")
    assert "Untrained accuracy on one batch:" in proc.stdout
    assert re.search(r"Epoch: 1/1\.\.  Training Loss: [0-9.]+\.\.  Test Loss: [0-9.]+\.\.  Test Accuracy", proc.stdout)
    assert final_accuracy(proc.stdout) > 0.4
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (1280, 760))
    assert_png(out / "view_classify.png", (600, 900))


def test_part6_saving_loading(tmp_path, datasets_dir, monkeypatch):
    proc, out = run_example("part6_saving_loading.py", tmp_path, datasets_dir, "--epochs", "1", "--limit", "1500",
                            "--no-progress")
    assert "<All keys matched successfully>" in proc.stdout
    assert "size mismatch for hidden_layers.0.weight: copying a param with shape torch.Size([512, 784])" \
        in proc.stdout
    assert "Reloaded model predicts exactly as the trained one: True" in proc.stdout
    assert final_accuracy(proc.stdout) > 0.3
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "view_classify.png", (600, 900))
    # The checkpoint rebuilds the architecture and carries the trained weights.
    fc_model = import_example(monkeypatch, "fc_model")
    checkpoint = ember.load(out / "checkpoint.pth")
    assert checkpoint["hidden_layers"] == [512, 256, 128]
    model = fc_model.Network(checkpoint["input_size"], checkpoint["output_size"], checkpoint["hidden_layers"])
    model.load_state_dict(checkpoint["state_dict"])
    state = ember.load(out / "state_dict.pth")
    assert all(ember.equal(state[k], v) for k, v in model.state_dict().items())


def test_fashion_mnist(tmp_path, datasets_dir, monkeypatch):
    """The README's main job, on 2000 images: progress bar, epoch lines, plots, checkpoint, TensorBoard."""
    proc, out = run_example("fashion_mnist.py", tmp_path, datasets_dir, "--epochs", "1", "--limit", "2000",
                            "--tensorboard")
    assert re.search(r"Epoch 1/1  Training loss: [0-9.]+  Validation loss: [0-9.]+  Accuracy: [0-9.]+",
                     proc.stdout)
    assert "epoch 1/1" in proc.stderr and "loss=" in proc.stderr        # the tqdm bar with the running loss
    accuracy = final_accuracy(proc.stdout)
    assert accuracy > 0.5
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (1280, 760))
    assert_png(out / "view_classify.png", (600, 900))

    fashion_mnist = import_example(monkeypatch, "fashion_mnist")
    checkpoint = ember.load(out / "checkpoint.pth")
    assert checkpoint["hidden_layers"] == [256, 128, 64]
    model = fashion_mnist.Classifier()
    model.load_state_dict(checkpoint["state_dict"])
    from ember.vision import datasets, transforms
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    test = datasets.FashionMNIST(datasets_dir, train=False, transform=t)
    loader = ember.utils.data.DataLoader(ember.utils.data.Subset(test, range(0, 10000, 5)), batch_size=500)
    _, reloaded = fashion_mnist.evaluate(model, loader, ember.nn.NLLLoss())
    assert reloaded == pytest.approx(accuracy, abs=1e-9)      # --limit 2000 evaluates the same spread subset

    tb = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    acc = tb.EventAccumulator(str(out / "runs"), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    assert {"loss/train", "loss/validation", "accuracy"} <= set(acc.Tags()["scalars"])
    assert acc.Scalars("accuracy")[0].value == pytest.approx(accuracy, abs=1e-6)
    assert "fc1.weight" in acc.Tags()["histograms"]


def test_part7_image_folder(tmp_path, datasets_dir):
    proc, out = run_example("part7_image_folder.py", tmp_path, datasets_dir, "--limit", "16", "--batch-size", "8",
                            "--no-progress")
    assert "classes ['ants', 'bees'], 244 training and 153 validation images" in proc.stdout
    assert "Loaded 16 validation images" in proc.stdout
    assert "batch shape (8, 3, 224, 224)" in proc.stdout
    assert "training batch (8, 3, 224, 224)" in proc.stdout
    assert_png(out / "test_batch.png", (800, 432))
    assert_png(out / "train_batch.png", (800, 432))


def _part8(tmp_path, datasets_dir, torch_home):
    return run_example("part8_transfer_learning.py", tmp_path, datasets_dir, "--epochs", "1", "--limit", "16",
                       "--batch-size", "8", "--image-size", "32", "--no-progress", "--device", "cpu",
                       env={"TORCH_HOME": str(torch_home)})


def test_part8_transfer_learning_random_weights(tmp_path, datasets_dir):
    proc, out = _part8(tmp_path, datasets_dir, tmp_path / "empty_torch_home")
    assert "starting from RANDOM densenet121 weights" in proc.stdout
    assert "trainable parameters: 262914 of 7216770" in proc.stdout     # only the new classifier trains
    assert re.search(r"Epoch 1/1\.\. Train loss: [0-9.]+\.\. Test loss: [0-9.]+\.\. Test accuracy", proc.stdout)
    assert 0.0 <= final_accuracy(proc.stdout) <= 1.0                   # random frozen features: no claim
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (640, 380))
    assert_png(out / "view_classify.png", (700, 350))


def test_part8_transfer_learning_uses_cached_weights(tmp_path, datasets_dir):
    """A weight file in the hub cache is used: the test puts one there (no ImageNet weights exist offline)."""
    from ember.vision import models
    ember.manual_seed(0)
    checkpoints = tmp_path / "torch_home" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    ember.save(models.densenet121().state_dict(), checkpoints / "densenet121-a639ec97.pth")
    proc, _ = _part8(tmp_path, datasets_dir, tmp_path / "torch_home")
    assert "Starting from pretrained densenet121 weights" in proc.stdout
    assert "Weights: pretrained" in proc.stdout


def test_cifar10_missing_says_how_to_get_it(tmp_path):
    proc, out = run_example("cifar10_classifier.py", tmp_path, tmp_path / "no_data")
    assert "CIFAR-10 is not in" in proc.stdout and "--download" in proc.stdout
    assert not out.exists()


def test_cifar10_trains_when_present(tmp_path, monkeypatch, capsys):
    """The training path, in-process on a small CIFAR-10-format folder (real CIFAR-10 is not offline here);
    the MD5 checks are the only thing patched."""
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)

    def batch(n):
        labels = rng.integers(0, 10, n)
        data = rng.integers(0, 60, (n, 3, 32, 32)).astype(np.uint8)
        data[np.arange(n), labels % 3] += 150                          # a learnable colour cue per class
        return {"data": data.reshape(n, -1), "labels": labels.tolist()}

    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump(batch(20), f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                     "ship", "truck"]}, f)
    from ember.vision.datasets import cifar
    monkeypatch.setattr(cifar, "check_integrity", lambda *a, **k: True)
    monkeypatch.setattr(cifar.CIFAR10, "_check_integrity", lambda self: True)
    example = import_example(monkeypatch, "cifar10_classifier")
    out = tmp_path / "out"
    accuracy = example.main(["--data-root", str(tmp_path), "--out", str(out), "--epochs", "1", "--no-progress"])
    printed = capsys.readouterr().out
    assert "100 training and 20 test images" in printed and "Finished Training" in printed
    assert "Accuracy for class:" in printed
    assert 0.0 <= accuracy <= 1.0
    net = example.Net()
    net.load_state_dict(ember.load(out / "cifar_net.pth"))
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (1280, 380))


def test_lstm_mnist(tmp_path, datasets_dir, monkeypatch):
    proc, out = run_example("lstm_mnist.py", tmp_path, datasets_dir, "--epochs", "1", "--limit", "1000",
                            "--no-progress")
    assert "(lstm): LSTM(28, 128, num_layers=2, batch_first=True)" in proc.stdout
    assert re.search(r"Epoch \[1/1\]  Training loss: [0-9.]+  Validation loss: [0-9.]+  Accuracy", proc.stdout)
    assert final_accuracy(proc.stdout) > 0.15
    assert_png(out / "loss_curves.png", (600, 400))
    assert_png(out / "predictions.png", (1280, 760))
    assert_png(out / "view_classify.png", (600, 900))
    lstm_mnist = import_example(monkeypatch, "lstm_mnist")
    model = lstm_mnist.RNN(28, 128, 2, 10)
    model.load_state_dict(ember.load(out / "model.ckpt"))


def test_gan_mnist(tmp_path, datasets_dir):
    proc, out = run_example("gan_mnist.py", tmp_path, datasets_dir, "--epochs", "2", "--limit", "600",
                            "--no-progress")
    lines = re.findall(r"Epoch \[(\d)/2\]  d_loss: ([0-9.]+)  g_loss: ([0-9.]+)  D\(x\): ([0-9.]+)", proc.stdout)
    assert [int(line[0]) for line in lines] == [1, 2]
    assert all(np.isfinite(float(v)) for line in lines for v in line[1:])
    assert_png(out / "real_images.png", (242, 242))
    assert_png(out / "fake_images-1.png", (242, 242))
    assert_png(out / "fake_images-2.png", (242, 242))
    assert_png(out / "loss_curves.png", (600, 400))
    G = ember.load(out / "G.ckpt")
    assert tuple(G["4.weight"].shape) == (784, 256)


def test_vae_mnist(tmp_path, datasets_dir):
    proc, out = run_example("vae_mnist.py", tmp_path, datasets_dir, "--epochs", "2", "--limit", "600",
                            "--no-progress")
    losses = [(float(a), float(b)) for a, b in
              re.findall(r"Training loss: ([0-9.]+)  Validation loss: ([0-9.]+)", proc.stdout)]
    assert len(losses) == 2
    assert losses[1][0] < losses[0][0] < 600                           # 784 * ln 2 = 543 is a coin flip per pixel
    assert_png(out / "sampled-2.png", (242, 242))
    assert_png(out / "reconst-2.png", (466, 122))
    assert_png(out / "loss_curves.png", (600, 400))
    assert set(ember.load(out / "vae.ckpt")) == {f"fc{i}.{p}" for i in range(1, 6) for p in ("weight", "bias")}
