"""Solutions to notebook 07's exercises (for instructors; tests check them against the checks)."""

import math

from torch.optim import lr_scheduler


def piecewise(optimizer):
    # Keras switches after a boundary step (inclusive boundaries): one step later than MultiStepLR
    return lr_scheduler.MultiStepLR(optimizer, milestones=[31, 61], gamma=0.1)


def cosine_decay(optimizer):
    # alpha = 0.2 is a fraction of the initial lr; min(t, 100) holds the end value like Keras
    return lr_scheduler.LambdaLR(
        optimizer, lambda t: 0.2 + 0.8 * 0.5 * (1 + math.cos(math.pi * min(t, 100) / 100))
    )


def torch_eps(epsilon, beta_2, step):
    return epsilon / math.sqrt(1 - beta_2**step)


def reduced_epochs():
    # patience=1: every epoch without a new best (4, 7, 8, 11) reduces at its end, so epochs
    # 5, 8 and 9 run at a lower lr (epoch 11's reduction would show in an epoch 12)
    return [5, 8, 9]
