"""``schedule_explorer(name)``: one slider per argument, the curve, and the library's own values.

The line is ``lessons.schedules.CURVES[name]``; the markers are torch's scheduler (or Keras's
schedule) run with the same arguments, subsampled, so the two can be seen to coincide. Schedules
that cycle momentum get a second panel for it.
"""

import functools
import inspect

import numpy as np

from lessons import schedules

from ._explorer import (
    Explorer,
    checkbox,
    dropdown,
    figure,
    float_slider,
    int_range,
    int_slider,
    log_slider,
    nice_ceiling,
    set_title,
    step_ceiling,
)
from .references import keras_schedule, torch_schedule

KERAS = (
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
)
MARKERS = 25

# one parameter k, in steps; the repr of an lr_lambda is its formula with k filled in
LAMBDAS = {
    "LambdaLR": {
        "min(1, (epoch + 1) / {k})": lambda epoch, k: min(1.0, (epoch + 1) / k),
        "min((epoch + 1) / {k}, sqrt({k} / (epoch + 1)))": lambda epoch, k: min(
            (epoch + 1) / k, (k / (epoch + 1)) ** 0.5
        ),
        "0.5 ** (epoch / {k})": lambda epoch, k: 0.5 ** (epoch / k),
        "max(0, 1 - epoch / {k})": lambda epoch, k: max(0.0, 1 - epoch / k),
    },
    "MultiplicativeLR": {
        "0.5 if epoch % {k} == 0 else 1": lambda epoch, k: 0.5 if epoch % k == 0 else 1.0,
        "0.5 ** (1 / {k})": lambda epoch, k: 0.5 ** (1 / k),
        "0.97 if epoch <= {k} else 1": lambda epoch, k: 0.97 if epoch <= k else 1.0,
    },
}


class LrLambda:
    """An ``lr_lambda`` with its parameter bound; prints as its formula."""

    def __init__(self, formula, function, k):
        self.formula, self.function, self.k = formula, function, k

    def __call__(self, epoch):
        return self.function(epoch, self.k)

    def __repr__(self):
        return self.formula.format(k=self.k)


LR = (log_slider, 0.1, 1e-4, 1.0)
STEPS = (int_slider, 200, 10, 600)
FACTOR = (float_slider, 1 / 3, 0.0, 1.0)
MOMENTA = {
    "base_momentum": (float_slider, 0.85, 0.5, 0.99),
    "max_momentum": (float_slider, 0.95, 0.5, 0.99),
}


def lambda_controls(name):
    formulas = list(LAMBDAS[name])
    options = [(f.format(k="k"), f) for f in formulas]
    return {
        "base_lr": LR,
        "lr_lambda": (dropdown, formulas[0], options),
        "k": (int_slider, 20, 1, 100),
    }


