"""lessons.widgets: every control of every explorer moves the picture, and the picture is right.

Callbacks run at once when a test sets ``control.value``; ipywidgets only logs their exceptions
outside IPython, so every test asserts on what was drawn.
"""

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from ipywidgets import Checkbox, Dropdown, FloatLogSlider, IntRangeSlider, SelectMultiple  # noqa: E402
from PIL import Image  # noqa: E402

from lessons import optim, schedules  # noqa: E402
from lessons.keras_backend import keras  # noqa: E402
from lessons.schedules import SCHEDULES  # noqa: E402
from lessons.surfaces import SURFACES, run_trajectory  # noqa: E402
from lessons.widgets import (  # noqa: E402
    compare_schedules,
    group_explorer,
    phase_explorer,
    schedule_explorer,
    trajectory_explorer,
)
from lessons.widgets.compare import MATCHED  # noqa: E402
from lessons.widgets.groups import GROUPED  # noqa: E402
from lessons.widgets.trajectory import DIVERGED, RACERS, TUNED, hyperparameters  # noqa: E402

KERAS = [name for name, entry in SCHEDULES.items() if entry.library == "keras"]

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
    args = SCHEDULES[name].arguments(values)
    steps = np.arange(SCHEDULES[name].length(values) + 1)
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


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_control_of_every_schedule_explorer(name):
    explorer = schedule_explorer(name)
    assert explorer.message.value == ""
    check_schedule(explorer)
    assert explorer.figure.axes[0].get_title().startswith(name + "(")
    for _ in move_all(explorer):
        check_schedule(explorer)


def test_schedule_names_cover_torch_and_keras():
    assert set(SCHEDULES) == set(schedules.CURVES)
    # every lr curve the package exports has an entry, so an explorer
    helpers = ("join", "warm_restart_cycle", "cyclic_momentum", "one_cycle_momentum")
    lr_curves = {getattr(schedules, n) for n in schedules.__all__ if n.islower()} - {
        getattr(schedules, n) for n in helpers
    }
    assert len(lr_curves) == 21
    assert lr_curves - {e.curve for e in SCHEDULES.values()} == set()
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
    args = SCHEDULES["CosineDecay"].arguments(explorer.values())
    schedule = keras().optimizers.schedules.CosineDecay(**args)
    marks, lr = explorer.lines["lr reference"].get_data()
    np.testing.assert_array_equal(lr, [float(schedule(int(t))) for t in marks])


def test_lambda_choices_reach_torch():
    explorer = schedule_explorer("LambdaLR")
    for formula in SCHEDULES["LambdaLR"].controls["lr_lambda"].options:
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
            np.testing.assert_array_equal(
                y, schedules.CURVES[name](x, **SCHEDULES[name].matched(hi, lo, n))
            )
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
        group_lrs = ("backbone_lr", "head_lr")
        args = SCHEDULES[name].arguments({k: v for k, v in values.items() if k not in group_lrs})
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
    """Each selected racer's line is run_trajectory's path (up to where it stops being finite),
    its legend row its final loss; the axes are the surface's, whatever the paths do."""
    values = explorer.values()
    surface = SURFACES[values["surface"]]
    for label in values["optimizers"]:
        hyper = hyperparameters(label, values)
        run = {k: values[k] for k in ("steps", "noise", "seed")}
        path = run_trajectory(RACERS[label].cls, values["surface"], **run, **hyper)
        loss = surface(torch.from_numpy(path[-1])).item()
        drawn = explorer.lines[label].get_xydata()
        # a path drawn up to where it stops being finite
        assert (
            np.isfinite(drawn).all() and np.isfinite(path[len(drawn) :]).all(axis=1)[:1].sum() == 0
        )
        np.testing.assert_array_equal(drawn, path[: len(drawn)])
        if np.isfinite(loss) and loss <= DIVERGED:
            np.testing.assert_array_equal(drawn, path)
            assert explorer.losses[label].get_text() == f"{loss:.3g}"
        else:
            assert explorer.losses[label].get_text() == "diverged"
        assert explorer.losses[label].get_visible() and explorer.names[label].get_visible()
    for label in set(RACERS) - set(values["optimizers"]):
        assert not explorer.lines[label].get_visible()
        assert not explorer.losses[label].get_visible()
    assert explorer.ax.get_xlim() == surface.xlim and explorer.ax.get_ylim() == surface.ylim


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


@pytest.mark.parametrize("make", [compare_schedules, trajectory_explorer])
def test_explorers_display_as_widgets_at_their_pixel_size(make):
    explorer = make()
    assert explorer.image in explorer.children and explorer.message in explorer.children
    assert explorer.image.format == "png" and bytes(explorer.image.value).startswith(b"\x89PNG")
    assert explorer._repr_mimebundle_() is not None or hasattr(explorer, "_ipython_display_")
    image = Image.open(io.BytesIO(bytes(explorer.image.value)))
    assert image.size == explorer.figure.canvas.get_width_height()
    assert explorer.image.layout.width == f"{image.width}px"  # never stretched: crisp
    pixels = np.asarray(explorer.figure.canvas.buffer_rgba())[:, :, :3]
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")), pixels)


