"""The lr range test: geometric lrs, smoothed losses, a stop on blow-up, nothing left changed."""

import math

import pytest
import torch

from lessons.data import digits
from lessons.lr_finder import lr_range_test
from lessons.models import mlp


def setup(seed=0):
    torch.manual_seed(seed)
    model = mlp((64, 32, 10))
    return model, torch.optim.SGD(model.parameters(), lr=0.123, momentum=0.9)


def test_lrs_grow_geometrically_and_model_and_optimizer_are_restored():
    X, _, y, _ = digits()
    model, optimizer = setup()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = lr_range_test(model, optimizer, X, y, start_lr=1e-4, end_lr=1.0, num_steps=20)
    assert len(result.lrs) == 20  # 1.0 is not enough to blow this model up
    assert result.lrs[0] == pytest.approx(1e-4) and result.lrs[-1] == pytest.approx(1.0)
    ratios = [b / a for a, b in zip(result.lrs, result.lrs[1:], strict=False)]
    assert ratios == pytest.approx([10 ** (4 / 19)] * 19)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert optimizer.param_groups[0]["lr"] == 0.123 and not optimizer.state


def test_stops_when_the_loss_blows_up_and_suggests_a_tenth_of_the_best_lr():
    X, _, y, _ = digits()
    result = lr_range_test(*setup(), X, y, start_lr=1e-4, end_lr=1e3, num_steps=60)
    assert len(result.lrs) < 60
    assert all(math.isfinite(loss) for loss in result.losses)
    best = result.lrs[result.losses.index(min(result.losses))]
    assert result.suggestion == pytest.approx(best / 10)
    assert result.losses[-1] > min(result.losses)  # it went past the bottom before stopping


def test_first_smoothed_loss_is_the_first_loss():
    X, _, y, _ = digits()
    model, optimizer = setup()
    generator = torch.Generator().manual_seed(0)
    first_batch = torch.randperm(len(X), generator=generator)[:64]
    with torch.no_grad():
        first = torch.nn.functional.cross_entropy(model(X[first_batch]), y[first_batch]).item()
    result = lr_range_test(model, optimizer, X, y, num_steps=5)
    assert result.losses[0] == pytest.approx(first)  # bias-corrected, not (1 − β)·loss


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(start_lr=0.0), "Invalid start_lr"),
        (dict(start_lr=1.0, end_lr=0.1), "Invalid start_lr"),
        (dict(num_steps=1), "Invalid num_steps: 1"),
        (dict(beta=1.0), "Invalid beta: 1.0"),
        (dict(diverge=1.0), "Invalid diverge: 1.0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    X, _, y, _ = digits()
    with pytest.raises(ValueError, match=message):
        lr_range_test(*setup(), X, y, **kwargs)


def test_a_loss_not_finite_before_any_update_is_named():
    X, _, y, _ = digits()
    with pytest.raises(ValueError, match=r"not finite at the first step \(start_lr=1e-05\)"):
        lr_range_test(*setup(), X * float("nan"), y)
