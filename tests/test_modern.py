"""lessons.modern: the experiments notebook 12 shows, each checked against torch or by hand."""

import math

import pytest
import torch
from torch import nn

from lessons import modern, optim
from lessons.memory import state_bytes_per_param
from lessons.optim.swa_utils import AveragedModel


def test_quadratic_has_the_curvatures_and_the_rotation():
    H = modern.quadratic(100, math.pi / 6)
    torch.testing.assert_close(torch.linalg.eigvalsh(H), torch.tensor([1.0, 100.0], dtype=H.dtype))
    assert modern.jacobi_condition(modern.quadratic(100, 0.0)) == pytest.approx(1.0)
    assert modern.jacobi_condition(H) == pytest.approx(75.5, abs=0.1)


@pytest.mark.parametrize("kappa", [0, -1.0, float("nan")])
def test_quadratic_refuses_a_curvature_that_is_not_positive(kappa):
    with pytest.raises(ValueError, match="kappa"):
        modern.quadratic(kappa, 0.0)


def test_minimise_is_plain_gradient_descent_for_sgd():
    H = modern.quadratic(10, 0.3)
    losses = modern.minimise(optim.SGD, H, 5, lr=0.05)
    x = torch.tensor([1.0, 0.5], dtype=torch.float64)
    for loss in losses:
        x = x - 0.05 * H @ x
        assert loss.item() == pytest.approx((0.5 * x @ H @ x).item(), rel=1e-12)


def test_minimise_noise_reaches_the_gradient():
    H = modern.quadratic(10, 0.3)
    clean = modern.minimise(optim.SGD, H, 5, lr=0.05)
    assert not torch.equal(clean, modern.minimise(optim.SGD, H, 5, lr=0.05, noise=0.1))


def test_ns_singular_values_are_those_of_newton_schulz():
    G = torch.randn(6, 9, generator=torch.Generator().manual_seed(0))
    table = modern.ns_singular_values(G, 3)
    assert table.shape == (4, 6)
    torch.testing.assert_close(table[0], torch.linalg.svdvals(G / G.norm()), rtol=1e-2, atol=1e-3)
    coefficients = (3.4445, -4.7750, 2.0315)
    X = optim.newton_schulz(G, coefficients, 3, 1e-7).float()
    torch.testing.assert_close(table[3], torch.linalg.svdvals(X))


def test_muon_with_adamw_steps_as_the_two_optimizers_would():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 3))
    twin = [p.detach().clone().requires_grad_() for p in model.parameters()]
    both = modern.MuonWithAdamW(model.parameters(), lr=0.02, adamw_lr=0.01)
    muon = optim.Muon([twin[0], twin[2]], lr=0.02)
    adamw = optim.AdamW([twin[1], twin[3], twin[4], twin[5]], lr=0.01)
    assert [p.shape for p in both.muon.param_groups[0]["params"]] == [(4, 5), (4, 4)]
    X = torch.randn(8, 5)
    for _ in range(3):
        both.zero_grad()
        model(X).square().sum().backward()
        for p, q in zip(twin, model.parameters(), strict=True):
            p.grad = q.grad.clone()
        both.step()
        muon.step()
        adamw.step()
    for p, q in zip(twin, model.parameters(), strict=True):
        assert torch.equal(p, q)
    assert len(both.param_groups) == 2 and len(both.state) == 6
    assert 4 < state_bytes_per_param(both) < 8


def test_muon_with_adamw_needs_a_hidden_matrix():
    with pytest.raises(ValueError, match="params"):
        modern.MuonWithAdamW(nn.Linear(3, 2).parameters(), lr=0.02)


def test_max_difference_sees_a_difference_and_none():
    shapes = [(3, 4), (4,)]
    assert (
        modern.max_difference(
            lambda p: optim.Adam(p, lr=1e-3), lambda p: torch.optim.Adam(p, lr=1e-3), shapes
        )
        == 0.0
    )
    assert (
        modern.max_difference(
            lambda p: optim.Adam(p, lr=1e-3), lambda p: torch.optim.Adam(p, lr=2e-3), shapes
        )
        > 1e-3
    )


def test_final_values_gives_x_or_y_for_schedule_free():
    build = lambda p: optim.ScheduleFreeAdamW(p, lr=1e-2)  # noqa: E731
    x = modern.final_values(build, [(3, 3)])
    y = modern.final_values(build, [(3, 3)], eval_mode=False)
    assert not torch.equal(x[0], y[0])


def test_fit_averaged_updates_the_average_every_step():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    average = AveragedModel(model)
    X, y = torch.randn(10, 4), torch.randint(0, 3, (10,))
    modern.fit_averaged(model, optim.SGD(model.parameters(), lr=0.1), average, X, y, 2, 4)
    assert average.n_averaged.item() == 6  # 2 epochs of 3 batches
