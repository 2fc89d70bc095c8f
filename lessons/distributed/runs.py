"""Functions that `launch` runs on every rank: ZeRO-1 against torch's and a single process.

They live in a module because a spawned process can import a module, not a notebook cell.
"""

import copy
import warnings

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
from torch.distributed.fsdp import fully_shard
from torch.nn.parallel import DistributedDataParallel

from lessons.memory import state_bytes, tensor_bytes
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


def _bill(model, optimizer, moved, steps) -> dict:
    """What this rank holds, counted from the tensors, and the bytes moved per step."""
    params = list(model.parameters())
    return {
        "parameters": tensor_bytes(params),
        "gradients": tensor_bytes(p.grad for p in params),
        "optimizer state": sum(state_bytes(optimizer).values()),
        "moved per step": {name: size // steps for name, size in moved.items()},
        "final": [p.detach().clone() for p in params],
    }


def _zero(zero_class, params):
    """A ZeRO-1 over `params` (Adam) after one step, its state consolidated on rank 0."""
    for p in params:
        p.grad = torch.ones_like(p)
    zero = zero_class(params, torch.optim.Adam)
    zero.step()
    zero.consolidate_state_dict(to=0)
    return zero


def pitfalls() -> dict:
    """What each ZeRO-1 does when misused: ranks with different parameters; state_dict() on rank
    0 (live tensors or copies: rank 0 only) and load_state_dict() (does it change the dict?)."""
    rank, out = dist.get_rank(), {}
    try:
        ZeroRedundancyOptimizer([torch.full((2,), float(rank))], torch.optim.Adam)
        out["ours, different parameters"] = "accepted"
    except ValueError as error:
        out["ours, different parameters"] = str(error)
    for name, zero_class in {"torch": torch_zero(), "ours": ZeroRedundancyOptimizer}.items():
        zero = _zero(zero_class, [torch.zeros(4), torch.zeros(3)])  # rank 0 owns the first
        saved = [zero.state_dict() if rank == 0 else None]
        if rank == 0:  # its own entry, against the tensor its optimizer steps
            live = zero.optim.state[zero.optim.param_groups[0]["params"][0]]["exp_avg"]
            out[f"{name}, state_dict() live"] = saved[0]["state"][0]["exp_avg"] is live
        saved = [copy.deepcopy(saved[0])]  # as a file on disk would
        dist.broadcast_object_list(saved, src=0)
        entries = len([v for v in saved[0]["state"].values() if v is not None])
        zero.load_state_dict(saved[0])
        kept = len([v for v in saved[0]["state"].values() if v is not None])
        out[f"{name}, load_state_dict() nulls entries"] = kept < entries
    return out


def stages(X, y, sizes=(64, 256, 256, 10), seed: int = 0) -> dict:
    """Adam on one MLP four ways: DDP, ZeRO-1 (torch's, ours), FSDP2. What each rank holds.

    Every stage trains the same seeded model, one step per global batch `X[t], y[t]` (each rank
    its slice), and reports its bill (`_bill`); "single" is the same training in one process;
    "pitfalls" is `pitfalls()`, and FSDP2 adds its first weight's `numel()` and `to_local()` size.
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
    weight = next(sharded.parameters())  # a DTensor: numel() is the whole tensor's
    out["FSDP2"]["numel, to_local"] = (weight.numel(), weight.to_local().numel())
    return out | {"pitfalls": pitfalls()}
