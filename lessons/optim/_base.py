"""What every from-scratch optimizer shares: torch's checks, the step loop, lazy state."""

import functools
import inspect

import torch
from torch import Tensor
from torch.optim import Optimizer


def require(ok, message: str) -> None:
    """Raise torch's ValueError when a constructor argument fails its check."""
    if not ok:
        raise ValueError(message)


def check_lr(lr) -> None:
    require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
    require(0.0 <= lr, f"Invalid learning rate: {lr}")


def check_betas(betas) -> None:
    for index, beta in enumerate(betas):
        require(0.0 <= beta < 1.0, f"Invalid beta parameter at index {index}: {beta}")


def check_adam_family(lr, betas, eps, weight_decay) -> None:
    """The checks Adam, AdamW, Adamax, NAdam and RAdam share, in torch's order."""
    check_lr(lr)
    require(0.0 <= eps, f"Invalid epsilon value: {eps}")
    check_betas(betas)
    require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


@functools.cache
def keyword_names(update) -> tuple[str, ...]:
    """The hyperparameters an update function takes: its keyword-only arguments."""
    parameters = inspect.signature(update).parameters.values()
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def scalar_state(value: float) -> Tensor:
    """A 0-dim `step` or `mu_product`: float32, or float64 when that is torch's default dtype."""
    double = torch.get_default_dtype() == torch.float64
    return torch.tensor(value, dtype=torch.float64 if double else torch.float32)


class ScratchOptimizer(Optimizer):
    """torch.optim.Optimizer plus the loop the twins share.

    A subclass names its update function, `update(param, grad, **state, **hyperparameters)`, and
    gives `init_state(p, group)`, the state a parameter gets before its first step (torch's keys).
    The hooks a reader overrides are public: `init_state`, `hyperparameters(group)` (what the
    update is given, read from the group afresh at every step, so schedulers and manual edits
    apply) and `step_param(p, group)` (one parameter's step).
    """

    update = None

    def init_state(self, p: Tensor, group: dict) -> dict:
        raise NotImplementedError

    def _state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if not state:
            state.update(self.init_state(p, group))
        return state

    def hyperparameters(self, group: dict) -> dict:
        return {name: group[name] for name in keyword_names(self.update)}

    def step_param(self, p: Tensor, group: dict) -> None:
        self.update(p, p.grad, **self._state(p, group), **self.hyperparameters(group))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                require(not p.is_complex(), "complex parameters are not supported; use torch.optim")
                self.step_param(p, group)
        return loss
