"""Reference answers to notebook 11's exercises (for instructors)."""

import math


def max_lr(momentum, L):
    return (2 + 2 * momentum) / L  # |1 + β − lr·L| < 1 + β: Jury's test on z² − (1 + β − lr·L)z + β


def polyak_momentum(kappa):
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)  # both roots on |z| = √β, the smallest
    return rate**2
