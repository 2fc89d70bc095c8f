"""lessons.transfer: each method trains what it says at the lr it says, gradual unfreezing thaws
on schedule and moves as a late add_param_group would, and beats is a paired t-test."""

import copy

import numpy as np
import pytest
import torch
from scipy import stats

from lessons import transfer
from lessons.models import SmallCNN
from lessons.optim import Adam
from lessons.training import fit


def pretrained_stand_in():
    torch.manual_seed(0)
    return SmallCNN()


def tiny_data(n=20, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=generator), torch.arange(n) % 10


def same_weights(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def lr_of_each(optimizer, model):
    lrs = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    return {name: lrs.get(id(p)) for name, p in model.named_parameters()}


def test_make_optimizer_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method: 'two group'"):
        transfer.make_optimizer("two group", SmallCNN(), 9)


def test_gradual_unfreezing_needs_three_epochs_and_a_refused_call_freezes_nothing():
    model = SmallCNN()
    with pytest.raises(ValueError, match="epochs: 2"):
        transfer.make_optimizer("gradual", model, 2)
    assert all(p.requires_grad for p in model.parameters())


@pytest.mark.parametrize(
    ("method", "body_lr", "head_lr"),
    [
        ("from scratch", transfer.SCRATCH_LR, transfer.SCRATCH_LR),
        ("one high lr", transfer.HEAD_LR, transfer.HEAD_LR),
        ("one low lr", transfer.BODY_LR, transfer.BODY_LR),
        ("two groups", transfer.BODY_LR, transfer.HEAD_LR),
        ("frozen features", None, transfer.HEAD_LR),
        ("gradual", transfer.BODY_LR, transfer.HEAD_LR),
    ],
)
def test_each_method_gives_body_and_head_their_lr(method, body_lr, head_lr):
    model = SmallCNN()
    optimizer, _ = transfer.make_optimizer(method, model, 9)
    for name, lr in lr_of_each(optimizer, model).items():
        assert lr == (head_lr if name.startswith("head.") else body_lr), name
    frozen = method in ("frozen features", "gradual")
    assert all(p.requires_grad != frozen for p in model.body.parameters())
    assert all(p.requires_grad for p in model.head.parameters())


def test_scratch_lr_sets_the_from_scratch_lr_only():
    model = SmallCNN()
    optimizer, _ = transfer.make_optimizer("from scratch", model, 9, scratch_lr=3e-3)
    assert set(lr_of_each(optimizer, model).values()) == {3e-3}
    optimizer, _ = transfer.make_optimizer("one low lr", model, 9, scratch_lr=3e-3)
    assert set(lr_of_each(optimizer, model).values()) == {transfer.BODY_LR}


def test_gradual_unfreezing_thaws_block_3_then_blocks_1_and_2():
    model = transfer.with_new_head(pretrained_stand_in(), seed=0)
    optimizer, thaw = transfer.make_optimizer("gradual", model, 6)
    blocks = {"block 3": model.body[4], "blocks 1-2": model.body[:4]}
    moved = {name: [] for name in blocks}  # per epoch: did the block's weights change?
    before = {name: copy.deepcopy(block.state_dict()) for name, block in blocks.items()}

    def record(epoch, history):
        for name, block in blocks.items():
            after = block.state_dict()
            moved[name].append(not all(torch.equal(before[name][k], after[k]) for k in after))
            before[name] = copy.deepcopy(after)
        thaw(epoch, history)

    fit(model, optimizer, *tiny_data(), epochs=6, batch_size=10, on_epoch=record)
    assert moved == {
        "block 3": [False, False, True, True, True, True],
        "blocks 1-2": [False, False, False, False, True, True],
    }


def test_gradual_unfreezing_moves_as_groups_added_when_they_thaw():
    # The other way to thaw (notebook 04): a block joins the optimizer only when it thaws
    ours = transfer.with_new_head(pretrained_stand_in(), seed=0)
    optimizer, thaw = transfer.make_optimizer("gradual", ours, 6)
    fit(ours, optimizer, *tiny_data(), epochs=6, batch_size=10, on_epoch=thaw)

    theirs = transfer.with_new_head(pretrained_stand_in(), seed=0)
    theirs.body.requires_grad_(False)
    late = Adam(theirs.head.parameters(), lr=transfer.HEAD_LR)
    joins = {1: theirs.body[4], 3: theirs.body[:4]}

    def join(epoch, history):
        if epoch in joins:
            joins[epoch].requires_grad_(True)
            late.add_param_group({"params": joins[epoch].parameters(), "lr": transfer.BODY_LR})

    fit(theirs, late, *tiny_data(), epochs=6, batch_size=10, on_epoch=join)
    assert same_weights(ours, theirs)


def test_with_new_head_keeps_the_body_and_seeds_the_head():
    pretrained = pretrained_stand_in()
    a, b = transfer.with_new_head(pretrained, 1), transfer.with_new_head(pretrained, 1)
    assert same_weights(a, b)
    assert torch.equal(a.body[0][0].weight, pretrained.body[0][0].weight)
    assert not torch.equal(a.head.weight, pretrained.head.weight)
    assert a.body[0][0].weight is not pretrained.body[0][0].weight


def test_run_is_a_seeded_test_accuracy_in_percent():
    X, y = tiny_data(40)
    target = (X[:30], y[:30], X[30:], y[30:])
    args = (pretrained_stand_in(), target, 2, 0, 3, 10)
    first = transfer.run("two groups", *args)
    assert first == transfer.run("two groups", *args)
    assert first in {10.0 * correct for correct in range(11)}  # 10 test images


def test_paired_compares_seed_by_seed():
    results = {("a", 5): np.array([3.0, 2.0, 5.0]), ("b", 5): np.array([1.0, 3.0, 1.0])}
    mean, std, wins = transfer.paired(results, "a", "b", 5)
    assert (mean, wins) == (pytest.approx(5 / 3), 2)
    assert std == pytest.approx(np.std([2.0, -1.0, 4.0], ddof=1))


def test_beats_needs_t_of_4_degrees_not_two_standard_errors():
    d = np.array([-0.2, 0.4, 1.0, 1.6, 2.2])  # mean 1, 2.36 standard errors above zero
    results = {("a", 5): d, ("b", 5): np.zeros(5)}
    assert d.mean() - 2 * d.std(ddof=1) / np.sqrt(5) > 0  # the rule of thumb would say "beats"
    assert not transfer.beats(results, "a", "b", 5)
    results["a", 5] = d + 0.2  # 2.83 standard errors
    assert transfer.beats(results, "a", "b", 5)
    assert not transfer.beats(results, "b", "a", 5)


def test_beats_agrees_with_scipys_one_sided_paired_test():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = rng.normal(1, 1, 5), rng.normal(0, 1, 5)
        results = {("a", 5): a, ("b", 5): b}
        p = stats.ttest_rel(a, b, alternative="greater").pvalue
        assert transfer.beats(results, "a", "b", 5) == (p < 0.025)


@pytest.mark.parametrize("name", ["body_lr", "head_lr"])
def test_a_negative_lr_is_refused_and_freezes_nothing(name):
    model = SmallCNN()
    with pytest.raises(ValueError, match=f"Invalid {name}: -0.1"):
        transfer.make_optimizer("gradual", model, 9, **{name: -0.1})
    assert all(p.requires_grad for p in model.parameters())


def test_body_lr_and_head_lr_set_every_methods_lrs():
    model = SmallCNN()
    optimizer, _ = transfer.make_optimizer("two groups", model, 9, body_lr=0.0, head_lr=0.5)
    for name, lr in lr_of_each(optimizer, model).items():
        assert lr == (0.5 if name.startswith("head.") else 0.0), name


def test_sweep_puts_body_lrs_on_rows_head_lrs_on_columns_seeds_last(monkeypatch):
    def fake_run(method, pretrained, target, k, seed, epochs, batch_size, body_lr, head_lr):
        assert (method, pretrained, target, k, epochs, batch_size) == ("two groups", 1, 2, 5, 7, 9)
        return 100 * seed + 10 * body_lr + head_lr

    monkeypatch.setattr(transfer, "run", fake_run)
    acc = transfer.sweep((1, 2, 3), 1, 2, 5, (0, 4), 7, 9)
    assert acc.shape == (3, 3, 2)
    assert acc[0, 2, 1] == 413 and acc[2, 0, 0] == 31


def test_sweep_runs_what_run_runs():
    X, y = tiny_data(40)
    target = (X[:30], y[:30], X[30:], y[30:])
    pretrained = pretrained_stand_in()
    acc = transfer.sweep((0.0, 0.1), pretrained, target, 2, (1,), 3, 10)
    one = transfer.run("two groups", pretrained, target, 2, 1, 3, 10, body_lr=0.0, head_lr=0.1)
    assert acc[0, 1, 0] == one
