"""Adafactor and Muon against torch.optim 2.13; Lion and Schedule-Free against their packages.

Built on the harness of tests/test_optim.py (training loop, gradients, state comparison).
"""

import functools
import inspect
import math
import types

import lion_pytorch
import pytest
import schedulefree
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_optim import (
    BAD_NUMBERS,
    SCHEDULERS,
    SHAPES,
    STEPS,
    TOL,
    TORCH_ONLY,
    assert_same,
    beta,
    checkpoint,
    decay,
    eps,
    fill_grads,
    flag,
    initial_values,
    max_diff,
    numeric_args,
    train,
    train_under,
    twins,
)
from torch.optim._muon import _zeropower_via_newtonschulz

import lessons.optim
from lessons.keras_backend import keras
from lessons.memory import state_bytes_per_param

NAMES = ["Adafactor", "Muon", "Lion", "ScheduleFreeAdamW"]
# What each twin is tested equal to: torch's default path, or the package it follows.
REFERENCE = types.SimpleNamespace(
    Adafactor=functools.partial(torch.optim.Adafactor, foreach=False),
    Muon=torch.optim.Muon,
    Lion=lion_pytorch.Lion,
    ScheduleFreeAdamW=schedulefree.AdamWScheduleFreeReference,
)
MATRICES = [[(3, 4), (5, 2)], [(4, 4), (2, 6)]]  # Muon takes 2-D parameters only
SHAPES_OF = {"Adafactor": SHAPES, "Muon": MATRICES, "Lion": SHAPES, "ScheduleFreeAdamW": SHAPES}

KWARGS = {
    "Adafactor": st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.3),
            beta2_decay=st.floats(-1.0, 0.0),
            eps=st.tuples(st.none() | st.floats(1e-30, 1e-3), st.floats(1e-5, 1e-2)),
            d=st.floats(1.0, 4.0),
            weight_decay=decay,
            maximize=flag,
        )
    ),
    "Muon": st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            weight_decay=decay,
            momentum=st.floats(0.0, 0.99),
            nesterov=flag,
            ns_coefficients=st.sampled_from([(3.4445, -4.7750, 2.0315), (1.5, -0.5, 0.0)]),
            eps=st.floats(1e-9, 1e-5),
            ns_steps=st.integers(1, 6),
            adjust_lr_fn=st.sampled_from([None, "original", "match_rms_adamw"]),
        )
    ),
    "Lion": st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-5, 0.03),
            betas=st.tuples(beta, beta),
            weight_decay=decay,
            decoupled_weight_decay=flag,
        )
    ),
    "ScheduleFreeAdamW": st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            betas=st.tuples(beta, beta),
            eps=eps,
            weight_decay=decay,
            warmup_steps=st.integers(0, 10),
            r=st.floats(0.0, 2.0),
            weight_lr_power=st.floats(0.0, 3.0),
            decay_at_z=flag,
        )
    ),
}
CONSTRUCTOR_ONLY = {"decoupled_weight_decay"}  # Lion's: an attribute, not a group setting
FULL = {
    "Adafactor": dict(lr=0.05, weight_decay=0.01),
    "Muon": dict(lr=0.02, nesterov=True, adjust_lr_fn="match_rms_adamw"),
    "Lion": dict(lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True),
    "ScheduleFreeAdamW": dict(lr=0.01, weight_decay=0.01, warmup_steps=5),
}


def start(pairs):
    """Schedule-Free optimizers start in eval mode: switch them to training."""
    for opt, _ in pairs:
        if hasattr(opt, "train"):
            opt.train()
    return pairs


