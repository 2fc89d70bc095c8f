"""Checks for notebook 07, PyTorch next to Keras: translate Keras's conventions into torch's."""

import math

import numpy as np

from lessons import schedules
from lessons.checks import call, exercise, number, shown
from lessons.checks.scheduling import first_difference, lr_timeline

__all__ = ["check_piecewise", "check_cosine_decay", "check_adam_eps", "check_plateau_epochs"]


@exercise("Exercise 1: PiecewiseConstantDecay in torch")
def check_piecewise(make_scheduler):
    """``make_scheduler(optimizer)`` (optimizer lr 0.1), stepped once per batch, gives Keras's
    ``PiecewiseConstantDecay(boundaries=[30, 60], values=[0.1, 0.01, 0.001])`` at steps 0-99."""
    yours = lr_timeline(make_scheduler, base_lr=0.1, steps=100)
    keras = schedules.piecewise_constant_decay(np.arange(100), [30, 60], [0.1, 0.01, 0.001])
    t = first_difference(yours, keras)
    if t is None:
        return None
    if t in (30, 60) and math.isclose(yours[t], keras[t] / 10):
        return (
            f"at step {t} Keras still uses {keras[t]:g}: its boundaries are inclusive "
            f"(values[i] while t <= boundaries[i]), so it switches at step {t + 1}. "
            f"Your scheduler switches at step {t}."
        )
    return f"at step {t} your lr is {yours[t]:g}; Keras's is {keras[t]:g}."


@exercise("Exercise 2: CosineDecay with alpha in torch")
def check_cosine_decay(make_scheduler):
    """``make_scheduler(optimizer)`` (optimizer lr 0.05) gives Keras's
    ``CosineDecay(0.05, decay_steps=100, alpha=0.2)`` at steps 0-149."""
    yours = lr_timeline(make_scheduler, base_lr=0.05, steps=150)
    keras = schedules.cosine_decay(np.arange(150), 0.05, decay_steps=100, alpha=0.2)
    t = first_difference(yours, keras)
    if t is None:
        return None
    if t <= 100 and math.isclose(yours[100], 0.2, rel_tol=1e-6):
        return (
            "your lr ends at 0.2, but alpha is a fraction of the initial lr: Keras ends at "
            "0.2 x 0.05 = 0.01. torch's eta_min is absolute."
        )
    if t > 100:
        return (
            f"up to step 100 you match; at step {t} your lr is {yours[t]:.4g} but Keras holds "
            f"{keras[t]:g} after decay_steps. CosineAnnealingLR is periodic and rises again: "
            "hold the end value (LambdaLR with min(t, 100), or SequentialLR into ConstantLR)."
        )
    return f"at step {t} your lr is {yours[t]:.6g}; Keras's is {keras[t]:.6g}."


def eps_hat_to_torch(epsilon, beta_2, step):
    """Keras adds epsilon to sqrt(v) before the bias correction; torch adds eps after it:
    lr·sqrt(1 - β2ᵗ)/(1 - β1ᵗ)·m/(sqrt(v) + ε) = lr/(1 - β1ᵗ)·m/(sqrt(v)/sqrt(1 - β2ᵗ) + eps)
    holds when eps = ε / sqrt(1 - β2ᵗ)."""
    return epsilon / math.sqrt(1 - beta_2**step)


@exercise("Exercise 3: Keras's Adam epsilon as torch's eps")
def check_adam_eps(torch_eps):
    """``torch_eps(epsilon, beta_2, step)``: the torch ``eps`` that makes step ``step`` of torch's
    Adam equal to Keras's Adam with ``epsilon``."""
    for epsilon, beta_2, step in ((1e-7, 0.999, 1), (1e-7, 0.999, 10), (1e-3, 0.9, 3)):
        answer = call(torch_eps, epsilon, beta_2, step)
        yours = number(answer)
        if yours is None:
            return (
                f"torch_eps({epsilon:g}, {beta_2}, {step}) should return a finite number; "
                f"got {shown(answer)}."
            )
        right = eps_hat_to_torch(epsilon, beta_2, step)
        if not math.isclose(yours, right, rel_tol=1e-9):
            if math.isclose(yours, epsilon):
                return (
                    "torch's eps is not Keras's epsilon: Keras adds it before dividing sqrt(v) "
                    "by sqrt(1 - beta_2**step), torch after, so the two differ by that factor."
                )
            return (
                f"for epsilon={epsilon:g}, beta_2={beta_2}, step={step} you give {yours}; "
                f"the step matches with eps = {right:.6g}."
            )
    return None


# notebook 07's validation losses under ReduceLROnPlateau, as printed; the notebook passes its own
VAL_LOSSES = [0.7439, 0.3715, 0.2203, 0.1788, 0.1904, 0.1571, 0.1233, 0.1236, 0.1583, 0.1203]
VAL_LOSSES += [0.1098, 0.1114]


def _keras_plateau_lrs(losses, patience):
    """Keras's ReduceLROnPlateau driven by hand over ``losses``: the lr each epoch runs at."""
    from types import SimpleNamespace

    from lessons.keras_backend import keras

    optimizer = keras().optimizers.SGD(learning_rate=1.0)
    callback = keras().callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=0.5, patience=patience
    )
    callback.set_model(SimpleNamespace(optimizer=optimizer))
    callback.on_train_begin()
    lrs = []
    for epoch, loss in enumerate(losses):
        lrs.append(float(optimizer.learning_rate))
        callback.on_epoch_end(epoch, {"val_loss": float(loss)})
    return lrs


@exercise("Exercise 4: when does ReduceLROnPlateau reduce?")
def check_plateau_epochs(reduced_epochs, val_losses=VAL_LOSSES, patience=1):
    """``reduced_epochs()`` -> the epochs (0-based) that Keras's ``ReduceLROnPlateau(patience=1)``
    runs at a lower lr than the epoch before, on ``val_losses``."""
    answer = call(reduced_epochs)
    if not isinstance(answer, list | tuple) or not all(
        isinstance(e, int) and not isinstance(e, bool) for e in answer
    ):
        return f"return a list of epoch numbers, such as [3, 7]; got {shown(answer)}."
    lrs = _keras_plateau_lrs(val_losses, patience)
    right = [epoch for epoch in range(1, len(lrs)) if lrs[epoch] < lrs[epoch - 1]]
    if sorted(answer) == right:
        return None
    no_best = [e for e in range(1, len(lrs)) if val_losses[e] >= min(val_losses[:e])]
    return (
        f"Keras lowers the lr at epochs {right}, not {sorted(answer)}. The epochs without a new "
        f"best loss are {no_best}. Keras reduces at the end of an epoch once it has counted "
        f"patience={patience} of them since the last best or the last reduction, and the next "
        "epoch runs at the lower lr."
    )
