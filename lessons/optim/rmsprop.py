"""RMSprop (Hinton, 2012): divide by a running root mean square of the gradient."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_lr, require, scalar_state


def rmsprop_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    square_avg: Tensor,
    momentum_buffer: Tensor | None = None,
    grad_avg: Tensor | None = None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """One RMSprop step on one tensor, in place. v: square_avg, ḡ: grad_avg, b: momentum_buffer.

    eps is added outside the square root, as in torch (Keras adds it inside).
    """
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1 (counted only, as in torch)
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v ← α·v + (1 − α)·grad²
    if centered:
        grad_avg.lerp_(grad, 1 - alpha)  # ḡ ← α·ḡ + (1 − α)·grad
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()  # avg = √(v − ḡ²)
    else:
        avg = square_avg.sqrt()  # avg = √v
    avg.add_(eps)  # avg ← avg + eps
    if momentum > 0:
        momentum_buffer.mul_(momentum).addcdiv_(grad, avg)  # b ← momentum·b + grad / avg
        param.add_(momentum_buffer, alpha=-lr)  # param ← param − lr·b
    else:
        param.addcdiv_(grad, avg, value=-lr)  # param ← param − lr·grad / avg


def rmsprop_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    square_avg: list[Tensor],
    momentum_buffer: list[Tensor] | None = None,
    grad_avg: list[Tensor] | None = None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """rmsprop_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    torch._foreach_mul_(square_avg, alpha)  # v ← α·v
    torch._foreach_addcmul_(square_avg, grads, grads, value=1 - alpha)  # v ← v + (1 − α)·grad²
    if centered:
        torch._foreach_lerp_(grad_avg, grads, 1 - alpha)  # ḡ ← α·ḡ + (1 − α)·grad
        avg = torch._foreach_addcmul(square_avg, grad_avg, grad_avg, value=-1)  # v − ḡ²
        torch._foreach_sqrt_(avg)  # avg = √(v − ḡ²)
    else:
        avg = torch._foreach_sqrt(square_avg)  # avg = √v
    torch._foreach_add_(avg, eps)  # avg ← avg + eps
    if momentum > 0:
        torch._foreach_mul_(momentum_buffer, momentum)  # b ← momentum·b
        torch._foreach_addcdiv_(momentum_buffer, grads, avg)  # b ← b + grad / avg
        torch._foreach_add_(params, momentum_buffer, alpha=-lr)  # param ← param − lr·b
    else:
        torch._foreach_addcdiv_(params, grads, avg, value=-lr)  # param − lr·grad / avg


class RMSprop(ScratchOptimizer):
    update = staticmethod(rmsprop_update)
    update_foreach = staticmethod(rmsprop_foreach)

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        *,
        foreach=None,
        maximize=False,
    ):
        check_lr(lr)
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        require(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        state = dict(step=scalar_state(0.0), square_avg=torch.zeros_like(p))
        if group["momentum"] > 0:
            state["momentum_buffer"] = torch.zeros_like(p)  # zero, unlike SGD's first-gradient
        if group["centered"]:
            state["grad_avg"] = torch.zeros_like(p)
        return state
