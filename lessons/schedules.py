"""Learning-rate schedules as pure functions of the step.

Every function takes ``steps`` first: an int or an array of ints, the scheduler's ``last_epoch``
t = 0, 1, 2, ... The value at t is what torch's ``get_last_lr()`` reports after construction and
t calls to ``step()`` (for the Keras curves: what ``schedule(t)`` returns). The result is a float64
array of the shape of ``steps``, computed without a Python loop over steps.

Where torch would divide by zero or silently return garbage, these functions raise ``ValueError``
instead; ``lessons.schedulers`` builds torch's scheduler classes on them.
"""

import math
from numbers import Real

import numpy as np

# --- argument checks -------------------------------------------------------------------------


def _require(ok, name, value, allowed):
    if not ok:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def _real(name, value, allowed="a real number", ok=lambda v: True):
    _require(isinstance(value, Real) and not isinstance(value, bool), name, value, allowed)
    _require(math.isfinite(value) and ok(value), name, value, allowed)
    return float(value)


def _count(name, value, minimum):
    allowed = f"an integer >= {minimum}"
    _require(
        isinstance(value, int | np.integer) and not isinstance(value, bool), name, value, allowed
    )
    _require(value >= minimum, name, value, allowed)
    return int(value)


def _steps(steps, integer=True):
    """Steps as a float64 array; each a whole number >= 0 unless ``integer`` is False."""
    t = np.asarray(steps, dtype=np.float64)
    allowed = "whole numbers >= 0" if integer else "real numbers >= 0"
    bad = ~np.isfinite(t) | (t < 0)
    if integer:
        bad |= t != np.floor(t)
    _require(not bad.any(), "steps", steps if t.size < 10 else t[bad][:5], allowed)
    return t


def _nonnegative(name, value):
    return _real(name, value, "a real number >= 0", lambda v: v >= 0)


def _positive(name, value):
    return _real(name, value, "a real number > 0", lambda v: v > 0)


def _fraction(name, value, low_open=False):
    if low_open:
        return _real(name, value, "in (0, 1]", lambda v: 0 < v <= 1)
    return _real(name, value, "in [0, 1]", lambda v: 0 <= v <= 1)


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


# --- torch.optim.lr_scheduler ----------------------------------------------------------------


def step_lr(steps, base_lr, step_size, gamma=0.1):
    """StepLR: lr_t = base_lr * gamma ** floor(t / step_size)."""
    t = _steps(steps)
    base_lr, step_size = _nonnegative("base_lr", base_lr), _count("step_size", step_size, 1)
    gamma = _nonnegative("gamma", gamma)
    return base_lr * _powers(gamma, np.floor(t / step_size))


def multi_step_lr(steps, base_lr, milestones, gamma=0.1):
    """MultiStepLR: lr_t = base_lr * gamma ** (number of milestones <= t), repeats counted."""
    t = _steps(steps)
    base_lr = _nonnegative("base_lr", base_lr)
    gamma = _nonnegative("gamma", gamma)
    for m in milestones:
        _count("milestones[i]", m, 0)
    passed = np.searchsorted(np.sort(np.asarray(milestones, dtype=np.float64)), t, side="right")
    return base_lr * _powers(gamma, passed)


def constant_lr(steps, base_lr, factor=1.0 / 3, total_iters=5):
    """ConstantLR: lr_t = base_lr * factor while t < total_iters, then base_lr."""
    t = _steps(steps)
    base_lr, factor = _nonnegative("base_lr", base_lr), _fraction("factor", factor)
    total_iters = _count("total_iters", total_iters, 1)
    return base_lr * np.where(t < total_iters, factor, 1.0)


def linear_lr(steps, base_lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    """LinearLR: lr_t = base_lr * (s + (e - s) * min(t, T) / T); s, e = start_factor, end_factor."""
    t = _steps(steps)
    base_lr = _nonnegative("base_lr", base_lr)
    s, e = (
        _fraction("start_factor", start_factor, low_open=True),
        _fraction("end_factor", end_factor),
    )
    T = _count("total_iters", total_iters, 1)
    return base_lr * (s + (e - s) * np.minimum(T, t) / T)


def exponential_lr(steps, base_lr, gamma):
    """ExponentialLR: lr_t = base_lr * gamma ** t."""
    t = _steps(steps)
    base_lr = _nonnegative("base_lr", base_lr)
    gamma = _nonnegative("gamma", gamma)
    return base_lr * _powers(gamma, t)


def polynomial_lr(steps, base_lr, total_iters=5, power=1.0):
    """PolynomialLR: lr_t = base_lr * (1 - min(t, T) / T) ** power."""
    t = _steps(steps)
    base_lr, T = _nonnegative("base_lr", base_lr), _count("total_iters", total_iters, 1)
    power = _nonnegative("power", power)
    return base_lr * (1.0 - np.minimum(T, t) / T) ** power


def _cosine(base_lr, eta_min, fraction):
    """eta_min + (base_lr - eta_min) * (1 + cos(pi * fraction)) / 2."""
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * fraction)) / 2


