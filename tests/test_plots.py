"""Plotting helpers: the band is the seeds' spread, the table reports it, bad input is named."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons.plots import plot_lr_range, plot_runs, runs_table, spread

CURVES = [[3.0, 2.0, 1.0], [5.0, 2.0, 0.0]]


def test_spread_minmax_and_std():
    mean, low, high = spread(CURVES)
    np.testing.assert_allclose(mean, [4.0, 2.0, 0.5])
    np.testing.assert_allclose(low, [3.0, 2.0, 0.0])
    np.testing.assert_allclose(high, [5.0, 2.0, 1.0])
    mean, low, high = spread(CURVES, band="std")
    np.testing.assert_allclose(high - mean, [1.0, 0.0, 0.5])
    np.testing.assert_allclose(mean - low, [1.0, 0.0, 0.5])


@pytest.mark.parametrize(
    "curves, band, message",
    [(CURVES, "iqr", "Invalid band: 'iqr'"), ([1.0, 2.0], "minmax", "shape (2,)")],
)
def test_spread_rejects_bad_input(curves, band, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spread(curves, band)


def test_plot_runs_draws_mean_line_and_band_per_label():
    ax = plot_runs({"a": CURVES, "b": [[1.0, 1.0, 1.0]]}, logy=True)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [4.0, 2.0, 0.5])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.0 and band.max() == 5.0
    assert ax.get_yscale() == "log"
    plt.close("all")


def test_runs_table_reports_mean_and_range_at_chosen_steps():
    table = runs_table({"sgd": CURVES}, at=(0, -1), digits=1)
    assert table.splitlines()[1] == "sgd  4.0 [3.0, 5.0]  0.5 [0.0, 1.0]"
    assert "at 0" in table.splitlines()[0] and "at -1" in table.splitlines()[0]


def test_runs_table_heads_columns_with_the_x_values():
    table = runs_table({"sgd": CURVES}, at=(0, -1), digits=1, x=[1, 2, 3], xlabel="epoch")
    assert table.splitlines()[0].split() == ["epoch", "1", "epoch", "3"]


def test_plot_lr_range_marks_the_suggestion():
    ax = plot_lr_range([1e-4, 1e-3, 1e-2], [2.0, 1.0, 3.0], suggestion=1e-3)
    assert ax.get_xscale() == "log"
    assert ax.get_lines()[1].get_xdata()[0] == 1e-3
    plt.close("all")
