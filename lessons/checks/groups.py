"""Checks for notebook 04, parameter groups: build groups, unfreeze a layer, order a GAN round."""

import copy

import torch

from lessons import gan
from lessons.checks import attempt, call, exercise, number, shown, tensor_problem
from lessons.models import SmallCNN

__all__ = [
    "check_cnn_groups",
    "check_unfreeze",
    "check_gan_round",
    "BODY_LR",
    "HEAD_LR",
    "DECAY",
    "check_layernorm_group",
]

BODY_LR, HEAD_LR, DECAY = 1e-3, 1e-2, 0.05


def _names(model):
    return {p: name for name, p in model.named_parameters()}


@exercise("Exercise 1: two learning rates, and no decay on biases")
def check_cnn_groups(make_groups):
    """``make_groups(model)`` -> param groups for ``SmallCNN``: body at BODY_LR, head at HEAD_LR,
    weight decay DECAY on tensors with ``p.dim() >= 2`` and none on biases."""
    model = SmallCNN()
    groups = call(make_groups, model)
    # torch fills what a group leaves out from these defaults, and refuses repeated parameters
    optimizer = attempt(
        "torch.optim.AdamW, given your groups,",
        lambda: torch.optim.AdamW(groups, lr=BODY_LR, weight_decay=DECAY),
    )
    names = _names(model)
    seen = [p for group in optimizer.param_groups for p in group["params"]]
    if foreign := [p for p in seen if p not in names]:
        return f"{len(foreign)} tensor(s) in your groups are not the model's parameters."
    if missing := [names[p] for p in names if p not in set(seen)]:
        return f"these parameters are in no group, so they never train: {', '.join(missing)}."
    for group in optimizer.param_groups:
        for p in group["params"]:
            name = names[p]
            lr = BODY_LR if name.startswith("body.") else HEAD_LR
            decay = DECAY if p.dim() >= 2 else 0.0
            if number(group["lr"]) != lr:
                return f"{name} gets lr {shown(group['lr'])}; it belongs at {lr:g}."
            if number(group["weight_decay"]) != decay:
                return (
                    f"{name} (a {p.dim()}-D tensor) gets weight_decay "
                    f"{shown(group['weight_decay'])}; it should get {decay:g}: decay tensors with "
                    "p.dim() >= 2 only."
                )
    return None


@exercise("Exercise 2: unfreeze the body")
def check_unfreeze(unfreeze):
    """``unfreeze(optimizer, module, lr)`` makes ``module`` train, at ``lr``, from the next step."""
    torch.manual_seed(0)
    model = SmallCNN()
    model.body.requires_grad_(False)
    optimizer = torch.optim.SGD(model.head.parameters(), lr=HEAD_LR)
    call(unfreeze, optimizer, model.body, BODY_LR)
    if len(optimizer.param_groups) != 2:
        return (
            f"the optimizer has {len(optimizer.param_groups)} group(s) after unfreezing; "
            "add the body as one new group with optimizer.add_param_group."
        )
    first, group = optimizer.param_groups
    if not (isinstance(group, dict) and first.keys() <= group.keys()) or not isinstance(
        group["params"], list
    ):
        return (
            "the new group lacks what torch puts in every group (momentum, weight_decay ..., "
            "params as a list): add it with optimizer.add_param_group, which fills these in, "
            "rather than appending a dict to param_groups."
        )
    if {id(p) for p in group["params"]} != {id(p) for p in model.body.parameters()}:
        return "the new group should hold exactly the body's parameters."
    if number(group["lr"]) != BODY_LR:
        return (
            f"the new group's lr is {shown(group['lr'])}; it should be the lr passed in, "
            f"{BODY_LR:g}."
        )
    before = copy.deepcopy(model.body.state_dict())
    x = torch.randn(4, 1, 28, 28)
    attempt("a training step after your unfreeze", _train_step, model, optimizer, x)
    if all(torch.equal(before[k], v) for k, v in model.body.state_dict().items()):
        return (
            "the body did not move on the next step: its parameters still have "
            "requires_grad=False, so they get no gradient. Call module.requires_grad_(True)."
        )
    return None


