"""ASGD, Rprop, SparseAdam and LBFGS against torch.optim 2.13, on the harness of test_optim.py.

ASGD and Rprop run every harness test unchanged: their rows are registered in its tables.
SparseAdam needs sparse gradients and LBFGS a closure, so they get their own loops here, checked
with the same `twins`, `train` and `assert_same`. The foreach paths of ASGD, Rprop and Adafactor
are checked here against torch's foreach=True.
"""

import functools
import math

import pytest
import test_optim as harness
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_optim import (
    SCHEDULERS,
    STEPS,
    TOL,
    assert_same,
    build,
    checkpoint,
    flag,
    initial_values,
    kwargs_of,
    lr,
    max_diff,
    train,
    twins,
)
from test_optim_modern import FULL as MODERN_FULL
from test_optim_modern import KWARGS as MODERN_KWARGS

import lessons.optim
from lessons.memory import state_bytes, state_bytes_per_param

HARNESS_NAMES = ["ASGD", "Rprop"]
NAMES = [*HARNESS_NAMES, "SparseAdam", "LBFGS"]
harness.KWARGS |= {
    "ASGD": kwargs_of(
        lr=lr,
        lambd=st.floats(0.0, 0.1),
        alpha=st.floats(0.0, 1.0),
        t0=st.sampled_from([1e6]) | st.floats(0.0, 20.0),  # small t0: the average starts in the run
        weight_decay=harness.decay,
        maximize=flag,
    ),
    "Rprop": kwargs_of(
        lr=lr,
        etas=st.tuples(st.floats(0.1, 0.9), st.floats(1.01, 2.0)),
        step_sizes=st.tuples(st.floats(1e-8, 1e-3), st.floats(0.05, 50.0)),
        maximize=flag,
    ),
}
harness.FULL |= {
    "ASGD": dict(lr=0.05, lambd=1e-3, t0=10, weight_decay=0.01),
    "Rprop": dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-4, 1.0)),
}
GROUP_KEYS = (*harness.GROUP_KEYS, "lambd", "t0", "etas", "step_sizes")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", HARNESS_NAMES)
def test_parity_random_hyperparameters(name, dtype):
    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(harness.KWARGS[name], harness.KWARGS[name])
    def check(kwargs0, kwargs1):
        kwargs1 = {k: v for k, v in kwargs1.items() if k in GROUP_KEYS}
        ours, theirs = twins(name, dtype, kwargs0, kwargs1)
        for opt, params in (ours, theirs):
            train(opt, params, STEPS, lr_change_at=STEPS // 2)
        assert_same(ours, theirs, TOL[dtype])

    check()


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
@pytest.mark.parametrize("name", HARNESS_NAMES)
def test_parity_under_every_scheduler(name, scheduler):
    harness.test_parity_under_every_scheduler(name, scheduler)


@pytest.mark.parametrize("name", HARNESS_NAMES)
def test_resume_from_state_dict_is_identical(name):
    harness.test_resume_from_state_dict_is_identical(name)


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_defaults_are_torchs(name):
    harness.test_signature_and_defaults_are_torchs(name)


@pytest.mark.parametrize("name", HARNESS_NAMES)
def test_params_without_grad_are_left_alone(name):
    harness.test_params_without_grad_are_left_alone(name)


@pytest.mark.parametrize("name", HARNESS_NAMES)
def test_tensor_lr_and_closure(name):
    harness.test_tensor_lr_and_closure(name)


def test_rprop_ignores_lr_after_the_first_step():
    """torch reads Rprop's lr once, into step_size: a later change does nothing, in both."""
    ours, theirs = twins("Rprop", torch.float64, dict(lr=0.05))
    for opt, params in (ours, theirs):
        train(opt, params, 5)
        opt.param_groups[0]["lr"] = 100.0
        train(opt, params, 5, start=5)
    unchanged = twins("Rprop", torch.float64, dict(lr=0.05))[0]
    train(*unchanged, 10)
    assert_same(ours, theirs, tol=0.0)
    assert_same(ours, unchanged, tol=0.0)


def test_asgd_lr_change_takes_effect_one_step_late():
    """eta is computed at the end of a step, from that step's lr, as in torch."""
    ours, theirs = twins("ASGD", torch.float64, dict(lr=0.05))
    for opt, params in (ours, theirs):
        train(opt, params, 3)
        before = [p.detach().clone() for p in params]
        opt.param_groups[0]["lr"] = 0.0
        train(opt, params, 1, start=3)
        assert not torch.equal(before[0], params[0])  # still moved, with the old eta
        moved = [p.detach().clone() for p in params]
        train(opt, params, 1, start=4)
        assert torch.equal(moved[0], params[0])  # eta is now 0
    assert_same(ours, theirs, tol=0.0)


# foreach=True: torch's multi-tensor order, on the harness's shapes (a matrix, a vector, a 3-D
# stack of matrices and a 0-dim tensor: Adafactor factors the first two, keeps v for the others).
FOREACH_NAMES = ["ASGD", "Rprop", "Adafactor"]
FOREACH_KWARGS = {name: harness.KWARGS[name] for name in HARNESS_NAMES} | {
    "Adafactor": MODERN_KWARGS["Adafactor"]
}
FOREACH_FULL = {name: harness.FULL[name] for name in HARNESS_NAMES} | {
    "Adafactor": MODERN_FULL["Adafactor"]
}
FOREACH_GROUP_KEYS = (*GROUP_KEYS, "beta2_decay", "d")


# How far foreach=True may drift from the loop in STEPS steps, for params of size 1. Rprop's
# arithmetic is the same in both. ASGD's eta and mu are float32 whatever the params: torch's
# foreach computes eta in float32 (the step's dtype), the loop in float64 and then rounds, so
# float64 params drift by float32 ulps.
LOOP_TOL = {
    "Rprop": {torch.float64: 0.0, torch.float32: 0.0},
    "ASGD": {torch.float64: TOL[torch.float32], torch.float32: TOL[torch.float32]},
    "Adafactor": TOL,
}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", FOREACH_NAMES)
def test_foreach_is_torchs_foreach_bit_for_bit_and_the_loop_within_rounding(name, dtype):
    @settings(max_examples=8, deadline=None, derandomize=True)
    @given(FOREACH_KWARGS[name], FOREACH_KWARGS[name])
    def check(kwargs0, kwargs1):
        kwargs1 = {k: v for k, v in kwargs1.items() if k in FOREACH_GROUP_KEYS}
        ours, theirs = twins(name, dtype, {**kwargs0, "foreach": True}, kwargs1)
        loop = twins(name, dtype, kwargs0, kwargs1)[0]  # foreach=None: the loop on the CPU
        for opt, params in (ours, theirs, loop):
            train(opt, params, STEPS, lr_change_at=STEPS // 2)
        assert_same(ours, theirs, 0.0)
        # rounding is relative: under maximize a large lr takes the params to 100 and more
        scale = max(1.0, *(p.detach().abs().max().item() for p in loop[1]))
        assert_same(ours, loop, LOOP_TOL[name][dtype] * scale)

    check()


@pytest.mark.parametrize("name", FOREACH_NAMES)
def test_foreach_state_dict_is_torchs_and_resumes_either_way(name):
    """12 foreach steps by one side, saved; the other side loads it and runs on identically."""
    kwargs = {**FOREACH_FULL[name], "foreach": True}
    runs = {}
    for saved_by, loaded_by in [
        (torch.optim, torch.optim),
        (torch.optim, lessons.optim),
        (lessons.optim, torch.optim),
        (lessons.optim, lessons.optim),
    ]:
        params = [v.requires_grad_() for g in initial_values(torch.float32) for v in g]
        opt = build(saved_by, name, params, **kwargs)
        train(opt, params, 12)
        saved = checkpoint(opt)
        fresh = [p.detach().clone().requires_grad_() for p in params]
        opt = build(loaded_by, name, fresh, **kwargs)
        opt.load_state_dict(saved)
        train(opt, fresh, STEPS - 12, start=12)
        runs[saved_by.__name__, loaded_by.__name__] = (saved, (opt, fresh))
    reference, straight = runs.pop(("torch.optim", "torch.optim"))
    for saved, run in runs.values():
        assert [list(s) for s in saved["state"].values()] == [
            list(s) for s in reference["state"].values()
        ]
        assert_same(run, straight, tol=0.0)


def test_adafactor_foreach_eps1_follows_torchs_dtype_grouping():
    """eps=None with float32 and float64 in one group: torch's foreach takes eps1 from the first
    (device, dtype) bucket its grouping yields, which is not the first parameter's dtype."""
    f32, f64 = torch.float32, torch.float64

    def run(module, dtypes, eps):
        params = [torch.zeros(3, 4, dtype=dtype, requires_grad=True) for dtype in dtypes]
        opt = build(module, "Adafactor", params, lr=0.1, eps=eps, foreach=True)
        for t in range(5):
            harness.fill_grads(params, t)
            for p in params:
                p.grad[0] *= 1e-8  # a row whose v̂ is below ε1² in float32, above it in float64
            opt.step()
        return opt, params

    for dtypes in [(f32, f64), (f64, f32), (f64, f64, f32)]:
        ours = run(lessons.optim, dtypes, (None, 1e-3))
        assert_same(ours, run(torch.optim, dtypes, (None, 1e-3)), tol=0.0)
        first_eps = (torch.finfo(dtypes[0]).eps, 1e-3)  # the loop's rule
        mine, first = ours[1], run(torch.optim, dtypes, first_eps)[1]
        assert max(max_diff(a, b) for a, b in zip(mine, first, strict=True)) > 1e-6


# Constructor arguments that torch rejects, and values it lets through; all compared with torch.
BAD = [
    (name, {arg: value})
    for name in NAMES
    for arg in harness.numeric_args(name)
    for value in harness.BAD_NUMBERS
]
BAD += [(n, {"lr": torch.tensor([0.1, 0.2])}) for n in NAMES]
BAD += [(n, {"lr": torch.tensor(-0.1)}) for n in NAMES]
BAD += [("Rprop", {"etas": etas}) for etas in [(0.0, 1.2), (1.0, 1.2), (0.5, 1.0), (math.nan, 2)]]
BAD += [("SparseAdam", {"betas": (b, 0.999)}) for b in harness.BAD_BETAS[:4]]
BAD += [("SparseAdam", {"betas": (0.9, b)}) for b in harness.BAD_BETAS[:4]]
BAD += [("LBFGS", {"max_eval": -1}), ("LBFGS", {"line_search_fn": "armijo"})]


@pytest.mark.parametrize(("name", "kwargs"), BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_arguments_rejected_exactly_as_torch(name, kwargs):
    harness.test_arguments_rejected_exactly_as_torch(name, kwargs)


def test_bad_argument_table_has_rejections_for_every_optimizer():
    for name in NAMES:
        assert harness.rejected_arguments(BAD, name) >= {"lr"}, name


# SparseAdam: the gradient of nn.Embedding(sparse=True) and friends.
def fill_sparse_grads(params, t):
    """The harness's gradient on a seeded random half of the rows, sparse (a 0-dim one whole)."""
    harness.fill_grads(params, t)
    gen = torch.Generator().manual_seed(7 + t)
    for p in params:
        if p.dim() == 0:
            p.grad = p.grad.to_sparse()
            continue
        kept = torch.rand(p.shape[0], generator=gen) < 0.5
        mask = kept.reshape(-1, *[1] * (p.dim() - 1))
        p.grad = (p.grad * mask).to_sparse(sparse_dim=1 if p.dim() == 2 else p.dim())


sparse_adam_kwargs = kwargs_of(
    lr=lr, betas=harness.betas, eps=st.floats(1e-10, 1e-3), maximize=flag
)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
def test_sparse_adam_parity_random_hyperparameters(dtype):
    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(sparse_adam_kwargs, sparse_adam_kwargs)
    def check(kwargs0, kwargs1):
        ours, theirs = twins("SparseAdam", dtype, kwargs0, kwargs1)
        for opt, params in (ours, theirs):
            train(opt, params, STEPS, lr_change_at=STEPS // 2, fill=fill_sparse_grads)
        assert_same(ours, theirs, TOL[dtype])

    check()


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_sparse_adam_under_every_scheduler(scheduler):
    ours, theirs = twins("SparseAdam", torch.float64, dict(lr=0.05), {"lr": 0.02})
    for opt, params in (ours, theirs):
        sched = SCHEDULERS[scheduler](opt)
        for t in range(STEPS):
            train(opt, params, 1, start=t, scheduler=sched, fill=fill_sparse_grads)
    assert_same(ours, theirs, TOL[torch.float64])


def test_sparse_adam_on_an_embedding():
    """A real sparse gradient, with repeated indices to coalesce and a step that touches nothing."""
    runs = []
    for module in (lessons.optim, torch.optim):
        torch.manual_seed(0)
        embedding = torch.nn.Embedding(10, 3, sparse=True, dtype=torch.float64)
        opt = module.SparseAdam(embedding.parameters(), lr=0.1)
        gen = torch.Generator().manual_seed(1)
        for t in range(STEPS):
            opt.zero_grad()
            index = torch.randint(0, 10, (0 if t == 5 else 6,), generator=gen)
            embedding(index).pow(2).sum().backward()
            opt.step()
        runs.append((opt, list(embedding.parameters())))
    assert_same(*runs, tol=0.0)
    assert runs[0][0].state[runs[0][1][0]]["step"] == STEPS  # the empty step counted, as torch


def test_sparse_adam_resume_and_grads_left_alone():
    init = [v for group in initial_values(torch.float32) for v in group]
    runs = {}
    for saved_by, loaded_by in [
        (lessons.optim, lessons.optim),
        (torch.optim, lessons.optim),
        (lessons.optim, torch.optim),
        (torch.optim, torch.optim),
    ]:
        params = [v.clone().requires_grad_() for v in init]
        frozen = torch.ones(3)
        opt = saved_by.SparseAdam([*params, frozen], lr=0.05)
        train(opt, params, 12, fill=fill_sparse_grads)
        saved, values = checkpoint(opt), [p.detach().clone() for p in params]
        fresh = [v.clone().requires_grad_() for v in values]
        opt = loaded_by.SparseAdam([*fresh, frozen], lr=0.05)
        opt.load_state_dict(saved)
        train(opt, fresh, STEPS - 12, start=12, fill=fill_sparse_grads)
        assert torch.equal(frozen, torch.ones(3))
        runs[saved_by.__name__, loaded_by.__name__] = (opt, fresh)
    reference = runs.pop(("torch.optim", "torch.optim"))
    for run in runs.values():
        assert_same(run, reference, tol=0.0)


def test_sparse_adam_refuses_what_torch_refuses():
    dense, sparse = torch.zeros(2, 2, requires_grad=True), torch.zeros(2, 2).to_sparse()
    complex_ = torch.zeros(2, dtype=torch.complex64, requires_grad=True)
    for params in [[dense, sparse], [complex_]]:
        errors = []
        for module in (lessons.optim, torch.optim):
            with pytest.raises(ValueError) as error:
                module.SparseAdam(params)
            errors.append(str(error.value))
        assert errors[0] == errors[1]
    first, second = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    first.grad, second.grad = torch.ones(2).to_sparse(), torch.ones(2)  # the second one is dense
    errors = []
    for module in (lessons.optim, torch.optim):
        with pytest.raises(RuntimeError) as error:
            module.SparseAdam([first, second]).step()
        errors.append(str(error.value))
    assert errors[0] == errors[1]
    assert torch.equal(first, torch.ones(2))  # ours checked every grad before moving any


# LBFGS: a closure per step, over a stochastic but well-conditioned loss.
def lbfgs_twins(dtype, **kwargs):
    """Ours and torch's LBFGS on equal copies of the harness's tensors, all in one group."""
    pairs = []
    for module in (lessons.optim, torch.optim):
        params = [v.clone().requires_grad_() for g in initial_values(dtype) for v in g]
        pairs.append((build(module, "LBFGS", params, **kwargs), params))
    return pairs


@functools.cache
def curvature_and_noise(t, shape, dtype, i):
    """Curvature a in [0.5, 2] and noise for tensor i at step t: seeded, drawn once."""
    gen = torch.Generator().manual_seed(1000 * t + i)
    return 0.5 + 1.5 * torch.rand(shape, generator=gen, dtype=dtype), torch.randn(
        shape, generator=gen, dtype=dtype
    )


def closure_at(opt, params, t):
    """Σ ½·a·p² + 0.1·p⁴ + noise·p: well conditioned, with fresh a and noise at each step t."""

    def closure():
        opt.zero_grad()
        loss = 0
        for i, p in enumerate(params):
            a, noise = curvature_and_noise(t, p.shape, p.dtype, i)
            loss = loss + (0.5 * a * p**2 + 0.1 * p**4 + noise * p).sum()
        loss.backward()
        return loss

    return closure


def lbfgs_train(opt, params, steps, *, start=0, scheduler=None, lr_change_at=None):
    losses = []
    for t in range(start, start + steps):
        if t == lr_change_at:
            opt.param_groups[0]["lr"] *= 0.5
        losses.append(opt.step(closure_at(opt, params, t)).item())
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(1.0)
        elif scheduler is not None:
            scheduler.step()
    return losses


lbfgs_kwargs = kwargs_of(
    lr=st.floats(0.05, 1.0),
    max_iter=st.integers(1, 8),
    max_eval=st.none() | st.integers(1, 12),
    tolerance_grad=st.sampled_from([1e-7, 1e-3]),
    tolerance_change=st.sampled_from([1e-9, 1e-4]),
    history_size=st.integers(1, 6),
    line_search_fn=st.sampled_from([None, "strong_wolfe"]),
)


def test_lbfgs_parity_random_hyperparameters():
    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(lbfgs_kwargs)
    def check(kwargs):
        ours, theirs = lbfgs_twins(torch.float64, **kwargs)
        losses = [lbfgs_train(*run, STEPS, lr_change_at=STEPS // 2) for run in (ours, theirs)]
        assert losses[0] == losses[1]
        assert_same(ours, theirs, TOL[torch.float64])

    check()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_float32_parity(line_search_fn):
    ours, theirs = lbfgs_twins(torch.float32, max_iter=5, line_search_fn=line_search_fn)
    for run in (ours, theirs):
        lbfgs_train(*run, STEPS)
    assert_same(ours, theirs, TOL[torch.float32])


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_lbfgs_under_every_scheduler(scheduler):
    ours, theirs = lbfgs_twins(torch.float64, lr=0.5, max_iter=4, line_search_fn=None)
    lrs = []
    for opt, params in (ours, theirs):
        sched = SCHEDULERS[scheduler](opt)
        for t in range(STEPS):
            lbfgs_train(opt, params, 1, start=t, scheduler=sched)
            lrs.append(opt.param_groups[0]["lr"])
    assert len(set(lrs)) > 1
    assert_same(ours, theirs, TOL[torch.float64])


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_resume_from_state_dict_is_identical(line_search_fn):
    kwargs = dict(max_iter=4, history_size=3, line_search_fn=line_search_fn)
    straight = lbfgs_twins(torch.float64, **kwargs)[1]
    lbfgs_train(*straight, STEPS)
    for saved_by, loaded_by in [
        (lessons.optim, lessons.optim),
        (torch.optim, lessons.optim),
        (lessons.optim, torch.optim),
    ]:
        params = [v.clone().requires_grad_() for g in initial_values(torch.float64) for v in g]
        opt = build(saved_by, "LBFGS", params, **kwargs)
        lbfgs_train(opt, params, 12)
        saved, values = checkpoint(opt), [p.detach().clone() for p in params]
        fresh = [v.clone().requires_grad_() for v in values]
        opt = build(loaded_by, "LBFGS", fresh, **kwargs)
        opt.load_state_dict(saved)
        lbfgs_train(opt, fresh, STEPS - 12, start=12)
        assert_same((opt, fresh), straight, tol=0.0)


WOLFE_CASES = {  # loss, start, lr: each makes the line search bracket and zoom
    "rosenbrock": (lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2, [-1.5, 2.0], 1.0),
    "rosenbrock-long-steps": (
        lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
        [-1.5, 2.0],
        3.0,
    ),
    # steps 100 times too long: the zoom lands by a bracket's end and moves 10% in
    "wiggly": (lambda x: (torch.sin(3 * x) + 0.1 * x**2).sum(), [3.08, -0.587], 100.0),
}


@pytest.mark.parametrize("case", list(WOLFE_CASES))
def test_lbfgs_strong_wolfe_zooms_like_torch(case):
    loss_fn, start, lr = WOLFE_CASES[case]
    runs = []
    for module in (lessons.optim, torch.optim):
        x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = module.LBFGS([x], lr=lr, max_iter=10, history_size=4, line_search_fn="strong_wolfe")

        def closure(x=x, opt=opt):
            opt.zero_grad()
            loss = loss_fn(x)
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(5)]
        runs.append(((opt, [x]), losses))
    assert runs[0][1] == runs[1][1]
    assert runs[0][1][-1] < runs[0][1][0]
    assert_same(runs[0][0], runs[1][0], tol=0.0)


def test_lbfgs_params_without_grad_are_left_alone():
    runs = []
    for module in (lessons.optim, torch.optim):
        used = torch.linspace(-1, 1, 4, dtype=torch.float64, requires_grad=True)
        no_grad = torch.ones(3, dtype=torch.float64, requires_grad=True)
        frozen = torch.ones(3, dtype=torch.float64)
        opt = module.LBFGS([used, no_grad, frozen], line_search_fn="strong_wolfe")
        lbfgs_train(opt, [used], 5)
        assert torch.equal(no_grad, torch.ones(3)) and torch.equal(frozen, torch.ones(3))
        runs.append((opt, [used, no_grad, frozen]))
    assert_same(*runs, tol=0.0)


def test_lbfgs_refuses_what_torch_refuses():
    a, b = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    errors = []
    for module in (lessons.optim, torch.optim):
        with pytest.raises(ValueError) as error:
            module.LBFGS([{"params": [a]}, {"params": [b], "lr": 0.1}])
        errors.append(str(error.value))
        opt = module.LBFGS([a], line_search_fn="armijo")
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure_at(opt, [a], 0))
    assert (
        errors[0] == errors[1] == "LBFGS doesn't support per-parameter options (parameter groups)"
    )


def test_state_bytes_per_param():
    """The state each keeps for one float32 64x32 matrix (2,048 values), equal to torch's."""
    matrix = torch.randn(64, 32, generator=torch.Generator().manual_seed(0))
    n = matrix.numel()
    expected = {
        "ASGD": 4 + 3 * 4 / n,  # ax, plus step, eta and mu: three 0-dim float32 tensors
        "Rprop": 8 + 4 / n,  # prev and step_size, plus step
        "SparseAdam": 8,  # exp_avg and exp_avg_sq; step is a Python int
        "LBFGS": 4 * (2 * 3 + 2) + 4 * 7 / n,  # 3 pairs (y, s), d, g_prev; 3 ρ, 3 α and γ
    }
    for name, per_param in expected.items():
        runs = []
        for module in (lessons.optim, torch.optim):
            p = matrix.clone().requires_grad_()
            kwargs = dict(history_size=3) if name == "LBFGS" else {}
            opt = build(module, name, [p], **kwargs)
            for t in range(4):
                if name == "LBFGS":
                    opt.step(closure_at(opt, [p], t))
                    continue
                p.grad = torch.randn(p.shape, generator=torch.Generator().manual_seed(t))
                p.grad = p.grad.to_sparse() if name == "SparseAdam" else p.grad
                opt.step()
            runs.append(opt)
        assert state_bytes(runs[0]) == state_bytes(runs[1]), name
        assert state_bytes_per_param(runs[0]) == pytest.approx(per_param), name
