"""The closed-form curves in lessons.schedules against torch's schedulers and Keras' schedules."""

import inspect
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_schedulers import BASE_LRS, SPECS, STEPS, make_optimizer, run
from torch.optim import lr_scheduler as T
from torch.optim import swa_utils

from lessons import schedules as S

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

PER_GROUP = ("base_lr", "max_lr", "lr_lambda", "base_momentum", "max_momentum")
TORCH_CURVES = [name for name in S.CURVES if hasattr(T, name) and name not in ("SequentialLR",)] + [
    "CyclicLR(scale_fn)"
]


def curve_kwargs(fn, kw, group):
    """The scheduler's arguments as the curve takes them, for one param group."""
    params = inspect.signature(fn).parameters
    out = {k: v for k, v in kw.items() if k in params}
    for k in PER_GROUP:
        if isinstance(out.get(k), list):
            out[k] = out[k][group]
    if "base_lr" in params and "base_lr" not in out:
        out["base_lr"] = BASE_LRS[group]
    return out


def torch_sequence(name, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        opt = make_optimizer()
        return run(SPECS[name][1](T, opt, kw), opt)


@pytest.mark.parametrize("name", TORCH_CURVES)
def test_curve_equals_torch_sequence(name):
    curve = S.CURVES[name.split("(")[0]]
    momentum_curve = S.MOMENTUM_CURVES.get(name.split("(")[0])

    @settings(max_examples=15, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        theirs = torch_sequence(name, kw)
        for group in range(len(BASE_LRS)):
            lr = curve(np.arange(STEPS), **curve_kwargs(curve, kw, group))
            np.testing.assert_allclose(lr, theirs[:, 2 * group], rtol=1e-9, atol=1e-15)
            if momentum_curve is not None:
                m = momentum_curve(np.arange(STEPS), **curve_kwargs(momentum_curve, kw, group))
                np.testing.assert_allclose(m, theirs[:, 2 * group + 1], rtol=1e-9, atol=1e-15)

    check()


def test_registries_name_every_curve():
    assert set(S.MOMENTUM_CURVES) == {"CyclicLR", "OneCycleLR"}
    assert len(S.CURVES) == 21 and all(callable(fn) for fn in S.CURVES.values())


# --- recipes equal their torch compositions --------------------------------------------------


def sequential(opt, parts, milestones, steps):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        scheduler = T.SequentialLR(opt, parts, milestones)
        return run(scheduler, opt, steps=steps)[:, 0]


@settings(max_examples=20, deadline=None)
@given(
    warmup=st.integers(1, 40),
    decay=st.integers(1, 100),
    eta_min=st.floats(0, 0.01),
    start_factor=st.floats(1e-3, 1.0),
)
def test_warmup_cosine_equals_sequential_linear_then_cosine(warmup, decay, eta_min, start_factor):
    opt = make_optimizer()
    parts = [
        T.LinearLR(opt, start_factor=start_factor, total_iters=warmup),
        T.CosineAnnealingLR(opt, T_max=decay, eta_min=eta_min),
    ]
    theirs = sequential(opt, parts, [warmup], steps=warmup + 2 * decay)
    ours = S.warmup_cosine(
        np.arange(warmup + 2 * decay), BASE_LRS[0], warmup, warmup + decay, eta_min, start_factor
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


@settings(max_examples=20, deadline=None)
@given(
    warmup=st.integers(2, 30),
    stable=st.integers(1, 30),
    decay=st.integers(1, 40),
    eta_min=st.floats(0, 0.05),
)
def test_warmup_stable_decay_equals_sequential_linear_pieces(warmup, stable, decay, eta_min):
    opt = make_optimizer()
    base = BASE_LRS[0]
    parts = [
        T.LinearLR(opt, start_factor=1 / warmup, total_iters=warmup - 1),
        T.LinearLR(opt, start_factor=1.0, total_iters=1),
        T.LinearLR(opt, start_factor=1.0, end_factor=eta_min / base, total_iters=decay),
    ]
    steps = warmup + stable + decay + 10
    theirs = sequential(opt, parts, [warmup, warmup + stable], steps=steps)
    ours = S.warmup_stable_decay(np.arange(steps), base, warmup, stable, decay, eta_min)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


# --- Keras 3 ---------------------------------------------------------------------------------

positive = st.floats(0.01, 1.0)
KERAS = {
    "ExponentialDecay": st.fixed_dictionaries(
        {
            "initial_learning_rate": positive,
            "decay_steps": st.integers(1, 100),
            "decay_rate": st.floats(0.3, 0.99),
            "staircase": st.booleans(),
        }
    ),
    "PiecewiseConstantDecay": st.lists(st.integers(0, 300), min_size=1, max_size=4, unique=True)
    .map(sorted)
    .flatmap(
        lambda b: st.fixed_dictionaries(
            {
                "boundaries": st.just(b),
                "values": st.lists(positive, min_size=len(b) + 1, max_size=len(b) + 1),
            }
        )
    ),
    "PolynomialDecay": st.fixed_dictionaries(
        {
            "initial_learning_rate": positive,
            "decay_steps": st.integers(1, 150),
            "end_learning_rate": st.floats(0.0, 0.01),
            "power": st.floats(0.5, 3.0),
            "cycle": st.booleans(),
        }
    ),
    "InverseTimeDecay": st.fixed_dictionaries(
        {
            "initial_learning_rate": positive,
            "decay_steps": st.integers(1, 100),
            "decay_rate": st.floats(0.1, 2.0),
            "staircase": st.booleans(),
        }
    ),
    "CosineDecay": st.fixed_dictionaries(
        {
            "initial_learning_rate": positive,
            "decay_steps": st.integers(1, 200),
            "alpha": st.floats(0.0, 0.5),
            "warmup_target": st.none() | st.floats(0.5, 2.0),
            "warmup_steps": st.integers(0, 50),
        }
    ),
    "CosineDecayRestarts": st.fixed_dictionaries(
        {
            "initial_learning_rate": positive,
            "first_decay_steps": st.integers(1, 60),
            "t_mul": st.sampled_from([1.0, 1.5, 2.0, 3.0]),
            "m_mul": st.floats(0.5, 1.0),
            "alpha": st.floats(0.0, 0.3),
        }
    ),
}


@pytest.mark.parametrize("name", KERAS)
def test_keras_curve_equals_keras_schedule(name):
    steps = np.arange(250)

    @settings(max_examples=6, deadline=None)
    @given(kw=KERAS[name])
    def check(kw):
        schedule = getattr(keras.optimizers.schedules, name)(**kw)
        theirs = np.array([float(schedule(int(t))) for t in steps])
        ours = S.CURVES[name](steps, **kw)
        # Keras computes in float32: about 7 digits of the largest lr in the schedule
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6 * np.abs(theirs).max())

    check()


# --- shape, speed-critical vectorisation, validation -----------------------------------------


def test_curves_keep_the_shape_of_steps_and_agree_elementwise():
    grid = np.arange(12).reshape(3, 4)
    lr = S.one_cycle_lr(grid, 0.5, total_steps=12)
    assert lr.shape == (3, 4) and lr.dtype == np.float64
    assert lr[2, 3] == S.one_cycle_lr(11, 0.5, total_steps=12)
    assert np.shape(S.step_lr(7, 0.1, 3)) == ()


def test_fractional_epochs_for_warm_restarts_match_torch_step_epoch():
    opt = make_optimizer()
    scheduler = T.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
    for epoch in np.arange(0, 20, 0.25):
        scheduler.step(epoch)
        want = opt.param_groups[0]["lr"]
        got = S.cosine_annealing_warm_restarts(epoch, BASE_LRS[0], 3, 2, 0.001)
        assert got == pytest.approx(want, rel=1e-9)


INVALID = [
    (S.step_lr, {"base_lr": 0.1, "step_size": 0}, "step_size"),
    (S.step_lr, {"base_lr": -0.1, "step_size": 3}, "base_lr"),
    (S.multi_step_lr, {"base_lr": 0.1, "milestones": [3, -1]}, "milestones"),
    (S.constant_lr, {"base_lr": 0.1, "factor": 1.5}, "factor"),
    (S.constant_lr, {"base_lr": 0.1, "total_iters": 0}, "total_iters"),
    (S.linear_lr, {"base_lr": 0.1, "start_factor": 0.0}, "start_factor"),
    (S.linear_lr, {"base_lr": 0.1, "end_factor": 1.5}, "end_factor"),
    (S.exponential_lr, {"base_lr": 0.1, "gamma": -0.5}, "gamma"),
    (S.polynomial_lr, {"base_lr": 0.1, "power": -1.0}, "power"),
    (S.cosine_annealing_lr, {"base_lr": 0.1, "T_max": 0}, "T_max"),
    (S.cosine_annealing_warm_restarts, {"base_lr": 0.1, "T_0": 2.5}, "T_0"),
    (S.cosine_annealing_warm_restarts, {"base_lr": 0.1, "T_0": 5, "T_mult": 0}, "T_mult"),
    (S.cyclic_lr, {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}, "step_size_up"),
    (S.cyclic_lr, {"base_lr": 0.1, "max_lr": 1.0, "mode": "square"}, "mode"),
    (S.cyclic_lr, {"base_lr": 0.1, "max_lr": 1.0, "scale_mode": "epoch"}, "scale_mode"),
    (S.cyclic_momentum, {"step_size_down": -2}, "step_size_down"),
    (S.one_cycle_lr, {"max_lr": 0.1, "total_steps": 0}, "total_steps"),
    (S.one_cycle_lr, {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, "pct_start"),
    (S.one_cycle_lr, {"max_lr": 0.1, "total_steps": 20, "pct_start": 0.05}, "pct_start"),
    (S.one_cycle_lr, {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}, "anneal"),
    (S.one_cycle_momentum, {"total_steps": 20, "pct_start": 0.05, "three_phase": True}, "pct"),
    (S.lambda_lr, {"base_lr": 0.1, "lr_lambda": 0.5}, "lr_lambda"),
    (S.warmup_cosine, {"base_lr": 0.1, "warmup_steps": 10, "total_steps": 10}, "total_steps"),
    (
        S.warmup_stable_decay,
        {"base_lr": 0.1, "warmup_steps": 5, "stable_steps": 5, "decay_steps": 0},
        "decay_steps",
    ),  # noqa: E501
    (
        S.exponential_decay,
        {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
        "decay_steps",
    ),  # noqa: E501
    (S.piecewise_constant_decay, {"boundaries": [5], "values": [0.1]}, "boundaries"),
    (S.piecewise_constant_decay, {"boundaries": [5, 3], "values": [1, 2, 3]}, "boundaries"),
    (S.polynomial_decay, {"initial_learning_rate": 0.1, "decay_steps": -1}, "decay_steps"),
    (S.cosine_decay, {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 2.0}, "alpha"),
    (
        S.exponential_decay,
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": -0.5},
        "decay_rate must be a real number >= 0",
    ),
    (
        S.exponential_decay,
        {"initial_learning_rate": 0.1, "decay_steps": True, "decay_rate": 0.5},
        "decay_steps must be a real number > 0",
    ),
    (
        S.polynomial_decay,
        {"initial_learning_rate": 0.1, "decay_steps": float("inf")},
        "decay_steps must be a real number > 0",
    ),
    (
        S.cosine_decay_restarts,
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "alpha": 2.0},
        r"alpha must be in \[0, 1\]",
    ),
    (
        S.cosine_decay_restarts,
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 0},
        "t_mul",
    ),  # noqa: E501
]


@pytest.mark.parametrize("fn, kwargs, name", INVALID)
def test_invalid_argument_raises_value_error_naming_it(fn, kwargs, name):
    with pytest.raises(ValueError, match=name):
        fn(np.arange(20), **kwargs)


@pytest.mark.parametrize("steps", [-1, 2.5, [0, 1, -3], np.nan])
def test_invalid_steps_are_rejected(steps):
    with pytest.raises(ValueError, match="steps must be whole numbers >= 0"):
        S.exponential_lr(steps, 0.1, 0.9)


def test_one_cycle_curve_raises_torchs_error_past_total_steps():
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        S.one_cycle_lr(np.arange(12), 0.1, total_steps=10)


def test_one_cycle_lr_follows_explicit_end_points():
    t = np.arange(100)
    default = S.one_cycle_lr(t, 0.1, total_steps=100)
    explicit = S.one_cycle_lr(t, 0.1, total_steps=100, initial_lr=0.1 / 25, min_lr=0.004e-4)
    np.testing.assert_allclose(explicit, default, rtol=1e-12)
    edited = S.one_cycle_lr(t, 0.1, total_steps=100, initial_lr=0.01, min_lr=1e-3)
    assert edited[0] == pytest.approx(0.01, rel=1e-12)
    assert edited[-1] == pytest.approx(1e-3, rel=1e-12)
    assert edited.max() == pytest.approx(0.1, rel=1e-12)
    with pytest.raises(ValueError, match="initial_lr must be a real number >= 0, got -1"):
        S.one_cycle_lr(t, 0.1, total_steps=100, initial_lr=-1)
    with pytest.raises(ValueError, match="min_lr"):
        S.one_cycle_lr(t, 0.1, total_steps=100, min_lr=float("nan"))


# --- every curve: an array of steps is the steps one by one ----------------------------------


def control_values(control):
    """A hypothesis strategy for one control of a schedule entry, over its whole range."""
    if control.kind in ("log", "real"):
        return st.floats(control.low, control.high)
    if control.kind == "integer":
        return st.integers(control.low, control.high)
    if control.kind == "integer range":
        pair = st.tuples(
            st.integers(control.low, control.high), st.integers(control.low, control.high)
        )
        return pair.map(lambda p: tuple(sorted(p)))
    if control.kind == "choice":
        return st.sampled_from([o[1] if isinstance(o, tuple) else o for o in control.options])
    return st.booleans()


@pytest.mark.parametrize("name", list(S.SCHEDULES))
def test_every_curve_on_an_array_equals_the_curve_on_each_step_alone(name):
    entry = S.SCHEDULES[name]
    controls = {k: control_values(c) for k, c in entry.controls.items()}

    @settings(max_examples=40, deadline=None)
    @given(values=st.fixed_dictionaries(controls))
    def check(values):
        args = entry.arguments(values)
        for curve in filter(None, (entry.curve, entry.momentum_curve)):
            taken = {k: v for k, v in args.items() if k in inspect.signature(curve).parameters}
            # one step past the plot (OneCycleLR's t = total_steps), else up to the plot's end
            for last in (entry.length(values) + 1, entry.length(values)):
                try:
                    together = curve(np.arange(last + 1), **taken)
                    break
                except ValueError:
                    together = None  # a bad combination raises for the array
            if together is None:
                continue
            alone_at = np.unique(np.linspace(0, last, 30).round().astype(int))
            alone = [float(curve(int(step), **taken)) for step in alone_at]
            np.testing.assert_allclose(together[alone_at], alone, rtol=1e-9, atol=1e-15)

    check()


def test_one_cycle_three_phases_with_a_long_warmup_do_not_depend_on_other_steps():
    assert S.one_cycle_lr(3, 1.0, 3, 0.99, three_phase=True) == pytest.approx(0.4856, abs=1e-4)
    together = S.one_cycle_lr(np.arange(4), 1.0, 3, 0.99, three_phase=True)
    assert together[3] == S.one_cycle_lr(3, 1.0, 3, 0.99, three_phase=True)
    momentum = S.one_cycle_momentum(np.arange(4), 3, 0.99, three_phase=True)
    assert momentum[3] == S.one_cycle_momentum(3, 3, 0.99, three_phase=True)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: S.multi_step_lr(np.arange(9), 0.1, 5), "milestones must be a list"),
        (lambda: S.step_lr(np.array([1 + 2j]), 0.1, 3), "steps must be whole numbers"),
        (lambda: S.step_lr(1j, 0.1, 3), "steps must be whole numbers"),
        (lambda: S.step_lr(np.array([object()]), 0.1, 3), "steps must be whole numbers"),
        (lambda: S.cosine_decay(["3"], 0.1, 10), "steps must be whole numbers"),
    ],
)
def test_odd_steps_and_scalar_milestones_raise_value_error_naming_them(call, words):
    with pytest.raises(ValueError, match=words):
        call()


@settings(max_examples=30, deadline=None)
@given(
    swa_lr=st.floats(1e-4, 0.5),
    anneal_epochs=st.integers(0, 40),
    anneal_strategy=st.sampled_from(["cos", "linear"]),
)
def test_swalr_curve_equals_torch_swalr(swa_lr, anneal_epochs, anneal_strategy):
    opt = make_optimizer()
    kw = dict(swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=anneal_strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs = run(swa_utils.SWALR(opt, **kw), opt)
    for group, base_lr in enumerate(BASE_LRS):
        ours = S.swalr(np.arange(STEPS), base_lr, **kw)
        np.testing.assert_allclose(ours, theirs[:, 2 * group], rtol=1e-9, atol=1e-15)
