"""Checks for notebook 02, the algorithms: momentum's, RMSprop's and Adam's update rules.

Each answer updates a parameter in place from a gradient and its state tensors; the check feeds
the same gradients to the answer and to ``torch.optim`` and compares the two paths, step by step.
When they part, it tries the usual mistakes and names the one the answer made.
"""

import torch

from . import call, exercise, tensor_problem
from .hyperparameters import quadratic_descent

__all__ = [
    "check_momentum_update",
    "check_rmsprop_update",
    "check_adam_update",
    "check_momentum_stable_lr",
]

P0 = torch.linspace(-1.0, 1.0, 5, dtype=torch.float64)


def _grads(scale, steps=6, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(5, generator=generator, dtype=torch.float64) for _ in range(steps)]


def _path(update, grads, state_names):
    """The parameter after each step of ``update(param, grad, state, t)`` from P0, the state
    tensors starting at zero."""
    param = P0.clone()
    state = {name: torch.zeros_like(param) for name in state_names}
    path = []
    for t, grad in enumerate(grads, start=1):
        update(param, grad.clone(), state, t)
        path.append(param.clone())
    return path


def _torch_path(optimizer_class, grads, **hyperparameters):
    param = P0.clone().requires_grad_()
    optimizer = optimizer_class([param], foreach=False, **hyperparameters)
    path = []
    for grad in grads:
        param.grad = grad.clone()
        optimizer.step()
        path.append(param.detach().clone())
    return path


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-7, atol=1e-12)


def _same(path, other):
    return all(map(_close, path, other))


def _judge(answer, want, mistakes, grads, state_names):
    """None if the path is torch's; else the first mistake it matches; else where it parts."""
    path = _path(answer, grads, state_names)
    for t, (yours, theirs) in enumerate(zip(path, want, strict=True), start=1):
        if problem := tensor_problem(f"your parameter after step {t}", yours, theirs):
            return problem
    if _same(path, want):
        return None
    for message, mistake in mistakes.items():
        if _same(path, _path(mistake, grads, state_names)):
            return message
    parted = next(t for t in range(len(want)) if not _close(path[t], want[t]))
    gap = (path[parted] - want[parted]).abs().max().item()
    return f"your parameter parts from torch's at step {parted + 1}, by up to {gap:.3g}."


@exercise("Exercise 1: SGD with momentum")
def check_momentum_update(momentum_update, lr=0.1, momentum=0.9):
    grads = _grads(1.0)
    want = _torch_path(torch.optim.SGD, grads, lr=lr, momentum=momentum)

    def answer(p, g, s, t):
        call(momentum_update, p, g, s["momentum_buffer"], lr, momentum)

    def average(p, g, s, t):
        s["momentum_buffer"].mul_(momentum).add_(g, alpha=1 - momentum)
        p.add_(s["momentum_buffer"], alpha=-lr)

    def plain(p, g, s, t):
        p.add_(g, alpha=-lr)

    mistakes = {
        "torch's buffer is a sum, not an average: b ← μ·b + grad, without the (1 − μ).": average,
        "these are plain SGD steps, lr·grad: step by lr·b instead, and update the buffer in "
        "place (momentum_buffer.mul_(momentum).add_(grad)) so the next step sees it.": plain,
    }
    return _judge(answer, want, mistakes, grads, ["momentum_buffer"])


@exercise("Exercise 2: RMSprop's update")
def check_rmsprop_update(rmsprop_update, lr=0.01, alpha=0.9, eps=1e-3):
    grads = _grads(0.1)
    want = _torch_path(torch.optim.RMSprop, grads, lr=lr, alpha=alpha, eps=eps)

    def answer(p, g, s, t):
        call(rmsprop_update, p, g, s["square_avg"], lr, alpha, eps)

    def rmsprop_like(denominator, weight=1 - alpha):
        def update(p, g, s, t):
            s["square_avg"].mul_(alpha).addcmul_(g, g, value=weight)
            p.addcdiv_(g, denominator(s["square_avg"]), value=-lr)

        return update

    mistakes = {
        "eps belongs outside the square root: divide by √v + eps.": rmsprop_like(
            lambda v: (v + eps).sqrt()
        ),
        "v is a running average: v ← α·v + (1 − α)·grad², keep the (1 − α).": rmsprop_like(
            lambda v: v.sqrt() + eps, weight=1.0
        ),
        "divide by the root mean square √v + eps, not by v itself.": rmsprop_like(
            lambda v: v + eps
        ),
    }
    return _judge(answer, want, mistakes, grads, ["square_avg"])


@exercise("Exercise 3: Adam's update")
def check_adam_update(adam_update, lr=0.01, betas=(0.9, 0.999), eps=1e-3):
    grads = _grads(0.05)
    want = _torch_path(torch.optim.Adam, grads, lr=lr, betas=betas, eps=eps)
    beta1, beta2 = betas

    def answer(p, g, s, t):
        call(adam_update, p, g, s["exp_avg"], s["exp_avg_sq"], t, lr, betas, eps)

    def adam_like(step):
        def update(p, g, s, t):
            m, v = s["exp_avg"], s["exp_avg_sq"]
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            p.sub_(step(m, v, 1 - beta1**t, 1 - beta2**t))

        return update

    mistakes = {
        "the first steps are the wrong size (m and v start at 0): correct their bias, "
        "m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).": adam_like(
            lambda m, v, bc1, bc2: lr * m / (v.sqrt() + eps)
        ),
        "eps is added after the bias correction in torch: lr·m̂ / (√v̂ + eps). Yours is Keras' "
        "form, lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m / (√v + eps).": adam_like(
            lambda m, v, bc1, bc2: lr * bc2**0.5 / bc1 * m / (v.sqrt() + eps)
        ),
        "eps belongs outside the square root: √v̂ + eps.": adam_like(
            lambda m, v, bc1, bc2: lr * (m / bc1) / (v / bc2 + eps).sqrt()
        ),
    }
    return _judge(answer, want, mistakes, grads, ["exp_avg", "exp_avg_sq"])


@exercise("Exercise 4: the largest stable lr with momentum")
def check_momentum_stable_lr(max_stable_lr):
    """``max_stable_lr(h, momentum)`` -> the largest lr at which SGD with ``momentum`` on
    ½·h·x² does not diverge (checked by running torch just below and just above it)."""
    for h, momentum in ((4.0, 0.9), (25.0, 0.5), (4.0, 0.0)):
        lr = call(max_stable_lr, h, momentum)
        if not isinstance(lr, int | float) or not lr > 0:
            return f"max_stable_lr({h}, {momentum}) should be a positive number; got {lr!r}."
        if not quadratic_descent(h, 0.97 * lr, momentum, steps=1000) < 1:  # nan: it overflowed
            return f"with h = {h}, momentum = {momentum}, lr = 0.97 × {lr:.4g} already diverges."
        if quadratic_descent(h, 1.03 * lr, momentum, steps=1000) < 1:
            hint = " That is plain SGD's limit: momentum raises it." * (lr * h < 2.01)
            return (
                f"with h = {h}, momentum = {momentum}, lr = 1.03 × {lr:.4g} still converges, so a "
                f"larger lr is stable.{hint}"
            )
    return None
