"""Schedules side by side, ``compare_schedules``; one schedule, two groups, ``group_explorer``."""

import numpy as np

from lessons.schedules import SCHEDULES

from ._explorer import Explorer
from .axes import figure, set_axis, set_title
from .controls import int_slider, log_slider, make_controls
from .references import torch_schedule
from .schedule import marks_for

COMPARED = tuple(name for name, entry in SCHEDULES.items() if entry.compared)
MATCHED = tuple(name for name, entry in SCHEDULES.items() if entry.matched)


class CompareExplorer(Explorer):
    def __init__(self, names, max_lr, min_lr, total_steps):
        unknown = [name for name in names if name not in MATCHED]
        if unknown:
            raise ValueError(f"Cannot match {unknown}; expected some of {list(MATCHED)}")
        self.names = names
        sliders = {
            "max_lr": log_slider("max_lr", max_lr, 1e-4, 1.0),
            "min_lr": log_slider("min_lr", min_lr, 1e-6, 0.1),
            "total_steps": int_slider("total_steps", total_steps, 10, 600),
        }
        fig, (ax,) = figure(3.6)
        fig.subplots_adjust(right=0.7)
        self.ax = ax
        lines = {name: ax.plot([], [], lw=1.5, label=name)[0] for name in names}
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=7)
        ax.set_xlabel("step t")
        ax.set_ylabel("lr")
        super().__init__(sliders, fig, lines)

    def draw(self, values):
        hi, lo, n = values["max_lr"], values["min_lr"], values["total_steps"]
        if lo > hi:
            raise ValueError(f"min_lr must be <= max_lr ({hi:.3g}), got {lo:.3g}")
        steps = np.arange(n + 1)
        for name, line in self.lines.items():
            entry = SCHEDULES[name]
            line.set_data(steps, entry.curve(steps, **entry.matched(hi, lo, n)))
        set_axis(self.ax, steps, [hi])
        set_title(self.ax, "matched", values.items())


def compare_schedules(names=COMPARED, max_lr=0.1, min_lr=1e-3, total_steps=200) -> CompareExplorer:
    """``names`` on one axis, each starting (or peaking) at max_lr and ending at min_lr."""
    return CompareExplorer(tuple(names), max_lr, min_lr, total_steps)


# torch schedulers that follow each group's own lr: one scheduler can drive groups
GROUPED = tuple(name for name, entry in SCHEDULES.items() if entry.per_group)
GROUPS = ("backbone", "head")


class GroupExplorer(Explorer):
    def __init__(self, name, backbone_lr, head_lr):
        if name not in GROUPED:
            raise ValueError(f"Unknown schedule {name!r} for groups; expected one of {GROUPED}")
        self.name = name
        self.entry = SCHEDULES[name]
        spec = {k: v for k, v in self.entry.controls.items() if k != "base_lr"}
        sliders = {
            "backbone_lr": log_slider("backbone_lr", backbone_lr, 1e-5, 1.0),
            "head_lr": log_slider("head_lr", head_lr, 1e-5, 1.0),
            **make_controls(spec),
        }
        fig, (ax,) = figure(3.6)
        self.ax = ax
        ax.set_yscale("log")
        lines = {}
        for i, group in enumerate(GROUPS):
            (lines[group],) = ax.plot([], [], color=f"C{i}", lw=1.6, label=group)
            (lines[f"{group} reference"],) = ax.plot(
                [], [], "o", color=f"C{i}", mfc="none", ms=5, label=f"{group}: torch"
            )
        ax.legend(loc="lower left", fontsize=7, ncols=2)
        ax.set_xlabel("step t")
        ax.set_ylabel("lr (log scale)")
        super().__init__(sliders, fig, lines)

    def draw(self, values):
        entry = self.entry
        group_lrs = [values.pop(f"{group}_lr") for group in GROUPS]
        args = entry.arguments(values)
        steps = np.arange(entry.length(values) + 1)
        marks = marks_for(steps)
        reference, _ = torch_schedule(entry, args, marks, group_lrs)
        curves = [entry.curve(steps, base_lr=lr, **args) for lr in group_lrs]
        for group, curve, ref in zip(GROUPS, curves, reference, strict=True):
            self.lines[group].set_data(steps, curve)
            self.lines[f"{group} reference"].set_data(marks, ref)
        set_axis(self.ax, steps, curves, log=True)
        shown = [(f"{group}_lr", lr) for group, lr in zip(GROUPS, group_lrs, strict=True)]
        shown += args.items()
        set_title(self.ax, self.name, shown)


def group_explorer(name="CosineAnnealingLR", backbone_lr=1e-3, head_lr=1e-2) -> GroupExplorer:
    """Two parameter groups, backbone and head, with their own lrs under one torch scheduler."""
    return GroupExplorer(name, backbone_lr, head_lr)
