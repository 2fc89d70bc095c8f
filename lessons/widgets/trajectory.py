"""``trajectory_explorer()``: optimizers from ``lessons.optim`` racing on a 2-D surface.

Every redraw reruns each optimizer from the start with ``lessons.surfaces.run_trajectory``; a
racer whose own settings did not change keeps its last path (same inputs, same path), so a betas
move reruns only the Adam family. The contours of a surface are computed once, on first view.
"""

from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import torch

from lessons import optim
from lessons.surfaces import SURFACES, run_trajectory, surface_named

from ._explorer import Explorer, dropdown, figure, float_slider, int_slider, log_slider, set_title


@dataclass(frozen=True)
class Racer:
    """An optimizer in the race: its class, fixed arguments, and which shared sliders it reads."""

    cls: type
    fixed: dict = field(default_factory=dict)
    uses: tuple = ()


RACERS = {
    "SGD": Racer(optim.SGD),
    "momentum": Racer(optim.SGD, uses=("momentum",)),
    "Nesterov": Racer(optim.SGD, {"nesterov": True}, ("momentum",)),
    "Adagrad": Racer(optim.Adagrad),
    "RMSprop": Racer(optim.RMSprop),
    "Adadelta": Racer(optim.Adadelta),
    "Adam": Racer(optim.Adam, uses=("betas",)),
    "AdamW": Racer(optim.AdamW, uses=("betas",)),
    "Adamax": Racer(optim.Adamax, uses=("betas",)),
    "NAdam": Racer(optim.NAdam, uses=("betas",)),
    "RAdam": Racer(optim.RAdam, uses=("betas",)),
}
DEFAULT_RACERS = ("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")


def hyperparameters(label, values):
    """The keyword arguments racer ``label`` gets from the sliders' ``values``."""
    racer = RACERS[label]
    hyper = {"lr": values["lr"], **racer.fixed}
    if "momentum" in racer.uses:
        hyper["momentum"] = values["momentum"]
    if "betas" in racer.uses:
        hyper["betas"] = (values["beta1"], values["beta2"])
    return hyper


class TrajectoryExplorer(Explorer):
    def __init__(self, surface, optimizers, lr, momentum, betas, steps):
        sliders = {
            "surface": dropdown("surface", surface, list(SURFACES)),
            "optimizers": widgets.SelectMultiple(
                value=tuple(optimizers), options=list(RACERS), description="optimizers", rows=4
            ),
            "lr": log_slider("lr", SURFACES[surface].lr if lr is None else lr, 1e-4, 1.0),
            "momentum": float_slider("momentum", momentum, 0.0, 0.99),
            "beta1": float_slider("beta1", betas[0], 0.0, 0.999, 0.001),
            "beta2": float_slider("beta2", betas[1], 0.9, 0.9999, 0.0001),
            "steps": int_slider("steps", steps, 1, 500),
        }
        fig, (ax,) = figure(4.6)
        fig.subplots_adjust(right=0.72)
        self.ax = ax
        # the legend: each racer's final loss in its line's colour. A matplotlib Legend would be
        # laid out again on every move (about 15 ms); these texts are redrawn and nothing else
        ax.text(1.03, 1.0, "final loss", transform=ax.transAxes, va="top", fontsize=8)
        self.losses = {
            label: ax.text(
                1.03, 0, "", transform=ax.transAxes, va="top", color=f"C{i}", family="monospace"
            )
            for i, label in enumerate(RACERS)
        }
        self.contours = {}  # surface name -> its static artists, made on first view
        self.shown = None
        self.paths = {}  # racer label -> (its inputs, its path)
        lines = {
            label: ax.plot([], [], "-o", ms=2, lw=1.2, color=f"C{i}", label=label)[0]
            for i, label in enumerate(RACERS)
        }
        super().__init__(sliders, fig, lines)

    def refresh(self, change=None):
        """A new surface brings its own lr (an lr that suits Rosenbrock crawls on the quadratic)."""
        lr = self.sliders["lr"]
        if change is not None and change["owner"] is self.sliders["surface"]:
            suggested = SURFACES[change["new"]].lr
            if lr.value != suggested:
                lr.value = suggested  # lr's own observer redraws
                return
        super().refresh(change)

    def moving(self):
        return [*super().moving(), *self.losses.values()]

    def show_surface(self, name):
        surface = SURFACES[name]
        if name not in self.contours:
            X, Y, Z = surface.grid()
            # log-spaced levels above the grid's minimum: valleys and rims both get lines
            levels = Z.min() + (np.percentile(Z, 95) - Z.min()) * np.geomspace(1e-3, 1, 16)
            contour = self.ax.contour(X, Y, Z, levels=levels, cmap="Greys_r", linewidths=0.6)
            marks = self.ax.plot(*np.transpose(surface.minima), "*", color="k", ms=9)
            marks += self.ax.plot(*surface.start, "s", color="k", ms=5)
            self.contours[name] = [contour, *marks]
        for key, artists in self.contours.items():
            for artist in artists:
                artist.set_visible(key == name)
        self.ax.set_xlim(surface.xlim)
        self.ax.set_ylim(surface.ylim)
        self.shown = name
        self.invalidate()

    def path(self, label, values):
        key = (values["surface"], values["steps"], tuple(hyperparameters(label, values).items()))
        if self.paths.get(label, (None,))[0] != key:
            hyper = hyperparameters(label, values)
            path = run_trajectory(
                RACERS[label].cls, values["surface"], steps=values["steps"], **hyper
            )
            self.paths[label] = (key, path)
        return self.paths[label][1]

    def draw(self, values):
        surface = SURFACES[values["surface"]]
        if self.shown != surface.name:
            self.show_surface(surface.name)
        racers = [label for label in RACERS if label in values["optimizers"]]
        for label, line in self.lines.items():
            line.set_visible(label in racers)
        for label, text in self.losses.items():
            text.set_visible(label in racers)
        for rank, label in enumerate(racers):
            path = self.path(label, values)
            self.lines[label].set_data(path[:, 0], path[:, 1])
            loss = surface(torch.from_numpy(path[-1])).item()
            self.losses[label].set_text(f"{label:<9}{loss:.3g}")
            self.losses[label].set_y(0.92 - 0.07 * rank)
        shown = [(k, values[k]) for k in ("lr", "momentum", "beta1", "beta2", "steps")]
        set_title(self.ax, surface.name, shown)


def trajectory_explorer(
    surface="rosenbrock",
    optimizers=DEFAULT_RACERS,
    lr=None,
    momentum=0.9,
    betas=(0.9, 0.999),
    steps=100,
) -> TrajectoryExplorer:
    """Optimizers racing from the same start on ``surface``; ``lr=None`` takes the surface's."""
    unknown = [name for name in optimizers if name not in RACERS]
    if unknown:
        raise ValueError(f"Unknown optimizers {unknown}; expected some of {list(RACERS)}")
    return TrajectoryExplorer(surface_named(surface).name, optimizers, lr, momentum, betas, steps)
