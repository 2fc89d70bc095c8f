"""One entry per schedule: everything the explorers, the references and the checks read.

An entry names the curve, its momentum curve if any, the torch scheduler it mirrors (none for a
Keras schedule), a control per argument with its default and range, when a control matters, how
many steps a plot shows, and how the schedule takes part in comparisons. Adding a schedule is
writing its curve and one ``Schedule(...)`` here (README, "Adding a schedule").
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from torch.optim import lr_scheduler, swa_utils

from . import keras_curves as keras
from . import recipes
from . import torch_curves as curves
from .lambdas import LAMBDAS, LrLambda


@dataclass(frozen=True)
class Control:
    """How one argument is set: ``kind`` is log, real, integer, integer range, choice or flag."""

    kind: str
    default: object
    low: object = None
    high: object = None
    step: float = 0.01
    options: tuple = ()


def log(default, low, high):
    return Control("log", default, low, high)


def real(default, low, high, step=0.01):
    return Control("real", default, low, high, step)


def integer(default, low, high):
    return Control("integer", default, low, high)


def integer_range(default, low, high):
    return Control("integer range", default, low, high)


def choice(default, options):
    """``options``: values, or (label, value) pairs."""
    return Control("choice", default, options=tuple(options))


def flag(default):
    return Control("flag", default)


def plain_arguments(values):
    """Control values as the curve's keyword arguments; ``steps`` (how many steps a plot shows)
    is the view's, and a range control gives a list."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if k != "steps"}


def shown_steps(values):
    return values["steps"]


@dataclass(frozen=True)
class Schedule:
    name: str
    curve: Callable
    controls: dict  # argument -> Control
    torch: Callable | None = None  # torch's scheduler(optimizer, **arguments); None for Keras
    momentum_curve: Callable | None = None
    arguments: Callable = plain_arguments  # control values -> the curve's keyword arguments
    length: Callable = shown_steps  # control values -> the last step a plot shows
    matters: dict = field(default_factory=dict)  # control -> when it changes the curve
    # (max_lr, min_lr, n) -> arguments that start (or peak) at max_lr and end at min_lr at step n
    matched: Callable | None = None
    compared: bool = False  # drawn by compare_schedules() by default
    per_group: bool = False  # follows each group's own lr, so group_explorer can show it

    @property
    def library(self):
        """Whose values the curve is checked against: "torch" or "keras"."""
        return "keras" if self.torch is None else "torch"

    def defaults(self):
        return {name: control.default for name, control in self.controls.items()}


LR = log(0.1, 1e-4, 1.0)
STEPS = integer(200, 10, 600)
FACTOR = real(1 / 3, 0.0, 1.0)
ETA_MIN = real(0.0, 0.0, 0.1, 0.001)
MOMENTA = {"base_momentum": real(0.85, 0.5, 0.99), "max_momentum": real(0.95, 0.5, 0.99)}


def decays(n):
    """How many times StepLR with step_size = n // 4 has decayed by step n."""
    return n // max(n // 4, 1)


def lambda_controls(name):
    formulas = list(LAMBDAS[name])
    options = [(f.format(k="k"), f) for f in formulas]
    return {
        "base_lr": LR,
        "lr_lambda": choice(formulas[0], options),
        "k": integer(20, 1, 100),
        "steps": STEPS,
    }


def lambda_arguments(name):
    def arguments(values):
        args = plain_arguments(values)
        formula = args["lr_lambda"]
        args["lr_lambda"] = LrLambda(formula, LAMBDAS[name][formula], args.pop("k"))
        return args

    return arguments


def piecewise_arguments(values):
    args = plain_arguments(values)
    args["values"] = [args.pop(f"values[{i}]") for i in range(3)]
    return args


def cosine_decay_arguments(values):
    """Keras warms up only towards a target: warmup_steps = 0 means warmup_target=None."""
    args = plain_arguments(values)
    if args["warmup_steps"] == 0:
        args["warmup_target"] = None
    return args


