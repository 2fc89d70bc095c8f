"""Muon (Jordan et al., 2024): momentum, then the update orthogonalised by Newton-Schulz."""

import math

import torch
from torch import Tensor

from ._base import ScratchOptimizer, require


def newton_schulz(
    grad: Tensor, ns_coefficients: tuple[float, float, float], ns_steps: int, eps: float
) -> Tensor:
    """A new bfloat16 matrix close to U·Vᵀ where grad = U·S·Vᵀ: ns_steps quintic iterations.

    X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ pushes every singular value of X towards 1 (into
    about 0.5..1.5 with the default a, b, c, which favour speed over accuracy). The ops are
    torch's (`addmm`, in this order): written as `b*A + c*(A@A)` the same formula rounds
    differently in bfloat16 (tests/test_optim_modern.py shows it).
    """
    a, b, c = ns_coefficients
    tall = grad.size(0) > grad.size(1)
    X = grad.bfloat16()  # may be grad itself when grad is bfloat16: never write into X
    X = X.T if tall else X  # work on the wide side: X·Xᵀ is the smaller Gram matrix
    X = X / X.norm().clamp(min=eps)  # X ← X / max(‖X‖_F, eps): spectral norm ≤ 1
    for _ in range(ns_steps):
        A = X @ X.T  # A = X·Xᵀ
        B = torch.addmm(A, A, A, beta=b, alpha=c)  # B = b·A + c·A·A
        X = torch.addmm(X, B, X, beta=a)  # X ← a·X + B·X
    return X.T if tall else X


def adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: torch.Size) -> float:
    """The lr that gives the orthogonal update of an A×B matrix the RMS wanted."""
    A, B = shape[:2]
    if adjust_lr_fn == "match_rms_adamw":
        return lr * (0.2 * math.sqrt(max(A, B)))  # lr·0.2·√max(A, B): AdamW's update RMS (Moonshot)
    return lr * math.sqrt(max(1, A / B))  # lr·√max(1, A/B) (Keller Jordan's; None or "original")


def muon_update(
    param: Tensor,
    grad: Tensor,
    momentum_buffer: Tensor,
    *,
    lr: float,
    weight_decay: float,
    momentum: float,
    nesterov: bool,
    ns_coefficients: tuple[float, float, float],
    eps: float,
    ns_steps: int,
    adjust_lr_fn: str | None,
) -> None:
    """One Muon step on one matrix, in place. B is momentum_buffer, μ is momentum.

    torch's docstring writes B ← μ·B + g; its code, followed here, keeps an average (`lerp`).
    The three checks torch makes during the step come before any tensor is touched.
    """
    require(grad.ndim == 2, "Param gradient must be a 2D matrix")
    require(
        not ns_steps >= 100, "Number of steps must be less than 100 for computational efficiency"
    )
    require(len(ns_coefficients) == 3, "Coefficients must be a tuple of exactly 3 values")
    momentum_buffer.lerp_(grad, 1 - momentum)  # B ← μ·B + (1 − μ)·g
    # Nesterov: μ·B + (1 − μ)·g, a look ahead; else B
    update = grad.lerp(momentum_buffer, momentum) if nesterov else momentum_buffer
    update = newton_schulz(update, ns_coefficients, ns_steps, eps)  # O = NS(update)
    param.mul_(1 - lr * weight_decay)  # θ ← θ·(1 − lr·weight_decay): decoupled, unadjusted lr
    param.add_(update, alpha=-adjusted_lr(lr, adjust_lr_fn, param.shape))  # θ ← θ − lr'·O


class Muon(ScratchOptimizer):
    """torch.optim.Muon, for 2-D parameters only (use AdamW for biases, norms and embeddings).

    weight_decay is decoupled (torch's docstring calls it an L2 penalty; its code decouples it).

    One difference from torch 2.13, on purpose: with bfloat16 parameters and nesterov=False,
    torch's `grad.bfloat16()` returns the momentum buffer itself, which it then divides in place,
    so its buffer is corrupted at every step (fixed upstream after 2.13). Here the buffer keeps
    the average it should; every other case equals torch bit for bit.
    """

    update = staticmethod(muon_update)

    def __init__(
        self,
        params,
        lr=1e-3,
        weight_decay=0.1,
        momentum=0.95,
        nesterov=True,
        ns_coefficients=(3.4445, -4.7750, 2.0315),
        eps=1e-7,
        ns_steps=5,
        adjust_lr_fn=None,
    ):
        require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
        require(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        require(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        require(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        require(
            adjust_lr_fn in (None, "original", "match_rms_adamw"),
            f"Adjust learning rate function {adjust_lr_fn} is not supported",
        )
        defaults = dict(
            lr=lr,
            weight_decay=weight_decay,
            momentum=momentum,
            nesterov=nesterov,
            ns_coefficients=ns_coefficients,
            eps=eps,
            ns_steps=ns_steps,
            adjust_lr_fn=adjust_lr_fn,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                require(
                    p.ndim == 2,
                    "Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{p.size()}",
                )

    def init_state(self, p, group):
        return dict(momentum_buffer=torch.zeros_like(p.grad))
