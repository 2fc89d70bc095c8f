"""How fast a step can be: memory bandwidth, bytes moved per parameter, and the time they allow.

An optimizer step does a few flops per byte, so memory, not arithmetic, sets its speed:
    time ≥ bytes per parameter · parameters / bandwidth   (the roofline, for this kind of kernel).
"""

import time
import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

__all__ = ["bandwidth", "ByteCount", "PeakBytes", "bytes_per_param", "fused_bytes_per_param"]


def bandwidth(n: int = 25_000_000, repeats: int = 7) -> dict[str, float]:
    """GB/s of a copy (b ← a: 2 floats moved per element) and a triad (a ← b + 3·c: 3 floats)."""
    a, b, c = (torch.rand(n) for _ in range(3))
    kernels = {
        "copy": (lambda: b.copy_(a), 2),
        "triad": (lambda: torch.add(b, c, alpha=3.0, out=a), 3),
    }
    out = {}
    for name, (kernel, floats) in kernels.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            kernel()
            times.append(time.perf_counter() - start)
        out[name] = floats * a.element_size() * n / min(times) / 1e9
    return out


class ByteCount(TorchDispatchMode):
    """Bytes of every tensor each aten op reads or writes (views move nothing and are skipped)."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if not func.is_view:
            names = (a.name for a in func._schema.arguments)
            named = dict(zip(names, args, strict=False)) | kwargs  # fewer args: defaults
            # an in-place foreach op returns nothing: its writes are the arguments it mutates
            mutated = [named.get(a.name) for a in func._schema.arguments if a.is_write]
            for tensors in (args, kwargs), mutated if out is None else out:
                leaves = [t for t in tree_leaves(tensors) if isinstance(t, torch.Tensor)]
                self.bytes += sum(t.numel() * t.element_size() for t in leaves if t.dim() > 0)
        return out


class PeakBytes(TorchDispatchMode):
    """The most bytes of new tensors (the ops' outputs that are not their inputs) alive at once."""

    def __init__(self):
        super().__init__()
        self.live = self.peak = 0

    def _free(self, nbytes):
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        leaves = tree_leaves((args, kwargs))
        inputs = {t.untyped_storage().data_ptr() for t in leaves if isinstance(t, torch.Tensor)}
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in inputs:
                self.live += t.untyped_storage().nbytes()
                weakref.finalize(t, self._free, t.untyped_storage().nbytes())  # when freed
        self.peak = max(self.peak, self.live)
        return out


def bytes_per_param(make_optimizer, tensors: int = 8, size: int = 4096) -> float:
    """Bytes one steady-state step moves per parameter, op by op (an in-place op reads and writes).

    `make_optimizer(params)` builds the optimizer; its first step, which creates the state, is not
    counted.
    """
    params = [torch.randn(size).requires_grad_() for _ in range(tensors)]
    for p in params:
        p.grad = torch.randn(size)
    optimizer = make_optimizer(params)
    optimizer.step()
    with ByteCount() as count:
        optimizer.step()
    return count.bytes / (tensors * size)


def fused_bytes_per_param(optimizer, p: torch.Tensor) -> int:
    """Bytes of a fused step: param, grad and each state read once; all but grad written once."""
    k = sum(1 for v in optimizer.state[p].values() if v.dim() > 0)  # state tensors like p
    return p.element_size() * ((2 + k) + (1 + k))  # reads: p, grad, state; writes: p, state
