"""What every scheduler twin shares: torch's LRScheduler mechanics in a few lines.

Our own small base, not a subclass of ``torch.optim.lr_scheduler.LRScheduler``: torch's carries
call-order warnings, Tensor-lr handling and a patched ``optimizer.step`` that teach nothing here.
It keeps the attribute and method names torch's ``SequentialLR`` and ``ChainedScheduler`` use
(``optimizer``, ``last_epoch``, ``_initial_step``, ``_update_lr``, ``get_last_lr``), so those accept
our twins and ours accept torch's. The optimizer is used only through ``optimizer.param_groups``
(and ``optimizer.defaults`` for momentum cycling); lrs are Python floats, not Tensors.
"""

import types
import warnings

from torch.optim.lr_scheduler import EPOCH_DEPRECATION_WARNING


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


class LRScheduler:
    """Construction records each group's ``initial_lr`` (kept if already there) as ``base_lrs``,
    then performs one step: ``last_epoch`` goes from -1 to 0 and the lr becomes the value at t = 0.

    A subclass gives ``_lr_at(t, i)``, group i's lr at step t in closed form, or its own ``get_lr``.
    """

    _functions = ()  # attributes holding user callables, saved as torch saves them

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        for i, group in enumerate(optimizer.param_groups):
            if "initial_lr" not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                    "scheduler with last_epoch >= 0.\n"
                    "This typically happens when:\n"
                    "1. You're trying to resume training from a checkpoint but haven't properly "
                    "loaded the optimizer state\n"
                    "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch=None):
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """One step on (``epoch`` None), or a jump to ``epoch`` by the closed form."""
        if epoch is None:
            self.last_epoch += 1
            self._set_lrs(self.get_lr())
        else:
            self.last_epoch = epoch
            self._set_lrs(self._closed_form_lr())

    def _set_lrs(self, values):
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _lr_at(self, t, i):
        raise NotImplementedError

    def get_lr(self):
        """The closed form from ``base_lrs``; the chainable twins use torch's recursion instead."""
        return [self._lr_at(self.last_epoch, i) for i in range(len(self.base_lrs))]

    def _closed_form_lr(self):
        return self.get_lr()

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
