"""Bytes the collectives move, counted as torch.distributed's functions are called.

Inside `with count_collectives() as moved:`, every call of the collectives below adds the size of
the whole tensor it works on to `moved[name]`: the tensor summed by all_reduce, the tensor sent
by broadcast, the gathered output of an all-gather, the input of a reduce-scatter before it is
split. DDP's all-reduce is seen when DDP uses the Python hook `allreduce_hook` (as `ddp()`
arranges); FSDP2 and both ZeROs call these functions themselves.
"""

import contextlib
from collections import Counter

import torch.distributed as dist

# name -> (position, keyword) of the argument holding the whole tensor
WHOLE_TENSOR = {
    "all_reduce": (0, "tensor"),
    "broadcast": (0, "tensor"),
    "all_gather_single": (0, "output_tensor"),
    "reduce_scatter_single": (1, "input"),
}


def _counting(name, original, moved):
    position, keyword = WHOLE_TENSOR[name]

    def collective(*args, **kwargs):
        tensor = kwargs[keyword] if keyword in kwargs else args[position]
        moved[name] += tensor.numel() * tensor.element_size()
        return original(*args, **kwargs)

    return collective


@contextlib.contextmanager
def count_collectives():
    """Yield a Counter of bytes per collective, filled while the block runs."""
    moved, originals = Counter(), {name: getattr(dist, name) for name in WHOLE_TENSOR}
    try:
        for name, original in originals.items():
            setattr(dist, name, _counting(name, original, moved))
        yield moved
    finally:
        for name, original in originals.items():
            setattr(dist, name, original)
