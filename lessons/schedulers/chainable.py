"""Twins of torch's recursive ("chainable") schedulers, each driven by its closed-form curve.

torch multiplies the current ``group["lr"]`` at every step, so an lr set from outside persists
(scaled by later factors). We do the same, with the factor read off the curve m(t) of
``lessons.schedules`` at base_lr = 1:

    lr_t = floor + (lr_{t-1} - floor) * m(t) / m(t-1)

(floor = eta_min for CosineAnnealingLR, else 0). At t = 0 (a part of SequentialLR starting at its
milestone, or after the parts were rewound) m(-1) is torch's: 1 where torch's t = 0 factor is
m(0) (StepLR, MultiStepLR, ConstantLR, LinearLR), else the curve's formula at t = -1. Where
m(t-1) = 0 (the cosine's trough, the end of a decay to zero) torch adds instead:
lr_t = lr_{t-1} + (base_lr - floor) * m(t).
Left alone, lr_t equals the closed form floor + (base_lr - floor) m(t), to about 1e-14.

A factor of 1 leaves the lr untouched, as torch returns it unchanged.

Resuming by ``last_epoch=N`` (with ``initial_lr`` in every group) follows torch: the step the
constructor performs applies the factor m(N+1)/m(N) in StepLR, MultiStepLR and ConstantLR, and
none in LinearLR, ExponentialLR, PolynomialLR and CosineAnnealingLR (``_keeps_lr_on_resume``).

Departure from torch, deliberate: arguments torch accepts and then divides by zero on at the first
step (StepLR ``step_size=0``, CosineAnnealingLR ``T_max=0``) or follows with a wrong lr for ever
(``total_iters=0``: LinearLR and ConstantLR stay at factor * lr, PolynomialLR never decays) raise
``ValueError`` at construction, naming the argument, its value and what is allowed.
"""

import math

from lessons import schedules
from lessons.schedulers._base import LRScheduler, lambdas_per_group


class _Chainable(LRScheduler):
    _keeps_lr_on_resume = False

    def _floor(self):
        return 0.0

    def _multiplier(self, t):
        raise NotImplementedError

    def _multiplier_before_start(self):
        """m(-1): the step to t = 0 that is not the constructor's scales by m(0) / m(-1)."""
        return 1.0

    def recursive_lr(self):
        t, floor = self.last_epoch, self._floor()
        if t > 0:
            before = self._multiplier(t - 1)
        else:  # the constructor's step scales by m(0); a later step to t = 0 as torch does
            before = 1.0 if self._is_initial else self._multiplier_before_start()
        now = self._multiplier(t)
        groups = self.optimizer.param_groups
        resuming = self._is_initial and t != 0 and self._keeps_lr_on_resume
        if resuming or now == before:
            return [g["lr"] for g in groups]
        if before == 0:
            return [g["lr"] + (b - floor) * now for g, b in zip(groups, self.base_lrs, strict=True)]
        return [floor + (g["lr"] - floor) * now / before for g in groups]

    def closed_form_lr(self):
        m, floor = self._multiplier(self.last_epoch), self._floor()
        return [floor + (base_lr - floor) * m for base_lr in self.base_lrs]


class StepLR(_Chainable):
    """lr *= gamma every ``step_size`` steps; m(t) = ``step_lr(t, 1, step_size, gamma)``."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(schedules.step_lr(t, 1.0, self.step_size, self.gamma))


class MultiStepLR(_Chainable):
    """lr *= gamma at each milestone (twice for a repeated one); m(t) = ``multi_step_lr``."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones, self.gamma = sorted(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(schedules.multi_step_lr(t, 1.0, self.milestones, self.gamma))


class ConstantLR(_Chainable):
    """lr *= factor at t = 0 and /= factor at t = total_iters; m(t) = ``constant_lr``."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(schedules.constant_lr(t, 1.0, self.factor, self.total_iters))


class LinearLR(_Chainable):
    """The factor moves linearly from start_factor to end_factor; m(t) = ``linear_lr``."""

    _keeps_lr_on_resume = True

    def __init__(
        self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1
    ):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 "
                "and less or equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(
            schedules.linear_lr(t, 1.0, self.start_factor, self.end_factor, self.total_iters)
        )


class ExponentialLR(_Chainable):
    """lr *= gamma every step; m(t) = ``exponential_lr(t, 1, gamma)`` = gamma**t."""

    _keeps_lr_on_resume = True

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(schedules.exponential_lr(t, 1.0, self.gamma))

    def _multiplier_before_start(self):
        return 1.0 / self.gamma if self.gamma else math.inf  # gamma ** -1


class PolynomialLR(_Chainable):
    """m(t) = ``polynomial_lr`` = (1 - min(t, total_iters) / total_iters) ** power."""

    _keeps_lr_on_resume = True

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def _multiplier(self, t):
        return float(schedules.polynomial_lr(t, 1.0, self.total_iters, self.power))

    def _multiplier_before_start(self):
        return (1.0 + 1.0 / self.total_iters) ** self.power  # (1 - (-1) / T) ** power


class CosineAnnealingLR(_Chainable):
    """lr - eta_min scales by (1 + cos(pi t / T_max)) / (1 + cos(pi (t - 1) / T_max)).

    m(t) = ``cosine_annealing_lr(t, 1, T_max)``; past T_max it climbs back (period 2 T_max).
    """

    _keeps_lr_on_resume = True

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def _floor(self):
        return self.eta_min

    def _multiplier(self, t):
        return float(schedules.cosine_annealing_lr(t, 1.0, self.T_max))

    def _multiplier_before_start(self):
        return (1.0 + math.cos(math.pi / self.T_max)) / 2  # the cosine at t = -1


class MultiplicativeLR(LRScheduler):
    """lr *= lr_lambda(t) for t >= 1; ``multiplicative_lr`` draws the curve left alone.

    No closed form is evaluated here: the curve multiplies t factors, one step multiplies one.
    """

    _functions = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = lambdas_per_group(optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def recursive_lr(self):
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [g["lr"] for g in groups]
        return [
            g["lr"] * fn(self.last_epoch) for fn, g in zip(self.lr_lambdas, groups, strict=True)
        ]

    closed_form_lr = recursive_lr  # torch has none either: step(epoch) multiplies once
