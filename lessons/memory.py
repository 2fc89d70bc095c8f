"""What an optimizer keeps: the bytes of its state, counted from the tensors in `optimizer.state`.

Measured, not computed from a formula: whatever an optimizer stores (moments, factored row and
column statistics, step counters, LBFGS's history lists) is found by walking `optimizer.state`,
and a tensor that two entries share is counted once. A sharded tensor (FSDP2's `DTensor`) counts
the part this process holds, `to_local()`, not the whole tensor `numel()` describes.
"""

import sys
from collections import Counter

from torch import Tensor


def _tensors(value):
    """Every tensor inside a state value: the value itself, or those in a list, tuple or dict."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def local(tensor: Tensor) -> Tensor:
    """The part of `tensor` this process holds: a DTensor's local shard, or the tensor itself."""
    dtensor = sys.modules.get("torch.distributed.tensor")  # no DTensor exists before its import
    return tensor.to_local() if dtensor and isinstance(tensor, dtensor.DTensor) else tensor


def tensor_bytes(tensors) -> int:
    """Bytes this process holds of `tensors` (of a DTensor, its local shard)."""
    return sum(_nbytes(t) for t in tensors)


def _nbytes(tensor: Tensor) -> int:
    tensor = local(tensor)
    if tensor.is_sparse:
        return _nbytes(tensor._values()) + _nbytes(tensor._indices())
    return tensor.numel() * tensor.element_size()


def state_bytes(optimizer) -> dict[str, int]:
    """Bytes of optimizer state by key (`exp_avg`, `exp_avg_sq`, `step`, ...), all parameters."""
    by_key, seen = Counter(), set()
    for state in optimizer.state.values():
        for key, value in state.items():
            for tensor in _tensors(value):
                if id(tensor) not in seen:
                    seen.add(id(tensor))
                    by_key[key] += _nbytes(tensor)
    return dict(by_key)


def parameter_count(optimizer) -> int:
    """Elements in the tensors the optimizer updates (each counted once)."""
    unique = {id(p): p for group in optimizer.param_groups for p in group["params"]}
    return sum(local(p).numel() for p in unique.values())


def state_bytes_per_param(optimizer) -> float:
    """Bytes of state per parameter element: 8 for Adam in float32, plus its tiny step counters."""
    return sum(state_bytes(optimizer).values()) / parameter_count(optimizer)
