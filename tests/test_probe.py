"""step_sizes: the step each optimizer takes for the gradients we feed it, and bad input named."""

import numpy as np
import pytest
import torch

import lessons.optim
from lessons.probe import step_sizes


def test_sgd_steps_are_lr_times_each_gradient():
    sizes = step_sizes(torch.optim.SGD, [1.0, 2.0, -3.0, 0.0], lr=0.1)
    np.testing.assert_allclose(sizes, [0.1, 0.2, 0.3, 0.0], rtol=1e-12)


def test_momentum_steps_sum_the_gradients():
    sizes = step_sizes(lessons.optim.SGD, [1.0] * 3, lr=0.1, momentum=0.5)
    np.testing.assert_allclose(sizes, [0.1, 0.15, 0.175], rtol=1e-12)  # b = 1, 1.5, 1.75


def test_adam_first_step_is_lr_whatever_the_gradient():
    for grad in (1e-3, 1.0, 1e3):
        assert step_sizes(lessons.optim.Adam, [grad], lr=0.01)[0] == pytest.approx(
            0.01, rel=1e-4
        )  # eps = 1e-8 vs √v ≥ 1e-3


def test_empty_gradients_give_no_steps():
    assert step_sizes(torch.optim.SGD, [], lr=0.1).shape == (0,)


def test_rejects_grads_that_are_not_one_number_a_step():
    with pytest.raises(ValueError, match=r"Invalid grads of shape \(2, 2\)"):
        step_sizes(torch.optim.SGD, [[1.0, 2.0], [3.0, 4.0]], lr=0.1)
