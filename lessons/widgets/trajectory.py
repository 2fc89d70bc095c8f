"""``trajectory_explorer()``: optimizers from ``lessons.optim`` racing on a 2-D surface.

Every redraw reruns each optimizer from the start with ``lessons.surfaces.run_trajectory``; a
racer whose own settings did not change keeps its last path (same inputs, same path), so a betas
move reruns only the Adam family. The contours of a surface are computed once, on first view.
Sliders that no selected racer reads (momentum for Adam alone, betas for SGD) are hidden.
"""

from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import torch

from lessons import optim
from lessons.surfaces import SURFACES, run_trajectory, surface_named

from ._explorer import Explorer
from .axes import figure, set_title
from .controls import dropdown, float_slider, int_slider, log_slider, set_log_value


@dataclass(frozen=True)
class Racer:
    """An optimizer in the race: its class, fixed arguments, and which of TUNED sliders it reads."""

    cls: type
    fixed: dict = field(default_factory=dict)
    uses: tuple = ()


TUNED = ("momentum", "beta1", "beta2")  # the sliders only some racers read (all read lr)
BETAS = ("beta1", "beta2")
RACERS = {
    "SGD": Racer(optim.SGD),
    "momentum": Racer(optim.SGD, uses=("momentum",)),
    "Nesterov": Racer(optim.SGD, {"nesterov": True}, ("momentum",)),
    "Adagrad": Racer(optim.Adagrad),
    "RMSprop": Racer(optim.RMSprop),
    "Adadelta": Racer(optim.Adadelta),
    "Adam": Racer(optim.Adam, uses=BETAS),
    "AdamW": Racer(optim.AdamW, uses=BETAS),
    "Adamax": Racer(optim.Adamax, uses=BETAS),
    "NAdam": Racer(optim.NAdam, uses=BETAS),
    "RAdam": Racer(optim.RAdam, uses=BETAS),
}
DEFAULT_RACERS = ("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")
LR_RANGE = (1e-4, 1.0)


def hyperparameters(label, values):
    """The keyword arguments racer ``label`` gets from the sliders' ``values``."""
    racer = RACERS[label]
    hyper = {"lr": values["lr"], **racer.fixed}
    if "momentum" in racer.uses:
        hyper["momentum"] = values["momentum"]
    if racer.uses == BETAS:
        hyper["betas"] = (values["beta1"], values["beta2"])
    return hyper


def tuned_by(racers):
    """The TUNED sliders that at least one of ``racers`` reads."""
    return [name for name in TUNED if any(name in RACERS[label].uses for label in racers)]


DIVERGED = 1e6  # a final loss above this (the starts' are 2 to 41), or not finite, has diverged


def final_loss(surface, path):
    """The loss at the path's end, as the legend shows it: 3 digits, or "diverged"."""
    loss = surface(torch.from_numpy(path[-1])).item()
    return f"{loss:.3g}" if loss <= DIVERGED else "diverged"  # nan <= x is False