@pytest.mark.parametrize("lr", [0.476, 0.0123, 1e-4, 1.0])
def test_trajectory_lr_is_shown_and_run_exactly(lr):
    """The browser snaps a log slider's exponent to min + k·step: the caller's lr must be a stop."""
    explorer = trajectory_explorer("quadratic", optimizers=("SGD",), lr=lr, steps=30)
    slider = explorer.sliders["lr"]
    assert slider.value == lr and slider.readout_format == ".3g"
    stops = (np.log10(lr) - slider.min) / slider.step
    assert abs(stops - round(stops)) < 1e-9 and slider.min <= -4 < slider.min + slider.step
    np.testing.assert_array_equal(
        explorer.lines["SGD"].get_xydata(),
        run_trajectory(optim.SGD, "quadratic", steps=30, lr=lr),
    )
    assert "lr=" + f"{lr:.3g}" + "," in explorer.ax.get_title()
    explorer.sliders["surface"].value = "saddle"  # brings its own lr, on a stop too
    stops = (np.log10(SURFACES["saddle"].lr) - slider.min) / slider.step
    assert slider.value == SURFACES["saddle"].lr and abs(stops - round(stops)) < 1e-9
    check_trajectory(explorer)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_default_races_are_finite(surface):
    explorer = trajectory_explorer(surface, optimizers=list(RACERS))
    for steps in (100, 500):
        explorer.sliders["steps"].value = steps
        check_trajectory(explorer)
        texts = [explorer.losses[label].get_text() for label in RACERS]
        assert all(np.isfinite(float(text)) for text in texts), texts


@pytest.mark.parametrize("surface, lr", [("beale", 0.05), ("rosenbrock", 0.01), ("quadratic", 1.0)])
def test_a_diverged_race_says_so(surface, lr):
    explorer = trajectory_explorer(surface)
    image = bytes(explorer.image.value)
    explorer.sliders["lr"].value = lr
    assert bytes(explorer.image.value) != image  # drawn, though paths reach inf and nan
    check_trajectory(explorer)
    assert explorer.losses["SGD"].get_text() == "diverged"
    assert not any("nan" in text.get_text() for text in explorer.losses.values())


def test_trajectory_shows_only_the_sliders_its_racers_read():
    explorer = trajectory_explorer("quadratic", optimizers=("SGD",), lr=0.476, steps=30)
    hidden = {name for name, s in explorer.sliders.items() if s.layout.display == "none"}
    assert hidden == set(TUNED)
    assert explorer.ax.get_title() == "quadratic(lr=0.476, steps=30)"
    image = bytes(explorer.image.value)
    explorer.sliders["beta1"].value = 0.5  # hidden: changes nothing, not even the title
    assert bytes(explorer.image.value) == image
    explorer.sliders["optimizers"].value = ("SGD", "Adam")
    hidden = {name for name, s in explorer.sliders.items() if s.layout.display == "none"}
    assert hidden == {"momentum"}
    assert "beta1=0.5, beta2=0.999" in explorer.ax.get_title()
    assert "momentum" not in explorer.ax.get_title()
    check_trajectory(explorer)
    explorer.sliders["optimizers"].value = ("Nesterov",)
    hidden = {name for name, s in explorer.sliders.items() if s.layout.display == "none"}
    assert hidden == {"beta1", "beta2"} and "momentum=0.9" in explorer.ax.get_title()
    check_trajectory(explorer)


def test_self_checks_notebooks_use_can_fail():
    explorer = schedule_explorer("OneCycleLR")
    assert explorer.matches_reference("lr") and explorer.matches_reference("momentum")
    marks, reference = explorer.lines["lr reference"].get_data()
    explorer.lines["lr reference"].set_data(marks, np.asarray(reference) * 1.001)
    assert not explorer.matches_reference("lr")
    assert explorer.redraws("lr", "pct_start", 0.5)
    assert explorer.matches_reference("lr")  # the redraw put torch's markers back
    assert not explorer.redraws("lr", "pct_start", 0.5)  # the same value again: nothing moves
    assert not explorer.redraws("momentum", "max_lr", 0.05)  # the momentum does not read max_lr


