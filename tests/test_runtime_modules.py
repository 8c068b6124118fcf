"""Runtime modules scripts import at their top: backends, testing, version, profiler, multiprocessing, jit,
distributed, mps/xpu/accelerator, types, utils.hooks/model_zoo/dlpack and the top-level helpers; checked
against PyTorch where PyTorch answers on this machine."""
import gzip
import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.multiprocessing as emp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _runtime_mp_worker as worker  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------- a script
def test_pytorch_script_importing_runtime_modules_runs(tmp_path):
    """A PyTorch script's usual top, run with ``python -m ember run``."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.backends.cudnn as cudnn
        import torch.multiprocessing as mp
        import torch.distributed as dist
        from torch.testing import assert_close
        from torch.profiler import profile, record_function, ProfilerActivity
        from torch.utils.hooks import RemovableHandle

        cudnn.benchmark = True
        cudnn.deterministic = True
        torch.backends.cuda.matmul.allow_tf32 = True
        print("cudnn", cudnn.benchmark, cudnn.deterministic, torch.get_float32_matmul_precision())
        print("version ok", torch.__version__ >= "0.1", torch.version.cuda)
        print("dist", dist.is_available() and dist.is_initialized(), mp.get_sharing_strategy())
        model = torch.jit.script(torch.nn.Linear(3, 2))
        x = torch.ones(4, 3)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            with record_function("forward"):
                y = model(x)
        assert_close(y, model(x))
        print("rows", [e.key for e in prof.key_averages()])
        h = model.register_forward_hook(lambda *a: None)
        print("handle", isinstance(h, RemovableHandle))
    """))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "cudnn True True high" in out
    assert "version ok True None" in out
    assert "dist False file_descriptor" in out
    assert "rows ['forward', 'aten::t', 'aten::addmm']" in out
    assert "handle True" in out


# ---------------------------------------------------------------------------------------------- backends
def test_backends_answer_as_pytorch_on_this_machine():
    assert ember.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ember.backends.cudnn.is_available() is False and ember.backends.cudnn.version() is None
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(ember.backends.cudnn, name) == getattr(torch.backends.cudnn, name)
        with pytest.raises(RuntimeError) as te:
            setattr(torch.backends.cudnn, name, 1)
        with pytest.raises(RuntimeError) as ee:
            setattr(ember.backends.cudnn, name, 1)
        assert str(ee.value) == str(te.value)
    assert ember.backends.opt_einsum.is_available() is torch.backends.opt_einsum.is_available()
    assert ember.backends.mkldnn.is_available() is False      # Ember has no oneDNN (PyTorch here does)


def test_cudnn_switches_are_settable_and_flags_restore_them():
    import ember.backends.cudnn as cudnn
    cudnn.benchmark = True
    try:
        assert ember.backends.cudnn.benchmark is True
        with cudnn.flags(enabled=False, benchmark=False, deterministic=True):
            assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, False, True)
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, True, False)
    finally:
        cudnn.benchmark = False


def test_matmul_allow_tf32_is_the_float32_matmul_precision():
    m = ember.backends.cuda.matmul
    try:
        for value, precision in ((True, "high"), (False, "highest")):
            m.allow_tf32 = value
            torch.backends.cuda.matmul.allow_tf32 = value
            assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == precision
        ember.set_float32_matmul_precision("medium")
        assert m.allow_tf32 is True
        for bad in (1, "x"):
            with pytest.raises(RuntimeError) as te:
                torch.backends.cuda.matmul.allow_tf32 = bad
            with pytest.raises(RuntimeError) as ee:
                m.allow_tf32 = bad
            assert str(ee.value) == str(te.value)
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            m.foo
        m.allow_fp16_reduced_precision_reduction = (False, False)
        assert m.allow_fp16_reduced_precision_reduction is False
        assert m.allow_fp16_reduced_precision_reduction_split_k is False
    finally:
        ember.set_float32_matmul_precision("highest")
        torch.set_float32_matmul_precision("highest")
        m.allow_fp16_reduced_precision_reduction = True


