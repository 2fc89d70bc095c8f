"""lessons.optim against torch.optim 2.13's default single-tensor path (foreach=False)."""

import copy
import inspect
import io
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler

import lessons.optim

NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam"]
TORCH_ONLY = {"capturable", "differentiable"}
FUSED = ["SGD", "Adagrad", "Adam", "AdamW"]  # the optimizers torch gives a fused path
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}
STEPS = 30
SHAPES = [[(3, 4), (5,)], [(2, 3, 2), ()]]  # two param groups


def build(module, name, params, **kwargs):
    cls = getattr(module, name)
    if module is torch.optim and "foreach" in inspect.signature(cls).parameters:
        kwargs.setdefault("foreach", False)
    return cls(params, **kwargs)


def initial_values(dtype, shapes=SHAPES):
    gen = torch.Generator().manual_seed(0)
    return [[torch.randn(shape, generator=gen, dtype=dtype) for shape in group] for group in shapes]


def fill_grads(params, t):
    """A gradient that depends on the parameter, so any divergence feeds back, plus seeded noise."""
    for i, p in enumerate(params):
        noise = torch.randn(p.shape, generator=torch.Generator().manual_seed(1000 * t + i))
        p.grad = torch.tanh(p.detach()) + noise.to(p.dtype)


def train(opt, params, steps, *, start=0, scheduler=None, lr_change_at=None, fill=fill_grads):
    for t in range(start, start + steps):
        if t == lr_change_at:
            opt.param_groups[0]["lr"] *= 0.5
            opt.param_groups[1]["lr"] *= 2.0
        fill(params, t)
        opt.step()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(1.0)  # a flat loss: the plateau rule cuts the lr every patience + 1
        elif scheduler is not None:
            scheduler.step()


def twins(name, dtype, kwargs0, kwargs1=None, *, shapes=SHAPES, reference=torch.optim):
    """Ours and the reference's (torch's), on equal copies of two param groups; kwargs1 overrides
    the second group. `reference` is any namespace holding a class of the same name."""
    pairs = []
    for module in (lessons.optim, reference):
        groups = [
            [v.clone().requires_grad_() for v in group] for group in initial_values(dtype, shapes)
        ]
        param_groups = [{"params": groups[0]}, {"params": groups[1], **(kwargs1 or {})}]
        pairs.append((build(module, name, param_groups, **kwargs0), groups[0] + groups[1]))
    return pairs


def max_diff(a, b):
    """Largest absolute difference; a nan must sit at the same place in both (inf if not)."""
    a, b = a.detach().double(), b.detach().double()
    if not torch.equal(a.isnan(), b.isnan()):
        return math.inf
    return (a - b).nan_to_num(nan=0.0).abs().max().item() if a.numel() else 0.0


