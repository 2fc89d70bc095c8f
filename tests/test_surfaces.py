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


def stepped(cls, surface, steps, autograd=True, **hyper):
    """The path of a plain loop: autograd's (or the closed-form) gradient, then ``step()``."""
    xy = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    optimizer = cls([xy], **hyper)
    path = [xy.tolist()]
    for _ in range(steps):
        optimizer.zero_grad()
        if autograd:
            surface(xy).backward()
        else:
            xy.grad = torch.tensor(surface.grad(*xy.tolist()), dtype=torch.float64)
        optimizer.step()
        path.append(xy.tolist())
    return np.array(path)


# every racer of the trajectory explorer, with non-default settings where it has them
RACES = [
    ("SGD", dict(lr=1e-3)),
    ("SGD", dict(lr=1e-3, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=1e-3, momentum=0.8, dampening=0.1, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adadelta", dict(lr=0.5)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01)),
    ("RAdam", dict(lr=0.05)),
]


@pytest.mark.parametrize("name, hyper", RACES)
def test_run_trajectory_is_the_class_stepped_and_torch(name, hyper):
    """run_trajectory skips step()'s wrapper: the path must still be the class's step() loop with
    the same gradients, bit for bit, and torch.optim's with autograd's, within rounding."""
    surface, scratch, reference = (
        SURFACES["rosenbrock"],
        getattr(optim, name),
        getattr(torch.optim, name),
    )
    path = run_trajectory(scratch, "rosenbrock", steps=50, **hyper)
    assert path.shape == (51, 2)
    np.testing.assert_array_equal(path, stepped(scratch, surface, 50, autograd=False, **hyper))
    torch_path = stepped(reference, surface, 50, foreach=False, **hyper)
    np.testing.assert_allclose(path, torch_path, rtol=1e-12, atol=1e-12)
    # torch's classes go through step()
    np.testing.assert_array_equal(
        run_trajectory(reference, surface, steps=50, foreach=False, **hyper),
        stepped(reference, surface, 50, autograd=False, foreach=False, **hyper),
    )


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
