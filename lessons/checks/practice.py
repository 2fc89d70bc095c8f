"""Checks for notebook 08, the loop in practice: a predicted ratio, an accumulation step, and the
order of scaling, unscaling, clipping and stepping."""

import math

import torch
import torch.nn.functional as F

from lessons.checks import call, exercise, number
from lessons.data import digits
from lessons.models import mlp
from lessons.practice import train

__all__ = ["check_prediction", "check_accumulation_step", "check_amp_step", "first_step_ratio"]

K, BATCH = 4, 64


def _setup(optimizer_class, seed=0, **hyperparameters):
    torch.manual_seed(seed)
    model = mlp((64, 32, 10)).double()
    return model, optimizer_class(model.parameters(), **hyperparameters)


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _data():
    X, _, y, _ = digits()
    return X.double(), y


def first_step_ratio(optimizer_class, lr):
    """Size of the first step when 4 micro-batches' mean losses are summed, over its size when
    each is divided by 4 (the batch's mean gradient)."""
    X, y = _data()
    sizes = []
    for scale_loss in (False, True):
        model, optimizer = _setup(optimizer_class, lr=lr)
        start = _params(model)
        train(model, optimizer, X, y, [torch.arange(BATCH)], k=K, scale_loss=scale_loss)
        sizes.append((_params(model) - start).norm().item())
    return sizes[0] / sizes[1]


@exercise("Exercise 1: predict the step of the unscaled accumulation")
def check_prediction(predicted):
    """``predicted``: ``{"SGD": ratio, "Adam": ratio}``, the first step with the loss not divided
    by k = 4 over the first step with it divided."""
    if not (isinstance(predicted, dict) and set(predicted) == {"SGD", "Adam"}):
        return f'give a dict {{"SGD": number, "Adam": number}}; got {predicted!r}.'
    if any(number(v) is None for v in predicted.values()):
        return f"each prediction should be a finite number; got {predicted!r}."
    measured = {
        "SGD": first_step_ratio(torch.optim.SGD, lr=0.1),
        "Adam": first_step_ratio(torch.optim.Adam, lr=1e-3),
    }
    shown = ", ".join(f"{name} {ratio:.3f}" for name, ratio in measured.items())
    for name, ratio in measured.items():
        if not math.isclose(predicted[name], ratio, rel_tol=0.05):
            why = {
                "SGD": "SGD's step is lr times the gradient, and the gradient is k times larger.",
                "Adam": "Adam divides m by sqrt(v): a gradient k times larger gives the same step.",
            }[name]
            return f"measured: {shown}. Your {name} ratio is {predicted[name]}: {why}"
    return None


def _accumulate(model, optimizer, X, y, batch, k, scale=True, zero_inside=False, step_inside=False):
    """The accumulation step, right by default, or with one of the usual mistakes."""
    optimizer.zero_grad()
    for micro in batch.chunk(k):
        if zero_inside:
            optimizer.zero_grad()
        loss = F.cross_entropy(model(X[micro]), y[micro])
        (loss / k if scale else loss).backward()
        if step_inside:
            optimizer.step()
            optimizer.zero_grad()
    if not step_inside:
        optimizer.step()


MISTAKES = {
    "the gradient is k times too large: divide each micro-batch's loss by k.": [dict(scale=False)],
    "only the last micro-batch counts: zero_grad() once per batch, before the micro-batches, "
    "not inside their loop.": [dict(zero_inside=True), dict(zero_inside=True, scale=False)],
    "step once per batch, after all k micro-batches' backward().": [
        dict(step_inside=True),
        dict(step_inside=True, scale=False),
    ],
}


def _run_steps(step, batches):
    X, y = _data()
    model, optimizer = _setup(torch.optim.SGD, lr=0.1, momentum=0.9)
    for batch in batches:
        step(model, optimizer, X, y, batch, K)
    return _params(model)


@exercise("Exercise 2: fix the accumulation step")
def check_accumulation_step(accumulation_step, steps=3):
    """``accumulation_step(model, optimizer, X, y, batch, k)`` makes one optimizer step on the
    index tensor ``batch`` through ``k`` equal micro-batches; over ``steps`` batches it must equal
    SGD with momentum on the whole batches."""
    batches = list(torch.arange(steps * BATCH).split(BATCH))
    answer = _run_steps(lambda *a: call(accumulation_step, *a), batches)
    X, y = _data()
    model, optimizer = _setup(torch.optim.SGD, lr=0.1, momentum=0.9)
    train(model, optimizer, X, y, batches)  # one step per whole batch
    if torch.allclose(answer, _params(model), rtol=1e-9, atol=1e-12):
        return None
    for hint, variants in MISTAKES.items():
        for kwargs in variants:
            wrong = _run_steps(lambda *a, kw=kwargs: _accumulate(*a, **kw), batches)
            if torch.allclose(answer, wrong, rtol=1e-9, atol=1e-12):
                return hint
    gap = (answer - _params(model)).abs().max().item()
    return f"after {steps} batches your parameters differ from the large-batch run's by {gap:.3g}."


def _amp_reference(model, optimizer, scaler, loss, max_norm, clip_first=False):
    scaler.scale(loss).backward()
    if clip_first:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    scaler.unscale_(optimizer)
    if not clip_first:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    scaler.step(optimizer)
    scaler.update()


def _amp_clip_first(*args):
    _amp_reference(*args, clip_first=True)


INITIAL_SCALE = 2.0**10


def _amp_run(step, max_norm):
    """Four steps of SGD on the MLP through a GradScaler, the third with an inf in the loss."""
    X, _, y, _ = digits()
    torch.manual_seed(0)
    model = mlp((64, 32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=INITIAL_SCALE)
    for t in range(4):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[:32]), y[:32]) * (math.inf if t == 2 else 1.0)
        step(model, optimizer, scaler, loss, max_norm)
    return _params(model), scaler.get_scale()


@exercise("Exercise 3: scale, unscale, clip, step, update")
def check_amp_step(amp_step, max_norm=1.0):
    """``amp_step(model, optimizer, scaler, loss, max_norm)`` does everything after the forward
    pass: backward through the scaler, the clip at ``max_norm`` on the true gradients, the step
    (skipped on inf) and the scale's update."""
    try:
        answer, scale = _amp_run(lambda *a: call(amp_step, *a), max_norm)
    except Exception as failure:  # the answer's own crash, reported by `call`
        if "unscale_() is being called after step()" not in str(failure):
            raise
        answer, scale = None, INITIAL_SCALE
    right, right_scale = _amp_run(_amp_reference, max_norm)
    if scale == INITIAL_SCALE:
        return (
            f"the scale is still {scale:g} after the inf step: call scaler.update() after "
            "scaler.step(), so the scale halves after an overflow (and the next unscale_ works)."
        )
    if not torch.isfinite(answer).all():
        return (
            "the parameters became inf or nan: step with scaler.step(optimizer), which skips the "
            "step when the gradients are not finite, not with optimizer.step()."
        )
    if torch.allclose(answer, right, rtol=1e-6, atol=1e-7) and scale == right_scale:
        return None
    if torch.allclose(answer, _amp_run(_amp_clip_first, max_norm)[0], rtol=1e-6, atol=1e-7):
        return (
            "you clipped the scaled gradients (scale times too large), so the true gradients "
            "were cut to max_norm / scale: call scaler.unscale_(optimizer) before clipping."
        )
    gap = (answer - right).abs().max().item()
    return f"after 4 steps your parameters differ from the right order's by {gap:.3g}."
