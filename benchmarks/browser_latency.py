"""What a learner waits for: a slider moved in JupyterLab -> the new picture painted in the page.

JupyterLab in headless Chromium (the harness of tests/browser) runs one notebook holding the
explorers and, beside each, its floor: a bare widget round trip, a slider whose observer swaps
PNGs of that explorer, precomputed (same size and kind, made by moving its first slider across its
range before any timed move), so it costs everything but the drawing. Every sample is timed in
the page: from the ``keydown`` on a slider handle to the animation frame after the new ``<img>``
has decoded. Targets take turns press by press, so the floors and the explorers share the load.

Each press is also split into steps, all on one clock (the kernel's ``time.time()`` and the page's
``performance.timeOrigin + now()``): key -> the kernel's callback starts (the page sends, the kernel
reads), the callback (``draw``, then ``render`` = blit + ``png``), callback end -> ``src`` set
(the message back), ``src`` -> painted (the browser decodes the PNG); and the PNG's bytes.

A drag moves the first handle over half its track in 60 mouse moves about 16 ms apart, then lets
go; it counts the pictures painted while dragging and after release, and the time from release to
the last picture (a backlog would keep painting long after the mouse stops).

    .venv/bin/python benchmarks/browser_latency.py [--presses 12] [--only TEXT]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "browser")]

from conftest import CHROMIUM_FLAGS  # noqa: E402
from lab_server import LabServer  # noqa: E402
from notebook_page import NotebookPage, wait_for  # noqa: E402

EXPLORERS = [
    'schedule_explorer("StepLR")',
    'schedule_explorer("OneCycleLR")',
    'schedule_explorer("CosineDecayRestarts")',
    "compare_schedules()",
    "group_explorer()",
    "trajectory_explorer()",
    "phase_explorer()",
    "newton_schulz_explorer()",
]

# The kernel logs each callback: when it started and ended, its draw and render times, the bytes.
SETUP = """\
import json, sys, time
sys.path.insert(0, {repo!r})
import ipywidgets as widgets
import numpy as np
from lessons.widgets import *
from lessons.widgets import _explorer

LOG = open({log!r}, "a", buffering=1)
_png = _explorer.png
def png(rgba):
    t0 = time.time()
    data = _png(rgba)
    png.last = (time.time() - t0, len(data))
    return data
_explorer.png = png

def timed(explorer, name):
    def wrap(method):
        def inner(*args, **kwargs):
            t0 = time.time()
            result = method(*args, **kwargs)
            timed.steps[method.__name__] = time.time() - t0
            return result
        return inner
    refresh = explorer.refresh
    def logged(change=None):
        timed.steps, png.last = {{}}, (0.0, 0)
        t0 = time.time()
        refresh(change)
        t1 = time.time()
        entry = dict(target=name, start=t0, end=t1, png=png.last, **timed.steps)
        LOG.write(json.dumps(entry) + "\\n")
    for control in explorer.sliders.values():
        control.unobserve(refresh, names="value")
        control.observe(logged, names="value")
    explorer.draw, explorer.render = wrap(explorer.draw), wrap(explorer.render)
    return explorer
timed.steps = {{}}  # a render outside a move (the still a notebook keeps) logs nothing
"""

# The floor of an explorer: its own pictures (same size and kind), made before any timed move by
# moving its first visible slider across its range, then swapped by a slider that draws nothing.
FLOOR = """\
def floor(explorer, name):
    control = next(
        c for c in explorer.sliders.values()
        if isinstance(c, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider))
        and c.layout.display != "none"
    )
    start, pictures = control.value, []
    for fraction in np.linspace(0.05, 0.95, 20):
        value = control.min + fraction * (control.max - control.min)
        if isinstance(control, widgets.FloatLogSlider):
            value = control.base ** value
        control.value = int(round(value)) if isinstance(control, widgets.IntSlider) else value
        if explorer.image.value not in pictures:  # a refused value leaves the picture as it was
            pictures.append(explorer.image.value)
    control.value = start
    slider = widgets.IntSlider(0, 0, 200, description="floor")
    layout = widgets.Layout(width=explorer.image.layout.width, max_width="100%", height="auto")
    image = widgets.Image(value=pictures[0], format="png", layout=layout)
    def swap(change):
        t0 = time.time()
        image.value = pictures[change["new"] % len(pictures)]
        LOG.write(json.dumps(dict(target=name, start=t0, end=time.time())) + "\\n")
    slider.observe(swap, names="value")
    return widgets.VBox([slider, image])
