"""Differential learning rates in Keras and in torch: one experiment, two libraries.

Keras has no parameter groups; a custom loop gives each set of variables its own optimizer. torch
gives each set its own param group in one optimizer. On Keras's torch backend both loops are the
same torch loop (``loss.backward()``), so from the same weights and the same batches the two reach
the same weights, once Adam's eps means the same in both (notebook 07).

Importing this module imports Keras on the torch backend (never TensorFlow).
"""

import torch
import torch.nn.functional as F
from torch import nn

from lessons import keras_backend
from lessons.models import mlp

keras = keras_backend.keras()

__all__ = ["keras_mlp", "torch_twin", "batches", "train_keras", "train_torch"]


def keras_mlp(sizes=(64, 32, 10), seed=0):
    """Keras ``Dense`` layers ``sizes[0] -> ... -> sizes[-1]``, ReLU between, like ``mlp``."""
    keras.utils.set_random_seed(seed)
    hidden = [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
    return keras.Sequential([keras.Input((sizes[0],)), *hidden, keras.layers.Dense(sizes[-1])])


def torch_twin(model):
    """``lessons.models.mlp`` with the weights of the Keras ``model`` (a ``keras_mlp``)."""
    sizes = [model.layers[0].kernel.shape[0]] + [layer.units for layer in model.layers]
    twin = mlp(sizes)
    linears = [module for module in twin if isinstance(module, nn.Linear)]
    with torch.no_grad():
        for linear, dense in zip(linears, model.layers, strict=True):
            # a Keras kernel is (inputs, outputs); a torch Linear weight is its transpose
            linear.weight.copy_(dense.kernel.value.T)
            linear.bias.copy_(dense.bias.value)
    return twin


def batches(n, epochs, batch_size=64, seed=0):
    """Index tensors of the batches: each epoch a fresh permutation of ``range(n)``, seeded."""
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        yield from torch.randperm(n, generator=generator).split(batch_size)


def train_keras(model, X, y, eps, body_lr=1e-3, head_lr=1e-2, epochs=5, seed=0):
    """Keras Adam, one optimizer for the body (every layer but the last), one for the head."""
    body = [v for layer in model.layers[:-1] for v in layer.trainable_variables]
    head = model.layers[-1].trainable_variables
    pairs = [
        (keras.optimizers.Adam(learning_rate=body_lr, epsilon=eps), body),
        (keras.optimizers.Adam(learning_rate=head_lr, epsilon=eps), head),
    ]
    losses = []
    for batch in batches(len(X), epochs, seed=seed):
        loss = F.cross_entropy(model(X[batch]), y[batch])
        loss.backward()  # on the torch backend a Keras variable's tensor is v.value
        for optimizer, variables in pairs:
            optimizer.apply([v.value.grad for v in variables], variables)
        for v in model.trainable_variables:
            v.value.grad = None  # Keras never clears these torch grads: we do
        losses.append(loss.item())
    return losses


def train_torch(model, X, y, eps, body_lr=1e-3, head_lr=1e-2, epochs=5, seed=0):
    """torch Adam, one optimizer, the body (all but the last layer) and the head as two groups."""
    head = model[-1]
    body = [p for module in model[:-1] for p in module.parameters()]
    optimizer = torch.optim.Adam(
        [{"params": body, "lr": body_lr}, {"params": head.parameters()}],
        lr=head_lr,
        eps=eps,
        foreach=False,
    )
    losses = []
    for batch in batches(len(X), epochs, seed=seed):
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
