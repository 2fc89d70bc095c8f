"""lessons.surfaces: closed-form gradients against autograd, grids, and run_trajectory."""

import numpy as np
import pytest
import torch

from lessons import optim
from lessons.surfaces import SURFACES, run_trajectory

NAMES = list(SURFACES)


@pytest.mark.parametrize("name", NAMES)
def test_closed_form_gradient_is_autograd(name):
    surface = SURFACES[name]
    points = torch.rand(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    low = torch.tensor([surface.xlim[0], surface.ylim[0]], dtype=torch.float64)
    high = torch.tensor([surface.xlim[1], surface.ylim[1]], dtype=torch.float64)
    for point in low + (high - low) * points:
        xy = point.clone().requires_grad_()
        surface(xy).backward()
        np.testing.assert_allclose(surface.grad(*point.tolist()), xy.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_grid_is_the_function_at_each_point(name):
    surface = SURFACES[name]
    X, Y, Z = surface.grid(n=7)
    assert Z.shape == (7, 7)
    for i, j in [(0, 0), (3, 5), (6, 6)]:
        point = torch.tensor([X[i, j], Y[i, j]], dtype=torch.float64)
        assert Z[i, j] == pytest.approx(surface(point).item(), rel=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_stationary(name):
    for point in SURFACES[name].minima:
        assert np.allclose(SURFACES[name].grad(*point), 0.0)


@pytest.mark.parametrize(
    "scratch, reference, hyper",
    [
        (optim.SGD, torch.optim.SGD, dict(lr=1e-3, momentum=0.9, nesterov=True)),
        (optim.Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99))),
        (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01)),
    ],
)
def test_run_trajectory_is_torch_with_autograd(scratch, reference, hyper):
    """The path is what a plain loop with loss.backward() and torch's optimizer gives."""
    surface = SURFACES["rosenbrock"]
    path = run_trajectory(scratch, "rosenbrock", steps=50, **hyper)
    xy = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    optimizer = reference([xy], foreach=False, **hyper)
    expected = [xy.tolist()]
    for _ in range(50):
        optimizer.zero_grad()
        surface(xy).backward()
        optimizer.step()
        expected.append(xy.tolist())
    assert path.shape == (51, 2)
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-12)


def test_run_trajectory_start_and_surface_object():
    surface = SURFACES["quadratic"]
    path = run_trajectory(optim.SGD, surface, start=(1.0, 1.0), steps=3, lr=0.1)
    # x ← x − 0.1 · 0.2x, y ← y − 0.1 · 4y
    np.testing.assert_allclose(path[:, 0], 0.98 ** np.arange(4))
    np.testing.assert_allclose(path[:, 1], 0.6 ** np.arange(4))


def test_run_trajectory_bad_input():
    with pytest.raises(ValueError, match="surface 'nope'"):
        run_trajectory(optim.SGD, "nope")
    with pytest.raises(ValueError, match="steps"):
        run_trajectory(optim.SGD, "saddle", steps=-1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        run_trajectory(optim.Adam, "saddle", lr=-1.0)
