"""Side-by-side timing: the same workload on Ember and on PyTorch in one run.

A workload is a function ``make(lib) -> callable``: it builds its inputs with
``lib`` (``ember`` or ``torch``) and returns the thing to time. Each side is
timed in interleaved repeats (Ember, PyTorch, Ember, ...) so that machine noise
hits both alike; we report medians and the ratio Ember / PyTorch as the median
of the per-pair ratios: this host's speed drifts by up to 2x over seconds, and a
pair of adjacent runs sees the same speed where two separate medians need not.
"""
import statistics
import time

import ember
import torch

torch.set_num_threads(2)


def time_call(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def calibrate(fn, target_s=0.05):
    """How many calls make one repeat last about ``target_s``."""
    n = 1
    while True:
        t = time_call(fn, n) * n
        if t >= target_s or n >= 1_000_000:
            return n
        n = max(n * 2, int(n * target_s / max(t, 1e-9) * 1.2))


def compare(make, repeats=7, number=None, warmup=1):
    """Median seconds per call for Ember and PyTorch, and their ratio."""
    fe, ft = make(ember), make(torch)
    for _ in range(warmup):
        fe()
        ft()
    ne = number or calibrate(fe)
    nt = number or calibrate(ft)
    te, tt = [], []
    for _ in range(repeats):
        te.append(time_call(fe, ne))
        tt.append(time_call(ft, nt))
    me, mt = statistics.median(te), statistics.median(tt)
    return me, mt, statistics.median(e / t for e, t in zip(te, tt))


def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:8.2f} us"
    if s < 1:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.3f} s "


def report(rows, title):
    """rows: (name, ember_s, torch_s, ratio, target_ratio, 'le'|'ge', unit_note)."""
    print(f"\n{title}")
    print(f"{'workload':44s} {'Ember':>11s} {'PyTorch':>11s} {'ratio':>7s} {'target':>8s}  met")
    for name, e, t, r, target, sense, *_ in rows:
        met = (r <= target) if sense == "le" else (r >= target)
        tgt = f"{'<=' if sense == 'le' else '>='}{target:g}"
        print(f"{name:44s} {fmt_time(e)} {fmt_time(t)} {r:7.2f} {tgt:>8s}  {'yes' if met else 'NO'}")
