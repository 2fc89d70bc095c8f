"""Adagrad (Duchi et al., 2011): per-coordinate steps shrink with the sum of squared gradients."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_lr, require, scalar_state


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
    """One Adagrad step on one tensor, in place."""
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    clr = lr / (1 + (t - 1) * lr_decay)  # clr = lr / (1 + (t − 1)·lr_decay)
    sum.addcmul_(grad, grad, value=1)  # sum ← sum + grad²
    std = sum.sqrt().add_(eps)  # std = √sum + eps
    param.addcdiv_(grad, std, value=-clr)  # param ← param − clr·grad / std


class Adagrad(ScratchOptimizer):
    update = staticmethod(adagrad_update)

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        *,
        maximize=False,
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
            maximize=maximize,
        )
        super().__init__(params, defaults)
        # Unlike the other optimizers, torch creates Adagrad's state here, for every parameter.
        for group in self.param_groups:
            for p in group["params"]:
                self._state(p, group)

    def init_state(self, p, group):
        # torch fills with the constructor's value, never a group's own initial_accumulator_value
        fill = self.defaults["initial_accumulator_value"]
        return dict(step=scalar_state(0.0), sum=torch.full_like(p, fill))
