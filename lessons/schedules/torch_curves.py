"""The curves of ``torch.optim.lr_scheduler``'s schedulers, as pure functions of the step."""

from collections.abc import Iterable

import numpy as np

from . import arguments as argument


def _powers(base, k):
    """base ** k for whole k >= 0, as a running product base * base * ... (the way torch's
    recursion computes it) looked up by k; elementwise float ** is 20 times slower."""
    k = k.astype(np.int64)
    top = int(k.max(initial=0))
    if top > 4 * k.size + 1000:
        return base ** k.astype(np.float64)
    return np.cumprod(np.concatenate([[1.0], np.full(top, base)]))[k]


def _call_each(fn, x):
    """Apply a user's scalar function elementwise; it is called once per distinct value."""
    values, inverse = np.unique(x, return_inverse=True)
    out = np.array([float(fn(int(v) if v == int(v) else v)) for v in values], dtype=np.float64)
    return out[inverse].reshape(np.shape(x))


def step_lr(steps, base_lr, step_size, gamma=0.1):
    """StepLR: lr_t = base_lr * gamma ** floor(t / step_size)."""
    t = argument.steps(steps)
    base_lr, step_size = (
        argument.nonnegative("base_lr", base_lr),
        argument.count("step_size", step_size, 1),
    )
    gamma = argument.nonnegative("gamma", gamma)
    return base_lr * _powers(gamma, np.floor(t / step_size))


def multi_step_lr(steps, base_lr, milestones, gamma=0.1):
    """MultiStepLR: lr_t = base_lr * gamma ** (number of milestones <= t), repeats counted."""
    t = argument.steps(steps)
    base_lr = argument.nonnegative("base_lr", base_lr)
    gamma = argument.nonnegative("gamma", gamma)
    argument.require(
        isinstance(milestones, Iterable), "milestones", milestones, "a list of integers >= 0"
    )
    for m in milestones:
        argument.count("milestones[i]", m, 0)
    passed = np.searchsorted(np.sort(np.asarray(milestones, dtype=np.float64)), t, side="right")
    return base_lr * _powers(gamma, passed)


def constant_lr(steps, base_lr, factor=1.0 / 3, total_iters=5):
    """ConstantLR: lr_t = base_lr * factor while t < total_iters, then base_lr."""
    t = argument.steps(steps)
    base_lr, factor = argument.nonnegative("base_lr", base_lr), argument.fraction("factor", factor)
    total_iters = argument.count("total_iters", total_iters, 1)
    return base_lr * np.where(t < total_iters, factor, 1.0)


def linear_lr(steps, base_lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    """LinearLR: lr_t = base_lr * (s + (e - s) * min(t, T) / T); s, e = start_factor, end_factor."""
    t = argument.steps(steps)
    base_lr = argument.nonnegative("base_lr", base_lr)
    s, e = (
        argument.fraction("start_factor", start_factor, low_open=True),
        argument.fraction("end_factor", end_factor),
    )
    T = argument.count("total_iters", total_iters, 1)
    return base_lr * (s + (e - s) * np.minimum(T, t) / T)


def exponential_lr(steps, base_lr, gamma):
    """ExponentialLR: lr_t = base_lr * gamma ** t."""
    t = argument.steps(steps)
    base_lr = argument.nonnegative("base_lr", base_lr)
    gamma = argument.nonnegative("gamma", gamma)
    return base_lr * _powers(gamma, t)


def polynomial_lr(steps, base_lr, total_iters=5, power=1.0):
    """PolynomialLR: lr_t = base_lr * (1 - min(t, T) / T) ** power."""
    t = argument.steps(steps)
    base_lr, T = (
        argument.nonnegative("base_lr", base_lr),
        argument.count("total_iters", total_iters, 1),
    )
    power = argument.nonnegative("power", power)
    return base_lr * (1.0 - np.minimum(T, t) / T) ** power


def _cosine(base_lr, eta_min, fraction):
    """eta_min + (base_lr - eta_min) * (1 + cos(pi * fraction)) / 2."""
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * fraction)) / 2


def cosine_annealing_lr(steps, base_lr, T_max, eta_min=0.0):
    """CosineAnnealingLR: lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2.

    Past T_max the cosine rises again (period 2 T_max), as torch's recursion does.
    """
    t = argument.steps(steps)
    base_lr, eta_min = argument.nonnegative("base_lr", base_lr), argument.real("eta_min", eta_min)
    T_max = argument.positive("T_max", T_max)
    return _cosine(base_lr, eta_min, t / T_max)


