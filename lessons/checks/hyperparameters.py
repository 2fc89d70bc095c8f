"""Checks for notebook 03, the hyperparameters: the largest stable lr, the range test's lrs,
decoupled weight decay."""

import math

import torch

from . import call, exercise, number, shown, tensor_problem

__all__ = [
    "check_max_stable_lr",
    "check_range_lrs",
    "check_decoupled_decay",
    "check_adam_first_step",
]


def quadratic_descent(h, lr, momentum=0.0, steps=200):
    """|x| after torch.optim.SGD (with ``momentum``) on f(x) = ½·h·x² from x = 1: below 1 when
    it converges (nan, an overflow, is not)."""
    x = torch.ones((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum)
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * h * x**2).backward()
        optimizer.step()
    return x.abs().item()


@exercise("Exercise 1: the largest stable learning rate")
def check_max_stable_lr(max_stable_lr):
    for h in (0.5, 4.0, 25.0):
        answer = call(max_stable_lr, h)
        lr = number(answer)
        if lr is None or lr <= 0:
            return f"max_stable_lr({h}) should be a positive, finite number; got {shown(answer)}."
        if not quadratic_descent(h, 0.98 * lr) < 1:
            return (
                f"at lr = 0.98 × {lr:.4g} gradient descent on ½·{h}·x² already fails to converge: "
                "each step multiplies x by (1 − lr·h); find where |1 − lr·h| reaches 1."
            )
        if quadratic_descent(h, 1.02 * lr) < 1:
            hint = " Careful: lr = 1/h is the lr that jumps to the minimum in one step." * (
                math.isclose(lr, 1 / h)
            )
            return (
                f"at lr = 1.02 × {lr:.4g} gradient descent on ½·{h}·x² still converges, so a "
                f"larger lr is stable.{hint}"
            )
    return None


@exercise("Exercise 2: the learning rates of a range test")
def check_range_lrs(range_lrs, start_lr=1e-5, end_lr=10.0, num_steps=31):
    want = torch.logspace(math.log10(start_lr), math.log10(end_lr), num_steps, dtype=torch.float64)
    answer = call(range_lrs, start_lr, end_lr, num_steps)
    try:
        lrs = torch.as_tensor(answer, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return f"return a list of {num_steps} numbers; got {shown(answer)}."
    if lrs.numel() != num_steps:
        return f"range_lrs(1e-5, 10, {num_steps}) should give {num_steps} lrs; got {lrs.numel()}."
    if problem := tensor_problem("your list of lrs", lrs, want):
        return problem
    if torch.allclose(lrs, want, rtol=1e-9):
        return None
    if torch.allclose(lrs, torch.linspace(start_lr, end_lr, num_steps, dtype=torch.float64)):
        return (
            "these lrs grow by equal amounts, so almost all of them are large: make each lr the "
            "previous one times the same factor (equal steps on a log scale)."
        )
    first, last = lrs[0].item(), lrs[-1].item()
    if not math.isclose(first, start_lr) or not math.isclose(last, end_lr):
        return (
            f"the first lr should be start_lr and the last end_lr exactly; yours run from "
            f"{first:.3g} to {last:.3g} (num_steps lrs have num_steps − 1 ratios between them)."
        )
    return "the first and last lrs are right, but not the ones between: use one constant ratio."


@exercise("Exercise 3: decoupled weight decay")
def check_decoupled_decay(decoupled_decay, lr=0.1, weight_decay=0.5, steps=5):
    """Adam without weight decay, plus the answer before each step, should be AdamW."""
    generator = torch.Generator().manual_seed(0)
    grads = [torch.randn(4, generator=generator, dtype=torch.float64) for _ in range(steps)]
    mine, want, undecayed = (torch.linspace(-1, 1, 4, dtype=torch.float64) for _ in range(3))
    optimizers = [
        torch.optim.Adam([mine.requires_grad_()], lr=lr, foreach=False),
        torch.optim.AdamW([want.requires_grad_()], lr=lr, weight_decay=weight_decay, foreach=False),
        torch.optim.Adam([undecayed.requires_grad_()], lr=lr, foreach=False),
    ]
    for grad in grads:
        with torch.no_grad():
            call(decoupled_decay, mine, lr, weight_decay)
        if problem := tensor_problem("your parameter", mine, want):
            return problem
        for optimizer in optimizers:
            optimizer.param_groups[0]["params"][0].grad = grad.clone()
            optimizer.step()
    if torch.allclose(mine, want, rtol=1e-9, atol=1e-12):
        return None
    if torch.equal(mine, undecayed):
        return "the parameter was not shrunk: change it in place, param.mul_(...)."
    return (
        f"Adam plus your decay ends {(mine - want).abs().max():.3g} away from AdamW: shrink the "
        "parameter by the factor (1 − lr·weight_decay), before the Adam step."
    )


def _adam_first_step(grad, lr):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor([grad], dtype=torch.float64)
    torch.optim.Adam([p], lr=lr).step()
    return abs(p.item())


@exercise("Exercise 4: predict the size of Adam's first step")
def check_adam_first_step(first_step, lr=0.01):
    """``first_step(grad)`` -> the size |Δp| of Adam's first step (lr 0.01, torch's defaults)."""
    for grad in (1e-3, 1.0, 100.0):
        size = call(first_step, grad)
        if not isinstance(size, int | float):
            return f"first_step({grad:g}) should return a number; got {size!r}."
        right = _adam_first_step(grad, lr)
        if math.isclose(size, lr * grad, rel_tol=1e-3) and grad != 1.0:
            return (
                f"first_step({grad:g}) = lr·grad is SGD's step. Adam divides m̂ by √v̂: "
                "what are m̂ and √v̂ after one step?"
            )
        if not math.isclose(size, right, rel_tol=1e-3):
            return f"first_step({grad:g}) = {size:g}; torch's Adam moves {right:.6g}."
    return None
