"""ZeRO stage 1 (Rajbhandari et al., 2020): each rank keeps optimizer state for its shard only.

A twin of torch.distributed.optim.ZeroRedundancyOptimizer. Every rank holds the whole model and
(after DistributedDataParallel's all-reduce) the same averaged gradients. The parameters are
dealt out to the N ranks; rank r runs the wrapped optimizer on its shard alone, so it stores
1/N of the optimizer state, then every rank broadcasts the parameters it updated.
With Ψ parameters of b bytes each, one step moves Ψ·b bytes by broadcast.
"""

import hashlib
from itertools import chain

import torch
import torch.distributed as dist
from torch.optim import Optimizer


def partition(param_groups: list[dict], world_size: int) -> list[list[dict]]:
    """torch's assignment: largest tensors first, each to the rank with fewest elements so far
    (ties to the lowest rank), the running totals carried across groups. One list of groups per
    rank; each group keeps its hyperparameters and only that rank's tensors."""
    sizes = [0] * world_size
    shards = [[] for _ in range(world_size)]
    for group in param_groups:
        mine = [[] for _ in range(world_size)]
        for p in sorted(group["params"], key=torch.Tensor.numel, reverse=True):
            rank = sizes.index(min(sizes))
            mine[rank].append(p)
            sizes[rank] += p.numel()
        for rank in range(world_size):
            shards[rank].append({**group, "params": mine[rank]})
    return shards


def _fingerprint(p: torch.Tensor) -> tuple:
    raw = p.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy()
    return tuple(p.shape), str(p.dtype), hashlib.sha1(raw).hexdigest()


def _copy_hyperparameters(source: list[dict], target: list[dict]) -> None:
    for src, dst in zip(source, target, strict=True):
        dst.update({key: value for key, value in src.items() if key != "params"})


class ZeroRedundancyOptimizer(Optimizer):
    """`ZeroRedundancyOptimizer(params, optimizer_class, process_group=None, **defaults)`.

    `self.optim` is `optimizer_class(this rank's shard, **defaults)`; `self.param_groups` hold
    every parameter, and their hyperparameters (lr ...) reach the shard at each step.
    """

    def __init__(self, params, optimizer_class, process_group=None, **defaults):
        if not dist.is_initialized():
            raise ValueError(
                "Default process group has not been initialized, please make sure to call "
                "init_process_group. (lessons.distributed.launch does it in every rank.)"
            )
        self.initialized = False  # Optimizer.__init__ calls add_param_group before any shard
        super().__init__(params, defaults)
        self.process_group = process_group if process_group is not None else dist.group.WORLD
        self.world_size = dist.get_world_size(self.process_group)
        self.rank = dist.get_rank(self.process_group)
        self._check_same_parameters()
        self.shards = partition(self.param_groups, self.world_size)
        self.optim = optimizer_class(self.shards[self.rank], **defaults)
        _copy_hyperparameters(self.optim.param_groups, self.param_groups)
        self._all_state_dicts = []
        self.initialized = True

    def _check_same_parameters(self) -> None:
        """Every rank must start from the same tensors, or each would update a different model."""
        mine = [_fingerprint(p) for group in self.param_groups for p in group["params"]]
        every = [None] * self.world_size
        # all_gather_object: each rank's list of (shape, dtype, sha1), ~100 B per tensor, to all
        dist.all_gather_object(every, mine, group=self.process_group)
        for rank, theirs in enumerate(every):
            if theirs != every[0]:
                first = next(
                    (i for i, (a, b) in enumerate(zip(every[0], theirs, strict=False)) if a != b),
                    min(len(theirs), len(every[0])),
                )
                raise ValueError(
                    f"parameters differ across ranks: rank 0 and rank {rank} disagree at "
                    f"parameter {first} (rank 0 has {len(every[0])} tensors, rank {rank} "
                    f"{len(theirs)}); every rank must build the same model from the same seed"
                )

    def add_param_group(self, param_group: dict) -> None:
        """Call on every rank. Earlier groups keep their ranks, as the greedy pass is in order."""
        super().add_param_group(param_group)
        if self.initialized:
            self.shards = partition(self.param_groups, self.world_size)
            self.optim.add_param_group(self.shards[self.rank][-1])

    @torch.no_grad()
    def step(self, closure=None):
        _copy_hyperparameters(self.param_groups, self.optim.param_groups)
        loss = self.optim.step(closure)
        _copy_hyperparameters(self.optim.param_groups, self.param_groups)
        for rank, groups in enumerate(self.shards):
            source = dist.get_global_rank(self.process_group, rank)
            for p in chain.from_iterable(group["params"] for group in groups):
                # broadcast: rank `rank`'s updated tensor to all, p.numel() * p.element_size() B;
                # over all ranks, every parameter once: Ψ·b bytes per step
                dist.broadcast(p, src=source, group=self.process_group)
        return loss

    def consolidate_state_dict(self, to: int = 0) -> None:
        """Gather every rank's shard of the state on rank `to` (call on every rank)."""
        _copy_hyperparameters(self.param_groups, self.optim.param_groups)
        gathered = [None] * self.world_size if self.rank == to else None
        # gather_object: each rank's pickled shard state (Adam: ~8 B per parameter of its shard)
        # to rank `to`; the pickling copies, so later steps cannot change what was gathered
        dist.gather_object(
            self.optim.state_dict(),
            gathered,
            dst=dist.get_global_rank(self.process_group, to),
            group=self.process_group,
        )
        self._all_state_dicts = gathered or []

    def _index(self) -> dict:
        params = chain.from_iterable(group["params"] for group in self.param_groups)
        return {p: i for i, p in enumerate(params)}

    def state_dict(self) -> dict:
        """The whole state, indexed as a single optimizer over all parameters would index it."""
        if not self._all_state_dicts:
            raise RuntimeError(
                "Optimizer state has not been consolidated on this rank. "
                f"Please call `consolidate_state_dict(to={self.rank})` on all ranks beforehand "
                "if you meant to save the global state."
            )
        index, state = self._index(), {}
        for groups, local in zip(self.shards, self._all_state_dicts, strict=True):
            shard = chain.from_iterable(group["params"] for group in groups)
            for local_index, p in enumerate(shard):
                if local_index in local["state"]:
                    state[index[p]] = local["state"][local_index]
        groups = super().state_dict()["param_groups"]
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load this rank's shard of a consolidated state dict. The dict is not modified; its
        tensors are shared, as torch's Optimizer.load_state_dict shares them."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        sizes = [
            (len(a["params"]), len(b["params"]))
            for a, b in zip(groups, self.param_groups, strict=True)
        ]
        if any(a != b for a, b in sizes):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        index = self._index()
        shard = chain.from_iterable(group["params"] for group in self.shards[self.rank])
        state = {
            local: state_dict["state"][index[p]]
            for local, p in enumerate(shard)
            if index[p] in state_dict["state"]
        }
        local_groups, start = [], 0
        for group, saved in zip(self.shards[self.rank], groups, strict=True):
            count = len(group["params"])
            local_groups.append({**saved, "params": list(range(start, start + count))})
            start += count
        self.optim.load_state_dict({"state": state, "param_groups": local_groups})
        _copy_hyperparameters(groups, self.param_groups)
