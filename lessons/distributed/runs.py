"""Functions that `launch` runs on every rank: ZeRO-1 against torch's and a single process.

They live in a module because a spawned process can import a module, not a notebook cell.
"""

import copy
import warnings
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
from torch.distributed.fsdp import fully_shard
from torch.distributed.tensor import DTensor
from torch.nn.parallel import DistributedDataParallel

from lessons.memory import state_bytes
from lessons.models import mlp

from .comm import count_collectives
from .zero import ZeroRedundancyOptimizer


def torch_zero():
    """torch's ZeroRedundancyOptimizer, without the torch.jit deprecation warnings its import
    emits (torch.distributed.optim scripts functional optimizers at import time)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"`torch\.jit\.script` is deprecated", DeprecationWarning)
        from torch.distributed.optim import ZeroRedundancyOptimizer as TorchZero
    return TorchZero


def data(steps: int, batch: int, seed: int = 0, sizes=(64, 32, 10)):
    """`steps` seeded batches `(X, y)` of the whole (global) batch, the same on every rank."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(steps, batch, sizes[0], generator=g)
    return X, torch.randint(sizes[-1], (steps, batch), generator=g)


def groups(model) -> list[dict]:
    """Two parameter groups: weights, and biases with their own lr."""
    weights = [p for p in model.parameters() if p.dim() > 1]
    biases = [p for p in model.parameters() if p.dim() == 1]
    return [{"params": weights}, {"params": biases, "lr": 3e-3}]


def train(model, optimizer, X, y, lr_change_at=None, shard=True):
    """One step per batch; each rank takes its slice of the global batch when `shard`.

    With a DDP model the gradients are averaged over ranks: the mean loss of the global batch.
    At step `lr_change_at` the first group's lr is halved, as a scheduler would.
    """
    rank, world = (dist.get_rank(), dist.get_world_size()) if shard else (0, 1)
    for step, (inputs, targets) in enumerate(zip(X, y, strict=True)):
        if step == lr_change_at:
            optimizer.param_groups[0]["lr"] /= 2
        optimizer.zero_grad()
        F.cross_entropy(model(inputs.chunk(world)[rank]), targets.chunk(world)[rank]).backward()
        optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


def zero_parity(optimizer_class, steps: int = 20, seed: int = 0, **defaults) -> dict:
    """Train the same MLP four ways for `steps` steps (two groups, lr halved midway).

    single: one process, the whole batch; torch / ours: DDP with torch's and our ZeRO-1;
    resumed: ours, stopped at the midpoint, its state consolidated, state_dict'ed, loaded into
    a fresh optimizer and trained on. Returns each run's parameters, this rank's shard (indices
    of the parameters whose state it keeps) for both ZeROs, and the consolidated state dicts.
    """
    world = dist.get_world_size()
    torch.manual_seed(seed)
    model = mlp()
    X, y = data(steps, 12 * world, seed)
    half = steps // 2
    out = {}

    single = copy.deepcopy(model)
    out["single"] = train(single, optimizer_class(groups(single), **defaults), X, y, half, False)

    zeros = {"torch": torch_zero(), "ours": ZeroRedundancyOptimizer}
    for name, zero_class in zeros.items():
        ddp = DistributedDataParallel(copy.deepcopy(model))
        zero = zero_class(groups(ddp.module), optimizer_class, **defaults)
        out[name] = train(ddp, zero, X, y, half)
        index = {p: i for i, p in enumerate(ddp.module.parameters())}
        out[f"{name}_shard"] = sorted(index[p] for p in zero.optim.state)
        zero.consolidate_state_dict(to=0)
        out[f"{name}_state"] = copy.deepcopy(zero.state_dict()) if dist.get_rank() == 0 else None

    ddp = DistributedDataParallel(copy.deepcopy(model))
    zero = ZeroRedundancyOptimizer(groups(ddp.module), optimizer_class, **defaults)
    train(ddp, zero, X[:half], y[:half])
    zero.consolidate_state_dict(to=0)
    saved = [zero.state_dict() if dist.get_rank() == 0 else None]
    # broadcast_object_list: the pickled state dict from rank 0 to all, as a file on disk would
    dist.broadcast_object_list(saved, src=0)
    resumed = ZeroRedundancyOptimizer(groups(ddp.module), optimizer_class, **defaults)
    resumed.load_state_dict(saved[0])
    resumed.param_groups[0]["lr"] /= 2  # the change the uninterrupted run made at `half`
    out["resumed"] = train(ddp, resumed, X[half:], y[half:])
    return out


def _local(tensor):
    """This rank's part of a tensor: an FSDP2 DTensor's shard, or the tensor itself."""
    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


def _bytes(tensors) -> int:
    return sum(_local(t).numel() * _local(t).element_size() for t in tensors)


def _bill(model, optimizer, moved, steps) -> dict:
    """What this rank holds, counted from the tensors, and the bytes moved per step."""
    state = {p: {k: _local(v) for k, v in s.items()} for p, s in optimizer.state.items()}
    params = list(model.parameters())
    return {
        "parameters": _bytes(params),
        "gradients": _bytes(p.grad for p in params),
        "optimizer state": sum(state_bytes(SimpleNamespace(state=state)).values()),
        "moved per step": {name: size // steps for name, size in moved.items()},
        "final": [_local(p).detach().clone() for p in params],
    }


def stages(X, y, sizes=(64, 256, 256, 10), seed: int = 0) -> dict:
    """Adam on one MLP four ways: DDP, ZeRO-1 (torch's, ours), FSDP2. What each rank holds.

    Every stage trains the same seeded model, one step per global batch `X[t], y[t]` (each rank
    its slice), and reports its bill (`_bill`); "single" is the same training in one process.
    """
    rank, steps = dist.get_rank(), len(X)
    torch.manual_seed(seed)
    model = mlp(sizes)
    out = {}

    single = copy.deepcopy(model)
    out["single"] = train(single, torch.optim.Adam(single.parameters()), X, y, shard=False)

    zero_classes = {"ZeRO-1 (torch)": torch_zero(), "ZeRO-1 (ours)": ZeroRedundancyOptimizer}
    optimizers = {"DDP": lambda params: torch.optim.Adam(params)} | {
        name: lambda params, zero=zero: zero(params, torch.optim.Adam)
        for name, zero in zero_classes.items()
    }
    for name, make in optimizers.items():
        ddp = DistributedDataParallel(copy.deepcopy(model))
        ddp.register_comm_hook(dist.group.WORLD, allreduce_hook)  # the all-reduce, in Python
        optimizer = make(ddp.parameters())
        with count_collectives() as moved:
            train(ddp, optimizer, X, y)
        out[name] = _bill(ddp, getattr(optimizer, "optim", optimizer), moved, steps)

    sharded = copy.deepcopy(model)
    for layer in sharded:
        if isinstance(layer, torch.nn.Linear):
            fully_shard(layer)
    fully_shard(sharded)
    optimizer = torch.optim.Adam(sharded.parameters())
    with count_collectives() as moved:
        train(sharded, optimizer, X, y)
    out["FSDP2"] = _bill(sharded, optimizer, moved, steps)
    whole = [p.full_tensor() for p in sharded.parameters()]  # all-gather: every rank takes part
    out["FSDP2"]["final"] = whole if rank == 0 else None
    return out
