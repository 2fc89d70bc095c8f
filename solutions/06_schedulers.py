"""Solutions to notebook 06's exercises (for instructors; tests check them against the checks)."""

from torch.optim import lr_scheduler

from lessons.checks.scheduling import TOTAL, WARMUP


def warmup_lambda(step):
    # (step + 1): the first step already learns, at lr / WARMUP
    return min(1.0, (step + 1) / WARMUP)


def warmup_cosine(optimizer):
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=1e-3, total_iters=WARMUP)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=TOTAL - WARMUP)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[WARMUP])


def resume(optimizer, optimizer_state, scheduler_state):
    optimizer.load_state_dict(optimizer_state)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=50)
    scheduler.load_state_dict(scheduler_state)
    return scheduler


def train(optimizer, scheduler, epochs, batches_per_epoch):
    lrs = []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        scheduler.step()  # once per epoch: StepLR's step_size counts epochs
    return lrs