def assert_value_same(a, b, tol, key):
    """A state value: a tensor (same dtype and shape), a list of values, or a number, within tol."""
    assert type(a) is type(b), key
    if isinstance(b, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, key
        assert max_diff(a, b) <= tol, key
    elif isinstance(b, list):
        assert len(a) == len(b), key
        for item_a, item_b in zip(a, b, strict=True):
            assert_value_same(item_a, item_b, tol, key)
    else:  # an int or float counter, or None
        assert a == b or abs(a - b) <= tol, key


def assert_same(ours, theirs, tol):
    """Params and every state value: same keys, types, dtypes, shapes; values within tol."""
    (opt_a, params_a), (opt_b, params_b) = ours, theirs
    for pa, pb in zip(params_a, params_b, strict=True):
        assert max_diff(pa, pb) <= tol
        assert (pa in opt_a.state) == (pb in opt_b.state)
        state_a, state_b = opt_a.state.get(pa, {}), opt_b.state.get(pb, {})
        assert list(state_a) == list(state_b)
        for key, value in state_b.items():
            assert_value_same(state_a[key], value, tol, key)


# Valid hyperparameters, drawn from the range each argument allows.
lr = st.floats(1e-4, 0.3)
decay = st.sampled_from([0.0]) | st.floats(1e-4, 0.1)
eps = st.floats(1e-10, 1e-3)
beta = st.floats(0.0, 0.999)
betas = st.tuples(beta, beta)
flag = st.booleans()


@st.composite
def sgd_kwargs(draw):
    nesterov = draw(flag)
    momentum = draw(st.floats(0.01, 0.99) if nesterov else st.sampled_from([0.0]) | beta)
    dampening = 0.0 if nesterov else draw(st.floats(0.0, 1.0))
    return dict(
        lr=draw(lr),
        momentum=momentum,
        dampening=dampening,
        weight_decay=draw(decay),
        nesterov=nesterov,
        maximize=draw(flag),
    )


def kwargs_of(**strategies):
    return st.fixed_dictionaries(strategies)


adam_like = dict(lr=lr, betas=betas, eps=eps, weight_decay=decay, maximize=flag)
KWARGS = {
    "SGD": sgd_kwargs(),
    "Adagrad": kwargs_of(
        lr=lr,
        lr_decay=decay,
        weight_decay=decay,
        initial_accumulator_value=st.floats(0.0, 1.0),
        eps=eps,
        maximize=flag,
    ),
    "RMSprop": kwargs_of(
        lr=st.floats(1e-4, 0.05),
        alpha=st.floats(0.5, 0.999),  # centered: v − ḡ² is 0 at alpha 0 and rounds to nan
        eps=eps,
        weight_decay=decay,
        momentum=st.sampled_from([0.0]) | beta,
        centered=flag,
        maximize=flag,
    ),
    "Adam": kwargs_of(**adam_like, amsgrad=flag, decoupled_weight_decay=flag),
    "AdamW": kwargs_of(**adam_like, amsgrad=flag),
    "Adadelta": kwargs_of(lr=st.floats(0.01, 2.0), rho=beta, eps=eps, weight_decay=decay),
    "Adamax": kwargs_of(**adam_like),
    "NAdam": kwargs_of(
        **adam_like, momentum_decay=st.floats(0.0, 0.01), decoupled_weight_decay=flag
    ),
    "RAdam": kwargs_of(**adam_like, decoupled_weight_decay=flag),
}
# Settings a param group may override; Adagrad's state fill and the two state-shaping flags
# (RMSprop momentum on/off, centered) are left to the constructor.
GROUP_KEYS = ("lr", "betas", "eps", "weight_decay", "momentum_decay", "maximize", "rho", "alpha")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_parity_random_hyperparameters(name, dtype):
    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(KWARGS[name], KWARGS[name])
    def check(kwargs0, kwargs1):
        kwargs1 = {k: v for k, v in kwargs1.items() if k in GROUP_KEYS}
        ours, theirs = twins(name, dtype, kwargs0, kwargs1)
        for opt, params in (ours, theirs):
            train(opt, params, STEPS, lr_change_at=STEPS // 2)
        assert_same(ours, theirs, TOL[dtype])

    check()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_foreach_is_torchs_foreach_bit_for_bit(name, dtype):
    """foreach=True follows torch's foreach op order, which differs from the loop's in places."""

    @settings(max_examples=8, deadline=None, derandomize=True)
    @given(KWARGS[name], KWARGS[name])
    def check(kwargs0, kwargs1):
        kwargs1 = {k: v for k, v in kwargs1.items() if k in GROUP_KEYS}
        ours, theirs = twins(name, dtype, {**kwargs0, "foreach": True}, kwargs1)
        for opt, params in (ours, theirs):
            train(opt, params, STEPS, lr_change_at=STEPS // 2)
        assert_same(ours, theirs, 0.0)

    check()


def test_a_twin_without_fast_paths_loops_whatever_the_flags():
    class Plain(lessons.optim.ScratchOptimizer):  # what a new twin defines at least
        update = staticmethod(lessons.optim.sgd_update)

        def step_param(self, p, group):
            self.update(p, p.grad, None, **self.hyperparameters(group))

    flags = dict(momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)
    for foreach in (None, False, True):
        p = torch.ones(3, requires_grad=True)
        p.grad = torch.ones(3)
        Plain([p], dict(lr=0.5, foreach=foreach, fused=None, **flags)).step()
        assert torch.equal(p, torch.full((3,), 0.5))


@pytest.mark.parametrize("name", FUSED)
def test_fused_is_torchs_fused_within_float32_rounding(name):
    """Compiled once per chunk length: a new lr (or step) is a tensor input, not a recompile."""
    from torch._dynamo.utils import counters

    ours, theirs = twins(name, torch.float32, {**FULL[name], "fused": True}, {"lr": 0.003})
    graphs = counters["stats"]["unique_graphs"]
    for opt, params in (ours, theirs):
        train(opt, params, STEPS, lr_change_at=STEPS // 2)
    assert (
        counters["stats"]["unique_graphs"] - graphs <= 2
    )  # a chunk of 2 tensors, and of 1 (0-dim)
    assert_same(ours, theirs, TOL[torch.float32])


@pytest.mark.parametrize("name", ["Adagrad", "Adam"])  # the fused twins that count steps
def test_fused_steps_skip_and_resume_as_torchs(name):
    """Ours packs a group's step counters into one tensor on its first fused step (and again when
    they are not): a parameter without a gradient keeps its count, and a checkpoint moves both
    ways, through torch.save, as a live state_dict or deep-copied."""

    def some_grads(params, t):
        fill_grads(params, t)
        if t % 3 == 1:
            params[0].grad = None  # the first parameter sits this step out

    def run(first, then, carry=checkpoint):
        groups = [[v.clone().requires_grad_() for v in group] for group in initial_values(dtype)]
        param_groups = [{"params": groups[0]}, {"params": groups[1], "lr": 0.003}]
        params = groups[0] + groups[1]
        opt = build(first, name, param_groups, **FULL[name], fused=True)
        train(opt, params, 7, fill=some_grads)
        saved = carry(opt)
        opt = build(then, name, param_groups, **FULL[name], fused=True)
        opt.load_state_dict(saved)
        train(opt, params, 8, start=7, fill=some_grads)  # the last step, t = 14, steps them all
        return opt, params

    dtype = torch.float32
    theirs = run(torch.optim, torch.optim)
    for first, then in [(lessons.optim, torch.optim), (torch.optim, lessons.optim)]:
        assert_same(run(first, then), theirs, TOL[dtype])
    live, deep = (lambda opt: opt.state_dict()), (lambda opt: copy.deepcopy(opt.state_dict()))
    for carry in (checkpoint, live, deep):
        opt, params = run(lessons.optim, lessons.optim, carry)
        assert_same((opt, params), theirs, TOL[dtype])
    for group in opt.param_groups:
        packed = opt.state[group["params"][0]]["step"]._base
        assert packed is not None and packed.shape == (len(group["params"]),)
        assert all(opt.state[p]["step"]._base is packed for p in group["params"])


def test_a_fused_step_that_fails_changes_nothing(monkeypatch):
    """The step counters advance after the kernel: a step whose kernel fails (here on purpose)
    leaves the parameters and every state value as they were."""
    from lessons.optim import _base

    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)  # eager: no compile in a test
    monkeypatch.setattr(_base, "compiled", _base.compiled.__wrapped__)
    params = [torch.ones(3, requires_grad=True), torch.ones(2, requires_grad=True)]
    for p in params:
        p.grad = torch.full_like(p, 0.5)
    opt = lessons.optim.Adam(params, lr=0.1, fused=True)
    opt.step()
    before = [p.detach().clone() for p in params]
    state_before = [{k: v.clone() for k, v in opt.state[p].items()} for p in params]

    def fails(lists, scalars, **flags):
        raise RuntimeError("the kernel failed")

    monkeypatch.setattr(_base, "compiled", lambda kernel: fails)
    with pytest.raises(RuntimeError, match="the kernel failed"):
        opt.step()
    assert all(torch.equal(p, b) for p, b in zip(params, before, strict=True))
    for p, state in zip(params, state_before, strict=True):
        assert all(torch.equal(opt.state[p][k], v) for k, v in state.items())
    assert opt.state[params[0]]["step"].item() == 1


def test_fused_compiles_past_dynamos_default_recompile_limit():
    """A graph per chunk length: past dynamo's limit it would run eager, silently, unless told."""
    limits = dict(recompile_limit=1, fail_on_recompile_limit_hit=True)
    with torch._dynamo.config.patch(**limits):
        for count in (1, 2, 3):  # chunks of 1, of 2, and of 2 + 1: two graphs at least
            params = [torch.ones(5, requires_grad=True) for _ in range(count)]
            for p in params:
                p.grad = torch.ones(5)
            lessons.optim.SGD(params, lr=0.5, fused=True).step()
            assert all(torch.equal(p, torch.full((5,), 0.5)) for p in params)


def scheduler_factories():
    def cycles(opt):  # torch refuses cycle_momentum without momentum or betas
        return "momentum" in opt.defaults or "betas" in opt.defaults

    return {
        "LambdaLR": lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.95**e),
        "MultiplicativeLR": lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.97),
        "StepLR": lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.5),
        "MultiStepLR": lambda o: lr_scheduler.MultiStepLR(o, milestones=[5, 12, 20]),
        "ConstantLR": lambda o: lr_scheduler.ConstantLR(o, factor=0.3, total_iters=8),
        "LinearLR": lambda o: lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10),
        "ExponentialLR": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
        "PolynomialLR": lambda o: lr_scheduler.PolynomialLR(o, total_iters=25, power=2.0),
        "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=1e-4),
        "CosineAnnealingWarmRestarts": lambda o: lr_scheduler.CosineAnnealingWarmRestarts(
            o, T_0=7, T_mult=2
        ),
        "CyclicLR": lambda o: lr_scheduler.CyclicLR(
            o, base_lr=1e-3, max_lr=0.05, step_size_up=6, cycle_momentum=cycles(o)
        ),
        "OneCycleLR": lambda o: lr_scheduler.OneCycleLR(
            o, max_lr=0.05, total_steps=STEPS, cycle_momentum=cycles(o)
        ),
        "SequentialLR": lambda o: lr_scheduler.SequentialLR(
            o,
            [lr_scheduler.LinearLR(o, 0.1, total_iters=5), lr_scheduler.ExponentialLR(o, 0.9)],
            milestones=[5],
        ),
        "ChainedScheduler": lambda o: lr_scheduler.ChainedScheduler(
            [lr_scheduler.ConstantLR(o, 0.5, total_iters=4), lr_scheduler.ExponentialLR(o, 0.9)]
        ),
        "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=2, factor=0.5),
    }


