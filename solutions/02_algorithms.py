"""Reference answers to notebook 02's exercises (for instructors)."""


def momentum_update(param, grad, momentum_buffer, lr, momentum):
    momentum_buffer.mul_(momentum).add_(grad)  # b ← μ·b + grad
    param.add_(momentum_buffer, alpha=-lr)  # param ← param − lr·b


def rmsprop_update(param, grad, square_avg, lr, alpha, eps):
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v ← α·v + (1 − α)·grad²
    param.addcdiv_(grad, square_avg.sqrt() + eps, value=-lr)  # param ← param − lr·grad / (√v + eps)


def adam_update(param, grad, exp_avg, exp_avg_sq, t, lr, betas, eps):
    beta1, beta2 = betas
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)  # m ← β1·m + (1 − β1)·grad
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1 − β2)·grad²
    m_hat = exp_avg / (1 - beta1**t)  # m̂ = m / (1 − β1ᵗ)
    v_hat = exp_avg_sq / (1 - beta2**t)  # v̂ = v / (1 − β2ᵗ)
    param.sub_(lr * m_hat / (v_hat.sqrt() + eps))  # param ← param − lr·m̂ / (√v̂ + eps)


def max_stable_lr(h, momentum):
    # the heavy ball on ½·h·x² is stable for 0 < lr·h < 2·(1 + momentum)
    return 2 * (1 + momentum) / h