# argument -> (widget factory, default, range...); "steps" is how many steps are shown
CONTROLS = {
    "StepLR": {
        "base_lr": LR,
        "step_size": (int_slider, 30, 1, 100),
        "gamma": (float_slider, 0.5, 0.0, 1.0),
        "steps": STEPS,
    },
    "MultiStepLR": {
        "base_lr": LR,
        "milestones": (int_range, (60, 140), 0, 200),
        "gamma": (float_slider, 0.3, 0.0, 1.0),
        "steps": STEPS,
    },
    "ConstantLR": {
        "base_lr": LR,
        "factor": FACTOR,
        "total_iters": (int_slider, 50, 1, 200),
        "steps": STEPS,
    },
    "LinearLR": {
        "base_lr": LR,
        "start_factor": FACTOR,
        "end_factor": (float_slider, 1.0, 0.0, 1.0),
        "total_iters": (int_slider, 50, 1, 200),
        "steps": STEPS,
    },
    "ExponentialLR": {
        "base_lr": LR,
        "gamma": (float_slider, 0.98, 0.9, 1.0, 0.001),
        "steps": STEPS,
    },
    "PolynomialLR": {
        "base_lr": LR,
        "total_iters": (int_slider, 150, 1, 300),
        "power": (float_slider, 1.0, 0.0, 5.0, 0.1),
        "steps": STEPS,
    },
    "CosineAnnealingLR": {
        "base_lr": LR,
        "T_max": (int_slider, 100, 1, 300),
        "eta_min": (float_slider, 0.0, 0.0, 0.1, 0.001),
        "steps": STEPS,
    },
    "CosineAnnealingWarmRestarts": {
        "base_lr": LR,
        "T_0": (int_slider, 20, 1, 100),
        "T_mult": (int_slider, 2, 1, 4),
        "eta_min": (float_slider, 0.0, 0.0, 0.1, 0.001),
        "steps": STEPS,
    },
    "CyclicLR": {
        "base_lr": (log_slider, 0.01, 1e-4, 1.0),
        "max_lr": LR,
        "step_size_up": (int_slider, 25, 1, 100),
        "step_size_down": (int_slider, 25, 1, 100),
        "mode": (dropdown, "triangular", ["triangular", "triangular2", "exp_range"]),
        "gamma": (float_slider, 0.99, 0.9, 1.0, 0.001),
        "base_momentum": (float_slider, 0.8, 0.5, 0.99),
        "max_momentum": (float_slider, 0.9, 0.5, 0.99),
        "steps": STEPS,
    },
    "OneCycleLR": {
        "max_lr": LR,
        "total_steps": (int_slider, 200, 10, 600),
        "pct_start": (float_slider, 0.3, 0.0, 1.0),
        "anneal_strategy": (dropdown, "cos", ["cos", "linear"]),
        "div_factor": (log_slider, 25.0, 1.0, 1000.0),
        "final_div_factor": (log_slider, 1e4, 1.0, 1e5),
        "three_phase": (checkbox, False),
        **MOMENTA,
    },
    "LambdaLR": {**lambda_controls("LambdaLR"), "steps": STEPS},
    "MultiplicativeLR": {**lambda_controls("MultiplicativeLR"), "steps": STEPS},
    "WarmupCosine": {
        "base_lr": LR,
        "warmup_steps": (int_slider, 20, 1, 100),
        "total_steps": (int_slider, 200, 10, 600),
        "eta_min": (float_slider, 0.0, 0.0, 0.1, 0.001),
        "start_factor": (log_slider, 1e-3, 1e-4, 1.0),
    },
    "WarmupStableDecay": {
        "base_lr": LR,
        "warmup_steps": (int_slider, 20, 0, 100),
        "stable_steps": (int_slider, 120, 0, 400),
        "decay_steps": (int_slider, 60, 1, 200),
        "eta_min": (float_slider, 0.0, 0.0, 0.1, 0.001),
    },
    "ExponentialDecay": {
        "initial_learning_rate": LR,
        "decay_steps": (int_slider, 50, 1, 200),
        "decay_rate": (float_slider, 0.5, 0.0, 1.0),
        "staircase": (checkbox, False),
        "steps": STEPS,
    },
    "PiecewiseConstantDecay": {
        "boundaries": (int_range, (60, 140), 0, 200),
        "values[0]": LR,
        "values[1]": (log_slider, 0.01, 1e-4, 1.0),
        "values[2]": (log_slider, 0.001, 1e-4, 1.0),
        "steps": STEPS,
    },
    "PolynomialDecay": {
        "initial_learning_rate": LR,
        "decay_steps": (int_slider, 150, 1, 300),
        "end_learning_rate": (log_slider, 1e-4, 1e-5, 1.0),
        "power": (float_slider, 1.0, 0.0, 5.0, 0.1),
        "cycle": (checkbox, False),
        "steps": STEPS,
    },
    "InverseTimeDecay": {
        "initial_learning_rate": LR,
        "decay_steps": (int_slider, 20, 1, 200),
        "decay_rate": (float_slider, 0.5, 0.0, 5.0, 0.05),
        "staircase": (checkbox, False),
        "steps": STEPS,
    },
    "CosineDecay": {
        "initial_learning_rate": (log_slider, 0.01, 1e-4, 1.0),
        "decay_steps": (int_slider, 150, 1, 300),
        "alpha": (float_slider, 0.0, 0.0, 1.0),
        "warmup_target": LR,
        "warmup_steps": (int_slider, 0, 0, 100),
        "steps": STEPS,
    },
    "CosineDecayRestarts": {
        "initial_learning_rate": LR,
        "first_decay_steps": (int_slider, 20, 1, 100),
        "t_mul": (float_slider, 2.0, 1.0, 3.0, 0.1),
        "m_mul": (float_slider, 1.0, 0.0, 1.0),
        "alpha": (float_slider, 0.0, 0.0, 1.0),
        "steps": STEPS,
    },
}


def make_controls(spec: dict) -> dict:
    return {name: factory(name, *params) for name, (factory, *params) in spec.items()}


def curve_args(name, values):
    """The widgets' values as the curve's keyword arguments (``steps`` is the view, not an arg).

    Range sliders give lists; ``values[i]`` sliders give ``values``; the named lambda gets its k;
    CosineDecay reads ``warmup_steps = 0`` as ``warmup_target=None`` (no warmup, no new peak).
    """
    args = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if k != "steps"}
    if name == "PiecewiseConstantDecay":
        args["values"] = [args.pop(f"values[{i}]") for i in range(3)]
    if name in LAMBDAS:
        formula = args["lr_lambda"]
        args["lr_lambda"] = LrLambda(formula, LAMBDAS[name][formula], args.pop("k"))
    if name == "CosineDecay" and args["warmup_steps"] == 0:
        args["warmup_target"] = None
    return args


