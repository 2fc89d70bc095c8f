"""Differential learning rates in Keras and in torch: one experiment, two libraries.

Keras has no parameter groups; each set of variables gets its own optimizer, either in a custom loop
(``train_keras``, how it works) or with the built-in ``MultiOptimizer`` under ``compile``/``fit``
(``multi_optimizer``, ``fit_keras``). torch gives each set its own param group in one optimizer.
On Keras's torch backend every one of these loops is the same torch loop (``loss.backward()``), so
from the same weights and the same batches they reach the same weights, once Adam's eps means the
same in both (notebook 07).

Importing this module imports Keras on the torch backend (never TensorFlow).
"""

import torch
import torch.nn.functional as F
from torch import nn

from lessons import keras_backend
from lessons.models import mlp

keras = keras_backend.keras()

__all__ = [
    "keras_mlp",
    "torch_twin",
    "permutations",
    "batches",
    "train_keras",
    "two_groups",
    "train_torch",
    "multi_optimizer",
    "fit_keras",
]


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


def permutations(n, epochs, seed=0):
    """Each epoch's order: a fresh permutation of ``range(n)``, seeded as in ``training.fit``."""
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        yield torch.randperm(n, generator=generator)


def batches(n, epochs, batch_size=64, seed=0):
    """Index tensors of the batches: each epoch's permutation cut into ``batch_size`` pieces."""
    for order in permutations(n, epochs, seed):
        yield from order.split(batch_size)


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


def two_groups(model, eps, body_lr=1e-3, head_lr=1e-2):
    """torch Adam on an ``mlp``: the body (all but the last layer) and the head as two groups."""
    body = [p for module in model[:-1] for p in module.parameters()]
    return torch.optim.Adam(
        [{"params": body, "lr": body_lr}, {"params": model[-1].parameters()}],
        lr=head_lr,
        eps=eps,
        foreach=False,
    )


def train_torch(model, X, y, eps, body_lr=1e-3, head_lr=1e-2, epochs=5, seed=0):
    """torch Adam, one optimizer, the body (all but the last layer) and the head as two groups."""
    optimizer = two_groups(model, eps, body_lr, head_lr)
    losses = []
    for batch in batches(len(X), epochs, seed=seed):
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def multi_optimizer(model, eps, body_lr=1e-3, head_lr=1e-2):
    """Keras's built-in: one Adam for the head's variables (matched by path), one for the rest."""
    head = model.layers[-1]
    return keras.optimizers.MultiOptimizer(
        keras.optimizers.OptimizerMap(
            default_optimizer=keras.optimizers.Adam(learning_rate=body_lr, epsilon=eps),
            # a regex over variable paths such as "sequential/dense_1/kernel", matched in full
            optimizer_map={
                f"{head.path}/.*": keras.optimizers.Adam(learning_rate=head_lr, epsilon=eps)
            },
        )
    )


def fit_keras(model, X, y, optimizer, epochs=5, seed=0, callbacks=()):
    """``compile`` and ``fit`` on the batches of ``batches``; returns ``fit``'s history, all epochs.

    One ``fit`` call per epoch, on that epoch's permutation and not shuffled again, so that Keras
    sees torch's batches; ``initial_epoch`` gives the callbacks the true epoch number."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss)
    history = {}
    for epoch, order in enumerate(permutations(len(X), epochs, seed)):
        run = model.fit(
            X[order],
            y[order],
            batch_size=64,
            initial_epoch=epoch,
            epochs=epoch + 1,
            shuffle=False,
            verbose=0,
            callbacks=list(callbacks),
        )
        for key, values in run.history.items():
            history.setdefault(key, []).extend(values)
    return history
