"""An exercise check answers in plain words, whatever it is given: an answer that returns junk,
raises, or mutates what it was handed gets one of the check's marks and a sentence, never a
traceback out of the check, and never "correct"."""

import math
from contextlib import suppress

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_checks_answer_types import CHECKS
from test_checks_lessons_01_03 import ALGORITHMS, LOOP
from torch import nn
from torch.optim import lr_scheduler

from lessons import gan
from lessons.checks import (
    MARKS,
    Result,
    algorithms,
    groups,
    hyperparameters,
    keras_side,
    loop,
    scheduling,
    transfer,
)

NUMBERS = st.sampled_from(
    [0, -1, 3, 10**400, -(10**400), 1e308, -1e-9, math.nan, math.inf, -math.inf, True, 2j]
)


@st.composite
def tensors(draw):
    """float32/64, int and bool tensors of odd shapes, some not finite, some with a grad_fn."""
    shape = draw(st.sampled_from([(), (1,), (2,), (3,), (5,), (31,), (31, 1), (2, 3)]))
    fill = draw(st.sampled_from([0.0, 1e-3, 2.0, math.nan, math.inf, 1e308]))
    tensor = torch.full(shape, fill, dtype=torch.float64)
    tensor = tensor.to(
        draw(st.sampled_from([torch.float32, torch.int64, torch.bool, tensor.dtype]))
    )
    if tensor.is_floating_point() and draw(st.booleans()):
        tensor = tensor.requires_grad_() * 1
    return tensor


class Trap:
    """A value that raises whenever a check compares, converts, formats or iterates it."""

    def _raise(self, *args):
        raise RuntimeError("a trap")

    __eq__ = __lt__ = __gt__ = __bool__ = __float__ = __len__ = __iter__ = __format__ = _raise
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __call__ = _raise
    __hash__ = object.__hash__

    def __repr__(self):
        return "Trap()"


VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.text(max_size=3),
        NUMBERS,
        tensors(),
        tensors().map(torch.Tensor.tolist),
        st.builds(Trap),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, inner), st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)
    ),
    max_leaves=4,
)
ERRORS = st.sampled_from([ValueError, TypeError, RuntimeError, KeyError, StopIteration, OSError])


def mutations(value, data):
    """Ways an answer can spoil an argument it was handed."""
    if isinstance(value, torch.Tensor):
        return [
            lambda t: t.data.fill_(math.nan),
            lambda t: t.data.mul_(math.inf),
            lambda t: t.requires_grad_(not t.requires_grad),
            lambda t: setattr(t, "data", t.data.float()),
            lambda t: setattr(t, "data", torch.zeros(7, dtype=t.dtype)),
        ]
    if isinstance(value, torch.optim.Optimizer):
        return [
            lambda o: o.param_groups.append({"params": []}),
            lambda o: o.param_groups[0].update(lr=data.draw(VALUES)),
            lambda o: o.param_groups.clear(),
            lambda o: o.add_param_group({"params": [torch.zeros(2, requires_grad=True)]}),
        ]
    if isinstance(value, nn.Module):
        return [
            lambda m: m.requires_grad_(False),
            lambda m: m.register_forward_hook(lambda *_: data.draw(VALUES)),
            lambda m: m.to(data.draw(st.sampled_from([torch.float32, torch.float64]))),
            lambda m: setattr(m, next(name for name, _ in m.named_children()), nn.Identity()),
        ]
    if isinstance(value, dict):
        return [dict.clear, lambda d: d.update(dict.fromkeys(d, data.draw(VALUES)))]
    if isinstance(value, list):
        return [list.clear, list.reverse, lambda items: items.append(data.draw(VALUES))]
    return []


