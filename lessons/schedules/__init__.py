"""Learning-rate schedules as pure functions of the step, and one entry per schedule.

Every curve takes ``steps`` first: an int or an array of ints, the scheduler's ``last_epoch``
t = 0, 1, 2, ... The value at t is what torch's ``get_last_lr()`` reports after construction and
t calls to ``step()`` (for the Keras curves: what ``schedule(t)`` returns). The result is a float64
array of the shape of ``steps``, computed without a Python loop over steps.

Where torch would divide by zero or silently return garbage, these functions raise ``ValueError``
instead; ``lessons.schedulers`` builds torch's scheduler classes on them. ``SCHEDULES`` holds one
``Schedule`` entry per curve (``catalog.py``): the explorers, references and checks read it.
"""

from .catalog import SCHEDULES, Control, Schedule
from .keras_curves import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    piecewise_constant_decay,
    polynomial_decay,
)
from .recipes import join, warmup_cosine, warmup_stable_decay
from .torch_curves import (
    constant_lr,
    cosine_annealing_lr,
    cosine_annealing_warm_restarts,
    cyclic_lr,
    cyclic_momentum,
    exponential_lr,
    lambda_lr,
    linear_lr,
    multi_step_lr,
    multiplicative_lr,
    one_cycle_lr,
    one_cycle_momentum,
    polynomial_lr,
    step_lr,
    swalr,
    warm_restart_cycle,
)

CURVES = {name: entry.curve for name, entry in SCHEDULES.items()}
MOMENTUM_CURVES = {name: e.momentum_curve for name, e in SCHEDULES.items() if e.momentum_curve}

__all__ = [
    "SCHEDULES",
    "Schedule",
    "Control",
    "CURVES",
    "MOMENTUM_CURVES",
    "join",
    "step_lr",
    "multi_step_lr",
    "constant_lr",
    "linear_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "warm_restart_cycle",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "cyclic_momentum",
    "one_cycle_lr",
    "one_cycle_momentum",
    "lambda_lr",
    "multiplicative_lr",
    "swalr",
    "warmup_cosine",
    "warmup_stable_decay",
    "exponential_decay",
    "piecewise_constant_decay",
    "polynomial_decay",
    "inverse_time_decay",
    "cosine_decay",
    "cosine_decay_restarts",
]
