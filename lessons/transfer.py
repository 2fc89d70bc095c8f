"""Notebook 05's experiment: six ways to train a pretrained ``SmallCNN`` on a new task, each on
the same budget, compared seed by seed.

``run`` trains one method on ``k`` labelled images per class and returns its test accuracy;
``sweep`` runs "two groups" over a grid of body and head lrs; ``paired`` and ``beats`` compare
two methods on the seeds they share.
"""

import copy
import itertools

import numpy as np
import torch
from scipy import stats
from torch import nn

from lessons.data import per_class
from lessons.models import SmallCNN
from lessons.optim import Adam
from lessons.training import accuracy, fit

__all__ = [
    "METHODS",
    "BODY_LR",
    "HEAD_LR",
    "SCRATCH_LR",
    "with_new_head",
    "make_optimizer",
    "run",
    "sweep",
    "paired",
    "beats",
]

METHODS = ("from scratch", "frozen features", "one high lr", "one low lr", "two groups", "gradual")
BODY_LR, HEAD_LR = 1e-3, 3e-2
SCRATCH_LR = 1e-2  # the best of 1e-3, 3e-3, 1e-2, 3e-2 at k=5 on held-out seeds (notebook 05)


def with_new_head(pretrained, seed):
    """A copy of ``pretrained`` with a fresh head, its initial weights drawn with ``seed``."""
    torch.manual_seed(seed)
    model = copy.deepcopy(pretrained)
    model.head = nn.Linear(model.head.in_features, model.head.out_features)
    return model


def make_optimizer(method, model, epochs, scratch_lr=SCRATCH_LR, body_lr=BODY_LR, head_lr=HEAD_LR):
    """Adam set up for ``method`` ("from scratch" at ``scratch_lr``), and the ``on_epoch`` hook
    of ``fit`` that thaws the body's blocks one by one for "gradual" (``None`` for the others)."""
    _check(method, epochs, body_lr, head_lr)
    if method == "from scratch":
        return Adam(model.parameters(), lr=scratch_lr), None
    if method == "one high lr":
        return Adam(model.parameters(), lr=head_lr), None
    if method == "one low lr":
        return Adam(model.parameters(), lr=body_lr), None
    if method == "two groups":
        body = {"params": model.body.parameters(), "lr": body_lr}
        return Adam([body, {"params": model.head.parameters()}], lr=head_lr), None
    model.body.requires_grad_(False)  # backward stops at the head: no gradients for the body
    if method == "frozen features":
        return Adam(model.head.parameters(), lr=head_lr), None
    # Conv block 3 thaws after a third of the epochs, blocks 1-2 after two thirds. Each already
    # has its group: Adam skips a tensor whose grad is None, so a frozen block waits in the
    # optimizer untouched, and its moments start from zero at the first step after it thaws.
    thaws = {epochs // 3 - 1: model.body[4], 2 * epochs // 3 - 1: model.body[:4]}
    blocks = [{"params": block.parameters(), "lr": body_lr} for block in thaws.values()]
    optimizer = Adam([{"params": model.head.parameters()}, *blocks], lr=head_lr)

    def on_epoch(epoch, history):
        if epoch in thaws:
            thaws[epoch].requires_grad_(True)

    return optimizer, on_epoch


def _check(method, epochs, body_lr, head_lr):
    for name, lr in (("body_lr", body_lr), ("head_lr", head_lr)):
        if not lr >= 0:
            raise ValueError(f"Invalid {name}: {lr}; expected a learning rate >= 0")
    if method not in METHODS:
        raise ValueError(f"Invalid method: {method!r}; expected one of {METHODS}")
    if method == "gradual" and epochs < 3:
        raise ValueError(f"Invalid epochs: {epochs}; gradual unfreezing needs epochs >= 3")


def run(method, pretrained, target, k, seed, epochs, batch_size, scratch_lr=SCRATCH_LR, **lrs):
    """Test accuracy (%) of ``method`` after training on ``k`` labelled images per class.

    ``target`` is ``(X_pool, y_pool, X_test, y_test)``. ``seed`` draws the images, the new head
    and the shuffling: for one seed, every method starts from the same data and the same head.
    ``lrs`` may set ``body_lr`` and ``head_lr`` (default ``BODY_LR`` and ``HEAD_LR``).
    """
    X_pool, y_pool, X_test, y_test = target
    if method == "from scratch":
        torch.manual_seed(seed)
        model = SmallCNN(pretrained.head.out_features)
    else:
        model = with_new_head(pretrained, seed)
    model.to(memory_format=torch.channels_last)  # twice as fast on CPU: conv and pooling kernels
    optimizer, on_epoch = make_optimizer(method, model, epochs, scratch_lr, **lrs)
    idx = per_class(y_pool, k, seed)
    fit(model, optimizer, X_pool[idx], y_pool[idx], epochs, batch_size, seed, on_epoch=on_epoch)
    return 100 * accuracy(model, X_test, y_test)


def sweep(lrs, pretrained, target, k, seeds, epochs, batch_size):
    """Test accuracy (%) of "two groups" for every body lr and head lr in ``lrs`` and every seed:
    ``acc[i, j, s]`` has body lr ``lrs[i]``, head lr ``lrs[j]``, seed ``seeds[s]``. The diagonal
    ``i == j`` is one lr for the whole network."""
    acc = [
        run("two groups", pretrained, target, k, s, epochs, batch_size, body_lr=b, head_lr=h)
        for b, h, s in itertools.product(lrs, lrs, seeds)
    ]
    return np.reshape(acc, (len(lrs), len(lrs), len(seeds)))


def paired(results, a, b, k):
    """Mean and std of the seed-by-seed differences d = results[a, k] − results[b, k], and on how
    many seeds d > 0."""
    d = results[a, k] - results[b, k]
    return d.mean(), d.std(ddof=1), int((d > 0).sum())


def beats(results, a, b, k):
    """A paired t-test: ``a`` beats ``b`` at ``k`` when the 95% confidence interval of the mean
    difference lies above zero, mean(d) − t(0.975, n−1)·std(d)/√n > 0, for n seeds.

    With n = 5, t(0.975, 4) = 2.78: the usual "two standard errors" is too lenient for so few."""
    d = results[a, k] - results[b, k]
    n = len(d)
    return d.mean() - stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n) > 0
