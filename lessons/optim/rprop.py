"""Rprop (Riedmiller & Braun, 1993): a step size per weight, grown while the grad keeps its sign."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, check_lr, require, scalar_state


def sign_to_factor_(sign: Tensor, etas: tuple[float, float]) -> Tensor:
    """sign(g·g_prev) turned, in place, into the factor Δ is multiplied by."""
    etaminus, etaplus = etas
    sign[sign.gt(0)] = etaplus  # same sign: grow Δ by etaplus
    sign[sign.lt(0)] = etaminus  # the sign flipped: shrink Δ by etaminus
    sign[sign.eq(0)] = 1  # a zero on either side: keep Δ
    return sign


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
    etaminus = etas[0]
    step_size_min, step_size_max = step_sizes
    grad = -grad if maximize else grad
    step += 1
    factor = sign_to_factor_(grad.mul(prev).sign(), etas)  # sign(g·g_prev) → etaplus, etaminus or 1
    step_size.mul_(factor).clamp_(step_size_min, step_size_max)  # Δ ← clamp(Δ·factor, Δmin, Δmax)
    grad = grad.clone()
    grad[factor.eq(etaminus)] = 0  # after a flip, no step and g_prev ← 0
    param.addcmul_(grad.sign(), step_size, value=-1)  # param ← param − sign(g)·Δ
    prev.copy_(grad)  # g_prev ← g


def rprop_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    prev: list[Tensor],
    step_size: list[Tensor],
    *,
    etas: tuple[float, float],
    step_sizes: tuple[float, float],
    maximize: bool,
) -> None:
    """rprop_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    etaminus = etas[0]
    step_size_min, step_size_max = step_sizes
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    factors = torch._foreach_mul(grads, prev)  # g·g_prev
    torch._foreach_copy_(prev, grads)  # g_prev ← g (prev holds g from here on, as in torch)
    torch._foreach_sign_(factors)  # sign(g·g_prev)
    for factor in factors:
        sign_to_factor_(factor, etas)  # → etaplus, etaminus or 1
    torch._foreach_mul_(step_size, factors)  # Δ ← Δ·factor
    for delta in step_size:
        delta.clamp_(step_size_min, step_size_max)  # Δ ← clamp(Δ, Δmin, Δmax)
    for g, factor in zip(prev, factors, strict=True):
        g.copy_(torch.where(factor.eq(etaminus), 0, g))  # after a flip, no step and g_prev ← 0
    del factors  # freed first, as in torch: the signs below can take their memory
    signs = [g.sign() for g in prev]  # sign(g)
    torch._foreach_addcmul_(params, signs, step_size, value=-1)  # param ← param − sign(g)·Δ


class Rprop(ScratchOptimizer):
    update = staticmethod(rprop_update)
    update_foreach = staticmethod(rprop_foreach)

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
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return dict(
            step=scalar_state(0.0),
            prev=torch.zeros_like(p),
            step_size=torch.full_like(p, float(group["lr"])),  # Δ₀ = lr
        )
