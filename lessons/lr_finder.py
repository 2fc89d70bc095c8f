"""A learning-rate range test (Smith, 2017; fast.ai's ``lr_find``), written from scratch.

Train for ``num_steps`` minibatches while the lr grows geometrically from ``start_lr`` to
``end_lr``; record the loss, smoothed; stop once it blows up. The loss falls fastest somewhere
below the lr where it bottoms out: the suggestion is that lr divided by 10. The model and the
optimizer are left as they were, so the real run starts from the same weights.
"""

import copy
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

__all__ = ["RangeTest", "lr_range_test"]


class RangeTest(NamedTuple):
    lrs: list
    losses: list  # smoothed
    suggestion: float


def lr_range_test(
    model,
    optimizer,
    X,
    y,
    start_lr=1e-5,
    end_lr=10.0,
    num_steps=100,
    batch_size=64,
    beta=0.9,
    diverge=4.0,
    seed=0,
    loss_fn=F.cross_entropy,
):
    """Range-test ``optimizer`` on ``model`` over minibatches of ``(X, y)``; ``model`` and
    ``optimizer`` are restored afterwards.

    Step t uses lr = start_lr·γᵗ, γ chosen so the last step uses ``end_lr``. ``beta`` smooths the
    loss (an EMA); the test stops once the smoothed loss exceeds ``diverge`` times its best.
    Returns the lrs, the smoothed losses and the suggestion (the lr of the lowest loss / 10).
    """
    _check(start_lr, end_lr, num_steps, beta, diverge)
    saved = copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())
    gamma = (end_lr / start_lr) ** (1 / (num_steps - 1))  # lr_t = start_lr·γᵗ
    generator = torch.Generator().manual_seed(seed)
    batches = []
    lrs, losses, avg, best = [], [], 0.0, math.inf
    for t in range(num_steps):
        if not batches:
            batches = list(torch.randperm(len(X), generator=generator).split(batch_size))
        batch = batches.pop(0)
        lr = start_lr * gamma**t
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = loss_fn(model(X[batch]), y[batch])
        avg = beta * avg + (1 - beta) * loss.item()  # an EMA of the loss ...
        smoothed = avg / (1 - beta ** (t + 1))  # ... without its bias towards 0
        if not math.isfinite(smoothed) or smoothed > diverge * best:
            break
        lrs.append(lr)
        losses.append(smoothed)
        best = min(best, smoothed)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.load_state_dict(saved[0])
    optimizer.load_state_dict(saved[1])
    if not lrs:
        raise ValueError(
            f"The loss is not finite at the first step (start_lr={start_lr}), before any update: "
            "check the model, X, y and loss_fn"
        )
    return RangeTest(lrs, losses, suggestion=lrs[losses.index(min(losses))] / 10)


def _check(start_lr, end_lr, num_steps, beta, diverge):
    if not 0.0 < start_lr < end_lr:
        raise ValueError(
            f"Invalid start_lr, end_lr: {start_lr}, {end_lr}; expected 0 < start < end"
        )
    if num_steps < 2:
        raise ValueError(f"Invalid num_steps: {num_steps}; expected num_steps >= 2")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"Invalid beta: {beta}; expected 0 <= beta < 1")
    if not diverge > 1.0:
        raise ValueError(f"Invalid diverge: {diverge}; expected diverge > 1")
