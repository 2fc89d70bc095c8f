"""Notebook 12's checks accept the reference answers and explain the typical mistakes."""

import math

import pytest
from test_checks_lessons_01_03 import assert_correct, assert_wrong, solutions

from lessons.checks import modern

SOLUTIONS = solutions("12_optimizers_of_today")
CHECKS = (
    modern.check_first_step_prediction,
    modern.check_newton_schulz_step,
    modern.check_adafactor_state_numel,
    modern.check_muon_groups,
)


def test_placeholders_are_not_answered():
    def stub(*args):
        raise NotImplementedError

    for check in CHECKS:
        assert check(None).status == "not answered"
        assert check(...).status == "not answered"
    for check in CHECKS[1:]:
        assert check(stub).status == "not answered"


def test_first_step_prediction():
    assert_correct(modern.check_first_step_prediction(SOLUTIONS.predicted))
    assert_wrong(modern.check_first_step_prediction({"Lion": 1.0, "Adam": 0.1}), "a sign")
    assert_wrong(modern.check_first_step_prediction({"Lion": 0.5, "Adam": 1.0}), "±lr")
    assert_wrong(modern.check_first_step_prediction({"Lion": 1.0}), "give a dict")
    assert_wrong(modern.check_first_step_prediction({"Lion": "1", "Adam": 1}), "a number")


def test_first_step_rms_is_one_for_both():
    from lessons import optim

    assert math.isclose(modern.first_step_rms(optim.Lion), 1.0, rel_tol=1e-5)
    assert math.isclose(modern.first_step_rms(optim.Adam), 1.0, rel_tol=1e-3)
    assert modern.first_step_rms(optim.SGD) < 0.7


def test_newton_schulz_step():
    assert_correct(modern.check_newton_schulz_step(SOLUTIONS.ns_step))
    only_a = lambda X, a, b, c: a * X + (b * X @ X.T + c * X @ X.T) @ X  # noqa: E731
    assert_wrong(modern.check_newton_schulz_step(only_a), "A²")
    no_a = lambda X, a, b, c: (b * X @ X.T + c * X @ X.T @ X @ X.T) @ X  # noqa: E731
    assert_wrong(modern.check_newton_schulz_step(no_a), "a·X term is missing")

    def in_place(X, a, b, c):
        X.mul_(a)
        return X

    assert_wrong(modern.check_newton_schulz_step(in_place), "in place")
    assert_wrong(modern.check_newton_schulz_step(lambda X, a, b, c: X.T), "return a tensor")


def test_adafactor_state_numel():
    assert_correct(modern.check_adafactor_state_numel(SOLUTIONS.state_numel))
    assert_wrong(modern.check_adafactor_state_numel(math.prod), "exp_avg_sq")
    rows_plus_cols = lambda shape: shape[0] + shape[-1] if len(shape) > 1 else shape[0]  # noqa: E731
    assert_wrong(modern.check_adafactor_state_numel(rows_plus_cols), "(4, 8, 6)")


def test_muon_groups():
    assert_correct(modern.check_muon_groups(SOLUTIONS.split))

    def every_matrix(model):
        params = list(model.parameters())
        return [p for p in params if p.ndim == 2], [p for p in params if p.ndim != 2]

    assert_wrong(modern.check_muon_groups(every_matrix), "lookup table")
    everything = lambda model: (list(model.parameters()), [])  # noqa: E731
    assert_wrong(modern.check_muon_groups(everything), "2-D")
    nothing = lambda model: ([], list(model.parameters()))  # noqa: E731
    assert_wrong(modern.check_muon_groups(nothing), "belong to Muon")
    twice = lambda model: (list(model.parameters()), list(model.parameters()))  # noqa: E731
    assert_wrong(modern.check_muon_groups(twice), "exactly one")
    assert_wrong(modern.check_muon_groups(lambda model: None), "two lists")


@pytest.mark.parametrize("returned", [None, "0.1", "ab", 3])
@pytest.mark.parametrize("check", CHECKS[1:], ids=lambda check: check.__name__)
def test_a_wrong_type_is_wrong_not_a_crash(check, returned):
    result = check(lambda *args: returned)
    assert result.status == "wrong", result
    assert result.message and "Traceback" not in result.message, result.message
