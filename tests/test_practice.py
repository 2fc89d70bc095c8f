"""lessons.practice: the from-scratch clips equal torch's, the accumulation loop equals the
large-batch loop, the AMP loop skips overflowing steps, warmup and sharpness do what they say."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import practice
from lessons.data import digits
from lessons.models import mlp
from lessons.training import fit

X, _, y, _ = digits()


def model_with_grads(seed, scale=1.0, dtype=torch.float64):
    torch.manual_seed(seed)
    model = mlp((64, 16, 10)).to(dtype)
    (scale * F.cross_entropy(model(X[:100].to(dtype)), y[:100])).backward()
    return model


def grads(model):
    return [p.grad.clone() for p in model.parameters()]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    scale=st.floats(1e-3, 1e3),
    max_norm=st.floats(1e-3, 1e3),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_clip_grad_norm_equals_torch(seed, scale, max_norm, dtype):
    ours, theirs = model_with_grads(seed, scale, dtype), model_with_grads(seed, scale, dtype)
    norm = practice.clip_grad_norm(ours.parameters(), max_norm)
    assert torch.equal(norm, torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm))
    assert all(map(torch.equal, grads(ours), grads(theirs)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), clip_value=st.floats(1e-5, 1.0))
def test_clip_grad_value_equals_torch(seed, clip_value):
    ours, theirs = model_with_grads(seed), model_with_grads(seed)
    practice.clip_grad_value(ours.parameters(), clip_value)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), clip_value)
    assert all(map(torch.equal, grads(ours), grads(theirs)))


def test_clip_grad_norm_without_gradients_returns_zero_as_torch():
    model = mlp((64, 16, 10))
    assert torch.equal(practice.clip_grad_norm(model.parameters(), 1.0), torch.tensor(0.0))
    assert torch.equal(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0), torch.tensor(0.0))


@pytest.mark.parametrize("bad", [0, -1, 2.0])
def test_train_refuses_a_bad_k_before_touching_the_model(bad):
    model = model_with_grads(0, dtype=torch.float32)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=f"Invalid k: {bad}"):
        practice.train(model, optimizer, X, y, practice.batches(len(X), 64, 1), k=bad)
    assert all(map(torch.equal, model.parameters(), before))


def test_sharpness_refuses_no_iterations():
    with pytest.raises(ValueError, match="Invalid iters: 0"):
        practice.sharpness(mlp((64, 16, 10)), X, y, iters=0)


def test_clips_accept_one_tensor_and_skip_missing_grads():
    model = model_with_grads(0)
    model[0].weight.grad = None
    practice.clip_grad_norm(model[2].weight, 1e-3)
    assert model[2].weight.grad.norm() <= 1e-3
    practice.clip_grad_value(model.parameters(), 1e-4)
    assert model[0].weight.grad is None


@pytest.mark.parametrize(
    "clip, argument",
    [(practice.clip_grad_norm, "max_norm"), (practice.clip_grad_value, "clip_value")],
)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan])
def test_a_bad_clip_threshold_is_refused_and_changes_nothing(clip, argument, bad):
    model = model_with_grads(0)
    before = grads(model)
    with pytest.raises(ValueError, match=f"Invalid {argument}: {bad}"):
        clip(model.parameters(), bad)
    assert all(map(torch.equal, grads(model), before))


def test_batches_cut_as_fit_does_and_train_with_k_1_is_fit():
    torch.manual_seed(3)
    model = mlp((64, 32, 10))
    history = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), X, y, 2, 100, seed=5)
    torch.manual_seed(3)
    twin = mlp((64, 32, 10))
    order = practice.batches(len(X), 100, 2, seed=5)
    ours = practice.train(twin, torch.optim.SGD(twin.parameters(), lr=0.1), X, y, order)
    assert ours["loss"] == history["loss"]
    assert all(map(torch.equal, model.parameters(), twin.parameters()))


def run(k, scale_loss=True, lr=0.1, batch_size=200, max_norm=None):
    torch.manual_seed(0)
    model = mlp((64, 32, 10)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    order = practice.batches(len(X), batch_size, 2)
    history = practice.train(
        model, optimizer, X.double(), y, order, k=k, scale_loss=scale_loss, max_norm=max_norm
    )
    return torch.cat([p.detach().flatten() for p in model.parameters()]), history


@pytest.mark.parametrize("k", [3, 7])
def test_accumulation_equals_the_large_batch_even_with_unequal_micro_batches(k):
    # 1,348 = 6 x 200 + 148: chunk(k) gives micro-batches of different sizes
    large, large_history = run(1)
    accumulated, history = run(k)
    assert torch.allclose(large, accumulated, rtol=0, atol=1e-12)
    assert history["loss"] == pytest.approx(large_history["loss"], rel=1e-12)


def test_the_unscaled_loss_is_sgd_at_k_times_the_lr():
    unscaled, _ = run(4, scale_loss=False)
    assert torch.allclose(unscaled, run(1, lr=0.4)[0], rtol=0, atol=1e-12)
    assert not torch.allclose(unscaled, run(4)[0], atol=1e-3)


def test_train_clips_the_accumulated_gradient_and_reports_it_unclipped():
    _, free = run(4)
    clipped, history = run(4, max_norm=0.05)
    assert history["grad_norm"][0] == pytest.approx(free["grad_norm"][0], rel=1e-12)
    assert max(history["grad_norm"]) > 0.05
    assert not torch.allclose(clipped, run(4)[0], atol=1e-6)


def test_train_steps_the_scheduler_once_per_optimizer_step():
    torch.manual_seed(0)
    model = mlp((64, 32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = practice.linear_warmup(optimizer, 10)
    practice.train(
        model, optimizer, X, y, practice.batches(len(X), 256, 1), k=4, scheduler=scheduler
    )
    assert scheduler.last_epoch == 6


def test_linear_warmup_rises_to_the_lr_and_holds():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    scheduler = practice.linear_warmup(optimizer, 4)
    lrs = []
    for _ in range(6):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs == pytest.approx([0.125, 0.25, 0.375, 0.5, 0.5, 0.5])


@pytest.mark.parametrize("bad", [0, -2, 2.5])
def test_linear_warmup_refuses_bad_steps(bad):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    with pytest.raises(ValueError, match=f"Invalid warmup_steps: {bad}"):
        practice.linear_warmup(optimizer, bad)
    assert "initial_lr" not in optimizer.param_groups[0]


def test_warmup_run_takes_the_steps_asked_for():
    _, history = practice.warmup_run(torch.optim.SGD, 0.1, X, y, warmup_steps=5, steps=7)
    assert len(history["loss"]) == 7


def amp_steps(steps):
    torch.manual_seed(0)
    model = mlp((64, 32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**24)
    order = practice.batches(len(X), 64, 1)[:steps]
    return model, practice.amp_train(model, optimizer, X, y, order, scaler)


def test_amp_train_skips_overflowing_steps_and_halves_the_scale():
    model, history = amp_steps(8)
    assert history["skipped"][:4] == [True] * 4 and not all(history["skipped"])
    for t in range(7):  # a skip halves the scale; a finite step (of fewer than 2000) keeps it
        halved = history["scale"][t + 1] == history["scale"][t] / 2
        kept = history["scale"][t + 1] == history["scale"][t]
        assert halved if history["skipped"][t] else kept
    skipped_only, _ = amp_steps(4)
    torch.manual_seed(0)
    untouched = mlp((64, 32, 10))
    assert all(map(torch.equal, skipped_only.parameters(), untouched.parameters()))
    assert not all(map(torch.equal, model.parameters(), untouched.parameters()))


def test_sharpness_is_the_top_eigenvalue_of_a_known_hessian():
    # softmax regression on two points: compare with the Hessian computed in full
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    Xs, ys = torch.randn(5, 3), torch.tensor([0, 1, 0, 1, 1])
    params = list(model.parameters())

    def loss_of(flat):
        w, b = flat[:6].reshape(2, 3), flat[6:]
        return F.cross_entropy(Xs @ w.T + b, ys)

    flat = torch.cat([p.detach().flatten() for p in params])
    top = torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss_of, flat)).max().item()
    assert practice.sharpness(model, Xs, ys, iters=100) == pytest.approx(top, rel=1e-4)
