"""Adafactor (Shazeer & Stern, 2018): a second moment kept as row and column statistics."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, advance_steps, require, scalar_state


def adafactor_update(
    param: Tensor,
    grad: Tensor,
    step: Tensor,
    row_var: Tensor | None = None,
    col_var: Tensor | None = None,
    variance: Tensor | None = None,
    *,
    lr: float,
    beta2_decay: float,
    eps1: float,
    eps2: float,
    d: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adafactor step on one tensor, in place. R is row_var, C is col_var, t is step.

    A matrix (or a stack of them: the last two dims) keeps R and C, one number per row and per
    column; a vector keeps the full v. The step is relative: lr only caps ρ_t, and the update is
    scaled by the parameter's own RMS. Mean squares are written as torch writes them, ‖g‖²/n,
    which rounds differently from mean(g·g).
    """
    grad = -grad if maximize else grad
    step += 1  # t ← t + 1
    t = step.item()
    one_minus_beta2_t = t**beta2_decay  # 1 − β̂2_t = t^τ
    rho_t = min(lr, 1 / t**0.5)  # ρ_t = min(lr, 1/√t)
    rms = param.norm(2).item() / param.numel() ** 0.5  # RMS(θ)
    alpha = max(eps2, rms) * rho_t  # α = max(ε2, RMS(θ))·ρ_t
    if weight_decay != 0:
        param.mul_(1 - lr * weight_decay)  # θ ← θ·(1 − lr·weight_decay)
    if grad.dim() > 1:
        row_mean = torch.norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1))
        row_var.lerp_(row_mean, one_minus_beta2_t)  # R ← R + (1 − β̂2_t)·(mean_cols(g²) − R)
        col_mean = torch.norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2))
        col_var.lerp_(col_mean, one_minus_beta2_t)  # C ← C + (1 − β̂2_t)·(mean_rows(g²) − C)
        var_estimate = row_var @ col_var  # v̂ = R·C / max(mean(R), ε1)
        var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
    else:
        variance.lerp_(grad * grad, one_minus_beta2_t)  # v ← v + (1 − β̂2_t)·(g² − v)
        var_estimate = variance.clone()  # v̂ = v
    update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_().mul_(grad)  # u = g / √max(v̂, ε1²)
    denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * d))  # max(1, RMS(u)/d)
    param.add_(update, alpha=-alpha / denom)  # θ ← θ − α·u / max(1, RMS(u)/d)


def adafactor_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    step: list[Tensor],
    row_var: list[Tensor] | None = None,
    col_var: list[Tensor] | None = None,
    variance: list[Tensor] | None = None,
    *,
    lr: float,
    beta2_decay: float,
    eps1: float,
    eps2: float,
    d: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """adafactor_update over lists, all matrices (R and C given) or all vectors (v given).

    One torch._foreach_* kernel a line, in torch's foreach order, which scales u by
    −α / max(1, RMS(u)/d) before adding it (the loop adds with that factor as alpha).
    """
    grads = torch._foreach_neg(grads) if maximize else grads
    advance_steps(step)  # t ← t + 1
    t = [s.item() for s in step]
    one_minus_beta2_t = [k**beta2_decay for k in t]  # 1 − β̂2_t = t^τ
    # α = max(ε2, RMS(θ))·ρ_t, with ρ_t = min(lr, 1/√t)
    alpha = [
        max(eps2, p.norm(2).item() / p.numel() ** 0.5) * min(lr, 1 / k**0.5)
        for p, k in zip(params, t, strict=True)
    ]
    if weight_decay != 0:
        torch._foreach_mul_(params, 1 - lr * weight_decay)  # θ ← θ·(1 − lr·weight_decay)
    if variance is None:
        row_mean = [torch.norm(g, dim=-1, keepdim=True) for g in grads]  # ‖g‖ along rows
        torch._foreach_mul_(row_mean, row_mean)  # ‖g‖²
        torch._foreach_div_(row_mean, [g.size(-1) for g in grads])  # mean_cols(g²)
        torch._foreach_lerp_(row_var, row_mean, one_minus_beta2_t)  # R ← R + (1 − β̂2_t)·(… − R)
        col_mean = [torch.norm(g, dim=-2, keepdim=True) for g in grads]  # ‖g‖ along columns
        torch._foreach_mul_(col_mean, col_mean)  # ‖g‖²
        torch._foreach_div_(col_mean, [g.size(-2) for g in grads])  # mean_rows(g²)
        torch._foreach_lerp_(col_var, col_mean, one_minus_beta2_t)  # C ← C + (1 − β̂2_t)·(… − C)
        var_estimate = [r @ c for r, c in zip(row_var, col_var, strict=True)]  # R·C
        row_var_mean = [r.mean(dim=-2, keepdim=True) for r in row_var]  # mean(R)
        torch._foreach_clamp_min_(row_var_mean, eps1)  # max(mean(R), ε1)
        torch._foreach_div_(var_estimate, row_var_mean)  # v̂ = R·C / max(mean(R), ε1)
    else:
        # v ← v + (1 − β̂2_t)·(g² − v)
        torch._foreach_lerp_(variance, torch._foreach_mul(grads, grads), one_minus_beta2_t)
        var_estimate = [v.clone() for v in variance]  # v̂ = v
    torch._foreach_clamp_min_(var_estimate, eps1 * eps1)  # max(v̂, ε1²)
    torch._foreach_rsqrt_(var_estimate)  # 1 / √max(v̂, ε1²)
    torch._foreach_mul_(var_estimate, grads)  # u = g / √max(v̂, ε1²)
    update = var_estimate
    # −α / max(1, RMS(u)/d)
    scale = [
        -a / max(1.0, u.norm(2).item() / (u.numel() ** 0.5 * d))
        for a, u in zip(alpha, update, strict=True)
    ]
    torch._foreach_mul_(update, scale)  # −α·u / max(1, RMS(u)/d)
    torch._foreach_add_(params, update)  # θ ← θ − α·u / max(1, RMS(u)/d)


