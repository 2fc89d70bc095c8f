"""Step time of each lessons.optim path against torch.optim's same path, and against the roofline.

Two workloads: 10M parameters as 100 tensors, and 1M parameters as 1,000 tensors (where Python's
per-tensor overhead shows), each an nn.Parameter as a model's are (dynamo leaves a Parameter out
of the aliasing check it makes on a compiled call's tensors). For each optimizer and each path
torch has (the per-tensor loop, foreach=True, fused=True) we time one `step()` of ours and of
torch's in turn, each first every other time (stepping the same parameters), and report medians
and ratios: ours foreach / torch foreach, ours fused (compiled) / torch fused, and where torch has
no fused path, our fastest / torch's fastest.

The roofline: a step cannot be faster than the bytes it moves divided by the memory bandwidth,
measured here with a copy and a triad in torch. Bytes per parameter are counted: for the loop and
foreach paths every aten op's tensor inputs and outputs (a TorchDispatchMode over one step); for
a fused path, each tensor read once and each written once, which is what fusing buys.

Compiling the fused kernels takes a while: the first fused step is timed apart and printed.
inductor caches the compiled kernels on disk (TORCHINDUCTOR_CACHE_DIR, by default
/tmp/torchinductor_$USER), so a second run skips the C++ compile.

After the table, ours and torch's fused SGD and Adam steps are timed alone, in turn with nothing
between them: on 1,000 tensors of 16 floats (what a tensor costs beyond its bytes) and of 1,000
floats (the table's small workload, where every other path's steps run between two fused ones);
then torch.profiler splits those steps into dynamo's guard checks, the compiled calls, torch's
fused op and the rest.

The twins beyond these twelve (Muon, and Lion and ScheduleFreeAdamW against their reference
packages) are timed on their default path only, on matrices (Muon takes nothing else); SparseAdam
(sparse gradients) and LBFGS (a closure, many evaluations a step) are left out.

Run: .venv/bin/python benchmarks/optim_speed.py [--repeats N] [--threads T] [--scale S] [--only A,B]
"""

import argparse
import contextlib
import io
import os
import platform
import statistics
import time

import lion_pytorch
import schedulefree
import torch

import lessons.optim
from lessons.roofline import bandwidth, bytes_per_param, fused_bytes_per_param

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
    "ASGD": dict(lr=0.01),
    "Rprop": dict(lr=0.01),
    "Adafactor": dict(lr=0.01),
}
FUSED = {"SGD", "Adagrad", "Adam", "AdamW"}  # the optimizers torch gives a fused path
PATHS = {"loop": dict(foreach=False), "foreach": dict(foreach=True), "fused": dict(fused=True)}
COLUMNS = [
    "optimizer",
    "workload",
    "loop ms (ours / torch)",
    "foreach ms (ours / torch)",
    "foreach ratio",
    "fused ms (ours / torch)",
    "fused ratio",
    "best / best",
    "ours / roofline (loop, foreach, fused)",
    "compile s",
]
WORKLOADS = {"10M params, 100 tensors": (100, 100_000), "1M params, 1,000 tensors": (1000, 1_000)}
# the other twins: (the reference class, its arguments); timed on 100 matrices of 1000 x 100
DEFAULT_PATH_ONLY = {
    "Muon": (torch.optim.Muon, dict(lr=0.02)),
    "Lion": (lion_pytorch.Lion, dict(lr=1e-4, weight_decay=0.01)),
    "ScheduleFreeAdamW": (schedulefree.AdamWScheduleFreeReference, dict(lr=0.001)),
}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def bytes_moved(module, name, path) -> float:
    """Bytes per parameter of one step: counted op by op, or for a fused path, each tensor once."""
    make = lambda params: getattr(module, name)(params, **KWARGS[name], **PATHS[path])  # noqa: E731
    if path != "fused":
        return bytes_per_param(make)
    p = torch.zeros(8, requires_grad=True)
    p.grad = torch.ones(8)
    optimizer = getattr(module, name)([p], **KWARGS[name])  # the same state, without compiling
    optimizer.step()
    return fused_bytes_per_param(optimizer, p)


