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


def _copy(module):
    return [p.detach().clone() for p in module.parameters()]


def _moved(before, module):
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_d_step_moves_only_d_and_g_step_moves_only_g():
    G, D, opt_g, opt_d = _pair()
    g0, d0 = _copy(G), _copy(D)
    gan.d_step(G, D, opt_d, gan.ring(16, seed=0), gan.noise(16, seed=1))
    assert _moved(d0, D) and not _moved(g0, G)
    assert all(p.grad is None for p in G.parameters())  # detach kept D's loss out of G
    d1 = _copy(D)
    gan.g_step(G, D, opt_g, gan.noise(16, seed=2))
    assert _moved(g0, G) and not _moved(d1, D)
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
    assert (x.norm(dim=1).mean() - 2.0).abs() < 0.3
    mode = (torch.atan2(x[:, 1], x[:, 0]) / (2 * math.pi / 8)).round().long() % 8
    assert torch.bincount(mode, minlength=8).min() > 50  # no mode left empty