"""

# In the page: paint times of every <img> that gets a new src, and the time of each key and move.
PROBE = """() => {
  const now = () => performance.timeOrigin + performance.now();
  window.bench = {keys: [], src: [], painted: []};
  document.addEventListener('keydown', () => bench.keys.push(now()), true);
  new MutationObserver(records => {
    for (const r of records) {
      const img = r.target, cell = img.closest('.jp-CodeCell');
      const index = [...document.querySelectorAll('.jp-CodeCell')].indexOf(cell);
      const t = now();
      bench.src.push([index, t]);
      img.decode().catch(() => {}).then(() => requestAnimationFrame(
        () => bench.painted.push([index, t, now()])));
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
}"""


def notebook(names, log):
    """Setup, then for each explorer a cell showing it and a cell showing its floor."""
    cells = [SETUP.format(repo=str(REPO), log=str(log)) + FLOOR]
    for i, name in enumerate(names):
        cells += [f"explorer_{i} = timed({name}, {name!r})\nexplorer_{i}"]
        cells += [f"floor(explorer_{i}, {'floor: ' + name!r})"]
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nbformat.writes(book)


class Target:
    """One output cell's visible slider handles; ``press`` times one key -> picture."""

    def __init__(self, page, cell_index, name):
        self.page, self.index, self.name = page, cell_index, name
        cell = page.locator(".jp-CodeCell").nth(cell_index)
        self.handles = cell.locator(".noUi-handle:visible")
        self.turn = 0

    def painted(self):
        return [p for p in self.page.evaluate("bench.painted") if p[0] == self.index]

    def press(self):
        """Press an arrow on the next handle (twice right, then twice back left); the times of the
        key, the new src and its painted frame, or None."""
        handle = self.handles.nth(self.turn // 4 % self.handles.count())
        key = "ArrowRight" if self.turn % 4 < 2 else "ArrowLeft"
        self.turn += 1
        handle.scroll_into_view_if_needed()
        handle.focus()
        before = len(self.painted())
        handle.press(key)
        try:
            wait_for(lambda: len(self.painted()) > before, 3, "a picture", interval=0.01)
        except AssertionError:
            return None  # an argument message instead of a picture, or a value at the end
        key_time = self.page.evaluate("bench.keys[bench.keys.length - 1]")
        _, src, painted = self.painted()[-1]
        return key_time / 1e3, src / 1e3, painted / 1e3

    def drag(self, moves=60, interval=0.016):
        """Drag half the first track at 60 Hz: pictures while dragging, after; release -> last."""
        handle = self.handles.first
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]")
        width = track.bounding_box()["width"]
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        side = -1 if x > track.bounding_box()["x"] + width / 2 else 1
        mouse, before = self.page.mouse, len(self.painted())
        mouse.move(x, y)
        mouse.down()
        for step in range(1, moves + 1):
            mouse.move(x + side * width * 0.5 * step / moves, y)
            time.sleep(interval)
        released = self.page.evaluate("performance.timeOrigin + performance.now()")
        mouse.up()
        time.sleep(1.5)
        painted = [p[2] for p in self.painted()[before:]]
        during = sum(t <= released for t in painted)
        tail = max(painted) - released if painted else float("nan")
        return during, len(painted) - during, max(tail, 0.0)


def matching_log(log_lines, target, key, src):
    """The kernel's log entry of the callback this key press caused."""
    entries = [e for e in log_lines if e["target"] == target and key <= e["start"] <= src]
    return entries[-1] if entries else None


def percentiles(values):
    values = np.asarray(values, float) * 1e3
    if not len(values):
        return "-"
    return f"{np.median(values):.0f} / {np.percentile(values, 90):.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=12, help="key presses per explorer")
    parser.add_argument("--only", help="only the explorers whose call contains this text")
    options = parser.parse_args()
    names = [n for n in EXPLORERS if not options.only or options.only in n]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as base, sync_playwright() as playwright:
        base = Path(base)
        log = base / "kernel.jsonl"
        server = LabServer(base)
        try:
            server.wait_ready()
            (server.root / "bench.ipynb").write_text(notebook(names, log))
            context = playwright.chromium.launch_persistent_context(
                user_data_dir=base / "profile", executable_path="/usr/bin/chromium",
                headless=True, args=CHROMIUM_FLAGS, viewport={"width": 1280, "height": 900},
            )  # fmt: skip
            try:
                run(context, server, names, log, options)
            finally:
                context.close()
        finally:
            server.stop()


def run(context, server, names, log, options):
    page = NotebookPage(context.new_page(), server, "bench.ipynb")
    page.open(timeout=120)
    page.run_all(timeout=300)
    problems = page.problems_after_run()
    assert not problems, "\n".join(problems)
    page.page.evaluate(PROBE)
    wait_for(lambda: page.page.locator(".noUi-handle").count(), 30, "the sliders")
    targets = []
    for i, name in enumerate(names):  # each explorer's floor first, then the explorer
        targets += [Target(page.page, 2 + 2 * i, "floor: " + name)]
        targets += [Target(page.page, 1 + 2 * i, name)]
    samples = {t.name: [] for t in targets}
    load = os.getloadavg()[0]
    # take turns press by press, so that a burst of load falls on every target alike
    for _ in range(options.presses):
        for target in random.sample(targets, len(targets)):
            if (sample := target.press()) is not None:
                samples[target.name].append(sample)
            time.sleep(0.05)
    drags = {t.name: t.drag() for t in targets}
    log_lines = [json.loads(line) for line in log.read_text().splitlines()]
    end = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start, {end:.1f} at end")
    print("ms, median / p90 of each; key -> painted is what a learner waits for\n")
    print(
        "| what | presses | key -> painted | over its floor | key -> callback | callback "
        "| draw | render | png | callback -> src | src -> painted | PNG KB "
        "| drag: pictures while dragging | after release | release -> last ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    floor = None
    for target in targets:
        is_floor = target.name.startswith("floor: ")
        rows = samples[target.name]
        total = [p - k for k, _, p in rows]
        steps = {k: [] for k in ("in", "callback", "draw", "render", "png", "back", "bytes")}
        for k, s, _ in rows:
            if entry := matching_log(log_lines, target.name, k, s):
                steps["in"].append(entry["start"] - k)
                steps["callback"].append(entry["end"] - entry["start"])
                steps["back"].append(s - entry["end"])
                for step in ("draw", "render"):
                    steps[step].append(entry.get(step, 0.0))
                if "png" in entry:
                    steps["png"].append(entry["png"][0])
                    steps["bytes"].append(entry["png"][1])
        decode = [p - s for _, s, p in rows]
        if is_floor:
            floor = total
        over = (
            f"{np.median(total) * 1e3 - np.median(floor) * 1e3:+.0f} / "
            f"{np.percentile(total, 90) * 1e3 - np.percentile(floor, 90) * 1e3:+.0f}"
            if not is_floor and total and floor
            else "-"
        )
        kilobytes = f"{np.median(steps['bytes']) / 1e3:.0f}" if steps["bytes"] else "-"
        during, after, tail = drags[target.name]
        cells = [
            target.name,
            str(len(rows)),
            percentiles(total),
            over,
            percentiles(steps["in"]),
            percentiles(steps["callback"]),
            percentiles(steps["draw"]),
            percentiles(steps["render"]),
            percentiles(steps["png"]),
            percentiles(steps["back"]),
            percentiles(decode),
            kilobytes,
            str(during),
            str(after),
            f"{tail:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
