"""Argument checks for the curves, and for the scheduler twins where torch has no message of its
own: one shape, ``{name} must be {allowed}, got {value!r}``, a ``ValueError`` raised before
anything changes."""

import math
from numbers import Real

import numpy as np


def require(ok, name, value, allowed):
    if not ok:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def real(name, value, allowed="a real number", ok=lambda v: True):
    require(isinstance(value, Real) and not isinstance(value, bool), name, value, allowed)
    require(math.isfinite(value) and ok(value), name, value, allowed)
    return float(value)


def count(name, value, minimum):
    allowed = f"an integer >= {minimum}"
    require(
        isinstance(value, int | np.integer) and not isinstance(value, bool), name, value, allowed
    )
    require(value >= minimum, name, value, allowed)
    return int(value)


def steps(steps, integer=True):
    """Step indices t as a float64 array; each a whole number >= 0 unless ``integer`` is False."""
    allowed = "whole numbers >= 0" if integer else "real numbers >= 0"
    given = np.asarray(steps)
    require(given.dtype.kind in "biuf", "steps", steps, allowed)
    t = given.astype(np.float64)
    bad = ~np.isfinite(t) | (t < 0)
    if integer:
        bad |= t != np.floor(t)
    require(not bad.any(), "steps", steps if t.size < 10 else t[bad][:5], allowed)
    return t


def nonnegative(name, value):
    return real(name, value, "a real number >= 0", lambda v: v >= 0)


def positive(name, value):
    return real(name, value, "a real number > 0", lambda v: v > 0)


def fraction(name, value, low_open=False):
    if low_open:
        return real(name, value, "in (0, 1]", lambda v: 0 < v <= 1)
    return real(name, value, "in [0, 1]", lambda v: 0 <= v <= 1)