def modern_twins(name, dtype, kwargs0, kwargs1=None):
    shapes = SHAPES_OF[name]
    return start(twins(name, dtype, kwargs0, kwargs1, shapes=shapes, reference=REFERENCE))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_parity_random_hyperparameters(name, dtype):
    @settings(max_examples=8, deadline=None, derandomize=True)
    @given(KWARGS[name], KWARGS[name])
    def check(kwargs0, kwargs1):
        kwargs1 = {k: v for k, v in kwargs1.items() if k not in CONSTRUCTOR_ONLY}
        ours, theirs = modern_twins(name, dtype, kwargs0, kwargs1)
        for opt, params in (ours, theirs):
            train(opt, params, STEPS, lr_change_at=STEPS // 2)
        assert_same(ours, theirs, TOL[dtype])

    check()


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
@pytest.mark.parametrize("name", NAMES)
def test_parity_under_every_scheduler(name, scheduler):
    pairs = modern_twins(name, torch.float64, FULL[name], {"lr": FULL[name]["lr"] / 2})
    assert len(set(train_under(scheduler, pairs))) > 1  # the schedule did move the lr
    assert_same(*pairs, TOL[torch.float64])


def resumed(saved_by, loaded_by, name, stop=12):
    """`stop` steps with one implementation, then on from its checkpoint with the other."""
    params = [v.requires_grad_() for g in initial_values(torch.float32, SHAPES_OF[name]) for v in g]
    opt = getattr(saved_by, name)(params, **FULL[name])
    start([(opt, params)])
    train(opt, params, stop)
    saved = checkpoint(opt)
    fresh = [p.detach().clone().requires_grad_() for p in params]
    opt = getattr(loaded_by, name)(fresh, **FULL[name])
    opt.load_state_dict(saved)
    train(opt, fresh, STEPS - stop, start=stop)
    return opt, fresh


@pytest.mark.parametrize("name", NAMES)
def test_resume_from_state_dict_is_identical(name):
    whole = resumed(lessons.optim, lessons.optim, name, stop=STEPS)
    for saved_by, loaded_by in [
        (lessons.optim, lessons.optim),
        (REFERENCE, lessons.optim),
        (lessons.optim, REFERENCE),
    ]:
        assert_same(whole, resumed(saved_by, loaded_by, name), tol=0.0)


def signature(cls):
    """Argument names and defaults, less torch's path switches (foreach and the like)."""
    cls = getattr(cls, "func", cls)  # through functools.partial
    parameters = inspect.signature(cls).parameters.items()
    return {a: s.default for a, s in parameters if a not in TORCH_ONLY}


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_defaults_are_the_references(name):
    ours, theirs = signature(getattr(lessons.optim, name)), signature(getattr(REFERENCE, name))
    assert list(ours.items()) == list(theirs.items())
    shape = SHAPES_OF[name][0][0]
    fixed = getattr(getattr(REFERENCE, name), "keywords", {})  # what a partial reference sets
    ours = getattr(lessons.optim, name)([torch.zeros(shape, requires_grad=True)], **fixed)
    theirs = getattr(REFERENCE, name)([torch.zeros(shape, requires_grad=True)])
    assert ours.defaults == {k: v for k, v in theirs.defaults.items() if k not in TORCH_ONLY}


def outcome(module, name, kwargs, shape=(2, 2)):
    """Construct with kwargs, then take one step: torch checks some values only when stepping."""
    try:
        p = torch.ones(shape, requires_grad=True)
        opt = getattr(module, name)([p], **kwargs)
        start([(opt, [p])])
        p.grad = torch.full_like(p, 0.5)
        opt.step()
    except Exception as error:  # the type is part of what we compare
        return type(error), str(error)
    return "accepted"


BAD_EPS = [(-1e-30, 1e-3), (math.nan, 1e-3), (None, -1.0), (None, math.nan), (1e-30, -math.inf)]
BAD_TORCH = (
    [(n, {arg: v}) for n in ("Adafactor", "Muon") for arg in numeric_args(n) for v in BAD_NUMBERS]
    + [("Adafactor", {"eps": e}) for e in BAD_EPS]
    + [("Adafactor", {"lr": torch.tensor([0.1, 0.2])}), ("Muon", {"lr": torch.tensor(-0.1)})]
    + [("Muon", {"adjust_lr_fn": "spectral"}), ("Muon", {"ns_steps": 100})]
    + [("Muon", {"ns_coefficients": (1.0, 2.0)}), ("Muon", {"nesterov": False})]
)


@pytest.mark.parametrize(("name", "kwargs"), BAD_TORCH, ids=[f"{n}-{kw}" for n, kw in BAD_TORCH])
def test_arguments_rejected_exactly_as_torch(name, kwargs):
    assert outcome(lessons.optim, name, kwargs) == outcome(REFERENCE, name, kwargs)


def test_bad_tables_reject_something_for_every_argument_torch_checks():
    rejected = {
        (n, a) for n, kw in BAD_TORCH for a in kw if outcome(torch.optim, n, kw) != "accepted"
    }
    assert rejected >= {("Adafactor", a) for a in ("lr", "beta2_decay", "eps", "d", "weight_decay")}
    assert rejected >= {("Muon", a) for a in ("lr", "momentum", "weight_decay", "adjust_lr_fn")}
    assert rejected >= {("Muon", "ns_steps"), ("Muon", "ns_coefficients")}


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2), ()])
def test_muon_refuses_what_is_not_a_matrix(shape):
    assert outcome(lessons.optim, "Muon", {}, shape) == outcome(torch.optim, "Muon", {}, shape)
    assert outcome(lessons.optim, "Muon", {}, shape)[0] is ValueError