def parameters(count, shape):
    """`count` parameters of one shape, each with a gradient: nn.Parameter, as a model's are."""
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(shape, generator=gen)) for _ in range(count)]
    for p in params:
        p.grad = torch.randn(shape, generator=gen) * 1e-3
    return params


def steps_in_turn(opts: dict, repeats: int) -> dict:
    """Median seconds a step of each optimizer, stepped in turn, forwards and backwards in
    alternation, so that drift in load, and what one step leaves in the caches and the allocator
    for the next, fall on all alike."""
    times = {key: [] for key in opts}
    for repeat in range(repeats):
        for key in list(opts) if repeat % 2 == 0 else list(opts)[::-1]:
            start = time.perf_counter()
            opts[key].step()
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(ts) for key, ts in times.items()}


def time_steps(name, count, size, repeats, paths=tuple(PATHS)):
    """Median seconds per step of each (path, implementation), and our first fused step (the
    compile) or None. Path by path, ours and torch's steps in turn on the same parameters."""
    params = parameters(count, size)
    medians, compile_s = {}, None
    for path in paths:
        if path == "fused" and name not in FUSED:
            continue
        opts = {
            label: getattr(module, name)(params, **KWARGS[name], **PATHS[path])
            for label, module in (("ours", lessons.optim), ("torch", torch.optim))
        }
        for label, opt in opts.items():  # warm-up: creates the state (and compiles ours)
            start = time.perf_counter()
            opt.step()
            if path == "fused" and label == "ours":
                compile_s = time.perf_counter() - start
        medians |= {(path, label): t for label, t in steps_in_turn(opts, repeats).items()}
    return medians, compile_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each tensor's size")
    parser.add_argument("--only", default=",".join(KWARGS), help="optimizers, comma-separated")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = args.only.split(",")

    gbs = bandwidth()
    roofline = max(gbs.values())
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores; torch {torch.__version__}, ", end="")
    print(f"{torch.get_num_threads()} thread(s); median of {args.repeats} steps each, in turn.")
    print(f"Bandwidth: copy {gbs['copy']:.1f} GB/s, triad {gbs['triad']:.1f} GB/s.\n")

    print("Bytes moved per parameter by one step (float32):")
    print("| optimizer | loop (ours / torch) | foreach (ours / torch) | fused |")
    print("|---|---:|---:|---:|")
    moved = {}
    for name in names:
        for path in PATHS:
            if path != "fused" or name in FUSED:
                for label, module in (("ours", lessons.optim), ("torch", torch.optim)):
                    moved[name, path, label] = bytes_moved(module, name, path)
        cells = [
            f"{moved[name, p, 'ours']:.0f} / {moved[name, p, 'torch']:.0f}"
            for p in ("loop", "foreach")
        ]
        cells += [f"{moved[name, 'fused', 'ours']:.0f}" if name in FUSED else "-"]
        print(f"| {name} | {' | '.join(cells)} |")

    print("\n" + " | ".join(["", *COLUMNS, ""]).strip())
    print("|---|---|" + "---:|" * (len(COLUMNS) - 2))
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
    time_fused_alone(args.repeats)
    profile_fused()
    time_default_paths(args.repeats, args.scale)


def time_fused_alone(repeats, count=1000):
    """Ours and torch's fused SGD and Adam steps in turn, no other path in between to empty the
    caches: on 1,000 tensors of 16 floats, what each tensor costs beyond its bytes; on 1,000
    tensors of 1,000 floats, the table's small workload."""
    print(f"\nFused steps alone, ours and torch's in turn, {count:,} tensors:")
    for name in ("SGD", "Adam"):
        for size in (16, 1000):
            t, _ = time_steps(name, count, size, repeats, paths=("fused",))
            ours, theirs = (t["fused", who] for who in ("ours", "torch"))
            each = [f"{1e3 * x:.1f} ms ({1e6 * x / count:.1f} us a tensor)" for x in (ours, theirs)]
            print(
                f"- {name}, {size:,} floats a tensor: ours {each[0]}, torch {each[1]}: "
                f"{ours / theirs:.2f}x"
            )


