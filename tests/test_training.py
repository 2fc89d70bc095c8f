import pytest
import torch

from lessons.models import mlp
from lessons.training import accuracy, fit


def make_run(seed=0, epochs=3, **kwargs):
    torch.manual_seed(0)
    X = torch.randn(40, 4)
    y = (X[:, 0] > 0).long()
    model = mlp((4, 8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    history = fit(model, optimizer, X, y, epochs, batch_size=16, seed=seed, **kwargs)
    return model, history, X, y


def test_fit_records_every_step_and_learns():
    model, history, X, y = make_run(epochs=20)
    assert len(history["loss"]) == 20 * 3  # 40 examples in batches of 16, 16, 8
    assert history["lr"][0] == [0.5]
    assert history["loss"][-1] < history["loss"][0]
    assert accuracy(model, X, y) > 0.9


def test_fit_repeats_exactly_with_the_same_seed_only():
    _, first, _, _ = make_run(seed=0)
    _, again, _, _ = make_run(seed=0)
    _, other, _, _ = make_run(seed=1)
    assert first["loss"] == again["loss"]
    assert first["loss"] != other["loss"]


def test_scheduler_steps_once_per_epoch_then_on_epoch_runs():
    seen = []
    torch.manual_seed(0)
    model = mlp((4, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    X, y = torch.randn(8, 4), torch.zeros(8, dtype=torch.long)
    history = fit(
        model, optimizer, X, y, 3, 4, scheduler=scheduler,
        on_epoch=lambda epoch, h: seen.append((epoch, optimizer.param_groups[0]["lr"])),
    )  # fmt: skip
    assert [lr for (lr,) in history["lr"]] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert seen == [(0, 0.5), (1, 0.25), (2, 0.125)]


def test_accuracy_counts_the_argmax_hits():
    model = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    assert accuracy(model, X, torch.tensor([0, 1, 1, 1])) == 0.75


@pytest.mark.parametrize(
    ("epochs", "batch_size", "name"), [(-1, 4, "epochs"), (1, 0, "batch_size")]
)
def test_fit_rejects_bad_sizes(epochs, batch_size, name):
    model = mlp((4, 2))
    optimizer = torch.optim.SGD(model.parameters())
    with pytest.raises(ValueError, match=f"Invalid {name}"):
        fit(model, optimizer, torch.zeros(4, 4), torch.zeros(4).long(), epochs, batch_size)
