"""Twins of the 15 schedulers in ``torch.optim.lr_scheduler`` and of ``swa_utils.SWALR``, built on
``lessons.schedules``.

Same names, arguments, defaults and error messages; ``step()``, ``get_last_lr()``,
``state_dict()``, ``load_state_dict()``; they work on any optimizer with ``param_groups``.
"""

from lessons.schedulers._base import LRScheduler
from lessons.schedulers.chainable import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from lessons.schedulers.closed_form import (
    CosineAnnealingWarmRestarts,
    CyclicLR,
    LambdaLR,
    OneCycleLR,
)
from lessons.schedulers.composite import ChainedScheduler, SequentialLR
from lessons.schedulers.plateau import ReduceLROnPlateau
from lessons.schedulers.swalr import SWALR

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "SWALR",
]