SCHEDULERS = scheduler_factories()
# Every branch that holds state switched on, so a scheduler's momentum cycling reaches it too.
FULL = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adagrad": dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.01, amsgrad=True),
    "Adadelta": dict(lr=0.5, weight_decay=0.01),
    "Adamax": dict(lr=0.01, weight_decay=0.01),
    "NAdam": dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": dict(lr=0.01, weight_decay=0.01),
}


def test_scheduler_list_is_torchs():
    torch_schedulers = {
        name
        for name, obj in vars(lr_scheduler).items()
        if isinstance(obj, type)
        and issubclass(obj, lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau)
        and not name.startswith("_")
        and name not in {"LRScheduler", "_LRScheduler"}
    }
    assert torch_schedulers == set(SCHEDULERS)


def train_under(scheduler, pairs):
    """Each (optimizer, params) pair trained under its own copy of the scheduler: the lrs set."""
    lrs = []
    for opt, params in pairs:
        sched = SCHEDULERS[scheduler](opt)
        for t in range(STEPS):
            train(opt, params, 1, start=t, scheduler=sched)
            lrs.append(opt.param_groups[0]["lr"])
    return lrs


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
@pytest.mark.parametrize("name", NAMES)
def test_parity_under_every_scheduler(name, scheduler):
    pairs = twins(name, torch.float64, FULL[name], {"lr": FULL[name]["lr"] / 2})
    assert len(set(train_under(scheduler, pairs))) > 1  # the schedule did move the lr
    assert_same(*pairs, TOL[torch.float64])


