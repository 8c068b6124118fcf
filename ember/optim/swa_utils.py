"""Stochastic Weight Averaging and exponential moving averages of a model's weights.

``AveragedModel`` keeps a copy of a model whose parameters (and, with ``use_buffers``, buffers) are
a running average of the model's; ``SWALR`` anneals the learning rate to a constant SWA rate;
``update_bn`` recomputes BatchNorm statistics for the averaged weights with one pass over the data.
"""
import copy
import itertools
import math
import warnings

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from ..ops.creation import tensor
from .lr_scheduler import LRScheduler, _format_param

_INT_ADDCDIV = ("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
                "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
                "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
                "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
                "(input + value * tensor1 / tensor2), for all dtypes.")

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """In-place EMA over lists of tensors: ``ema = decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                if p_ema.is_floating_point() or p_ema.is_complex():
                    p_ema.lerp_(p_model, 1 - decay)
                else:
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """In-place equal-weight running mean over lists of tensors: ``avg += (current - avg) / (n + 1)``."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                if p_avg.is_floating_point() or p_avg.is_complex():
                    p_avg.lerp_(p_model, 1 / (float(num_averaged) + 1))
                elif isinstance(num_averaged, Tensor):   # PyTorch's foreach addcdiv refuses integer tensors
                    raise RuntimeError(_INT_ADDCDIV)
                else:
                    p_avg.copy_(p_avg + (p_model - p_avg) / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """Per-tensor EMA: returns ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Per-tensor running mean: returns ``avg + (current - avg) / (n + 1)``."""
    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    r"""A deep copy of ``model`` whose weights are averaged over ``update_parameters(model)`` calls.

    Args:
        model: the model to average (copied; later changes to ``model`` do not reach the copy)
        device: where to keep the averaged copy (default: where ``model`` is)
        avg_fn: ``avg_fn(averaged, current, num_averaged) -> new averaged`` per tensor
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, num_averaged)`` updating the lists in place
            (at most one of ``avg_fn`` / ``multi_avg_fn``; neither: equal-weight SWA mean)
        use_buffers: average the buffers too (BatchNorm statistics); otherwise they are copied from ``model``

    The state dict holds ``n_averaged`` (the number of updates so far) and ``module.*``.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=D.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        pairs = [(a.detach(), b.detach().to(a.device)) for a, b in zip(mine, theirs)]
        n = int(self.n_averaged)
        with no_grad():
            if n == 0:
                for a, b in pairs:
                    a.copy_(b)
            elif self.avg_fn is not None:
                n_averaged = self.n_averaged.to(pairs[0][0].device) if pairs else self.n_averaged
                for a, b in pairs:
                    a.copy_(self.avg_fn(a, b, n_averaged))
            elif self.multi_avg_fn is not None:
                # multi_avg_fn sees one list per (device, dtype) group, as PyTorch's foreach grouping
                groups = {}
                for a, b in pairs:
                    groups.setdefault((str(a.device), str(a.dtype)), ([], []))
                    groups[(str(a.device), str(a.dtype))][0].append(a)
                    groups[(str(a.device), str(a.dtype))][1].append(b)
                for (device, _), (avg_list, cur_list) in groups.items():
                    self.multi_avg_fn(avg_list, cur_list, self.n_averaged.to(device))
            else:
                swa = get_swa_avg_fn()
                for a, b in pairs:
                    a.copy_(swa(a, b, self.n_averaged.to(a.device)))
            if not self.use_buffers:
                # buffers are not averaged: keep them in sync with the source model
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    The statistics are reset and then averaged over all batches with equal weight (momentum ``None``);
    a batch that is a list or tuple contributes its first element. The model's train/eval mode is restored.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for bn_module, momentum in momenta.items():
        bn_module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate from its value to ``swa_lr`` over ``anneal_epochs`` steps
    (``'cos'`` or ``'linear'``), then hold it at ``swa_lr``.

    Args:
        optimizer: the wrapped optimizer
        swa_lr: the SWA learning rate (a float, or one per param group)
        anneal_epochs: steps of annealing (0: jump to ``swa_lr``). Default: 10
        anneal_strategy: ``'cos'`` (default) or ``'linear'``
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        self._in_step = False
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        # the lr the schedule started from, recovered from the current lr and the annealing fraction
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def step(self, epoch=None):
        self._in_step = True
        try:
            super().step(epoch)
        finally:
            self._in_step = False

    def get_lr(self):
        if not self._in_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
