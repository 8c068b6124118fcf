"""DataParallel (CPU: wraps and calls the module) and SyncBatchNorm (no process group: BatchNorm) against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_module


def test_data_parallel_wraps_module():
    compare_module(lambda nn: nn.DataParallel(nn.Linear(3, 2)), [(4, 3)])
    compare_module(lambda nn: nn.DataParallel(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), device_ids=[0, 1],
                                              output_device=1, dim=0), [(5, 3)])
    dp = ember.nn.DataParallel(ember.nn.Linear(3, 2), device_ids=[0, 1])
    if not ember.cuda.is_available():
        assert dp.device_ids == [] and not hasattr(dp, "dim")    # as PyTorch without CUDA devices
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel


def test_data_parallel_passes_kwargs_and_loads_prefixed_checkpoints():
    class Scale(ember.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor
    assert ember.nn.DataParallel(Scale())(ember.ones(2), factor=3.0).tolist() == [3.0, 3.0]
    t_dp = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    e_dp = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    e_dp.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_dp.state_dict().items()})
    np.testing.assert_array_equal(e_dp.module.weight.detach().numpy(), t_dp.module.weight.detach().numpy())


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2, 2, 2)])
def test_sync_batchnorm_is_batchnorm_without_process_group(shape):
    compare_module(lambda nn: nn.SyncBatchNorm(3), [shape])
    compare_module(lambda nn: nn.SyncBatchNorm(3, momentum=None, affine=False), [shape])
    compare_module(lambda nn: nn.SyncBatchNorm(3, track_running_stats=False, bias=False), [shape])


def test_sync_batchnorm_errors():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
            lib.nn.SyncBatchNorm(3)(lib.randn(3))
        with pytest.raises(ValueError, match="SyncBatchNorm number of input channels should be non-zero"):
            lib.nn.SyncBatchNorm(0)(lib.randn(3, 0))


def test_convert_sync_batchnorm():
    def build(nn):
        return nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4, momentum=0.3),
                             nn.Sequential(nn.BatchNorm1d(2, affine=False)))
    t_m, e_m = build(torch.nn), build(ember.nn)
    e_m[1].eval()
    bn_weight = e_m[1].weight
    e_c = ember.nn.SyncBatchNorm.convert_sync_batchnorm(e_m, process_group="pg")
    t_c = torch.nn.SyncBatchNorm.convert_sync_batchnorm(t_m)
    assert repr(e_c) == repr(t_c)
    assert e_c is e_m and e_c[1].weight is bn_weight    # parameters shared, not copied
    assert isinstance(e_c[1], ember.nn.SyncBatchNorm) and e_c[1].process_group == "pg"
    assert e_c[1].training is False and e_c[1].momentum == 0.3
    assert list(e_c.state_dict()) == list(t_c.state_dict())
    single = ember.nn.BatchNorm1d(3)
    conv = ember.nn.SyncBatchNorm.convert_sync_batchnorm(single)
    assert isinstance(conv, ember.nn.SyncBatchNorm) and conv.running_mean is single.running_mean
