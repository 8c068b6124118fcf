"""Acceptance tests: plain PyTorch scripts (tests/scripts/, ``import torch`` / ``import torchvision``) run on
Ember through ``python -m ember run``, as a user runs them: a subprocess, from another working directory."""
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import ember

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "scripts"
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def ember_cli(*args, cwd, timeout=600):
    return subprocess.run([sys.executable, "-m", "ember", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=ENV, timeout=timeout)


def ok(proc):
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return proc.stdout


def test_course_part6_with_sibling_helper_module(tmp_path, datasets_dir):
    """Udacity's Part 6: train.py imports fc_model.py from its own folder (cwd is elsewhere), reads sys.argv,
    checks __name__ == "__main__" and __file__, trains, saves and reloads a checkpoint."""
    out = tmp_path / "out"
    out.mkdir()
    stdout = ok(ember_cli("run", SCRIPTS / "course_part6" / "train.py", datasets_dir, out, cwd=tmp_path))
    assert f"argv: ['{datasets_dir}', '{out}']" in stdout
    assert "file: train.py dir: course_part6" in stdout
    assert "batch: (64, 1, 28, 28) torch.int64" in stdout
    assert re.search(r"Epoch: 2/2\.\.  Training Loss: [0-9.]+\.\.  Test Loss: [0-9.]+\.\.  Test Accuracy", stdout)
    assert "<All keys matched successfully>" in stdout
    assert "RuntimeError: Error(s) in loading state_dict for Network:" in stdout
    assert float(re.search(r"Final accuracy: ([0-9.]+)", stdout).group(1)) > 0.3
    checkpoint = ember.load(out / "checkpoint.pth")
    assert checkpoint["hidden_layers"] == [512, 256, 128]
    assert tuple(checkpoint["state_dict"]["hidden_layers.0.weight"].shape) == (512, 784)


def test_blitz_autograd_and_lenet(tmp_path):
    stdout = ok(ember_cli("run", SCRIPTS / "blitz_neural_networks.py", cwd=tmp_path))
    assert "autograd: True True" in stdout
    assert "requires_grad: False True" in stdout
    assert "(conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))" in stdout
    assert "params: 10 torch.Size([6, 1, 5, 5])" in stdout
    assert "<MseLossBackward0 object" in stdout and "<AddmmBackward0 object" in stdout
    assert "conv1.bias.grad before backward None" in stdout
    assert ": decreased" in stdout


def test_module_form_with_relative_import(datasets_dir):
    """``python -m ember run -m mnist_pkg.cnn``: yunjey's CNN (BatchNorm, eval mode), a relative import, argparse."""
    stdout = ok(ember_cli("run", "-m", "mnist_pkg.cnn", "--data-root", datasets_dir, "--limit", "600",
                          cwd=SCRIPTS))
    assert "module: __main__ package: mnist_pkg argv0: True" in stdout
    assert "Epoch [1/1], Step [6/6], Loss:" in stdout
    accuracy = float(re.search(r"on the 300 test images: ([0-9.]+) %", stdout).group(1))
    assert accuracy > 20


def test_course_part8_transfer_learning_pretrained_legacy_interface(tmp_path, datasets_dir):
    """Udacity's Part 8: ``models.densenet121(pretrained=True)`` reads the weight file from the hub cache (the
    test puts an Ember-made one there: no ImageNet weights exist offline), frozen features, a new classifier."""
    from ember.vision import models
    checkpoints = tmp_path / "torch_home" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    ember.manual_seed(0)
    ember.save(models.densenet121().state_dict(), checkpoints / "densenet121-a639ec97.pth")
    proc = subprocess.run([sys.executable, "-m", "ember", "run", str(SCRIPTS / "course_part8_transfer.py"),
                           str(datasets_dir / "hymenoptera_data"), "32"], capture_output=True, text=True,
                          cwd=tmp_path, env={**ENV, "TORCH_HOME": str(tmp_path / "torch_home")}, timeout=600)
    stdout = ok(proc)
    assert "Downloading" not in stdout + proc.stderr
    assert "(fc2): Linear(in_features=500, out_features=2, bias=True)" in stdout
    epochs = re.findall(r"Epoch 1/1\.\. Train loss: [0-9.]+\.\. Test loss: [0-9.]+\.\. Test accuracy: ([0-9.]+)",
                        stdout)
    assert len(epochs) == 2                                        # 16 training images in batches of 8
    assert "frozen: True trainable: 513502" in stdout


def test_missing_api_names_it(tmp_path):
    proc = ember_cli("run", SCRIPTS / "missing_api.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert "before the missing call" in proc.stdout
    assert "AttributeError: ember has no torch.onnx yet" in proc.stderr


def test_missing_api_reached_as_attributes_names_it(tmp_path):
    script = tmp_path / "chain.py"
    script.write_text("import torch\n"
                      "print(type(torch.ones(1)).__name__)\n"
                      "for get in (lambda: torch.nn.functional.not_a_thing, lambda: torch.utils.data.NotAThing):\n"
                      "    try:\n"
                      "        get()\n"
                      "    except AttributeError as e:\n"
                      "        print(e)\n")
    proc = ember_cli("run", script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "ember has no torch.nn.functional.not_a_thing yet" in proc.stdout
    assert "ember has no torch.utils.data.NotAThing yet" in proc.stdout


def test_missing_submodule_names_it(tmp_path):
    script = tmp_path / "uses_rpc.py"
    script.write_text("import torch\nimport torch.distributed.rpc as rpc\n")
    proc = ember_cli("run", script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "ModuleNotFoundError: ember has no torch.distributed" in proc.stderr


def test_script_exit_status_and_errors_pass_through(tmp_path):
    script = tmp_path / "exits.py"
    script.write_text(textwrap.dedent("""\
        import sys
        import torch
        print(torch.tensor([1, 2, 3]).sum().item())
        sys.exit(int(sys.argv[1]))
        """))
    proc = ember_cli("run", script, "3", cwd=tmp_path)
    assert proc.returncode == 3 and proc.stdout.strip() == "6"
    bad = tmp_path / "raises.py"
    bad.write_text("import torch\ntorch.mm(torch.ones(1, 5), torch.ones(1, 5))\n")
    proc = ember_cli("run", bad, cwd=tmp_path)
    assert proc.returncode == 1
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x5 and 1x5)" in proc.stderr


def test_missing_script(tmp_path):
    proc = ember_cli("run", "no_such_script.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "can't open file 'no_such_script.py'" in proc.stderr


def test_doctor(tmp_path):
    stdout = ok(ember_cli("doctor", cwd=tmp_path))
    assert stdout.startswith(f"ember {ember.version.ember_version} (PyTorch 2.13.0 API) on Python ")
    for extra in ("PIL", "tqdm", "matplotlib", "tensorboard", "cupy"):
        assert re.search(rf"^  {extra}\s", stdout, re.M), extra
    assert "PyTorch-compatible save/load: works" in stdout
    assert re.search(r"^  GPU: (usable|not usable: .+)", stdout, re.M)
