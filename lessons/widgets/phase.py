"""``phase_explorer()``: momentum's phase diagram on a quadratic, and the run at the chosen point.

Left, the rate ρ (the factor the error shrinks by per step) over every (lr, momentum) pair, from
the closed form in ``lessons.momentum``, for f = ½ (x²/κ + y²); grey where the run diverges. The
point the sliders choose is marked; beside it, that run of ``lessons.optim.SGD`` on the surface
and its error |x_k| against the predicted ρᵏ. The diagram is computed and drawn again only when
κ or Nesterov changes: it is the explorer's scene, kept over the cached background (axes and
colour bar) per (κ, Nesterov), so a move of lr, momentum or steps draws the run alone.
"""

import functools

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

from lessons import momentum as theory
from lessons import optim
from lessons.surfaces import run_trajectory, scaled_quadratic

from ._explorer import BACKGROUNDS, Explorer
from .axes import DPI, step_ceiling
from .controls import checkbox, float_slider, int_slider, log_slider

LR_MAX, MOMENTUM_MAX = 4.0, 0.99  # with L = 1, lr < 2 + 2β < 4 is the whole stable region
GRID = 161
ERROR_LIMITS = (1e-12, 1e3)


# the diagrams of the last few (κ, Nesterov), as many as the backgrounds an explorer keeps: a κ
# moved back finds its diagram (2 ms to compute) as it finds its cached scene
@functools.lru_cache(maxsize=BACKGROUNDS)
def rate_image(kappa, nesterov):
    """ρ on a GRID x GRID lattice: rows are momenta 0 ... 0.99, columns lrs 0 ... 4."""
    lrs, momenta = np.linspace(0, LR_MAX, GRID), np.linspace(0, MOMENTUM_MAX, GRID)
    image = theory.rate(lrs[None, :], momenta[:, None], [1 / kappa, 1.0], nesterov)
    image.flags.writeable = False  # kept and shared: no caller may change it
    return image


