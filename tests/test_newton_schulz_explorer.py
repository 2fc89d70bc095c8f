"""The Newton-Schulz explorer: its slider moves the picture, and the picture is Muon's function."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lessons import optim  # noqa: E402
from lessons.widgets.newton_schulz import (  # noqa: E402
    MAX_ITERATIONS,
    newton_schulz_explorer,
    spread_matrix,
)

COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def test_spread_matrix_has_the_singular_values_asked_for():
    s = torch.linalg.svdvals(spread_matrix(8, 12, 0.7))
    np.testing.assert_allclose(s.numpy(), 0.7 ** np.arange(8), rtol=1e-4)


@pytest.mark.parametrize("iterations", [0, 1, 3, MAX_ITERATIONS])
def test_slider_draws_the_singular_values_of_newton_schulz(iterations):
    explorer = newton_schulz_explorer(iterations=2, decay=0.8, rows=16, cols=24)
    picture = explorer.image.value
    moved = explorer.redraws("after", "iterations", iterations)
    assert moved == (iterations != 2)
    assert (explorer.image.value != picture) == moved
    X = optim.newton_schulz(spread_matrix(16, 24, 0.8), COEFFICIENTS, iterations, 1e-7)
    want = torch.linalg.svdvals(X.float()).numpy()
    np.testing.assert_allclose(explorer.lines["after"].get_ydata(), want, rtol=1e-5, atol=1e-6)
    assert f"iterations={iterations}" in explorer.ax.get_title()


def test_five_iterations_squeeze_a_wide_spectrum_near_one():
    explorer = newton_schulz_explorer(iterations=0, decay=0.9)
    start = explorer.lines["after"].get_ydata()
    assert start.max() / start.min() > 20
    explorer.sliders["iterations"].value = 5
    after = explorer.lines["after"].get_ydata()
    assert 0.5 < after.min() and after.max() < 1.5
    np.testing.assert_array_equal(explorer.lines["input"].get_ydata(), start)


@pytest.mark.parametrize(
    "arguments, words",
    [({"iterations": 11}, "iterations: 11"), ({"decay": 1.5}, "decay: 1.5")],
)
def test_bad_arguments_are_refused(arguments, words):
    with pytest.raises(ValueError, match=words):
        newton_schulz_explorer(**arguments)
