"""Redraw latency of every explorer: set each slider's value repeatedly, time the whole callback.

A move is timed end to end: the ``observe`` callback recomputes the curves (and torch's or Keras's
markers, or the optimizers' paths), blits, and encodes the PNG. Two kinds of move:
- a drag: consecutive steps of 1/40 of the slider's range, as a mouse or an arrow key gives;
- jumps across the range: each changes the axis limits, so each redraws the whole background.
Wall time is what a learner waits on an idle machine; CPU time is printed beside it because on a
shared machine wall time also counts waiting for a core. Moves that end in an argument message
are left out (they draw nothing).

    .venv/bin/python benchmarks/widget_latency.py [--moves 8] [--only NAME]
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from ipywidgets import FloatLogSlider, FloatSlider, IntRangeSlider, IntSlider  # noqa: E402

from lessons.keras_backend import keras  # noqa: E402
from lessons.schedules import SCHEDULES  # noqa: E402
from lessons.widgets import (  # noqa: E402
    compare_schedules,
    group_explorer,
    newton_schulz_explorer,
    phase_explorer,
    schedule_explorer,
    trajectory_explorer,
)

SLIDERS = (FloatSlider, FloatLogSlider, IntSlider, IntRangeSlider)


def position(control):
    """Where the slider is, as a fraction of its range."""
    value = control.value[0] if isinstance(control, IntRangeSlider) else control.value
    if isinstance(control, FloatLogSlider):
        value = np.log(value) / np.log(control.base)
    return (value - control.min) / (control.max - control.min)


def values_at(control, fractions):
    """Slider values at ``fractions`` of its range (a range slider keeps its width)."""
    low, high = control.min, control.max
    if isinstance(control, IntRangeSlider):
        width = control.value[1] - control.value[0]
        starts = (low + (high - width - low) * fractions).round().astype(int)
        return [(int(s), int(s) + width) for s in starts]
    values = low + (high - low) * fractions
    if isinstance(control, FloatLogSlider):
        return list(control.base**values)
    if isinstance(control, IntSlider):
        return [int(v) for v in values.round()]
    return list(values)


def sweep(control, moves, drag):
    """``moves`` values, there and back: 1/40 steps from the current value, or wide jumps."""
    half = moves // 2
    if drag:
        start = min(position(control), 1.0 - half / 40)
        there, back = np.arange(1, half + 1), np.arange(half - 1, half - moves - 1, -1)
        fractions = start + np.concatenate([there, back]) / 40
    else:
        fractions = np.concatenate([np.linspace(0.2, 0.8, half), np.linspace(0.75, 0.25, half)])
    return values_at(control, np.clip(fractions, 0.0, 1.0))


def measure(explorer, moves, drag, only=None):
    """Wall and CPU ms of each valid move of every slider (or of the slider ``only``)."""
    wall, cpu = [], []
    for name, control in explorer.sliders.items():
        if not isinstance(control, SLIDERS) or (only and name != only):
            continue
        start = control.value
        for value in sweep(control, moves, drag):
            t0, c0 = time.perf_counter(), time.process_time()
            control.value = value
            t1, c1 = time.perf_counter(), time.process_time()
            if not explorer.message.value:
                wall.append(t1 - t0)
                cpu.append(c1 - c0)
        control.value = start
    return np.array(wall) * 1e3, np.array(cpu) * 1e3


def table_row(name, drag, jumps):
    (wall, cpu), (jump_wall, _) = drag, jumps
    cells = [np.median(wall), np.percentile(wall, 90), np.median(cpu), np.percentile(cpu, 90)]
    cells += [np.median(jump_wall), np.percentile(jump_wall, 90)]
    return f"| {name} | {len(wall)} | " + " | ".join(f"{c:.1f}" for c in cells) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=8, help="moves per slider and kind")
    parser.add_argument("--only", help="only the explorers whose row contains this text")
    options = parser.parse_args()
    torch.set_num_threads(1)
    keras()  # seconds to import: not part of any move

    rows = [
        (f"schedule_explorer({n!r})", lambda n=n: schedule_explorer(n), None) for n in SCHEDULES
    ]
    rows += [
        ("compare_schedules()", compare_schedules, None),
        ("group_explorer()", group_explorer, None),
        ("trajectory_explorer()", trajectory_explorer, None),
        ("trajectory_explorer(), lr only (all six rerun)", trajectory_explorer, "lr"),
        ("trajectory_explorer(noise=1.0)", lambda: trajectory_explorer(noise=1.0), None),
        ("phase_explorer()", phase_explorer, None),
        ("newton_schulz_explorer()", newton_schulz_explorer, None),
    ]
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, torch threads 1, load average {load:.1f} at start\n")
    print(
        "| explorer | drag moves | median ms | p90 ms | CPU median | CPU p90 | jumps median | p90 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = {True: ([], []), False: ([], [])}
    for name, make, only in rows:
        if options.only and options.only not in name:
            continue
        cells = []
        for drag, (walls, cpus) in totals.items():
            wall, cpu = measure(make(), options.moves, drag, only)
            walls.extend(wall)
            cpus.extend(cpu)
            cells.append((wall, cpu))
        print(table_row(name, *cells))
    print(table_row("all moves", *((np.array(w), np.array(c)) for w, c in totals.values())))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
