"""Adamax (Kingma & Ba, 2015): Adam with the infinity norm in place of the root mean square."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_adam_family, scalar_state


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


def adamax_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    exp_avg: list[Tensor],
    exp_inf: list[Tensor],
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """adamax_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    beta1, beta2 = betas
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    torch._foreach_lerp_(exp_avg, grads, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    torch._foreach_mul_(exp_inf, beta2)  # u ← β2·u
    bound = torch._foreach_abs(grads)  # |grad|
    torch._foreach_add_(bound, eps)  # |grad| + eps
    torch._foreach_maximum_(exp_inf, bound)  # u ← max(β2·u, |grad| + eps)
    # param ← param − lr/(1 − β1ᵗ)·m / u
    torch._foreach_addcdiv_(params, exp_avg, exp_inf, [-lr / (1 - beta1 ** s.item()) for s in step])


class Adamax(ScratchOptimizer):
    update = staticmethod(adamax_update)
    update_foreach = staticmethod(adamax_foreach)

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0), exp_avg=torch.zeros_like(p), exp_inf=torch.zeros_like(p)
        )