@pytest.mark.parametrize("name", ["StepLR", "OneCycleLR", "trajectory", "phase"])
def test_the_title_and_labels_are_text_over_the_picture_and_drawn_into_the_still(name):
    """Live, the top axes' title is an HTML caption laid over the strip above the axes, and the
    labels (trajectory's final losses, phase's error-panel title) are HTML laid over the picture;
    viewers without widgets (GitHub) get the picture with them drawn in."""
    if name == "trajectory":
        explorer = trajectory_explorer("quadratic", optimizers=("SGD", "Adam"), steps=30)
        explorer.sliders["lr"].value = 0.2
    elif name == "phase":  # the left panel's title, part of a cached scene
        explorer = phase_explorer(kappa=30.0)
    else:
        explorer = schedule_explorer(name)
    title = explorer.figure.axes[0].get_title()
    assert f">{html.escape(title)}</div>" in explorer.caption.value
    assert explorer.children.index(explorer.caption) == explorer.children.index(explorer.image) - 1
    labels = [text for text in explorer.labels() if text.get_visible()]
    assert len(labels) == {"trajectory": 2, "phase": 1}.get(name, 0)
    for text in labels:
        color = matplotlib.colors.to_hex(text.get_color())
        assert f'color:{color}">{html.escape(text.get_text())}</div>' in explorer.caption.value
    drawn_title = explorer.figure.axes[0].title
    drawn_title.set_visible(True)
    explorer.figure.canvas.draw()  # places the title where the still draws it
    boxes = [drawn_title.get_window_extent()]
    drawn_title.set_visible(False)
    explorer.invalidate()
    explorer.render()  # the live picture on the canvas again
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    still = base64.b64decode(bundle["image/png"])  # a notebook stores images as base64 text
    still = np.asarray(Image.open(io.BytesIO(still)))
    live = np.asarray(Image.open(io.BytesIO(explorer.image.value)))
    assert still.shape == live.shape
    changed = np.argwhere((live != still).any(axis=-1))
    # the still differs from the live picture inside the title's box and the labels' boxes (each
    # drawn into it), and nowhere else
    boxes += [text.get_window_extent() for text in labels]
    height = live.shape[0]

    def inside(box):
        rows, columns = changed[:, 0], changed[:, 1]
        return (
            (columns >= box.x0 - 1)
            & (columns <= box.x1 + 1)
            & (rows >= height - box.y1 - 1)
            & (rows <= height - box.y0 + 1)
        )

    for box in boxes:
        assert inside(box).any()  # the title, then each label, is drawn into the still
    assert np.logical_or.reduce([inside(box) for box in boxes]).all()  # and nothing else
    pixels = np.asarray(explorer.figure.canvas.buffer_rgba())[:, :, :3]
    np.testing.assert_array_equal(live[:, :, :3], pixels)  # the canvas is the live picture again


def test_a_failing_reference_shows_a_message_and_the_next_valid_move_recovers():
    """torch's ConstantLR divides by factor at total_iters: factor = 0 fails in torch's code."""
    explorer = schedule_explorer("ConstantLR")
    image = bytes(explorer.image.value)
    explorer.sliders["factor"].value = 0.0
    assert "ZeroDivisionError" in html.unescape(explorer.message.value)
    assert bytes(explorer.image.value) == image  # the last good picture stays
    explorer.sliders["total_iters"].value = 80  # still factor 0: a message, no exception
    assert "ZeroDivisionError" in html.unescape(explorer.message.value)
    explorer.sliders["factor"].value = 0.5
    assert explorer.message.value == ""
    assert bytes(explorer.image.value) != image
    check_schedule(explorer)
    assert explorer.matches_reference()


def test_a_slider_that_does_nothing_is_hidden_until_it_matters():
    explorer = schedule_explorer("CyclicLR")
    gamma = explorer.sliders["gamma"]
    assert explorer.sliders["mode"].value == "triangular" and gamma.layout.display == "none"
    assert "gamma" not in explorer.figure.axes[0].get_title()
    image = bytes(explorer.image.value)
    gamma.value = 0.95  # ignored in triangular mode: nothing changes, not even the title
    assert bytes(explorer.image.value) == image
    explorer.sliders["mode"].value = "exp_range"
    assert gamma.layout.display is None and "gamma=0.95" in explorer.figure.axes[0].get_title()
    check_schedule(explorer)
    cosine = schedule_explorer("CosineDecay")
    assert cosine.sliders["warmup_target"].layout.display == "none"  # warmup_steps = 0
    cosine.sliders["warmup_steps"].value = 20
    assert cosine.sliders["warmup_target"].layout.display is None


@pytest.mark.parametrize(
    "make, control, values",
    [
        (group_explorer, "head_lr", [0.0112, 0.0126, 0.0112, 0.01, 0.0112]),  # 10**-2: a decade
        (lambda: schedule_explorer("StepLR"), "base_lr", [0.5, 0.112, 0.562, 0.1, 0.5]),
        (phase_explorer, "steps", [200, 150, 200, 150]),
    ],
)
def test_a_move_back_draws_the_picture_a_fresh_explorer_draws(make, control, values):
    """Backgrounds are kept by axis limits, so a move back reuses one instead of drawing it: the
    picture must be the one drawn from scratch, and a run of moves (a drag) ends on the last."""
    explorer, fresh = make(), make()
    full_draws = []
    explorer.figure.canvas.draw = lambda draw=explorer.figure.canvas.draw: full_draws.append(draw())
    limits = {tuple(tuple(ax.viewLim.bounds) for ax in explorer.figure.axes)}
    for value in values:
        explorer.sliders[control].value = value
        limits.add(tuple(tuple(ax.viewLim.bounds) for ax in explorer.figure.axes))
        fresh.sliders[control].value = value
        fresh.invalidate()
        fresh.refresh()
        assert bytes(explorer.image.value) == bytes(fresh.image.value), value
    assert len(limits) == 2  # the moves went to other axis limits and back, several times
    assert len(full_draws) == 1  # the first background was kept, then reused
