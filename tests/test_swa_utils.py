"""lessons.optim.swa_utils against torch.optim.swa_utils 2.13: averaging functions, AveragedModel
and update_bn, on a model with BatchNorm; every comparison is exact."""

import copy
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import swa_utils as theirs

from lessons.optim import swa_utils as ours

DTYPES = [torch.float32, torch.float64]


def tensors(seed, dtype, shapes=((3, 4), (5,), ())):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=gen, dtype=dtype) for shape in shapes]


def outcome(call):
    try:
        call()
    except Exception as error:  # the type is part of what we compare
        return type(error), str(error)
    return "accepted"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_averaging_functions_equal_torchs(dtype):
    @settings(max_examples=20, deadline=None, derandomize=True)
    @given(decay=st.floats(0.0, 1.0), n=st.integers(1, 50), tensor_n=st.booleans())
    def check(decay, n, tensor_n):
        n = torch.tensor(n) if tensor_n else n
        averaged, current = tensors(0, dtype), tensors(1, dtype)
        for name, args in [("get_ema_avg_fn", (decay,)), ("get_swa_avg_fn", ())]:
            a, b = (getattr(module, name)(*args) for module in (ours, theirs))
            for x, y in zip(averaged, current, strict=True):
                assert torch.equal(a(x, y, n), b(x, y, n)), name
        for name, args in [("get_ema_multi_avg_fn", (decay,)), ("get_swa_multi_avg_fn", ())]:
            results = []
            for module in (ours, theirs):
                in_place = [x.clone() for x in averaged]
                getattr(module, name)(*args)(in_place, current, n)
                results.append(in_place)
            for x, y in zip(*results, strict=True):
                assert torch.equal(x, y), name

    check()


def test_multi_functions_on_integer_buffers_equal_torchs():
    """BatchNorm's num_batches_tracked: the EMA truncates; the mean with a tensor n raises."""
    averaged, current = [torch.tensor(10), torch.tensor(7)], [torch.tensor(20), torch.tensor(3)]
    for n in (4, torch.tensor(4)):
        for name, args in [("get_ema_multi_avg_fn", (0.7,)), ("get_swa_multi_avg_fn", ())]:
            results = []
            for module in (ours, theirs):
                in_place = [x.clone() for x in averaged]
                average = getattr(module, name)(*args)
                raised = outcome(lambda f=average, a=in_place, n=n: f(a, current, n))
                results.append((raised, in_place))
            assert results[0][0] == results[1][0], (name, n)
            assert all(torch.equal(x, y) for x, y in zip(results[0][1], results[1][1], strict=True))


@pytest.mark.parametrize("decay", [-0.1, 1.0 + 1e-9, 2.0, -math.inf, math.nan, 0.0, 1.0])
@pytest.mark.parametrize("name", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_decay_checked_as_torch(name, decay):
    assert outcome(lambda: getattr(ours, name)(decay)) == outcome(
        lambda: getattr(theirs, name)(decay)
    )


def bn_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
    )


def batches(count=6, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(16, 3, generator=gen), torch.randn(16, 2, generator=gen)) for _ in range(count)
    ]


def assert_modules_equal(a, b):
    state_a, state_b = a.state_dict(), b.state_dict()
    assert list(state_a) == list(state_b)
    for key, value in state_b.items():
        assert state_a[key].dtype == value.dtype and torch.equal(state_a[key], value), key


CONFIGS = {
    "swa": lambda m: {},
    "avg_fn=swa": lambda m: dict(avg_fn=m.get_swa_avg_fn()),
    "avg_fn=ema": lambda m: dict(avg_fn=m.get_ema_avg_fn(0.9)),
    "multi_avg_fn=ema": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.9)),
    "multi_avg_fn=swa": lambda m: dict(multi_avg_fn=m.get_swa_multi_avg_fn()),
}


