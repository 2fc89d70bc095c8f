"""NAdam (Dozat, 2016): Adam with Nesterov momentum and a warming-up momentum schedule."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_adam_family, require, scalar_state
from .adam import moments_foreach


def nadam_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    mu_product: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    momentum_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One NAdam step on one tensor, in place. m is exp_avg, v is exp_avg_sq, Πμ is mu_product."""
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    bias_correction2 = 1 - beta2**t  # 1 − β2ᵗ
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)  # param ← param·(1 − lr·weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))  # μₜ = β1·(1 − ½·0.96^(tψ))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))  # μₜ₊₁
    mu_product *= mu  # Πμ ← Πμ·μₜ (a float32 tensor, as in torch)
    exp_avg.lerp_(grad, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1 − β2)·grad²
    denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)  # denom = √(v / (1 − β2ᵗ)) + eps
    mu_product_t = mu_product.item()  # Πμ, read once from the float32 tensor
    mu_product_next = mu_product_t * mu_next  # Πμ·μₜ₊₁
    # param ← param − lr·(1 − μₜ)/(1 − Πμ)·grad/denom − lr·μₜ₊₁/(1 − Πμ·μₜ₊₁)·m/denom
    param.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product_t))
    param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


def nadam_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    mu_product: list[Tensor],
    exp_avg: list[Tensor],
    exp_avg_sq: list[Tensor],
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    momentum_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """nadam_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    beta1, beta2 = betas
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    grads = moments_foreach(
        params, grads, exp_avg, exp_avg_sq, lr, betas, weight_decay, decoupled_weight_decay
    )
    denom = torch._foreach_sqrt(exp_avg_sq)  # √v
    t = [s.item() for s in step]
    mu = [beta1 * (1.0 - 0.5 * (0.96 ** (k * momentum_decay))) for k in t]  # μₜ
    mu_next = [beta1 * (1.0 - 0.5 * (0.96 ** ((k + 1) * momentum_decay))) for k in t]  # μₜ₊₁
    torch._foreach_mul_(mu_product, mu)  # Πμ ← Πμ·μₜ
    torch._foreach_div_(denom, [(1 - beta2**k) ** 0.5 for k in t])  # √v / √(1 − β2ᵗ)
    torch._foreach_add_(denom, eps)  # denom = √v / √(1 − β2ᵗ) + eps
    prod = [p.item() for p in mu_product]  # Πμ
    # param ← param − lr·(1 − μₜ)/(1 − Πμ)·grad/denom − lr·μₜ₊₁/(1 − Πμ·μₜ₊₁)·m/denom
    grad_step = [-(lr * (1.0 - m) / (1.0 - p)) for m, p in zip(mu, prod, strict=True)]
    avg_step = [-(lr * n / (1.0 - p * n)) for n, p in zip(mu_next, prod, strict=True)]
    torch._foreach_addcdiv_(params, grads, denom, grad_step)
    torch._foreach_addcdiv_(params, exp_avg, denom, avg_step)


class NAdam(ScratchOptimizer):
    update = staticmethod(nadam_update)
    update_foreach = staticmethod(nadam_foreach)

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        require(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0),
            mu_product=scalar_state(1.0),
            exp_avg=torch.zeros_like(p),
            exp_avg_sq=torch.zeros_like(p),
        )