def shown_steps(name, values):
    """How many steps the plot spans: the view slider, or the schedule's own length."""
    if "steps" in values:
        return values["steps"]
    if name == "WarmupStableDecay":
        return values["warmup_steps"] + values["stable_steps"] + values["decay_steps"]
    # OneCycleLR's total_steps are t = 0 ... total_steps - 1; WarmupCosine's end at total_steps
    return values["total_steps"] - (name == "OneCycleLR")


@functools.cache
def parameter_names(function):
    """``function``'s parameter names; cached, as every redraw asks (inspect takes ~30 µs)."""
    return frozenset(inspect.signature(function).parameters)


def accepted(function, args):
    """The part of ``args`` that ``function`` takes (CyclicLR's lr and momentum share sliders)."""
    names = parameter_names(function)
    return {k: v for k, v in args.items() if k in names}


def reference(name, args, marks):
    """(lr, momentum or None) from torch or Keras at ``marks``."""
    if name in KERAS:
        return keras_schedule(name, args, marks), None
    lr, momentum = torch_schedule(name, args, marks)
    return lr[0], momentum[0] if name in schedules.MOMENTUM_CURVES else None


def marks_for(steps):
    """About MARKERS evenly spread steps, first and last included, where the reference is drawn."""
    return np.unique(np.linspace(0, steps[-1], MARKERS).round().astype(int))


def set_axis(ax, steps, values, momentum=False, log=False):
    """Limits snapped to a coarse grid, so that most moves keep the ticks (and the background)."""
    ax.set_xlim(0, step_ceiling(steps[-1]))
    low, high = np.nanmin(values), np.nanmax(values)
    if momentum:
        ax.set_ylim(np.floor(low * 20 - 0.5) / 20, np.ceil(high * 20 + 0.5) / 20)
    elif log:
        top = 10 ** np.ceil(np.log10(high))
        ax.set_ylim(max(top * 1e-4, 10 ** np.floor(np.log10(max(low, 1e-300)))), top)
    else:
        ax.set_ylim(min(0.0, low), nice_ceiling(high * 1.04))


class ScheduleExplorer(Explorer):
    def __init__(self, name):
        if name not in CONTROLS:
            raise ValueError(f"Unknown schedule {name!r}; expected one of {sorted(CONTROLS)}")
        self.name = name
        self.curve = schedules.CURVES[name]
        self.momentum_curve = schedules.MOMENTUM_CURVES.get(name)
        fig, axes = figure(
            4.4 if self.momentum_curve else 3.2, rows=2 if self.momentum_curve else 1
        )
        source = "keras" if name in KERAS else "torch"
        lines = {}
        for ax, key in zip(axes, ["lr", "momentum"], strict=False):
            (lines[key],) = ax.plot([], [], color="C0", lw=1.6, label="lessons.schedules")
            (lines[f"{key} reference"],) = ax.plot(
                [], [], "o", color="C3", mfc="none", ms=5, label=source
            )
            ax.set_ylabel(key)
        axes[0].legend(loc="upper right", fontsize=8)
        axes[-1].set_xlabel("step t")
        self.axes = axes
        super().__init__(make_controls(CONTROLS[name]), fig, lines)

    def draw(self, values):
        args = curve_args(self.name, values)
        steps = np.arange(shown_steps(self.name, values) + 1)
        marks = marks_for(steps)
        curves = {"lr": self.curve(steps, **accepted(self.curve, args))}
        if self.momentum_curve:
            curves["momentum"] = self.momentum_curve(steps, **accepted(self.momentum_curve, args))
        lr, momentum = reference(self.name, args, marks)
        for (key, curve), ax, ref in zip(curves.items(), self.axes, [lr, momentum], strict=False):
            self.lines[key].set_data(steps, curve)
            self.lines[f"{key} reference"].set_data(marks, ref)
            set_axis(ax, steps, curve, momentum=key == "momentum")
        set_title(self.axes[0], self.name, args.items())

    def matches_reference(self, key: str = "lr") -> bool:
        """Does the drawn ``key`` curve pass through every marker of torch (or Keras)?"""
        steps, curve = self.lines[key].get_data()
        marks, reference = self.lines[f"{key} reference"].get_data()
        rtol = 1e-5 if self.name in KERAS else 1e-9  # Keras computes in float32
        return np.allclose(np.asarray(curve)[marks], reference, rtol=rtol, atol=1e-12)


def schedule_explorer(name: str) -> ScheduleExplorer:
    """Sliders for every argument of the torch scheduler or Keras schedule ``name``."""
    return ScheduleExplorer(name)