ENTRIES = [
    Schedule(
        "StepLR",
        curves.step_lr,
        {
            "base_lr": LR,
            "step_size": integer(30, 1, 100),
            "gamma": real(0.5, 0.0, 1.0),
            "steps": STEPS,
        },
        torch=lr_scheduler.StepLR,
        matched=lambda hi, lo, n: dict(
            base_lr=hi, step_size=max(n // 4, 1), gamma=(lo / hi) ** (1 / decays(n))
        ),
        compared=True,
        per_group=True,
    ),
    Schedule(
        "MultiStepLR",
        curves.multi_step_lr,
        {
            "base_lr": LR,
            "milestones": integer_range((60, 140), 0, 200),
            "gamma": real(0.3, 0.0, 1.0),
            "steps": STEPS,
        },
        torch=lr_scheduler.MultiStepLR,
        per_group=True,
    ),
    Schedule(
        "ConstantLR",
        curves.constant_lr,
        {"base_lr": LR, "factor": FACTOR, "total_iters": integer(50, 1, 200), "steps": STEPS},
        torch=lr_scheduler.ConstantLR,
        per_group=True,
    ),
    Schedule(
        "ExponentialLR",
        curves.exponential_lr,
        {"base_lr": LR, "gamma": real(0.98, 0.9, 1.0, 0.001), "steps": STEPS},
        torch=lr_scheduler.ExponentialLR,
        matched=lambda hi, lo, n: dict(base_lr=hi, gamma=(lo / hi) ** (1 / n)),
        compared=True,
        per_group=True,
    ),
    Schedule(
        "LinearLR",
        curves.linear_lr,
        {
            "base_lr": LR,
            "start_factor": FACTOR,
            "end_factor": real(1.0, 0.0, 1.0),
            "total_iters": integer(50, 1, 200),
            "steps": STEPS,
        },
        torch=lr_scheduler.LinearLR,
        matched=lambda hi, lo, n: dict(
            base_lr=hi, start_factor=1.0, end_factor=lo / hi, total_iters=n
        ),
        compared=True,
        per_group=True,
    ),
    Schedule(
        "PolynomialLR",
        curves.polynomial_lr,
        {
            "base_lr": LR,
            "total_iters": integer(150, 1, 300),
            "power": real(1.0, 0.0, 5.0, 0.1),
            "steps": STEPS,
        },
        torch=lr_scheduler.PolynomialLR,
        per_group=True,
    ),
    Schedule(
        "CosineAnnealingLR",
        curves.cosine_annealing_lr,
        {"base_lr": LR, "T_max": integer(100, 1, 300), "eta_min": ETA_MIN, "steps": STEPS},
        torch=lr_scheduler.CosineAnnealingLR,
        matched=lambda hi, lo, n: dict(base_lr=hi, T_max=n, eta_min=lo),
        compared=True,
        per_group=True,
    ),
    Schedule(
        "CosineAnnealingWarmRestarts",
        curves.cosine_annealing_warm_restarts,
        {
            "base_lr": LR,
            "T_0": integer(20, 1, 100),
            "T_mult": integer(2, 1, 4),
            "eta_min": ETA_MIN,
            "steps": STEPS,
        },
        torch=lr_scheduler.CosineAnnealingWarmRestarts,
        per_group=True,
    ),
    Schedule(
        "CyclicLR",
        curves.cyclic_lr,
        {
            "base_lr": log(0.01, 1e-4, 1.0),
            "max_lr": LR,
            "step_size_up": integer(25, 1, 100),
            "step_size_down": integer(25, 1, 100),
            "mode": choice("triangular", ["triangular", "triangular2", "exp_range"]),
            "gamma": real(0.99, 0.9, 1.0, 0.001),
            "base_momentum": real(0.8, 0.5, 0.99),
            "max_momentum": real(0.9, 0.5, 0.99),
            "steps": STEPS,
        },
        torch=lr_scheduler.CyclicLR,
        momentum_curve=curves.cyclic_momentum,
        matters={"gamma": lambda values: values["mode"] == "exp_range"},
    ),
    Schedule(
        "OneCycleLR",
        curves.one_cycle_lr,
        {
            "max_lr": LR,
            "total_steps": STEPS,
            "pct_start": real(0.3, 0.0, 1.0),
            "anneal_strategy": choice("cos", ["cos", "linear"]),
            "div_factor": log(25.0, 1.0, 1000.0),
            "final_div_factor": log(1e4, 1.0, 1e5),
            "three_phase": flag(False),
            **MOMENTA,
        },
        torch=lr_scheduler.OneCycleLR,
        momentum_curve=curves.one_cycle_momentum,
        length=lambda values: values["total_steps"] - 1,  # t = 0 ... total_steps - 1
        # peak max_lr after a warmup from max_lr / 25; its last step, t = n, ends at min_lr
        matched=lambda hi, lo, n: dict(max_lr=hi, total_steps=n + 1, final_div_factor=hi / lo / 25),
        compared=True,
    ),
    Schedule(
        "LambdaLR",
        curves.lambda_lr,
        lambda_controls("LambdaLR"),
        torch=lr_scheduler.LambdaLR,
        arguments=lambda_arguments("LambdaLR"),
        per_group=True,
    ),
    Schedule(
        "MultiplicativeLR",
        curves.multiplicative_lr,
        lambda_controls("MultiplicativeLR"),
        torch=lr_scheduler.MultiplicativeLR,
        arguments=lambda_arguments("MultiplicativeLR"),
        per_group=True,
    ),
    Schedule(
        "SWALR",
        curves.swalr,
        {
            "base_lr": LR,
            "swa_lr": log(0.01, 1e-4, 1.0),
            "anneal_epochs": integer(50, 0, 200),
            "anneal_strategy": choice("cos", ["cos", "linear"]),
            "steps": STEPS,
        },
        torch=swa_utils.SWALR,
        per_group=True,
    ),
    Schedule(
        "WarmupCosine",
        recipes.warmup_cosine,
        {
            "base_lr": LR,
            "warmup_steps": integer(20, 1, 100),
            "total_steps": STEPS,
            "eta_min": ETA_MIN,
            "start_factor": log(1e-3, 1e-4, 1.0),
        },
        torch=recipes.torch_warmup_cosine,
        length=lambda values: values["total_steps"],
        matched=lambda hi, lo, n: dict(
            base_lr=hi, warmup_steps=max(n // 10, 1), total_steps=n, eta_min=lo
        ),
        per_group=True,
    ),
    Schedule(
        "WarmupStableDecay",
        recipes.warmup_stable_decay,
        {
            "base_lr": LR,
            "warmup_steps": integer(20, 0, 100),
            "stable_steps": integer(120, 0, 400),
            "decay_steps": integer(60, 1, 200),
            "eta_min": ETA_MIN,
        },
        # torch reaches the absolute eta_min by a per-group end_factor: one group only
        torch=recipes.torch_warmup_stable_decay,
        length=lambda v: v["warmup_steps"] + v["stable_steps"] + v["decay_steps"],
        matched=lambda hi, lo, n: dict(
            base_lr=hi,
            warmup_steps=n // 10,
            stable_steps=n - n // 10 - n // 5,
            decay_steps=max(n // 5, 1),
            eta_min=lo,
        ),
        compared=True,
    ),
    Schedule(
        "ExponentialDecay",
        keras.exponential_decay,
        {
            "initial_learning_rate": LR,
            "decay_steps": integer(50, 1, 200),
            "decay_rate": real(0.5, 0.0, 1.0),
            "staircase": flag(False),
            "steps": STEPS,
        },
        matched=lambda hi, lo, n: dict(initial_learning_rate=hi, decay_steps=n, decay_rate=lo / hi),
    ),
    Schedule(
        "PiecewiseConstantDecay",
        keras.piecewise_constant_decay,
        {
            "boundaries": integer_range((60, 140), 0, 200),
            "values[0]": LR,
            "values[1]": log(0.01, 1e-4, 1.0),
            "values[2]": log(0.001, 1e-4, 1.0),
            "steps": STEPS,
        },
        arguments=piecewise_arguments,
    ),
    Schedule(
        "PolynomialDecay",
        keras.polynomial_decay,
        {
            "initial_learning_rate": LR,
            "decay_steps": integer(150, 1, 300),
            "end_learning_rate": log(1e-4, 1e-5, 1.0),
            "power": real(1.0, 0.0, 5.0, 0.1),
            "cycle": flag(False),
            "steps": STEPS,
        },
    ),
    Schedule(
        "InverseTimeDecay",
        keras.inverse_time_decay,
        {
            "initial_learning_rate": LR,
            "decay_steps": integer(20, 1, 200),
            "decay_rate": real(0.5, 0.0, 5.0, 0.05),
            "staircase": flag(False),
            "steps": STEPS,
        },
        matched=lambda hi, lo, n: dict(
            initial_learning_rate=hi, decay_steps=n, decay_rate=hi / lo - 1
        ),
    ),
    Schedule(
        "CosineDecay",
        keras.cosine_decay,
        {
            "initial_learning_rate": log(0.01, 1e-4, 1.0),
            "decay_steps": integer(150, 1, 300),
            "alpha": real(0.0, 0.0, 1.0),
            "warmup_target": LR,
            "warmup_steps": integer(0, 0, 100),
            "steps": STEPS,
        },
        arguments=cosine_decay_arguments,
        matters={"warmup_target": lambda values: values["warmup_steps"] > 0},
        matched=lambda hi, lo, n: dict(initial_learning_rate=hi, decay_steps=n, alpha=lo / hi),
    ),
    Schedule(
        "CosineDecayRestarts",
        keras.cosine_decay_restarts,
        {
            "initial_learning_rate": LR,
            "first_decay_steps": integer(20, 1, 100),
            "t_mul": real(2.0, 1.0, 3.0, 0.1),
            "m_mul": real(1.0, 0.0, 1.0),
            "alpha": real(0.0, 0.0, 1.0),
            "steps": STEPS,
        },
    ),
]
SCHEDULES = {entry.name: entry for entry in ENTRIES}
