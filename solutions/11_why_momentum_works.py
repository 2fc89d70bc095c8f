"""Reference answers to notebook 11's exercises (for instructors)."""

import math

# lr·L = 2.8: below 2 + 2β = 3 (the heavy ball converges), above (2 + 2β)/(1 + 2β) = 1.5 (Nesterov
# diverges)
predicted = {"heavy ball": True, "nesterov": False}


def max_lr(momentum, L):
    return (2 + 2 * momentum) / L  # |1 + β − lr·L| < 1 + β: Jury's test on z² − (1 + β − lr·L)z + β


def polyak_momentum(kappa):
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)  # both roots on |z| = √β, the smallest
    return rate**2