def _train_step(model, optimizer, x):
    optimizer.zero_grad()
    model(x).square().mean().backward()
    optimizer.step()


def _gan_pair(seed):
    torch.manual_seed(seed)
    G, D = gan.generator(), gan.discriminator()
    # SGD, not Adam: Adam's first step is nearly sign(grad) and could hide a leaked gradient
    opt_g = torch.optim.SGD(G.parameters(), lr=0.05, momentum=0.9)
    opt_d = torch.optim.SGD(D.parameters(), lr=0.05, momentum=0.9)
    return G, D, opt_g, opt_d


def _network_problem(label, yours, like):
    """Why the network ``yours`` can no longer be compared with ``like``, in a sentence, or None."""
    mine, theirs = dict(like.named_parameters()), dict(yours.named_parameters())
    if theirs.keys() != mine.keys():
        return f"{label}'s layers changed: train the network you are given, keep its layers."
    for name, p in mine.items():
        if problem := tensor_problem(f"{label}.{name}", theirs[name], p):
            return problem
    return None


def _same(a, b):
    return all(
        torch.allclose(x, y, atol=1e-6) for x, y in zip(a.parameters(), b.parameters(), strict=True)
    )


@exercise("Exercise 3: one round of GAN training")
def check_gan_round(gan_round):
    """``gan_round(G, D, opt_g, opt_d, real, z)``: a D step on ``real`` and ``G(z)``, then a G step
    on the same ``z``; compared with ``lessons.gan.d_step`` then ``g_step`` over three rounds."""
    mine, yours = _gan_pair(0), _gan_pair(0)
    for round_ in range(1, 4):
        real, z = gan.ring(32, seed=round_), gan.noise(32, seed=100 + round_)
        G, D, opt_g, opt_d = mine
        g_before, d_before = copy.deepcopy(G), copy.deepcopy(D)
        gan.d_step(G, D, opt_d, real, z)
        gan.g_step(G, D, opt_g, z)
        call(gan_round, *yours, real, z)
        your_G, your_D = yours[0], yours[1]
        for label, net, like in (("G", your_G, G), ("D", your_D, D)):
            if problem := _network_problem(label, net, like):
                return problem
        if _same(your_D, d_before):
            return f"D did not move in round {round_}: call opt_d.step() after D's backward."
        if _same(your_G, g_before):
            return f"G did not move in round {round_}: call opt_g.step() after G's backward."
        if not _same(your_D, D):
            return (
                f"D differs from lessons.gan.d_step's result in round {round_}. Step D first, on "
                "real and G(z).detach(), and call opt_d.zero_grad() before D's backward: G's "
                "backward leaves gradients in D's parameters too."
            )
        if not _same(your_G, G):
            return (
                f"G's step differs from the reference in round {round_}: G's gradients were not "
                "only those of G's loss. Detach G(z) in D's loss and call opt_g.zero_grad() "
                "before G's backward."
            )
    return None


@exercise("Exercise 4: which group for a LayerNorm weight?")
def check_layernorm_group(group_of_layernorm_weight):
    """``group_of_layernorm_weight()`` -> "decay" or "no decay"."""
    answer = call(group_of_layernorm_weight)
    if not isinstance(answer, str) or answer.strip().lower() not in {"decay", "no decay"}:
        return f'return "decay" or "no decay"; got {answer!r}.'
    norm = torch.nn.LayerNorm(4)
    if answer.strip().lower() == "decay":
        return (
            f"a LayerNorm weight is a {norm.weight.dim()}-D gain, one number per feature, that "
            "scales the normalised activations; decay pulls it toward 0 and shrinks them all "
            "(the LayerNorm gain above). The usual convention (nanoGPT, BERT) puts it with the "
            "biases for that reason: p.dim() < 2, no decay."
        )
    return None
