"""The digits MLP runs and the race: seeded, the pick is the best mean validation loss, fair."""

import numpy as np
import pytest
import torch

from lessons.data import digits, split
from lessons.race import mean_loss, race, train

X_train, X_test, y_train, y_test = digits()
X_fit, X_val, y_fit, y_val = split(X_train, y_train, test_size=0.25, seed=1)


def test_train_repeats_exactly_and_seeds_differ():
    _, first = train(torch.optim.SGD, 0.5, X_fit, y_fit, epochs=2, seed=3)
    _, again = train(torch.optim.SGD, 0.5, X_fit, y_fit, epochs=2, seed=3)
    _, other = train(torch.optim.SGD, 0.5, X_fit, y_fit, epochs=2, seed=4)
    assert first.shape == (2,) and np.array_equal(first, again) and not np.array_equal(first, other)
    assert first[1] < first[0]


def test_race_picks_the_lowest_mean_validation_loss_and_keeps_its_runs():
    grid, seeds = [1e-5, 0.5, 50.0], (0, 1)
    result = race(
        torch.optim.SGD, grid, seeds, (X_fit, y_fit), (X_val, y_val), (X_test, y_test), epochs=2
    )
    assert result.lr == 0.5 and result.best == 1 and not result.at_edge
    for i, lr in enumerate(grid):  # every lr trained from the same seeds
        runs = [train(torch.optim.SGD, lr, X_fit, y_fit, epochs=2, seed=s) for s in seeds]
        assert result.val_loss[i] == pytest.approx(
            np.mean([mean_loss(m, X_val, y_val) for m, _ in runs])
        )
        if i == result.best:
            assert np.array_equal(result.curves, np.array([curve for _, curve in runs]))
            for (model, _), acc in zip(runs, result.test_acc, strict=True):
                assert acc == pytest.approx(
                    (model(X_test).argmax(1) == y_test).float().mean().item()
                )
    assert result.val_loss.argmin() == result.best and 0.5 < result.test_acc.min() <= 1


def test_a_pick_at_the_end_of_the_grid_is_flagged():
    result = race(
        torch.optim.SGD,
        [1e-6, 1e-5, 1e-4],
        (0,),
        (X_fit, y_fit),
        (X_val, y_val),
        (X_test, y_test),
        epochs=1,
    )
    assert result.best == 2 and result.at_edge


@pytest.mark.parametrize(
    "grid, seeds, message",
    [
        ([0.1, 1.0], (0,), r"Invalid grid: \[0.1, 1.0\]"),
        ([0.1, 0.3, 1.0], (), r"Invalid seeds: \(\)"),
    ],
)
def test_rejects_a_grid_without_an_inside_and_no_seeds(grid, seeds, message):
    with pytest.raises(ValueError, match=message):
        race(
            torch.optim.SGD, grid, seeds, (X_fit, y_fit), (X_val, y_val), (X_test, y_test), epochs=1
        )
