"""Adadelta (Zeiler, 2012): the step's size comes from a running average of past steps."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_lr, require, scalar_state


def adadelta_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    square_avg: Tensor,
    acc_delta: Tensor,
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adadelta step on one tensor, in place. v is square_avg, u is acc_delta."""
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1 (counted only, as in torch)
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)  # v ← ρ·v + (1 − ρ)·grad²
    std = square_avg.add(eps).sqrt_()  # std = √(v + eps)
    delta = acc_delta.add(eps).sqrt_()  # delta = √(u + eps)
    delta.div_(std).mul_(grad)  # delta ← delta / std · grad
    acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)  # u ← ρ·u + (1 − ρ)·delta²
    param.add_(delta, alpha=-lr)  # param ← param − lr·delta


def adadelta_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    square_avg: list[Tensor],
    acc_delta: list[Tensor],
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """adadelta_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    advance_steps(step)  # t ← t + 1
    grads = torch._foreach_neg(grads) if maximize else grads
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    torch._foreach_mul_(square_avg, rho)  # v ← ρ·v
    torch._foreach_addcmul_(square_avg, grads, grads, value=1 - rho)  # v ← v + (1 − ρ)·grad²
    std = torch._foreach_add(square_avg, eps)  # v + eps
    torch._foreach_sqrt_(std)  # std = √(v + eps)
    delta = torch._foreach_add(acc_delta, eps)  # u + eps
    torch._foreach_sqrt_(delta)  # delta = √(u + eps)
    torch._foreach_div_(delta, std)  # delta ← delta / std
    torch._foreach_mul_(delta, grads)  # delta ← delta·grad
    torch._foreach_mul_(acc_delta, rho)  # u ← ρ·u
    torch._foreach_addcmul_(acc_delta, delta, delta, value=1 - rho)  # u ← u + (1 − ρ)·delta²
    torch._foreach_add_(params, delta, alpha=-lr)  # param ← param − lr·delta


class Adadelta(ScratchOptimizer):
    update = staticmethod(adadelta_update)
    update_foreach = staticmethod(adadelta_foreach)

    def __init__(
        self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, maximize=False
    ):
        check_lr(lr)
        require(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0), square_avg=torch.zeros_like(p), acc_delta=torch.zeros_like(p)
        )
