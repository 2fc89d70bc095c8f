"""Notebook 11's checks accept the reference answers and explain the typical mistakes."""

import math

from test_checks_lessons_01_03 import assert_correct, assert_wrong, solutions

from lessons.checks import momentum

SOLUTIONS = solutions("11_why_momentum_works")


def test_placeholders_are_not_answered():
    assert momentum.check_stability_prediction(None).status == "not answered"
    for check in (momentum.check_momentum_max_lr, momentum.check_polyak_momentum):
        assert check(None).status == "not answered"

        def stub(*args):
            raise NotImplementedError

        assert check(stub).status == "not answered"


def test_stability_prediction():
    assert_correct(momentum.check_stability_prediction(SOLUTIONS.predicted))
    both = {"heavy ball": True, "nesterov": True}
    assert_wrong(momentum.check_stability_prediction(both), "nesterov diverges", "for nesterov")
    assert_wrong(momentum.check_stability_prediction({"heavy ball": 1}), "give a dict")
    assert_wrong(momentum.check_stability_prediction({"heavy ball": 1, "nesterov": 0}), "True or")


def test_momentum_max_lr():
    assert_correct(momentum.check_momentum_max_lr(SOLUTIONS.max_lr))
    assert_wrong(momentum.check_momentum_max_lr(lambda b, L: 2 / L), "momentum stretches")
    assert_wrong(momentum.check_momentum_max_lr(lambda b, L: 5 / L), "diverges")
    assert_wrong(momentum.check_momentum_max_lr(lambda b, L: float("inf")), "positive number")
    assert_wrong(momentum.check_momentum_max_lr(lambda b, L: "0.1"), "positive number")


def test_polyak_momentum():
    assert_correct(momentum.check_polyak_momentum(SOLUTIONS.polyak_momentum))
    rate = lambda k: (math.sqrt(k) - 1) / (math.sqrt(k) + 1)  # noqa: E731
    assert_wrong(momentum.check_polyak_momentum(rate), "square")
    assert_wrong(momentum.check_polyak_momentum(lambda k: 0.9), "puts both eigenvalues")
    assert_wrong(momentum.check_polyak_momentum(lambda k: None), "number in [0, 1)")
