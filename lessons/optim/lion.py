"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): momentum's sign."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, require


def lion_update(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    weight_decay: float,
) -> None:
    """One Lion step on one tensor, in place. m is exp_avg, the only state.

    Every coordinate moves by exactly lr: only the sign of the interpolated momentum is used,
    so lr is typically 3-10x smaller than AdamW's and weight_decay 3-10x larger.
    """
    beta1, beta2 = betas
    if weight_decay != 0:
        param.mul_(1 - lr * weight_decay)  # θ ← θ·(1 − lr·λ)
    update = exp_avg.mul(beta1).add_(grad, alpha=1 - beta1).sign_()  # u = sign(β1·m + (1 − β1)·g)
    param.add_(update, alpha=-lr)  # θ ← θ − lr·u
    exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)  # m ← β2·m + (1 − β2)·g


class Lion(ScratchOptimizer):
    """The `lion-pytorch` package's Lion (0.2.5): its argument names, defaults and state key.

    decoupled_weight_decay=True divides weight_decay by the constructor's lr, as lion-pytorch
    does, so the decay per step, lr·λ/lr₀, follows a schedule without being scaled by lr twice.
    lion-pytorch checks its arguments with `assert`; here they raise ValueError, and a negative
    weight_decay, which lion-pytorch lets through, is refused as well.
    """

    update = staticmethod(lion_update)

    def __init__(
        self,
        params,
        lr=1e-4,
        betas=(0.9, 0.99),
        weight_decay=0.0,
        use_triton=False,
        decoupled_weight_decay=False,
    ):
        require(0.0 < lr, f"Invalid learning rate: {lr} (Lion needs lr > 0)")
        for index, beta in enumerate(betas):
            require(0.0 <= beta <= 1.0, f"Invalid beta parameter at index {index}: {beta}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(not use_triton, "use_triton=True needs triton and a CUDA GPU; use lion-pytorch")
        self.init_lr = lr
        self.decoupled_weight_decay = decoupled_weight_decay
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def init_state(self, p, group):
        return dict(exp_avg=torch.zeros_like(p))

    def hyperparameters(self, group):
        weight_decay = group["weight_decay"]
        if self.decoupled_weight_decay:
            weight_decay /= self.init_lr  # λ/lr₀: the decay per step is then lr·λ/lr₀
        return dict(lr=group["lr"], betas=group["betas"], weight_decay=weight_decay)
