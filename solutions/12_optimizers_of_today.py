"""Reference answers to notebook 12's exercises (for instructors)."""

import math

from torch import nn

# Adam's first step: m̂ = g and v̂ = g², so m̂/(√v̂ + eps) = sign(g), up to eps: the same as Lion's
predicted = {"Lion": 1.0, "Adam": 1.0}


def ns_step(X, a, b, c):
    A = X @ X.T  # A = X·Xᵀ
    return a * X + (b * A + c * A @ A) @ X  # X ← a·X + (b·A + c·A²)·X


def state_numel(shape):
    if len(shape) < 2:
        return math.prod(shape)  # a vector keeps its full v
    rows = math.prod(shape[:-1])  # R: one per row of every matrix in the stack
    cols = math.prod(shape[:-2]) * shape[-1]  # C: one per column of every matrix
    return rows + cols


def split(model):
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    hidden = {id(m.weight) for m in linears[:-1]}  # the last Linear is the head
    muon = [p for p in model.parameters() if id(p) in hidden]
    adamw = [p for p in model.parameters() if id(p) not in hidden]
    return muon, adamw