class TrajectoryExplorer(Explorer):
    """``.sliders`` holds every control, always; those that no selected racer reads are hidden
    (``layout.display == "none"``), and moving one changes nothing, not even the title."""

    def __init__(self, surface, optimizers, lr, momentum, betas, steps, noise, seed):
        sliders = {
            "surface": dropdown("surface", surface, list(SURFACES)),
            "optimizers": widgets.SelectMultiple(
                value=tuple(optimizers), options=list(RACERS), description="optimizers", rows=4
            ),
            "lr": log_slider("lr", SURFACES[surface].lr if lr is None else lr, *LR_RANGE),
            "momentum": float_slider("momentum", momentum, 0.0, 0.99),
            "beta1": float_slider("beta1", betas[0], 0.0, 0.999, 0.001),
            "beta2": float_slider("beta2", betas[1], 0.9, 0.9999, 0.0001),
            "steps": int_slider("steps", steps, 1, 500),
            "noise": float_slider("noise", noise, 0.0, 5.0, 0.05),
            "seed": int_slider("seed", seed, 0, 9),
        }
        height = 4.3  # inches
        fig, (ax,) = figure(height)
        fig.subplots_adjust(right=0.72, top=1 - 0.3 / height)  # room for a one-line title (still)
        self.ax = ax
        # the legend: each racer's name (static) and final loss (moving), in its line's colour.
        # A matplotlib Legend would be laid out again on every move (about 15 ms)
        ax.text(1.03, 1.0, "final loss", transform=ax.transAxes, va="top", fontsize=8)
        self.names, self.losses = {}, {}
        for i, label in enumerate(RACERS):
            style = dict(transform=ax.transAxes, va="top", color=f"C{i}", fontsize=9)
            self.names[label] = ax.text(1.03, 0, label, **style)
            self.losses[label] = ax.text(1.44, 0, "", ha="right", **style)
        self.racers = None  # the racers the legend lists, in order
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
                set_log_value(lr, suggested, LR_RANGE[0])  # lr's own observer redraws
                return
        super().refresh(change)

    def labels(self):
        return list(self.losses.values())

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

    def show_racers(self, racers):
        """Lines, legend rows and the sliders that matter, for the racers ``racers``."""
        for label in RACERS:
            for artist in (self.lines[label], self.names[label], self.losses[label]):
                artist.set_visible(label in racers)
        for rank, label in enumerate(racers):
            self.names[label].set_y(0.92 - 0.07 * rank)
            self.losses[label].set_y(0.92 - 0.07 * rank)
        tuned = tuned_by(racers)
        for name in TUNED:
            self.sliders[name].layout.display = None if name in tuned else "none"
        self.racers = racers
        self.invalidate()  # the names are in the background

    def path(self, label, values):
        hyper = hyperparameters(label, values)
        run = {k: values[k] for k in ("steps", "noise", "seed")}
        key = (values["surface"], tuple(run.items()), tuple(hyper.items()))
        if self.paths.get(label, (None,))[0] != key:
            path = run_trajectory(RACERS[label].cls, values["surface"], **run, **hyper)
            self.paths[label] = (key, path)
        return self.paths[label][1]

    def draw(self, values):
        surface = SURFACES[values["surface"]]
        if self.shown != surface.name:
            self.show_surface(surface.name)
        racers = [label for label in RACERS if label in values["optimizers"]]
        if racers != self.racers:
            self.show_racers(racers)
        for label in racers:
            path = self.path(label, values)
            # a diverged path ends where it stops being finite
            finite = np.isfinite(path).all(axis=1)
            end = len(path) if finite.all() else finite.argmin()
            self.lines[label].set_data(path[:end, 0], path[:end, 1])
            self.losses[label].set_text(final_loss(surface, path))
        shown = ["lr", *tuned_by(racers), "steps", *(["noise", "seed"] if values["noise"] else [])]
        set_title(self.ax, surface.name, [(k, values[k]) for k in shown])


def trajectory_explorer(
    surface="rosenbrock",
    optimizers=DEFAULT_RACERS,
    lr=None,
    momentum=0.9,
    betas=(0.9, 0.999),
    steps=100,
    noise=0.0,
    seed=0,
) -> TrajectoryExplorer:
    """Optimizers racing from the same start on ``surface``; ``lr=None`` takes the surface's.

    ``noise`` > 0 adds noise of that size to every gradient (the same draws, from ``seed``, for
    every racer), as a minibatch would: see ``lessons.surfaces.run_trajectory``."""
    unknown = [name for name in optimizers if name not in RACERS]
    if unknown:
        raise ValueError(f"Unknown optimizers {unknown}; expected some of {list(RACERS)}")
    return TrajectoryExplorer(
        surface_named(surface).name, optimizers, lr, momentum, betas, steps, noise, seed
    )
