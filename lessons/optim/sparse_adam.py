"""SparseAdam: Adam on only the rows a sparse grad touches, as nn.Embedding(sparse=True) gives."""

import math

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_betas, require


def sparse_adam_update(
    param: Tensor,
    grad: Tensor,
    step: int,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    maximize: bool,
) -> None:
    """One Adam step on the entries a sparse grad holds, in place. m is exp_avg, v is exp_avg_sq.

    Unlike Adam, eps is added before the bias correction, and t (step) counts this parameter's
    own steps.
    """
    beta1, beta2 = betas
    grad = (-grad if maximize else grad).coalesce()  # one value per index: the update is not linear
    g = grad._values()
    if g.numel() == 0:
        return
    index = tuple(grad._indices())  # the entries (or rows) the gradient touches
    m, v = exp_avg[index], exp_avg_sq[index]
    g = g.view_as(m)  # a 0-dim parameter's one value has shape [1]
    m_new = m + g.sub(m).mul_(1 - beta1)  # m ← m + (1 − β1)·(g − m)
    v_new = v + g.pow(2).sub_(v).mul_(1 - beta2)  # v ← v + (1 − β2)·(g² − v)
    exp_avg[index], exp_avg_sq[index] = m_new, v_new
    step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)  # lr·√(1 − β2ᵗ) / (1 − β1ᵗ)
    denom = v_new.sqrt_().add_(eps)  # √v + eps
    param[index] += -step_size * m_new.div_(denom)  # param ← param − step_size·m / denom


class SparseAdam(ScratchOptimizer):
    update = staticmethod(sparse_adam_update)
    sparse_error = None  # sparse gradients are all it takes

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
        require(0.0 < lr, f"Invalid learning rate: {lr}")
        require(0.0 < eps, f"Invalid epsilon value: {eps}")
        check_betas(betas[:2])
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        sparse, complex_ = self._indices(lambda p: p.is_sparse), self._indices(torch.is_complex)
        require(
            not sparse,
            f"Sparse params at indices {sparse}: SparseAdam requires dense parameter tensors",
        )
        require(
            not complex_,
            f"Complex params at indices {complex_}: SparseAdam does not support complex parameters",
        )

    def _indices(self, test):
        """[group, position] of every parameter that passes test."""
        return [
            [g, i]
            for g, group in enumerate(self.param_groups)
            for i, p in enumerate(group["params"])
            if test(p)
        ]

    def init_state(self, p, group):
        return dict(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))

    def step_param(self, p, group):
        state = self._state(p, group)
        state["step"] += 1  # a Python int, counted per parameter, as in torch
        self.update(p, p.grad, **state, **self.hyperparameters(group))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        grads = [p.grad for group in self.param_groups for p in group["params"]]
        if not all(grad.is_sparse for grad in grads if grad is not None):  # before any change
            raise RuntimeError(
                "SparseAdam does not support dense gradients, please consider Adam instead"
            )
        super().step()
        return loss
