"""Each exercise check of notebook 08 accepts the reference solution, rejects a typical mistake
with a message that names it, and says "not answered yet" to the handed-out stub."""

import importlib.util
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from lessons import practice
from lessons.checks import NOT_ANSWERED
from lessons.checks import practice as checks

SOLUTIONS = Path(__file__).parents[1] / "solutions"
spec = importlib.util.spec_from_file_location("nb08", SOLUTIONS / "08_the_loop_in_practice.py")
nb08 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nb08)


def assert_wrong(result, *phrases):
    assert result.status == "wrong", result
    for phrase in phrases:
        assert phrase in result.message, result.message


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check", [checks.check_accumulation_step, checks.check_amp_step], ids=lambda c: c.__name__
)
def test_a_stub_is_not_answered(check):
    result = check(stub)
    assert result.status == "not answered" and result.message == NOT_ANSWERED


def test_a_prediction_left_as_none_is_not_answered():
    assert checks.check_prediction(None).status == "not answered"


@pytest.mark.parametrize("returned", [None, "0.1"])
@pytest.mark.parametrize(
    "check",
    [checks.check_prediction, checks.check_accumulation_step, checks.check_amp_step],
    ids=lambda c: c.__name__,
)
def test_a_wrong_type_is_wrong_not_a_crash(check, returned):
    result = check(lambda *args, **kwargs: returned)
    assert result.status == "wrong", result
    assert result.message and "Traceback" not in result.message, result.message


def test_the_measured_ratios():
    assert checks.first_step_ratio(torch.optim.SGD, lr=0.1) == pytest.approx(4.0, rel=1e-9)
    assert checks.first_step_ratio(torch.optim.Adam, lr=1e-3) == pytest.approx(1.0, rel=1e-4)


def test_prediction_accepts_the_solution():
    assert checks.check_prediction(nb08.predicted_ratio)


def test_prediction_rejects_adam_scaling_like_sgd():
    assert_wrong(checks.check_prediction({"SGD": 4, "Adam": 4}), "Adam", "sqrt(v)", "measured")


def test_prediction_rejects_a_missing_key():
    assert_wrong(checks.check_prediction({"SGD": 4}), '"Adam": number')


def test_accumulation_accepts_the_solution():
    assert checks.check_accumulation_step(nb08.accumulation_step)


def unscaled(model, optimizer, X, y, batch, k):
    practice.train(model, optimizer, X, y, [batch], k=k, scale_loss=False)


def zero_grad_inside(model, optimizer, X, y, batch, k):
    for micro in batch.chunk(k):
        optimizer.zero_grad()
        (F.cross_entropy(model(X[micro]), y[micro]) / k).backward()
    optimizer.step()


def step_per_micro_batch(model, optimizer, X, y, batch, k):
    practice.train(model, optimizer, X, y, list(batch.chunk(k)))


def test_accumulation_rejects_the_unscaled_loss():
    assert_wrong(checks.check_accumulation_step(unscaled), "divide", "by k")


def test_accumulation_rejects_zero_grad_inside():
    assert_wrong(checks.check_accumulation_step(zero_grad_inside), "only the last micro-batch")


def test_accumulation_rejects_a_step_per_micro_batch():
    assert_wrong(checks.check_accumulation_step(step_per_micro_batch), "step once per batch")


def test_amp_accepts_the_solution():
    assert checks.check_amp_step(nb08.amp_step)


def test_amp_rejects_clipping_before_unscale():
    def clip_first(model, optimizer, scaler, loss, max_norm):
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        scaler.unscale_(optimizer)
        scaler.step(optimizer)
        scaler.update()

    assert_wrong(checks.check_amp_step(clip_first), "unscale_", "before clipping")


def test_amp_rejects_a_forgotten_update():
    def no_update(model, optimizer, scaler, loss, max_norm):
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        scaler.step(optimizer)

    assert_wrong(checks.check_amp_step(no_update), "scaler.update()")


def test_amp_rejects_a_plain_step():
    def plain(model, optimizer, scaler, loss, max_norm):
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        scaler.update()

    assert_wrong(checks.check_amp_step(plain), "scaler.step(optimizer)")