class PhaseExplorer(Explorer):
    def __init__(self, kappa, lr, beta, nesterov, steps):
        sliders = {
            "kappa": log_slider("kappa", kappa, 1.0, 1000.0),
            "nesterov": checkbox("nesterov", nesterov),
            "lr": float_slider("lr", lr, 0.01, LR_MAX),
            "momentum": float_slider("momentum", beta, 0.0, MOMENTUM_MAX),
            "steps": int_slider("steps", steps, 20, 400),
        }
        fig = Figure(figsize=(9.6, 3.2), dpi=DPI)
        FigureCanvasAgg(fig)
        self.ax_phase, self.ax_path, self.ax_error = fig.subplots(1, 3)
        fig.subplots_adjust(left=0.06, right=0.98, top=0.88, bottom=0.16, wspace=0.42)
        cmap = matplotlib.colormaps["viridis"].with_extremes(over="0.8")
        self.diagram = self.ax_phase.imshow(
            np.zeros((GRID, GRID)),
            extent=(0, LR_MAX, 0, MOMENTUM_MAX),
            origin="lower",
            aspect="auto",
            interpolation="nearest",  # 161 x 161 cells on about 190 x 250 pixels: no smoothing
            cmap=cmap,
            norm=PowerNorm(4, vmin=0, vmax=1),  # spreads 0.8 ... 1, where the methods differ
        )
        fig.colorbar(self.diagram, ax=self.ax_phase, pad=0.02, ticks=[0, 0.6, 0.8, 0.9, 1])
        self.ax_phase.set(xlabel="lr", ylabel="momentum β")
        (self.limit,) = self.ax_phase.plot([], [], "k--", lw=1)  # the largest stable lr
        (self.optimum,) = self.ax_phase.plot([], [], "w*", ms=10)  # Polyak's (lr, β)
        self.ax_path.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), xlabel="x (curvature 1/κ)")
        self.ax_path.set_ylabel("y (curvature 1)", labelpad=0)
        self.ax_path.set_title("the run of lessons.optim.SGD", fontsize=9)
        self.ax_error.set(yscale="log", ylim=ERROR_LIMITS, xlabel="step k", ylabel="|x_k − x*|")
        self.shown = None  # the (kappa, nesterov) the diagram shows
        (self.levels,) = self.ax_path.plot([], [], color="0.7", lw=1)  # f = c, ellipses
        self.ax_phase.set_title(" ", fontsize=9)
        lines = {
            "point": self.ax_phase.plot([], [], "o", color="C3", ms=8, mec="w")[0],
            "path": self.ax_path.plot([], [], color="C3", lw=1)[0],
            "error": self.ax_error.plot([], [], color="C3", lw=1.5, label="run")[0],
            "predicted": self.ax_error.plot([], [], "k--", lw=1, label="ρᵏ")[0],
        }
        self.ax_error.legend(loc="lower left", fontsize=8)
        super().__init__(sliders, fig, lines)

    def show_diagram(self, kappa, nesterov):
        self.diagram.set_data(rate_image(kappa, nesterov))
        betas = np.linspace(0, MOMENTUM_MAX, 50)
        self.limit.set_data(theory.largest_stable_lr(betas, 1.0, nesterov), betas)
        lr, beta, _ = theory.polyak(1 / kappa, 1.0)
        self.optimum.set_data([lr], [beta])
        self.optimum.set_visible(not nesterov)
        # ½ (x²/κ + y²) = c is the ellipse (√(2cκ) cos θ, √(2c) sin θ); NaN rows separate them
        theta = np.append(np.linspace(0, 2 * np.pi, 90), np.nan)
        radii = np.sqrt(2 * np.geomspace(1e-3, 1.3, 10))[:, None]
        self.levels.set_data(
            (radii * np.sqrt(kappa) * np.cos(theta)).ravel(), (radii * np.sin(theta)).ravel()
        )
        self.ax_phase.title.set_text(f"rate ρ, κ = {kappa:.3g} (grey: diverges)")
        self.shown = (kappa, nesterov)

    def scene(self):
        """Everything κ and Nesterov change: the diagram, its lines and the surface's level sets
        (ellipses, one line)."""
        diagram = [self.diagram, self.limit, self.optimum, self.levels, self.ax_phase.title]
        return self.shown, diagram

    def moving(self):
        return list(self.lines.values())  # the error panel's title is a label

    def labels(self):
        return [self.ax_error.title]

    def draw(self, values):
        kappa, lr, beta, nesterov = (values[k] for k in ("kappa", "lr", "momentum", "nesterov"))
        if (kappa, nesterov) != self.shown:
            self.show_diagram(kappa, nesterov)
        steps = values["steps"]
        path = run_trajectory(
            optim.SGD, scaled_quadratic(kappa), steps=steps, lr=lr, momentum=beta, nesterov=nesterov
        )
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's errors are inf
            errors = np.linalg.norm(path, axis=1)
        predicted = theory.rate(lr, beta, [1 / kappa, 1.0], nesterov)
        k = np.arange(steps + 1)
        self.lines["point"].set_data([lr], [beta])
        self.lines["path"].set_data(path[:, 0], path[:, 1])
        self.lines["error"].set_data(k, np.clip(errors, *ERROR_LIMITS))
        self.lines["predicted"].set_data(k, np.clip(errors[0] * predicted**k, *ERROR_LIMITS))
        self.ax_error.set_xlim(0, step_ceiling(steps))  # a new background only every few stops
        measured = theory.measured_rate(errors, window=min(60, steps // 4))
        self.ax_error.set_title(f"ρ = {predicted:.3f} predicted, {measured:.3f} run", fontsize=9)


def phase_explorer(kappa=100.0, lr=1.0, momentum=0.5, nesterov=False, steps=150) -> PhaseExplorer:
    """Momentum's phase diagram for condition number ``kappa``, with the run at (lr, momentum)."""
    if not 1 <= kappa <= 1000:
        raise ValueError(f"kappa must be between 1 and 1000, got {kappa!r}")
    return PhaseExplorer(kappa, lr, momentum, nesterov, steps)
