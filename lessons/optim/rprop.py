"""Rprop (Riedmiller & Braun, 1993): a step size per weight, grown while the grad keeps its sign."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_lr, require, scalar_state


def rprop_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    prev: Tensor,
    step_size: Tensor,
    *,
    etas: tuple[float, float],
    step_sizes: tuple[float, float],
    maximize: bool,
) -> None:
    """One Rprop step on one tensor, in place. Δ is step_size, g_prev is prev (the last grad used).

    Only the sign of the gradient is used; lr sets Δ once, at the first step, so a later lr change
    (a scheduler's too) does nothing, as in torch.
    """
    etaminus, etaplus = etas
    step_size_min, step_size_max = step_sizes
    grad = -grad if maximize else grad
    step += 1
    factor = grad.mul(prev).sign()  # sign(g·g_prev)
    factor[factor.gt(0)] = etaplus  # same sign: grow Δ by etaplus
    factor[factor.lt(0)] = etaminus  # the sign flipped: shrink Δ by etaminus
    factor[factor.eq(0)] = 1  # a zero on either side: keep Δ
    step_size.mul_(factor).clamp_(step_size_min, step_size_max)  # Δ ← clamp(Δ·factor, Δmin, Δmax)
    grad = grad.clone()
    grad[factor.eq(etaminus)] = 0  # after a flip, no step and g_prev ← 0
    param.addcmul_(grad.sign(), step_size, value=-1)  # param ← param − sign(g)·Δ
    prev.copy_(grad)  # g_prev ← g


class Rprop(ScratchOptimizer):
    update = staticmethod(rprop_update)

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        foreach=None,
        maximize=False,
    ):
        check_lr(lr)
        require(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        # foreach is accepted as torch's; the multi-tensor path is not written yet
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0),
            prev=torch.zeros_like(p),
            step_size=torch.full_like(p, float(group["lr"])),  # Δ₀ = lr
        )
