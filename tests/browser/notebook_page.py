"""A notebook open in JupyterLab in Chromium: run it, read its outputs, move its sliders."""

import json
import re
import time
from functools import partial
from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
OUTPUT = ".jp-OutputArea-output"
LABEL_CLASS = "stepwise-label"  # a text lessons.widgets lays over its picture
# A widget shown without the lab extension prints its repr: "VBox(children=(FloatSlider(...".
WIDGET_AS_TEXT = re.compile(r"^\s*(\w+\(children=|\w*(Slider|Dropdown|Checkbox|Image|Output)\()")
# IPython's tracebacks end with "NameError: ..."; a warning line starts with its file path instead.
ERROR_LINE = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)


def copy_without_widget_state(source: Path, destination: Path, patch=None):
    """Write `source` to `destination` with no outputs and no saved widget state.

    Stale outputs would hide what this run shows, and saved widget views render without a kernel.
    `patch(cell_source) -> cell_source` edits code cells (to break a callback on purpose).
    """
    notebook = json.loads(source.read_text())
    notebook["metadata"].pop("widgets", None)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            if patch is not None:
                cell["source"] = patch("".join(cell["source"]))
    destination.write_text(json.dumps(notebook))


def saved_widget_view_count(source: Path):
    """How many widget views the committed notebook displayed when it was last run."""
    notebook = json.loads(source.read_text())
    return sum(
        WIDGET_MIME in output.get("data", {})
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
    )


