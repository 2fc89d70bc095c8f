"""The libraries' own schedules, run with an explorer's arguments: the markers drawn over a curve.

torch's scheduler (the entry's ``torch`` factory) is stepped, as in training, on an SGD optimizer
with momentum (so CyclicLR and OneCycleLR can cycle it); Keras's schedule is called at each step.
Keras is imported on first use, with the torch backend, because the import takes seconds.
"""

import warnings

import numpy as np

from lessons.keras_backend import keras
from lessons.schedulers.timeline import dummy_optimizer, record

from .schedule_arguments import accepted


def torch_schedule(entry, args, steps, group_lrs=None):
    """torch's lr and each group's momentum at every t in ``steps`` (sorted ints), as two arrays
    of shape (groups, len(steps)).

    ``args`` are the curve's keyword arguments; ``base_lr``, unless the scheduler takes it itself
    (CyclicLR), is the optimizer's lr. ``group_lrs`` gives one parameter group per lr.
    """
    optimizer = dummy_optimizer(group_lrs or [args.get("base_lr", args.get("max_lr"))], 0.9)
    with warnings.catch_warnings():
        # SequentialLR steps its schedulers with an epoch argument, which torch deprecates
        warnings.simplefilter("ignore", UserWarning)
        scheduler = entry.torch(optimizer, **accepted(entry.torch, args))
        values = record(optimizer, scheduler.step, int(steps[-1]) + 1, ("lr", "momentum"))
    return values["lr"][steps].T, values["momentum"][steps].T


def keras_schedule(entry, args, steps):
    """``keras.optimizers.schedules.<name>(**args)(t)`` at every t in ``steps``."""
    schedule = getattr(keras().optimizers.schedules, entry.name)(**args)
    return np.array([float(schedule(int(t))) for t in steps])
