"""Checks for notebook 06, schedulers; ``lr_timeline`` also serves notebook 07's checks."""

import copy
import math
import warnings

import numpy as np
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, StepLR

from lessons import schedules
from lessons.checks import Wrong, call, exercise
from lessons.schedulers.timeline import dummy_optimizer, record

__all__ = [
    "lr_timeline",
    "first_difference",
    "check_warmup_lambda",
    "check_warmup_cosine",
    "check_resume",
    "check_epoch_stepping",
]


def lr_timeline(make_scheduler, base_lr, steps, optimizer=None):
    """The lr an SGD optimizer (lr ``base_lr``, or ``optimizer``) uses at each of ``steps`` steps
    under the learner's ``make_scheduler(optimizer)``, stepped after every ``optimizer.step()``."""
    if optimizer is None:
        optimizer = dummy_optimizer([base_lr])
    scheduler = call(make_scheduler, optimizer)
    try:  # a wrong return value of step() is the learner's error, not ours
        lrs = record(optimizer, lambda: call(lambda: scheduler.step()), steps)["lr"][:, 0]
    except ValueError as not_a_number:  # an lr the learner's scheduler wrote
        raise Wrong(str(not_a_number)) from not_a_number
    return lrs


def first_difference(yours, right, rtol=1e-6, atol=1e-12):
    """The first index where two timelines part, or None."""
    differs = ~np.isclose(yours, right, rtol=rtol, atol=atol)
    return int(np.argmax(differs)) if differs.any() else None


WARMUP, TOTAL, BASE_LR = 10, 100, 0.1


@exercise("Exercise 1: a warmup lambda for LambdaLR")
def check_warmup_lambda(lr_lambda):
    """``lr_lambda(step)``: the factor of LambdaLR that warms up linearly over WARMUP steps, from
    1/WARMUP at step 0 to 1 at step WARMUP - 1, then holds 1."""
    yours = lr_timeline(lambda opt: LambdaLR(opt, lr_lambda), BASE_LR, 3 * WARMUP)
    right = BASE_LR * np.minimum(1.0, (np.arange(3 * WARMUP) + 1) / WARMUP)
    t = first_difference(yours, right)
    if t is None:
        return None
    if yours[0] == 0:
        return (
            "your first step has lr 0, so it is wasted: the factor at step 0 should be "
            f"1/{WARMUP}. Use (step + 1) / {WARMUP}."
        )
    return f"at step {t} your lr is {yours[t]:.4g}; it should be {right[t]:.4g}."


@exercise("Exercise 2: warmup then cosine with SequentialLR")
def check_warmup_cosine(make_scheduler):
    """``make_scheduler(optimizer)`` equals ``schedules.warmup_cosine(t, BASE_LR, WARMUP, TOTAL)``
    (start_factor 1e-3) at every step up to TOTAL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SequentialLR's own deprecated epoch call
        yours = lr_timeline(make_scheduler, BASE_LR, TOTAL + 1)
    right = schedules.warmup_cosine(np.arange(TOTAL + 1), BASE_LR, WARMUP, TOTAL)
    t = first_difference(yours, right)
    if t is None:
        return None
    if t < WARMUP:
        return (
            f"the warmup differs at step {t} (yours {yours[t]:.4g}, expected {right[t]:.4g}): "
            f"LinearLR(optimizer, start_factor=1e-3, total_iters={WARMUP})."
        )
    if not math.isclose(yours[TOTAL], 0.0, abs_tol=1e-12) and t > WARMUP:
        return (
            f"the cosine differs from step {t} and does not reach 0 at step {TOTAL}: after "
            f"the warmup only {TOTAL - WARMUP} steps are left, so T_max = {TOTAL - WARMUP}."
        )
    return (
        f"at step {t} your lr is {yours[t]:.4g}, expected {right[t]:.4g}: switch from the "
        f"warmup to the cosine with milestones=[{WARMUP}]."
    )


@exercise("Exercise 3: resume a scheduler")
def check_resume(resume):
    """``resume(optimizer, optimizer_state, scheduler_state)`` -> a CosineAnnealingLR(T_max=50)
    that continues where the saved one stopped, on a fresh optimizer with lr BASE_LR."""

    optimizer = dummy_optimizer([BASE_LR])
    scheduler = CosineAnnealingLR(optimizer, T_max=50)
    record(optimizer, scheduler.step, 20)
    saved = copy.deepcopy((optimizer.state_dict(), scheduler.state_dict()))
    right = record(optimizer, scheduler.step, 10)["lr"][:, 0]
    new = dummy_optimizer([BASE_LR])
    resumed = call(resume, new, *saved)
    if getattr(resumed, "last_epoch", None) == 21:
        return (
            "your scheduler is one step ahead (last_epoch 21, saved at 20): constructing a "
            "scheduler takes a step, so last_epoch=20 resumes at 21. Build it plainly and "
            "load_state_dict the saved state."
        )
    yours = lr_timeline(lambda _: resumed, BASE_LR, 10, optimizer=new)
    t = first_difference(yours, right)
    if t is None:
        return None
    return (
        f"at resumed step {t} your lr is {yours[t]:.4g}, expected {right[t]:.4g}. Load both "
        "saved states: the optimizer's holds the current lr, the scheduler's its position."
    )


@exercise("Exercise 4: step the scheduler once per epoch")
def check_epoch_stepping(train, epochs=5, batches_per_epoch=3):
    """``train(optimizer, scheduler, epochs, batches_per_epoch)`` -> the lr of every batch, with
    ``optimizer.step()`` per batch and ``scheduler.step()`` once per epoch."""
    optimizer = dummy_optimizer([0.1])
    scheduler = StepLR(optimizer, step_size=2, gamma=0.1)
    lrs = call(train, optimizer, scheduler, epochs, batches_per_epoch)
    right = [0.1 * 0.1 ** (epoch // 2) for epoch in range(epochs) for _ in range(batches_per_epoch)]
    try:
        yours = np.asarray(lrs, dtype=float)
    except (TypeError, ValueError):
        return f"return the list of the {len(right)} lrs, one per batch; got {lrs!r}."
    if yours.shape != (len(right),):
        return f"return the list of the {len(right)} lrs, one per batch; got {lrs!r}."
    index = first_difference(yours, np.array(right))
    if index is None:
        return None
    if index == 2:
        return (
            "the lr fell after two batches: scheduler.step() still runs once per batch, but "
            "StepLR(step_size=2) counts epochs here. Move it out of the batch loop."
        )
    epoch = index // batches_per_epoch
    return f"at batch {index} (epoch {epoch}) the lr is {yours[index]:g}, not {right[index]:g}."
