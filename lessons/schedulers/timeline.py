"""Step a scheduler as training does and record what each optimizer step uses.

The one harness behind the checks' timelines, the explorers' torch markers and the lessons'
comparisons; it drives torch's schedulers and the twins alike.
"""

import math

import numpy as np
import torch


def dummy_optimizer(lrs=(0.1,), momentum=0.0):
    """torch's SGD over one zero parameter per group, group i at ``lrs[i]``: all a scheduler
    needs. With ``momentum`` > 0, CyclicLR and OneCycleLR have a momentum to cycle."""
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=momentum)


def record(optimizer, step, steps, keys=("lr",)):
    """``{key: array (steps, groups)}``: each group's ``key`` as optimizer step t = 0 ...
    steps - 1 uses it, calling ``step()`` (the scheduler's) after each.

    ``optimizer.step()`` runs once, before the first ``step()``: all a scheduler sees of it (torch
    warns if it never ran), and on a parameter without a gradient each run only costs time. A value
    that is not a plain, finite number (a str, a tensor, nan) is a ValueError naming step and key.
    """
    rows = {key: [] for key in keys}
    for t in range(steps):
        for key, row in rows.items():
            values = [group[key] for group in optimizer.param_groups]
            for value in values:
                plain = isinstance(value, int | float) and not isinstance(value, bool)
                if not (plain and math.isfinite(value)):
                    raise ValueError(
                        f"at step {t} the {key} is {value!r}, not a plain, finite number."
                    )
            row.append(values)
        if t == 0:
            optimizer.step()
        step()
    groups = len(optimizer.param_groups)
    return {key: np.array(row).reshape(steps, groups) for key, row in rows.items()}
