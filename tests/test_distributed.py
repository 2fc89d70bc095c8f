"""lessons.distributed on real gloo process groups: a few small launches (each spawns the ranks)."""

import os
import signal
import threading
import time

import psutil
import pytest
import torch
import torch.distributed as dist

import lessons.optim
from lessons.distributed import RankFailed, ZeroRedundancyOptimizer, launch
from lessons.distributed.runs import pitfalls, zero_parity
from lessons.models import mlp


def children() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


@pytest.fixture
def no_process_left():
    before = children()
    yield
    assert children() == before


# Rank functions: spawned ranks import them from this module.


def raise_on_rank_1():
    if dist.get_rank() == 1:
        print("rank 1 is about to fail", flush=True)
        raise ValueError("rank 1 cannot go on")
    time.sleep(600)  # a rank that would wait forever for the one that failed


def differing_parameters():
    torch.manual_seed(dist.get_rank())
    ZeroRedundancyOptimizer(mlp().parameters(), torch.optim.Adam)


def wait():
    time.sleep(600)


def nested():
    def inner():
        return 0

    return inner


@pytest.mark.parametrize(
    "world_size, optimizer_class", [(2, torch.optim.Adam), (3, lessons.optim.Adam)]
)
def test_zero_equals_torch_zero_and_one_process(world_size, optimizer_class, no_process_left):
    ranks = launch(zero_parity, world_size, optimizer_class, timeout=300)
    shards = [out["ours_shard"] for out in ranks]
    assert shards == [out["torch_shard"] for out in ranks]  # torch's assignment
    assert sorted(sum(shards, [])) == [0, 1, 2, 3] and all(shards)
    for out in ranks:
        for ours, theirs, single, resumed in zip(
            out["ours"], out["torch"], out["single"], out["resumed"], strict=True
        ):
            assert torch.equal(ours, theirs)
            torch.testing.assert_close(ours, single, rtol=1e-6, atol=1e-7)
            assert torch.equal(resumed, ours)
    ours, theirs = ranks[0]["ours_state"], ranks[0]["torch_state"]
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["param_groups"][0]["lr"] == 1e-3 / 2 and ours["param_groups"][1]["lr"] == 3e-3
    assert ours["state"].keys() == theirs["state"].keys() == {0, 1, 2, 3}
    for index, state in ours["state"].items():
        assert state.keys() == theirs["state"][index].keys()
        for key, value in state.items():
            assert torch.equal(value, theirs["state"][index][key]), (index, key)
    assert ranks[1]["ours_state"] is None  # consolidated on rank 0 only


def test_a_failing_rank_fails_the_call_promptly(no_process_left, capsys):
    start = time.monotonic()
    with pytest.raises(RankFailed) as failure:
        launch(raise_on_rank_1, 2, timeout=600)
    assert time.monotonic() - start < 120  # rank 0 was killed, not waited for
    assert failure.value.rank == 1
    assert "raise_on_rank_1" in failure.value.traceback
    assert "ValueError: rank 1 cannot go on" in failure.value.traceback
    assert "[rank 1] rank 1 is about to fail\n" in capsys.readouterr().out  # what it printed


def test_differing_parameters_are_named(no_process_left):
    with pytest.raises(RankFailed, match="parameters differ across ranks: rank 0 and rank 1"):
        launch(differing_parameters, 2)


def test_pitfalls_torch_zero_shares_and_nulls_ours_copies(no_process_left):
    ranks = launch(pitfalls, 2)
    for facts in ranks:
        assert facts["ours, different parameters"].startswith("parameters differ across ranks")
        assert facts["torch, load_state_dict() nulls entries"]
        assert not facts["ours, load_state_dict() nulls entries"]
    assert ranks[0]["torch, state_dict() live"] and not ranks[0]["ours, state_dict() live"]


def test_keyboard_interrupt_stops_every_rank(no_process_left):
    before = children()

    def interrupt_once_ranks_run():
        while len(children() - before) < 2:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    # Python's own Ctrl-C handler, also under a test run started in the background, which a
    # shell starts with SIGINT ignored (Python then installs no handler of its own)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=interrupt_once_ranks_run, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            launch(wait, 2, timeout=120)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_zero_without_a_process_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ZeroRedundancyOptimizer(mlp().parameters(), torch.optim.Adam)


@pytest.mark.parametrize("fn", [lambda: 0, nested()])
def test_launch_refuses_what_a_fresh_process_cannot_import(fn):
    with pytest.raises(ValueError, match="fn must be importable"):
        launch(fn, 2)


@pytest.mark.parametrize("world_size", [0, -1, 1.5, "2"])
def test_launch_refuses_a_bad_world_size(world_size):
    with pytest.raises(ValueError, match="world_size must be a positive int"):
        launch(wait, world_size)


@pytest.fixture
def one_rank():
    """A process group of this process alone: the ZeRO code paths without spawning anything."""
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def adam_pair(seed=0):
    torch.manual_seed(seed)
    model = mlp()
    reference = mlp()
    reference.load_state_dict(model.state_dict())
    return model, reference


def step_both(model, reference, zero, adam, steps=3):
    for step in range(steps):
        torch.manual_seed(step)
        inputs = torch.randn(4, 64)
        for net, optimizer in ((model, zero), (reference, adam)):
            optimizer.zero_grad()
            net(inputs).square().mean().backward()
            optimizer.step()


def test_one_rank_zero_is_the_wrapped_optimizer(one_rank):
    model, reference = adam_pair()
    zero = ZeroRedundancyOptimizer(model.parameters(), lessons.optim.Adam, lr=0.01)
    adam = lessons.optim.Adam(reference.parameters(), lr=0.01)
    step_both(model, reference, zero, adam)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(p, q)
    assert zero.param_groups[0]["betas"] == (0.9, 0.999)  # the wrapped optimizer's defaults


def test_state_dict_needs_consolidation_first(one_rank):
    zero = ZeroRedundancyOptimizer(mlp().parameters(), torch.optim.Adam)
    with pytest.raises(RuntimeError, match=r"call `consolidate_state_dict\(to=0\)` on all ranks"):
        zero.state_dict()


def test_a_mismatched_state_dict_is_refused_and_changes_nothing(one_rank):
    model, reference = adam_pair()
    zero = ZeroRedundancyOptimizer(model.parameters(), torch.optim.Adam)
    step_both(model, reference, zero, torch.optim.Adam(reference.parameters()), steps=1)
    zero.consolidate_state_dict()
    saved = zero.state_dict()
    two_groups = {"state": {}, "param_groups": saved["param_groups"] * 2}
    with pytest.raises(ValueError, match="different number of parameter groups"):
        zero.load_state_dict(two_groups)
    short = {"state": {}, "param_groups": [{**saved["param_groups"][0], "params": [0, 1]}]}
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        zero.load_state_dict(short)
    zero.consolidate_state_dict()
    after = zero.state_dict()
    for index, state in saved["state"].items():
        for key, value in state.items():
            assert torch.equal(after["state"][index][key], value)


def test_add_param_group_reaches_the_shard(one_rank):
    model = mlp()
    weights = [p for p in model.parameters() if p.dim() > 1]
    biases = [p for p in model.parameters() if p.dim() == 1]
    zero = ZeroRedundancyOptimizer(weights, torch.optim.SGD, lr=0.1)
    zero.add_param_group({"params": biases, "lr": 0.5})
    assert [g["lr"] for g in zero.optim.param_groups] == [0.1, 0.5]
    assert {id(p) for p in zero.optim.param_groups[1]["params"]} == {id(p) for p in biases}