def test_cuda_backend_without_gpu():
    c = ember.backends.cuda
    assert repr(c.preferred_linalg_library()) == repr(torch.backends.cuda.preferred_linalg_library())
    with pytest.raises(RuntimeError, match="Unknown input value. Choose from: default, cusolver, magma."):
        c.preferred_linalg_library("bogus")
    with pytest.raises(RuntimeError, match="MAGMA"):
        c.preferred_linalg_library("magma")
    with pytest.raises(RuntimeError, match=r"expected 0 <= device index < 0, but got device with index 0"):
        c.cufft_plan_cache[0]
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        c.cufft_plan_cache.max_size


def test_opt_einsum_switches_check_as_pytorch():
    oe = ember.backends.opt_einsum
    assert oe.enabled is False and oe.strategy is None and oe.get_opt_einsum() is None
    with pytest.raises(ValueError, match="opt_einsum is not available, so setting `enabled` to True"):
        oe.enabled = True
    with pytest.raises(ValueError, match="opt_einsum is not available, so setting `strategy` to greedy"):
        oe.strategy = "greedy"


# ---------------------------------------------------------------------------------------------- testing
def _close_error(lib, actual, expected, **kw):
    try:
        lib.testing.assert_close(actual, expected, **kw)
    except Exception as e:  # noqa: BLE001 - the comparison is of the exception itself
        return type(e).__name__, str(e).replace("ember.Tensor", "torch.Tensor")
    return None


_CASES = [
    lambda t: (t.tensor([1., 2, 3, 4]), t.tensor([1., 2.1, 3, 4]), {}),
    lambda t: (t.tensor([1., 2, 3, 4]), t.tensor([1., 2 + 1e-7, 3, 4]), {}),
    lambda t: (t.tensor([[1., 2], [3, 4]]), t.tensor([[1., 2], [3.5, 4.7]]), {}),
    lambda t: (t.tensor([1, 2, 3]), t.tensor([1, 2, 4]), {}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 2], dtype=t.float64), {}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 2], dtype=t.float64), {"check_dtype": False}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 2, 3]), {}),
    lambda t: (1.0, 1.1, {}),
    lambda t: (1, 2, {}),
    lambda t: (1.0, 1, {}),
    lambda t: (t.tensor(1.), 1., {}),
    lambda t: ([t.tensor(1.), t.tensor(2.)], [t.tensor(1.), t.tensor(2.5)], {}),
    lambda t: ({"a": t.tensor(1.), "b": [t.tensor(2.)]}, {"a": t.tensor(1.), "b": [t.tensor(3.)]}, {}),
    lambda t: ([1, 2], [1, 2, 3], {}),
    lambda t: ({"a": 1}, {"b": 1}, {}),
    lambda t: (t.tensor([math.nan]), t.tensor([math.nan]), {}),
    lambda t: (t.tensor([math.nan]), t.tensor([math.nan]), {"equal_nan": True}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 3]), {"msg": "custom"}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 3]), {"msg": lambda m: "X" + m}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 3]), {"rtol": 0.1}),
    lambda t: (t.tensor([1., 2]), t.tensor([1., 3]), {"rtol": 0.5, "atol": 0}),
    lambda t: (t.tensor([True]), t.tensor([False]), {}),
    lambda t: (t.tensor([1., 2], dtype=t.float16), t.tensor([1., 2.001], dtype=t.float16), {}),
    lambda t: (t.tensor([1., 2], dtype=t.float16), t.tensor([1., 2.5], dtype=t.float16), {}),
    lambda t: (t.tensor([1., 2], dtype=t.bfloat16), t.tensor([1., 2.01], dtype=t.bfloat16), {}),
    lambda t: (t.tensor([1 + 1j]), t.tensor([1 + 2j]), {}),
    lambda t: (t.tensor([math.inf]), t.tensor([-math.inf]), {}),
    lambda t: (t.tensor([0.]), t.tensor([1e-3]), {}),
    lambda t: (t.zeros(2, 3), t.zeros(3, 2).t(), {"check_stride": True}),
    lambda t: ("a", "a", {}),
    lambda t: (None, None, {}),
    lambda t: (t.tensor([1.]), [1.], {}),
    lambda t: (np.array([1., 2]), np.array([1., 2.5]), {}),
    lambda t: (t.tensor(3.), t.tensor(4.), {}),
    lambda t: (t.tensor([1]), t.tensor([1.]), {}),
    lambda t: (t.tensor([5.]), t.tensor([0.]), {}),
    lambda t: (True, False, {}),
    lambda t: (t.tensor([1, 2], dtype=t.uint8), t.tensor([1, 3], dtype=t.uint8), {}),
    lambda t: (t.arange(12.).reshape(3, 4), t.arange(12.).reshape(3, 4) * 1.5, {}),
]


