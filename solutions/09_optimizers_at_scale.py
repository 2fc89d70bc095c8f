"""Solutions to notebook 09's exercises (for instructors; tests check them against the checks)."""

# Exercise 1: 2 B weights + 2 B gradients kept whole, (4 B master + 8 B moments) / 8 ranks
prediction = 2 + 2 + (4 + 8) / 8


def bytes_per_param(stage, world_size, state):
    weights, grads, optimizer = 2, 2, 4 + state
    if stage == 0:
        return weights + grads + optimizer
    if stage == 1:
        return weights + grads + optimizer / world_size
    if stage == 2:
        return weights + (grads + optimizer) / world_size
    return (weights + grads + optimizer) / world_size


def assign(numels, world_size):
    totals, ranks = [0] * world_size, [None] * len(numels)
    for i in sorted(range(len(numels)), key=lambda i: numels[i], reverse=True):
        rank = totals.index(min(totals))
        ranks[i] = rank
        totals[rank] += numels[i]
    return ranks
