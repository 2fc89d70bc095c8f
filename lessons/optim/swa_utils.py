"""Weight averaging, as torch.optim.swa_utils: a running average of a model's weights (SWA, EMA).

SWA (Izmailov et al., 2018) takes the plain mean of the weights visited late in training; EMA
weighs recent weights more. `update_bn` recomputes BatchNorm statistics for the averaged weights.
"""

import copy
import itertools

import torch
from torch import Tensor
from torch.nn import Module

from lessons.schedulers import SWALR  # the lr side of SWA: a scheduler, with the others

__all__ = [
    "AveragedModel",
    "SWALR",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]

# Where torch's default mean uses its foreach (lerp) kernels; elsewhere, get_swa_avg_fn per tensor.
FOREACH_DEVICES = ("cuda", "xpu", "mtia")


def check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def get_ema_avg_fn(decay=0.999):
    """avg_fn for an exponential moving average: W_ema ← decay·W_ema + (1 − decay)·W."""
    check_decay(decay)

    @torch.no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """avg_fn for the plain mean of n + 1 models: W_swa ← W_swa + (W − W_swa) / (n + 1)."""

    @torch.no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """multi_avg_fn for the EMA, in place on lists: lerp, which rounds unlike get_ema_avg_fn."""
    check_decay(decay)

    @torch.no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
            if p_ema.is_floating_point() or p_ema.is_complex():
                p_ema.lerp_(p_model, 1 - decay)  # W_ema ← W_ema + (1 − decay)·(W − W_ema)
            else:  # integer buffers (BatchNorm's num_batches_tracked): truncated
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """multi_avg_fn for the mean, in place on lists. A tensor n gives a float32 weight 1/(n + 1)."""

    @torch.no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        weight = float(1 / (num_averaged + 1))
        for p_swa, p_model in zip(averaged_param_list, current_param_list, strict=True):
            if p_swa.is_floating_point() or p_swa.is_complex():
                p_swa.lerp_(p_model, weight)  # W_swa ← W_swa + (W − W_swa) / (n + 1)
            elif isinstance(num_averaged, Tensor):  # raises for integers, as torch does
                p_swa.addcdiv_(p_model - p_swa, num_averaged + 1)
            else:
                p_swa.add_(p_model - p_swa, alpha=1.0 / (num_averaged + 1))

    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose weights are the running average of the weights it is shown.

    The first `update_parameters(model)` copies the weights; each later one applies `avg_fn`
    (one tensor at a time, returning the new value) or `multi_avg_fn` (in place, on lists of
    tensors of one device and dtype); the mean (SWA) when neither is given. With
    `use_buffers=True` buffers (BatchNorm statistics) are averaged too; otherwise they are copied.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", torch.tensor(0, dtype=torch.long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged(self, module: Module):
        """What is averaged: the parameters, then the buffers if use_buffers."""
        if self.use_buffers:
            return list(itertools.chain(module.parameters(), module.buffers()))
        return list(module.parameters())

    @torch.no_grad()
    def update_parameters(self, model: Module) -> None:
        n = self.n_averaged
        pairs = [
            (mine, theirs.detach().to(mine.device))
            for mine, theirs in zip(
                self._averaged(self.module), self._averaged(model), strict=False
            )
        ]
        if n == 0:
            for mine, theirs in pairs:
                mine.copy_(theirs)  # W_avg ← W
        elif self.avg_fn is not None:
            for mine, theirs in pairs:
                mine.copy_(self.avg_fn(mine, theirs, n.to(mine.device)))
        else:
            groups = {}  # torch hands multi_avg_fn one list per (device, dtype)
            for mine, theirs in pairs:
                groups.setdefault((mine.device, mine.dtype), []).append((mine, theirs))
            # integer buffers first: an average that cannot take them fails before a weight moves
            for (device, _), group in sorted(
                groups.items(), key=lambda g: g[0][1].is_floating_point
            ):
                mine, theirs = ([pair[k] for pair in group] for k in (0, 1))
                if self.multi_avg_fn is not None:
                    self.multi_avg_fn(mine, theirs, n.to(device))
                elif device.type in FOREACH_DEVICES:
                    get_swa_multi_avg_fn()(mine, theirs, n.to(device))
                else:  # the mean, one tensor at a time, as torch does where foreach kernels are not
                    for a, b in zip(mine, theirs, strict=True):
                        a.copy_(get_swa_avg_fn()(a, b, n.to(device)))
        if not self.use_buffers:
            for mine, theirs in zip(self.module.buffers(), model.buffers(), strict=True):
                mine.copy_(theirs.detach().to(mine.device))  # buffers follow the model
        self.n_averaged += 1


@torch.no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """One pass over `loader` to recompute every BatchNorm's running mean and variance.

    momentum=None makes each BatchNorm take the plain mean over the batches, not an EMA.
    A batch is a tensor, or a list or tuple whose first item is the input.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        batch = batch[0] if isinstance(batch, list | tuple) else batch
        model(batch if device is None else batch.to(device))
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
