"""lessons.widgets: every control of every explorer moves the picture, and the picture is right.

Callbacks run at once when a test sets ``control.value``; ipywidgets only logs their exceptions
outside IPython, so every test asserts on what was drawn.
"""

import html

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from ipywidgets import Checkbox, Dropdown, FloatLogSlider, IntRangeSlider, SelectMultiple  # noqa: E402

from lessons import optim, schedules  # noqa: E402
from lessons.surfaces import SURFACES, run_trajectory  # noqa: E402
from lessons.widgets import (  # noqa: E402
    compare_schedules,
    group_explorer,
    schedule_explorer,
    trajectory_explorer,
)
from lessons.widgets.compare import GROUPED, MATCHED  # noqa: E402
from lessons.widgets.references import keras  # noqa: E402
from lessons.widgets.schedule import CONTROLS, KERAS, curve_args, shown_steps  # noqa: E402
from lessons.widgets.trajectory import RACERS, hyperparameters  # noqa: E402

# controls that act only in another state: the state that makes them act
ACTIVATE = {
    ("CyclicLR", "gamma"): {"mode": "exp_range"},
    ("CosineDecay", "warmup_target"): {"warmup_steps": 20},
    # torch's LinearLR reaches eta_min as end_factor = eta_min / base_lr <= 1
    ("WarmupStableDecay", "eta_min"): {"base_lr": 0.1},
}


def moved(control, fractions=(0.37, 0.63)):
    """A valid value other than the current one, a third (or two) of the way across the range."""
    if isinstance(control, Checkbox):
        return not control.value
    if isinstance(control, Dropdown):
        values = (
            [v for _, v in control.options]
            if control.options and isinstance(control.options[0], tuple)
            else list(control.options)
        )
        return values[(values.index(control.value) + 1) % len(values)]
    if isinstance(control, SelectMultiple):
        return (*control.value, next(v for v in control.options if v not in control.value))
    if isinstance(control, IntRangeSlider):
        low, high = control.value
        shift = 10 if high + 10 <= control.max else -10
        return (low + shift, high + shift)
    low, high = control.min, control.max
    for fraction in fractions:
        value = low + (high - low) * fraction
        value = control.base**value if isinstance(control, FloatLogSlider) else value
        value = type(control.value)(round(value) if isinstance(control.value, int) else value)
        if value != control.value:
            return value
    raise AssertionError(f"no other value for {control.description}")


def snapshot(explorer):
    """Each line's points; a hidden line has none."""
    return {
        k: np.array(line.get_xydata()) if line.get_visible() else np.empty((0, 2))
        for k, line in explorer.lines.items()
    }


def move_all(explorer):
    """Move each control in turn (alternating a third and two thirds, so that neighbours such as
    start_factor and end_factor differ); yield after each move with the picture before it."""
    for index, (key, control) in enumerate(explorer.sliders.items()):
        for other, value in ACTIVATE.get((getattr(explorer, "name", None), key), {}).items():
            explorer.sliders[other].value = value
        before, image = snapshot(explorer), bytes(explorer.image.value)
        control.value = moved(control, (0.37, 0.63)[:: 1 - 2 * (index % 2)])
        assert explorer.message.value == "", (key, explorer.message.value)
        assert changed(before, snapshot(explorer)), key
        assert bytes(explorer.image.value) != image, key
        yield key


def changed(before, after):
    return any(
        before[k].shape != after[k].shape or not np.array_equal(before[k], after[k], equal_nan=True)
        for k in before
    )


def check_schedule(explorer):
    """The line is the curve function; the markers (torch or Keras) sit on it."""
    name, values = explorer.name, explorer.values()
    args = curve_args(name, values)
    steps = np.arange(shown_steps(name, values) + 1)
    curve = schedules.CURVES[name]
    taken = {k: v for k, v in args.items() if k in curve.__code__.co_varnames}
    x, y = explorer.lines["lr"].get_data()
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_array_equal(y, curve(steps, **taken))
    rtol = 1e-5 if name in KERAS else 1e-9  # Keras computes in float32
    for key in ("lr", "momentum") if "momentum" in explorer.lines else ("lr",):
        marks, reference = explorer.lines[f"{key} reference"].get_data()
        assert len(marks) >= 10
        line = explorer.lines[key].get_ydata()
        np.testing.assert_allclose(reference, line[marks], rtol=rtol, atol=1e-12)


@pytest.fixture(scope="module", autouse=True)
def keras_once():
    keras()  # several seconds, once for the module


