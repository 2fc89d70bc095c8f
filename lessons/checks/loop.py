"""Checks for notebook 01, the training loop: hand gradients, the step order, an SGD step."""

import math

import torch
import torch.nn.functional as F

from . import call, exercise, tensor_problem

__all__ = ["check_logistic_grads", "check_train", "check_sgd_step", "check_forgotten_zero_grad"]


def _problem(seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(20, 3, generator=generator, dtype=torch.float64)
    y = torch.randn(20, generator=generator, dtype=torch.float64)
    w = torch.randn(3, generator=generator, dtype=torch.float64)
    b = torch.randn((), generator=generator, dtype=torch.float64)
    return X, y, w, b


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-6, atol=1e-9)


@exercise("Exercise 1: the gradients of logistic regression, by hand")
def check_logistic_grads(logistic_grads):
    X, y, w, b = _problem()
    y = (y > 0).double()
    w_ = w.clone().requires_grad_()
    b_ = b.clone().requires_grad_()
    F.binary_cross_entropy_with_logits(X @ w_ + b_, y).backward()
    answer = call(logistic_grads, X.clone(), y.clone(), w.clone(), b.clone())
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return "return a pair: (grad_w, grad_b)."
    raw = X @ w + b - y  # the residual with the sigmoid forgotten
    forgot_sigmoid = {"grad_w": X.T @ raw / len(X), "grad_b": raw.mean()}
    for name, got, want in [("grad_w", answer[0], w_.grad), ("grad_b", answer[1], b_.grad)]:
        if problem := tensor_problem(name, got, want):
            return problem
        if _close(got, want):
            continue
        if _close(got, -want):
            return f"{name} has the wrong sign: the error is σ(z) − y (prediction − target)."
        if _close(got, want * len(X)):
            return f"{name} is {len(X)} times too big: the loss is a mean, so divide the sum by N."
        if _close(got, forgot_sigmoid[name]):
            return f"{name} uses z − y: the prediction is the probability σ(z), not the logit z."
        return f"{name} differs from autograd's by up to {(got - want).abs().max().item():.3g}."
    return None


def _reference_train(model, optimizer, X, y, steps, zero_grad=True):
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(model(X), y)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _fresh_model():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1).double()
    return model, torch.optim.SGD(model.parameters(), lr=0.05)


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


@exercise("Exercise 2: fix the loop that forgets zero_grad")
def check_train(train, steps=10):
    X, y, _, _ = _problem(seed=1)
    y = y.unsqueeze(1)
    runs = {}
    for label, trainer in [
        ("answer", lambda *a: call(train, *a)),
        ("right", _reference_train),
        ("no zero_grad", lambda *a: _reference_train(*a, zero_grad=False)),
    ]:
        model, optimizer = _fresh_model()
        start = _params(model)
        losses = trainer(model, optimizer, X.clone(), y.clone(), steps)
        runs[label] = (start, _params(model), losses)
    start, answer, losses = runs["answer"]
    if problem := tensor_problem("the model's parameters", answer, start):
        return problem
    if torch.allclose(answer, runs["right"][1], rtol=1e-9, atol=1e-12):
        if not isinstance(losses, list | tuple) or len(losses) != steps:
            return f"the parameters are right; now return the list of the {steps} losses too."
        return None
    if torch.equal(answer, start):
        return (
            "the parameters never moved: is optimizer.step() called, after loss.backward() and "
            "not straight after a zero_grad() that wiped the gradients?"
        )
    if torch.allclose(answer, runs["no zero_grad"][1], rtol=1e-9, atol=1e-12):
        return (
            "the gradients still pile up: backward() adds to .grad, so call "
            "optimizer.zero_grad() once per step, before loss.backward()."
        )
    return "the parameters differ from the usual loop: forward, zero_grad, backward, step."


@exercise("Exercise 3: one step of plain SGD, by hand")
def check_sgd_step(sgd_step, lr=0.1, steps=3):
    X, y, w, b = _problem(seed=2)
    mine = [w.clone().requires_grad_(), b.clone().requires_grad_()]
    theirs = [w.clone().requires_grad_(), b.clone().requires_grad_()]
    optimizer = torch.optim.SGD(theirs, lr=lr)
    for _ in range(steps):
        before = [p.detach().clone() for p in mine]
        for params in (mine, theirs):
            for p in params:
                p.grad = None
            ((X @ params[0] + params[1] - y) ** 2).mean().backward()
        call(sgd_step, list(mine), lr)
        optimizer.step()
        for p, q, p_before in zip(mine, theirs, before, strict=True):
            if problem := tensor_problem("a parameter", p, q):
                return problem
            if not p.requires_grad:
                return (
                    "your step turned requires_grad off, so the next backward() gives no "
                    "gradient: leave it on, and update inside `with torch.no_grad():`."
                )
            if torch.allclose(p, q, rtol=1e-12, atol=1e-15):
                continue
            if torch.equal(p.detach(), p_before):
                return (
                    "the parameters did not change: update them in place, p -= lr * p.grad, "
                    "inside `with torch.no_grad():` (p = p - ... only renames a local variable)."
                )
            if torch.allclose(p, 2 * p_before - q, rtol=1e-9):
                return "the parameters went uphill: subtract lr·grad, do not add it."
            gap = (p - q).abs().max().item()
            return f"after a step the parameters differ from torch.optim.SGD's by {gap:.3g}."
    return None


def _w_after_two_steps(lr, zero_grad):
    """SGD on f(w) = ½·w² from w = 1, two steps, with or without ``zero_grad``."""
    w = torch.ones((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(2):
        if zero_grad:
            optimizer.zero_grad()
        (0.5 * w**2).backward()
        optimizer.step()
    return w.item()


@exercise("Exercise 4: predict what a forgotten zero_grad does")
def check_forgotten_zero_grad(predict, lr=0.1):
    """``predict()`` -> w after two SGD steps (lr 0.1) on ½·w² from w = 1, without ``zero_grad``."""
    w = call(predict)
    if not isinstance(w, int | float):
        return f"predict() should return a number, w after two steps; got {w!r}."
    if math.isclose(w, _w_after_two_steps(lr, zero_grad=False), rel_tol=1e-6):
        return None
    if math.isclose(w, _w_after_two_steps(lr, zero_grad=True), rel_tol=1e-6):
        return (
            f"{w:g} is w with zero_grad. Without it the second backward() adds the new gradient "
            "to the one already in .grad, and step() uses the sum."
        )
    return (
        f"w = {w:g} is not it. Step 1: .grad = w = 1, so w becomes 1 − lr. Step 2: .grad holds "
        "the old gradient plus the new one. Work it out, or run it."
    )
