"""Why momentum works, on the quadratic f(x) = ½ Σ λᵢ xᵢ²: the linear theory of notebook 11.

In the Hessian's eigenbasis every method below acts on each coordinate alone, so one eigenvalue λ
at a time is the whole story. For torch's SGD (b ← β·b + g, then x ← x − lr·b, or with Nesterov
x ← x − lr·(g + β·b)), with g = λ·x, the pair (x, b) is multiplied at each step by a 2 × 2 matrix.
How fast x shrinks is that matrix's spectral radius: the larger modulus of its two eigenvalues,
the roots of z² − T·z + D = 0 (T its trace, D its determinant). Every function takes numpy arrays
and broadcasts, so one call draws a whole phase diagram.
"""

import numpy as np


def step_matrix(lr, momentum, lam, nesterov=False):
    """The 2 × 2 matrix that maps (x, b) before a step of torch's SGD to (x, b) after it."""
    h = lr * lam
    if nesterov:  # x ← x − lr·(λx + β·(βb + λx))
        return np.array([[1 - h * (1 + momentum), -lr * momentum**2], [lam, momentum]])
    return np.array([[1 - h, -lr * momentum], [lam, momentum]])  # x ← x − lr·(βb + λx)


def trace_det(lr, momentum, lam, nesterov=False):
    """T and D of ``step_matrix``, in closed form (so they broadcast over arrays)."""
    h = np.multiply(lr, lam)
    if nesterov:
        return (1 + momentum) * (1 - h), momentum * (1 - h)
    return 1 + momentum - h, momentum * np.ones_like(h)


def spectral_radius(lr, momentum, lam, nesterov=False):
    """max |z| over the roots z = (T ± √(T² − 4D)) / 2: the factor x shrinks by per step."""
    T, D = trace_det(lr, momentum, lam, nesterov)
    root = np.sqrt(np.asarray(T * T - 4 * D, dtype=complex))
    return np.maximum(np.abs(T + root), np.abs(T - root)) / 2


def rate(lr, momentum, eigenvalues, nesterov=False):
    """The slowest direction's factor per step: max over the eigenvalues of the spectral radius.

    Broadcasts lr and momentum (a grid of them, say) against the eigenvalues, the last axis.
    """
    lr, momentum = np.asarray(lr, float)[..., None], np.asarray(momentum, float)[..., None]
    return spectral_radius(lr, momentum, np.asarray(eigenvalues, float), nesterov).max(axis=-1)


def largest_stable_lr(momentum, lam, nesterov=False):
    """Where |T| = 1 + D (Jury's test): lr·λ < 2 + 2β, or (2 + 2β) / (1 + 2β) with Nesterov."""
    limit = 2 + 2 * momentum
    return (limit / (1 + 2 * momentum) if nesterov else limit) / lam


def best_gd(mu, L):
    """Plain gradient descent's best lr, 2 / (L + μ), and its rate (κ − 1) / (κ + 1)."""
    kappa = L / mu
    return 2 / (L + mu), (kappa - 1) / (kappa + 1)


def polyak(mu, L):
    """Polyak's heavy ball: lr = 4 / (√L + √μ)², β = ((√κ − 1) / (√κ + 1))², rate √β."""
    root_kappa = np.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rate**2, rate


def critical_lrs(momentum, lam):
    """The lrs where the two roots meet ((1 ∓ √β)² / λ): between them the roots are complex,
    |z| = √β whatever the lr, and x spirals in; outside them both are real."""
    return (1 - np.sqrt(momentum)) ** 2 / lam, (1 + np.sqrt(momentum)) ** 2 / lam


def measured_rate(errors, window=60):
    """The factor per step read off a run: errors[k] = |x_k − x*|, whose peaks shrink as ρᵏ.

    Compares the largest error in the ``window`` steps before the run's midpoint with the largest
    in its last ``window`` steps: the first half is left out, so directions that fade faster than
    the slowest one are gone, and an oscillation (complex roots) is seen at its crest in both.
    """
    errors = np.asarray(errors, float)
    middle = len(errors) // 2
    early, late = errors[middle - window : middle].max(), errors[-window:].max()
    return (late / early) ** (1 / (len(errors) - middle))


def noise_floor(lr, momentum, eigenvalues, noise, nesterov=False):
    """The loss a run with noisy gradients (g = λx + noise·ξ, ξ standard normal) settles at.

    Per direction the state s = (x, b) follows s ← M·s + v·ξ, with v = (−lr, 1), or
    (−lr·(1 + β), 1) with Nesterov; its stationary covariance solves Σ = M Σ Mᵀ + noise²·v vᵀ
    (vec Σ = (I − M ⊗ M)⁻¹ vec(noise²·v vᵀ)), and the expected loss is Σᵢ ½ λᵢ Var(xᵢ).
    """
    floor = 0.0
    for lam in eigenvalues:
        M = step_matrix(lr, momentum, lam, nesterov)
        v = np.array([-lr * (1 + momentum) if nesterov else -lr, 1.0])
        Q = noise**2 * np.outer(v, v)
        covariance = np.linalg.solve(np.eye(4) - np.kron(M, M), Q.ravel()).reshape(2, 2)
        floor += 0.5 * lam * covariance[0, 0]
    return floor
