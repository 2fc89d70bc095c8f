import pytest
import torch

from lessons import memory, optim


def _stepped(optimizer_cls, **kwargs):
    torch.manual_seed(0)
    model = torch.nn.Linear(100, 10)
    optimizer = optimizer_cls(model.parameters(), **kwargs)
    model(torch.randn(4, 100)).sum().backward()
    optimizer.step()
    return optimizer


@pytest.mark.parametrize(
    ("optimizer_cls", "kwargs", "expected"),
    [
        (torch.optim.SGD, {"lr": 0.1}, 0.0),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9}, 4.0),
        (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}, 4.0),
        (optim.Adam, {}, 8.0),
        (torch.optim.Adam, {}, 8.0),
    ],
)
def test_bytes_per_param_measured_from_state(optimizer_cls, kwargs, expected):
    optimizer = _stepped(optimizer_cls, **kwargs)
    # Adam's two float32 `step` counters add 8 bytes over 1,010 parameters.
    assert memory.state_bytes_per_param(optimizer) == pytest.approx(expected, abs=0.01)


def test_by_key_and_shared_tensors_counted_once():
    optimizer = _stepped(torch.optim.Adam)
    by_key = memory.state_bytes(optimizer)
    assert by_key == {"step": 8, "exp_avg": 4040, "exp_avg_sq": 4040}
    p = optimizer.param_groups[0]["params"][0]
    optimizer.state[p]["alias"] = [optimizer.state[p]["exp_avg"]]
    assert sum(memory.state_bytes(optimizer).values()) == 8 + 4040 * 2


def test_parameter_count_counts_each_tensor_once():
    w = torch.nn.Parameter(torch.zeros(3, 4))
    optimizer = torch.optim.SGD([{"params": [w]}, {"params": [torch.nn.Parameter(torch.zeros(5))]}])
    assert memory.parameter_count(optimizer) == 17


def test_a_dtensor_counts_the_shard_this_process_holds():
    import torch.distributed as dist
    from torch.distributed.device_mesh import DeviceMesh
    from torch.distributed.tensor import DTensor, Shard

    dist.init_process_group("gloo", rank=0, world_size=1, store=dist.HashStore())
    try:  # rows 0-2 of a 6 x 4 tensor sharded by rows: numel() says 24, this process holds 12
        mesh = DeviceMesh("cpu", [0])
        shard = DTensor.from_local(
            torch.zeros(3, 4), mesh, [Shard(0)], run_check=False, shape=(6, 4), stride=(4, 1)
        )
        optimizer = torch.optim.SGD([torch.nn.Parameter(shard)], lr=0.1, momentum=0.9)
        optimizer.state[optimizer.param_groups[0]["params"][0]]["momentum_buffer"] = shard
        assert shard.numel() == 24
        assert memory.tensor_bytes([shard]) == 48
        assert memory.state_bytes(optimizer) == {"momentum_buffer": 48}
        assert memory.parameter_count(optimizer) == 12
    finally:
        dist.destroy_process_group()
