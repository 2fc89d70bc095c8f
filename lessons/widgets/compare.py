"""``compare_schedules``: schedules side by side, each from max_lr to min_lr over the same steps."""

import numpy as np

from lessons.schedules import SCHEDULES

from ._explorer import Explorer
from .axes import figure, set_axis, set_title
from .controls import int_slider, log_slider

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
