"""Each exercise check of notebook 10 accepts the reference solution, says "not answered yet" to
the handed-out placeholder, and rejects a typical mistake with a message that names it."""

import importlib.util
from pathlib import Path

import pytest

from lessons.checks import fast_steps

SOLUTION = Path(__file__).parents[1] / "solutions" / "10_fast_steps.py"
spec = importlib.util.spec_from_file_location("nb10", SOLUTION)
nb10 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nb10)

CHECKS = [
    (fast_steps.check_fused_bytes, nb10.fused_bytes),
    (fast_steps.check_roofline_ms, nb10.roofline_ms),
]


@pytest.mark.parametrize(("check", "answer"), CHECKS)
def test_reference_is_correct_and_placeholder_not_answered(check, answer):
    assert check(answer).status == "correct"
    assert check(None).status == "not answered"


@pytest.mark.parametrize("returned", [None, "0.1", float("nan"), float("inf"), True])
@pytest.mark.parametrize(("check", "answer"), CHECKS)
def test_junk_is_wrong_not_a_crash(check, answer, returned):
    result = check(lambda *args: returned)
    assert result.status == "wrong" and "should return a number" in result.message


@pytest.mark.parametrize(
    ("mistake", "phrase"),
    [
        (lambda k, size: size * (2 * k + 4), "the gradient is only read"),
        (lambda k, size: size * (2 * k + 2), "count the gradient too"),
        (lambda k, size: size * (k + 2), "written back"),
        (lambda k, size: 2 * k + 3, "multiply by the bytes per element"),
    ],
)
def test_fused_bytes_names_the_mistake(mistake, phrase):
    result = fast_steps.check_fused_bytes(mistake)
    assert result.status == "wrong" and phrase in result.message, result


def test_roofline_in_seconds_is_named():
    result = fast_steps.check_roofline_ms(lambda b, n, gbs: b * n / (gbs * 1e9))
    assert result.status == "wrong" and "that is in seconds" in result.message


def test_fused_prediction_accepts_the_solution_and_names_float32():
    assert fast_steps.check_fused_prediction(nb10.prediction).status == "correct"
    assert fast_steps.check_fused_prediction(...).status == "not answered"
    result = fast_steps.check_fused_prediction(28)
    assert result.status == "wrong" and "float32" in result.message, result
    result = fast_steps.check_fused_prediction(64)
    assert result.status == "wrong" and "writes the gradient" in result.message, result
    assert fast_steps.check_fused_prediction("56").status == "wrong"
