"""torch.utils.benchmark: Measurement statistics and printout, Compare tables (exactly PyTorch's text for the same
times), the formatting helpers, and Timer's measuring loops."""
import random
import re

import pytest
import torch.utils.benchmark as TB

import ember
import ember.utils.benchmark as EB


def measurement(B, times, number=100, **spec):
    spec.setdefault("stmt", "x + 1")
    spec.setdefault("setup", "pass")
    return B.Measurement(number_per_run=number, raw_times=list(times), task_spec=B.TaskSpec(**spec))


def text(obj):
    return re.sub(r"0x[0-9a-f]+", "0x?", repr(obj))


CASES = [
    ([1.234e-4], {}),
    ([1e-4, 1.1e-4, 1.05e-4, 0.98e-4, 1.3e-4], dict(label="add", sub_label="int", description="d1", setup="x = 1")),
    ([2e-3, 2.5e-3, 4e-3], dict(stmt="a = 1\nb = 2", setup="a = 1\nb = 2", num_threads=4, sub_label="s")),
    ([5e-7] * 8, dict(label="L", env="env")),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], dict(stmt="", sub_label="S")),
    ([3e-5, 3.1e-5, 2.9e-5, 3.05e-5, 3.02e-5, 2.97e-5], dict(description="n=8", num_threads=2)),
    ([7e-10, 9e-10], {}),
]


@pytest.mark.parametrize("times,spec", CASES)
def test_measurement_matches_torch(times, spec):
    e, t = measurement(EB, times, **spec), measurement(TB, times, **spec)
    assert text(e) == text(t)
    assert text(e).startswith("<torch.utils.benchmark.utils.common.Measurement object at 0x")
    for name in ("median", "mean", "iqr", "_p25", "_p75"):
        assert getattr(e, name) == pytest.approx(getattr(t, name), rel=1e-12), name
    for name in ("times", "significant_figures", "has_warnings", "title", "as_row_name", "env", "stmt", "label",
                 "sub_label", "description", "num_threads", "number_per_run", "raw_times"):
        assert getattr(e, name) == getattr(t, name), name
    assert e.meets_confidence(0.05) == t.meets_confidence(0.05)
    with pytest.raises(AttributeError):
        e.no_such_field


def test_merge_and_helpers():
    spec = dict(stmt="f()", label="L")
    ms = lambda B: [measurement(B, [1e-3, 2e-3], 10, **spec), measurement(B, [4e-3], 100, **spec),
                    measurement(B, [5e-3], 1, stmt="g()")]
    me, mt = EB.Measurement.merge(ms(EB)), TB.Measurement.merge(ms(TB))
    assert [(m.number_per_run, m.times, m.stmt) for m in me] == [(m.number_per_run, m.times, m.stmt) for m in mt]
    for t in (3e-10, 1e-9, 4.2e-8, 1e-6, 999e-6, 2e-3, 1.0, 42.0):
        assert EB.select_unit(t) == TB.select_unit(t)
    for u in ("ns", "us", "ms", "s"):
        assert EB.unit_to_english(u) == TB.unit_to_english(u)
    for x, n in ((3.14159, 2), (123456.0, 3), (0.000123456, 1), (987.6, 4)):
        assert EB.trim_sigfig(x, n) == pytest.approx(TB.trim_sigfig(x, n), rel=1e-6)
    assert EB.ordered_unique([3, 1, 3, 2, 1]) == TB.ordered_unique([3, 1, 3, 2, 1])
    with EB.set_torch_threads(1):
        assert ember.get_num_threads() == 1
    assert EB.Measurement.__module__ == "ember.utils.benchmark.utils.common"


