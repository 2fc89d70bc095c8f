"""The plot an explorer draws into: figure size, axis limits snapped to a coarse grid, titles.

Limits that change only every few slider stops let most moves reuse the cached background.
"""

import math
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

DPI = 100


def figure(height, rows=1):
    """A figure of ``rows`` axes sharing x, with room for a two-line title above them."""
    fig = Figure(figsize=(6.4, height), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax in axes:
        # every tick label is drawn glyph by glyph on each full draw: a few are enough
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.yaxis.set_major_locator(MaxNLocator(5))
    fig.subplots_adjust(left=0.11, right=0.97, top=1 - 0.62 / height, bottom=0.45 / height)
    return fig, list(axes)


def nice_ceiling(value):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= value.

    Axis limits snapped to this grid change only every few slider stops, so most moves reuse the
    cached background instead of redrawing ticks and labels.
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(
        m * power
        for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
        if m * power >= value * (1 - 1e-12)
    )


def step_ceiling(steps):
    """``steps`` rounded up to a multiple of half its power of ten (137 -> 150, 13 -> 15)."""
    unit = max(10 ** math.floor(math.log10(max(steps, 1))) / 2, 1)
    return math.ceil(steps / unit) * unit


def show(value):
    """A value as a title shows it: floats to 3 significant digits."""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(show, value)) + "]"
    return repr(value)


def set_title(ax, name, args):
    """``Name(a=1, b=0.1)`` above ``ax``, wrapped; ``args`` is a sequence of (name, value) pairs."""
    text = f"{name}({', '.join(f'{k}={show(v)}' for k, v in args)})"
    # a fixed y: placing the title automatically measures every tick label on each full draw
    ax.set_title(textwrap.fill(text, 95), fontsize=8, y=1.01)


def set_axis(ax, steps, values, momentum=False, log=False):
    """x to the last step, y around ``values``, both snapped to a coarse grid."""
    ax.set_xlim(0, step_ceiling(steps[-1]))
    low, high = np.nanmin(values), np.nanmax(values)
    if momentum:
        ax.set_ylim(np.floor(low * 20 - 0.5) / 20, np.ceil(high * 20 + 0.5) / 20)
    elif log:
        top = 10 ** np.ceil(np.log10(high))
        ax.set_ylim(max(top * 1e-4, 10 ** np.floor(np.log10(max(low, 1e-300)))), top)
    else:
        ax.set_ylim(min(0.0, low), nice_ceiling(high * 1.04))
