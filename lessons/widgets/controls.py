"""Widgets for one argument each: sliders, menus, checkboxes; ``make_controls`` builds them from
a schedule entry's ``Control`` descriptions (``lessons.schedules.catalog``)."""

import math

import ipywidgets as widgets

LOG_STEP = 0.05  # of a decade: 12 % a stop


def log_slider(name, value, low, high):
    """A slider over 10**low ... 10**high, twenty stops a decade (learning rates), through value."""
    slider = widgets.FloatLogSlider(
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=LOG_STEP,
        description=name,
        readout_format=".3g",
        continuous_update=True,
    )
    set_log_value(slider, value, low)
    return slider


def set_log_value(slider, value, low):
    """Set a log slider over [low, ...] to exactly ``value``, which the browser then shows.

    The browser snaps the exponent to min + k·step; the grid is shifted (min moved down by less
    than a step from log10(low)) so that log10(value) is on it, or 0.476 would show as 0.501.
    """
    low = math.log10(low)
    exponent = math.log10(value)
    with slider.hold_trait_notifications():
        slider.min = exponent - math.ceil((exponent - low) / LOG_STEP - 1e-9) * LOG_STEP
        slider.value = value


def float_slider(name, value, low, high, step=0.01):
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=name, readout_format=".3g"
    )


def int_slider(name, value, low, high):
    return widgets.IntSlider(value=value, min=low, max=high, description=name)


def int_range(name, value, low, high):
    return widgets.IntRangeSlider(value=value, min=low, max=high, description=name)


def dropdown(name, value, options):
    return widgets.Dropdown(value=value, options=options, description=name)


def checkbox(name, value):
    return widgets.Checkbox(value=value, description=name, indent=False)


FACTORIES = {
    "log": lambda name, c: log_slider(name, c.default, c.low, c.high),
    "real": lambda name, c: float_slider(name, c.default, c.low, c.high, c.step),
    "integer": lambda name, c: int_slider(name, c.default, c.low, c.high),
    "integer range": lambda name, c: int_range(name, c.default, c.low, c.high),
    "choice": lambda name, c: dropdown(name, c.default, list(c.options)),
    "flag": lambda name, c: checkbox(name, c.default),
}


def make_controls(spec: dict) -> dict:
    """One widget per ``{argument: Control}``."""
    return {name: FACTORIES[control.kind](name, control) for name, control in spec.items()}
