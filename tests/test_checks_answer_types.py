"""An answer that returns the wrong type (None, a string) is "wrong" with a plain message, never a
traceback out of the check."""

import importlib
import pkgutil

import pytest
import torch.nn.functional as F

import lessons.checks
from lessons.checks import hyperparameters, keras_side, loop

# every module of lessons.checks, so a new lesson's checks are tried without editing this list
MODULES = [
    importlib.import_module(f"lessons.checks.{module.name}")
    for module in pkgutil.iter_modules(lessons.checks.__path__)
]
CHECKS = [getattr(m, name) for m in MODULES for name in m.__all__ if name.startswith("check_")]


@pytest.mark.parametrize("returned", [None, "0.1"])
@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_a_wrong_type_is_wrong_not_a_crash(check, returned):
    result = check(lambda *args, **kwargs: returned)
    assert result.status == "wrong", result
    assert result.message and "Traceback" not in result.message, result.message


@pytest.mark.parametrize("returned", [None, "0.1"])
def test_range_lrs_names_the_wanted_list(returned):
    result = hyperparameters.check_range_lrs(lambda start_lr, end_lr, num_steps: returned)
    assert result.message == f"return a list of 31 numbers; got {returned!r}."


@pytest.mark.parametrize("returned", [None, "0.1"])
def test_adam_eps_names_the_wanted_number(returned):
    result = keras_side.check_adam_eps(lambda epsilon, beta_2, step: returned)
    assert (
        result.message
        == f"torch_eps(1e-07, 0.999, 1) should return a finite number; got {returned!r}."
    )


def test_train_returning_one_loss_asks_for_the_list():
    def train(model, optimizer, X, y, steps):
        for _ in range(steps):
            loss = F.mse_loss(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item()

    result = loop.check_train(train)
    assert result.status == "wrong"
    assert result.message == "the parameters are right; now return the list of the 10 losses too."
