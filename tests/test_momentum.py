"""The linear theory of lessons.momentum against runs of the optimizers, and the phase explorer."""

import numpy as np
import pytest
import torch

from lessons import momentum, optim
from lessons.surfaces import run_trajectory, scaled_quadratic
from lessons.widgets.phase import GRID, LR_MAX, MOMENTUM_MAX, phase_explorer, rate_image

MU, L = 0.01, 1.0


def errors(lr, beta, nesterov=False, kappa=1 / MU, steps=400, cls=optim.SGD):
    path = run_trajectory(
        cls, scaled_quadratic(kappa), steps=steps, lr=lr, momentum=beta, nesterov=nesterov
    )
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.norm(path, axis=1)


@pytest.mark.parametrize("nesterov", [False, True])
def test_closed_form_radius_is_the_step_matrix_s(nesterov):
    rng = np.random.default_rng(0)
    for lr, beta, lam in rng.uniform([0, 0, 0.01], [4, 0.99, 1], size=(200, 3)):
        eigenvalues = np.linalg.eigvals(momentum.step_matrix(lr, beta, lam, nesterov))
        assert momentum.spectral_radius(lr, beta, lam, nesterov) == pytest.approx(
            np.abs(eigenvalues).max(), abs=1e-9
        )


@pytest.mark.parametrize("nesterov", [False, True])
def test_step_matrix_is_one_step_of_torch_sgd(nesterov):
    x = torch.tensor([0.7], dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([x], lr=0.3, momentum=0.8, nesterov=nesterov)
    lam, state = 2.0, np.array([0.7, 0.0])
    for _ in range(5):
        x.grad = lam * x.detach()
        sgd.step()
        state = momentum.step_matrix(0.3, 0.8, lam, nesterov) @ state
        buffer = sgd.state[x]["momentum_buffer"].item()
        np.testing.assert_allclose([x.item(), buffer], state, rtol=1e-12)


@pytest.mark.parametrize(
    ("lr", "beta", "nesterov"),
    [(1.0, 0.5, False), (2.0, 0.9, False), (0.3, 0.0, False), (1.0, 0.6, True), (1.5, 0.9, True)],
)
@pytest.mark.parametrize("cls", [optim.SGD, torch.optim.SGD])
def test_predicted_rate_is_the_run_s(lr, beta, nesterov, cls):
    predicted = momentum.rate(lr, beta, [MU, L], nesterov)
    assert momentum.measured_rate(errors(lr, beta, nesterov, cls=cls)) == pytest.approx(
        predicted, rel=2e-3
    )


@pytest.mark.parametrize(
    ("beta", "nesterov"), [(0.0, False), (0.5, False), (0.9, False), (0.5, True), (0.9, True)]
)
def test_largest_stable_lr_is_where_runs_start_to_diverge(beta, nesterov):
    limit = momentum.largest_stable_lr(beta, L, nesterov)
    assert errors(0.99 * limit, beta, nesterov, steps=3000)[-1] < 1e-3
    assert errors(1.01 * limit, beta, nesterov, steps=3000)[-1] > 1e3


def test_best_gd_and_polyak_are_the_grid_s_fastest():
    lrs, betas = np.linspace(0.01, 4, 400), np.linspace(0, 0.99, 100)
    lr, rate = momentum.best_gd(MU, L)
    assert momentum.rate(lr, 0.0, [MU, L]) == pytest.approx(rate)
    assert momentum.rate(lrs, 0.0, [MU, L]).min() >= rate - 1e-12
    lr, beta, rate = momentum.polyak(MU, L)
    assert momentum.rate(lr, beta, [MU, L]) == pytest.approx(rate)
    grid = momentum.rate(lrs[None, :], betas[:, None], [MU, L])
    assert grid.min() >= rate - 1e-9
    assert rate == pytest.approx((10 - 1) / (10 + 1))


def test_between_the_critical_lrs_the_roots_are_complex_with_modulus_root_beta():
    low, high = momentum.critical_lrs(0.64, 2.0)
    for lr in np.linspace(low, high, 7)[1:-1]:
        assert momentum.spectral_radius(lr, 0.64, 2.0) == pytest.approx(0.8)
    for lr in (0.5 * low, 1.2 * high):
        assert momentum.spectral_radius(lr, 0.64, 2.0) > 0.8 + 1e-6


@pytest.mark.parametrize(("lr", "beta", "nesterov"), [(0.1, 0, False), (0.01, 0.9, False)])
def test_noise_floor_is_the_runs_mean_loss(lr, beta, nesterov):
    surface = scaled_quadratic(20.0)
    losses = []
    for seed in range(6):
        path = run_trajectory(optim.SGD, surface, (0.0, 0.0), 1500, 1.0, seed, lr=lr, momentum=beta)
        losses.append(np.mean(0.5 * (path[500:, 0] ** 2 / 20 + path[500:, 1] ** 2)))
    predicted = momentum.noise_floor(lr, beta, [1 / 20, 1.0], 1.0, nesterov)
    assert np.mean(losses) == pytest.approx(predicted, rel=0.15)


def test_phase_explorer_draws_the_closed_form_and_the_run():
    explorer = phase_explorer(kappa=100.0, lr=1.0, momentum=0.5)
    np.testing.assert_array_equal(explorer.diagram.get_array(), rate_image(100.0, False))
    assert explorer.diagram.get_array().shape == (GRID, GRID)
    for name, value in (("lr", 2.0), ("momentum", 0.8), ("steps", 100)):
        assert explorer.redraws("path", name, value), name
    values = explorer.values()
    path = run_trajectory(
        optim.SGD, scaled_quadratic(100.0), steps=100, lr=2.0, momentum=0.8, nesterov=False
    )
    np.testing.assert_array_equal(explorer.lines["path"].get_xydata(), path)
    assert explorer.lines["point"].get_xydata().tolist() == [[values["lr"], values["momentum"]]]
    predicted = momentum.rate(2.0, 0.8, [0.01, 1.0])
    assert f"{predicted:.3f} predicted" in explorer.ax_error.get_title()
    explorer.sliders["kappa"].value = 10.0
    np.testing.assert_array_equal(explorer.diagram.get_array(), rate_image(10.0, False))
    explorer.sliders["nesterov"].value = True
    np.testing.assert_array_equal(explorer.diagram.get_array(), rate_image(10.0, True))


def test_a_kept_diagram_is_computed_once_and_cannot_be_changed():
    """rate_image keeps its last diagrams: a κ moved back reuses one, which no caller may edit."""
    rate_image.cache_clear()
    first = rate_image(30.0, False)
    assert rate_image(30.0, False) is first
    lrs, momenta = np.linspace(0, LR_MAX, GRID), np.linspace(0, MOMENTUM_MAX, GRID)
    expected = momentum.rate(lrs[None, :], momenta[:, None], [1 / 30, 1.0])
    np.testing.assert_array_equal(first, expected)
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 0.5


def test_phase_explorer_says_what_is_wrong_and_recovers():
    explorer = phase_explorer(nesterov=True)
    explorer.sliders["momentum"].value = 0.0
    assert "Nesterov momentum requires a momentum" in explorer.message.value
    explorer.sliders["momentum"].value = 0.5
    assert explorer.message.value == ""
    with pytest.raises(ValueError, match="kappa"):
        phase_explorer(kappa=0.5)