def cosine_annealing_lr(steps, base_lr, T_max, eta_min=0.0):
    """CosineAnnealingLR: lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2.

    Past T_max the cosine rises again (period 2 T_max), as torch's recursion does.
    """
    t = _steps(steps)
    base_lr, eta_min = _nonnegative("base_lr", base_lr), _real("eta_min", eta_min)
    T_max = _positive("T_max", T_max)
    return _cosine(base_lr, eta_min, t / T_max)


def warm_restart_cycle(steps, T_0, T_mult=1):
    """SGDR's position at step t: T_cur steps into a cycle of T_i steps.

    Cycle i lasts T_i = T_0 * T_mult**i steps and starts at S_i = T_0 (T_mult**i - 1) / (T_mult - 1)
    (i T_0 when T_mult = 1); T_cur = t - S_i. ``steps`` may be fractional, as torch's
    ``step(epoch)`` allows.
    """
    t = _steps(steps, integer=False)
    T_0, T_mult = _count("T_0", T_0, 1), _count("T_mult", T_mult, 1)
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
    base_lr, eta_min = _nonnegative("base_lr", base_lr), _real("eta_min", eta_min)
    T_cur, T_i = warm_restart_cycle(steps, T_0, T_mult)
    return _cosine(base_lr, eta_min, T_cur / T_i)