# On CUDA torch's default mean takes another path (foreach lerp), which ours follows.
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA")),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_averaged_model_equals_torchs(config, use_buffers, device):
    """Train a BatchNorm model with SGD and average it after every step, ours beside torch's."""
    model = bn_model().to(device)
    averaged = [
        module.AveragedModel(model, **CONFIGS[config](module), use_buffers=use_buffers)
        for module in (ours, theirs)
    ]
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    weights = []
    for x, y in batches(10):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x.to(device)), y.to(device)).backward()
        opt.step()
        raised = [outcome(lambda a=a: a.update_parameters(model)) for a in averaged]
        assert raised[0] == raised[1]
        assert_modules_equal(*averaged)
        weights.append(averaged[0].module[0].weight.clone())
    if (config, use_buffers) == ("multi_avg_fn=swa", True):
        # torch: the mean with a tensor n cannot addcdiv an integer num_batches_tracked
        assert raised[0][0] is RuntimeError and averaged[0].n_averaged == 1
        assert all(torch.equal(w, weights[0]) for w in weights)  # after the copy, nothing moved
    else:
        assert raised[0] == "accepted" and averaged[0].n_averaged == 10
        assert not torch.equal(averaged[0].module[0].weight, model[0].weight)  # it did average
    x = batches(1, seed=2)[0][0].to(device)
    for mode in ("train", "eval"):
        for a in averaged:
            getattr(a, mode)()
        assert torch.equal(averaged[0](x), averaged[1](x))


def test_averaged_model_state_dict_travels_both_ways():
    model = bn_model()
    mine, torchs = ours.AveragedModel(model), theirs.AveragedModel(model)
    for a in (mine, torchs):
        a.update_parameters(model)
    fresh_mine, fresh_torchs = ours.AveragedModel(bn_model()), theirs.AveragedModel(bn_model())
    fresh_mine.load_state_dict(torchs.state_dict())
    fresh_torchs.load_state_dict(mine.state_dict())
    assert_modules_equal(fresh_mine, torchs)
    assert_modules_equal(fresh_torchs, mine)


def test_averaged_model_refuses_two_averaging_functions():
    model = bn_model()
    results = [
        outcome(
            lambda m=m: m.AveragedModel(
                model, avg_fn=m.get_swa_avg_fn(), multi_avg_fn=m.get_swa_multi_avg_fn()
            )
        )
        for m in (ours, theirs)
    ]
    assert (
        results[0]
        == results[1]
        == (AssertionError, "Only one of avg_fn and multi_avg_fn should be provided")
    )


@pytest.mark.parametrize("tuples", [True, False], ids=["(x, y) batches", "tensor batches"])
@pytest.mark.parametrize("was_training", [True, False])
def test_update_bn_equals_torchs(tuples, was_training):
    model = bn_model()
    averaged = theirs.AveragedModel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in batches(5):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        averaged.update_parameters(model)
    loader = batches(4, seed=3) if tuples else [x for x, _ in batches(4, seed=3)]
    models = [copy.deepcopy(averaged).train(was_training) for _ in range(2)]
    ours.update_bn(loader, models[0], device="cpu")
    theirs.update_bn(loader, models[1], device="cpu")
    assert_modules_equal(*models)
    bn = models[0].module[1]
    assert bn.momentum == 0.1 and models[0].training == was_training
    assert bn.num_batches_tracked == 4
    # momentum=None: the running mean is the plain mean of the batch means
    features = [models[0].module[0](x) for x in (b[0] if tuples else b for b in loader)]
    expected = torch.stack([f.mean(0) for f in features]).mean(0)
    torch.testing.assert_close(bn.running_mean, expected)


def test_update_bn_without_batchnorm_does_nothing():
    model = torch.nn.Linear(3, 2)

    class Refuse:
        def __iter__(self):
            raise AssertionError("a model without BatchNorm needs no pass over the data")

    before = copy.deepcopy(model.state_dict())
    ours.update_bn(Refuse(), model)
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
