"""Step time of each lessons.optim path against torch.optim's same path, and against the roofline.

Two workloads: 10M parameters as 100 tensors, and 1M parameters as 1,000 tensors (where Python's
per-tensor overhead shows). For each optimizer and each path torch has (the per-tensor loop,
foreach=True, fused=True) we time one `step()` of ours and of torch's, interleaved so drift in
machine load hits all alike, and report medians and ratios: ours foreach / torch foreach, ours
fused (compiled) / torch fused, and where torch has no fused path, our fastest / torch's fastest.

The roofline: a step cannot be faster than the bytes it moves divided by the memory bandwidth,
measured here with a copy and a triad in torch. Bytes per parameter are counted: for the loop and
foreach paths every aten op's tensor inputs and outputs (a TorchDispatchMode over one step); for
a fused path, each tensor read once and each written once, which is what fusing buys.

Compiling the fused kernels takes a while: the first fused step is timed apart and printed.
inductor caches the compiled kernels on disk (TORCHINDUCTOR_CACHE_DIR, by default
/tmp/torchinductor_$USER), so a second run skips the C++ compile.

Run: .venv/bin/python benchmarks/optim_speed.py [--repeats N] [--threads T] [--scale S] [--only A,B]
"""

import argparse
import os
import platform
import statistics
import time

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

import lessons.optim

# every state-holding branch on, so the timed work is the full update
KWARGS = {
    "SGD": dict(lr=0.01, momentum=0.9),
    "Adagrad": dict(lr=0.01),
    "RMSprop": dict(lr=0.01, momentum=0.9),
    "Adam": dict(lr=0.001),
    "AdamW": dict(lr=0.001),
    "Adadelta": dict(lr=1.0),
    "Adamax": dict(lr=0.002),
    "NAdam": dict(lr=0.002),
    "RAdam": dict(lr=0.001),
}
FUSED = {"SGD", "Adagrad", "Adam", "AdamW"}  # the optimizers torch gives a fused path
PATHS = {"loop": dict(foreach=False), "foreach": dict(foreach=True), "fused": dict(fused=True)}
WORKLOADS = {"10M params, 100 tensors": (100, 100_000), "1M params, 1,000 tensors": (1000, 1_000)}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def bandwidth(n=25_000_000, repeats=7) -> dict[str, float]:
    """GB/s of a copy (b ← a: 2 floats moved) and a triad (a ← b + s·c: 3 floats)."""
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
        out[name] = floats * 4 * n / min(times) / 1e9
    return out


class ByteCount(TorchDispatchMode):
    """Bytes of every tensor each aten op reads or writes (views move nothing and are skipped)."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if not func.is_view:
            tensors = [t for t in tree_leaves((args, kwargs, out)) if isinstance(t, torch.Tensor)]
            self.bytes += sum(t.numel() * t.element_size() for t in tensors if t.dim() > 0)
        return out


def bytes_per_param(module, name, path) -> float:
    """Bytes one steady-state step moves per parameter (counted on a small copy of the workload)."""
    params = [torch.randn(4096).requires_grad_() for _ in range(8)]
    for p in params:
        p.grad = torch.randn(4096)
    opt = getattr(module, name)(params, **KWARGS[name], **PATHS[path])
    opt.step()  # creates the state
    if path == "fused":  # one read of param, grad and each state tensor; one write of all but grad
        state = [v for v in opt.state[params[0]].values() if v.dim() > 0]
        return 4 * (2 + 2 * len(state) + 1)
    with ByteCount() as count:
        opt.step()
    return count.bytes / sum(p.numel() for p in params)


def time_steps(name, count, size, repeats):
    """Median seconds per step of each (path, implementation); the first fused step apart."""
    gen = torch.Generator().manual_seed(0)
    params = [torch.randn(size, generator=gen).requires_grad_() for _ in range(count)]
    for p in params:
        p.grad = torch.randn(size, generator=gen) * 1e-3
    opts = {}
    for path, flags in PATHS.items():
        if path != "fused" or name in FUSED:
            for label, module in (("ours", lessons.optim), ("torch", torch.optim)):
                opts[path, label] = getattr(module, name)(params, **KWARGS[name], **flags)
    first = {}
    for key, opt in opts.items():  # warm-up: creates the state (and compiles our fused kernels)
        start = time.perf_counter()
        opt.step()
        first[key] = time.perf_counter() - start
    times = {key: [] for key in opts}
    for _ in range(repeats):
        for key, opt in opts.items():
            start = time.perf_counter()
            opt.step()
            times[key].append(time.perf_counter() - start)
    medians = {key: statistics.median(ts) for key, ts in times.items()}
    return medians, first.get(("fused", "ours"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each tensor's size")
    parser.add_argument("--only", default=",".join(KWARGS), help="optimizers, comma-separated")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = args.only.split(",")

    gbs = bandwidth()
    roofline = max(gbs.values())
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores; torch {torch.__version__}, ", end="")
    print(f"{torch.get_num_threads()} thread(s); median of {args.repeats} interleaved steps.")
    print(f"Bandwidth: copy {gbs['copy']:.1f} GB/s, triad {gbs['triad']:.1f} GB/s.\n")

    print("Bytes per parameter per step (float32), and the fastest step that allows at that GB/s:")
    print("| optimizer | loop (ours / torch) | foreach (ours / torch) | fused |")
    print("|---|---:|---:|---:|")
    moved = {}
    for name in names:
        for path in PATHS:
            if path != "fused" or name in FUSED:
                for label, module in (("ours", lessons.optim), ("torch", torch.optim)):
                    moved[name, path, label] = bytes_per_param(module, name, path)
        row = [f"{moved[name, p, 'ours']:.0f} / {moved[name, p, 'torch']:.0f}" for p in PATHS]
        print(f"| {name} | {row[0]} | {row[1]} | {row[2] if name in FUSED else '-'} |")

    print(
        "\n| optimizer | workload | loop ms (ours/torch) | foreach ms (ours/torch) | ratio ", end=""
    )
    print(
        "| fused ms (ours/torch) | ratio | best/best | roofline ours (loop, foreach, fused) ",
        end="",
    )
    print("| compile s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workload, (count, size) in WORKLOADS.items():
        size = max(1, int(size * args.scale))
        for name in names:
            t, compile_s = time_steps(name, count, size, args.repeats)
            paths = [p for p in PATHS if (p, "ours") in t]
            best = min(t[p, "ours"] for p in paths) / min(t[p, "torch"] for p in paths)
            fractions = [
                moved[name, p, "ours"] * count * size / roofline / 1e9 / t[p, "ours"] for p in paths
            ]
            cells = [f"{1e3 * t[p, 'ours']:.1f} / {1e3 * t[p, 'torch']:.1f}" for p in paths]
            fused = (
                f"{cells[2]} | {t['fused', 'ours'] / t['fused', 'torch']:.2f}"
                if "fused" in paths
                else "- | -"
            )
            print(
                f"| {name} | {workload} | {cells[0]} | {cells[1]} "
                f"| {t['foreach', 'ours'] / t['foreach', 'torch']:.2f} | {fused} | {best:.2f} "
                f"| {', '.join(f'{f:.0%}' for f in fractions)} "
                f"| {'-' if compile_s is None else f'{compile_s:.1f}'} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
