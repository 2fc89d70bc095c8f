"""Each exercise check of notebooks 04, 06 and 07 accepts the reference solution and rejects a
typical mistake with a message that names it."""

import importlib.util
import math
from pathlib import Path

import pytest
from torch.optim import lr_scheduler

from lessons.checks import groups, keras_side, scheduling
from lessons.gan import bce

SOLUTIONS = Path(__file__).parents[1] / "solutions"


def solution(name):
    """``solutions/`` is not a package (its file names start with digits): load a file by path."""
    spec = importlib.util.spec_from_file_location(name, SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nb04 = solution("04_parameter_groups")
nb06 = solution("06_schedulers")
nb07 = solution("07_pytorch_and_keras")


def assert_wrong(result, *phrases):
    assert result.status == "wrong", result
    for phrase in phrases:
        assert phrase in result.message, result.message


# --- 04 parameter groups -------------------------------------------------------------------


def test_cnn_groups_accepts_the_solution():
    assert groups.check_cnn_groups(nb04.make_groups)


def test_cnn_groups_rejects_decaying_biases():
    def one_decay(model):
        return [
            {"params": model.body.parameters(), "lr": 1e-3, "weight_decay": 0.05},
            {"params": model.head.parameters(), "lr": 1e-2, "weight_decay": 0.05},
        ]

    assert_wrong(groups.check_cnn_groups(one_decay), "bias", "p.dim() >= 2")


def test_cnn_groups_rejects_a_missing_head():
    assert_wrong(
        groups.check_cnn_groups(lambda model: [{"params": model.body.parameters()}]),
        "in no group",
        "head.weight",
    )


def test_cnn_groups_rejects_a_parameter_in_two_groups():
    def twice(model):
        return [{"params": model.parameters()}, {"params": model.head.parameters()}]

    assert_wrong(groups.check_cnn_groups(twice), "AdamW, given your groups", "more than one")


def test_unfreeze_accepts_the_solution():
    assert groups.check_unfreeze(nb04.unfreeze)


def test_unfreeze_rejects_a_group_still_frozen():
    def still_frozen(optimizer, module, lr):
        optimizer.add_param_group({"params": module.parameters(), "lr": lr})

    assert_wrong(groups.check_unfreeze(still_frozen), "requires_grad")


def test_unfreeze_rejects_the_wrong_lr():
    def default_lr(optimizer, module, lr):
        module.requires_grad_(True)
        optimizer.add_param_group({"params": module.parameters()})

    assert_wrong(groups.check_unfreeze(default_lr), "lr is 0.01")


def test_gan_round_accepts_the_solution():
    assert groups.check_gan_round(nb04.gan_round)


def _round_without(detach=True, zero_g=True, zero_d=True):
    def gan_round(G, D, opt_g, opt_d, real, z):
        fake = G(z)
        d_loss = bce(D(real), 1.0) + bce(D(fake.detach() if detach else fake), 0.0)
        if zero_d:
            opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(D(G(z)), 1.0)
        if zero_g:
            opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

    return gan_round


def test_gan_round_rejects_d_loss_leaking_into_g():
    assert_wrong(
        groups.check_gan_round(_round_without(detach=False, zero_g=False)), "G's step", "round 1"
    )


def test_gan_round_rejects_g_grads_left_in_d():
    assert_wrong(groups.check_gan_round(_round_without(zero_d=False)), "D differs", "round 2")


def test_gan_round_rejects_g_before_d():
    def g_first(G, D, opt_g, opt_d, real, z):
        opt_g.zero_grad()
        bce(D(G(z)), 1.0).backward()
        opt_g.step()
        opt_d.zero_grad()
        (bce(D(real), 1.0) + bce(D(G(z).detach()), 0.0)).backward()
        opt_d.step()

    assert_wrong(groups.check_gan_round(g_first), "Step D first")


# --- 06 schedulers ----------------------------------------------------------------------------


def test_warmup_lambda_accepts_the_solution():
    assert scheduling.check_warmup_lambda(nb06.warmup_lambda)


def test_warmup_lambda_rejects_a_wasted_first_step():
    assert_wrong(scheduling.check_warmup_lambda(lambda t: min(1.0, t / 10)), "lr 0", "(step + 1)")


def test_warmup_cosine_accepts_the_solution():
    assert scheduling.check_warmup_cosine(nb06.warmup_cosine)


def test_warmup_cosine_rejects_t_max_counted_from_zero():
    def too_long(optimizer):
        warmup = lr_scheduler.LinearLR(optimizer, start_factor=1e-3, total_iters=10)
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
        return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[10])

    assert_wrong(scheduling.check_warmup_cosine(too_long), "T_max = 90")


def test_warmup_cosine_rejects_a_short_warmup():
    def short(optimizer):
        warmup = lr_scheduler.LinearLR(optimizer, start_factor=1e-3, total_iters=5)
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=90)
        return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[10])

    assert_wrong(scheduling.check_warmup_cosine(short), "warmup differs", "total_iters=10")