class Adafactor(ScratchOptimizer):
    """torch.optim.Adafactor. weight_decay defaults to 0.0 (its docstring says 1e-2, its code 0.0).

    eps=(None, 1e-3): a None eps1 becomes the machine epsilon of the dtype of the group's first
    parameter that has a gradient, at every step, for the whole group, as in torch's loop (its
    foreach path picks the dtype otherwise: see step_foreach).
    """

    update = staticmethod(adafactor_update)
    update_foreach = staticmethod(adafactor_foreach)

    def __init__(
        self,
        params,
        lr=1e-2,
        beta2_decay=-0.8,
        eps=(None, 1e-3),
        d=1.0,
        weight_decay=0.0,
        *,
        foreach=None,
        maximize=False,
    ):
        require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
        require(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        require(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        require(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        require(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        require(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        require(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(
            lr=lr,
            beta2_decay=beta2_decay,
            eps=eps,
            d=d,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p, group):
        if p.grad.dim() <= 1:
            return dict(step=scalar_state(0.0), variance=torch.zeros_like(p.grad))
        row_shape, col_shape = list(p.grad.shape), list(p.grad.shape)
        row_shape[-1], col_shape[-2] = 1, 1
        return dict(
            step=scalar_state(0.0),
            row_var=p.grad.new_zeros(row_shape),
            col_var=p.grad.new_zeros(col_shape),
        )

    def step_foreach(self, params, group):
        """torch's foreach path: the matrices and the vectors as two lists.

        A None eps1 comes from the dtype of the first (device, dtype) bucket torch's grouping
        yields, not from the first parameter: with float32 and float64 in one group, from the
        dtype the first parameter does not have.
        """
        hyperparameters = self.hyperparameters(group)
        if group["eps"][0] is None:
            _, dtype = next(iter(self._group_tensors_by_device_and_dtype([params])))
            hyperparameters["eps1"] = torch.finfo(dtype).eps
        states = self.param_states(params, group)  # created in param order, as torch
        for factored in (True, False):
            part = [i for i, p in enumerate(params) if (p.grad.dim() > 1) is factored]
            if part:
                lists = {key: [states[i][key] for i in part] for key in states[part[0]]}
                grads = [params[i].grad for i in part]
                self.update_foreach([params[i] for i in part], grads, **lists, **hyperparameters)

    def hyperparameters(self, group):
        eps1, eps2 = group["eps"]
        if eps1 is None:
            first = next(p for p in group["params"] if p.grad is not None)
            eps1 = torch.finfo(first.dtype).eps
        keys = ("lr", "beta2_decay", "d", "weight_decay", "maximize")
        return dict(eps1=eps1, eps2=eps2, **{key: group[key] for key in keys})
