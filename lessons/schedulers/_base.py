"""What every scheduler twin shares: torch's LRScheduler mechanics in a few lines.

Our own small base, not a subclass of ``torch.optim.lr_scheduler.LRScheduler``. It keeps the
attribute and method names torch's ``SequentialLR`` and ``ChainedScheduler`` use (``optimizer``,
``last_epoch``, ``_initial_step``, ``_update_lr``, ``get_last_lr``), so those accept our twins and
ours accept torch's. It wraps ``optimizer.step`` exactly as torch does, so the twins warn when
torch's warn about the call order; ``get_lr()`` called outside ``step()`` warns, as torch's does
(``get_last_lr()`` gives the last lr). The optimizer is used through ``optimizer.param_groups``,
``optimizer.step`` and ``optimizer.defaults`` (for momentum cycling).

Departures from torch: lrs must be Python numbers (torch also takes Tensor lrs, for
``torch.compile``: use torch's schedulers there); ``step(epoch)`` with a fractional epoch raises
``ValueError`` (steps are whole numbers) except in CosineAnnealingWarmRestarts, which takes one.
"""

import functools
import types
import warnings
import weakref

from torch import Tensor
from torch.optim.lr_scheduler import EPOCH_DEPRECATION_WARNING

from lessons.schedules.arguments import require

OPTIMIZER_STEP_REPLACED = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
SCHEDULER_STEP_FIRST = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
GET_LR_OUTSIDE_STEP = (
    "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
)


def check_optimizer(optimizer):
    if not hasattr(optimizer, "param_groups"):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def format_param(name, optimizer, param):
    """One value per param group: a list is checked for length, a scalar is repeated."""
    if isinstance(param, list | tuple):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has {len(optimizer.param_groups)}."
            )
        return list(param)
    return [param] * len(optimizer.param_groups)


def lambdas_per_group(optimizer, lr_lambda):
    """One function per param group, as LambdaLR and MultiplicativeLR take them."""
    if not isinstance(lr_lambda, list | tuple):
        return [lr_lambda] * len(optimizer.param_groups)
    if len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(
            f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
        )
    return list(lr_lambda)


def _saved_functions(fns):
    """torch saves a user's callable object by its ``__dict__``, a plain function not at all."""
    fns = fns if isinstance(fns, list) else [fns]
    return [
        None if fn is None or isinstance(fn, types.FunctionType) else vars(fn).copy() for fn in fns
    ]


def track_optimizer_steps(optimizer):
    """torch's wrapper (same attribute names, so torch's schedulers and ours share one):
    ``optimizer.step`` sets ``optimizer._opt_called = True``. A weak reference avoids a cycle."""
    if hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        return
    optimizer_ref, step = weakref.ref(optimizer), optimizer.step.__func__

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        opt = optimizer_ref()
        opt._opt_called = True
        return step.__get__(opt, opt.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper


def warn_on_call_order(optimizer):
    """At the first ``step()`` after construction: warn if ``optimizer.step`` was replaced since,
    or has not been called yet (so the schedule's first value is never used)."""
    if not hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        warnings.warn(OPTIMIZER_STEP_REPLACED, UserWarning, stacklevel=3)
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn(SCHEDULER_STEP_FIRST, UserWarning, stacklevel=3)


def set_momentum(group, use_beta1, momentum):
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class LRScheduler:
    """Construction records each group's ``initial_lr`` (kept if already there) as ``base_lrs``,
    then performs one step: ``last_epoch`` goes from -1 to 0 and the lr becomes the value at t = 0.
    That first step also checks the arguments: if it raises, no group has changed.

    The hooks a subclass writes, all about step t = ``last_epoch``:

    - ``closed_form_lr()``: each group's lr at t, from ``base_lrs`` (the curve);
    - ``recursive_lr()``: each group's lr after one step from the groups' current lrs; by default
      the closed form (the chainable twins scale the current lr instead, as torch's do);
    - ``momentum()``: each group's momentum (or beta1) at t, for schedulers that cycle it.

    ``step()`` -> ``update_groups()`` -> (``recursive_lr()`` or ``closed_form_lr()``) ->
    ``set_groups()`` is the one path to the groups. ``get_lr()`` called outside ``step()`` warns,
    as torch's does.
    """

    _functions = ()  # attributes holding user callables, saved as torch saves them
    _get_lr_called_within_step = False
    use_beta1 = False  # momentum() goes to betas[0] instead of momentum (Adam-like optimizers)

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            require(
                not isinstance(group["lr"], Tensor),
                f"param_groups[{i}]['lr']",
                group["lr"],
                "a Python number for lessons.schedulers (torch.optim.lr_scheduler takes Tensors)",
            )
            if last_epoch != -1 and "initial_lr" not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                    "scheduler with last_epoch >= 0.\n"
                    "This typically happens when:\n"
                    "1. You're trying to resume training from a checkpoint but haven't properly "
                    "loaded the optimizer state\n"
                    "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
                )
        self.base_lrs = [group.get("initial_lr", group["lr"]) for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()
        for group, base_lr in zip(optimizer.param_groups, self.base_lrs, strict=True):
            group.setdefault("initial_lr", base_lr)
        track_optimizer_steps(optimizer)

    def _initial_step(self):
        """torch's name: its SequentialLR calls it to restart a part."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch=None):
        if self._step_count == 1:
            warn_on_call_order(self.optimizer)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.update_groups(epoch)

    def update_groups(self, epoch=None):
        """One step on (``epoch`` None), or a jump to ``epoch`` by the closed form; then write
        the groups. Nothing is written if computing the new values raises."""
        self._get_lr_called_within_step = True
        last_epoch = self.last_epoch
        try:
            self.last_epoch = last_epoch + 1 if epoch is None else epoch
            lrs = self.recursive_lr() if epoch is None else self.closed_form_lr()
            momenta = self.momentum()
        except BaseException:
            self.last_epoch = last_epoch
            raise
        finally:
            self._get_lr_called_within_step = False
        self.set_groups(lrs, momenta)

    _update_lr = update_groups  # torch's name: its SequentialLR calls scheduler._update_lr(0)

    def set_groups(self, lrs, momenta=None):
        """Write each group's lr (and momentum, or beta1), and remember the lrs."""
        for i, (group, lr) in enumerate(zip(self.optimizer.param_groups, lrs, strict=True)):
            group["lr"] = lr
            if momenta is not None:
                set_momentum(group, self.use_beta1, momenta[i])
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def closed_form_lr(self):
        raise NotImplementedError

    def recursive_lr(self):
        return self.closed_form_lr()

    def momentum(self):
        return None

    def get_lr(self):
        """torch's: the lrs one step reaches; outside ``step()`` it warns, as torch's does."""
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_OUTSIDE_STEP, UserWarning, stacklevel=2)
        return self.recursive_lr()

    def get_last_lr(self):
        return self._last_lr

    def state_dict(self):
        state = {k: v for k, v in vars(self).items() if k != "optimizer"}
        state.update({name: _saved_functions(getattr(self, name)) for name in self._functions})
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = {name: state.pop(name) for name in self._functions}
        self.__dict__.update(state)
        for name, dicts in saved.items():
            fns = getattr(self, name)
            for fn, fields in zip(fns if isinstance(fns, list) else [fns], dicts, strict=True):
                if fields is not None:
                    vars(fn).update(fields)