@pytest.mark.parametrize("case", range(len(_CASES)))
def test_assert_close_passes_and_fails_as_pytorch(case):
    ea, ee, kw = _CASES[case](ember)
    ta, te, _ = _CASES[case](torch)
    assert _close_error(ember, ea, ee, **kw) == _close_error(torch, ta, te, **kw)


def test_assert_close_message_text():
    with pytest.raises(AssertionError) as e:
        ember.testing.assert_close(ember.tensor([1., 2, 3, 4]), ember.tensor([1., 2.1, 3, 4]))
    assert str(e.value) == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\n"
                            "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
                            "Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)")


def test_assert_allclose_is_deprecated_with_looser_defaults():
    with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated"):
        ember.testing.assert_allclose(ember.tensor([1., 2.]), [1., 2.00001])
    with pytest.warns(FutureWarning), pytest.raises(AssertionError, match="Tensor-likes are not close"):
        ember.testing.assert_allclose(ember.tensor([1., 2.]), [1., 2.1])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
                                   "float64", "complex64"])
def test_make_tensor_draws_pytorchs_values(dtype):
    for kw in ({}, {"low": -2, "high": 3}, {"noncontiguous": True}, {"exclude_zero": True, "low": 0, "high": 2}):
        ember.manual_seed(3)
        torch.manual_seed(3)
        e = ember.testing.make_tensor((3, 4), dtype=getattr(ember, dtype), device="cpu", **kw)
        t = torch.testing.make_tensor((3, 4), dtype=getattr(torch, dtype), device="cpu", **kw)
        assert e.tolist() == t.tolist() and e.stride() == t.stride() and str(e.dtype) == str(t.dtype), kw
    ember.manual_seed(0)
    e = ember.testing.make_tensor(2, 3, dtype=ember.float32, device="cpu", requires_grad=True)
    assert e.shape == (2, 3) and e.requires_grad


def test_make_tensor_errors():
    mk = ember.testing.make_tensor
    with pytest.raises(ValueError, match="`requires_grad=True` is not supported for boolean and integral"):
        mk(2, dtype=ember.int32, device="cpu", requires_grad=True)
    with pytest.raises(ValueError, match="`low` must be less than `high`, but got 3 >= 1"):
        mk(2, dtype=ember.float32, device="cpu", low=3, high=1)
    with pytest.raises(ValueError, match=r"but torch.uint8 only supports \[0, 256\)"):
        mk(2, dtype=ember.uint8, device="cpu", low=-5, high=-1)


# ---------------------------------------------------------------------------------------------- version
def test_version_compares_as_a_version():
    v = ember.__version__
    assert isinstance(v, str) and v == "2.13.0+ember.0.1.0" and v.split("+")[0] == "2.13.0"
    assert v >= "2.0" and v < "2.13.1" and v > (2, 12) and v < (3,) and v != "2.13.0"
    assert ember.version.ember_version == "0.1.0"
    T = ember.version.TorchVersion
    t = T("2.13.0+cpu")
    assert (t >= "2.0", t > (2, 0), t == "2.13.0+cpu", t == "2.13.0", t < "2.13.1") == (True, True, True, False, True)
    assert T("2.0.0a0") < "2.0" and T("2.0.0.dev1") < "2.0.0a0" and T("1.2.post1") > "1.2"
    with pytest.raises(TypeError, match="'>' not supported between instances of 'TorchVersion' and 'int'"):
        t > 5
    assert ember.version.hip is None and ember.version.debug is False
    assert ember.version.cuda is None and isinstance(ember.version.git_version, str)


