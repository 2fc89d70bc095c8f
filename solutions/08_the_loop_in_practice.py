"""Reference answers to notebook 08's exercises (for instructors)."""

import torch
import torch.nn.functional as F

# SGD's step is lr·g and the summed gradient is k = 4 times the mean; Adam's first step is
# lr·m/sqrt(v), unchanged when g is multiplied by 4 (up to eps)
predicted_ratio = {"SGD": 4.0, "Adam": 1.0}


def accumulation_step(model, optimizer, X, y, batch, k):
    optimizer.zero_grad()
    for micro in batch.chunk(k):
        loss = F.cross_entropy(model(X[micro]), y[micro])
        (loss / k).backward()  # .grad += ∇loss / k: the mean over the k equal micro-batches
    optimizer.step()


def amp_step(model, optimizer, scaler, loss, max_norm):
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # the true gradients, before they are clipped
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    scaler.step(optimizer)  # skipped if a gradient is inf or nan
    scaler.update()
