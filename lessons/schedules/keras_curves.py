"""The curves of ``keras.optimizers.schedules``: step t means ``schedule(t)``."""

import numpy as np

from . import arguments as argument


def exponential_decay(steps, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    """ExponentialDecay: lr = initial_learning_rate * decay_rate ** p, p = t / decay_steps."""
    t, D = argument.steps(steps), argument.positive("decay_steps", decay_steps)
    p = np.floor(t / D) if staircase else t / D
    rate = argument.nonnegative("decay_rate", decay_rate)
    return argument.nonnegative("initial_learning_rate", initial_learning_rate) * rate**p


def piecewise_constant_decay(steps, boundaries, values):
    """PiecewiseConstantDecay: values[i] for boundaries[i-1] < t <= boundaries[i] (inclusive)."""
    t = argument.steps(steps)
    argument.require(
        len(boundaries) == len(values) - 1,
        "boundaries",
        boundaries,
        f"one shorter than values (len {len(values)})",
    )
    b = np.asarray(boundaries, dtype=np.float64)
    argument.require(np.all(np.diff(b) > 0), "boundaries", boundaries, "strictly increasing")
    return np.asarray(values, dtype=np.float64)[np.searchsorted(b, t, side="left")]


def polynomial_decay(
    steps, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False
):
    """PolynomialDecay: lr = (initial - end) * (1 - t / D) ** power + end.

    Without cycle t is capped at D; with cycle D grows to D * ceil(t / D) (D at t = 0).
    """
    t, D = argument.steps(steps), argument.positive("decay_steps", decay_steps)
    lr0, lr1 = (
        argument.nonnegative("initial_learning_rate", initial_learning_rate),
        argument.nonnegative("end_learning_rate", end_learning_rate),
    )
    power = argument.nonnegative("power", power)
    if cycle:
        D = D * np.where(t == 0, 1.0, np.ceil(t / D))
    else:
        t = np.minimum(t, D)
    return (lr0 - lr1) * (1 - t / D) ** power + lr1


def inverse_time_decay(steps, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    """InverseTimeDecay: lr = initial_learning_rate / (1 + decay_rate * p), p = t / decay_steps."""
    t, D = argument.steps(steps), argument.positive("decay_steps", decay_steps)
    p = np.floor(t / D) if staircase else t / D
    rate = argument.nonnegative("decay_rate", decay_rate)
    return argument.nonnegative("initial_learning_rate", initial_learning_rate) / (1 + rate * p)


def cosine_decay(
    steps, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0
):
    """CosineDecay: lr = peak * ((1 - alpha) (1 + cos(pi min(t, D) / D)) / 2 + alpha).

    With warmup_target (else warmup_steps is ignored): linear from initial_learning_rate to
    warmup_target over warmup_steps, then the cosine from peak = warmup_target.
    alpha is a fraction of the peak; the end value is held.
    """
    t, D = argument.steps(steps), argument.positive("decay_steps", decay_steps)
    lr0 = argument.nonnegative("initial_learning_rate", initial_learning_rate)
    alpha = argument.fraction("alpha", alpha)
    W = argument.nonnegative("warmup_steps", warmup_steps)
    peak = lr0 if warmup_target is None else argument.nonnegative("warmup_target", warmup_target)
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
    t, D = argument.steps(steps), argument.positive("first_decay_steps", first_decay_steps)
    lr0 = argument.nonnegative("initial_learning_rate", initial_learning_rate)
    alpha = argument.fraction("alpha", alpha)
    t_mul = argument.positive("t_mul", t_mul)
    m_mul = argument.nonnegative("m_mul", m_mul)
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
