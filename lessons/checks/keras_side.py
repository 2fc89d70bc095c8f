"""Checks for notebook 07, PyTorch next to Keras: translate Keras's conventions into torch's."""

import math

import numpy as np

from lessons import schedules
from lessons.checks import call, exercise, number, shown
from lessons.checks.scheduling import first_difference, lr_timeline

__all__ = ["check_piecewise", "check_cosine_decay", "check_adam_eps", "check_plateau_patience"]


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


LOSSES = [1.0, 0.8, 0.81, 0.82, 0.83, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76]


def _keras_plateau_lrs(patience):
    """Keras's ReduceLROnPlateau driven by hand over ``LOSSES``: the lr of each epoch."""
    from types import SimpleNamespace

    from lessons.keras_backend import keras

    optimizer = keras().optimizers.SGD(learning_rate=1.0)
    callback = keras().callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=0.5, patience=patience
    )
    callback.set_model(SimpleNamespace(optimizer=optimizer))
    callback.on_train_begin()
    lrs = []
    for epoch, loss in enumerate(LOSSES):
        lrs.append(float(optimizer.learning_rate))
        callback.on_epoch_end(epoch, {"val_loss": loss})
    return np.array(lrs)


def _torch_plateau_lrs(patience):
    import torch

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=0.5, patience=patience, threshold_mode="abs"
    )
    lrs = []
    for loss in LOSSES:
        lrs.append(optimizer.param_groups[0]["lr"])
        scheduler.step(loss)
    return np.array(lrs)


@exercise("Exercise 4: ReduceLROnPlateau's patience in torch")
def check_plateau_patience(torch_patience):
    """``torch_patience(keras_patience)`` -> the torch ``patience`` that reduces when Keras does."""
    for keras_patience in (1, 3):
        patience = call(torch_patience, keras_patience)
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 0:
            return (
                f"torch_patience({keras_patience}) should be a whole number >= 0; got {patience!r}."
            )
        keras_lrs, torch_lrs = _keras_plateau_lrs(keras_patience), _torch_plateau_lrs(patience)
        epoch = first_difference(torch_lrs, keras_lrs)
        if epoch is not None:
            return (
                f"with Keras patience={keras_patience} and torch patience={patience}, the lrs part "
                f"at epoch {epoch}: Keras {keras_lrs[epoch]:g}, torch {torch_lrs[epoch]:g}. "
                "Count how many epochs without improvement each waits before reducing."
            )
    return None