def _cyclic_height(steps, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode):
    """CyclicLR's fraction h_t of the way from the low to the high boundary (triangle * scale)."""
    t = _steps(steps)
    up = _positive("step_size_up", step_size_up)
    down = up if step_size_down is None else step_size_down
    down = _real("step_size_down", down, "a real number >= 0 or None", lambda v: v >= 0)
    gamma = _positive("gamma", gamma)
    _require(scale_fn is None or callable(scale_fn), "scale_fn", scale_fn, "callable or None")
    _require(
        scale_fn is not None or mode in ("triangular", "triangular2", "exp_range"),
        "mode",
        mode,
        "'triangular', 'triangular2' or 'exp_range' (or give scale_fn)",
    )
    _require(
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
    base_lr, max_lr = _nonnegative("base_lr", base_lr), _nonnegative("max_lr", max_lr)
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
    base_m, max_m = _real("base_momentum", base_momentum), _real("max_momentum", max_momentum)
    return max_m - (max_m - base_m) * h


def _one_cycle(steps, total_steps, pct_start, anneal_strategy, three_phase, values):
    """Anneal between ``values[k]`` and ``values[k + 1]`` in phase k of OneCycleLR.

    Phases end at steps pct_start N - 1, (2 pct_start N - 2 if three_phase), N - 1; the last phase
    also takes step N. pct = (t - start) / (end - start); cos: v1 + (v0 - v1) (1 + cos(pi pct)) / 2.
    """
    t = _steps(steps)
    N = _count("total_steps", total_steps, 1)
    pct_start = _fraction("pct_start", pct_start)
    _require(
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
    # first phase whose end is >= t, else the last
    k = np.minimum(np.searchsorted(ends, t, side="left"), len(ends) - 1)
    start, end = np.take(starts, k), np.take(ends, k)
    _require(
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
    max_lr = _nonnegative("max_lr", max_lr)
    div_factor = _positive("div_factor", div_factor)
    final_div_factor = _positive("final_div_factor", final_div_factor)
    initial_lr = (
        max_lr / div_factor if initial_lr is None else _nonnegative("initial_lr", initial_lr)
    )
    min_lr = initial_lr / final_div_factor if min_lr is None else _nonnegative("min_lr", min_lr)
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
    lo, hi = _real("base_momentum", base_momentum), _real("max_momentum", max_momentum)
    values = [hi, lo, hi, hi] if three_phase else [hi, lo, hi]
    return _one_cycle(steps, total_steps, pct_start, anneal_strategy, three_phase, values)


def lambda_lr(steps, base_lr, lr_lambda):
    """LambdaLR: lr_t = base_lr * lr_lambda(t), the function called once per distinct step."""
    t = _steps(steps)
    _require(callable(lr_lambda), "lr_lambda", lr_lambda, "a callable taking the step")
    return _nonnegative("base_lr", base_lr) * _call_each(lr_lambda, t)


def multiplicative_lr(steps, base_lr, lr_lambda):
    """MultiplicativeLR: lr_t = base_lr * prod_{k=1..t} lr_lambda(k) (lr_0 = base_lr)."""
    t = _steps(steps)
    _require(callable(lr_lambda), "lr_lambda", lr_lambda, "a callable taking the step")
    top = int(t.max()) if t.size else 0
    factors = _call_each(lr_lambda, np.arange(1, top + 1, dtype=np.float64))
    running = np.concatenate([[1.0], np.cumprod(factors)])
    return _nonnegative("base_lr", base_lr) * running[t.astype(np.int64)]


# --- recipes ---------------------------------------------------------------------------------


def warmup_cosine(steps, base_lr, warmup_steps, total_steps, eta_min=0.0, start_factor=1e-3):
    """Linear warmup, then cosine: SequentialLR([LinearLR, CosineAnnealingLR], [warmup_steps]).

    With W = warmup_steps and T = total_steps - W (LinearLR(start_factor, total_iters=W),
    CosineAnnealingLR(T_max=T, eta_min)); past total_steps the cosine rises again, as torch's does.
    """
    t = _steps(steps)
    W = _count("warmup_steps", warmup_steps, 0)
    total_steps = _count("total_steps", total_steps, W + 1)
    s = _fraction("start_factor", start_factor, low_open=True)
    base_lr, eta_min = _nonnegative("base_lr", base_lr), _real("eta_min", eta_min)
    # warmup: base_lr * (s + (1 - s) t / W)
    warm = base_lr * (s + (1 - s) * t / max(W, 1))
    # decay: cosine from base_lr to eta_min over total_steps - W
    decay = _cosine(base_lr, eta_min, (t - W) / (total_steps - W))
    return np.where(t < W, warm, decay)


def warmup_stable_decay(steps, base_lr, warmup_steps, stable_steps, decay_steps, eta_min=0.0):
    """Warmup-stable-decay (WSD, as in nanochat's ``get_lr_multiplier``).

    Warmup lr = base_lr (t + 1) / W for t < W; then base_lr for ``stable_steps``; then linear to
    eta_min over ``decay_steps``; then eta_min.
    """
    t = _steps(steps)
    W, S = _count("warmup_steps", warmup_steps, 0), _count("stable_steps", stable_steps, 0)
    D = _count("decay_steps", decay_steps, 1)
    base_lr, eta_min = _nonnegative("base_lr", base_lr), _nonnegative("eta_min", eta_min)
    # warmup: (t + 1) / W of base_lr, so the first step is not wasted at lr 0
    warm = base_lr * (t + 1) / max(W, 1)
    # stable, then decay: progress p from 0 to 1 over D steps, lr = base_lr + (eta_min - base_lr) p
    progress = np.clip((t - W - S) / D, 0.0, 1.0)
    return np.where(t < W, warm, base_lr + (eta_min - base_lr) * progress)


# --- keras.optimizers.schedules (step t means schedule(t)) -----------------------------------


def exponential_decay(steps, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    """ExponentialDecay: lr = initial_learning_rate * decay_rate ** p, p = t / decay_steps."""
    t, D = _steps(steps), _positive("decay_steps", decay_steps)
    p = np.floor(t / D) if staircase else t / D
    rate = _nonnegative("decay_rate", decay_rate)
    return _nonnegative("initial_learning_rate", initial_learning_rate) * rate**p


def piecewise_constant_decay(steps, boundaries, values):
    """PiecewiseConstantDecay: values[i] for boundaries[i-1] < t <= boundaries[i] (inclusive)."""
    t = _steps(steps)
    _require(
        len(boundaries) == len(values) - 1,
        "boundaries",
        boundaries,
        f"one shorter than values (len {len(values)})",
    )
    b = np.asarray(boundaries, dtype=np.float64)
    _require(np.all(np.diff(b) > 0), "boundaries", boundaries, "strictly increasing")
    return np.asarray(values, dtype=np.float64)[np.searchsorted(b, t, side="left")]


def polynomial_decay(
    steps, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False
):
    """PolynomialDecay: lr = (initial - end) * (1 - t / D) ** power + end.

    Without cycle t is capped at D; with cycle D grows to D * ceil(t / D) (D at t = 0).
    """
    t, D = _steps(steps), _positive("decay_steps", decay_steps)
    lr0, lr1 = (
        _nonnegative("initial_learning_rate", initial_learning_rate),
        _nonnegative("end_learning_rate", end_learning_rate),
    )
    power = _nonnegative("power", power)
    if cycle:
        D = D * np.where(t == 0, 1.0, np.ceil(t / D))
    else:
        t = np.minimum(t, D)
    return (lr0 - lr1) * (1 - t / D) ** power + lr1


def inverse_time_decay(steps, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    """InverseTimeDecay: lr = initial_learning_rate / (1 + decay_rate * p), p = t / decay_steps."""
    t, D = _steps(steps), _positive("decay_steps", decay_steps)
    p = np.floor(t / D) if staircase else t / D
    rate = _nonnegative("decay_rate", decay_rate)
    return _nonnegative("initial_learning_rate", initial_learning_rate) / (1 + rate * p)


def cosine_decay(
    steps, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0
):
    """CosineDecay: lr = peak * ((1 - alpha) (1 + cos(pi min(t, D) / D)) / 2 + alpha).

    With warmup_target (else warmup_steps is ignored): linear from initial_learning_rate to
    warmup_target over warmup_steps, then the cosine from peak = warmup_target.
    alpha is a fraction of the peak; the end value is held.
    """
    t, D = _steps(steps), _positive("decay_steps", decay_steps)
    lr0 = _nonnegative("initial_learning_rate", initial_learning_rate)
    alpha = _fraction("alpha", alpha)
    W = _nonnegative("warmup_steps", warmup_steps)
    peak = lr0 if warmup_target is None else _nonnegative("warmup_target", warmup_target)
    W = 0.0 if warmup_target is None else W  # Keras warms up only towards a target
    t = np.minimum(t, D + W)
    # warmup: lr0 + (peak - lr0) t / W
    with np.errstate(divide="ignore", invalid="ignore"):
        warm = (peak - lr0) * (t / W) + lr0
    # decay from the peak
    decay = peak * ((1 - alpha) * 0.5 * (1.0 + np.cos(np.pi * ((t - W) / D))) + alpha)
    return np.where(t < W, warm, decay)


def cosine_decay_restarts(
    steps, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0
):
    """CosineDecayRestarts (SGDR): cycle i lasts first_decay_steps * t_mul**i steps.

    lr = initial * ((1 - alpha) m_mul**i (1 + cos(pi f)) / 2 + alpha), f: fraction of cycle i.
    """
    t, D = _steps(steps), _positive("first_decay_steps", first_decay_steps)
    lr0 = _nonnegative("initial_learning_rate", initial_learning_rate)
    alpha = _fraction("alpha", alpha)
    t_mul = _positive("t_mul", t_mul)
    m_mul = _nonnegative("m_mul", m_mul)
    done = t / D
    if t_mul == 1.0:
        i = np.floor(done)
        fraction = done - i
    else:
        # cycle i starts at (1 - t_mul**i) / (1 - t_mul) first cycles; fix the float log at restarts
        def start(i):
            return (1.0 - t_mul**i) / (1.0 - t_mul)

        i = np.floor(np.log(1.0 - done * (1.0 - t_mul)) / np.log(t_mul))
        i += done >= start(i + 1)
        i -= done < start(i)
        fraction = (done - start(i)) / t_mul**i
    return lr0 * ((1 - alpha) * 0.5 * m_mul**i * (1.0 + np.cos(np.pi * fraction)) + alpha)


# --- registries ------------------------------------------------------------------------------

CURVES = {
    "StepLR": step_lr,
    "MultiStepLR": multi_step_lr,
    "ConstantLR": constant_lr,
    "LinearLR": linear_lr,
    "ExponentialLR": exponential_lr,
    "PolynomialLR": polynomial_lr,
    "CosineAnnealingLR": cosine_annealing_lr,
    "CosineAnnealingWarmRestarts": cosine_annealing_warm_restarts,
    "CyclicLR": cyclic_lr,
    "OneCycleLR": one_cycle_lr,
    "LambdaLR": lambda_lr,
    "MultiplicativeLR": multiplicative_lr,
    "ExponentialDecay": exponential_decay,
    "PiecewiseConstantDecay": piecewise_constant_decay,
    "PolynomialDecay": polynomial_decay,
    "InverseTimeDecay": inverse_time_decay,
    "CosineDecay": cosine_decay,
    "CosineDecayRestarts": cosine_decay_restarts,
    "WarmupCosine": warmup_cosine,
    "WarmupStableDecay": warmup_stable_decay,
}

MOMENTUM_CURVES = {"CyclicLR": cyclic_momentum, "OneCycleLR": one_cycle_momentum}
