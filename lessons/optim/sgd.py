"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_fast_paths, require


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


def sgd_foreach(
    params: list[Tensor],
    grads: list[Tensor],
    momentum_buffer: list[Tensor | None],
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> list[Tensor | None]:
    """sgd_update over lists: one torch._foreach_* kernel a line, in torch's foreach order."""
    grads = torch._foreach_neg(grads) if maximize else grads
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)  # grad ← grad + wd·param
    if momentum != 0:
        if any(b is None for b in momentum_buffer):  # a first step: tensor by tensor, as torch
            momentum_buffer = [
                g.clone() if b is None else b.mul_(momentum).add_(g, alpha=1 - dampening)
                for b, g in zip(momentum_buffer, grads, strict=True)
            ]
        else:
            torch._foreach_mul_(momentum_buffer, momentum)  # b ← momentum·b
            torch._foreach_add_(momentum_buffer, grads, alpha=1 - dampening)  # + (1 − damp.)·grad
        if nesterov:
            grads = torch._foreach_add(grads, momentum_buffer, alpha=momentum)  # grad + momentum·b
        else:
            grads = momentum_buffer  # grad ← b
    torch._foreach_add_(params, grads, alpha=-lr)  # param ← param − lr·grad
    return momentum_buffer


def sgd_fused(
    param: Tensor,
    grad: Tensor,
    scalars: Tensor,
    momentum_buffer: Tensor | None,
    *,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """sgd_update's arithmetic for torch.compile; scalars: lr, momentum, g_w.

    The buffers start at zero and g_w is 1 on the group's first step (b₁ = grad), then
    1 − dampening.
    """
    lr, momentum, grad_weight = scalars.unbind()
    grad = -grad if maximize else grad
    if weight_decay != 0:
        grad = grad + weight_decay * param  # grad ← grad + weight_decay·param
    if momentum_buffer is not None:
        momentum_buffer.mul_(momentum).add_(grad * grad_weight)  # b ← momentum·b + g_w·grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param.sub_(lr * grad)  # param ← param − lr·grad


class SGD(ScratchOptimizer):
    update = staticmethod(sgd_update)
    update_foreach = staticmethod(sgd_foreach)
    update_fused = staticmethod(sgd_fused)
    sparse_error = None

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
        foreach=None,
        fused=None,
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
            foreach=foreach,
            fused=fused,
        )
        super().__init__(params, defaults)
        check_fast_paths(foreach, fused)

    def check_sparse_grad(self, group):
        if group.get("fused"):
            raise RuntimeError("`_fused_sgd` does not support sparse gradients")
        if group["weight_decay"] != 0:
            raise RuntimeError(
                "add(sparse, dense) is not supported. Use add(dense, sparse) instead."
            )

    # torch keeps no state at all for a parameter stepped without momentum
    # (with momentum the buffer is the first gradient, made by the update)
    def step_param(self, p, group):
        state = self.state[p] if group["momentum"] != 0 else {}
        buffer = state.get("momentum_buffer")
        state["momentum_buffer"] = self.update(p, p.grad, buffer, **self.hyperparameters(group))

    def step_foreach(self, params, group):
        states = self.param_states(params, group)
        buffers = [state.get("momentum_buffer") for state in states]
        grads = [p.grad for p in params]
        buffers = self.update_foreach(params, grads, buffers, **self.hyperparameters(group))
        for state, buffer in zip(states, buffers, strict=True):
            state["momentum_buffer"] = buffer

    def param_states(self, params, group):
        return [self.state[p] if group["momentum"] != 0 else {} for p in params]

    def fused_scalars(self, states, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        # as torch's fused SGD: the first step is the group's, when no parameter has a buffer yet
        first = all(state.get("momentum_buffer") is None for state in states)
        return [lr, momentum, 1.0 if first else 1 - dampening]

    def fused_tensors(self, params, states, group):
        if group["momentum"] == 0:
            return [[None] * len(params)]
        for p, state in zip(params, states, strict=True):
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = torch.zeros_like(p)
        return [[state["momentum_buffer"] for state in states]]
