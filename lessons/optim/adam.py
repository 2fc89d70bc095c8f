"""Adam (Kingma & Ba, 2015), its AMSGrad variant, and AdamW (Loshchilov & Hutter, 2019)."""

import torch
from torch import Tensor

from ._base import (
    ScratchOptimizer,
    advance_steps,
    check_adam_family,
    check_fast_paths,
    next_steps,
    require,
    scalar_state,
)


def adam_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    max_exp_avg_sq: Tensor | None = None,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """One Adam step on one tensor, in place. m is exp_avg, v is exp_avg_sq, t is step.

    eps is added after the bias correction of √v, as in torch (Keras adds it before).
    """
    beta1, beta2 = betas
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)  # param ← param·(1 − lr·weight_decay)   (AdamW)
        else:
            grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param  (L2)
    exp_avg.lerp_(grad, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1 − β2)·grad²
    if amsgrad:
        torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)  # v_max ← max(v_max, v)
        exp_avg_sq = max_exp_avg_sq  # the denominator uses v_max
    bias_correction1 = 1 - beta1**t  # 1 − β1ᵗ
    bias_correction2 = 1 - beta2**t  # 1 − β2ᵗ
    denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)  # √v / √(1 − β2ᵗ) + eps
    # param ← param − lr/(1 − β1ᵗ)·m / denom
    param.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)


def moments_foreach(params, grads, exp_avg, exp_avg_sq, lr, betas, weight_decay, decoupled):
    """The weight decay and the two moments the Adam family shares, over lists, in torch's order;
    returns the gradients the update uses (with the L2 term when the decay is coupled)."""
    beta1, beta2 = betas
    if weight_decay != 0:
        if decoupled:
            torch._foreach_mul_(params, 1 - lr * weight_decay)  # param ← param·(1 − lr·wd)
        else:
            grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    torch._foreach_lerp_(exp_avg, grads, 1 - beta1)  # m ← β1·m + (1 − β1)·grad
    torch._foreach_mul_(exp_avg_sq, beta2)  # v ← β2·v
    torch._foreach_addcmul_(exp_avg_sq, grads, grads, 1 - beta2)  # v ← v + (1 − β2)·grad²
    return grads


def adam_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    exp_avg: list[Tensor],
    exp_avg_sq: list[Tensor],
    max_exp_avg_sq: list[Tensor] | None = None,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """adam_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    beta1, beta2 = betas
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    grads = moments_foreach(
        params, grads, exp_avg, exp_avg_sq, lr, betas, weight_decay, decoupled_weight_decay
    )
    if amsgrad:
        torch._foreach_maximum_(max_exp_avg_sq, exp_avg_sq)  # v_max ← max(v_max, v)
        exp_avg_sq = max_exp_avg_sq
    t = [s.item() for s in step]
    denom = torch._foreach_sqrt(exp_avg_sq)  # √v
    torch._foreach_div_(denom, [(1 - beta2**k) ** 0.5 for k in t])  # √v / √(1 − β2ᵗ)
    torch._foreach_add_(denom, eps)  # + eps
    # param ← param − lr/(1 − β1ᵗ)·m / denom
    torch._foreach_addcdiv_(params, exp_avg, denom, [-lr / (1 - beta1**k) for k in t])


def adam_fused(
    param: Tensor,
    grad: Tensor,
    scalars: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    max_exp_avg_sq: Tensor | None = None,
    *,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """adam_update's arithmetic for torch.compile; scalars: lr, β1, β2, lr/(1 − β1ᵗ), √(1 − β2ᵗ)."""
    lr, beta1, beta2, step_size, bias_correction2_sqrt = scalars.unbind()
    grad = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)  # param ← param·(1 − lr·weight_decay)   (AdamW)
        else:
            grad = grad + weight_decay * param  # grad ← grad + weight_decay·param  (L2)
    exp_avg.add_((grad - exp_avg) * (1 - beta1))  # m ← β1·m + (1 − β1)·grad
    exp_avg_sq.mul_(beta2).add_(grad * grad * (1 - beta2))  # v ← β2·v + (1 − β2)·grad²
    if amsgrad:
        exp_avg_sq = max_exp_avg_sq.copy_(torch.maximum(max_exp_avg_sq, exp_avg_sq))  # v_max
    denom = exp_avg_sq.sqrt() / bias_correction2_sqrt + eps  # √v / √(1 − β2ᵗ) + eps
    param.sub_(step_size * exp_avg / denom)  # param ← param − lr/(1 − β1ᵗ)·m / denom


class Adam(ScratchOptimizer):
    update = staticmethod(adam_update)
    update_foreach = staticmethod(adam_foreach)
    update_fused = staticmethod(adam_fused)
    sparse_error = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        require(
            not (isinstance(lr, Tensor) and foreach),
            "lr as a Tensor is not supported for capturable=False and foreach=True",
        )
        check_adam_family(lr, betas, eps, weight_decay)
        require(
            all(isinstance(beta, float) for beta in betas)
            or all(isinstance(beta, Tensor) for beta in betas),
            "betas must be either both floats or both Tensors",
        )
        for index, beta in enumerate(betas):
            require(
                not (isinstance(beta, Tensor) and foreach),
                f"betas[{index}] as a Tensor is not supported for capturable=False and "
                "foreach=True",
            )
            require(
                not isinstance(beta, Tensor) or beta.numel() == 1,
                f"Tensor betas[{index}] must be 1-element",
            )
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)
        check_fast_paths(foreach, fused)

    def fused_scalars(self, states, group):
        t, lr, (beta1, beta2) = next_steps(states), group["lr"], group["betas"]
        return [lr, beta1, beta2, lr / (1 - beta1**t), (1 - beta2**t).sqrt()]

    def init_state(self, p, group):
        state = dict(
            step=scalar_state(0.0), exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p)
        )
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = torch.zeros_like(p)
        return state


class AdamW(Adam):
    """Adam with decoupled weight decay, on by default (weight_decay=1e-2)."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
        foreach=None,
        fused=None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True  # as torch: loading never turns it off
