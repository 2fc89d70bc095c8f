"""A GAN in two dimensions: a ring of eight Gaussians, a small generator G, a small discriminator D.

G maps noise ``z`` to points in the plane; D scores a point with a logit (real > 0 > fake). A round
of training is a D step then a G step, each with its own optimizer over its own network's weights.
"""

import math

import torch
import torch.nn.functional as F

from lessons.models import mlp

__all__ = [
    "ring",
    "noise",
    "generator",
    "discriminator",
    "bce",
    "d_step",
    "g_step",
    "snapshot",
    "unchanged",
    "flat_grad",
    "grad_of",
    "coverage",
]


def ring(n, modes=8, radius=2.0, std=0.05, seed=None):
    """``n`` points from ``modes`` Gaussians (standard deviation ``std``) spaced on a circle."""
    if n < 1 or modes < 1:
        raise ValueError(f"Invalid n={n} or modes={modes}; expected both >= 1")
    gen = None if seed is None else torch.Generator().manual_seed(seed)
    angle = 2 * math.pi * torch.randint(modes, (n,), generator=gen) / modes
    centres = radius * torch.stack([angle.cos(), angle.sin()], dim=1)
    return centres + std * torch.randn(n, 2, generator=gen)


def noise(n, latent=2, seed=None):
    """``n`` draws of G's input, ``z ~ N(0, I)`` in ``latent`` dimensions."""
    gen = None if seed is None else torch.Generator().manual_seed(seed)
    return torch.randn(n, latent, generator=gen)


def generator(latent=2, hidden=32):
    """G: noise ``z`` (``latent`` numbers) -> a point in the plane."""
    return mlp((latent, hidden, hidden, 2))


def discriminator(hidden=32):
    """D: a point in the plane -> one logit, positive for "real"."""
    return mlp((2, hidden, hidden, 1))


def bce(logits, label):
    """Binary cross-entropy of logits against one label for the whole batch: 1 real, 0 fake."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def d_step(G, D, opt_d, real, z):
    """D scores ``real`` as 1 and G(z) as 0; ``detach`` keeps this loss out of G's grads."""
    loss = bce(D(real), 1.0) + bce(D(G(z).detach()), 0.0)
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def g_step(G, D, opt_g, z):
    """G learns to make D score G(z) as 1; ``backward`` also fills D's grads, which ``opt_d`` must
    clear before its next step (``d_step`` does, with ``zero_grad`` first)."""
    loss = bce(D(G(z)), 1.0)
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    return loss.item()


def snapshot(net):
    """Copies of ``net``'s parameters, to tell later whether a step moved them."""
    return [p.detach().clone() for p in net.parameters()]


def unchanged(before, net):
    """Whether every parameter of ``net`` still equals its ``snapshot``, bit for bit."""
    return all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def flat_grad(net):
    """All of ``net``'s gradients in one vector, to compare directions by cosine."""
    return torch.cat([p.grad.flatten() for p in net.parameters()])


def grad_of(loss, net):
    """The gradient ``loss`` alone puts on ``net``'s parameters (earlier grads cleared first)."""
    net.zero_grad()
    loss.backward()
    return flat_grad(net)


def coverage(points, modes=8, radius=2.0):
    """How ``points`` cover the ring: counts per nearest mode, mean radius, the fraction within
    ``radius / 4`` of the circle, and the fraction nearer the gap between two modes than a mode."""
    # the angle in units of the mode spacing 2 pi / modes: mode k sits at k
    position = torch.atan2(points[:, 1], points[:, 0]) / (2 * math.pi / modes)
    distance = points.norm(dim=1)
    return {
        "per mode": torch.bincount(position.round().long() % modes, minlength=modes).tolist(),
        "mean radius": round(distance.mean().item(), 2),
        "near the circle": round(((distance - radius).abs() < radius / 4).float().mean().item(), 3),
        "nearer a gap": round(
            ((position - position.round()).abs() > 0.25).float().mean().item(), 3
        ),
    }
