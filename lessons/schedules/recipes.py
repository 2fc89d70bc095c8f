"""Recipes: schedules joined end to end, and the same recipes as torch composes them.

``join(pieces, boundaries)`` is optax's ``join_schedules``: piece k runs from boundaries[k-1]
on, restarted at its own t = 0, as torch's ``SequentialLR`` restarts a scheduler at its milestone.
"""

import numpy as np
from torch.optim import lr_scheduler

from . import arguments as argument
from .torch_curves import _cosine


def join(pieces, boundaries):
    """One curve from ``pieces`` (functions of a float array of t >= 0): piece k for
    boundaries[k-1] <= t < boundaries[k], evaluated at t - boundaries[k-1]."""

    def curve(steps):
        t = argument.steps(steps)
        k = np.searchsorted(boundaries, t, side="right")
        lr = np.empty_like(t)
        for i, (piece, start) in enumerate(zip(pieces, [0, *boundaries], strict=True)):
            here = k == i
            lr[here] = piece(t[here] - start)
        return lr

    return curve


def ramp(start, end, steps):
    """From ``start`` to ``end`` linearly over ``steps`` steps, then ``end``."""
    return lambda t: start + (end - start) * np.minimum(t, steps) / steps


def cosine(start, end, steps):
    """From ``start`` to ``end`` along a half cosine over ``steps`` steps, then back up."""
    return lambda t: _cosine(start, end, t / steps)


def warmup_cosine(steps, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1e-3):
    """Linear warmup, then cosine: SequentialLR([LinearLR, CosineAnnealingLR], [warmup_steps]).

    With W = warmup_steps and T = total_steps - W (LinearLR(start_factor, total_iters=W),
    CosineAnnealingLR(T_max=T, eta_min)); past total_steps the cosine rises again, as torch's does.
    """
    W = argument.count("warmup_steps", warmup_steps, 0)
    T = argument.count("total_steps", total_steps, W + 1) - W
    s = argument.fraction("start_factor", start_factor, low_open=True)
    base_lr, eta_min = argument.nonnegative("base_lr", base_lr), argument.real("eta_min", eta_min)
    warmup = ramp(base_lr * s, base_lr, max(W, 1))
    return join([warmup, cosine(base_lr, eta_min, T)], [W])(steps)


def warmup_stable_decay(steps, base_lr, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    """Warmup-stable-decay (WSD, as in nanochat's ``get_lr_multiplier``).

    Warmup lr = base_lr (t + 1) / W for t < W; then base_lr for ``stable_steps``; then linear to
    eta_min over ``decay_steps``; then eta_min.
    """
    W = argument.count("warmup_steps", warmup_steps, 0)
    S = argument.count("stable_steps", stable_steps, 0)
    D = argument.count("decay_steps", decay_steps, 1)
    base_lr = argument.nonnegative("base_lr", base_lr)
    eta_min = argument.nonnegative("eta_min", eta_min)
    # (t + 1) / W of base_lr, so the first step is not wasted at lr 0
    warmup = ramp(base_lr / max(W, 1), base_lr, max(W - 1, 1))
    stable = ramp(base_lr, base_lr, 1)
    decay = ramp(base_lr, eta_min, D)
    return join([warmup, stable, decay], [W, W + S])(steps)


def torch_warmup_cosine(optimizer, warmup_steps, total_steps, eta_min=0.0, start_factor=1e-3):
    """``warmup_cosine`` as torch composes it."""
    warmup = lr_scheduler.LinearLR(optimizer, start_factor, total_iters=warmup_steps)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, total_steps - warmup_steps, eta_min)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def torch_warmup_stable_decay(optimizer, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    """``warmup_stable_decay`` as torch composes it (one parameter group).

    LinearLR from 1/W to 1 over W - 1 steps gives base_lr (t + 1) / W and then holds base_lr; at
    W + S a second LinearLR goes linearly to eta_min = base_lr * end_factor over D steps.
    """
    base_lr = optimizer.param_groups[0]["lr"]
    if not 0 <= eta_min <= base_lr:
        raise ValueError(
            f"eta_min ({eta_min:.3g}) above base_lr ({base_lr:.3g}) or below 0: torch's LinearLR "
            "reaches it as end_factor = eta_min / base_lr, which must be in [0, 1]"
        )
    warmup = lr_scheduler.LinearLR(
        optimizer, 1 / max(warmup_steps, 1), total_iters=max(warmup_steps - 1, 1)
    )
    decay = lr_scheduler.LinearLR(optimizer, 1.0, eta_min / base_lr, total_iters=decay_steps)
    return lr_scheduler.SequentialLR(
        optimizer, [warmup, decay], milestones=[warmup_steps + stable_steps]
    )
