"""Keras's two optimizers against torch's two param groups: same start, same batches, same run."""

import numpy as np
import pytest
import torch

from lessons import keras_groups
from lessons.data import digits


@pytest.fixture(scope="module")
def data():
    X, _, y, _ = digits()
    return X[:256], y[:256]


def test_torch_twin_computes_what_the_keras_model_computes(data):
    X, _ = data
    model = keras_groups.keras_mlp((64, 16, 12, 10), seed=3)
    twin = keras_groups.torch_twin(model)
    assert len(list(twin.parameters())) == len(model.trainable_variables) == 6
    with torch.no_grad():
        assert torch.allclose(model(X), twin(X), atol=1e-6)
    assert not torch.allclose(keras_groups.keras_mlp(seed=0)(X), keras_groups.keras_mlp(seed=1)(X))


def test_batches_cover_every_index_once_per_epoch_in_a_fresh_order():
    first, second = (torch.cat(list(keras_groups.batches(100, 2, batch_size=30)))).split(100)
    assert torch.equal(first.sort().values, torch.arange(100))
    assert torch.equal(second.sort().values, torch.arange(100)) and not torch.equal(first, second)
    assert [len(b) for b in keras_groups.batches(100, 1, batch_size=30)] == [30, 30, 30, 10]


def test_tiny_eps_makes_the_two_runs_one_and_default_eps_parts_them(data):
    X, y = data
    runs = {}
    for name, (keras_eps, torch_eps) in {"tiny": (1e-12, 1e-12), "default": (1e-7, 1e-8)}.items():
        model = keras_groups.keras_mlp()
        twin = keras_groups.torch_twin(model)
        k = keras_groups.train_keras(model, X, y, eps=keras_eps, epochs=2)
        t = keras_groups.train_torch(twin, X, y, eps=torch_eps, epochs=2)
        runs[name] = np.abs(np.subtract(k, t)).max()
        assert len(k) == len(t) == 8 and k[-1] < k[0]
    assert runs["tiny"] < 1e-5 and runs["default"] > 10 * runs["tiny"]


@pytest.mark.parametrize("frozen", ["body", "head"])
def test_each_optimizer_or_group_moves_its_own_layers_at_its_own_lr(data, frozen):
    X, y = data
    lrs = {
        "body_lr": 0.0 if frozen == "body" else 1e-2,
        "head_lr": 0.0 if frozen == "head" else 1e-2,
    }
    model = keras_groups.keras_mlp()
    twin = keras_groups.torch_twin(model)
    start = keras_groups.torch_twin(model)
    keras_groups.train_keras(model, X, y, eps=1e-7, epochs=1, **lrs)
    keras_groups.train_torch(twin, X, y, eps=1e-8, epochs=1, **lrs)
    fitted = keras_groups.keras_mlp()
    keras_groups.fit_keras(fitted, X, y, keras_groups.multi_optimizer(fitted, eps=1e-7, **lrs), 1)
    layer = 0 if frozen == "body" else 2
    for net in (keras_groups.torch_twin(model), twin, keras_groups.torch_twin(fitted)):
        assert torch.equal(net[layer].weight, start[layer].weight)
        assert not torch.equal(net[2 - layer].weight, start[2 - layer].weight)


def test_permutations_are_the_orders_that_batches_cuts():
    orders = list(keras_groups.permutations(100, 2, seed=4))
    cut = [b for order in orders for b in order.split(30)]
    assert all(
        torch.equal(a, b) for a, b in zip(cut, keras_groups.batches(100, 2, 30, 4), strict=True)
    )


def test_fit_keras_with_multi_optimizer_is_torchs_two_groups_under_fit(data):
    from lessons.training import fit

    X, y = data
    model = keras_groups.keras_mlp()
    twin = keras_groups.torch_twin(model)
    history = keras_groups.fit_keras(
        model, X, y, keras_groups.multi_optimizer(model, eps=1e-12), epochs=2
    )
    optimizer = keras_groups.two_groups(twin, eps=1e-12)
    t = fit(twin, optimizer, X, y, epochs=2, batch_size=64)
    assert len(history["loss"]) == 2
    np.testing.assert_allclose(history["loss"], np.reshape(t["loss"], (2, -1)).mean(1), atol=1e-5)
    after = keras_groups.torch_twin(model)
    for a, b in zip(after.parameters(), twin.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-4)
