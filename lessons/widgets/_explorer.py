"""What every explorer shares: named controls above a picture that is redrawn on every move.

The picture is a PNG in an ``ipywidgets.Image``, so it works in JupyterLab with ipywidgets and
matplotlib alone. A redraw updates the data of the artists that move, then blits: the static part
(axes, ticks, contours) is drawn once per set of axis limits and reused, and only the moving
artists are drawn over it. The image is shown at its own pixel size (100 dpi, as matplotlib's
inline figures), never stretched, so text is crisp.
"""

import base64
import html
import math
import struct
import textwrap
import zlib

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

DPI = 100
# matplotlib renders text glyph by glyph in Python (about 60 us each); unhinted is 40% cheaper
FAST_TEXT = ("text.hinting", "no_hinting")
# backgrounds an explorer keeps, by axis limits: a slider moved back across a tick step finds its
# old one instead of a full draw (ticks and labels glyph by glyph); 1.2 MB each at 640 x 460
BACKGROUNDS = 3


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


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rgba: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an (height, width, 4) array, its rows unfiltered, zlib level 1.

    A plot is long runs of one colour, which deflate finds without PNG's row filters: Pillow's
    adaptive filtering takes twice as long (9 ms for 640 x 460) and gives 60 % more bytes.
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0, then RGB
    rows[:, 1:] = rgba[:, :, :3].reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            png_chunk(b"IHDR", header),
            png_chunk(b"IDAT", zlib.compress(rows, 1)),
            png_chunk(b"IEND", b""),
        ]
    )


def figure(height, rows=1):
    """A figure of ``rows`` axes sharing x, with room for a two-line title above them."""
    fig = Figure(figsize=(6.4, height), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax in axes:
        # every tick label is drawn glyph by glyph on each full draw: a few are enough
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.yaxis.set_major_locator(MaxNLocator(5))
    fig.subplots_adjust(left=0.11, right=0.97, top=1 - 0.62 / height, bottom=0.45 / height)
    return fig, list(axes)


def nice_ceiling(value):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= value.

    Axis limits snapped to this grid change only every few slider stops, so most moves reuse the
    cached background instead of redrawing ticks and labels.
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(
        m * power
        for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
        if m * power >= value * (1 - 1e-12)
    )


def step_ceiling(steps):
    """``steps`` rounded up to a multiple of half its power of ten (137 -> 150, 13 -> 15)."""
    unit = max(10 ** math.floor(math.log10(max(steps, 1))) / 2, 1)
    return math.ceil(steps / unit) * unit


def show(value):
    """A value as a title shows it: floats to 3 significant digits."""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(show, value)) + "]"
    return repr(value)


def set_title(ax, name, args):
    """``Name(a=1, b=0.1)`` above ``ax``, wrapped; ``args`` is a sequence of (name, value) pairs."""
    text = f"{name}({', '.join(f'{k}={show(v)}' for k, v in args)})"
    # a fixed y: placing the title automatically measures every tick label on each full draw
    ax.set_title(textwrap.fill(text, 95), fontsize=8, y=1.01)


class Explorer(widgets.VBox):
    """Controls, a message line and the plot; ``draw(values)`` is the subclass's one job.

    ``draw`` receives ``{name: widget.value}``, updates the artists listed by ``moving()`` and may
    raise ``ValueError``: the message then appears in place of a traceback, the last good picture
    stays, and the next valid move clears it.
    """

    def __init__(self, sliders: dict, figure: Figure, lines: dict):
        self.sliders = sliders
        self.figure = figure
        self.lines = lines
        self.message = widgets.HTML()
        width, height = figure.canvas.get_width_height()
        # one image pixel per screen pixel: a stretched PNG is blurred; a narrow output shrinks it
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{width}px", max_width="100%", height="auto")
        )
        self._backgrounds = {}  # axis limits -> the static picture, least recently used first
        controls = widgets.GridBox(
            list(sliders.values()),
            layout=widgets.Layout(grid_template_columns="repeat(2, 1fr)"),
        )
        for control in sliders.values():
            control.style.description_width = "initial"
            control.observe(self.refresh, names="value")
        super().__init__([controls, self.message, self.image])
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and the picture as it is now for viewers without widgets (GitHub)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    def values(self) -> dict:
        return {name: control.value for name, control in self.sliders.items()}

    def redraws(self, line: str, control: str, value) -> bool:
        """Move ``control`` to ``value``: did the plotted data of ``line`` change?

        A notebook's self-check: ipywidgets only logs a callback that fails, so look at the picture.
        """
        before = self.lines[line].get_xydata().copy()
        self.sliders[control].value = value
        return not np.array_equal(self.lines[line].get_xydata(), before)

    def draw(self, values: dict) -> None:
        raise NotImplementedError

    def moving(self) -> list:
        """What a move can change: drawn on every redraw, left out of the cached background."""
        return [*self.lines.values(), *(ax.title for ax in self.figure.axes)]

    def refresh(self, change=None) -> None:
        try:
            self.draw(self.values())
        except ValueError as error:
            self.message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'
            return
        self.message.value = ""
        self.image.value = self.render()

    def invalidate(self) -> None:
        """Call when static content changes without the axis limits changing."""
        self._backgrounds.clear()

    def render(self) -> bytes:
        # one setting, set and put back: rc_context would copy and restore all of rcParams
        key, value = FAST_TEXT
        before, matplotlib.rcParams[key] = matplotlib.rcParams[key], value
        try:
            return self._render()
        finally:
            matplotlib.rcParams[key] = before

    def _render(self) -> bytes:
        canvas = self.figure.canvas
        moving = self.moving()
        for artist in moving:
            artist.set_animated(True)
        key = tuple(tuple(ax.viewLim.bounds) for ax in self.figure.axes)
        background = self._backgrounds.pop(key, None)
        if background is None:
            canvas.draw()  # animated artists are skipped: this is the background
            background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(background)
        self._backgrounds[key] = background
        if len(self._backgrounds) > BACKGROUNDS:
            del self._backgrounds[next(iter(self._backgrounds))]
        for artist in moving:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return png(np.asarray(canvas.buffer_rgba()))
