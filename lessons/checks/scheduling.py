"""Checks for notebook 06, schedulers; ``lr_timeline`` also serves notebook 07's checks."""

import numpy as np
import torch

from lessons.checks import call

__all__ = ["lr_timeline", "first_difference"]


def lr_timeline(make_scheduler, base_lr, steps):
    """The lr an SGD optimizer (lr ``base_lr``) uses at each of ``steps`` steps under the learner's
    scheduler ``make_scheduler(optimizer)``, stepped once after every ``optimizer.step()``."""
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=base_lr)
    scheduler = call(make_scheduler, optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        call(lambda: scheduler.step())  # a wrong return value is the learner's error, not ours
    return np.array(lrs)


def first_difference(yours, right, rtol=1e-6, atol=1e-12):
    """The first index where two timelines part, or None."""
    differs = ~np.isclose(yours, right, rtol=rtol, atol=atol)
    return int(np.argmax(differs)) if differs.any() else None
