"""Checks for notebook 10, how fast a step can be: the bytes a fused step moves, the roofline."""

import math

from . import call, exercise, number

__all__ = ["check_fused_prediction", "check_fused_bytes", "check_roofline_ms"]


@exercise("Exercise 1: predict a fused Adam step's bytes in float64")
def check_fused_prediction(prediction):
    """``prediction``: bytes per parameter of a fused Adam step in float64."""
    if number(prediction) is None:
        return f"write your prediction as a number of bytes per parameter, not {prediction!r}."
    reads, writes = 4, 3  # param, grad, m, v read; param, m, v written
    if math.isclose(prediction, 8 * (reads + writes)):
        return None
    if math.isclose(prediction, 4 * (reads + writes)):
        return f"{prediction:g} B is float32's count: a float64 element takes 8 bytes."
    if math.isclose(prediction, 8 * (reads + writes + 1)):
        return f"{prediction:g} B writes the gradient too: the update only reads it."
    return (
        f"{prediction:g} B is not it. Count the tensors a fused step reads once (parameter, "
        "gradient, m, v) and writes once (parameter, m, v), at 8 bytes each."
    )


@exercise("Exercise 1: the bytes a fused step moves")
def check_fused_bytes(fused_bytes):
    for state_tensors, itemsize in [(1, 4), (2, 4), (3, 4), (2, 8), (0, 4)]:
        want = itemsize * (2 * state_tensors + 3)
        got = call(fused_bytes, state_tensors, itemsize)
        if number(got) is None:
            return f"fused_bytes({state_tensors}, {itemsize}) should return a number; got {got!r}."
        if math.isclose(got, want):
            continue
        where = f"fused_bytes({state_tensors}, {itemsize}) is {got!r}; "
        tensors = got / itemsize
        if math.isclose(tensors, 2 * state_tensors + 4):
            return where + "the gradient is only read: an optimizer never writes it."
        if math.isclose(tensors, 2 * state_tensors + 2):
            return where + "count the gradient too: it is read once."
        if math.isclose(tensors, state_tensors + 2):
            return where + "that counts the reads; the parameter and the state are written back."
        if math.isclose(got, 2 * state_tensors + 3):
            return where + "that is in tensors; multiply by the bytes per element (itemsize)."
        return where + "count each tensor the step reads and each it writes, once."
    return None


@exercise("Exercise 2: the fastest a step can be")
def check_roofline_ms(roofline_ms):
    for bytes_per_param, params, gb_per_s in [(28, 10_000_000, 10.0), (20, 1_000_000, 2.5)]:
        want = bytes_per_param * params / (gb_per_s * 1e9) * 1e3
        got = call(roofline_ms, bytes_per_param, params, gb_per_s)
        args = f"roofline_ms({bytes_per_param}, {params:_}, {gb_per_s})"
        if number(got) is None:
            return f"{args} should return a number of milliseconds; got {got!r}."
        if math.isclose(got, want, rel_tol=1e-9):
            continue
        for factor, hint in [(1e3, "that is in microseconds"), (1e-3, "that is in seconds")]:
            if math.isclose(got, want * factor, rel_tol=1e-9):
                return f"{args} is {got!r}: {hint}; return milliseconds."
        return f"{args} is {got!r}; want {want:.4g} ms: bytes / (bytes per second), in ms."
    return None
