"""SequentialLR and ChainedScheduler: schedulers run one after another, or all at every step.

Both accept our twins and torch's schedulers alike (they use only ``optimizer``, ``step``,
``last_epoch``, ``_initial_step``, ``_update_lr`` and ``get_last_lr``).
"""

from bisect import bisect_right

from torch.optim import lr_scheduler as torch_schedulers

from lessons.schedulers._base import LRScheduler
from lessons.schedulers.plateau import ReduceLROnPlateau


class _Composite(LRScheduler):
    """Checks the parts (torch's messages) and saves their states inside its own.

    An LRScheduler, as torch's composites are, but like theirs it skips LRScheduler.__init__:
    the parts have already recorded initial_lr and taken the first step.
    """

    def _check(self, schedulers, optimizer, expects):
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(
                f"{name} expects at least one scheduler{expects}, but got no scheduler."
            )
        for i, scheduler in enumerate(schedulers):
            if not hasattr(scheduler, "optimizer"):
                raise TypeError(f"{name} at index {i} should have `optimizer` as its attribute.")
            if isinstance(scheduler, ReduceLROnPlateau | torch_schedulers.ReduceLROnPlateau):
                raise ValueError(
                    f"{name} does not support `ReduceLROnPlateau` scheduler as it "
                    "requires additional kwargs to be specified when calling `step`, "
                    f"but got one at index {i} in the given schedulers sequence."
                )
            if optimizer != scheduler.optimizer:
                raise ValueError(
                    f"{name} expects all schedulers to belong to the same optimizer, but "
                    f"got scheduler {type(scheduler).__name__} at index {i} has "
                    f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}."
                )
        self._schedulers, self.optimizer = schedulers, optimizer

    def state_dict(self):
        state = {k: v for k, v in vars(self).items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        for scheduler, saved in zip(self._schedulers, state.pop("_schedulers"), strict=True):
            scheduler.load_state_dict(saved)
        self.__dict__.update(state)


def _undo_initial_step(scheduler):
    """Take back the step each part made when it was built (nested composites included)."""
    for part in getattr(scheduler, "_schedulers", ()):
        _undo_initial_step(part)
    if not hasattr(scheduler, "_schedulers") and hasattr(scheduler, "last_epoch"):
        scheduler.last_epoch -= 1


class SequentialLR(_Composite):
    """schedulers[k] runs from milestones[k-1] on; it restarts at its own t = 0 when its milestone
    arrives, by the closed form from base_lrs (a warmup cut short by an early milestone stays cut).
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        self._check(schedulers, optimizer, "")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to {len(milestones)}"
            )
        self._milestones, self.last_epoch = milestones, last_epoch + 1
        # lr back to initial_lr, every part back to t = -1, then the first part's step to t = 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in schedulers:
            _undo_initial_step(scheduler)
        first = schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        self.last_epoch += 1
        k = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[k]
        if k > 0 and self._milestones[k - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Every step steps each scheduler in turn; chainable factors multiply."""

    def __init__(self, schedulers, optimizer=None):
        optimizer = optimizer or (schedulers[0].optimizer if len(schedulers) else None)
        self._check(schedulers, optimizer, " to be chained")
        self._last_lr = [g["lr"] for g in schedulers[-1].optimizer.param_groups]

    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [g["lr"] for g in self._schedulers[-1].optimizer.param_groups]