def test_muon_step_time_checks_change_nothing():
    """torch raises for ns_steps >= 100 after moving the momentum buffer; here nothing moves."""
    buffers = []
    for module in (lessons.optim, torch.optim):
        p = torch.ones(2, 3, requires_grad=True)
        opt = module.Muon([p], ns_steps=100)
        p.grad = torch.full_like(p, 0.5)
        with pytest.raises(ValueError, match="less than 100"):
            opt.step()
        assert torch.equal(p, torch.ones(2, 3))
        buffers.append(opt.state[p]["momentum_buffer"])
    assert torch.equal(buffers[0], torch.zeros(2, 3))
    assert not torch.equal(buffers[1], torch.zeros(2, 3))


LION_BAD = [
    {"lr": 0.0},
    {"lr": -1e-3},
    {"lr": math.nan},
    {"betas": (-0.1, 0.99)},
    {"betas": (0.9, 1.5)},
    {"betas": (math.nan, 0.99)},
]


@pytest.mark.parametrize("kwargs", LION_BAD, ids=str)
def test_lion_refuses_what_lion_pytorch_refuses_with_a_value_error(kwargs):
    assert outcome(lion_pytorch, "Lion", kwargs)[0] is AssertionError
    assert outcome(lessons.optim, "Lion", kwargs)[0] is ValueError


def test_lion_edges_and_its_own_checks():
    for kwargs in ({"betas": (0.0, 1.0)}, {"lr": 1e-12}, {"weight_decay": 0.0}):
        assert outcome(lessons.optim, "Lion", kwargs) == outcome(lion_pytorch, "Lion", kwargs)
    for kwargs in ({"weight_decay": -0.1}, {"use_triton": True}):  # lion-pytorch goes on
        assert outcome(lessons.optim, "Lion", kwargs)[0] is ValueError


SF_BAD = [
    ({"lr": -0.1}, "Invalid learning rate: -0.1"),
    ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ({"weight_decay": math.nan}, "Invalid weight_decay value: nan"),
    ({"warmup_steps": -1}, "Invalid warmup_steps value: -1"),
    ({"warmup_steps": 2.5}, "Invalid warmup_steps value: 2.5"),
    ({"r": -1.0}, "Invalid r value: -1.0"),
    ({"weight_lr_power": math.nan}, "Invalid weight_lr_power value: nan"),
]


@pytest.mark.parametrize(("kwargs", "message"), SF_BAD, ids=[str(kw) for kw, _ in SF_BAD])
def test_schedule_free_checks_what_the_package_lets_through(kwargs, message):
    assert outcome(REFERENCE, "ScheduleFreeAdamW", kwargs) == "accepted"
    error, text = outcome(lessons.optim, "ScheduleFreeAdamW", kwargs)
    assert error is ValueError and text.startswith(message)


@pytest.mark.parametrize("name", NAMES)
def test_params_without_grad_are_left_alone(name):
    runs = []
    for module in (lessons.optim, REFERENCE):
        used, no_grad = torch.ones(3, 2, requires_grad=True), torch.ones(3, 2, requires_grad=True)
        frozen = torch.ones(3, 2)
        opt = getattr(module, name)([used, no_grad, frozen], **FULL[name])
        start([(opt, [])])
        for _ in range(3):
            used.grad = torch.full_like(used, 0.5)
            opt.step()
        assert torch.equal(no_grad, torch.ones(3, 2)) and torch.equal(frozen, torch.ones(3, 2))
        runs.append((opt, [used, no_grad, frozen]))
    assert [id(p) for p, state in runs[0][0].state.items() if state] == [id(runs[0][1][0])]
    assert_same(*runs, tol=0.0)