def compare_results(B, with_env=False, seed=0):
    rng = random.Random(seed)
    out = []
    for label in ("add", "matmul"):
        for threads in (1, 4):
            for sub in ("float", "int"):
                for desc in ("n=1", "n=100", "n=10000"):
                    if (label, sub, desc) == ("matmul", "int", "n=100"):
                        continue                        # a missing cell
                    base = {"n=1": 2e-6, "n=100": 5e-6, "n=10000": 3e-4}[desc] * (1.3 if sub == "int" else 1)
                    times = [base / threads * (1 + 0.3 * rng.random()) * 100 for _ in range(7)]
                    env = ("A" if sub == "float" else "BB") if with_env else None
                    out.append(measurement(B, times, stmt=f"x {label} y", label=label, sub_label=sub,
                                           description=desc, num_threads=threads, env=env))
    out.append(measurement(B, [1e-6 * 100] * 3, stmt="x add y", label="add", sub_label="float", description="n=1",
                           num_threads=1, env=out[0].env))           # a replicate: merged
    return out


@pytest.mark.parametrize("style", ["plain", "trim", "colorize", "rowwise_warnings_trim", "env"])
def test_compare_matches_torch(style):
    ce = EB.Compare(compare_results(EB, with_env=style == "env"))
    ct = TB.Compare(compare_results(TB, with_env=style == "env"))
    for c in (ce, ct):
        if "trim" in style:
            c.trim_significant_figures()
        if style == "colorize":
            c.colorize()
        if style.startswith("rowwise"):
            c.colorize(rowwise=True)
            c.highlight_warnings()
    assert str(ce) == str(ct)
    assert "Times are in" in str(ce)


def test_compare_extend_and_errors(capsys):
    c = EB.Compare([])
    c.extend_results(compare_results(EB)[:3])
    c.print()
    assert capsys.readouterr().out == str(c) + "\n"
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
        EB.Compare([1])


def test_timer_timeit():
    t = EB.Timer("y = x * 2", setup="z = 1", globals={"x": 3}, label="mul", description="d")
    m = t.timeit(50)
    assert isinstance(m, EB.Measurement) and m.number_per_run == 50 and len(m.raw_times) == 1
    assert m.times[0] > 0 and m.median == m.times[0] and m.iqr == 0
    lines = repr(m).split("\n")
    assert lines[1:4] == ["mul", "d", "setup: z = 1"]
    assert re.fullmatch(r"  \d+\.\d\d (ns|us|ms|s)", lines[4])
    assert lines[5] == "  1 measurement, 50 runs , 1 thread"
    # `torch` in the timed code is Ember; statements are dedented
    m = EB.Timer("""
        a = torch.ones(3)
        b = a + 1
    """).timeit(5)
    assert m.stmt == "a = torch.ones(3)\nb = a + 1"
    assert EB.Timer("pass", globals={}).timeit(2).num_threads == 1


def test_timer_autoranges():
    before = ember.get_num_threads()
    calls = []
    t = EB.Timer("sum(range(20))", num_threads=2)
    m = t.blocked_autorange(callback=lambda number, time: calls.append((number, time)), min_run_time=0.02)
    assert sum(m.raw_times) >= 0.02 and len(calls) == len(m.raw_times)
    assert str(m.number_per_run).strip("0") == "1" and all(n == m.number_per_run for n, _ in calls)
    assert "2 threads" in repr(m) and ember.get_num_threads() == before
    m = t.adaptive_autorange(threshold=0.5, min_run_time=0.01, max_run_time=0.3)
    assert len(m.raw_times) >= 1 and (len(m.raw_times) > 3 or sum(m.raw_times) > 0.3)


def test_timer_errors_as_torch():
    for B in (EB, TB):
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            B.Timer("pass").repeat()
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            B.Timer("pass").autorange()
        with pytest.raises(ValueError, match="Currently only a `str` stmt is supported."):
            B.Timer(lambda: None)
        with pytest.raises(ValueError, match="global_setup is C\\+\\+ only"):
            B.Timer("pass", global_setup="#include <x>")
        with pytest.raises(ValueError, match="Invalid language"):
            B.Timer("pass", language="rust")
    with pytest.raises(ValueError, match="libtorch"):
        EB.Timer("pass", language="cpp")


def test_reachable_as_torch_utils_benchmark():
    assert ember.utils.benchmark is EB
    assert EB.Timer is EB.utils.timer.Timer and EB.Compare is EB.utils.compare.Compare
    assert EB.Language.PYTHON.value == TB.Language.PYTHON.value
