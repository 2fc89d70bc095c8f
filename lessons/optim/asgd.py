"""Averaged SGD (Polyak & Juditsky, 1992): SGD with a decaying step and the mean of its iterates."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_lr, require, scalar_state


def asgd_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    eta: Tensor,
    mu: Tensor,
    ax: Tensor,
    *,
    lr: float,
    lambd: float,
    alpha: float,
    t0: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One ASGD step on one tensor, in place. ax is the averaged iterate, eta the step, t is step.

    eta and mu for the next step are computed at the end of this one, from this step's lr: an lr
    change takes effect one step late, as in torch.
    """
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    eta_value = eta.item()
    param.mul_(1 - lambd * eta_value)  # param ← param·(1 − lambd·eta)
    param.add_(grad, alpha=-eta_value)  # param ← param − eta·grad
    if mu.item() != 1:
        ax.add_(param.sub(ax).mul_(mu))  # ax ← ax + mu·(param − ax)
    else:
        ax.copy_(param)  # ax ← param   (before t0 the average is the iterate)
    t = step.item()
    eta.copy_(
        torch.as_tensor(lr / ((1 + lambd * lr * t) ** alpha))
    )  # eta ← lr / (1 + lambd·lr·t)^alpha
    mu.copy_(torch.as_tensor(1 / max(1, t - t0)))  # mu ← 1 / max(1, t − t0)


def asgd_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    eta: list[Tensor],
    mu: list[Tensor],
    ax: list[Tensor],
    *,
    lr: float,
    lambd: float,
    alpha: float,
    t0: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """asgd_update over lists: one torch._foreach_* kernel a line, in torch's foreach order.

    torch's order folds the decay into the gradient, always averages (ax + 1·(param − ax) before
    t0), and computes eta in the dtype of `step`: each rounds differently from the loop.
    """
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    decayed = torch._foreach_add(grads, params, alpha=lambd)  # grad + lambd·param
    torch._foreach_addcmul_(params, decayed, eta, value=-1)  # param − eta·(grad + lambd·param)
    torch._foreach_addcmul_(ax, torch._foreach_sub(params, ax), mu)  # ax + mu·(param − ax)
    # eta ← lr / (1 + lambd·lr·t)^alpha, with t the step tensor
    torch._foreach_copy_(eta, [lr / (1 + lambd * lr * t) ** alpha for t in step])
    # mu ← 1 / max(1, t − t0)
    torch._foreach_copy_(mu, [torch.as_tensor(1 / max(1, t.item() - t0)) for t in step])


class ASGD(ScratchOptimizer):
    update = staticmethod(asgd_update)
    update_foreach = staticmethod(asgd_foreach)

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
    ):
        check_lr(lr)
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        # eta and mu are 0-dim float32 tensors like step, even for float64 parameters
        return dict(
            step=scalar_state(0.0),
            eta=scalar_state(float(group["lr"])),
            mu=scalar_state(1.0),
            ax=torch.zeros_like(p),
        )