def checkpoint(opt):
    """state_dict through torch.save and torch.load, as a real checkpoint travels."""
    buffer = io.BytesIO()
    torch.save(opt.state_dict(), buffer)
    buffer.seek(0)
    return torch.load(buffer)


def resumed(module_saved, module_loaded, name, stop=12):
    """Train `stop` steps with one implementation, then continue from its checkpoint with the other.

    float32 params: load_state_dict casts every state tensor but `step` to the param dtype, so in
    float64 torch's own NAdam resumes with a float64 `mu_product` and drifts by about 1e-16.
    """
    init = [v for group in initial_values(torch.float32) for v in group]
    params = [v.clone().requires_grad_() for v in init]
    opt = build(module_saved, name, params, **FULL[name])
    train(opt, params, stop)
    saved, values = checkpoint(opt), [p.detach().clone() for p in params]
    fresh = [v.clone().requires_grad_() for v in values]
    opt = build(module_loaded, name, fresh, **FULL[name])
    opt.load_state_dict(saved)
    train(opt, fresh, STEPS - stop, start=stop)
    return opt, fresh


@pytest.mark.parametrize("name", NAMES)
def test_resume_from_state_dict_is_identical(name):
    init = [v for group in initial_values(torch.float32) for v in group]
    params = [v.clone().requires_grad_() for v in init]
    opt = build(lessons.optim, name, params, **FULL[name])
    train(opt, params, STEPS)
    for saved, loaded in [
        (lessons.optim, lessons.optim),
        (torch.optim, lessons.optim),
        (lessons.optim, torch.optim),
    ]:
        assert_same((opt, params), resumed(saved, loaded, name), tol=0.0)


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_defaults_are_torchs(name):
    ours, theirs = getattr(lessons.optim, name), getattr(torch.optim, name)
    ours_args = inspect.signature(ours).parameters
    theirs_args = inspect.signature(theirs).parameters
    assert set(ours_args) == set(theirs_args) - TORCH_ONLY
    for arg, spec in ours_args.items():
        assert spec.default == theirs_args[arg].default, arg
    # positional arguments mean the same in both: ours are a prefix of torch's
    ours_positional = [a for a, s in ours_args.items() if s.kind == s.POSITIONAL_OR_KEYWORD]
    theirs_positional = [a for a, s in theirs_args.items() if s.kind == s.POSITIONAL_OR_KEYWORD]
    assert ours_positional == theirs_positional[: len(ours_positional)]
    p = torch.zeros(2, requires_grad=True)
    defaults = getattr(torch.optim, name)([p]).defaults
    assert ours([p]).defaults == {k: v for k, v in defaults.items() if k not in TORCH_ONLY}