def test_resume_accepts_the_solution():
    assert scheduling.check_resume(nb06.resume)


def test_resume_rejects_last_epoch():
    def with_last_epoch(optimizer, optimizer_state, scheduler_state):
        optimizer.load_state_dict(optimizer_state)
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=50, last_epoch=20)

    assert_wrong(scheduling.check_resume(with_last_epoch), "one step ahead", "load_state_dict")


def test_resume_rejects_a_forgotten_optimizer_state():
    def scheduler_only(optimizer, optimizer_state, scheduler_state):
        scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=50)
        scheduler.load_state_dict(scheduler_state)
        return scheduler

    assert_wrong(scheduling.check_resume(scheduler_only), "Load both")


# --- 07 PyTorch next to Keras ---------------------------------------------------------------


def test_piecewise_accepts_the_solution():
    assert keras_side.check_piecewise(nb07.piecewise)


def test_piecewise_rejects_exclusive_boundaries():
    def multistep(optimizer):
        return lr_scheduler.MultiStepLR(optimizer, milestones=[30, 60], gamma=0.1)

    assert_wrong(keras_side.check_piecewise(multistep), "step 30", "inclusive")


def test_piecewise_reports_a_crash_and_a_non_scheduler():
    assert_wrong(keras_side.check_piecewise(lambda optimizer: None), "AttributeError")


def test_cosine_decay_accepts_the_solution():
    assert keras_side.check_cosine_decay(nb07.cosine_decay)


def test_cosine_decay_rejects_alpha_as_eta_min():
    def absolute(optimizer):
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=0.2)

    assert_wrong(keras_side.check_cosine_decay(absolute), "fraction", "0.01")


def test_cosine_decay_rejects_a_cosine_that_rises_again():
    def periodic(optimizer):
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=0.01)

    assert_wrong(keras_side.check_cosine_decay(periodic), "step 101", "holds")


def test_adam_eps_accepts_the_solution():
    assert keras_side.check_adam_eps(nb07.torch_eps)


def test_adam_eps_rejects_the_same_eps():
    assert_wrong(keras_side.check_adam_eps(lambda eps, beta_2, step: eps), "not Keras's epsilon")


def test_adam_eps_rejects_the_inverted_factor():
    def inverted(eps, beta_2, step):
        return eps * math.sqrt(1 - beta_2**step)

    assert_wrong(keras_side.check_adam_eps(inverted), "step=1", "eps =")


@pytest.mark.parametrize(
    "check",
    [
        groups.check_cnn_groups,
        groups.check_unfreeze,
        groups.check_gan_round,
        scheduling.check_warmup_lambda,
        scheduling.check_warmup_cosine,
        scheduling.check_resume,
        keras_side.check_piecewise,
        keras_side.check_cosine_decay,
        keras_side.check_adam_eps,
    ],
)
def test_open_exercises_are_not_answered(check):
    def stub(*args):
        raise NotImplementedError

    assert check(None).status == "not answered"
    assert check(stub).status == "not answered"


# --- the prediction exercises (Exercise 4 of 04, 06 and 07) --------------------------------


def test_layernorm_group_accepts_no_decay_and_explains_decay():
    assert groups.check_layernorm_group(nb04.group_of_layernorm_weight)
    assert_wrong(groups.check_layernorm_group(lambda: "decay"), "1-D gain", "no decay")
    assert_wrong(groups.check_layernorm_group(lambda: "head"), 'return "decay" or "no decay"')


def test_epoch_stepping_accepts_the_fix_and_names_per_batch_stepping():
    assert scheduling.check_epoch_stepping(nb06.train)

    def per_batch(optimizer, scheduler, epochs, batches_per_epoch):
        lrs = []
        for _ in range(epochs * batches_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        return lrs

    assert_wrong(scheduling.check_epoch_stepping(per_batch), "after two batches")


def test_plateau_epochs_accepts_the_reference_and_explains_when_keras_reduces():
    assert keras_side.check_plateau_epochs(nb07.reduced_epochs)
    # the epochs without a new best, one too early: the reduced lr shows from the next epoch
    assert_wrong(
        keras_side.check_plateau_epochs(lambda: [4, 7, 8]),
        "at epochs [5, 8, 9], not [4, 7, 8]",
        "without a new best loss are [4, 7, 8, 11]",
        "next epoch",
    )
    assert_wrong(keras_side.check_plateau_epochs(lambda: [5, 8]), "at epochs [5, 8, 9]")
    assert_wrong(keras_side.check_plateau_epochs(lambda: 5), "list of epoch numbers")


def test_plateau_epochs_with_patience_two_is_the_notebooks_reduction_at_epoch_9():
    assert keras_side.check_plateau_epochs(lambda: [9], patience=2)
    assert keras_side.check_plateau_epochs(lambda: [], patience=3)
