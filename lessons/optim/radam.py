"""RAdam (Liu et al., 2020): Adam with its adaptive step rectified while v is unreliable."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_adam_family, scalar_state
from .adam import moments_foreach


def radam_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One RAdam step on one tensor, in place. m is exp_avg, v is exp_avg_sq, t is step.

    Until ρₜ > 5 (step 6 with the default betas) it is SGD with bias-corrected momentum.
    """
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)  # param ← param·(1 − lr·weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    exp_avg.lerp_(grad, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1 − β2)·grad²
    bias_correction1 = 1 - beta1**t  # 1 − β1ᵗ
    bias_correction2 = 1 - beta2**t  # 1 − β2ᵗ
    bias_corrected_exp_avg = exp_avg / bias_correction1  # m̂ = m / (1 − β1ᵗ)
    rho_inf = 2 / (1 - beta2) - 1  # ρ∞ = 2 / (1 − β2) − 1
    rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2  # ρₜ = ρ∞ − 2t·β2ᵗ / (1 − β2ᵗ)
    if rho_t > 5.0:
        # rect = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        adaptive_lr = bias_correction2**0.5 / exp_avg_sq.sqrt().add_(eps)  # √(1 − β2ᵗ) / (√v + eps)
        # param ← param − lr·m̂·adaptive_lr·rect  (m̂ is a temporary: reuse it)
        param.add_(bias_corrected_exp_avg.mul_(lr).mul_(adaptive_lr).mul_(rect), alpha=-1.0)
    else:
        param.add_(bias_corrected_exp_avg.mul_(lr), alpha=-1.0)  # param ← param − lr·m̂


def radam_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    exp_avg: list[Tensor],
    exp_avg_sq: list[Tensor],
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """radam_update over lists: one torch._foreach_* kernel a line, in torch's foreach order.

    Both branches become one: param ← param + m·(s_u + 1 / (denom / s_r)), where a tensor still
    unrectified has s_r = 0 (so the fraction is 0) and s_u = −lr/(1 − β1ᵗ), and a rectified one
    s_u = 0 and s_r = −lr·rect·√(1 − β2ᵗ)/(1 − β1ᵗ).
    """
    beta1, beta2 = betas
    advance_steps(step)  # t ← t + 1
    grads = torch._foreach_neg(grads) if maximize else grads
    t = [s.item() for s in step]
    rho_inf = 2 / (1 - beta2) - 1  # ρ∞ = 2 / (1 − β2) − 1
    rho_t = [rho_inf - 2 * k * (beta2**k) / (1 - beta2**k) for k in t]  # ρₜ
    grads = moments_foreach(
        params, grads, exp_avg, exp_avg_sq, lr, betas, weight_decay, decoupled_weight_decay
    )
    rect = [
        ((r - 4) * (r - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * r)) ** 0.5 if r > 5 else 0
        for r in rho_t
    ]
    bias_correction1 = [1 - beta1**k for k in t]  # 1 − β1ᵗ
    s_u = [
        (lr * (0 if r > 0 else 1.0) / bc) * -1 for r, bc in zip(rect, bias_correction1, strict=True)
    ]
    s_r = [
        ((1 - beta2**k) ** 0.5) * (lr * r / bc) * -1
        for k, r, bc in zip(t, rect, bias_correction1, strict=True)
    ]
    buffer = torch._foreach_sqrt(exp_avg_sq)  # √v
    torch._foreach_add_(buffer, eps)  # denom = √v + eps
    torch._foreach_div_(buffer, s_r)  # denom / s_r
    torch._foreach_reciprocal_(buffer)  # s_r / denom
    torch._foreach_add_(buffer, s_u)  # s_u + s_r / denom
    torch._foreach_addcmul_(params, exp_avg, buffer)  # param ← param + m·(s_u + s_r / denom)


class RAdam(ScratchOptimizer):
    update = staticmethod(radam_update)
    update_foreach = staticmethod(radam_foreach)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0), exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p)
        )
