"""Checks for notebook 05, transfer learning: a new head, lrs by depth, frozen features."""

import copy

import torch
from torch import nn

from lessons.checks import attempt, call, exercise, number, shown
from lessons.models import SmallCNN

__all__ = [
    "check_new_head",
    "check_layerwise_groups",
    "check_frozen_features",
    "check_frozen_count",
]

# SmallCNN's conv blocks, deepest first, and how many times `factor` divides each one's lr
DEPTHS = {"head.": 0, "body.4.": 1, "body.2.": 2, "body.0.": 3}


def _pretrained_stand_in(seed=0):
    """A SmallCNN with seeded weights: the checks need a body whose values they know."""
    torch.manual_seed(seed)
    return SmallCNN()


def _unchanged(module, saved):
    state = module.state_dict()
    return state.keys() == saved.keys() and all(torch.equal(saved[k], v) for k, v in state.items())


def _one_step(model, optimizer):
    x, y = torch.randn(8, 1, 28, 28), torch.arange(8) % model.head.out_features

    def closure():  # LBFGS needs one; the others call it once
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        return loss

    attempt("a training step with your optimizer", optimizer.step, closure)


@exercise("Exercise 1: a new head on the pretrained body")
def check_new_head(replace_head):
    """``replace_head(model, n_classes)`` -> the model with a fresh ``n_classes``-way head and the
    same pretrained body."""
    model = _pretrained_stand_in()
    body = copy.deepcopy(model.body.state_dict())
    old_head = copy.deepcopy(model.head)
    new = call(replace_head, model, 5)
    if not isinstance(new, SmallCNN):
        return f"return the model (a SmallCNN); your function returned {type(new).__name__}."
    if not _unchanged(new.body, body):
        return (
            "the body's weights are not the pretrained ones any more: a new SmallCNN starts from "
            "random weights. Keep the model you were given and replace only model.head."
        )
    if not isinstance(new.head, nn.Linear) or new.head.in_features != 288:
        return "the head should be one nn.Linear taking the body's 288 features."
    if new.head.out_features != 5:
        return f"the head gives {new.head.out_features} scores; it should give one per class, 5."
    scores = attempt("your model's forward pass", new, torch.zeros(1, 1, 28, 28))
    if new.head is old_head or not isinstance(scores, torch.Tensor) or scores.shape != (1, 5):
        return "the model should end in your new head, giving 5 scores per image."
    return None


@exercise("Exercise 2: learning rates by depth")
def check_layerwise_groups(make_groups):
    """``make_groups(model, head_lr, factor)`` -> param groups: the head at ``head_lr``, each conv
    block ``factor`` times slower than the block above it (block 3: head_lr/factor, ...)."""
    model = _pretrained_stand_in()
    head_lr, factor = 1e-2, 3.0
    groups = call(make_groups, model, head_lr, factor)
    optimizer = attempt(
        "torch.optim.Adam, given your groups,", lambda: torch.optim.Adam(groups, lr=head_lr)
    )
    lrs = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    for name, p in model.named_parameters():
        depth = next(d for prefix, d in DEPTHS.items() if name.startswith(prefix))
        expected = head_lr / factor**depth
        if id(p) not in lrs:
            return f"{name} is in no group, so it never trains."
        lr = number(lrs[id(p)])
        if lr is None or abs(lr - expected) > 1e-12 * expected:
            hint = (
                " The first conv block (body.0) learns general strokes and edges: it should get "
                "the smallest lr, not the largest."
                if name.startswith("body.0.") and lr is not None and lr > expected
                else ""
            )
            return f"{name} gets lr {shown(lrs[id(p)], '.3g')}; it should get {expected:.3g}.{hint}"
    if len(lrs) != len(list(model.parameters())):
        return "your groups hold tensors that are not the model's parameters."
    return None


@exercise("Exercise 3: frozen features")
def check_frozen_features(freeze):
    """``freeze(model, lr)`` -> an optimizer that trains only the head, at ``lr``; the body stops
    computing gradients."""
    model = _pretrained_stand_in()
    body = copy.deepcopy(model.body.state_dict())
    head = copy.deepcopy(model.head.state_dict())
    optimizer = call(freeze, model, 1e-2)
    if not isinstance(optimizer, torch.optim.Optimizer):
        return f"return the optimizer; your function returned {type(optimizer).__name__}."
    if any(p.requires_grad for p in model.body.parameters()):
        return (
            "the body still asks for gradients, so every backward pass computes them for "
            "nothing (and any optimizer that holds them moves them). Call "
            "model.body.requires_grad_(False)."
        )
    if not all(p.requires_grad for p in model.head.parameters()):
        return "the head stopped asking for gradients too: freeze model.body only."
    if any(number(g["lr"]) != 1e-2 for g in optimizer.param_groups):
        return "the head should train at the lr passed in."
    _one_step(model, optimizer)
    if not _unchanged(model.body, body):
        return "the body's weights moved: the features are supposed to stay frozen."
    if _unchanged(model.head, head):
        return "the head did not move after a step: give the optimizer model.head.parameters()."
    return None


@exercise("Exercise 4: predict how many numbers frozen features train")
def check_frozen_count(predict):
    """``predict()`` -> how many scalar parameters of ``SmallCNN()`` train with the body frozen."""
    model = SmallCNN()
    total = sum(p.numel() for p in model.parameters())
    head = sum(p.numel() for p in model.head.parameters())
    count = call(predict)
    if not isinstance(count, int) or isinstance(count, bool):
        return f"predict() should return a whole number; got {count!r}."
    if count == total:
        return f"{total} is every parameter; with the body frozen only the head trains."
    if count == model.head.weight.numel():
        return "that is the head's weight matrix alone; its bias trains too."
    if count != head:
        return (
            f"{count} is not it. The head is nn.Linear({model.head.in_features}, "
            f"{model.head.out_features}): a weight matrix and a bias."
        )
    return None
