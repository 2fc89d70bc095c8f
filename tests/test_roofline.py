"""lessons.roofline: what a step moves and what it allocates, counted from the aten ops."""

import functools

import pytest
import torch

import lessons.optim
from lessons import roofline


def test_bytes_per_param_of_torchs_fused_adam_counts_the_gradient_written():
    # reads p, grad, m, v; writes p, m, v, and the schema marks grad written (GradScaler)
    adam = functools.partial(torch.optim.Adam, fused=True)
    assert roofline.bytes_per_param(adam) == 4 * (4 + 4)


def peak_step(count, foreach, size=1024):
    params = [torch.randn(size).requires_grad_() for _ in range(count)]
    for p in params:
        p.grad = torch.randn(size)
    optimizer = lessons.optim.Adam(params, foreach=foreach)
    optimizer.step()
    with roofline.PeakBytes() as peak:
        optimizer.step()
    return peak.peak / (4 * size)  # in tensors the size of one parameter


@pytest.mark.parametrize("count", [2, 8])
def test_foreach_peak_grows_with_the_group_the_loop_does_not(count):
    assert peak_step(count, foreach=False) == peak_step(1, foreach=False) == 2
    assert peak_step(count, foreach=True) == count


def test_a_freed_temporary_leaves_the_count():
    with roofline.PeakBytes() as peak:
        for _ in range(3):
            torch.ones(10) * 2  # noqa: B018 (freed at once)
    assert peak.peak == 2 * 40 and peak.live == 0
