"""``newton_schulz_explorer()``: the singular values of Muon's update, iteration by iteration.

The picture shows the singular values of a matrix with a wide spread of them (a gradient's,
typically), scaled to Frobenius norm 1 (grey), and after ``iterations`` Newton-Schulz iterations
of ``lessons.optim.newton_schulz`` (the function Muon calls). Every iteration count is computed
once, up front, so a move only swaps the data of one line.
"""

import numpy as np
import torch

from lessons.modern import ns_singular_values

from ._explorer import Explorer
from .axes import figure, set_title
from .controls import int_slider

MAX_ITERATIONS = 10


def spread_matrix(rows, cols, decay, seed=0):
    """U·diag(s)·Vᵀ with random orthogonal U, V and singular values s_i = decay**i (float32)."""
    generator = torch.Generator().manual_seed(seed)
    U, _ = torch.linalg.qr(torch.randn(rows, rows, generator=generator))
    V, _ = torch.linalg.qr(torch.randn(cols, cols, generator=generator))
    k = min(rows, cols)
    s = decay ** torch.arange(k, dtype=torch.float32)
    return U[:, :k] @ torch.diag(s) @ V[:, :k].T


class NewtonSchulzExplorer(Explorer):
    """One slider, ``iterations`` (0 is the scaled input). ``table[k]``: the singular values
    after k iterations."""

    def __init__(self, iterations, decay, rows, cols, seed):
        sliders = {"iterations": int_slider("iterations", iterations, 0, MAX_ITERATIONS)}
        self.decay = decay
        self.table = ns_singular_values(spread_matrix(rows, cols, decay, seed), MAX_ITERATIONS)
        self.table = self.table.numpy()
        fig, (ax,) = figure(3.6)
        ax.set(xlabel="index of the singular value", ylabel="singular value", ylim=(0, 1.6))
        k = min(rows, cols)
        ax.set_xlim(-0.5, k - 0.5)
        ax.axhline(1.0, color="k", lw=0.6, ls=":")
        self.ax = ax
        lines = {
            "input": ax.plot([], [], "-", color="0.6", lw=1.5, label="input, ‖·‖_F = 1")[0],
            "after": ax.plot([], [], "o-", ms=3, color="C3", lw=1.2, label="after iterations")[0],
        }
        ax.legend(loc="upper right", fontsize=8)
        super().__init__(sliders, fig, lines)

    def draw(self, values):
        table = self.table
        index = np.arange(table.shape[1])
        self.lines["input"].set_data(index, table[0])
        self.lines["after"].set_data(index, table[values["iterations"]])
        low, high = table[values["iterations"]].min(), table[values["iterations"]].max()
        set_title(
            self.ax,
            "newton_schulz",
            [
                ("decay", self.decay),
                *values.items(),
                ("smallest", float(low)),
                ("largest", float(high)),
            ],
        )


def newton_schulz_explorer(iterations=5, decay=0.9, rows=32, cols=64, seed=0):
    """Singular values of a ``rows``×``cols`` matrix before and after Newton-Schulz iterations."""
    if not 0 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"Invalid iterations: {iterations}; expected 0 to {MAX_ITERATIONS}")
    if not 0.5 <= decay <= 1.0:
        raise ValueError(f"Invalid decay: {decay}; expected 0.5 <= decay <= 1")
    return NewtonSchulzExplorer(iterations, decay, rows, cols, seed)