def numeric_args(name):
    """Constructor arguments with a number for default: those torch range-checks, and more."""
    params = inspect.signature(getattr(lessons.optim, name)).parameters
    return [a for a, s in params.items() if type(s.default) in (int, float)]


BAD_NUMBERS = [-1.0, -1e-12, math.nan, math.inf, -math.inf, 1.0, 1.5]
BAD_BETAS = [-0.1, 1.0, 1.5, math.nan, 0, torch.tensor(0.5), torch.tensor([0.5, 0.6])]


def bad_arguments():
    rows = []
    for name in NAMES:
        rows += [(name, {arg: value}) for arg in numeric_args(name) for value in BAD_NUMBERS]
        rows += [(name, {"lr": torch.tensor([0.1, 0.2])}), (name, {"lr": torch.tensor(-0.1)})]
        if "betas" in inspect.signature(getattr(lessons.optim, name)).parameters:
            rows += [(name, {"betas": (b, 0.999)}) for b in BAD_BETAS]
            rows += [(name, {"betas": (0.9, b)}) for b in BAD_BETAS]
    rows += [
        ("SGD", {"nesterov": True}),
        ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
        ("SGD", {"nesterov": True, "momentum": math.nan}),
        ("Adam", {"betas": (torch.tensor([0.9, 0.8]), torch.tensor(0.99))}),
        ("Adam", {"betas": (torch.tensor(0.9), torch.tensor([0.99, 0.9]))}),
        ("Adam", {"lr": torch.tensor(0.01), "foreach": True}),
        ("Adam", {"betas": (torch.tensor(0.9), torch.tensor(0.99)), "foreach": True}),
    ]
    rows += [(name, {"foreach": True, "fused": True}) for name in FUSED]
    for name in NAMES:
        if "betas" in inspect.signature(getattr(lessons.optim, name)).parameters:
            rows += [(name, {"betas": ()}), (name, {"betas": (0.9,)}), (name, {"betas": [0.9]})]
    return rows


