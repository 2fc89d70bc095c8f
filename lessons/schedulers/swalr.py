"""SWALR, the twin of ``torch.optim.swa_utils.SWALR``: anneal each group's lr to ``swa_lr``.

Used for stochastic weight averaging: after the usual schedule, the lr goes from where it is to a
constant ``swa_lr`` over ``anneal_epochs`` steps and stays there (``swalr`` is the curve).
"""

from lessons import schedules
from lessons.schedulers._base import LRScheduler, check_optimizer, format_param


class SWALR(LRScheduler):
    """lr = swa_lr a_t + lr_0 (1 - a_t), a_t the annealing fraction after t steps: ``swalr``.

    As in torch, each step recovers lr_0 from the current lr and the previous fraction, so an lr set
    from outside is annealed from, and t counts ``step()`` calls (``_step_count``), not
    ``last_epoch``; ``step(epoch)`` steps once. Each group keeps its ``swa_lr``.

    Departure from torch: the arguments are checked before ``swa_lr`` is written to the groups, so
    a rejected construction changes nothing.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        check_optimizer(optimizer)
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        self._anneal_strategy, self.anneal_epochs = anneal_strategy, anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _fraction(self, step):
        """a after ``step`` steps (torch takes anneal_epochs = 0 as one step, made at once)."""
        A = max(1, self.anneal_epochs)
        return float(schedules.swalr(max(step, 0), 0.0, 1.0, A, self._anneal_strategy))

    def recursive_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        before, now = self._fraction(step - 1), self._fraction(step)
        lrs = []
        for group in self.optimizer.param_groups:
            lr, swa_lr = group["lr"], group["swa_lr"]
            # lr_0 = (lr - a_{t-1} swa_lr) / (1 - a_{t-1}), or swa_lr once there
            start = swa_lr if before == 1 else (lr - before * swa_lr) / (1 - before)
            lrs.append(swa_lr * now + start * (1 - now))
        return lrs

    closed_form_lr = recursive_lr  # torch has none: step(epoch) steps once
