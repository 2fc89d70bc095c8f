"""The toy GAN: the data is a ring, each step moves only its own network, and training learns it."""

import math

import pytest
import torch

from lessons import gan


def test_ring_points_lie_near_the_circle_at_the_modes():
    x = gan.ring(2000, modes=8, radius=2.0, std=0.05, seed=0)
    assert x.shape == (2000, 2)
    assert torch.allclose(x.norm(dim=1), torch.full((2000,), 2.0), atol=0.25)
    angle = torch.atan2(x[:, 1], x[:, 0]) / (2 * math.pi / 8)
    assert (angle - angle.round()).abs().max() < 0.25  # modes are 1 apart in these units
    assert torch.equal(gan.ring(5, seed=3), gan.ring(5, seed=3))


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=3, modes=0)])
def test_ring_rejects_empty_requests(kwargs):
    with pytest.raises(ValueError, match="Invalid n"):
        gan.ring(**kwargs)


def _pair():
    torch.manual_seed(0)
    G, D = gan.generator(), gan.discriminator()
    return G, D, torch.optim.Adam(G.parameters(), lr=1e-2), torch.optim.Adam(D.parameters(), 1e-2)


def test_d_step_moves_only_d_and_g_step_moves_only_g():
    G, D, opt_g, opt_d = _pair()
    g0, d0 = gan.snapshot(G), gan.snapshot(D)
    gan.d_step(G, D, opt_d, gan.ring(16, seed=0), gan.noise(16, seed=1))
    assert not gan.unchanged(d0, D) and gan.unchanged(g0, G)
    assert all(p.grad is None for p in G.parameters())  # detach kept D's loss out of G
    d1 = gan.snapshot(D)
    gan.g_step(G, D, opt_g, gan.noise(16, seed=2))
    assert not gan.unchanged(g0, G) and gan.unchanged(d1, D)
    assert any(p.grad.abs().sum() > 0 for p in D.parameters())  # left for opt_d.zero_grad


def test_training_spreads_samples_over_the_ring():
    torch.manual_seed(0)
    G, D, opt_g, opt_d = _pair()
    for opt in (opt_g, opt_d):
        opt.param_groups[0].update(lr=2e-3, betas=(0.5, 0.999))
    for _ in range(600):
        gan.d_step(G, D, opt_d, gan.ring(64), gan.noise(64))
        gan.g_step(G, D, opt_g, gan.noise(64))
    with torch.no_grad():
        x = G(gan.noise(2000, seed=0))
    spread = gan.coverage(x)
    assert abs(spread["mean radius"] - 2.0) < 0.3
    assert min(spread["per mode"]) > 50  # no mode left empty


def test_snapshot_is_a_copy_and_unchanged_sees_one_changed_element():
    G = gan.generator()
    before = gan.snapshot(G)
    assert gan.unchanged(before, G)
    with torch.no_grad():
        G[0].bias[0] += 1e-6
    assert not gan.unchanged(before, G)


def test_grad_of_clears_earlier_gradients_and_flattens_every_parameter():
    torch.manual_seed(0)
    G, D = gan.generator(), gan.discriminator()
    z = gan.noise(8, seed=0)
    first = gan.grad_of(gan.bce(D(G(z)), 1.0), G)
    again = gan.grad_of(gan.bce(D(G(z)), 1.0), G)  # not first + first
    assert torch.equal(first, again)
    assert first.numel() == sum(p.numel() for p in G.parameters())
    assert torch.equal(gan.flat_grad(G), first)


def test_coverage_tells_modes_from_a_uniform_ring():
    data = gan.coverage(gan.ring(4000, seed=0))
    assert data["nearer a gap"] == 0 and data["near the circle"] == 1
    assert sum(data["per mode"]) == 4000 and min(data["per mode"]) > 400
    angle = 2 * math.pi * torch.rand(4000, generator=torch.Generator().manual_seed(0))
    uniform = gan.coverage(3.0 * torch.stack([angle.cos(), angle.sin()], dim=1), radius=3.0)
    assert abs(uniform["nearer a gap"] - 0.5) < 0.05 and uniform["mean radius"] == 3.0
    assert gan.coverage(torch.zeros(10, 2))["near the circle"] == 0