def outcome(module, name, kwargs):
    try:
        build(module, name, [torch.zeros(2, requires_grad=True)], **kwargs)
    except Exception as error:  # the type is part of what we compare
        return type(error), str(error)
    return "accepted"


BAD = bad_arguments()


@pytest.mark.parametrize(("name", "kwargs"), BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_arguments_rejected_exactly_as_torch(name, kwargs):
    assert outcome(lessons.optim, name, kwargs) == outcome(torch.optim, name, kwargs)


def rejected_arguments(bad, name):
    """The arguments of `name` that some row of the table `bad` makes torch reject."""
    rejected = [kw for n, kw in bad if n == name and outcome(torch.optim, name, kw) != "accepted"]
    return {arg for kw in rejected for arg in kw}


def test_bad_argument_table_has_rejections_for_every_optimizer():
    for name in NAMES:
        assert rejected_arguments(BAD, name) >= {"lr", "weight_decay"}, name


@pytest.mark.parametrize("name", NAMES)
def test_params_without_grad_are_left_alone(name):
    runs = []
    for module in (lessons.optim, torch.optim):
        used, no_grad = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
        frozen = torch.ones(3)
        opt = build(module, name, [used, no_grad, frozen], **FULL[name])
        for _ in range(3):
            used.grad = torch.full_like(used, 0.5)
            opt.step()
        assert torch.equal(no_grad, torch.ones(3)) and torch.equal(frozen, torch.ones(3))
        runs.append((opt, [used, no_grad, frozen]))
    if name != "Adagrad":  # torch fills Adagrad's state for every parameter in __init__
        assert [id(p) for p in runs[0][0].state] == [id(runs[0][1][0])]
    assert_same(*runs, tol=0.0)


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr_and_closure(name):
    runs = []
    for module in (lessons.optim, torch.optim):
        p = torch.linspace(-1, 1, 5, dtype=torch.float64, requires_grad=True)
        opt = build(module, name, [p], **{**FULL[name], "lr": torch.tensor(FULL[name]["lr"])})

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = (p**4).sum()
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(STEPS)]
        runs.append(((opt, [p]), losses))
    assert runs[0][1] == runs[1][1]
    assert_same(runs[0][0], runs[1][0], tol=TOL[torch.float64])


def test_adam_tensor_betas():
    kwargs = dict(lr=0.01, betas=(torch.tensor(0.9), torch.tensor(0.99)))
    ours, theirs = twins("Adam", torch.float32, kwargs)
    for opt, params in (ours, theirs):
        train(opt, params, STEPS)
    assert_same(ours, theirs, TOL[torch.float32])


def test_complex_params_are_refused():
    p = torch.zeros(2, dtype=torch.complex64, requires_grad=True)
    p.grad = torch.ones_like(p)
    with pytest.raises(ValueError, match="complex parameters are not supported"):
        lessons.optim.Adam([p]).step()


def test_adamw_stays_decoupled_when_loading_an_adam_state_dict():
    p = torch.zeros(2, requires_grad=True)
    saved = torch.optim.Adam([p], weight_decay=0.1).state_dict()
    for module in (lessons.optim, torch.optim):
        opt = module.AdamW([p])
        opt.load_state_dict(saved)
        assert opt.param_groups[0]["decoupled_weight_decay"] is True


