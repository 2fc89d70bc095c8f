"""Checks for notebook 11, why momentum works: a stability prediction, the largest stable lr with
momentum, Polyak's β.

Each answer is a number per setting; the check compares it with the closed form of
``lessons.momentum`` and with runs of torch.optim.SGD on the quadratic, and says what is off.
"""

import math

import torch

from . import call, exercise, number

__all__ = ["check_stability_prediction", "check_momentum_max_lr", "check_polyak_momentum"]


def _final_error(lr, momentum, curvatures, steps=600, nesterov=False):
    """|x| after torch.optim.SGD(lr, momentum) on f = ½ Σ cᵢ xᵢ², from x = 1."""
    x = torch.ones(len(curvatures), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, nesterov=nesterov)
    c = torch.tensor(curvatures, dtype=torch.float64)
    for _ in range(steps):
        x.grad = c * x.detach()
        optimizer.step()
    return x.detach().norm().item()


@exercise("Exercise 1: predict, then run")
def check_stability_prediction(predicted):
    """``predicted``: ``{"heavy ball": bool, "nesterov": bool}``, whether torch's SGD with lr 0.7
    and momentum 0.5 converges on f = ½·4·x², without and with ``nesterov=True``."""
    if not (isinstance(predicted, dict) and set(predicted) == {"heavy ball", "nesterov"}):
        shape = '{"heavy ball": True or False, "nesterov": True or False}'
        return f"give a dict {shape}; got {predicted!r}."
    if not all(isinstance(value, bool) for value in predicted.values()):
        return f"each prediction should be True or False; got {predicted!r}."
    runs = {
        name: _final_error(0.7, 0.5, [4.0], nesterov=name == "nesterov") < 1 for name in predicted
    }
    if predicted == runs:
        return None
    wrong = [name for name in runs if predicted[name] != runs[name]]
    verdicts = ", ".join(f"{name} {'converges' if runs[name] else 'diverges'}" for name in runs)
    return (
        f"the runs say: {verdicts}; your prediction for {' and '.join(wrong)} was off. Compare "
        "lr·L = 2.8 with 2 + 2β for the heavy ball and (2 + 2β)/(1 + 2β) for Nesterov."
    )


@exercise("Exercise 2: the largest stable lr with momentum")
def check_momentum_max_lr(max_lr):
    for momentum, L in ((0.9, 1.0), (0.5, 4.0), (0.0, 10.0), (0.99, 0.5)):
        answer = call(max_lr, momentum, L)
        lr = number(answer)
        if lr is None or lr <= 0:
            return f"max_lr({momentum}, {L}) should be a positive number; got {answer!r}."
        if _final_error(0.98 * lr, momentum, [L]) >= 1:
            return (
                f"with momentum {momentum} on ½·{L}·x², lr = 0.98 × {lr:.4g} already diverges: "
                "the largest stable lr is smaller."
            )
        if _final_error(1.02 * lr, momentum, [L]) < 1:
            hint = (
                " That is plain gradient descent's limit, 2/L: momentum stretches it."
                if math.isclose(lr, 2 / L)
                else ""
            )
            return (
                f"with momentum {momentum} on ½·{L}·x², lr = 1.02 × {lr:.4g} still converges, so "
                f"a larger lr is stable.{hint}"
            )
    return None


@exercise("Exercise 3: Polyak's momentum")
def check_polyak_momentum(polyak_momentum):
    for kappa in (4.0, 100.0, 1e4):
        answer = call(polyak_momentum, kappa)
        beta = number(answer)
        root = math.sqrt(kappa)
        want = ((root - 1) / (root + 1)) ** 2
        if beta is None or not 0 <= beta < 1:
            return f"polyak_momentum({kappa:g}) should be a number in [0, 1); got {answer!r}."
        if math.isclose(beta, math.sqrt(want), rel_tol=1e-9):
            return (
                f"for κ = {kappa:g} you gave (√κ − 1)/(√κ + 1), the rate; the momentum is its "
                "square, since the rate is √β."
            )
        if not math.isclose(beta, want, rel_tol=1e-9):
            return (
                f"for κ = {kappa:g} the momentum that puts both eigenvalues on the circle "
                f"|z| = √β is {want:.4g}; you gave {beta:.4g}."
            )
    return None
