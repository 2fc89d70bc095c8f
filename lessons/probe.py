"""Probe an optimizer with gradients we choose: one parameter, a given gradient at each step, and
the size of each step taken. It shows Adagrad's fading steps, RMSprop's large first ones and Adam's
bias correction (notebook 02), and what Adam's eps and betas do (notebook 03).
"""

import numpy as np
import torch

__all__ = ["step_sizes"]


def step_sizes(optimizer_class, grads, **hyperparameters):
    """``|Δparam|`` at each step of ``optimizer_class([param], **hyperparameters)``.

    ``param`` is one float64 number starting at 0 whose gradient at step t is ``grads[t]``;
    returns an array as long as ``grads``.
    """
    grads = np.asarray(grads, dtype=np.float64)
    if grads.ndim != 1:
        raise ValueError(
            f"Invalid grads of shape {grads.shape}; expected a 1-D sequence, one number a step"
        )
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([param], **hyperparameters)
    sizes = []
    for grad in grads:
        before = param.item()
        param.grad = torch.tensor([grad], dtype=torch.float64)
        optimizer.step()
        sizes.append(abs(param.item() - before))
    return np.array(sizes)
