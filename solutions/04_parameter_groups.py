"""Solutions to notebook 04's exercises (for instructors; tests check them against the checks)."""

from lessons.checks.groups import BODY_LR, DECAY, HEAD_LR
from lessons.gan import bce


def make_groups(model):
    """Four groups: (body, head) x (decayed weights, undecayed biases)."""
    groups = []
    for module, lr in ((model.body, BODY_LR), (model.head, HEAD_LR)):
        params = list(module.parameters())
        decay = [p for p in params if p.dim() >= 2]
        no_decay = [p for p in params if p.dim() < 2]
        groups += [
            {"params": decay, "lr": lr, "weight_decay": DECAY},
            {"params": no_decay, "lr": lr, "weight_decay": 0.0},
        ]
    return groups


def unfreeze(optimizer, module, lr):
    module.requires_grad_(True)
    optimizer.add_param_group({"params": module.parameters(), "lr": lr})


def gan_round(G, D, opt_g, opt_d, real, z):
    d_loss = bce(D(real), 1.0) + bce(D(G(z).detach()), 0.0)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = bce(D(G(z)), 1.0)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()


def group_of_layernorm_weight():
    # a 1-D gain per feature, like a bias: decaying it shrinks every normalised activation
    return "no decay"
