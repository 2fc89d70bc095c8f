"""Plotting helpers the notebooks share: several seeds' curves as a mean and a band, and a table.

``curves_by_name`` maps a label to one curve per seed, e.g. ``{"Adam": [[2.3, 1.1, ...], ...]}``;
every curve of a label has the same length.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["spread", "plot_runs", "runs_table", "plot_lr_range"]

BANDS = ("minmax", "std")


def spread(curves, band="minmax"):
    """``(mean, low, high)`` across seeds: the min-max range, or mean ± one standard deviation."""
    if band not in BANDS:
        raise ValueError(f"Invalid band: {band!r}; expected one of {BANDS}")
    curves = np.asarray(curves, dtype=float)
    if curves.ndim != 2 or curves.shape[0] < 1:
        raise ValueError(
            f"Invalid curves of shape {curves.shape}; expected (n_seeds, n_points), "
            "one equally long curve per seed"
        )
    mean = curves.mean(axis=0)
    if band == "minmax":
        return mean, curves.min(axis=0), curves.max(axis=0)
    std = curves.std(axis=0)
    return mean, mean - std, mean + std


def plot_runs(
    curves_by_name,
    ax=None,
    band="minmax",
    x=None,
    logy=False,
    xlabel="step",
    ylabel="loss",
    title=None,
):
    """Draw each label's mean curve and shade its spread across seeds; returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, curves in curves_by_name.items():
        mean, low, high = spread(curves, band)
        steps = np.arange(len(mean)) if x is None else np.asarray(x)
        (line,) = ax.plot(steps, mean, label=name)
        ax.fill_between(steps, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def runs_table(curves_by_name, at=(-1,), digits=3, band="minmax", x=None, xlabel="at"):
    """A text table: for each label, the mean [low, high] across seeds at the indices ``at``.

    Columns are headed ``xlabel x[i]`` (as ``plot_runs``'s x axis), or ``at i`` without ``x``.
    """
    width = max(len(name) for name in curves_by_name)
    rows = {}
    for name, curves in curves_by_name.items():
        mean, low, high = spread(curves, band)
        rows[name] = [
            f"{mean[i]:.{digits}f} [{low[i]:.{digits}f}, {high[i]:.{digits}f}]" for i in at
        ]
    cell = max(len(text) for cells in rows.values() for text in cells)
    ticks = at if x is None else [np.asarray(x)[i] for i in at]
    header = f"{'':<{width}}  " + "  ".join(f"{f'{xlabel} {t}':<{cell}}" for t in ticks)
    lines = [
        f"{name:<{width}}  " + "  ".join(f"{c:<{cell}}" for c in cells)
        for name, cells in rows.items()
    ]
    return "\n".join(line.rstrip() for line in [header, *lines])


def plot_lr_range(lrs, losses, suggestion=None, ax=None):
    """The learning-rate range test's smoothed loss against lr (log axis), the pick marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(lrs, losses)
    ax.set_xscale("log")
    if suggestion is not None:
        ax.axvline(
            suggestion, color="tab:red", linestyle="--", label=f"suggested lr = {suggestion:.2g}"
        )
        ax.legend(fontsize="small")
    ax.set(xlabel="learning rate (log scale)", ylabel="smoothed loss")
    return ax
