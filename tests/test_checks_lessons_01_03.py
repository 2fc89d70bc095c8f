"""Each check of notebooks 01-03 accepts the reference answer and explains a typical mistake."""

import importlib.util
from pathlib import Path

import torch
import torch.nn.functional as F

from lessons.checks import algorithms, hyperparameters, loop

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def solutions(name):
    spec = importlib.util.spec_from_file_location(name, SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_correct(result):
    assert result.status == "correct", result


def assert_wrong(result, *words):
    assert result.status == "wrong", result
    for word in words:
        assert word in result.message, result


def test_placeholders_are_not_answered():
    checks = [
        loop.check_logistic_grads,
        loop.check_train,
        loop.check_sgd_step,
        algorithms.check_momentum_update,
        algorithms.check_rmsprop_update,
        algorithms.check_adam_update,
        hyperparameters.check_max_stable_lr,
        hyperparameters.check_range_lrs,
        hyperparameters.check_decoupled_decay,
    ]
    for check in checks:
        assert check(None).status == "not answered"


# 01 the training loop
LOOP = solutions("01_training_loop")


def test_logistic_grads():
    assert_correct(loop.check_logistic_grads(LOOP.logistic_grads))

    def summed(X, y, w, b):
        return tuple(g * len(X) for g in LOOP.logistic_grads(X, y, w, b))

    def no_sigmoid(X, y, w, b):
        error = X @ w + b - y
        return X.T @ error / len(X), error.mean()

    assert_wrong(loop.check_logistic_grads(summed), "grad_w", "divide the sum by N")
    assert_wrong(loop.check_logistic_grads(no_sigmoid), "σ(z)")
    assert_wrong(loop.check_logistic_grads(lambda *a: a[2]), "return a pair")


def test_train():
    assert_correct(loop.check_train(LOOP.train))

    def forgets_zero_grad(model, optimizer, X, y, steps):
        losses = []
        for _ in range(steps):
            loss = F.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    def zero_grad_too_late(model, optimizer, X, y, steps):
        for _ in range(steps):
            F.mse_loss(model(X), y).backward()
            optimizer.zero_grad()
            optimizer.step()

    assert_wrong(loop.check_train(forgets_zero_grad), "zero_grad()", "pile up")
    assert_wrong(loop.check_train(zero_grad_too_late), "never moved")

    def no_losses(*args):
        LOOP.train(*args)

    assert_wrong(loop.check_train(no_losses), "return the list")


def test_sgd_step():
    assert_correct(loop.check_sgd_step(LOOP.sgd_step))

    def uphill(params, lr):
        with torch.no_grad():
            for p in params:
                p += lr * p.grad

    def rebinds(params, lr):
        for p in params:
            p = p - lr * p.grad

    def without_no_grad(params, lr):
        for p in params:
            p -= lr * p.grad

    assert_wrong(loop.check_sgd_step(uphill), "uphill")
    assert_wrong(loop.check_sgd_step(rebinds), "did not change", "in place")
    assert_wrong(loop.check_sgd_step(without_no_grad), "RuntimeError")


# 02 the algorithms
ALGORITHMS = solutions("02_algorithms")


def test_momentum_update():
    assert_correct(algorithms.check_momentum_update(ALGORITHMS.momentum_update))

    def average(param, grad, momentum_buffer, lr, momentum):
        momentum_buffer.mul_(momentum).add_(grad, alpha=1 - momentum)
        param.add_(momentum_buffer, alpha=-lr)

    def rebinds_buffer(param, grad, momentum_buffer, lr, momentum):
        momentum_buffer = momentum * momentum_buffer + grad
        param.add_(momentum_buffer, alpha=-lr)

    assert_wrong(algorithms.check_momentum_update(average), "not an average")
    assert_wrong(algorithms.check_momentum_update(rebinds_buffer), "plain SGD", "in place")


def test_rmsprop_update():
    assert_correct(algorithms.check_rmsprop_update(ALGORITHMS.rmsprop_update))

    def eps_inside(param, grad, square_avg, lr, alpha, eps):
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        param.addcdiv_(grad, (square_avg + eps).sqrt(), value=-lr)

    def stub(*args):
        raise NotImplementedError

    assert_wrong(algorithms.check_rmsprop_update(eps_inside), "outside the square root")
    assert algorithms.check_rmsprop_update(stub).status == "not answered"


def test_adam_update():
    assert_correct(algorithms.check_adam_update(ALGORITHMS.adam_update))

    def no_bias_correction(param, grad, exp_avg, exp_avg_sq, t, lr, betas, eps):
        beta1, beta2 = betas
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        param.sub_(lr * exp_avg / (exp_avg_sq.sqrt() + eps))

    def keras_eps(param, grad, exp_avg, exp_avg_sq, t, lr, betas, eps):
        beta1, beta2 = betas
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step = lr * (1 - beta2**t) ** 0.5 / (1 - beta1**t)
        param.sub_(step * exp_avg / (exp_avg_sq.sqrt() + eps))

    def off_by_one(param, grad, exp_avg, exp_avg_sq, t, lr, betas, eps):
        ALGORITHMS.adam_update(param, grad, exp_avg, exp_avg_sq, t + 1, lr, betas, eps)

    assert_wrong(algorithms.check_adam_update(no_bias_correction), "bias")
    assert_wrong(algorithms.check_adam_update(keras_eps), "Keras")
    assert_wrong(algorithms.check_adam_update(off_by_one), "at step 1")


# 03 the hyperparameters
HYPERPARAMETERS = solutions("03_hyperparameters")


def test_max_stable_lr():
    assert_correct(hyperparameters.check_max_stable_lr(HYPERPARAMETERS.max_stable_lr))
    assert_wrong(hyperparameters.check_max_stable_lr(lambda h: 1 / h), "still converges", "1/h")
    assert_wrong(hyperparameters.check_max_stable_lr(lambda h: 4 / h), "fails to converge")
    assert_wrong(hyperparameters.check_max_stable_lr(lambda h: -1.0), "positive, finite number")


def test_range_lrs():
    assert_correct(hyperparameters.check_range_lrs(HYPERPARAMETERS.range_lrs))

    def linear(start_lr, end_lr, num_steps):
        return torch.linspace(start_lr, end_lr, num_steps).tolist()

    def one_ratio_short(start_lr, end_lr, num_steps):
        gamma = (end_lr / start_lr) ** (1 / num_steps)
        return [start_lr * gamma**t for t in range(num_steps)]

    assert_wrong(hyperparameters.check_range_lrs(linear), "equal amounts")
    assert_wrong(hyperparameters.check_range_lrs(one_ratio_short), "last end_lr")


def test_decoupled_decay():
    assert_correct(hyperparameters.check_decoupled_decay(HYPERPARAMETERS.decoupled_decay))

    def forgets_lr(param, lr, weight_decay):
        param.mul_(1 - weight_decay)

    def rebinds(param, lr, weight_decay):
        param = param * (1 - lr * weight_decay)  # noqa: F841

    assert_wrong(
        hyperparameters.check_decoupled_decay(forgets_lr), "AdamW", "(1 − lr·weight_decay)"
    )
    assert_wrong(hyperparameters.check_decoupled_decay(rebinds), "not shrunk")


# --- the prediction exercises (Exercise 4 of 01, 02 and 03) --------------------------------


def test_forgotten_zero_grad_accepts_the_prediction_and_names_the_zero_grad_answer():
    assert_correct(loop.check_forgotten_zero_grad(solutions("01_training_loop").predict))
    assert_wrong(loop.check_forgotten_zero_grad(lambda: 0.81), "with zero_grad")
    assert_wrong(loop.check_forgotten_zero_grad(lambda: 0.5), "is not it")


def test_momentum_stable_lr_accepts_the_reference_and_rejects_plain_sgds_limit():
    assert_correct(algorithms.check_momentum_stable_lr(solutions("02_algorithms").max_stable_lr))
    result = algorithms.check_momentum_stable_lr(lambda h, momentum: 2 / h)
    assert_wrong(result, "still converges", "momentum raises it")
    assert_wrong(
        algorithms.check_momentum_stable_lr(lambda h, momentum: 4 * (1 + momentum) / h),
        "already diverges",
    )


def test_adam_first_step_accepts_the_reference_and_names_sgds_step():
    assert_correct(
        hyperparameters.check_adam_first_step(solutions("03_hyperparameters").first_step)
    )
    assert_wrong(hyperparameters.check_adam_first_step(lambda grad: 0.01 * grad), "SGD's step")
    assert_wrong(hyperparameters.check_adam_first_step(lambda grad: 0.001), "torch's Adam moves")