def junk_answer(data):
    """An answer that spoils what it is handed, then raises or returns junk; or junk itself."""

    def answer(*args):
        for arg in args:
            spoilers = mutations(arg, data)
            for spoil in data.draw(
                st.lists(st.sampled_from(spoilers), max_size=2) if spoilers else st.just([])
            ):
                with suppress(Exception):
                    spoil(arg)
        outcome = data.draw(st.sampled_from(["return", "raise", "echo", "scheduler"]))
        if outcome == "raise":
            raise data.draw(ERRORS)("junk")
        if outcome == "echo" and args:
            return data.draw(st.sampled_from(args))
        if outcome == "scheduler" and args and isinstance(args[0], torch.optim.Optimizer):
            return lr_scheduler.LambdaLR(args[0], lambda step: data.draw(VALUES))
        return data.draw(VALUES)

    return data.draw(st.one_of(st.just(answer), VALUES))


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_check_answers_junk_with_a_mark_and_a_sentence(check, data):
    result = check(junk_answer(data))
    assert isinstance(result, Result) and result.status in MARKS, result
    assert result.status != "correct", result
    assert result.message.endswith((".", "?")) and "Traceback" not in result.message, result


# The causes issue 11 found, each now with a message that names it ----------------------------


def assert_wrong(result, *phrases):
    assert result.status == "wrong", result
    for phrase in phrases:
        assert phrase in result.message, result.message


@pytest.mark.parametrize("lr", [math.inf, 1e308, math.nan, 10**400, True])
def test_max_stable_lr_never_passes_an_lr_whose_run_is_not_finite(lr):
    assert_wrong(hyperparameters.check_max_stable_lr(lambda h: lr))


def test_max_stable_lr_says_a_huge_lr_diverges():
    assert_wrong(hyperparameters.check_max_stable_lr(lambda h: 1e308), "fails to converge")


def test_adam_eps_asks_for_a_finite_number_not_a_huge_int():
    result = keras_side.check_adam_eps(lambda epsilon, beta_2, step: 10**400)
    assert_wrong(result, "should return a finite number", "...")


def test_range_lrs_names_a_column_shape():
    def column(start_lr, end_lr, num_steps):
        ratio = (end_lr / start_lr) ** (1 / (num_steps - 1))
        return [[start_lr * ratio**t] for t in range(num_steps)]

    assert_wrong(hyperparameters.check_range_lrs(column), "shape (31,), not (31, 1)")


def test_logistic_grads_names_a_float32_sum():
    def hand_loop(X, y, w, b):
        grad_w, grad_b = torch.zeros(3), torch.zeros(())
        for x_i, y_i in zip(X, y, strict=True):
            error = torch.sigmoid(x_i @ w + b) - y_i
            grad_w += x_i * error / len(X)
            grad_b += error / len(X)
        return grad_w, grad_b

    assert_wrong(loop.check_logistic_grads(hand_loop), "grad_w", "torch.float64", "torch.float32")


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_logistic_grads_names_an_int_or_bool_answer(dtype):
    def rounded(X, y, w, b):
        return torch.zeros(3, dtype=dtype), torch.zeros((), dtype=dtype)

    assert_wrong(loop.check_logistic_grads(rounded), "grad_w", str(dtype))


def test_train_names_a_model_turned_float32():
    def train(model, optimizer, X, y, steps):
        losses = LOOP.train(model, optimizer, X, y, steps)
        model.float()
        return losses

    assert_wrong(loop.check_train(train), "the model's parameters", "torch.float32")


def test_sgd_step_names_a_float32_parameter():
    def sgd_step(params, lr):
        for p in params:
            p.data = (p - lr * p.grad).float()

    assert_wrong(loop.check_sgd_step(sgd_step), "torch.float64", "torch.float32")


def test_sgd_step_names_requires_grad_turned_off():
    def sgd_step(params, lr):
        for p in params:
            p.requires_grad_(False)
            p -= lr * p.grad

    assert_wrong(loop.check_sgd_step(sgd_step), "requires_grad", "torch.no_grad()")


def test_momentum_update_names_a_float32_parameter():
    def to_float32(param, grad, momentum_buffer, lr, momentum):
        ALGORITHMS.momentum_update(param, grad, momentum_buffer, lr, momentum)
        param.data = param.data.float()

    assert_wrong(algorithms.check_momentum_update(to_float32), "after step 1", "torch.float32")


def test_momentum_update_off_by_5e_9_near_zero_says_where_it_parts():
    def nudged(param, grad, momentum_buffer, lr, momentum):
        ALGORITHMS.momentum_update(param, grad, momentum_buffer, lr, momentum)
        param.add_(5e-9)

    assert_wrong(algorithms.check_momentum_update(nudged), "parts from torch's at step 6", "3e-08")


