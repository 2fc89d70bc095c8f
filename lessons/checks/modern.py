"""Checks for notebook 12, the optimizers of today: a prediction about Lion's and Adam's first
step, one Newton-Schulz iteration, Adafactor's state size, and Muon's and AdamW's groups.

Each answer is run and compared with what ``lessons.optim`` (itself checked against torch) does.
"""

import math

import torch
from torch import nn

from lessons import optim

from . import call, exercise

__all__ = [
    "check_first_step_prediction",
    "check_newton_schulz_step",
    "check_adafactor_state_numel",
    "check_muon_groups",
    "first_step_rms",
]

COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def first_step_rms(optimizer_class, lr=1e-3, seed=0):
    """RMS of the first step of ``optimizer_class`` on a random 20×30 matrix, divided by lr."""
    generator = torch.Generator().manual_seed(seed)
    p = torch.randn(20, 30, generator=generator, requires_grad=True)
    p.grad = torch.randn(20, 30, generator=generator) * torch.rand(20, 30, generator=generator)
    before = p.detach().clone()
    optimizer_class([p], lr=lr).step()
    return ((p.detach() - before).pow(2).mean().sqrt() / lr).item()


@exercise("Exercise 1: predict the size of the first step")
def check_first_step_prediction(predicted):
    """``predicted``: ``{"Lion": ratio, "Adam": ratio}``, the RMS of the first step over lr."""
    if not (isinstance(predicted, dict) and set(predicted) == {"Lion", "Adam"}):
        return f'give a dict {{"Lion": number, "Adam": number}}; got {predicted!r}.'
    measured = {"Lion": first_step_rms(optim.Lion), "Adam": first_step_rms(optim.Adam)}
    for name, ratio in predicted.items():
        if isinstance(ratio, bool) or not isinstance(ratio, int | float):
            return f"{name}: give a number; got {ratio!r}."
        if not math.isclose(ratio, measured[name], rel_tol=0.01):
            hint = (
                " On the first step m = (1 − β1)·g and v = (1 − β2)·g²: after bias correction,"
                " m̂/√v̂ = g/|g|, a sign, as Lion's."
                if name == "Adam"
                else " Lion's update is a sign: every coordinate moves by ±lr."
            )
            return f"{name}: the first step's RMS is {measured[name]:.3g}·lr, not {ratio}.{hint}"
    return None


@exercise("Exercise 2: one Newton-Schulz iteration")
def check_newton_schulz_step(ns_step):
    """``ns_step(X, a, b, c)``: X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ, in float64."""
    generator = torch.Generator().manual_seed(0)
    for shape in ((4, 6), (5, 5), (3, 8)):
        X = torch.randn(shape, generator=generator, dtype=torch.float64)
        X = X / X.norm()
        given = X.clone()
        answer = call(ns_step, X, *COEFFICIENTS)
        if not torch.equal(X, given):
            return "your function changed X in place: return a new matrix."
        if not isinstance(answer, torch.Tensor) or answer.shape != X.shape:
            return f"for a {tuple(shape)} X, return a tensor of that shape; got {answer!r}."
        a, b, c = COEFFICIENTS
        A = X @ X.T
        want = a * X + (b * A + c * A @ A) @ X
        if torch.allclose(answer, a * X + b * A @ X + c * A @ X):
            return "the c term needs A², (X·Xᵀ)·(X·Xᵀ), not A."
        if torch.allclose(answer, (b * A + c * A @ A) @ X):
            return "the a·X term is missing: X ← a·X + (b·A + c·A²)·X."
        if not torch.allclose(answer, want, rtol=1e-9, atol=1e-12):
            return f"for a {tuple(shape)} X, your result differs from a·X + (b·A + c·A²)·X."
    return None


def _measured_numel(shape) -> int:
    """Floats in Adafactor's row_var, col_var or variance after one step on a ``shape`` tensor."""
    p = torch.zeros(shape, requires_grad=True)
    p.grad = torch.ones(shape)
    optimizer = optim.Adafactor([p])
    optimizer.step()
    return sum(v.numel() for k, v in optimizer.state[p].items() if k != "step")


@exercise("Exercise 3: Adafactor's state size")
def check_adafactor_state_numel(state_numel):
    """``state_numel(shape)``: the floats of second-moment state Adafactor keeps (no step)."""
    for shape in ((32, 16), (1000,), (4, 8, 6), (7, 1)):
        answer = call(state_numel, shape)
        want = _measured_numel(shape)
        if answer == math.prod(shape) and want != answer:
            return (
                f"for {shape} you gave the parameter's size, what Adam's exp_avg_sq keeps: "
                "Adafactor keeps one number per row and one per column."
            )
        if isinstance(answer, bool) or answer != want:
            return f"for shape {shape}, Adafactor keeps {want} numbers; you gave {answer!r}."
    return None


def _model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Embedding(40, 8),
        nn.Linear(8, 16),
        nn.GELU(),
        nn.LayerNorm(16),
        nn.Linear(16, 16, bias=False),
        nn.GELU(),
        nn.Linear(16, 40),
    )


@exercise("Exercise 4: Muon's and AdamW's groups")
def check_muon_groups(split):
    """``split(model)`` -> (Muon's parameters, AdamW's parameters) for the model above."""
    model = _model()
    answer = call(split, model)
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        return f"return two lists, (muon_params, adamw_params); got {answer!r}."
    muon, adamw = ([id(p) for p in group] for group in answer)
    names = {id(p): name for name, p in model.named_parameters()}
    if sorted(muon + adamw) != sorted(names) or len(set(muon + adamw)) != len(names):
        return "every parameter of the model must be in exactly one of the two groups."
    hidden = {id(model[1].weight), id(model[4].weight)}
    if set(muon) == hidden:
        return None
    wrong = [names[i] for i in muon if i not in hidden]
    missing = [names[i] for i in hidden if i not in muon]
    if any(p.ndim != 2 for p in model.parameters() if id(p) in muon):
        return f"Muon only takes 2-D matrices; you gave it {wrong}."
    if wrong:
        return (
            f"{wrong} are 2-D but not hidden matrices: the embedding is a lookup table and the "
            "head makes logits; both stay with AdamW."
        )
    return f"the hidden matrices {missing} belong to Muon."
