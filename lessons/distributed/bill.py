"""The memory bill of training, per parameter, counted from the tensors a step leaves behind.

float32: parameters (4 B), gradients (4 B), and the optimizer's state. Mixed precision (the ZeRO
paper's accounting): bfloat16 parameters and gradients (2 + 2 B) for the forward and backward
passes, and a float32 master copy (4 B) that the optimizer updates and keeps its state for.
"""

import torch
import torch.nn.functional as F
from torch import nn

from lessons.memory import state_bytes, tensor_bytes


def bias_free_mlp(sizes=(64, 256, 256, 10)) -> nn.Sequential:
    """Linear layers without biases (every parameter a matrix, as Muon requires), ReLU between."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out, bias=False), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def bill(optimizer_class, mixed: bool, seed: int = 0, **hyperparameters) -> dict[str, float]:
    """Bytes per parameter after one step: by line of the bill, and in total.

    mixed=False: the model and optimizer in float32. mixed=True: a bfloat16 model, its gradients
    cast into a float32 master copy, which the optimizer steps and which is cast back.
    """
    torch.manual_seed(seed)
    model = bias_free_mlp()
    params = list(model.parameters())
    n = sum(p.numel() for p in params)
    X, y = torch.randn(8, 64), torch.randint(10, (8,))
    if mixed:
        model.bfloat16()
        master = [p.detach().float().requires_grad_() for p in params]
    else:
        master = params
    optimizer = optimizer_class(master, **hyperparameters)
    F.cross_entropy(model(X.to(params[0].dtype)).float(), y).backward()
    if mixed:
        for p, m in zip(params, master, strict=True):
            m.grad = p.grad.float()
    optimizer.step()
    if mixed:
        with torch.no_grad():
            for p, m in zip(params, master, strict=True):
                p.copy_(m)
    lines = {
        "parameters": tensor_bytes(params) / n,
        "gradients": tensor_bytes(p.grad for p in params) / n,
        "master copy": tensor_bytes(master) / n if mixed else 0.0,
        "optimizer state": sum(state_bytes(optimizer).values()) / n,
    }
    return lines | {"total": sum(lines.values())}