@pytest.mark.parametrize("name", list(CONTROLS))
def test_every_control_of_every_schedule_explorer(name):
    explorer = schedule_explorer(name)
    assert explorer.message.value == ""
    check_schedule(explorer)
    assert explorer.figure.axes[0].get_title().startswith(name + "(")
    for _ in move_all(explorer):
        check_schedule(explorer)


def test_schedule_names_cover_torch_and_keras():
    assert set(CONTROLS) == set(schedules.CURVES)
    for name in KERAS:
        assert hasattr(keras().optimizers.schedules, name)
    with pytest.raises(ValueError, match="Unknown schedule 'Nope'"):
        schedule_explorer("Nope")


def test_torch_markers_are_torch_one_cycle():
    """Independently of the explorer's own plumbing: step torch's OneCycleLR by hand."""
    explorer = schedule_explorer("OneCycleLR")
    explorer.sliders["three_phase"].value = True
    explorer.sliders["max_lr"].value = 0.5
    values = explorer.values()
    param = torch.zeros(1, requires_grad=True)
    sgd = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        sgd, **{k: v for k, v in values.items()}, cycle_momentum=True
    )
    lrs, momenta = [], []
    for _ in range(values["total_steps"]):
        lrs.append(scheduler.get_last_lr()[0])
        momenta.append(sgd.param_groups[0]["momentum"])
        sgd.step()
        scheduler.step()
    marks, lr = explorer.lines["lr reference"].get_data()
    np.testing.assert_array_equal(lr, np.array(lrs)[marks])
    marks, momentum = explorer.lines["momentum reference"].get_data()
    np.testing.assert_array_equal(momentum, np.array(momenta)[marks])


def test_keras_markers_are_keras_cosine_decay():
    explorer = schedule_explorer("CosineDecay")
    explorer.sliders["warmup_steps"].value = 30
    args = curve_args("CosineDecay", explorer.values())
    schedule = keras().optimizers.schedules.CosineDecay(**args)
    marks, lr = explorer.lines["lr reference"].get_data()
    np.testing.assert_array_equal(lr, [float(schedule(int(t))) for t in marks])


def test_lambda_choices_reach_torch():
    explorer = schedule_explorer("LambdaLR")
    for formula in CONTROLS["LambdaLR"]["lr_lambda"][2]:
        explorer.sliders["lr_lambda"].value = formula[1]
        assert explorer.message.value == ""
        check_schedule(explorer)
    assert "sqrt" not in explorer.figure.axes[0].get_title()
    assert "max(0, 1 - epoch / 20)" in explorer.figure.axes[0].get_title()


@pytest.mark.parametrize(
    "name, setup, control, bad, words",
    [
        ("PiecewiseConstantDecay", {}, "boundaries", (80, 80), "boundaries must be strictly"),
        ("LinearLR", {}, "start_factor", 0.0, "start_factor must be in (0, 1]"),
        # the warmup would end at step 0.1 * 10 - 1 = 0, where it starts
        ("OneCycleLR", {"total_steps": 10}, "pct_start", 0.1, "pct_start must be such that"),
        ("WarmupStableDecay", {"base_lr": 0.01}, "eta_min", 0.1, "eta_min (0.1) above base_lr"),
    ],
)
def test_invalid_arguments_show_a_message_then_clear(name, setup, control, bad, words):
    explorer = schedule_explorer(name)
    for key, value in setup.items():
        explorer.sliders[key].value = value
    before, image = snapshot(explorer), bytes(explorer.image.value)
    good = explorer.sliders[control].value
    explorer.sliders[control].value = bad
    assert words in html.unescape(explorer.message.value)
    assert "Traceback" not in explorer.message.value
    assert bytes(explorer.image.value) == image  # the last good picture stays
    explorer.sliders[control].value = good
    assert explorer.message.value == ""
    np.testing.assert_array_equal(snapshot(explorer)["lr"], before["lr"])
    check_schedule(explorer)


def test_compare_schedules_match_ends_and_move():
    explorer = compare_schedules(names=list(MATCHED))
    for _ in move_all(explorer):
        hi, lo, n = (explorer.values()[k] for k in ("max_lr", "min_lr", "total_steps"))
        for name, line in explorer.lines.items():
            x, y = line.get_data()
            np.testing.assert_array_equal(x, np.arange(n + 1))
            np.testing.assert_array_equal(y, schedules.CURVES[name](x, **MATCHED[name](hi, lo, n)))
            assert y.max() == pytest.approx(hi, rel=2e-3), name  # OneCycleLR peaks between steps
            assert y[-1] == pytest.approx(lo, rel=1e-6), name
    explorer.sliders["min_lr"].value = 0.9
    assert "min_lr must be <= max_lr" in html.unescape(explorer.message.value)
    explorer.sliders["min_lr"].value = 1e-4
    assert explorer.message.value == ""


