"""One plain training loop that every optimizer and scheduler plugs into.

The loop runs on the model's device; the shuffling is seeded, so a run repeats exactly.
"""

import torch
import torch.nn.functional as F

__all__ = ["fit", "accuracy"]


def fit(
    model,
    optimizer,
    X,
    y,
    epochs,
    batch_size,
    seed=0,
    scheduler=None,
    on_epoch=None,
    loss_fn=F.cross_entropy,
):
    """Minibatch training; ``scheduler.step()`` runs once per epoch, ``on_epoch(epoch, history)``
    after it. Returns ``history``: the loss of every step, and every group's lr at every step."""
    _check(epochs, batch_size)
    device = next(model.parameters()).device
    X, y = X.to(device), y.to(device)
    generator = torch.Generator().manual_seed(seed)
    history = {"loss": [], "lr": []}
    model.train()
    for epoch in range(epochs):
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            batch = batch.to(device)
            loss = loss_fn(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["loss"].append(loss.item())
            history["lr"].append([group["lr"] for group in optimizer.param_groups])
        if scheduler is not None:
            scheduler.step()
        if on_epoch is not None:
            on_epoch(epoch, history)
    return history


def _check(epochs, batch_size):
    if epochs < 0:
        raise ValueError(f"Invalid epochs: {epochs}; expected epochs >= 0")
    if batch_size < 1:
        raise ValueError(f"Invalid batch_size: {batch_size}; expected batch_size >= 1")


@torch.no_grad()
def accuracy(model, X, y):
    """Fraction of ``X`` whose highest score is the label ``y``."""
    device = next(model.parameters()).device
    model.eval()
    return (model(X.to(device)).argmax(dim=1) == y.to(device)).float().mean().item()
