"""The experiments of notebook 12, the optimizers of today: preconditioning on a rotated quadratic,
Newton-Schulz's singular values, Muon beside AdamW in one optimizer, and parity with a reference.
"""

import math

import torch
from torch import nn

from lessons import optim

__all__ = [
    "quadratic",
    "jacobi_condition",
    "minimise",
    "ns_singular_values",
    "MuonWithAdamW",
    "language_model",
    "final_values",
    "max_difference",
    "fit_averaged",
]


def quadratic(kappa: float, angle: float) -> torch.Tensor:
    """H = R·diag(1, κ)·Rᵀ, R a rotation by ``angle`` radians: f(x) = ½·xᵀHx, float64."""
    if not kappa > 0:
        raise ValueError(f"Invalid kappa: {kappa}; expected a curvature ratio > 0")
    c, s = math.cos(angle), math.sin(angle)
    R = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    return R @ torch.diag(torch.tensor([1.0, kappa], dtype=torch.float64)) @ R.T


def jacobi_condition(H: torch.Tensor) -> float:
    """κ of D^(-1/2)·H·D^(-1/2), D = diag(H): what the best diagonal preconditioner leaves."""
    d = H.diagonal().rsqrt()
    eigenvalues = torch.linalg.eigvalsh(d[:, None] * H * d[None, :])
    return (eigenvalues.max() / eigenvalues.min()).item()


def minimise(optimizer_class, H, steps, *, noise=0.0, seed=0, **hyperparameters):
    """Losses ½·xᵀHx along ``steps`` calls of ``step(closure)`` from x = (1, 0.5), float64.

    The closure adds Gaussian noise of std ``noise`` to the gradient, as a minibatch would; a
    closure called twice in one step (a line search does) then sees two different functions.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.tensor([1.0, 0.5], dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([x], **hyperparameters)

    def closure():
        optimizer.zero_grad()
        loss = 0.5 * x @ H @ x
        loss.backward()
        x.grad += noise * torch.randn(2, generator=generator, dtype=torch.float64)
        return loss

    losses = []
    for _ in range(steps):
        optimizer.step(closure)
        losses.append((0.5 * x @ H @ x).item())
    return torch.tensor(losses, dtype=torch.float64)


def ns_singular_values(G, iterations, ns_coefficients=(3.4445, -4.7750, 2.0315)):
    """Singular values of Muon's `newton_schulz(G)` after 0, 1, ..., ``iterations`` iterations.

    Row 0 is G scaled to Frobenius norm 1, the starting point; each row reruns `newton_schulz`
    with one more iteration, so the picture shows the very function Muon calls.
    """
    return torch.stack(
        [
            torch.linalg.svdvals(optim.newton_schulz(G, ns_coefficients, k, 1e-7).float())
            for k in range(iterations + 1)
        ]
    )


class MuonWithAdamW:
    """Muon on the hidden matrices and AdamW on the rest, stepped together: the two param groups
    as two optimizers, since torch's Muon refuses anything that is not 2-D.

    ``MuonWithAdamW(model.parameters(), lr=...)`` gives Muon every 2-D parameter but the last
    (the head): for the race's MLP, its one hidden weight matrix.
    """

    def __init__(self, params, lr, adamw_lr=3e-3, **muon_hyperparameters):
        params = list(params)
        matrices = [p for p in params if p.ndim == 2][:-1]  # all but the head
        if not matrices:
            raise ValueError("Invalid params: expected at least two 2-D weights (hidden and head)")
        rest = [p for p in params if all(p is not q for q in matrices)]
        self.muon = optim.Muon(matrices, lr=lr, **muon_hyperparameters)
        self.adamw = optim.AdamW(rest, lr=adamw_lr)

    @property
    def param_groups(self):
        return self.muon.param_groups + self.adamw.param_groups

    @property
    def state(self):
        return {**self.muon.state, **self.adamw.state}

    def zero_grad(self):
        self.muon.zero_grad()
        self.adamw.zero_grad()

    def step(self):
        self.muon.step()
        self.adamw.step()


def language_model(vocabulary=50, width=16):
    """A tiny next-token model: embedding, two hidden Linear layers, a LayerNorm, a head."""
    return nn.Sequential(
        nn.Embedding(vocabulary, width),
        nn.Linear(width, 2 * width),
        nn.ReLU(),
        nn.LayerNorm(2 * width),
        nn.Linear(2 * width, 2 * width),
        nn.ReLU(),
        nn.Linear(2 * width, vocabulary),
    )


def final_values(build, shapes, steps=20, seed=0, dtype=torch.float32, eval_mode=True):
    """The parameters after ``steps`` steps of ``build(params)`` on seeded random gradients.

    ``build`` returns a torch-style optimizer, or a Keras one (it has ``apply``): that one gets
    Keras variables with the same starting values and the same gradients. An optimizer with
    ``train()`` (schedule-free) is put in train mode first and, with ``eval_mode``, in eval mode
    at the end, so x, the average, is returned (else y, where the gradients were taken).
    """
    generator = torch.Generator().manual_seed(seed)
    params = [torch.randn(shape, generator=generator, dtype=dtype) for shape in shapes]
    params = [p.requires_grad_() for p in params]
    optimizer = build(params)
    grads = torch.Generator().manual_seed(seed + 1)
    draw = [lambda p=p: torch.randn(p.shape, generator=grads, dtype=dtype) for p in params]
    if not hasattr(optimizer, "step"):  # Keras
        from lessons.keras_backend import keras

        variables = [keras().Variable(p.detach().clone()) for p in params]
        for _ in range(steps):
            optimizer.apply([g() for g in draw], variables)
        return [v.value.detach().clone() for v in variables]
    if hasattr(optimizer, "train"):
        optimizer.train()
    for _ in range(steps):
        for p, g in zip(params, draw, strict=True):
            p.grad = g()
        optimizer.step()
    if eval_mode and hasattr(optimizer, "eval"):
        optimizer.eval()
    return [p.detach() for p in params]


def max_difference(ours, reference, shapes, steps=20, seed=0, dtype=torch.float32):
    """Largest |θ_ours − θ_reference| after ``steps`` steps on the same random gradients."""
    a = final_values(ours, shapes, steps, seed, dtype)
    b = final_values(reference, shapes, steps, seed, dtype)
    return max((x - y).abs().max().item() for x, y in zip(a, b, strict=True))


def fit_averaged(model, optimizer, averaged, X, y, epochs, batch_size=64, seed=0):
    """``fit``'s loop, with ``averaged.update_parameters(model)`` after every step."""
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X[batch]), y[batch]).backward()
            optimizer.step()
            averaged.update_parameters(model)