def test_decoupled_decay_names_a_float32_parameter():
    def to_float32(param, lr, weight_decay):
        param.data = param.data.float() * (1 - lr * weight_decay)

    assert_wrong(hyperparameters.check_decoupled_decay(to_float32), "torch.float32")


def test_gan_round_names_a_network_turned_float64():
    def gan_round(G, D, opt_g, opt_d, real, z):
        gan.d_step(G, D, opt_d, real, z)
        gan.g_step(G, D, opt_g, z)
        G.double()

    assert_wrong(groups.check_gan_round(gan_round), "G.0.weight", "torch.float64")


def test_new_head_reports_a_forward_pass_that_fails():
    def float64_head(model, n_classes):
        model.head = nn.Linear(288, n_classes, dtype=torch.float64)
        return model

    assert_wrong(transfer.check_new_head(float64_head), "forward pass raised RuntimeError")


def test_frozen_features_reports_a_training_step_that_fails():
    def float64_head(model, lr):
        model.body.requires_grad_(False)
        model.head.double()
        return torch.optim.SGD(model.head.parameters(), lr=lr)

    assert_wrong(transfer.check_frozen_features(float64_head), "training step", "RuntimeError")


def test_frozen_features_accepts_lbfgs():
    def lbfgs(model, lr):
        model.body.requires_grad_(False)
        return torch.optim.LBFGS(model.head.parameters(), lr=lr)

    assert transfer.check_frozen_features(lbfgs)


def test_unfreeze_names_a_dict_appended_to_param_groups():
    def appended(optimizer, module, lr):
        module.requires_grad_(True)
        optimizer.param_groups.append({"params": list(module.parameters()), "lr": lr})

    assert_wrong(groups.check_unfreeze(appended), "add_param_group")


LR_JUNK = ["1e-3", None, torch.tensor(1e-3, requires_grad=True) * 1]


@pytest.mark.parametrize("lr", LR_JUNK, ids=["str", "None", "tensor with grad"])
def test_cnn_groups_shows_an_lr_that_is_not_a_number(lr):
    def make_groups(model):
        return [{"params": model.parameters(), "lr": lr}]

    assert_wrong(groups.check_cnn_groups(make_groups), "gets lr", "it belongs at")


@pytest.mark.parametrize("lr", LR_JUNK, ids=["str", "None", "tensor with grad"])
def test_unfreeze_shows_an_lr_that_is_not_a_number(lr):
    def unfreeze(optimizer, module, lr_):
        module.requires_grad_(True)
        optimizer.add_param_group({"params": module.parameters(), "lr": lr})

    assert_wrong(groups.check_unfreeze(unfreeze), "the new group's lr is", "0.001")


@pytest.mark.parametrize("lr", LR_JUNK, ids=["str", "None", "tensor with grad"])
def test_layerwise_groups_shows_an_lr_that_is_not_a_number(lr):
    def make_groups(model, head_lr, factor):
        return [{"params": model.parameters(), "lr": lr}]

    assert_wrong(transfer.check_layerwise_groups(make_groups), "gets lr", "it should get")


def test_warmup_lambda_shows_a_factor_that_is_a_tensor_with_grad():
    def tensor_factor(step):
        return torch.tensor(min(1.0, (step + 1) / 10), requires_grad=True) * 1

    assert_wrong(scheduling.check_warmup_lambda(tensor_factor), "at step 0 the lr is tensor(")


GRAD_GAMMA = torch.tensor(0.1, requires_grad=True)


@pytest.mark.parametrize(
    ("check", "make_scheduler"),
    [
        (
            keras_side.check_piecewise,
            lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[31, 61], gamma=GRAD_GAMMA * 1),
        ),
        (
            keras_side.check_cosine_decay,
            lambda opt: lr_scheduler.LambdaLR(opt, lambda t: GRAD_GAMMA * 0 + 1),
        ),
        (
            scheduling.check_warmup_cosine,
            lambda opt: lr_scheduler.LambdaLR(opt, lambda t: GRAD_GAMMA * 0 + 1),
        ),
    ],
    ids=["piecewise", "cosine_decay", "warmup_cosine"],
)
def test_schedules_show_an_lr_that_is_a_tensor_with_grad(check, make_scheduler):
    assert_wrong(check(make_scheduler), "the lr is tensor(", "not a plain, finite number")
