"""From-scratch twins of torch.optim: one short update function per algorithm, a thin class each."""

from ._base import ScratchOptimizer
from .adadelta import Adadelta, adadelta_update
from .adafactor import Adafactor, adafactor_update
from .adagrad import Adagrad, adagrad_update
from .adam import Adam, AdamW, adam_update
from .adamax import Adamax, adamax_update
from .asgd import ASGD, asgd_update
from .lbfgs import LBFGS, lbfgs_direction
from .lion import Lion, lion_update
from .muon import Muon, muon_update, newton_schulz
from .nadam import NAdam, nadam_update
from .radam import RAdam, radam_update
from .rmsprop import RMSprop, rmsprop_update
from .rprop import Rprop, rprop_update
from .schedule_free import ScheduleFreeAdamW, schedule_free_adamw_update
from .sgd import SGD, sgd_update
from .sparse_adam import SparseAdam, sparse_adam_update

__all__ = [
    "ScratchOptimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adadelta",
    "Adamax",
    "NAdam",
    "RAdam",
    "Adafactor",
    "Muon",
    "Lion",
    "ScheduleFreeAdamW",
    "ASGD",
    "Rprop",
    "SparseAdam",
    "LBFGS",
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "adadelta_update",
    "adamax_update",
    "nadam_update",
    "radam_update",
    "adafactor_update",
    "muon_update",
    "newton_schulz",
    "lion_update",
    "schedule_free_adamw_update",
    "asgd_update",
    "rprop_update",
    "sparse_adam_update",
    "lbfgs_direction",
]
