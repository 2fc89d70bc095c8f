"""What sits between ``loss.backward()`` and ``optimizer.step()``: clipping, accumulation, warmup.

``clip_grad_norm`` and ``clip_grad_value`` are from-scratch twins of torch's ``clip_grad_norm_``
and ``clip_grad_value_`` (2-norm only). ``train`` is one visible loop that steps once per batch,
each batch's gradient accumulated over ``k`` micro-batches; with ``k=1`` it is
``lessons.training.fit``. ``warmup_run`` and ``sharpness`` are the warmup experiments.
"""

import math

import torch
import torch.nn.functional as F

from lessons.models import mlp

__all__ = [
    "clip_grad_norm",
    "clip_grad_value",
    "batches",
    "train",
    "amp_train",
    "linear_warmup",
    "warmup_run",
    "sharpness",
]


def _grads(parameters):
    parameters = [parameters] if torch.is_tensor(parameters) else list(parameters)
    return [p.grad for p in parameters if p.grad is not None]


@torch.no_grad()
def clip_grad_norm(parameters, max_norm):
    """Scale all the gradients by one factor so that their global 2-norm is at most ``max_norm``;
    returns the norm before clipping. (torch accepts any max_norm, and a negative one flips the
    gradients; we refuse it.)"""
    if not max_norm > 0:
        raise ValueError(f"Invalid max_norm: {max_norm}; expected max_norm > 0")
    grads = _grads(parameters)
    if not grads:
        return torch.tensor(0.0)  # as torch: nothing to clip
    # ‖g‖ = sqrt(Σᵢ ‖gᵢ‖²): one norm over every gradient together
    total_norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    # c = min(max_norm / (‖g‖ + 1e-6), 1); the 1e-6 keeps a zero norm from dividing by 0
    clip_coef = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(clip_coef)  # g ← c·g: the direction is kept
    return total_norm


@torch.no_grad()
def clip_grad_value(parameters, clip_value):
    """Clamp every gradient entry into ``[-clip_value, clip_value]``: the direction changes."""
    if not clip_value > 0:
        raise ValueError(f"Invalid clip_value: {clip_value}; expected clip_value > 0")
    for g in _grads(parameters):
        g.clamp_(-clip_value, clip_value)


def batches(n, batch_size, epochs, seed=0):
    """The index tensors of ``epochs`` seeded shuffles of ``range(n)``, cut as ``fit`` cuts them."""
    generator = torch.Generator().manual_seed(seed)
    order = [torch.randperm(n, generator=generator) for _ in range(epochs)]
    return [batch for epoch in order for batch in epoch.split(batch_size)]


def train(model, optimizer, X, y, batches, k=1, scale_loss=True, max_norm=None, scheduler=None):
    """One optimizer step per batch, its gradient accumulated over ``k`` micro-batches.

    Each micro-batch's mean loss is weighted by its share of the batch, so the accumulated
    gradient is the batch's mean gradient; ``scale_loss=False`` is the classic mistake, a sum of
    ``k`` means. ``max_norm`` clips the accumulated gradient; the scheduler steps once per
    optimizer step. Returns every batch's loss and gradient norm (before clipping).
    """
    if not (isinstance(k, int) and k >= 1):
        raise ValueError(f"Invalid k: {k}; expected an integer >= 1")
    history = {"loss": [], "grad_norm": []}
    for batch in batches:
        optimizer.zero_grad()
        batch_loss = 0.0
        for micro in batch.chunk(k):
            loss = F.cross_entropy(model(X[micro]), y[micro])
            share = len(micro) / len(batch)
            (loss * share if scale_loss else loss).backward()  # .grad += share·∇loss
            batch_loss += share * loss.item()
        # max_norm = inf gives the factor 1: the norm is measured, nothing is clipped
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm or math.inf)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        history["loss"].append(batch_loss)
        history["grad_norm"].append(norm.item())
    return history


def amp_train(model, optimizer, X, y, batches, scaler, dtype=torch.float16, max_norm=None):
    """``train``'s loop (k = 1) in mixed precision on the CPU, through a ``torch.amp.GradScaler``.
    Returns every batch's loss, the scale it used, and whether its step was skipped."""
    history = {"loss": [], "scale": [], "skipped": []}
    for batch in batches:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=dtype):
            loss = F.cross_entropy(model(X[batch]), y[batch])
        scale = scaler.get_scale()
        scaler.scale(loss).backward()  # ∇(S·loss) = S·∇loss: small gradients survive float16
        scaler.unscale_(optimizer)  # .grad ← .grad / S, so max_norm applies to the true gradient
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm or math.inf)
        scaler.step(optimizer)  # skipped if any gradient is inf or nan
        scaler.update()  # S ← S/2 after a skip; S ← 2S after growth_interval finite steps
        history["loss"].append(loss.item())
        history["scale"].append(scale)
        history["skipped"].append(scaler.get_scale() < scale)
    return history


def linear_warmup(optimizer, warmup_steps):
    """``LambdaLR`` raising the lr linearly from lr/warmup_steps at the first step to the full lr
    at step ``warmup_steps - 1``, then holding it."""
    if not (isinstance(warmup_steps, int) and warmup_steps >= 1):
        raise ValueError(f"Invalid warmup_steps: {warmup_steps}; expected an integer >= 1")
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: min(1.0, (t + 1) / warmup_steps))


def warmup_run(optimizer_class, lr, X, y, warmup_steps=0, seed=0, steps=60, batch_size=1024):
    """The digits MLP trained for ``steps`` batches, with a linear warmup if ``warmup_steps``;
    ``seed`` sets the initial weights and the shuffling. Returns the model and its history."""
    torch.manual_seed(seed)
    model = mlp((64, 32, 10))
    optimizer = optimizer_class(model.parameters(), lr=lr)
    scheduler = linear_warmup(optimizer, warmup_steps) if warmup_steps else None
    epochs = math.ceil(steps * batch_size / len(X)) + 1
    order = batches(len(X), batch_size, epochs, seed)[:steps]
    return model, train(model, optimizer, X, y, order, scheduler=scheduler)


def sharpness(model, X, y, iters=20, seed=0):
    """The eigenvalue λ of the Hessian of the full-batch loss largest in magnitude (the largest
    when it is positive), by power iteration on Hessian-vector products. Gradient descent on a
    quadratic is stable while lr < 2/λ."""
    if not (isinstance(iters, int) and iters >= 1):
        raise ValueError(f"Invalid iters: {iters}; expected an integer >= 1")
    params = list(model.parameters())
    grads = torch.autograd.grad(F.cross_entropy(model(X), y), params, create_graph=True)
    generator = torch.Generator().manual_seed(seed)
    v = [torch.randn(p.shape, generator=generator) for p in params]
    for _ in range(iters):
        norm = torch.sqrt(sum((u * u).sum() for u in v))
        v = [u / norm for u in v]
        Hv = torch.autograd.grad(grads, params, v, retain_graph=True)  # H·v, without forming H
        eigenvalue = sum((h * u).sum() for h, u in zip(Hv, v, strict=True)).item()  # vᵀHv
        v = [h.detach() for h in Hv]
    return eigenvalue
