"""What every explorer shares: named controls above a picture that is redrawn on every move.

The picture is a PNG in an ``ipywidgets.Image``, so it works in JupyterLab with ipywidgets and
matplotlib alone. A redraw updates the data of the artists that move, then blits: the static part
(axes, ticks, contours) is drawn once per set of axis limits and reused, and only the moving
artists are drawn over it. What only some moves change (``phase_explorer``'s diagram, redrawn
when κ moves) is a scene: drawn over the background once per key and kept with it. The first
axes' title is an HTML caption laid over the strip above the axes, and the texts an explorer names
as labels (a legend's numbers) are HTML laid over the picture too: both are drawn into the picture
only for the still a notebook keeps for viewers without widgets. The image is shown at its own pixel
size (100 dpi, as matplotlib's inline figures), never stretched, so text is crisp.
"""

import base64
import html

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from .png import png

# matplotlib renders text glyph by glyph in Python (about 60 us each); unhinted is 40% cheaper
FAST_TEXT = ("text.hinting", "no_hinting")
# the title, as text laid over the strip the figure keeps for it: centred over the axes, at its
# size (8 points at 100 dpi), its bottom just above the axes
CAPTION = (
    '<div style="position:relative;z-index:1;width:{width:.0f}px;height:{height:.0f}px;'
    "display:flex;align-items:flex-end;justify-content:center;text-align:center;"
    "white-space:pre-line;font:11px/1.25 'DejaVu Sans',sans-serif;color:#000\">"
    '<div style="padding-bottom:{gap:.0f}px">{text}</div>{labels}</div>'
)
# a label: text laid over the picture at its anchor, aligned there as matplotlib aligns it
LABEL = (
    '<div class="stepwise-label" style="position:absolute;left:{x:.1f}px;top:{y:.1f}px;'
    "transform:translate({dx},{dy});"
    "white-space:pre;font:{size:.1f}px/1.17 'DejaVu Sans',sans-serif;color:{color}\">{text}</div>"
)
SHIFT_X = {"left": "0", "center": "-50%", "right": "-100%"}
# a label's line box (1.17 em of DejaVu Sans) against matplotlib's anchor: for "top", the box
# starts 0.1 em above it; for "baseline", it ends 0.31 em below (Chromium against the still,
# within half a pixel)
SHIFT_Y = {
    "top": "-0.1em",
    "center": "-50%",
    "center_baseline": "-50%",
    "baseline": "calc(0.31em - 100%)",
    "bottom": "-100%",
}
# backgrounds an explorer keeps, by axis limits (and scene): a slider moved back across a tick
# step finds its old one instead of a full draw (ticks and labels glyph by glyph); 1.2 MB each
BACKGROUNDS = 4


