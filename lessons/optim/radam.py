"""RAdam (Liu et al., 2020): Adam with its adaptive step rectified while v is unreliable."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_adam_family, scalar_state


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


class RAdam(ScratchOptimizer):
    update = staticmethod(radam_update)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        maximize=False,
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0), exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p)
        )