def test_adafactor_eps1_is_the_first_grad_params_dtype_for_the_whole_group():
    """A float32 parameter first: torch uses float32's eps (1.2e-7) for the float64 one too."""
    runs = []
    for module in (lessons.optim, REFERENCE):
        a = torch.zeros(3, 4, requires_grad=True)
        b = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
        opt = module.Adafactor([a, b], lr=0.1)
        for t in range(5):
            fill_grads([a, b], t)
            b.grad[0] = 0.0  # a zero row: eps1 sets its denominator
            opt.step()
        runs.append((opt, [a, b]))
    assert_same(*runs, tol=0.0)
    alone = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
    opt = lessons.optim.Adafactor([alone], lr=0.1)
    for t in range(5):
        fill_grads([alone], t)
        alone.grad[0] = 0.0
        opt.step()
    assert max_diff(alone, runs[0][1][1]) > 1e-6  # float64's eps alone gives another result


def test_muon_newton_schulz_is_torchs_and_the_op_order_matters():
    gen = torch.Generator().manual_seed(0)
    coefficients = (3.4445, -4.7750, 2.0315)
    for shape in [(8, 8), (16, 32), (32, 16)]:
        grad = torch.randn(shape, generator=gen)
        ours = lessons.optim.newton_schulz(grad, coefficients, 5, 1e-7)
        assert torch.equal(ours, _zeropower_via_newtonschulz(grad, coefficients, 5, 1e-7))
        singular = torch.linalg.svdvals(ours.double())
        assert 0.5 < singular.min() and singular.max() < 1.5  # near 1, not exactly 1
        a, b, c = coefficients
        X = grad.bfloat16().T if shape[0] > shape[1] else grad.bfloat16()
        X = X / X.norm()
        for _ in range(5):
            A = X @ X.T
            X = a * X + (b * A + c * (A @ A)) @ X  # the same formula, other roundings
        X = X.T if shape[0] > shape[1] else X
        assert max_diff(ours, X) > 1e-3


@pytest.mark.parametrize("nesterov", [True, False])
def test_muon_bfloat16_momentum_buffer(nesterov):
    """torch 2.13, bfloat16, nesterov=False: it divides its momentum buffer in place; ours not."""
    (ours, params), (theirs, torch_params) = modern_twins(
        "Muon", torch.bfloat16, dict(lr=0.02, nesterov=nesterov, momentum=0.9)
    )
    fill_grads(params, 0)
    fill_grads(torch_params, 0)
    grad = params[0].grad.clone()
    ours.step()
    theirs.step()
    buffer = ours.state[params[0]]["momentum_buffer"]
    assert torch.equal(buffer, torch.zeros_like(grad).lerp_(grad, 1 - 0.9))  # (1 − μ)·g
    torch_buffer = theirs.state[torch_params[0]]["momentum_buffer"]
    if nesterov:
        assert_same((ours, params), (theirs, torch_params), tol=0.0)
    else:
        assert max_diff(buffer, torch_buffer) > 0.01  # torch's: (1 − μ)·g / ‖(1 − μ)·g‖


def test_bytes_per_param():
    gen = torch.Generator().manual_seed(0)
    sizes = {}
    for name, kwargs in [("Muon", {}), ("Lion", {}), ("Adafactor", {}), ("Adam", {})]:
        w = torch.randn(64, 32, generator=gen, requires_grad=True)
        opt = getattr(lessons.optim, name)([w], **kwargs)
        w.grad = torch.randn(64, 32, generator=gen)
        opt.step()
        sizes[name] = state_bytes_per_param(opt)
    assert sizes["Muon"] == 4.0 and sizes["Lion"] == 4.0  # one float32 buffer, no step counter
    assert sizes["Adam"] == pytest.approx(8.0, abs=0.01)
    assert sizes["Adafactor"] < sizes["Adam"] / 20  # (64 + 32)·4 B + a step counter
    assert sizes["Adafactor"] == ((64 + 32) * 4 + 4) / (64 * 32)


def keras_run(optimizer, dtype, steps=STEPS):
    """Keras on the parameters and gradients `train` uses; returns the final values."""
    variables = [keras().Variable(v) for g in initial_values(dtype) for v in g]
    for t in range(steps):
        values = [v.value.detach().clone() for v in variables]
        fill_grads(values, t)
        optimizer.apply([v.grad for v in values], variables)
    return [v.value.detach().clone() for v in variables]


@pytest.mark.parametrize("weight_decay", [None, 0.1])
def test_lion_equals_keras_lion(weight_decay):
    """Keras's Lion, float32: equal bit for bit (its default lr is 1e-3, lion-pytorch's 1e-4)."""
    assert signature(keras().optimizers.Lion)["learning_rate"] == 1e-3
    assert signature(lessons.optim.Lion)["lr"] == 1e-4
    kwargs = dict(lr=1e-3, betas=(0.9, 0.99), weight_decay=weight_decay or 0.0)
    (opt, params), _ = modern_twins("Lion", torch.float32, kwargs)
    train(opt, params, STEPS)
    keras_lion = keras().optimizers.Lion(learning_rate=1e-3, weight_decay=weight_decay)
    for ours, theirs in zip(params, keras_run(keras_lion, torch.float32), strict=True):
        assert max_diff(ours, theirs) == 0.0


