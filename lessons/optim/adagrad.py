"""Adagrad (Duchi et al., 2011): per-coordinate steps shrink with the sum of squared gradients."""

import torch
from torch import Tensor

from ._base import (
    ScratchOptimizer,
    advance_steps,
    check_fast_paths,
    check_lr,
    next_steps,
    require,
    scalar_state,
)


def adagrad_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    sum: Tensor,
    *,
    lr: float,
    lr_decay: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """One Adagrad step on one tensor, in place. A sparse grad updates only the rows it holds."""
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    clr = lr / (1 + (t - 1) * lr_decay)  # clr = lr / (1 + (t − 1)·lr_decay)
    if grad.is_sparse:
        grad = grad.coalesce()  # one value per index: the update is not linear in grad
        rows, values = grad.indices(), grad.values()
        sum.add_(torch.sparse_coo_tensor(rows, values.pow(2), grad.shape))  # sum ← sum + grad²
        std = sum.sparse_mask(grad).values().sqrt_().add_(eps)  # std = √sum + eps, on those rows
        # param ← param − clr·grad / std, on those rows
        param.add_(torch.sparse_coo_tensor(rows, values / std, grad.shape), alpha=-clr)
        return
    sum.addcmul_(grad, grad, value=1)  # sum ← sum + grad²
    std = sum.sqrt().add_(eps)  # std = √sum + eps
    param.addcdiv_(grad, std, value=-clr)  # param ← param − clr·grad / std


def adagrad_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    sum: list[Tensor],
    *,
    lr: float,
    lr_decay: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """adagrad_update over lists of dense tensors: one torch._foreach_* kernel a line.

    In torch's order, which multiplies grad by −clr before dividing by std (the loop divides first).
    """
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad + wd·param
    minus_clr = [
        -lr / (1 + (s.item() - 1) * lr_decay) for s in step
    ]  # −lr / (1 + (t − 1)·lr_decay)
    torch._foreach_addcmul_(sum, grads, grads, value=1)  # sum ← sum + grad²
    std = torch._foreach_sqrt(sum)  # √sum
    torch._foreach_add_(std, eps)  # std = √sum + eps
    # param ← param + (−clr·grad) / std
    torch._foreach_addcdiv_(params, torch._foreach_mul(grads, minus_clr), std)


def adagrad_fused(
    param: Tensor,
    grad: Tensor,
    scalars: Tensor,
    sum: Tensor,
    *,
    weight_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """adagrad_update's arithmetic for torch.compile; scalars: clr = lr / (1 + (t − 1)·lr_decay)."""
    (clr,) = scalars.unbind()
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad + weight_decay * param  # grad ← grad + weight_decay·param
    sum.add_(grad * grad)  # sum ← sum + grad²
    param.sub_(clr * grad / (sum.sqrt() + eps))  # param ← param − clr·grad / (√sum + eps)


class Adagrad(ScratchOptimizer):
    update = staticmethod(adagrad_update)
    update_foreach = staticmethod(adagrad_foreach)
    update_fused = staticmethod(adagrad_fused)
    sparse_error = None

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        fused=None,
    ):
        check_lr(lr)
        require(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(
            0.0 <= initial_accumulator_value,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}",
        )
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            fused=fused,
        )
        super().__init__(params, defaults)
        check_fast_paths(foreach, fused)
        # Unlike the other optimizers, torch creates Adagrad's state here, for every parameter.
        for group in self.param_groups:
            for p in group["params"]:
                self._state(p, group)

    def fused_scalars(self, states, group):
        t = next_steps(states)
        return [group["lr"] / (1 + (t - 1) * group["lr_decay"])]

    def init_state(self, p, group):
        # torch fills with the constructor's value, never a group's own initial_accumulator_value
        fill = self.defaults["initial_accumulator_value"]
        return dict(step=scalar_state(0.0), sum=torch.full_like(p, fill))

    def check_sparse_grad(self, group):
        if group.get("fused"):
            raise RuntimeError("`fused` does not support sparse grad or complex param")
        if group["weight_decay"] != 0:
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")