def second_param_unsteppable(name):
    """Kwargs and a sparse gradient whose step torch refuses (SGD, Adagrad: with weight decay)."""
    sparse_grad = torch.sparse_coo_tensor(
        [[0, 2, 0]], torch.ones(3, 2), (4, 2), check_invariants=True
    )
    kwargs = {"weight_decay": 0.1} if name in ("SGD", "Adagrad") else {}  # both allow sparse
    return kwargs, sparse_grad


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("foreach", [False, True])
def test_a_step_that_fails_changes_nothing(name, foreach):
    kwargs, sparse_grad = second_param_unsteppable(name)
    for bad_grad, error in [(sparse_grad, RuntimeError), (None, ValueError)]:
        good = torch.ones(4, 2, requires_grad=True)
        bad = torch.ones(4, 2, dtype=torch.float32 if bad_grad is not None else torch.complex64)
        bad.requires_grad_()
        good.grad, bad.grad = (
            torch.ones(4, 2),
            torch.ones_like(bad) if bad_grad is None else bad_grad,
        )
        paths = {"foreach": True} if foreach else {}
        opt = getattr(lessons.optim, name)([good, bad], **paths, **kwargs)
        state_before = {id(p): {k: v.clone() for k, v in s.items()} for p, s in opt.state.items()}
        with pytest.raises(error):
            opt.step()
        assert torch.equal(good, torch.ones(4, 2))
        state_after = {id(p): {k: v.clone() for k, v in s.items()} for p, s in opt.state.items()}
        assert state_after.keys() == state_before.keys()
        for key, state in state_before.items():
            assert all(torch.equal(v, state_after[key][k]) for k, v in state.items())


@pytest.mark.parametrize("name", NAMES)
def test_sparse_gradient_refused_with_torchs_error(name):
    kwargs, sparse_grad = second_param_unsteppable(name)
    errors = []
    for module in (lessons.optim, torch.optim):
        p = torch.ones(4, 2, requires_grad=True)
        p.grad = sparse_grad
        with pytest.raises(RuntimeError) as error:
            build(module, name, [p], **kwargs).step()
        errors.append(str(error.value))
    assert errors[0] == errors[1]
    assert "does not support sparse" in errors[0] or name in ("SGD", "Adagrad")


@pytest.mark.parametrize("name", FUSED)
def test_fused_and_sparse_checks_come_in_torchs_order(name):
    """A sparse gradient on a device fused=True does not take: torch's SGD and Adagrad name the
    device first, its Adam and AdamW the sparse gradient (the device lists differ: ours names
    the two our compiled path is tested on)."""
    errors = []
    for module in (lessons.optim, torch.optim):
        p = torch.ones(4, 2, device="meta", requires_grad=True)
        p.grad = torch.sparse_coo_tensor([[0, 2]], torch.ones(2, 2), (4, 2)).to("meta")
        with pytest.raises(RuntimeError) as error:
            getattr(module, name)([p], lr=0.1, fused=True).step()
        errors.append(str(error.value).split(" devices: ")[0])
    assert errors[0] == errors[1]


SPARSE = {
    "SGD": [
        dict(lr=0.1),
        dict(lr=0.1, momentum=0.9, dampening=0.2, maximize=True),
        dict(lr=0.1, momentum=0.9, nesterov=True),
    ],
    "Adagrad": [
        dict(lr=0.1),
        dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, maximize=True),
    ],
}


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize(("name", "kwargs"), [(n, kw) for n, kws in SPARSE.items() for kw in kws])
def test_sparse_gradients_match_torch(name, kwargs, foreach):
    """Embedding-style gradients: a few rows, one repeated (Adagrad coalesces), and a dense one."""
    runs = []
    for module in (lessons.optim, torch.optim):
        table = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(6, 2).requires_grad_()
        dense = torch.ones(3, dtype=torch.float64, requires_grad=True)
        opt = build(
            module, name, [table, dense], **({"foreach": True} if foreach else {}), **kwargs
        )
        for t in range(STEPS):
            rows = torch.tensor([[t % 6, (t + 2) % 6, t % 6]])
            values = torch.full((3, 2), 0.5, dtype=torch.float64) + torch.tanh(
                table[rows[0]].detach()
            )
            table.grad = torch.sparse_coo_tensor(rows, values, (6, 2), check_invariants=True)
            dense.grad = torch.tanh(dense.detach())
            opt.step()
        runs.append((opt, [table, dense]))
    assert not torch.equal(runs[0][1][0], torch.linspace(-1, 1, 12).reshape(6, 2).double())
    (opt_a, params_a), (opt_b, params_b) = runs
    for pa, pb in zip(params_a, params_b, strict=True):
        assert max_diff(pa, pb) <= TOL[torch.float64]
        state_a, state_b = opt_a.state[pa], opt_b.state[pb]
        assert list(state_a) == list(state_b)
        for key, value in state_b.items():
            assert max_diff(state_a[key].to_dense(), value.to_dense()) <= TOL[torch.float64], key
