"""``schedule_explorer(name)``: one slider per argument, the curve, and the library's own values.

Everything comes from the schedule's entry, ``lessons.schedules.SCHEDULES[name]``: the line is its
curve; the markers are torch's scheduler (or Keras's schedule) run with the same arguments,
subsampled, so the two can be seen to coincide. Schedules that cycle momentum get a second panel
for it. A slider that does nothing in the current state (CyclicLR's gamma outside exp_range) is
hidden until it matters, and left out of the title.
"""

import numpy as np

from lessons.schedules import SCHEDULES

from ._explorer import Explorer
from .axes import figure, set_axis, set_title
from .controls import make_controls
from .references import keras_schedule, torch_schedule
from .schedule_arguments import accepted

MARKERS = 25


def marks_for(steps):
    """About MARKERS evenly spread steps, first and last included, where the reference is drawn."""
    return np.unique(np.linspace(0, steps[-1], MARKERS).round().astype(int))


def reference(entry, args, marks):
    """(lr, momentum or None) from torch or Keras at ``marks``."""
    if entry.library == "keras":
        return keras_schedule(entry, args, marks), None
    lr, momentum = torch_schedule(entry, args, marks)
    return lr[0], momentum[0] if entry.momentum_curve else None


class ScheduleExplorer(Explorer):
    def __init__(self, name):
        if name not in SCHEDULES:
            raise ValueError(f"Unknown schedule {name!r}; expected one of {sorted(SCHEDULES)}")
        self.name = name
        self.entry = entry = SCHEDULES[name]
        panels = ["lr", "momentum"] if entry.momentum_curve else ["lr"]
        fig, axes = figure(3.2 + 1.2 * (len(panels) - 1), rows=len(panels))
        lines = {}
        for ax, key in zip(axes, panels, strict=True):
            (lines[key],) = ax.plot([], [], color="C0", lw=1.6, label="lessons.schedules")
            (lines[f"{key} reference"],) = ax.plot(
                [], [], "o", color="C3", mfc="none", ms=5, label=entry.library
            )
            ax.set_ylabel(key)
        axes[0].legend(loc="upper right", fontsize=8)
        axes[-1].set_xlabel("step t")
        self.axes = axes
        super().__init__(make_controls(entry.controls), fig, lines)

    def draw(self, values):
        entry = self.entry
        hidden = {k for k, matters in entry.matters.items() if not matters(values)}
        for name, control in self.sliders.items():
            control.layout.display = "none" if name in hidden else None
        args = entry.arguments(values)
        steps = np.arange(entry.length(values) + 1)
        marks = marks_for(steps)
        curves = {"lr": entry.curve(steps, **accepted(entry.curve, args))}
        if entry.momentum_curve:
            curves["momentum"] = entry.momentum_curve(steps, **accepted(entry.momentum_curve, args))
        lr, momentum = reference(entry, args, marks)
        for (key, curve), ax, ref in zip(curves.items(), self.axes, [lr, momentum], strict=False):
            self.lines[key].set_data(steps, curve)
            self.lines[f"{key} reference"].set_data(marks, ref)
            set_axis(ax, steps, curve, momentum=key == "momentum")
        set_title(self.axes[0], self.name, [(k, v) for k, v in args.items() if k not in hidden])

    def matches_reference(self, key: str = "lr") -> bool:
        """Does the drawn ``key`` curve pass through every marker of torch (or Keras)?"""
        steps, curve = self.lines[key].get_data()
        marks, reference = self.lines[f"{key} reference"].get_data()
        rtol = 1e-5 if self.entry.library == "keras" else 1e-9  # Keras computes in float32
        return np.allclose(np.asarray(curve)[marks], reference, rtol=rtol, atol=1e-12)


def schedule_explorer(name: str) -> ScheduleExplorer:
    """Sliders for every argument of the torch scheduler or Keras schedule ``name``."""
    return ScheduleExplorer(name)