# ---------------------------------------------------------------------------------------------- profiler
def test_profiler_table_has_a_row_per_op_after_a_small_model():
    from ember.profiler import ProfilerActivity, profile, record_function
    model = ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.ReLU(), ember.nn.Linear(16, 2))
    x = ember.randn(4, 8)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True, profile_memory=True) as prof:
        with record_function("model_inference"):
            loss = model(x).sum()
        loss.backward()
    averages = prof.key_averages()
    rows = {a.key: a for a in averages}
    assert rows["aten::addmm"].count == 2 and rows["aten::t"].count == 2 and rows["aten::relu"].count == 1
    assert rows["model_inference"].count == 1
    assert "autograd::engine::evaluate_function: AddmmBackward0" in rows
    # the range holds the forward ops: its total covers theirs, its self time excludes them
    rng = rows["model_inference"]
    inner = sum(rows[k].cpu_time_total for k in ("aten::addmm", "aten::t", "aten::relu", "aten::sum"))
    assert rng.cpu_time_total >= inner and math.isclose(rng.self_cpu_time_total, rng.cpu_time_total - inner)
    # bytes of the outputs each op made (views of inputs make none): (4, 16) + (4, 2) float32 from the addmms
    assert rows["aten::addmm"].self_cpu_memory_usage == (4 * 16 + 4 * 2) * 4
    assert rows["aten::relu"].self_cpu_memory_usage == 4 * 16 * 4 and rows["aten::t"].cpu_memory_usage == 0
    table = averages.table(sort_by="cpu_time_total", row_limit=5)
    lines = table.splitlines()
    assert lines[1].split() == ["Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%", "CPU", "total",
                                "CPU", "time", "avg", "CPU", "Mem", "Self", "CPU", "Mem", "#", "of", "Calls",
                                "Input", "Shapes"]
    assert lines[3].split()[0] == "model_inference" and len(lines) == 3 + 5 + 2
    assert lines[-1].startswith("Self CPU time total: ")
    shapes = prof.key_averages(group_by_input_shape=True)
    assert any(a.key == "aten::addmm" and a.input_shapes == [[16], [4, 8], [8, 16], [], []] for a in shapes)


def test_profiler_table_layout_matches_pytorchs():
    """Same columns, widths and number formats as PyTorch's table: its header for one ``aten::exp`` row is
    below (PyTorch 2.13's ``key_averages().table()`` after ``x.exp()``)."""
    x = ember.randn(3, 3)
    with ember.profiler.profile() as prof:
        x.exp()
    lines = prof.key_averages().table().splitlines()
    assert lines[0] == lines[2] == lines[4] == "-------------  " + "------------  " * 6
    assert lines[1] == ("         Name    Self CPU %      Self CPU   CPU total %     CPU total  CPU time avg    "
                        "# of Calls  ")
    row = lines[3]
    assert len(row) == len(lines[1]) and row.split()[:2] == ["aten::exp", "100.00%"] and row.split()[-1] == "1"
    assert all(row.split()[i].endswith(("us", "ms")) for i in (2, 4, 5))
    assert lines[5].startswith("Self CPU time total: ") and len(lines) == 6


def test_profiler_schedule_and_trace_handler(tmp_path):
    from ember.profiler import profile, schedule, tensorboard_trace_handler
    for kw in (dict(wait=1, warmup=1, active=2, repeat=2, skip_first=1), dict(wait=2, warmup=1, active=1,
               repeat=1, skip_first=2, skip_first_wait=1), dict(wait=0, warmup=1, active=3)):
        es, ts = schedule(**kw), torch.profiler.schedule(**kw)
        assert [es(i).name for i in range(14)] == [ts(i).name for i in range(14)], kw
    x = ember.randn(3, 3)
    seen = []
    with profile(schedule=schedule(wait=1, warmup=1, active=2),
                 on_trace_ready=lambda p: seen.append((p.step_num, [e.name for e in p.events()]))) as prof:
        for i in range(6):
            x.mul(i)
            prof.step()
    assert seen == [(4, ["ProfilerStep*", "aten::mul", "ProfilerStep*", "aten::mul"]), (6, ["ProfilerStep*"])]
    with profile(schedule=schedule(wait=0, warmup=1, active=1, repeat=1),
                 on_trace_ready=tensorboard_trace_handler(str(tmp_path), worker_name="w", use_gzip=True)) as prof:
        for _ in range(3):
            x.exp()
            prof.step()
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("w.") and path.name.endswith(".pt.trace.json.gz")
    trace = json.loads(gzip.open(path, "rt").read())
    assert [e["name"] for e in trace["traceEvents"]] == ["ProfilerStep*", "aten::exp"]
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in trace["traceEvents"])


