"""``group_explorer``: one torch scheduler driving two parameter groups with their own lrs."""

import numpy as np

from lessons.schedules import SCHEDULES

from ._explorer import Explorer
from .axes import figure, set_axis, set_title
from .controls import log_slider, make_controls
from .references import torch_schedule
from .schedule import marks_for

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
