"""The libraries' own schedules, run with an explorer's arguments: the markers drawn over a curve.

torch's scheduler is stepped, as in training, on an SGD optimizer with momentum (so CyclicLR and
OneCycleLR can cycle it); Keras's schedule is called at each step. Keras is imported on first use,
with the torch backend, because the import takes seconds.
"""

import inspect
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler

from lessons.keras_backend import keras


def torch_warmup_cosine(optimizer, warmup_steps, total_steps, eta_min=0.0, start_factor=1e-3):
    """lessons.schedules.warmup_cosine as torch composes it."""
    warmup = lr_scheduler.LinearLR(optimizer, start_factor, total_iters=warmup_steps)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, total_steps - warmup_steps, eta_min)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def torch_warmup_stable_decay(optimizer, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    """lessons.schedules.warmup_stable_decay as torch composes it (one parameter group).

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


RECIPES = {"WarmupCosine": torch_warmup_cosine, "WarmupStableDecay": torch_warmup_stable_decay}


def torch_schedule(name, args, steps, group_lrs=None):
    """torch's ``get_last_lr()`` and each group's momentum at every t in ``steps`` (sorted ints).

    ``args`` are the curve's keyword arguments; ``base_lr``, unless the scheduler takes it itself
    (CyclicLR), is the optimizer's lr. ``group_lrs`` gives one parameter group per lr.
    Returns two arrays of shape (groups, len(steps)).
    """
    make = RECIPES.get(name) or getattr(lr_scheduler, name)
    accepted = inspect.signature(make).parameters
    lrs = group_lrs or [args.get("base_lr", args.get("max_lr"))]
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    with warnings.catch_warnings():
        # SequentialLR steps its schedulers with an epoch argument, which torch deprecates
        warnings.simplefilter("ignore", UserWarning)
        scheduler = make(optimizer, **{k: v for k, v in args.items() if k in accepted})
        optimizer.step()  # torch warns when a scheduler steps before its optimizer ever has
        lr, momentum = [], []
        for t in range(int(steps[-1]) + 1):
            if t > 0:
                scheduler.step()
            if t == steps[len(lr)]:
                lr.append(scheduler.get_last_lr())
                momentum.append([group["momentum"] for group in optimizer.param_groups])
    return np.array(lr).T, np.array(momentum).T


def keras_schedule(name, args, steps):
    """``keras.optimizers.schedules.<name>(**args)(t)`` at every t in ``steps``."""
    schedule = getattr(keras().optimizers.schedules, name)(**args)
    return np.array([float(schedule(int(t))) for t in steps])