def wait_for(condition, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class NotebookPage:
    def __init__(self, page, server, path: str):
        self.page = page
        self.server = server
        self.path = path

    def kernel_state(self):
        """From /api/sessions: the toolbar says "idle" before a kernel exists."""
        for session in self.server.api("sessions"):
            if session["path"] == self.path and session.get("kernel"):
                return session["kernel"]["execution_state"]
        return None

    def session_id(self):
        return next((s["id"] for s in self.server.api("sessions") if s["path"] == self.path), None)

    def open(self, timeout=60):
        url = f"{self.server.url}/lab/tree/{self.path}?reset&token={self.server.token}"
        self.page.goto(url, timeout=timeout * 1000)
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
        wait_for(lambda: self.kernel_state() == "idle", timeout, "the kernel to start")
        # Hide the file browser: the screenshots are of the notebook.
        if self.page.locator("#jp-left-stack").is_visible():
            self.page.keyboard.press("Control+b")

    def prompts(self):
        return self.page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()

    def run_all(self, timeout):
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.wait_until_settled(timeout, "Run All to finish")

    def wait_until_settled(self, timeout, what):
        """Kernel idle and no cell queued ("[*]"), twice in a row half a second apart."""

        def settled():
            return self.kernel_state() == "idle" and not any("*" in p for p in self.prompts())

        wait_for(lambda: settled() and (time.sleep(0.5) or settled()), timeout, what)

    def problems_after_run(self):
        """Cells that did not run, error outputs, and widgets rendered as text instead of views."""
        problems = [
            f"code cell {index} did not run (prompt {prompt.strip()!r})"
            for index, prompt in enumerate(self.prompts())
            if not re.search(r"\d", prompt)
        ]
        stderr = self.page.locator(f'{OUTPUT}[data-mime-type="application/vnd.jupyter.stderr"]')
        problems += [f"error output:\n{text}" for text in stderr.all_inner_texts()
                     if ERROR_LINE.search(text)]  # fmt: skip
        plain = self.page.locator(f'{OUTPUT}[data-mime-type="text/plain"]')
        problems += [f"widget shown as text: {text[:80]!r}" for text in plain.all_inner_texts()
                     if WIDGET_AS_TEXT.search(text)]  # fmt: skip
        outputs = self.page.locator(OUTPUT).all_inner_texts()
        problems += [f"widget failed to render: {text[:80]!r}" for text in outputs
                     if "Error displaying widget" in text]  # fmt: skip
        return problems

    def widget_view_count(self):
        """Widget views displayed by cells, not counting widgets nested in other widgets."""
        return self.page.locator(f"{OUTPUT} > .jupyter-widgets").evaluate_all(
            "views => views.filter(v => !v.parentElement.closest('.jupyter-widgets')).length"
        )

    def explorer_cells(self):
        """Code cells whose outputs hold at least one slider handle (noUiSlider in ipywidgets 8)."""
        return self.page.locator(".jp-CodeCell").filter(has=self.page.locator(".noUi-handle"))

    def scroll_to_top(self):
        self.page.locator(".jp-Notebook .jp-Cell").first.evaluate("cell => cell.scrollIntoView()")


class Explorer:
    """One cell's sliders and the plot images its outputs show."""

    def __init__(self, notebook: NotebookPage, cell, name):
        self.notebook = notebook
        self.cell = cell
        self.name = name
        # an explorer hides the sliders its current choices do not read
        self.handles = cell.locator(".noUi-handle:visible")
        self.images_changed = False  # by any move: the picture itself, not only its labels

    def screenshot(self, path):
        """The explorer's first widget view, the viewport grown so that none of it is cut off."""
        view = self.cell.locator(f"{OUTPUT} > .jupyter-widgets").first
        page = self.notebook.page
        viewport = page.viewport_size
        height = view.bounding_box()["height"]
        page.set_viewport_size({**viewport, "height": max(viewport["height"], int(height) + 200)})
        try:
            view.screenshot(path=path)
        finally:
            page.set_viewport_size(viewport)

    def plot_sources(self):
        """What the plot shows: each image's source, and the labels laid over it as text (a
        legend's final losses), not the title, which names the sliders' values."""
        sources = self.cell.locator(f"{OUTPUT} img").evaluate_all("imgs => imgs.map(i => i.src)")
        labels = self.cell.locator(f"{OUTPUT} .{LABEL_CLASS}")
        return sources, labels.evaluate_all("divs => divs.map(d => d.textContent)")

    def plot_changed(self, before):
        sources, labels = self.plot_sources()
        return bool(sources) and (sources, labels) != before

    def handle_value(self, handle):
        # aria-valuenow is rounded to one decimal; aria-valuetext carries the full value.
        return handle.get_attribute("aria-valuetext")

    @staticmethod
    def centres(handle):
        """The handle's centre, and its track's box."""
        box = handle.bounding_box()
        track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]")
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, track.bounding_box()

    def roomier_side(self, handle):
        """-1 (left) or +1 (right): where the track has more room, so a move is never blocked."""
        x, _, track = self.centres(handle)
        return -1 if x > track["x"] + track["width"] / 2 else 1

    def press_arrow(self, handle, side, presses):
        handle.focus()
        for _ in range(presses):
            handle.press("ArrowLeft" if side < 0 else "ArrowRight")

    def drag(self, handle, side):
        """Drag a quarter of the track."""
        x, y, track = self.centres(handle)
        mouse = self.notebook.page.mouse
        mouse.move(x, y)
        mouse.down()
        mouse.move(x + side * track["width"] / 4, y, steps=8)
        mouse.up()

    def check_keyboard(self, index, timeout):
        """One arrow press, then nine more: one step can be too small to show (0.999 -> 0.9989)."""
        presses = [partial(self.press_arrow, presses=1), partial(self.press_arrow, presses=9)]
        self.check_moves_plot(index, "keyboard", presses, timeout)

    def check_drag(self, index, timeout):
        self.check_moves_plot(index, "dragging", [self.drag], timeout)

    def check_moves_plot(self, index, how, moves, timeout):
        """Make `moves` on handle `index` until the plot changes; each must change the handle."""
        handle = self.handles.nth(index)
        handle.scroll_into_view_if_needed()
        plots, side = self.plot_sources(), self.roomier_side(handle)
        where = f"{self.name}, slider {index} moved by {how}"
        assert plots[0], f"{where}: no plot image in the explorer's outputs"
        for move in moves:
            before = self.handle_value(handle)
            move(handle, side)
            moved = partial(lambda old: self.handle_value(handle) != old, before)
            wait_for(moved, 5, f"{where}: the slider to move")
            self.notebook.wait_until_settled(timeout, f"{where}: the kernel to settle")
            try:
                # the kernel is idle; give the browser a moment to show the new image: a move
                # whose paths stay off the axes changes only the labels (the final losses)
                wait_for(lambda: self.plot_changed(plots), 2, "a new plot")
            except AssertionError:
                continue
            self.images_changed |= self.plot_sources()[0] != plots[0]
            return
        raise AssertionError(f"{where}: the plot did not change")
