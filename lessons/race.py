"""The digits MLP (64 → 32 → 10) trained with any optimizer, and a fair race between optimizers.

Fair means: every optimizer has its lr tuned on a grid of the same size, each lr trained from the
same seeds; the lr is picked by the mean validation loss over those seeds; the test images are
read only for the picked lr's models.
"""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from lessons.models import mlp
from lessons.training import accuracy, fit

__all__ = ["train", "mean_loss", "race", "Race"]

SIZES = (64, 32, 10)


def train(optimizer_class, lr, X, y, *, epochs=5, batch_size=64, seed=0, **hyperparameters):
    """The MLP trained by ``fit``; ``seed`` sets the initial weights and the shuffling.

    Returns the model and the mean training loss of each epoch.
    """
    torch.manual_seed(seed)
    model = mlp(SIZES)
    optimizer = optimizer_class(model.parameters(), lr=lr, **hyperparameters)
    history = fit(model, optimizer, X, y, epochs, batch_size, seed=seed)
    return model, torch.tensor(history["loss"]).reshape(epochs, -1).mean(dim=1).numpy()


def mean_loss(model, X, y):
    """The model's mean cross-entropy on (X, y)."""
    with torch.no_grad():
        return F.cross_entropy(model(X), y).item()


@dataclass
class Race:
    """One optimizer's tuning: the grid, its mean validation losses, and the picked lr's runs."""

    grid: list  # the lrs tried
    val_loss: np.ndarray  # mean over the seeds, one per lr
    best: int  # index of the picked lr in grid
    curves: np.ndarray  # the picked lr's mean training loss per epoch, one row per seed
    test_acc: np.ndarray  # the picked lr's test accuracy, one per seed

    @property
    def lr(self):
        return self.grid[self.best]

    @property
    def at_edge(self):
        """The pick is the grid's first or last lr: the best lr may lie outside the grid."""
        return self.best in (0, len(self.grid) - 1)


def race(optimizer_class, grid, seeds, train_set, val_set, test_set, *, epochs, **hyperparameters):
    """Train on ``train_set`` = (X, y) at every lr of ``grid`` from every seed, pick the lr with the
    lowest mean loss on ``val_set``, and measure that lr's models on ``test_set``."""
    if len(grid) < 3:
        raise ValueError(f"Invalid grid: {grid}; expected at least 3 lrs, so a pick can be inside")
    if len(seeds) < 1:
        raise ValueError(f"Invalid seeds: {seeds}; expected at least one seed")
    runs, val_loss = [], []
    for lr in grid:
        row = [
            train(optimizer_class, lr, *train_set, epochs=epochs, seed=seed, **hyperparameters)
            for seed in seeds
        ]
        runs.append(row)
        val_loss.append(np.mean([mean_loss(model, *val_set) for model, _ in row]))
    best = int(np.argmin(val_loss))
    return Race(
        grid=list(grid),
        val_loss=np.array(val_loss),
        best=best,
        curves=np.array([curve for _, curve in runs[best]]),
        test_acc=np.array([accuracy(model, *test_set) for model, _ in runs[best]]),
    )
