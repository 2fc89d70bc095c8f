"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""

from torch import Tensor

from ._base import ScratchOptimizer, require


def sgd_update(
    param: Tensor,
    grad: Tensor,
    momentum_buffer: Tensor | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> Tensor | None:
    """One SGD step on one tensor, in place. b is the momentum buffer, which it returns.

    Without momentum there is no buffer and it returns None.
    """
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # grad ← grad + weight_decay·param
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = grad.clone()  # b₁ = grad: no dampening on the first step
        else:
            # b ← momentum·b + (1 − dampening)·grad
            momentum_buffer.mul_(momentum).add_(grad, alpha=1 - dampening)
        if nesterov:
            grad = grad.add(momentum_buffer, alpha=momentum)  # grad ← grad + momentum·b
        else:
            grad = momentum_buffer  # grad ← b
    param.add_(grad, alpha=-lr)  # param ← param − lr·grad
    return momentum_buffer


class SGD(ScratchOptimizer):
    update = staticmethod(sgd_update)

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
    ):
        require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
        # torch tests `x < 0.0` here, not `0.0 <= x`, so SGD lets nan through
        require(not lr < 0.0, f"Invalid learning rate: {lr}")
        require(not momentum < 0.0, f"Invalid momentum value: {momentum}")
        require(not weight_decay < 0.0, f"Invalid weight_decay value: {weight_decay}")
        require(
            not (nesterov and (momentum <= 0 or dampening != 0)),
            "Nesterov momentum requires a momentum and zero dampening",
        )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step_param(self, p, group):
        # torch keeps no state at all for a parameter stepped without momentum
        # (with momentum the buffer is the first gradient, made by sgd_update)
        state = self.state[p] if group["momentum"] != 0 else {}
        buffer = state.get("momentum_buffer")
        state["momentum_buffer"] = self.update(p, p.grad, buffer, **self.hyperparameters(group))