def test_legacy_autograd_profiler_records_backward_and_stacks(tmp_path):
    w = ember.randn(3, requires_grad=True)
    with ember.autograd.profiler.profile(with_stack=True) as prof:
        g, = ember.autograd.grad((w.exp() * w).sum(), w, create_graph=True)
    names = [e.name for e in prof.function_events]
    assert names.count("aten::exp") == 1 and "autograd::engine::evaluate_function: MulBackward0" in names
    node = next(e for e in prof.function_events if e.name.endswith("MulBackward0"))
    assert [c.name for c in node.cpu_children] == ["aten::mul", "aten::mul"]     # create_graph: ops inside
    assert all(c.cpu_parent is node for c in node.cpu_children)
    assert any(__file__ in s for s in prof.function_events[0].stack)
    prof.export_chrome_trace(str(tmp_path / "t.json"))
    assert json.loads((tmp_path / "t.json").read_text())["traceEvents"][0]["name"] == "aten::exp"
    assert "Source Location" in prof.table()
    with ember.autograd.profiler.record_function("outside"):     # no profile: nothing happens
        w.sum()
    with pytest.raises(RuntimeError, match="Profiler is already enabled"):
        with ember.profiler.profile(), ember.profiler.profile():
            pass


def test_no_profiler_hook_left_behind():
    from ember.autograd import function as fn
    with ember.profiler.profile():
        ember.ones(2).exp()
    assert fn._profiler_hook is None
    with pytest.raises(ValueError):
        with ember.profiler.profile():
            raise ValueError
    assert fn._profiler_hook is None


# ---------------------------------------------------------------------------------------------- multiprocessing
def test_spawn_two_processes_writing_to_a_queue():
    queue = emp.get_context("spawn").SimpleQueue()
    assert emp.spawn(worker.put_square, args=(queue, 3), nprocs=2) is None
    assert sorted([queue.get(), queue.get()]) == [(0, [0.0, 0.0]), (1, [9.0, 9.0])]


def test_start_processes_reports_child_failures():
    with pytest.raises(emp.ProcessRaisedException, match="worker 1 failed on purpose") as e:
        emp.start_processes(worker.fail_on_one, nprocs=2, start_method="fork")
    assert e.value.error_index == 1 and "-- Process 1 terminated with the following error:" in str(e.value)
    with pytest.raises(emp.ProcessExitedException, match="process 0 terminated with exit code 3") as e:
        emp.start_processes(worker.exit_with_code, nprocs=1, start_method="fork")
    assert e.value.exit_code == 3
    ctx = emp.start_processes(worker.fail_on_one, nprocs=1, join=False, start_method="fork")
    assert len(ctx.pids()) == 1
    while not ctx.join():
        pass


def test_multiprocessing_reexports_and_sharing_strategy():
    import multiprocessing
    assert emp.Process is multiprocessing.Process and emp.cpu_count() == multiprocessing.cpu_count()
    assert emp.get_all_sharing_strategies() == torch.multiprocessing.get_all_sharing_strategies()
    assert emp.get_sharing_strategy() == torch.multiprocessing.get_sharing_strategy()
    with pytest.raises(AssertionError, match="invalid sharing strategy 'x'"):
        emp.set_sharing_strategy("x")
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        emp.spawn(worker.fail_on_one, nprocs=0, start_method="fork")


# ---------------------------------------------------------------------------------------------- jit
def test_jit_script_and_trace_run_eagerly_with_identical_outputs():
    def f(x, y):
        return (x * y).relu().sum(-1)
    x, y = ember.randn(3, 4), ember.randn(3, 4)
    sf = ember.jit.script(f)
    assert ember.equal(sf(x, y), f(x, y))
    model = ember.nn.Sequential(ember.nn.Linear(4, 5), ember.nn.Tanh(), ember.nn.Linear(5, 2)).eval()
    scripted, traced = ember.jit.script(model), ember.jit.trace(model, x)
    assert ember.equal(scripted(x), model(x)) and ember.equal(traced(x), model(x))
    assert ember.jit.freeze(scripted) is scripted
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        ember.jit.trace(model, ember.randn(3, 7))
    with pytest.raises(RuntimeError, match="example_kwarg_inputs should be a dict"):
        ember.jit.trace(model)
    assert ember.jit.annotate(list, [1]) == [1] and not ember.jit.is_scripting() and not ember.jit.is_tracing()
    assert ember.jit.ignore(f) is f and ember.jit.ignore(drop=True)(f) is f and ember.jit.unused(f) is f