@pytest.mark.parametrize("name", GROUPED)
def test_group_explorer_draws_both_groups_as_torch_does(name):
    explorer = group_explorer(name)
    for _ in move_all(explorer):
        values = explorer.values()
        args = curve_args(name, {k: v for k, v in values.items() if not k.endswith("_lr")})
        lines = [explorer.lines[g].get_ydata() for g in ("backbone", "head")]
        for group, line in zip(("backbone", "head"), lines, strict=True):
            x = explorer.lines[group].get_xdata()
            curve = schedules.CURVES[name](x, base_lr=values[f"{group}_lr"], **args)
            np.testing.assert_array_equal(line, curve)
            marks, reference = explorer.lines[f"{group} reference"].get_data()
            np.testing.assert_allclose(reference, line[marks], rtol=1e-9, atol=1e-15)
    with pytest.raises(ValueError, match="for groups"):
        group_explorer("OneCycleLR")


def test_group_markers_are_a_two_group_torch_optimizer():
    explorer = group_explorer("StepLR", backbone_lr=1e-3, head_lr=1e-2)
    values = explorer.values()
    params = [torch.zeros(1, requires_grad=True) for _ in range(2)]
    sgd = torch.optim.SGD(
        [{"params": [params[0]], "lr": 1e-3}, {"params": [params[1]], "lr": 1e-2}]
    )
    scheduler = torch.optim.lr_scheduler.StepLR(sgd, values["step_size"], values["gamma"])
    lrs = []
    for _ in range(values["steps"] + 1):
        lrs.append(scheduler.get_last_lr())
        sgd.step()
        scheduler.step()
    for group, column in zip(("backbone", "head"), np.array(lrs).T, strict=True):
        marks, reference = explorer.lines[f"{group} reference"].get_data()
        np.testing.assert_array_equal(reference, column[marks])


def check_trajectory(explorer):
    values = explorer.values()
    for label in values["optimizers"]:
        hyper = hyperparameters(label, values)
        path = run_trajectory(RACERS[label].cls, values["surface"], steps=values["steps"], **hyper)
        np.testing.assert_array_equal(explorer.lines[label].get_xydata(), path)
        loss = SURFACES[values["surface"]](torch.from_numpy(path[-1])).item()
        assert explorer.losses[label].get_text() == f"{label:<9}{loss:.3g}"
    for label in set(RACERS) - set(values["optimizers"]):
        assert not explorer.lines[label].get_visible()


def test_trajectory_explorer_every_control():
    explorer = trajectory_explorer(optimizers=("SGD", "momentum", "Nesterov", "RMSprop", "Adam"))
    check_trajectory(explorer)
    for _ in move_all(explorer):
        check_trajectory(explorer)


def test_trajectory_moves_with_lr_and_uses_lessons_optim():
    explorer = trajectory_explorer("quadratic", optimizers=list(RACERS), steps=30)
    assert RACERS["Adam"].cls is optim.Adam and RACERS["SGD"].cls is optim.SGD
    check_trajectory(explorer)
    before = snapshot(explorer)
    explorer.sliders["lr"].value = 0.02
    after = snapshot(explorer)
    for label in RACERS:
        assert not np.array_equal(before[label], after[label]), label
    check_trajectory(explorer)


def test_trajectory_surface_brings_its_lr_and_nesterov_needs_momentum():
    explorer = trajectory_explorer("quadratic")
    explorer.sliders["surface"].value = "rosenbrock"
    assert explorer.sliders["lr"].value == SURFACES["rosenbrock"].lr
    check_trajectory(explorer)
    explorer.sliders["momentum"].value = 0.0
    assert "Nesterov momentum requires a momentum" in explorer.message.value
    explorer.sliders["momentum"].value = 0.5
    assert explorer.message.value == ""
    check_trajectory(explorer)
    with pytest.raises(ValueError, match="Unknown optimizers"):
        trajectory_explorer(optimizers=("SGD", "LBFGS"))


def test_explorers_display_as_widgets():
    explorer = compare_schedules()
    assert explorer.image in explorer.children and explorer.message in explorer.children
    assert explorer.image.format == "png" and bytes(explorer.image.value).startswith(b"\x89PNG")
    assert explorer._repr_mimebundle_() is not None or hasattr(explorer, "_ipython_display_")
