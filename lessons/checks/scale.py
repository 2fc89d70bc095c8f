"""Checks for notebook 09, optimizers at scale: the bytes a rank holds, and who holds what."""

import math

import torch

from lessons.checks import call, exercise, number
from lessons.distributed.bill import bill
from lessons.distributed.zero import partition

__all__ = ["check_prediction", "check_bytes_per_param", "check_assignment", "RANKS"]

RANKS = 8


def _truth(stage: int, world_size: int, state: float) -> float:
    """Mixed precision: 2 B weights, 2 B gradients, 4 B master copy + `state` B, per parameter;
    stage 1 shards the last two, stage 2 the gradients too, stage 3 everything."""
    weights, grads, optimizer = 2.0, 2.0, 4.0 + state
    sharded = {0: 0.0, 1: optimizer, 2: grads + optimizer, 3: weights + grads + optimizer}[stage]
    return weights + grads + optimizer - sharded + sharded / world_size


def _adam_state() -> float:
    """Adam's state per parameter, measured (its 0-dim step counters rounded away)."""
    return round(bill(torch.optim.Adam, mixed=True)["optimizer state"], 2)


@exercise(f"Exercise 1: predict a ZeRO-1 rank's bill at {RANKS} ranks")
def check_prediction(prediction):
    """``prediction``: bytes per parameter on one of RANKS ranks; mixed-precision Adam, ZeRO-1."""
    if number(prediction) is None:
        return f"write your prediction as a number of bytes per parameter, not {prediction!r}."
    right = _truth(1, RANKS, _adam_state())
    if math.isclose(prediction, right):
        return None
    for stage, meaning in ((0, "nothing sharded: that is DDP"), (3, "everything sharded: ZeRO-3")):
        if math.isclose(prediction, _truth(stage, RANKS, _adam_state())):
            return f"{prediction:g} B is {meaning}. Stage 1 shards the optimizer's part only."
    return (
        f"{prediction:g} B is not it. Add the lines a rank keeps whole (weights, gradients) to "
        f"its 1/{RANKS} of the rest (master copy and Adam's two moments)."
    )


@exercise("Exercise 2: bytes per parameter on each rank")
def check_bytes_per_param(bytes_per_param):
    """``bytes_per_param(stage, world_size, state)`` for mixed precision with an optimizer that
    keeps ``state`` bytes per parameter in float32, ZeRO ``stage`` 0 (DDP) to 3."""
    for name, state in (("SGD with momentum", 4.0), ("Adam", _adam_state()), ("plain SGD", 0.0)):
        for stage in range(4):
            for world_size in (1, 2, 4, 64):
                got = call(bytes_per_param, stage, world_size, state)
                right = _truth(stage, world_size, state)
                if not isinstance(got, int | float) or not math.isclose(got, right):
                    return (
                        f"{name} ({state:g} B of state), stage {stage}, {world_size} ranks: you "
                        f"give {got!r} B per parameter; a rank holds {right:g} B."
                        + (" Did you forget the 4 B float32 master copy?" if stage < 3 else "")
                    )
    return None


@exercise("Exercise 3: torch's assignment of parameters to ranks")
def check_assignment(assign):
    """``assign(numels, world_size)`` -> the rank of each tensor, given their element counts
    (one parameter group), as torch's ZeroRedundancyOptimizer deals them out."""
    cases = [([16384, 256, 65536, 256, 2560, 10], 4), ([5, 5, 5], 2), ([3, 7, 7, 1], 3)]
    for numels, world_size in cases:
        tensors = [torch.empty(n) for n in numels]
        shards = partition([{"params": tensors}], world_size)
        right = [
            next(r for r in range(world_size) if any(t is p for p in shards[r][0]["params"]))
            for t in tensors
        ]
        got = call(assign, list(numels), world_size)
        if not isinstance(got, list | tuple) or len(got) != len(numels):
            return f"return a list of {len(numels)} ranks, one per tensor; got {got!r}."
        if list(got) != right:
            return (
                f"for sizes {numels} on {world_size} ranks you give ranks {list(got)}; torch gives "
                f"{right}: largest first (equal sizes keep their order: a stable sort), each to "
                "the rank holding the fewest elements so far, ties to the lowest rank."
            )
    return None