def test_jit_save_and_load_point_to_state_dict(tmp_path):
    with pytest.raises(RuntimeError, match=r"torch.save\(model.state_dict\(\), path\)"):
        ember.jit.save(ember.nn.Linear(2, 2), tmp_path / "m.pt")
    with pytest.raises(RuntimeError, match="TorchScript archives are not supported"):
        ember.jit.load(tmp_path / "m.pt")


# ---------------------------------------------------------------------------------------------- the rest
def test_distributed_is_not_available():
    d = ember.distributed
    assert d.is_available() is False and d.is_initialized() is False and d.ReduceOp.SUM.name == "SUM"
    with pytest.raises(RuntimeError, match="distributed training is not available in Ember"):
        d.init_process_group("gloo")
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        d.get_rank()


def test_mps_xpu_accelerator_and_types():
    assert (ember.mps.is_available(), ember.mps.device_count()) == (torch.mps.is_available(), 0)
    assert ember.mps.manual_seed(1) is None and torch.mps.manual_seed(1) is None
    with pytest.raises(RuntimeError, match="Cannot execute deviceSynchronize\\(\\) without MPS backend"):
        ember.mps.synchronize()
    assert (ember.xpu.is_available(), ember.xpu.device_count(), ember.xpu.manual_seed(0)) == (False, 0, None)
    with pytest.raises(AssertionError, match="Torch not compiled with XPU enabled"):
        ember.xpu.current_device()
    acc = ember.accelerator
    assert acc.is_available() is torch.accelerator.is_available() is False
    assert acc.current_accelerator() is None and acc.device_count() == 0
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
        acc.current_device_index()
    assert isinstance(1.5, ember.types._Number) and ember.types._int is int


def test_utils_hooks_model_zoo_dlpack():
    from ember.utils import dlpack, hooks, model_zoo
    assert hooks.RemovableHandle is ember.nn.modules.module.RemovableHandle
    assert model_zoo.load_url is ember.hub.load_state_dict_from_url
    t = ember.arange(6.).reshape(2, 3)
    a = np.from_dlpack(t)
    a[0, 0] = 42.0                                              # shares memory
    assert t[0, 0].item() == 42.0
    assert torch.from_dlpack(t).tolist() == t.tolist()
    assert ember.from_dlpack(torch.arange(4)).tolist() == [0, 1, 2, 3]
    assert ember.from_dlpack(dlpack.to_dlpack(t)).tolist() == t.tolist()
    assert ember.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(2))).dtype is ember.float32
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        np.from_dlpack(ember.ones(2, requires_grad=True))


def test_top_level_runtime_helpers():
    x = ember.zeros(2)
    assert ember.typename(x) == torch.typename(torch.zeros(2)) == "torch.FloatTensor"
    assert ember.typename(1) == "int" and ember.typename(ember.nn.Linear).endswith("linear.Linear")
    assert ember.get_device(x) == torch.get_device(torch.zeros(2)) == -1
    with pytest.raises(TypeError, match="get_device\\(\\): argument 'input' \\(position 1\\) must be Tensor"):
        ember.get_device(1)
    assert ember.is_storage(x) is False
    assert ember.set_flush_denormal(True) is False
    for fn, arg in (("set_warn_always", 1), ("set_flush_denormal", 1)):
        with pytest.raises(RuntimeError) as te:
            getattr(torch, fn)(arg)
        with pytest.raises(RuntimeError) as ee:
            getattr(ember, fn)(arg)
        assert str(ee.value) == str(te.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert ember.is_autocast_cpu_enabled() is False and ember.get_autocast_cpu_dtype() is ember.bfloat16
    try:
        ember.set_warn_always(True)
        assert ember.is_warn_always_enabled()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ember.qr(ember.eye(2))
            ember.qr(ember.eye(2))
        assert len(w) == 2                                      # once-per-process warnings, every time
    finally:
        ember.set_warn_always(False)