def package_run(**kwargs):
    """The schedulefree package's reference class on the parameters and gradients of `train`."""
    params = [v.requires_grad_() for g in initial_values(torch.float32) for v in g]
    opt = schedulefree.AdamWScheduleFreeReference(params, **kwargs)
    start([(opt, params)])
    train(opt, params, STEPS)
    return params


AT_X = dict(betas=(1.0, 0.999))  # gradients taken at the average x itself, not at y
KERAS_SF = {
    "interpolation": ({}, {}, AT_X),
    "averaging weights": ({"warmup_steps": 5}, {"warmup_steps": 5}, {"weight_lr_power": 0, **AT_X}),
    "weight decay": ({"weight_decay": 0.05}, {"weight_decay": 0.05}, None),
}


@pytest.mark.parametrize(
    ("keras_kwargs", "package_kwargs", "keras_equals"), KERAS_SF.values(), ids=list(KERAS_SF)
)
def test_keras_schedule_free_differs_from_the_package(keras_kwargs, package_kwargs, keras_equals):
    """Keras 3.15.1's ScheduleFreeAdamW, torch backend, float32, lr 0.01, 30 steps.

    interpolation: it recovers the old x from y and the old z, but `momentum.value`, read before
    `assign_sub`, shares z's storage and so holds the new z. The algebra then collapses to
    y ← (1 − 1/k)·y + z/k: the gradient is taken at the average, as with beta_1 = 1, whatever
    beta_1 is. averaging weights: it averages with weight 1/k; the package with lr_max² (they
    differ during warmup). weight decay: it shrinks the variable (y) by lr·λ; the package z.
    """
    keras_values = keras_run(
        keras().optimizers.ScheduleFreeAdamW(learning_rate=0.01, **keras_kwargs), torch.float32
    )
    package = package_run(lr=0.01, **package_kwargs)
    assert max(map(max_diff, keras_values, package)) > 1e-3
    if keras_equals is not None:
        what_keras_does = package_run(lr=0.01, **{**package_kwargs, **keras_equals})
        assert max(map(max_diff, keras_values, what_keras_does)) <= 1e-5


@pytest.mark.parametrize("name", NAMES)
def test_bit_for_bit_in_float32(name):
    """Same ops in the same order: not a rounding apart (torch's ‖g‖²/n, not mean(g·g))."""
    ours, theirs = modern_twins(name, torch.float32, FULL[name], {"lr": FULL[name]["lr"] / 2})
    for opt, params in (ours, theirs):
        train(opt, params, STEPS, lr_change_at=STEPS // 2)
    assert_same(ours, theirs, tol=0.0)


def test_schedule_free_train_and_eval_switch_the_weights():
    pairs = modern_twins("ScheduleFreeAdamW", torch.float32, FULL["ScheduleFreeAdamW"])
    for opt, params in pairs:
        train(opt, params, STEPS)
        y = [p.detach().clone() for p in params]
        assert all(torch.equal(p, opt.state[p]["y"]) for p in params)
        opt.eval()
        assert all(torch.equal(p, opt.state[p]["x"]) for p in params)
        assert all(max_diff(p, before) > 1e-4 for p, before in zip(params, y, strict=True))
        opt.eval()  # already evaluating: nothing moves
        assert all(torch.equal(p, opt.state[p]["x"]) for p in params)
        opt.train()
        assert all(torch.equal(p, before) for p, before in zip(params, y, strict=True))
        opt.eval()
    assert_same(*pairs, tol=0.0)
    (opt, params), _ = pairs
    saved, values = checkpoint(opt), [p.detach().clone() for p in params]
    with pytest.raises(RuntimeError, match="not in train mode"):
        opt.step()
    assert all(torch.equal(p, v) for p, v in zip(params, values, strict=True))
    after = opt.state_dict()
    assert after["param_groups"] == saved["param_groups"]  # k, lr_max, weight_sum unmoved
    for index, state in saved["state"].items():
        assert all(torch.equal(after["state"][index][key], v) for key, v in state.items())
