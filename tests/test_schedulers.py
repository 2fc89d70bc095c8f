"""The scheduler twins in lessons.schedulers against torch.optim.lr_scheduler, step by step."""

import copy
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as T

import lessons.schedulers as L
from lessons.optim import SGD as ScratchSGD

STEPS = 100
BASE_LRS = (0.1, 0.03)
floats = st.floats
lambdas = st.sampled_from(
    [lambda e: 1 / (1 + e), lambda e: 0.97**e, lambda e: 1.0 if e < 20 else 0.2, lambda e: 1.01]
)
per_group = st.tuples


def make_optimizer(kind="sgd"):
    torch.manual_seed(0)
    groups = [{"params": [torch.nn.Parameter(torch.randn(2))], "lr": lr} for lr in BASE_LRS]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=0.1)
    if kind == "scratch":
        return ScratchSGD(groups, lr=0.1, momentum=0.9)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


# name -> (strategy for the keyword arguments, builder from a scheduler module)
SPECS = {
    "StepLR": (
        st.fixed_dictionaries({"step_size": st.integers(1, 30), "gamma": floats(0.1, 1.2)}),
        lambda M, opt, kw: M.StepLR(opt, **kw),
    ),
    "MultiStepLR": (
        st.fixed_dictionaries(
            {"milestones": st.lists(st.integers(0, 120), max_size=5), "gamma": floats(0.1, 1.2)}
        ),
        lambda M, opt, kw: M.MultiStepLR(opt, **kw),
    ),
    "ConstantLR": (
        st.fixed_dictionaries({"factor": floats(0.01, 1.0), "total_iters": st.integers(1, 150)}),
        lambda M, opt, kw: M.ConstantLR(opt, **kw),
    ),
    "LinearLR": (
        st.fixed_dictionaries(
            {
                "start_factor": floats(0.01, 1.0),
                "end_factor": floats(0.0, 1.0),
                "total_iters": st.integers(1, 150),
            }
        ),
        lambda M, opt, kw: M.LinearLR(opt, **kw),
    ),
    "ExponentialLR": (
        st.fixed_dictionaries({"gamma": floats(0.8, 1.05)}),
        lambda M, opt, kw: M.ExponentialLR(opt, **kw),
    ),
    "PolynomialLR": (
        st.fixed_dictionaries({"total_iters": st.integers(1, 150), "power": floats(0.0, 3.0)}),
        lambda M, opt, kw: M.PolynomialLR(opt, **kw),
    ),
    "CosineAnnealingLR": (
        st.fixed_dictionaries({"T_max": st.integers(1, 200), "eta_min": floats(0.0, 0.01)}),
        lambda M, opt, kw: M.CosineAnnealingLR(opt, **kw),
    ),
    "CosineAnnealingWarmRestarts": (
        st.fixed_dictionaries(
            {"T_0": st.integers(1, 30), "T_mult": st.integers(1, 3), "eta_min": floats(0, 0.01)}
        ),
        lambda M, opt, kw: M.CosineAnnealingWarmRestarts(opt, **kw),
    ),
    "CyclicLR": (
        st.fixed_dictionaries(
            {
                "base_lr": per_group(floats(1e-3, 0.05), floats(1e-3, 0.05)).map(list),
                "max_lr": floats(0.06, 0.5),
                "step_size_up": st.integers(1, 40),
                "step_size_down": st.none() | st.integers(0, 40),
                "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
                "gamma": floats(0.9, 1.0),
                "base_momentum": floats(0.5, 0.8),
                "max_momentum": per_group(floats(0.85, 0.95), floats(0.85, 0.95)).map(list),
            }
        ),
        lambda M, opt, kw: M.CyclicLR(opt, **kw),
    ),
    "CyclicLR(scale_fn)": (
        st.fixed_dictionaries(
            {
                "base_lr": floats(1e-3, 0.05),
                "max_lr": floats(0.06, 0.5),
                "step_size_up": st.integers(1, 40),
                "scale_fn": st.sampled_from([lambda x: 1 / (1 + x), lambda x: 0.99**x]),
                "scale_mode": st.sampled_from(["cycle", "iterations"]),
            }
        ),
        lambda M, opt, kw: M.CyclicLR(opt, **kw),
    ),
    "OneCycleLR": (
        st.fixed_dictionaries(
            {
                "max_lr": per_group(floats(0.01, 1.0), floats(0.01, 1.0)).map(list),
                "total_steps": st.integers(STEPS, 300),
                "pct_start": floats(0.05, 0.95),
                "anneal_strategy": st.sampled_from(["cos", "linear"]),
                "div_factor": floats(2.0, 50.0),
                "final_div_factor": floats(10.0, 1e4),
                "three_phase": st.booleans(),
                "base_momentum": floats(0.5, 0.85),
            }
        ),
        lambda M, opt, kw: M.OneCycleLR(opt, **kw),
    ),
    "LambdaLR": (
        st.fixed_dictionaries({"lr_lambda": per_group(lambdas, lambdas).map(list)}),
        lambda M, opt, kw: M.LambdaLR(opt, **kw),
    ),
    "MultiplicativeLR": (
        st.fixed_dictionaries({"lr_lambda": lambdas}),
        lambda M, opt, kw: M.MultiplicativeLR(opt, **kw),
    ),
    "SequentialLR": (
        st.fixed_dictionaries(
            {
                "warmup": st.integers(1, 40),
                "milestone": st.integers(1, 60),
                "T_max": st.integers(5, 90),
            }
        ),
        lambda M, opt, kw: M.SequentialLR(
            opt,
            [
                M.LinearLR(opt, start_factor=0.01, total_iters=kw["warmup"]),
                M.CosineAnnealingLR(opt, T_max=kw["T_max"], eta_min=1e-3),
            ],
            milestones=[kw["milestone"]],
        ),
    ),
    "ChainedScheduler": (
        st.fixed_dictionaries({"factor": floats(0.1, 1.0), "gamma": floats(0.9, 1.0)}),
        lambda M, opt, kw: M.ChainedScheduler(
            [
                M.ConstantLR(opt, factor=kw["factor"], total_iters=7),
                M.ExponentialLR(opt, kw["gamma"]),
            ]
        ),
    ),
}


def momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run(scheduler, opt, steps=STEPS, edit_at=None):
    """lr and momentum of every group after construction and each step; an outside lr edit at
    ``edit_at`` (halving every group's lr) shows whether it persists."""
    rows = []
    for t in range(steps):
        rows.append([v for g in opt.param_groups for v in (g["lr"], momentum(g))])
        if t == edit_at:
            for g in opt.param_groups:
                g["lr"] *= 0.5
        opt.step()
        scheduler.step()
    return np.array(rows)


def assert_close(ours, theirs):
    """Relative 1e-9; torch's recursion may land 1e-18 off an exact 0, hence the tiny atol."""
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


def twin_and_torch(name, kw, kind, edit_at=None):
    _, build = SPECS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs_opt, ours_opt = make_optimizer(kind), make_optimizer(kind)
        theirs = run(build(T, theirs_opt, kw), theirs_opt, edit_at=edit_at)
        ours = run(build(L, ours_opt, kw), ours_opt, edit_at=edit_at)
    return ours, theirs


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", SPECS)
def test_twin_matches_torch(name, kind):
    @settings(max_examples=15, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        assert_close(*twin_and_torch(name, kw, kind))

    check()


@pytest.mark.parametrize("name", SPECS)
def test_outside_lr_edit_behaves_as_in_torch(name):
    """Chainable schedulers keep an lr set from outside; closed-form ones overwrite it."""

    @settings(max_examples=5, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        assert_close(*twin_and_torch(name, kw, "sgd", edit_at=STEPS // 2))

    check()


@pytest.mark.parametrize("name", SPECS)
def test_twin_drives_the_scratch_optimizer(name):
    @settings(max_examples=3, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        _, theirs = twin_and_torch(name, kw, "sgd")
        opt = make_optimizer("scratch")
        assert_close(run(SPECS[name][1](L, opt, kw), opt), theirs)

    check()


# --- resuming --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SPECS)
def test_resume_from_state_dict_continues_exactly(name):
    @settings(max_examples=3, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        resume_and_compare(SPECS[name][1], kw)

    check()


def resume_and_compare(build, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        opt = make_optimizer()
        straight = run(build(L, opt, kw), opt)
        opt = make_optimizer()
        first = build(L, opt, kw)
        head = run(first, opt, steps=STEPS // 2)
        saved = copy.deepcopy((opt.state_dict(), first.state_dict()))
        opt = make_optimizer()
        second = build(L, opt, kw)
        opt.load_state_dict(saved[0])
        second.load_state_dict(saved[1])
        tail = run(second, opt, steps=STEPS - STEPS // 2)
    np.testing.assert_array_equal(np.vstack([head, tail]), straight)


RESUMABLE = [name for name in SPECS if name not in ("SequentialLR", "ChainedScheduler")]


@pytest.mark.parametrize("name", RESUMABLE)
def test_resume_with_last_epoch_matches_torch(name):
    """The trap of notebook 06: built with last_epoch=N on a loaded optimizer, StepLR, MultiStepLR
    and ConstantLR apply one more step's factor; LinearLR, ExponentialLR, PolynomialLR and
    CosineAnnealingLR do not. Ours must follow torch's lrs (and momenta) step by step."""

    @settings(max_examples=4, deadline=None)
    @given(kw=SPECS[name][0], last_epoch=st.integers(0, 40))
    def check(kw, last_epoch):
        _, build = SPECS[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            opt = make_optimizer()
            run(build(T, opt, kw), opt, steps=last_epoch)
            saved = copy.deepcopy(opt.state_dict())  # groups hold initial_lr, as torch requires
            resumed = []
            for M in (T, L):
                opt = make_optimizer()
                opt.load_state_dict(saved)
                scheduler = build(M, opt, {**kw, "last_epoch": last_epoch})
                resumed.append(run(scheduler, opt, steps=STEPS // 2))
        assert_close(*reversed(resumed))

    check()


def warm_restarts_lrs(M, moves, last_epoch=-1):
    """lrs of CosineAnnealingWarmRestarts(T_0=3, T_mult=2) after each move: an epoch for
    step(epoch), None for step(); built on a stepped optimizer when resuming."""
    opt = make_optimizer()
    for group in opt.param_groups:
        group["initial_lr"], group["lr"] = group["lr"], group["lr"] / 2
    scheduler = M.CosineAnnealingWarmRestarts(
        opt, T_0=3, T_mult=2, eta_min=1e-3, last_epoch=last_epoch
    )
    lrs = [scheduler.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's step(epoch) here warns of nothing; ours neither
        for epoch in moves:
            opt.step()
            scheduler.step(epoch)
            lrs.append(scheduler.get_last_lr())
    return np.array(lrs)


@pytest.mark.parametrize(
    "moves, last_epoch",
    [
        ([None] * 30, 5),  # resumed past T_0: torch restarts a cycle of T_0 * T_mult at once
        ([None] * 30, 20),
        ([0.5, None, None, 2.75, None, None, None, 8.25] + [None] * 20, -1),
        ([None] * 4 + [13.5] + [None] * 10 + [4] + [None] * 5, -1),
    ],
)
def test_warm_restarts_follow_torchs_T_cur_after_resume_and_fractional_epochs(moves, last_epoch):
    """After step(2.75) the next step() is at T_cur 3.75 in torch, not at floor(2.75) + 1."""
    ours = warm_restarts_lrs(L, moves, last_epoch)
    assert_close(ours, warm_restarts_lrs(T, moves, last_epoch))
    assert not np.allclose(ours[-len(moves) :], warm_restarts_lrs(L, [None] * len(moves))[1:])


def test_warm_restarts_departs_where_torchs_float_log_misses_a_restart():
    """Deliberate: torch's step(121) with T_0=1, T_mult=3 rounds log3(243) down and lands at the
    end of cycle 4 (eta_min); epoch 121 starts cycle 5, so ours gives base_lr."""
    lrs = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.CosineAnnealingWarmRestarts(opt, T_0=1, T_mult=3, eta_min=1e-3)
        opt.step()
        scheduler.step(121)
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs == [pytest.approx(1e-3), BASE_LRS[0]]


# --- warnings --------------------------------------------------------------------------------


def _replace_step(opt):
    opt.step = lambda closure=None: None


ORDERS = {
    "optimizer first": lambda opt, scheduler: (opt.step(), scheduler.step()),
    "scheduler first": lambda opt, scheduler: (scheduler.step(), opt.step()),
    "step replaced": lambda opt, scheduler: (_replace_step(opt), opt.step(), scheduler.step()),
}


def three_steps(order, opt, scheduler):
    for _ in range(3):
        ORDERS[order](opt, scheduler)


def warnings_while(steps):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps()
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name", SPECS)
def test_call_order_warnings_match_torch(name, order):
    """torch warns at the first step() after construction if optimizer.step() has not run yet, or
    was replaced after the scheduler wrapped it; CosineAnnealingWarmRestarts never warns."""

    @settings(max_examples=2, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        caught = []
        for M in (T, L):
            opt = make_optimizer()
            scheduler = SPECS[name][1](M, opt, kw)
            caught.append(warnings_while(lambda o=opt, s=scheduler: three_steps(order, o, s)))
        assert caught[1] == caught[0]
        expected = order != "optimizer first" and name != "CosineAnnealingWarmRestarts"
        if name != "SequentialLR":  # its first step may be a milestone, which calls no step()
            assert bool(caught[0]) == expected

    check()


def test_scheduler_step_before_optimizer_step_warns():
    opt = make_optimizer()
    scheduler = L.StepLR(opt, 3)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        scheduler.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        scheduler.step()  # the check runs only at the first step


def test_right_order_does_not_warn_even_with_torch_and_ours_on_one_optimizer():
    opt = make_optimizer()
    ours, theirs = L.ConstantLR(opt, 0.5), T.ExponentialLR(opt, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            ours.step()
            theirs.step()


def test_replacing_optimizer_step_after_construction_warns():
    opt = make_optimizer()
    scheduler = L.OneCycleLR(opt, 0.1, total_steps=10)
    _replace_step(opt)
    with pytest.warns(UserWarning, match=r"`optimizer.step\(\)` has been overridden"):
        scheduler.step()


def test_epoch_argument_warns_as_in_torch():
    for build in (lambda M, opt: M.StepLR(opt, 3), lambda M, opt: M.LambdaLR(opt, lambda e: 0.9)):
        caught = []
        for M in (T, L):
            opt = make_optimizer()
            scheduler = build(M, opt)
            opt.step()
            caught.append(warnings_while(lambda s=scheduler: s.step(5)))
        assert caught[1] == caught[0] == [(UserWarning, T.EPOCH_DEPRECATION_WARNING)]


@pytest.mark.parametrize(
    "build",
    [
        lambda M, opt: M.StepLR(opt, 3),
        lambda M, opt: M.CosineAnnealingWarmRestarts(opt, T_0=4),
        lambda M, opt: M.OneCycleLR(opt, 0.1, total_steps=10),
    ],
    ids=["StepLR", "CosineAnnealingWarmRestarts", "OneCycleLR"],
)
def test_get_lr_outside_step_warns_as_in_torch(build):
    """get_lr() called directly warns (use get_last_lr()); step() never does."""
    caught = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = build(M, opt)
        opt.step()
        inside = warnings_while(lambda s=scheduler: (s.step(), s.step(3), s.step()))
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`") as outside:
            scheduler.get_lr()
        caught.append((inside, [str(w.message) for w in outside]))
    assert not [message for inside, _ in caught for _, message in inside if "get_lr" in message]
    assert (
        caught[1][1]
        == caught[0][1]
        == ["To get the last learning rate computed by the scheduler, please use `get_last_lr()`."]
    )


# --- composing with torch ------------------------------------------------------------------


def test_torch_composites_accept_our_twins_and_ours_accept_torch_schedulers():
    def sequence(outer, inner):
        opt = make_optimizer()
        parts = [inner.LinearLR(opt, 0.1, total_iters=10), inner.StepLR(opt, 7, 0.5)]
        sequential = run(outer.SequentialLR(opt, parts, [8]), opt)
        opt = make_optimizer()
        parts = [inner.ConstantLR(opt, 0.5, total_iters=10), inner.ExponentialLR(opt, 0.99)]
        return sequential, run(outer.ChainedScheduler(parts), opt)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reference = sequence(T, T)
        for outer, inner in [(T, L), (L, T), (L, L)]:
            for got, want in zip(sequence(outer, inner), reference, strict=True):
                assert_close(got, want)


CHAINABLE_AFTER_A_MILESTONE = {
    "StepLR": dict(step_size=3, gamma=0.5),
    "MultiStepLR": dict(milestones=[0, 4], gamma=0.5),
    "ConstantLR": dict(factor=0.5, total_iters=4),
    "LinearLR": dict(start_factor=0.5, total_iters=4),
    "ExponentialLR": dict(gamma=0.8),
    "PolynomialLR": dict(total_iters=6, power=2.0),
    "CosineAnnealingLR": dict(T_max=5, eta_min=1e-3),
    "CosineAnnealingLR(T_max=1)": dict(T_max=1, eta_min=1e-3),
}


@pytest.mark.parametrize("name", CHAINABLE_AFTER_A_MILESTONE)
@pytest.mark.parametrize("last_epoch", [1, 3, 5])
def test_sequential_lr_resumed_by_last_epoch_matches_torch(name, last_epoch):
    """The second part starts with a step to its t = 0 that is not its constructor's: torch then
    applies m(0) / m(-1) with m(-1) from the formula (ExponentialLR: lr * gamma at t = 0)."""

    def lrs(M):
        opt = make_optimizer()
        kw = CHAINABLE_AFTER_A_MILESTONE[name]
        parts = [M.LinearLR(opt, 0.5, total_iters=3), getattr(M, name.split("(")[0])(opt, **kw)]
        return run(M.SequentialLR(opt, parts, [4], last_epoch=last_epoch), opt, steps=20)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_close(lrs(L), lrs(T))


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("gamma", [0.0, -0.5, 1.5])
def test_cyclic_lr_takes_any_gamma_torch_takes(mode, gamma):
    """torch reads gamma only in exp_range (gamma ** t); elsewhere any value is ignored."""

    def lrs(M):
        opt = make_optimizer()
        return run(M.CyclicLR(opt, 0.01, 0.1, 3, mode=mode, gamma=gamma), opt, steps=20)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_close(lrs(L), lrs(T))


def test_composites_reject_reduce_lr_on_plateau_like_torch():
    """torch's composites reject torch's plateau scheduler; ours reject both kinds, same message.
    (torch's cannot recognise ours, a class of its own: it fails later, without metrics.)"""
    opt = make_optimizer()
    compose = {
        "ChainedScheduler": lambda M, plateau: M.ChainedScheduler([plateau]),
        "SequentialLR": lambda M, plateau: M.SequentialLR(opt, [M.StepLR(opt, 3), plateau], [2]),
    }
    for build in compose.values():
        # torch's composite with torch's plateau, then ours with either kind
        plateaus = [(T, T.ReduceLROnPlateau(opt)), (L, T.ReduceLROnPlateau(opt))]
        plateaus.append((L, L.ReduceLROnPlateau(opt)))
        messages = [_raised(lambda M=M, p=p, b=build: b(M, p)) for M, p in plateaus]
        assert messages[1] == messages[2] == messages[0]
        assert messages[0][0] is ValueError
        assert "does not support `ReduceLROnPlateau`" in messages[0][1]


# --- traps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs, error",
    [
        ("LambdaLR", {"lr_lambda": lambda e: 0.9**e}, ValueError),
        ("CosineAnnealingWarmRestarts", {"T_0": 5}, ValueError),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 50}, KeyError),
    ],
)
def test_group_added_later_fails_as_in_torch(name, kwargs, error):
    for M in (T, L):
        opt = make_optimizer()
        scheduler = getattr(M, name)(opt, **kwargs)
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
        opt.step()
        with pytest.raises(error):
            scheduler.step()


@pytest.mark.parametrize("three_phase, steps_before", [(False, 0), (True, 0), (True, 80)])
def test_one_cycle_group_added_later_raises_torchs_key_error(three_phase, steps_before):
    """A new group has no initial_lr, the first key the phase reads (phase 1, or 3 of three)."""
    raised = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.OneCycleLR(opt, 0.1, total_steps=100, three_phase=three_phase)
        for _ in range(steps_before):
            opt.step()
            scheduler.step()
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
        opt.step()
        raised.append(_raised(scheduler.step))
    assert raised[1] == raised[0] == (KeyError, "'initial_lr'")


def test_one_cycle_group_added_later_names_initial_lr_where_torch_names_max_lr():
    """Documented departure: in the falling phase torch reads max_lr first, we read initial_lr."""
    raised = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.OneCycleLR(opt, 0.1, total_steps=10, pct_start=0.3)
        for _ in range(5):
            opt.step()
            scheduler.step()
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
        raised.append(_raised(scheduler.step))
    assert raised == [(KeyError, "'max_lr'"), (KeyError, "'initial_lr'")]


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("key", ["initial_lr", "max_lr", "min_lr"])
def test_one_cycle_follows_outside_edits_of_its_group_lrs_as_torch(key, three_phase):
    """torch reads initial_lr, max_lr and min_lr from the group at every step: an edit sticks."""
    runs = []
    for M, edit_at in ((T, 10), (L, 10), (L, None)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            opt = make_optimizer()
            scheduler = M.OneCycleLR(opt, [0.4, 0.2], total_steps=STEPS, three_phase=three_phase)
        rows = []
        for t in range(STEPS):
            rows.append([v for g in opt.param_groups for v in (g["lr"], momentum(g))])
            if t == edit_at:
                for g in opt.param_groups:
                    g[key] *= 0.5
            opt.step()
            scheduler.step()
        runs.append(np.array(rows))
    theirs, ours, unedited = runs
    assert_close(ours, theirs)
    assert not np.allclose(ours[12:], unedited[12:], rtol=1e-6)  # the edit mattered


def test_one_cycle_allows_total_steps_and_raises_after():
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        opt.step()
        for _ in range(3):
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            scheduler.step()


def test_sequential_restarts_the_next_scheduler_at_its_milestone():
    """A warmup cut short by an early milestone: the cosine starts again from base_lr."""
    opt = make_optimizer()
    scheduler = L.SequentialLR(
        opt, [L.LinearLR(opt, 0.1, total_iters=10), L.CosineAnnealingLR(opt, 20)], [4]
    )
    lrs = run(scheduler, opt, steps=6)[:, 0]
    assert lrs[3] < BASE_LRS[0] and lrs[4] == BASE_LRS[0]


# --- validation ------------------------------------------------------------------------------

INVALID = [
    ("ConstantLR", {"factor": 1.5}),
    ("LinearLR", {"start_factor": 0.0}),
    ("LinearLR", {"end_factor": 2.0}),
    ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}),
    ("MultiplicativeLR", {"lr_lambda": [lambda e: 1.0]}),
    ("MultiplicativeLR", {"lr_lambda": 0.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "eta_min": "0"}),
    ("CyclicLR", {"base_lr": [0.1], "max_lr": 1.0}),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": [1.0, 1.0, 1.0]}),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "mode": "square"}),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "base_momentum": [0.8]}),
    ("OneCycleLR", {"max_lr": 0.1}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 10}),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 1.5}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.2}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
    ("OneCycleLR", {"max_lr": [0.1], "total_steps": 10}),
    ("ReduceLROnPlateau", {"factor": 1.0}),
    ("ReduceLROnPlateau", {"min_lr": [0.0]}),
    ("ReduceLROnPlateau", {"mode": "sideways"}),
    ("ReduceLROnPlateau", {"threshold_mode": "ratio"}),
    ("SequentialLR", {"schedulers": [], "milestones": []}),
    ("SequentialLR", {"schedulers": "two", "milestones": [3]}),
]


def _raised(callable_):
    with pytest.raises((ValueError, TypeError, KeyError)) as info:
        callable_()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("name, kwargs", INVALID)
def test_invalid_arguments_raise_torchs_error(name, kwargs):
    assert _raised(lambda: getattr(L, name)(make_optimizer(), **kwargs)) == _raised(
        lambda: getattr(T, name)(make_optimizer(), **kwargs)
    )


# Deliberate departures: torch accepts these, then divides by zero at a step (ZeroDivisionError)
# or follows a wrong lr for ever; ours raise ValueError at construction, naming the argument.
SAFER_THAN_TORCH = [
    ("StepLR", {"step_size": 0}, "step_size"),
    ("CosineAnnealingLR", {"T_max": 0}, "T_max"),
    ("ConstantLR", {"total_iters": 0}, "total_iters"),  # torch: factor * lr for ever
    ("LinearLR", {"total_iters": 0}, "total_iters"),  # torch: start_factor * lr for ever
    ("PolynomialLR", {"total_iters": 0}, "total_iters"),  # torch: never decays
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0}, "step_size_up"),
    (
        "CyclicLR",  # torch treats any scale_mode but 'cycle' as 'iterations'
        {"base_lr": 0.01, "max_lr": 0.1, "scale_fn": lambda x: 1.0, "scale_mode": "epoch"},
        "scale_mode",
    ),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 20, "pct_start": 0.05}, "pct_start"),
]


def torch_steps_without_value_error(build):
    try:
        opt = make_optimizer()
        scheduler = build(opt)
        for _ in range(5):
            opt.step()
            scheduler.step()
    except ZeroDivisionError:
        pass


@pytest.mark.parametrize("name, kwargs, argument", SAFER_THAN_TORCH)
def test_arguments_torch_mishandles_raise_value_error_early(name, kwargs, argument):
    torch_steps_without_value_error(lambda opt: getattr(T, name)(opt, **kwargs))
    with pytest.raises(ValueError, match=rf"^{argument} must be .*, got "):
        getattr(L, name)(make_optimizer(), **kwargs)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_mode_overrides_scale_mode_as_in_torch(mode):
    lrs = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.CyclicLR(opt, 0.01, 0.1, 3, mode=mode, gamma=0.9, scale_mode="ignored")
        lrs.append(run(scheduler, opt, steps=20))
    assert_close(*reversed(lrs))


@pytest.mark.parametrize("name", SPECS)
def test_lrs_are_python_floats_as_in_torch(name):
    @settings(max_examples=2, deadline=None)
    @given(kw=SPECS[name][0])
    def check(kw):
        types = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for M in (T, L):
                opt = make_optimizer()
                scheduler = SPECS[name][1](M, opt, kw)
                run(scheduler, opt, steps=3)
                lrs = scheduler.get_last_lr() + [g["lr"] for g in opt.param_groups]
                types.append([type(lr) for lr in lrs])
        assert types[1] == types[0] == [float] * 4

    check()


def test_tensor_lr_is_refused_with_a_clear_error():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=torch.tensor(0.1))
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['lr'\] must be a Python number"):
        L.StepLR(opt, 3)


def test_non_optimizer_and_momentum_free_optimizer_are_rejected_like_torch():
    plain = torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))])
    for build in [
        lambda M: M.StepLR(object(), 3),
        lambda M: M.CyclicLR(plain, 0.1, 1.0),
        lambda M: M.OneCycleLR(plain, 0.1, 10),
        lambda M: M.ChainedScheduler([M.StepLR(make_optimizer(), 3)], make_optimizer()),
    ]:
        ours, theirs = _raised(lambda b=build: b(L)), _raised(lambda b=build: b(T))
        assert ours[0] == theirs[0]
        assert (
            ours[1].split(" at index")[0].split(" has <")[0]
            == theirs[1].split(" at index")[0].split(" has <")[0]
        )


def test_resuming_with_last_epoch_needs_initial_lr_as_in_torch():
    assert _raised(lambda: L.StepLR(make_optimizer(), 3, last_epoch=4)) == _raised(
        lambda: T.StepLR(make_optimizer(), 3, last_epoch=4)
    )


# --- ReduceLROnPlateau -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    kw=st.fixed_dictionaries(
        {
            "mode": st.sampled_from(["min", "max"]),
            "factor": floats(0.1, 0.9),
            "patience": st.integers(0, 5),
            "threshold": floats(0.0, 0.1),
            "threshold_mode": st.sampled_from(["rel", "abs"]),
            "cooldown": st.integers(0, 4),
            "min_lr": st.one_of(
                floats(0.0, 0.02), per_group(floats(0, 0.05), floats(0, 0.01)).map(list)
            ),
            "eps": st.sampled_from([1e-8, 1e-3]),
        }
    ),
    metrics=st.lists(st.integers(-4, 4), min_size=80, max_size=80),
)
def test_reduce_lr_on_plateau_matches_torch(kw, metrics):
    # a random walk with repeats, so plateaus, ties and improvements all happen
    walk = np.cumsum(metrics) / 4.0
    sequences = []
    for M in (T, L):
        opt = make_optimizer()
        scheduler = M.ReduceLROnPlateau(opt, **kw)
        sequences.append([])
        for value in walk:
            scheduler.step(value)
            sequences[-1].append(scheduler.get_last_lr())
    np.testing.assert_array_equal(*sequences)


def test_reduce_lr_on_plateau_cuts_after_patience_and_waits_out_cooldown():
    opt = make_optimizer()
    scheduler = L.ReduceLROnPlateau(opt, patience=2, cooldown=1, min_lr=[0.05, 0.0])
    lrs = []
    for _ in range(8):
        scheduler.step(1.0)
        lrs.append(scheduler.get_last_lr())
    # best at step 1; bad steps 2, 3, 4 -> cut at 4; cooldown 5; bad 6, 7, 8 -> cut at 8
    assert lrs[2] == [0.1, 0.03] and lrs[3] == pytest.approx([0.05, 0.003])
    assert lrs[6] == lrs[3] and lrs[7] == pytest.approx([0.05, 0.0003])


# --- the public hooks and the one path to the groups ----------------------------------------


def test_a_scheduler_is_its_closed_form_hook_and_matches_torch():
    class Halving(L.LRScheduler):
        def closed_form_lr(self):
            return [base_lr * 0.5**self.last_epoch for base_lr in self.base_lrs]

    theirs_opt, ours_opt = make_optimizer(), make_optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs = run(T.ExponentialLR(theirs_opt, 0.5), theirs_opt, steps=10)
        ours = run(Halving(ours_opt), ours_opt, steps=10)
    assert_close(ours, theirs)


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda opt: L.StepLR(opt, step_size=0), "step_size must be an integer >= 1, got 0"),
        (lambda opt: L.CosineAnnealingLR(opt, T_max=0), "T_max must be a real number > 0"),
        (lambda opt: L.PolynomialLR(opt, total_iters=0), "total_iters must be an integer >= 1"),
    ],
)
def test_bad_arguments_raise_at_construction_and_change_no_group(build, words):
    opt = make_optimizer()
    before = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    with pytest.raises(ValueError, match=words):
        build(opt)
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == before
    assert not hasattr(opt.step, "_wrapped_by_lr_sched")


def test_a_step_that_fails_changes_nothing():
    opt = make_optimizer()
    scheduler = L.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        scheduler.step()
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()
    assert scheduler.last_epoch == 3
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == groups


# --- SWALR (torch.optim.swa_utils) ----------------------------------------------------------


def swalr_lrs(M, kw, edit_at=None, epochs=False):
    opt = make_optimizer()
    scheduler = M.SWALR(opt, **kw)
    rows = []
    for t in range(40):
        rows.append([g["lr"] for g in opt.param_groups])
        if t == edit_at:
            opt.param_groups[0]["lr"] *= 0.5
        opt.step()
        scheduler.step(t + 1) if epochs else scheduler.step()
    return np.array(rows), scheduler


@settings(max_examples=30, deadline=None)
@given(
    swa_lr=floats(1e-3, 0.5) | per_group(floats(1e-3, 0.5), floats(1e-3, 0.5)).map(list),
    anneal_epochs=st.integers(0, 30),
    anneal_strategy=st.sampled_from(["cos", "linear"]),
    edit_at=st.none() | st.integers(0, 39),
    epochs=st.booleans(),
)
def test_swalr_matches_torch(swa_lr, anneal_epochs, anneal_strategy, edit_at, epochs):
    kw = dict(swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=anneal_strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours, our_scheduler = swalr_lrs(L, kw, edit_at, epochs)
        theirs, their_scheduler = swalr_lrs(torch.optim.swa_utils, kw, edit_at, epochs)
    assert_close(ours, theirs)
    assert set(our_scheduler.state_dict()) == set(their_scheduler.state_dict())


def test_swalr_resumes_from_state_dict_and_follows_torch_in_sequential_lr():
    kw = dict(swa_lr=0.01, anneal_epochs=5, anneal_strategy="linear")
    resume_and_compare(lambda M, opt, kw: L.SWALR(opt, **kw), kw)

    def sequence(M):
        opt = make_optimizer()
        parts = [M.StepLR(opt, 3, 0.5), L.SWALR(opt, swa_lr=0.01, anneal_epochs=4)]
        return run(M.SequentialLR(opt, parts, [10]), opt, steps=30)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch_parts = run_torch_swalr_sequence()
        assert_close(sequence(L), torch_parts)
        assert_close(sequence(T), torch_parts)


def run_torch_swalr_sequence():
    opt = make_optimizer()
    parts = [T.StepLR(opt, 3, 0.5), torch.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=4)]
    return run(T.SequentialLR(opt, parts, [10]), opt, steps=30)


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(swa_lr=0.1, anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or"),
        (dict(swa_lr=0.1, anneal_epochs=-1), "anneal_epochs must be equal or greater than 0"),
        (dict(swa_lr=0.1, anneal_epochs=2.5), "anneal_epochs must be equal or greater than 0"),
        (dict(swa_lr=[0.1, 0.1, 0.1]), "swa_lr must have the same length"),
    ],
)
def test_swalr_rejects_what_torch_rejects_in_its_words_and_changes_nothing(kw, words):
    opt = make_optimizer()
    with pytest.raises(ValueError, match=words):
        torch.optim.swa_utils.SWALR(make_optimizer(), **kw)
    with pytest.raises(ValueError, match=words):
        L.SWALR(opt, **kw)
    assert all("swa_lr" not in g and "initial_lr" not in g for g in opt.param_groups)