def warm_restart_cycle(steps, T_0, T_mult=1):
    """SGDR's position at step t: T_cur steps into a cycle of T_i steps.

    Cycle i lasts T_i = T_0 * T_mult**i steps and starts at S_i = T_0 (T_mult**i - 1) / (T_mult - 1)
    (i T_0 when T_mult = 1); T_cur = t - S_i. ``steps`` may be fractional, as torch's
    ``step(epoch)`` allows.
    """
    t = argument.steps(steps, integer=False)
    T_0, T_mult = argument.count("T_0", T_0, 1), argument.count("T_mult", T_mult, 1)
    if T_mult == 1:
        return t - np.floor(t / T_0) * T_0, np.full_like(t, T_0)
    # cycle lengths T_0 T_mult**i and starts S_i, for as many cycles as the last step needs
    lengths = [T_0]
    while sum(lengths) <= t.max(initial=0):
        lengths.append(lengths[-1] * T_mult)
    starts = np.cumsum([0] + lengths[:-1])
    i = np.searchsorted(starts, t, side="right") - 1
    return t - starts[i], np.take(lengths, i).astype(np.float64)


def cosine_annealing_warm_restarts(steps, base_lr, T_0, T_mult=1, eta_min=0.0):
    """CosineAnnealingWarmRestarts (SGDR): lr_t = cosine(T_cur / T_i), from base_lr at the start
    of each cycle towards eta_min at its end; T_cur, T_i = ``warm_restart_cycle(t, T_0, T_mult)``.
    """
    base_lr, eta_min = argument.nonnegative("base_lr", base_lr), argument.real("eta_min", eta_min)
    T_cur, T_i = warm_restart_cycle(steps, T_0, T_mult)
    return _cosine(base_lr, eta_min, T_cur / T_i)


def _cyclic_height(steps, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode):
    """CyclicLR's fraction h_t of the way from the low to the high boundary (triangle * scale)."""
    t = argument.steps(steps)
    up = argument.positive("step_size_up", step_size_up)
    down = up if step_size_down is None else step_size_down
    down = argument.real("step_size_down", down, "a real number >= 0 or None", lambda v: v >= 0)
    argument.require(
        scale_fn is None or callable(scale_fn), "scale_fn", scale_fn, "callable or None"
    )
    argument.require(
        scale_fn is not None or mode in ("triangular", "triangular2", "exp_range"),
        "mode",
        mode,
        "'triangular', 'triangular2' or 'exp_range' (or give scale_fn)",
    )
    if scale_fn is None and mode == "exp_range":  # the only place torch reads gamma
        gamma = argument.real("gamma", gamma)
    argument.require(
        scale_mode in ("cycle", "iterations"), "scale_mode", scale_mode, "'cycle' or 'iterations'"
    )
    # cycle = floor(1 + t / (up + down)); x in [0, 1) is the position inside it
    total_size, step_ratio = up + down, up / (up + down)
    cycle = np.floor(1 + t / total_size)
    x = 1.0 + t / total_size - cycle
    # rising edge x / r, falling edge (x - 1) / (r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        triangle = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
    # amplitude scale: 1, 1 / 2**(cycle - 1), gamma**t, or the user's scale_fn
    if scale_fn is not None:
        scale = _call_each(scale_fn, cycle if scale_mode == "cycle" else t)
    elif mode == "triangular":
        scale = np.ones_like(t)
    elif mode == "triangular2":
        scale = 1 / _powers(2.0, cycle - 1)
    else:
        scale = _powers(gamma, t)
    return triangle * scale


def cyclic_lr(
    steps,
    base_lr,
    max_lr,
    step_size_up=2000,
    step_size_down=None,
    mode="triangular",
    gamma=1.0,
    scale_fn=None,
    scale_mode="cycle",
):
    """CyclicLR: lr_t = base_lr + (max_lr - base_lr) * h_t, h_t a triangle wave times a scale."""
    h = _cyclic_height(steps, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)
    base_lr, max_lr = (
        argument.nonnegative("base_lr", base_lr),
        argument.nonnegative("max_lr", max_lr),
    )
    return base_lr + (max_lr - base_lr) * h


def cyclic_momentum(
    steps,
    base_momentum=0.8,
    max_momentum=0.9,
    step_size_up=2000,
    step_size_down=None,
    mode="triangular",
    gamma=1.0,
    scale_fn=None,
    scale_mode="cycle",
):
    """CyclicLR's momentum: m_t = max_momentum - (max_momentum - base_momentum) * h_t."""
    h = _cyclic_height(steps, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)
    base_m, max_m = (
        argument.real("base_momentum", base_momentum),
        argument.real("max_momentum", max_momentum),
    )
    return max_m - (max_m - base_m) * h


