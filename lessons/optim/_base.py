"""What every from-scratch optimizer shares: torch's checks, the step loop, lazy state."""

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


def scalar_state(value: float) -> Tensor:
    """A 0-dim `step` or `mu_product`: float32, or float64 when that is torch's default dtype."""
    double = torch.get_default_dtype() == torch.float64
    return torch.tensor(value, dtype=torch.float64 if double else torch.float32)


class ScratchOptimizer(Optimizer):
    """torch.optim.Optimizer plus the loop the twins share; a subclass gives the two methods below.

    `_init_state(p, group)` returns the state a parameter gets before its first step (torch's keys);
    `_update(p, group)` calls the family's update function with `self._state(p, group)` and the
    group's hyperparameters, read afresh at every step so schedulers and manual edits apply.
    """

    def _init_state(self, p: Tensor, group: dict) -> dict:
        raise NotImplementedError

    def _update(self, p: Tensor, group: dict) -> None:
        raise NotImplementedError

    def _state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if not state:
            state.update(self._init_state(p, group))
        return state

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
                self._update(p, group)
        return loss
