"""Every benchmark of issues 2, 3, 4 and 7 in one command: Ember beside PyTorch, ratios and targets.

    python bench/run.py            # all workloads (several minutes)
    python bench/run.py core mlp   # some of them: core mlp pipeline cnn resnet lstm import memory

Each row is the median of interleaved repeats (Ember, PyTorch, Ember, ...);
the ratio is the median over adjacent pairs of Ember's time over PyTorch's (for
throughput targets, Ember's throughput over PyTorch's).
"""
import os
import subprocess
import sys
import time

import bench_core
import workloads as W
from harness import compare, report

HERE = os.path.dirname(os.path.abspath(__file__))


def _rows(specs, repeats):
    rows = []
    for name, make, target, sense, kind in specs:
        try:
            e, t, r = compare(make, repeats=repeats, number=1 if kind != "call" else None)
        except Exception as exc:  # shown, never hidden: a missing API is a finding
            print(f"  {name}: not run ({type(exc).__name__}: {exc})")
            continue
        if sense == "ge":    # throughput: Ember's rate over PyTorch's
            r = 1 / r
        rows.append((name, e, t, r, target, sense))
        print(f"  {name}: Ember {e:.4g} s, PyTorch {t:.4g} s", flush=True)
    return rows


def core():
    rows = _rows([(n, m, tg, s, "call") for n, m, tg, s in bench_core.WORKLOADS], repeats=7)
    report(rows, "Per-call overhead")


def mlp():
    report(_rows([("FashionMNIST MLP epoch + test pass (tensors)", W.mlp_epoch, 0.55, "le", "epoch")], 5),
           "FashionMNIST MLP epoch, pre-made tensors (issue 3 target 0.6, issue 7 target 0.55)")


def pipeline():
    report(_rows([("FashionMNIST epoch via dataset+transforms", W.pipeline_epoch, 0.3, "le", "epoch")], 5),
           "FashionMNIST epoch through FashionMNIST(transform=...) and DataLoader(64, shuffle) "
           "(issue 4 target 0.4, issue 7 target 0.3)")


def cnn():
    report(_rows([("blitz CNN train, batch 4 (250 steps)", W.cnn_steps(4, 250), 1.0, "ge", "epoch"),
                  ("blitz CNN train, batch 64 (40 steps)", W.cnn_steps(64, 40), 1.0, "ge", "epoch")], 5),
           "Blitz CIFAR CNN training (ratio = Ember samples/s over PyTorch's)")


def resnet():
    report(_rows([("ResNet-18 train 3x32x32, batch 64 (2 steps)", W.resnet_train(64), 0.7, "ge", "epoch"),
                  ("ResNet-18 inference 3x224x224, batch 16", W.resnet_infer(16), 0.7, "ge", "epoch")], 3),
           "ResNet-18 (ratio = Ember throughput over PyTorch's)")


def lstm():
    report(_rows([("2-layer LSTM h128, 28 steps, batch 100: step", W.lstm_step, 1.0, "ge", "call")], 5),
           "LSTM training step (ratio = Ember throughput over PyTorch's)")


def _child_time(code, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return sorted(times)[n // 2]


def import_time():
    # As after a normal install, with Ember's bytecode compiled (pip compiled PyTorch's; an editable install
    # under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile Ember's sources in every process).
    import compileall
    import ember
    compileall.compile_dir(os.path.dirname(ember.__file__), quiet=1)
    e, t = _child_time("import ember"), _child_time("import torch")
    report([("python -c 'import ember' vs 'import torch'", e, t, e / t, 0.1, "le")], "Import time")


def _peak_rss(make_expr, lib):
    """Max RSS of a fresh process that imports ``lib`` and runs the workload once."""
    # VmHWM (peak resident set of this process image), not ru_maxrss: Linux carries ru_maxrss over from the
    # parent through fork and exec, so every child would report this (large) benchmark process's peak.
    code = (f"import sys; sys.path.insert(0, {HERE!r}); import workloads as W, {lib}; {make_expr}({lib})(); "
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) * 1024


def memory():
    print(f"\nPeak memory (max RSS)\n{'workload':44s} {'Ember':>11s} {'PyTorch':>11s} {'ratio':>7s}  met")
    for name, expr in (("MLP epoch", "W.mlp_epoch"), ("blitz CNN, batch 64", "W.cnn_steps(64, 40)")):
        e, t = _peak_rss(expr, "ember"), _peak_rss(expr, "torch")
        print(f"{name:44s} {e / 2**20:8.1f} MB {t / 2**20:8.1f} MB {e / t:7.2f}  {'yes' if e <= t else 'NO'}")


ALL = {"core": core, "mlp": mlp, "pipeline": pipeline, "cnn": cnn, "resnet": resnet, "lstm": lstm,
       "import": import_time, "memory": memory}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(ALL)
    for name in chosen:
        ALL[name]()
