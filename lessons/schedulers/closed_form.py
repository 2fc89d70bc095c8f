"""Twins of torch's closed-form schedulers: each step calls the curve of ``lessons.schedules``.

The lr is recomputed from ``base_lrs`` at every step, so an lr set from outside is overwritten,
as in torch. CyclicLR and OneCycleLR also cycle momentum, or Adam's beta1 when the optimizer has
``betas`` (torch's ``use_beta1``), inversely to the lr.
"""

import math

from lessons import schedules
from lessons.schedulers._base import (
    LRScheduler,
    check_optimizer,
    format_param,
    lambdas_per_group,
    set_momentum,
)


class LambdaLR(LRScheduler):
    """lr_t = base_lr * lr_lambda(t): ``lambda_lr``.

    A group added after construction has no lambda: the next step raises ValueError, as in torch.
    """

    _functions = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = lambdas_per_group(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def closed_form_lr(self):
        return [
            float(schedules.lambda_lr(self.last_epoch, base_lr, fn))
            for base_lr, fn in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine from base_lr to eta_min over T_i = T_0 T_mult**i steps, then restart.

    As in torch, the position in the cycle is state: ``T_cur`` steps into a cycle of ``T_i``.
    ``step()`` adds 1 to T_cur and restarts at T_cur >= T_i (T_cur %= T_i, T_i *= T_mult);
    ``step(epoch)`` sets both from ``warm_restart_cycle(epoch)``, so after a fractional epoch
    (``epoch + batch / batches``) the next ``step()`` goes on from epoch + 1. Like torch's, it
    never warns (about call order or the epoch argument).

    Departure from torch: at a cycle's start, torch's ``step(epoch)`` finds the cycle by a float
    logarithm that can round down (T_0=1, T_mult=3, epoch=121 lands at the end of cycle 4, lr =
    eta_min); ``warm_restart_cycle`` counts cycles exactly and gives base_lr there.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, float | int):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def closed_form_lr(self):
        # lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2: one cycle of SGDR
        return [
            float(
                schedules.cosine_annealing_warm_restarts(self.T_cur, b, self.T_i, 1, self.eta_min)
            )
            for b in self.base_lrs
        ]

    def step(self, epoch=None):
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch, self.T_cur = self.last_epoch + 1, self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        else:
            T_cur, T_i = schedules.warm_restart_cycle(epoch, self.T_0, self.T_mult)
            self.T_cur, self.T_i = float(T_cur), int(T_i)
        self.last_epoch = math.floor(epoch)
        self.set_groups(self.closed_form_lr())


def _momentum_setup(scheduler, optimizer, base_momentum, max_momentum, last_epoch):
    """torch's checks; momentum (or beta1) starts at max_momentum; each group keeps both bounds."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
        )
    scheduler.use_beta1 = "betas" in optimizer.defaults
    scheduler.base_momentums = format_param("base_momentum", optimizer, base_momentum)
    scheduler.max_momentums = format_param("max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for lo, hi, group in zip(
            scheduler.base_momentums, scheduler.max_momentums, optimizer.param_groups, strict=True
        ):
            set_momentum(group, scheduler.use_beta1, hi)
            group["max_momentum"], group["base_momentum"] = hi, lo


class CyclicLR(LRScheduler):
    """The lr runs a triangle between base_lr and max_lr: ``cyclic_lr`` (``cyclic_momentum``).

    Construction sets each group's lr to base_lr (and its momentum to max_momentum). Without
    ``scale_fn`` the mode fixes ``scale_mode`` and the argument is ignored, as in torch.

    Departures from torch, each a ``ValueError`` naming the argument where torch goes on:
    ``step_size_up=0`` (torch divides by zero) and, with a ``scale_fn``, a
    ``scale_mode`` other than 'cycle' or 'iterations' (torch silently treats it as 'iterations').
    """

    _functions = ("scale_fn",)

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
        scale_fn=None,
        scale_mode="cycle",
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch=-1,
    ):
        check_optimizer(optimizer)
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_fn is None:  # a built-in mode fixes scale_mode, as in torch
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle = dict(
            step_size_up=step_size_up,
            step_size_down=step_size_down,
            mode=mode,
            gamma=gamma,
            scale_mode=scale_mode,
        )
        self.scale_fn = scale_fn
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_setup(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def closed_form_lr(self):
        return [
            float(
                schedules.cyclic_lr(self.last_epoch, lo, hi, scale_fn=self.scale_fn, **self.cycle)
            )
            for lo, hi in zip(self.base_lrs, self.max_lrs, strict=True)
        ]

    def momentum(self):
        if not self.cycle_momentum:
            return None
        return [
            float(
                schedules.cyclic_momentum(
                    self.last_epoch, lo, hi, scale_fn=self.scale_fn, **self.cycle
                )
            )
            for lo, hi in zip(self.base_momentums, self.max_momentums, strict=True)
        ]


class OneCycleLR(LRScheduler):
    """1cycle: max_lr / div_factor -> max_lr -> min_lr: ``one_cycle_lr``, ``one_cycle_momentum``.

    Each group keeps ``initial_lr``, ``max_lr``, ``min_lr`` (and the momentum bounds); as in torch,
    every step evaluates the curve from the group's values, so an outside edit of any of them is
    followed and a group added later raises ``KeyError: 'initial_lr'``. Stepping past
    ``total_steps`` raises torch's ValueError.

    Departures from torch: a phase of zero length (``pct_start * total_steps = 1``, e.g. 0.05 of
    20 steps) raises ``ValueError`` naming pct_start, where torch divides by zero (deliberate); a
    group added later raises ``KeyError: 'initial_lr'`` in every phase, where torch looks up only
    the current phase's two keys and names 'max_lr' while the lr anneals down from it.
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        check_optimizer(optimizer)
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.phases = dict(
            total_steps=self.total_steps,
            pct_start=pct_start,
            anneal_strategy=anneal_strategy,
            three_phase=three_phase,
        )
        max_lrs = format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for max_lr, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = max_lr / div_factor
                group["max_lr"] = max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_setup(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def closed_form_lr(self):
        return [
            float(
                schedules.one_cycle_lr(
                    self.last_epoch,
                    initial_lr=group["initial_lr"],
                    max_lr=group["max_lr"],
                    min_lr=group["min_lr"],
                    **self.phases,
                )
            )
            for group in self.optimizer.param_groups
        ]

    def momentum(self):
        if not self.cycle_momentum:
            return None
        return [
            float(
                schedules.one_cycle_momentum(
                    self.last_epoch,
                    base_momentum=group["base_momentum"],
                    max_momentum=group["max_momentum"],
                    **self.phases,
                )
            )
            for group in self.optimizer.param_groups
        ]


def _total_steps(total_steps, epochs, steps_per_epoch):
    """total_steps, or epochs * steps_per_epoch, with torch's checks."""
    if total_steps is not None:
        if total_steps <= 0 or not isinstance(total_steps, int):
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    if not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"Expected positive integer epochs, but got {epochs}")
    if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
        raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
    return epochs * steps_per_epoch
