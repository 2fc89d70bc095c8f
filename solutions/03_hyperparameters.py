"""Reference answers to notebook 03's exercises (for instructors)."""


def max_stable_lr(h):
    return 2 / h  # x ← (1 − lr·h)·x shrinks while |1 − lr·h| < 1, i.e. 0 < lr < 2/h


def range_lrs(start_lr, end_lr, num_steps):
    gamma = (end_lr / start_lr) ** (1 / (num_steps - 1))  # one constant ratio between neighbours
    return [start_lr * gamma**t for t in range(num_steps)]


def decoupled_decay(param, lr, weight_decay):
    param.mul_(1 - lr * weight_decay)  # param ← param·(1 − lr·weight_decay)


def first_step(grad, lr=0.01, eps=1e-8):
    # m̂ = grad and √v̂ = |grad| after one step: the step is lr·|grad| / (|grad| + eps) ≈ lr
    return lr * abs(grad) / (abs(grad) + eps)
