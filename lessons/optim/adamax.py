"""Adamax (Kingma & Ba, 2015): Adam with the infinity norm in place of the root mean square."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_adam_family, scalar_state


def adamax_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    exp_avg: Tensor,
    exp_inf: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adamax step on one tensor, in place. m is exp_avg, u is exp_inf, t is step."""
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    exp_avg.lerp_(grad, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    # u ← max(β2·u, |grad| + eps)
    torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
    clr = lr / (1 - beta1**t)  # clr = lr / (1 − β1ᵗ)
    param.addcdiv_(exp_avg, exp_inf, value=-clr)  # param ← param − clr·m / u


class Adamax(ScratchOptimizer):
    update = staticmethod(adamax_update)

    def __init__(
        self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, maximize=False
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0), exp_avg=torch.zeros_like(p), exp_inf=torch.zeros_like(p)
        )