def _one_cycle(steps, total_steps, pct_start, anneal_strategy, three_phase, values):
    """Anneal between ``values[k]`` and ``values[k + 1]`` in phase k of OneCycleLR.

    Phases end at steps pct_start N - 1, (2 pct_start N - 2 if three_phase), N - 1; the last phase
    also takes step N. pct = (t - start) / (end - start); cos: v1 + (v0 - v1) (1 + cos(pi pct)) / 2.
    """
    t = argument.steps(steps)
    N = argument.count("total_steps", total_steps, 1)
    pct_start = argument.fraction("pct_start", pct_start)
    argument.require(
        anneal_strategy in ("cos", "linear"),
        "anneal_strategy",
        anneal_strategy,
        "'cos' or 'linear'",
    )
    if t.size and t.max() > N:
        raise ValueError(
            f"Tried to step {int(t.max())} times. The specified number of total steps is {N}"
        )
    ends = [pct_start * N - 1] + ([2 * pct_start * N - 2] if three_phase else []) + [N - 1.0]
    starts = [0.0] + ends[:-1]
    # the first phase, in order, whose end is >= t, else the last (with three phases and
    # pct_start > 0.5 the ends are not sorted, and torch takes them in order all the same)
    k = np.select([t <= end for end in ends], range(len(ends)), len(ends) - 1)
    start, end = np.take(starts, k), np.take(ends, k)
    argument.require(
        not np.any(end == start),
        "pct_start",
        pct_start,
        f"such that no phase has zero length with total_steps={N}",
    )
    pct = (t - start) / (end - start)
    v0, v1 = np.take(values[:-1], k), np.take(values[1:], k)
    if anneal_strategy == "cos":
        return v1 + (v0 - v1) / 2.0 * (np.cos(np.pi * pct) + 1)
    return (v1 - v0) * pct + v0


def one_cycle_lr(
    steps,
    max_lr,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
    *,
    initial_lr=None,
    min_lr=None,
):
    """OneCycleLR: initial_lr -> max_lr -> min_lr (three_phase: -> initial_lr -> min_lr).

    By default initial_lr = max_lr / div_factor and min_lr = initial_lr / final_div_factor, the
    values torch's OneCycleLR stores in each param group; it reads all three back from the group at
    every step, so pass them to follow an edit.
    """
    max_lr = argument.nonnegative("max_lr", max_lr)
    div_factor = argument.positive("div_factor", div_factor)
    final_div_factor = argument.positive("final_div_factor", final_div_factor)
    initial_lr = (
        max_lr / div_factor
        if initial_lr is None
        else argument.nonnegative("initial_lr", initial_lr)
    )
    min_lr = (
        initial_lr / final_div_factor if min_lr is None else argument.nonnegative("min_lr", min_lr)
    )
    values = (
        [initial_lr, max_lr, initial_lr, min_lr] if three_phase else [initial_lr, max_lr, min_lr]
    )
    return _one_cycle(steps, total_steps, pct_start, anneal_strategy, three_phase, values)


def one_cycle_momentum(
    steps,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    base_momentum=0.85,
    max_momentum=0.95,
    three_phase=False,
):
    """OneCycleLR's momentum: max_momentum -> base_momentum -> max_momentum (then held)."""
    lo, hi = (
        argument.real("base_momentum", base_momentum),
        argument.real("max_momentum", max_momentum),
    )
    values = [hi, lo, hi, hi] if three_phase else [hi, lo, hi]
    return _one_cycle(steps, total_steps, pct_start, anneal_strategy, three_phase, values)


def lambda_lr(steps, base_lr, lr_lambda):
    """LambdaLR: lr_t = base_lr * lr_lambda(t), the function called once per distinct step."""
    t = argument.steps(steps)
    argument.require(callable(lr_lambda), "lr_lambda", lr_lambda, "a callable taking the step")
    return argument.nonnegative("base_lr", base_lr) * _call_each(lr_lambda, t)


def multiplicative_lr(steps, base_lr, lr_lambda):
    """MultiplicativeLR: lr_t = base_lr * prod_{k=1..t} lr_lambda(k) (lr_0 = base_lr)."""
    t = argument.steps(steps)
    argument.require(callable(lr_lambda), "lr_lambda", lr_lambda, "a callable taking the step")
    top = int(t.max()) if t.size else 0
    factors = _call_each(lr_lambda, np.arange(1, top + 1, dtype=np.float64))
    running = np.concatenate([[1.0], np.cumprod(factors)])
    return argument.nonnegative("base_lr", base_lr) * running[t.astype(np.int64)]


def swalr(steps, base_lr, swa_lr, anneal_epochs=10, anneal_strategy="cos"):
    """SWALR (torch.optim.swa_utils): lr_t = base_lr + (swa_lr - base_lr) * a(min(1, t / A)).

    A = anneal_epochs, a(p) = (1 - cos(pi p)) / 2 ("cos") or p ("linear"); with A = 0 the lr is
    swa_lr from t = 0. base_lr is the group's lr when SWALR is built: torch anneals from it.
    """
    t = argument.steps(steps)
    base_lr, swa_lr = (
        argument.nonnegative("base_lr", base_lr),
        argument.nonnegative("swa_lr", swa_lr),
    )
    A = argument.count("anneal_epochs", anneal_epochs, 0)
    argument.require(
        anneal_strategy in ("cos", "linear"),
        "anneal_strategy",
        anneal_strategy,
        "'cos' or 'linear'",
    )
    p = np.ones_like(t) if A == 0 else np.minimum(1.0, t / A)
    alpha = (1 - np.cos(np.pi * p)) / 2 if anneal_strategy == "cos" else p
    return swa_lr * alpha + base_lr * (1 - alpha)
