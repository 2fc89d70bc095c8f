"""A 10,000-step lr curve: the closed form (one numpy call) against stepping torch's scheduler.

Run: .venv/bin/python benchmarks/schedule_speed.py   (prints a Markdown table of medians)
"""

import timeit
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler

from lessons import schedules

N, REPEATS = 10_000, 7
CASES = {
    "OneCycleLR": (
        lambda t: schedules.one_cycle_lr(t, max_lr=0.1, total_steps=N),
        lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=N),
    ),
    "CosineAnnealingLR": (
        lambda t: schedules.cosine_annealing_lr(t, 0.1, T_max=N),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=N),
    ),
    "CyclicLR": (
        lambda t: schedules.cyclic_lr(t, 0.01, 0.1, step_size_up=500, mode="triangular2"),
        lambda opt: lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=500, mode="triangular2"),
    ),
    "CosineAnnealingWarmRestarts": (
        lambda t: schedules.cosine_annealing_warm_restarts(t, 0.1, T_0=100, T_mult=2),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=100, T_mult=2),
    ),
    "StepLR": (
        lambda t: schedules.step_lr(t, 0.1, step_size=1000),
        lambda opt: lr_scheduler.StepLR(opt, step_size=1000),
    ),
}


def torch_curve(make):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler, lrs = make(opt), []
    for _ in range(N):
        lrs.append(scheduler.get_last_lr()[0])
        scheduler.step()
    return lrs


def median_seconds(fn, number):
    return float(np.median(timeit.repeat(fn, number=number, repeat=REPEATS))) / number


def main():
    torch.set_num_threads(1)
    warnings.simplefilter("ignore", UserWarning)  # stepping without optimizer.step()
    t = np.arange(N)
    print(f"| schedule ({N:,} steps) | closed form (ms) | torch scheduler (ms) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, (curve, make) in CASES.items():
        np.testing.assert_allclose(curve(t), torch_curve(make), rtol=1e-9, atol=1e-15)
        ours = median_seconds(lambda c=curve: c(t), number=50)
        theirs = median_seconds(lambda m=make: torch_curve(m), number=1)
        print(f"| {name} | {ours * 1e3:.3f} | {theirs * 1e3:.1f} | {theirs / ours:,.0f}x |")


if __name__ == "__main__":
    main()
