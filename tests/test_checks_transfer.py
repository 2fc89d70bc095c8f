"""Each exercise check of notebook 05 accepts the reference solution, says "not answered yet" to
the handed-out placeholder, and rejects a typical mistake with a message that names it."""

import importlib.util
from pathlib import Path

import pytest
import torch

from lessons.checks import transfer
from lessons.models import SmallCNN

SOLUTION = Path(__file__).parents[1] / "solutions" / "05_transfer_learning.py"
spec = importlib.util.spec_from_file_location("nb05", SOLUTION)
nb05 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nb05)


def assert_wrong(result, *phrases):
    assert result.status == "wrong", result
    for phrase in phrases:
        assert phrase in result.message, result.message


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (transfer.check_new_head, nb05.replace_head),
        (transfer.check_layerwise_groups, nb05.make_groups),
        (transfer.check_frozen_features, nb05.freeze),
    ],
)
def test_checks_accept_the_solution_and_wait_for_a_placeholder(check, answer):
    assert check(answer).status == "correct"
    assert check(None).status == "not answered"
    assert check(...).status == "not answered"


def test_new_head_rejects_a_fresh_network():
    assert_wrong(transfer.check_new_head(lambda model, n: SmallCNN(n)), "pretrained ones")


def test_new_head_rejects_the_wrong_number_of_classes():
    assert_wrong(transfer.check_new_head(lambda m, n: nb05.replace_head(m, 10)), "should give")


def test_layerwise_groups_rejects_the_reversed_order():
    def reversed_depths(model, head_lr, factor):
        blocks = [model.head, model.body[0], model.body[2], model.body[4]]
        return [{"params": b.parameters(), "lr": head_lr / factor**d} for d, b in enumerate(blocks)]

    assert_wrong(transfer.check_layerwise_groups(reversed_depths), "body.0.0.weight", "smallest")


def test_layerwise_groups_rejects_a_forgotten_block():
    def no_first_block(model, head_lr, factor):
        return nb05.make_groups(model, head_lr, factor)[:-1]

    assert_wrong(transfer.check_layerwise_groups(no_first_block), "body.0.0.weight", "no group")


def test_frozen_features_rejects_a_body_that_still_wants_gradients():
    def head_only(model, lr):
        return torch.optim.Adam(model.head.parameters(), lr=lr)

    assert_wrong(transfer.check_frozen_features(head_only), "requires_grad_(False)")


def test_frozen_features_rejects_an_optimizer_without_the_head():
    def nothing_trains(model, lr):
        model.body.requires_grad_(False)
        return torch.optim.Adam(model.body.parameters(), lr=lr)

    assert_wrong(transfer.check_frozen_features(nothing_trains), "did not move")


def test_frozen_features_rejects_a_frozen_head():
    def all_frozen(model, lr):
        model.requires_grad_(False)
        return torch.optim.Adam(model.head.parameters(), lr=lr)

    assert_wrong(transfer.check_frozen_features(all_frozen), "freeze model.body only")


def test_frozen_count_accepts_the_head_and_rejects_every_parameter():
    assert transfer.check_frozen_count(nb05.predict)
    total = sum(p.numel() for p in SmallCNN().parameters())
    assert_wrong(transfer.check_frozen_count(lambda: total), "every parameter")
    assert_wrong(transfer.check_frozen_count(lambda: 2880), "its bias trains too")
