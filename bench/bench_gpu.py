"""Issue 6: Ember on CUDA (CuPy) beside PyTorch CUDA (eager), the same workloads in one run.

    python bench/bench_gpu.py            # on a machine with an NVIDIA GPU, CuPy and PyTorch CUDA

Workloads (models from bench/workloads.py, written once against ``lib``):
  * FashionMNIST MLP: one training epoch (60,000 images, batch 64, Adam) + the test pass, data on the GPU;
  * the blitz CIFAR CNN: 100 training steps at batch 64 (SGD momentum) on CIFAR-shaped data;
  * ResNet-18: training steps on 3x32x32 inputs at batch 128, reported in images/s.
Targets (issue 6): MLP and CNN no slower than PyTorch (ratio <= 1), ResNet-18 >= 0.5x PyTorch's images/s.
Exits with status 1 and a message when no GPU is usable.
"""
import statistics
import sys
import time

import numpy as np

import ember
import torch


def _need_gpu():
    if not ember.cuda.is_available():
        from ember import _backend
        sys.exit(f"bench_gpu: Ember cannot use a GPU here ({_backend.cuda_unavailable_reason()}); run it on a "
                 "machine with an NVIDIA GPU and CuPy (see README, Development).")
    if not torch.cuda.is_available():
        sys.exit("bench_gpu: PyTorch has no CUDA here (torch.cuda.is_available() is False); the comparison needs "
                 "a CUDA build of PyTorch.")


def _sync(lib):
    lib.cuda.synchronize()


def _time(lib, fn, repeats):
    fn()                       # warm-up (kernel compilation, cuDNN plans, memory pool)
    _sync(lib)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        _sync(lib)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def mlp_epoch(lib, dev, limit=None):
    from workloads import classifier, fashion_arrays
    xtr, ytr = fashion_arrays(True)
    xte, yte = fashion_arrays(False)
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    norm = lambda x: ((x.astype(np.float32) / 255 - 0.5) / 0.5)[:, None]  # noqa: E731
    xtr, ytr = lib.from_numpy(norm(xtr)).to(dev), lib.from_numpy(ytr).to(dev)
    xte, yte = lib.from_numpy(norm(xte)).to(dev), lib.from_numpy(yte).to(dev)
    lib.manual_seed(0)
    model = classifier(lib).to(dev)
    opt = lib.optim.Adam(model.parameters(), lr=0.003)
    crit = lib.nn.NLLLoss()
    n = xtr.shape[0]

    def run():
        model.train()
        perm = lib.randperm(n, device=dev)
        for i in range(0, n, 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            crit(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        model.eval()
        with lib.no_grad():
            correct = 0
            for i in range(0, xte.shape[0], 64):
                correct = correct + (model(xte[i:i + 64]).argmax(1) == yte[i:i + 64]).sum()
        return int(correct)
    return run


def cnn_steps(lib, dev, batch=64, steps=100):
    from workloads import blitz_cnn
    lib.manual_seed(0)
    net = blitz_cnn(lib).to(dev)
    opt = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    crit = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    xs = [lib.from_numpy(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)).to(dev) for _ in range(8)]
    ys = [lib.from_numpy(rng.integers(0, 10, batch)).to(dev) for _ in range(8)]

    def run():
        for i in range(steps):
            opt.zero_grad()
            crit(net(xs[i % 8]), ys[i % 8]).backward()
            opt.step()
    return run


def resnet_steps(lib, dev, batch=128, steps=10):
    from workloads import resnet18
    lib.manual_seed(0)
    net = resnet18(lib).to(dev)
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    crit = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)).to(dev)
    y = lib.from_numpy(rng.integers(0, 10, batch)).to(dev)

    def run():
        for _ in range(steps):
            opt.zero_grad()
            crit(net(x), y).backward()
            opt.step()
    return run


def main(argv):
    _need_gpu()
    quick = "--quick" in argv          # a smoke run: fewer images and repeats
    dev = "cuda"
    print(f"GPU: {torch.cuda.get_device_name()} | Ember's CuPy sees: {ember.cuda.get_device_name()}")
    rows = []
    specs = [
        ("FashionMNIST MLP epoch + test (batch 64)", lambda lib: mlp_epoch(lib, dev, 6400 if quick else None),
         1 if quick else 3, None, 1.0, "le"),
        ("blitz CIFAR CNN, 100 steps (batch 64)", lambda lib: cnn_steps(lib, dev, 64, 20 if quick else 100),
         3, None, 1.0, "le"),
        ("ResNet-18 train 3x32x32 (batch 128)", lambda lib: resnet_steps(lib, dev, 128, 3 if quick else 10),
         3, 128 * (3 if quick else 10), 0.5, "ge"),
    ]
    for name, make, repeats, images, target, sense in specs:
        try:
            te = _time(ember, make(ember), repeats)
            tt = _time(torch, make(torch), repeats)
        except Exception as exc:          # report and go on: one failing workload must not hide the others
            print(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            continue
        if images:      # throughput: higher is better, ratio Ember/PyTorch in images/s
            e, t = images / te, images / tt
            rows.append((name, f"{e:10.1f} img/s", f"{t:10.1f} img/s", e / t, target, sense))
        else:
            rows.append((name, f"{te * 1e3:10.1f} ms", f"{tt * 1e3:10.1f} ms", te / tt, target, sense))
    print(f"\n{'workload':44s} {'Ember':>16s} {'PyTorch':>16s} {'ratio':>7s} {'target':>8s}  met")
    for name, e, t, r, target, sense in rows:
        met = r <= target if sense == "le" else r >= target
        print(f"{name:44s} {e:>16s} {t:>16s} {r:7.2f} {('<=' if sense == 'le' else '>=') + format(target, 'g'):>8s}"
              f"  {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main(sys.argv[1:])