class Explorer(widgets.VBox):
    """Controls, a message line and the plot; ``draw(values)`` is the subclass's one job.

    ``draw`` receives ``{name: widget.value}`` and updates the artists listed by ``moving()``. If
    it fails (a ``ValueError`` naming a bad argument, or any error of the code it calls, such as
    torch's reference dividing by zero), the message appears in place of a traceback, the last
    good picture stays, and the next valid move redraws everything and clears it.
    """

    def __init__(self, sliders: dict, figure: Figure, lines: dict):
        self.sliders = sliders
        self.figure = figure
        self.lines = lines
        self.message = widgets.HTML()
        self.caption = widgets.HTML()
        # the first axes' title is text over the picture, not drawn into it: matplotlib shapes
        # a title and draws it glyph by glyph on every move
        box = figure.axes[0].get_position()
        self.strip = figure.bbox.height * (1 - box.y1)  # the pixels above the axes
        self.caption.layout.margin = f"0 0 -{self.strip:.0f}px 0"  # laid over the picture
        self.caption_html = CAPTION.format(
            width=(box.x0 + box.x1) * figure.bbox.width,  # centred over the axes
            height=self.strip,
            gap=0.01 * box.height * figure.bbox.height,  # the title's y = 1.01
            text="{title}",  # at each move
            labels="{labels}",
        )
        figure.axes[0].title.set_visible(False)
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
        super().__init__([controls, self.message, self.caption, self.image])
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and the picture as it is now for viewers without widgets (GitHub)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.still()).decode("ascii")
        return bundle

    def still(self) -> bytes:
        """The picture for viewers without widgets, its title and labels drawn in."""
        title = self.figure.axes[0].title
        title.set_visible(True)
        self.invalidate()  # a title kept in a cached scene is drawn again
        try:
            return self.render(still=True)
        finally:
            title.set_visible(False)
            self.invalidate()
            self.render()  # the canvas as the live picture shows it again

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

    def labels(self) -> list:
        """Texts a move changes that a live picture shows as HTML laid over it, as it shows the
        title (matplotlib draws text glyph by glyph, a few hundred microseconds a number); the
        still has them drawn in. They need not be listed in ``moving()``: a render animates them
        and leaves them out of the live picture."""
        return []

    def labels_html(self) -> str:
        """The labels as HTML, each at its anchor over the picture (CSS counts from the top)."""
        height, pixels_a_point = self.figure.bbox.height, self.figure.dpi / 72
        parts = []
        for text in self.labels():
            if text.get_visible() and text.get_text():
                x, y = text.get_transform().transform(text.get_position())
                style = dict(
                    x=x,
                    y=height - y,
                    dx=SHIFT_X[text.get_horizontalalignment()],
                    dy=SHIFT_Y[text.get_verticalalignment()],
                    size=text.get_fontsize() * pixels_a_point,
                    color=to_hex(text.get_color()),
                )
                parts.append(LABEL.format(text=html.escape(text.get_text()), **style))
        return "".join(parts)

    def scene(self) -> tuple:
        """What only some moves change: (a key that says what it shows, its artists). It is drawn
        over the background once per key and kept with it, not drawn again on every move."""
        return None, []

    def refresh(self, change=None) -> None:
        try:
            self.draw(self.values())
        except Exception as error:  # noqa: BLE001 - a slider shows any failure; none escapes
            text = (
                str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
            )
            self.message.value = f'<span style="color:#b00020">{html.escape(text)}</span>'
            return
        self.message.value = ""
        self.image.value = self.render()
        self.caption.value = self.caption_html.format(
            title=html.escape(self.figure.axes[0].get_title()), labels=self.labels_html()
        )

    def invalidate(self) -> None:
        """Call when static content changes without the axis limits changing."""
        self._backgrounds.clear()

    def render(self, still=False) -> bytes:
        """The picture: live, without the labels; ``still``, with them drawn in."""
        # one setting, set and put back: rc_context would copy and restore all of rcParams
        key, value = FAST_TEXT
        before, matplotlib.rcParams[key] = matplotlib.rcParams[key], value
        try:
            return self._render(still)
        finally:
            matplotlib.rcParams[key] = before

    def _render(self, still) -> bytes:
        canvas = self.figure.canvas
        labels, (scene_key, scene) = self.labels(), self.scene()
        moving = [artist for artist in self.moving() if artist not in labels]
        for artist in (*scene, *moving, *labels):
            artist.set_animated(True)
        limits = tuple(tuple(ax.viewLim.bounds) for ax in self.figure.axes)

        def static():
            canvas.draw()  # animated artists are skipped: this is the background
            return canvas.copy_from_bbox(self.figure.bbox)

        def with_scene():
            canvas.restore_region(self._background(limits, static))
            self._draw(scene)
            return canvas.copy_from_bbox(self.figure.bbox)

        if scene:
            canvas.restore_region(self._background((limits, scene_key), with_scene))
        else:
            canvas.restore_region(self._background(limits, static))
        self._draw([*moving, *labels] if still else moving)
        return png(np.asarray(canvas.buffer_rgba()))

    def _background(self, key, make):
        """The cached picture for ``key``, made if missing; the least recently used goes."""
        background = self._backgrounds.pop(key, None)
        if background is None:
            background = make()
        self._backgrounds[key] = background
        if len(self._backgrounds) > BACKGROUNDS:
            del self._backgrounds[next(iter(self._backgrounds))]
        return background

    def _draw(self, artists) -> None:
        for artist in artists:
            if artist.get_visible():
                self.figure.draw_artist(artist)
