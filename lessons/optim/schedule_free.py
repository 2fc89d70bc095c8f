"""Schedule-Free AdamW (Defazio et al., 2024, "The Road Less Scheduled"): no schedule to tune."""

import torch
from torch import Tensor

from ._base import ScratchOptimizer, check_adam_family, require


def schedule_free_adamw_update(
    param: Tensor,
    grad: Tensor,
    z: Tensor,
    exp_avg_sq: Tensor,
    x: Tensor,
    y: Tensor,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    decay_at_z: bool,
    k: int,
    ckp1: float,
) -> None:
    """One step on one tensor, in place. k is the step (from 1), ckp1 the averaging weight c.

    Three sequences: z takes plain Adam-style steps (no momentum), x is the weighted average of
    the z's (what to evaluate), and y, between them, is where the gradient is taken (train mode).
    """
    beta1, beta2 = betas
    if weight_decay != 0:
        z.sub_(z if decay_at_z else y, alpha=lr * weight_decay)  # z ← z − lr·λ·y   (or ·z)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1 − β2)·g²
    denom = exp_avg_sq.div(1 - beta2**k).sqrt_().add_(eps)  # √(v / (1 − β2ᵏ)) + eps
    z.addcdiv_(grad, denom, value=-lr)  # z ← z − lr·g / denom
    x.mul_(1 - ckp1).add_(z, alpha=ckp1)  # x ← (1 − c)·x + c·z
    y.copy_(x.mul(beta1).add_(z, alpha=1 - beta1))  # y ← β1·x + (1 − β1)·z
    param.copy_(y)  # θ ← y


class ScheduleFreeAdamW(ScratchOptimizer):
    """The `schedulefree` package's AdamWScheduleFreeReference (1.4.1): its names, defaults, state.

    Call `train()` before training steps and `eval()` before evaluating or saving: the parameters
    hold y while training and x, the average, while evaluating. It starts in eval mode, as the
    package does, and a step outside train mode raises. The step count `k`, the mode and the
    running sums are kept in each param group, so they travel in `state_dict`.

    x averages the z's with weights w_k = kʳ·lr_maxᵖ (p is weight_lr_power, lr_max the largest
    lr so far); with warmup_steps the lr rises linearly over the first steps. Unlike the package,
    it checks its arguments, prints nothing on a switch and has no `foreach` (ignored there).
    Keras 3.15.1's ScheduleFreeAdamW is another algorithm on the torch backend: the three
    differences are shown in tests/test_optim_modern.py.
    """

    update = staticmethod(schedule_free_adamw_update)

    def __init__(
        self,
        params,
        lr=0.0025,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        warmup_steps=0,
        r=0,
        weight_lr_power=2,
        decay_at_z=False,
        foreach=False,  # accepted and ignored, as the package does
    ):
        check_adam_family(lr, betas, eps, weight_decay)
        require(
            isinstance(warmup_steps, int) and 0 <= warmup_steps,
            f"Invalid warmup_steps value: {warmup_steps} (an integer >= 0)",
        )
        require(0.0 <= r, f"Invalid r value: {r} (r >= 0)")
        require(0.0 <= weight_lr_power, f"Invalid weight_lr_power value: {weight_lr_power}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            r=r,
            k=0,
            warmup_steps=warmup_steps,
            train_mode=False,
            weight_sum=0.0,
            lr_max=-1.0,
            scheduled_lr=0.0,
            weight_lr_power=weight_lr_power,
            decay_at_z=decay_at_z,
            weight_decay=weight_decay,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def _switch(self, train_mode: bool, sequence: str) -> None:
        for group in self.param_groups:
            if group["train_mode"] != train_mode:
                for p in group["params"]:
                    state = self.state[p]
                    if sequence in state:
                        p.copy_(state[sequence])  # θ ← y (train) or x (eval)
                group["train_mode"] = train_mode

    def train(self) -> None:
        self._switch(True, "y")

    def eval(self) -> None:
        self._switch(False, "x")

    def init_state(self, p, group):
        return dict(z=p.clone(), exp_avg_sq=torch.zeros_like(p), x=p.clone(), y=p.clone())

    @staticmethod
    def weight(group: dict) -> float:
        return group["k"] ** group["r"] * group["lr_max"] ** group["weight_lr_power"]  # w_k

    def advance(self, group: dict) -> None:
        """Count the step and update the group's lr_max and weight_sum, once per group and step."""
        k = group["k"] = group["k"] + 1
        warmup = min(1.0, k / group["warmup_steps"]) if group["warmup_steps"] else 1.0
        group["scheduled_lr"] = group["lr"] * warmup  # lr·min(1, k/warmup_steps)
        group["lr_max"] = max(group["scheduled_lr"], group["lr_max"])
        group["weight_sum"] += self.weight(group)  # Σ w

    def hyperparameters(self, group):
        keys = ("betas", "eps", "weight_decay", "decay_at_z", "k")
        return dict(
            lr=group["scheduled_lr"],
            ckp1=self.weight(group) / group["weight_sum"] if group["weight_sum"] else 0.0,  # w_k/Σw
            **{key: group[key] for key in keys},
        )

    @torch.no_grad()
    def step(self, closure=None):
        if not self.param_groups[0]["train_mode"]:
            raise RuntimeError(
                "Optimizer was not in train mode when step is called. "
                "Please insert .train() and .eval() calls on the optimizer."
            )
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            self.advance(group)
        super().step()
        return loss
