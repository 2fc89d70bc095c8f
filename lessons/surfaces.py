"""Two-dimensional loss surfaces for optimizer races, and ``run_trajectory`` to race on them.

Each surface is written once, in torch, elementwise in ``xy[0]`` and ``xy[1]``: the same function
is differentiable on a (2,) tensor and evaluates a whole contour grid of shape (2, rows, cols).
The gradient is also given in closed form, because autograd on a 2-vector costs about 50 us a step,
more than the optimizer's update; ``tests/test_surfaces.py`` checks it against autograd.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from lessons.optim import ScratchOptimizer


def quadratic(xy):
    """f = 0.1 x² + 2 y²: curvatures 0.2 and 4, condition number 20."""
    return 0.1 * xy[0] ** 2 + 2 * xy[1] ** 2


def quadratic_grad(x, y):
    return 0.2 * x, 4 * y


def rosenbrock(xy):
    """f = (1 − x)² + 100 (y − x²)²: a curved, narrow valley; minimum 0 at (1, 1)."""
    return (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2


def rosenbrock_grad(x, y):
    valley = y - x * x
    return -2 * (1 - x) - 400 * x * valley, 200 * valley


def saddle(xy):
    """f = x² + y⁴/4 − y²/2: a saddle at (0, 0) between minima −1/4 at (0, ±1)."""
    return xy[0] ** 2 + xy[1] ** 4 / 4 - xy[1] ** 2 / 2


def saddle_grad(x, y):
    return 2 * x, y * y * y - y


def beale(xy):
    """f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: minimum 0 at (3, 0.5)."""
    x, y = xy[0], xy[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y
    dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1)
    dy = 2 * a * x + 4 * b * x * y + 6 * c * x * y * y
    return dx, dy


@dataclass(frozen=True)
class Surface:
    """A loss f(xy), its gradient (x, y) -> (∂f/∂x, ∂f/∂y), and how to look at it."""

    name: str
    f: Callable
    grad: Callable
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    lr: float  # the race's default: every default racer stays finite, the race has a winner

    def __call__(self, xy):
        return self.f(xy)

    def grid(self, n=120):
        """(X, Y, Z) on an n x n grid over xlim x ylim, for ``contour``."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(torch.from_numpy(np.stack([X, Y]))).numpy()


SURFACES = {
    s.name: s
    for s in [
        Surface("quadratic", quadratic, quadratic_grad, (-5, -2), (-6, 6), (-3, 3), ((0, 0),), 0.1),
        Surface(
            "rosenbrock", rosenbrock, rosenbrock_grad, (-1.2, 1), (-2, 2), (-1, 3), ((1, 1),), 1e-3
        ),
        Surface(
            "saddle", saddle, saddle_grad, (-1.5, 1e-3), (-2, 2), (-2, 2), ((0, -1), (0, 1)), 0.05
        ),
        Surface("beale", beale, beale_grad, (1, 1.5), (-1, 4), (-1.5, 2), ((3, 0.5),), 0.005),
    ]
}


def scaled_quadratic(kappa):
    """f = ½ (x²/κ + y²): curvatures μ = 1/κ and L = 1, condition number κ (notebook 11)."""
    mu = 1 / kappa
    return Surface(
        f"quadratic, κ = {kappa:.3g}",
        lambda xy: 0.5 * (mu * xy[0] ** 2 + xy[1] ** 2),
        lambda x, y: (mu * x, y),
        start=(1.0, 1.0),
        xlim=(-1.6, 1.6),
        ylim=(-1.6, 1.6),
        minima=((0, 0),),
        lr=1.0,
    )


def surface_named(surface):
    """A Surface, given itself or its name."""
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"Unknown surface {surface!r}; expected one of {sorted(SURFACES)}")
    return SURFACES[surface]


def run_trajectory(optimizer_cls, surface, start=None, steps=100, noise=0.0, seed=0, **hyper):
    """Positions of ``optimizer_cls([xy], **hyper)`` over ``steps`` steps: an array (steps + 1, 2).

    Row 0 is the start (default: the surface's); row k is xy, in float64, after k steps.
    ``noise`` > 0 makes the gradients stochastic, as a minibatch's are: each step's gradient is
    the true one plus ``noise`` times a standard normal 2-vector, drawn from ``seed``.
    A ``lessons.optim`` class is stepped through its per-parameter ``step_param``, the body of its
    ``step()``: on a 2-vector, ``step()``'s wrapper (profiler hook, no_grad, group loop) costs as
    much as the update itself. That also skips ``step()``'s checks (a ``p.grad`` of None is
    skipped, a complex parameter refused), which cannot fail here: xy is real and always has a
    grad. Any other class (torch.optim's) is stepped with ``step()``. The run is in inference
    mode (no version counters to keep): each small op costs a little less than under no_grad.
    """
    surface = surface_named(surface)
    if steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    shocks = (noise * np.random.default_rng(seed).standard_normal((steps, 2))).tolist()
    xy = torch.tensor(surface.start if start is None else start, dtype=torch.float64)
    optimizer = optimizer_cls([xy], **hyper)
    if isinstance(optimizer, ScratchOptimizer):
        step = functools.partial(optimizer.step_param, xy, optimizer.param_groups[0])
    else:
        step = optimizer.step
    path = [xy.tolist()]
    with torch.inference_mode():
        for shock_x, shock_y in shocks:
            grad_x, grad_y = surface.grad(*path[-1])
            # from numpy: a third of what torch.tensor takes to make a 2-vector from floats
            xy.grad = torch.from_numpy(np.array((grad_x + shock_x, grad_y + shock_y)))
            step()
            path.append(xy.tolist())
    return np.array(path)