# torch.profiler's names for the parts of a compiled call: dynamo's guard checks, then the
# wrappers around inductor's kernels and the kernels themselves
GUARDS = "TorchDynamo Cache Lookup"
COMPILED_CALL = ("Torch-Compiled Region", "AOTDispatcher", "## Call CompiledFxGraph", "Pregraph")


def profiled(opt, steps):
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            opt.step()
    return prof


def profile_fused(steps=10, count=1000, size=1000):
    """Where ours and torch's fused steps spend their time on 1,000 tensors, by torch.profiler's
    events (self time, ms a step): dynamo's guard checks, the compiled calls (wrappers and
    kernels), torch's fused op, and the rest (Python and small ops). The profiler adds a cost to
    each event it records, more to ours (several events a call of 32 tensors)."""
    print(f"\nWhere a fused step's time goes, {count:,} tensors of {size:,} floats (profiled):")
    print("| optimizer | step ms (ours / torch) | ours: guards | compiled calls | rest |", end="")
    print(" torch: fused op | rest |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("SGD", "Adam"):
        params = parameters(count, size)
        parts = {}
        for label, module in (("ours", lessons.optim), ("torch", torch.optim)):
            opt = getattr(module, name)(params, **KWARGS[name], fused=True)
            profiled(opt, 3)  # compiles ours, makes the state, warms the caches and the profiler
            events = profiled(opt, steps).key_averages()
            total = sum(e.self_cpu_time_total for e in events) / steps / 1e3

            def self_ms(match, events=events):
                return sum(e.self_cpu_time_total for e in events if match(e.key)) / steps / 1e3

            guards = self_ms(lambda key: key == GUARDS)
            calls = self_ms(lambda key: key.startswith(COMPILED_CALL) or "cpp_fused" in key)
            fused_op = self_ms(lambda key: key.startswith("aten::_fused_"))
            parts[label] = (total, guards, calls, fused_op)
        (ours, guards, calls, _), (theirs, *_, fused_op) = parts["ours"], parts["torch"]
        print(
            f"| {name} | {ours:.1f} / {theirs:.1f} | {guards:.1f} | {calls:.1f} "
            f"| {ours - guards - calls:.1f} | {fused_op:.1f} | {theirs - fused_op:.1f} |",
            flush=True,
        )


def time_default_paths(repeats, scale):
    """Ours against the reference, one step each in turn: (median ms ours, median ms reference)."""
    rows = max(1, int(1000 * scale))
    params = parameters(100, (rows, 100))
    print("\nThe other twins, default path, 100 matrices of", f"{rows} x 100:")
    print("| optimizer | reference | ours ms | reference ms | ours / reference |")
    print("|---|---|---:|---:|---:|")
    for name, (reference, kwargs) in DEFAULT_PATH_ONLY.items():
        opts = {"ours": getattr(lessons.optim, name)(params, **kwargs)}
        opts["reference"] = reference(params, **kwargs)
        for opt in opts.values():
            with contextlib.redirect_stdout(io.StringIO()):  # schedulefree prints the switch
                getattr(opt, "train", lambda: None)()  # schedule-free steps in train mode only
            opt.step()  # warm-up: creates the state
        ours, theirs = (1e3 * t for t in steps_in_turn(opts, repeats).values())
        root = reference.__module__.split(".")[0]
        source = f"{'torch.optim' if root == 'torch' else root}.{reference.__name__}"
        ratio = ours / theirs
        print(f"| {name} | {source} | {ours:.1f} | {theirs:.1f} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
