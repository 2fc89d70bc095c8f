"""Every notebook, Run All in JupyterLab in headless Chromium: no errors, widgets render as widgets,
and every slider of every explorer, moved by keyboard and by dragging, changes its plot.

Deselect with `-m "not browser"`. Screenshots go to tests/browser/screenshots/ (or where
STEPWISE_SCREENSHOTS says, e.g. docs/screenshots for the README), and on failure to
tests/browser/failures/ (both ignored).
"""

import os
from pathlib import Path

import pytest
from notebook_page import Explorer, NotebookPage, saved_widget_view_count

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
FIXTURE = Path(__file__).parent / "fixtures" / "explorer_fixture.ipynb"
# Every run saves screenshots in an ignored folder, so the tests leave the work tree as it was;
# STEPWISE_SCREENSHOTS=docs/screenshots refreshes the ones the README shows.
SCREENSHOTS = REPO / os.environ.get("STEPWISE_SCREENSHOTS", "tests/browser/screenshots")
RUN_ALL_TIMEOUT = 150  # s; a lesson runs in under 60 s on an idle machine
REDRAW_TIMEOUT = 30  # s, for the kernel to finish redrawing after a slider move
OBSERVE = 'slider.observe(redraw, names="value")'


def check_explorers(notebook: NotebookPage, screenshot=None):
    """Move each slider of each explorer by keyboard, then by dragging; count the explorers."""
    cells = notebook.explorer_cells()
    for cell_index in range(cells.count()):
        explorer = Explorer(notebook, cells.nth(cell_index), f"explorer {cell_index}")
        if screenshot and cell_index == 0:
            explorer.screenshot(screenshot)
        assert explorer.handles.count(), f"explorer {cell_index} shows no slider to move"
        for index in range(explorer.handles.count()):
            explorer.check_keyboard(index, REDRAW_TIMEOUT)
            explorer.check_drag(index, REDRAW_TIMEOUT)
        assert explorer.images_changed, f"explorer {cell_index}: only the labels ever changed"
    return cells.count()


def run_notebook(notebook: NotebookPage, expected_widget_views):
    notebook.run_all(RUN_ALL_TIMEOUT)
    problems = notebook.problems_after_run()
    assert not problems, "\n".join(problems)
    views = notebook.widget_view_count()
    assert views >= expected_widget_views, (
        f"{views} widget views rendered; the committed notebook shows {expected_widget_views}"
    )


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_its_explorers_respond(source, open_notebook):
    notebook = open_notebook(source)
    run_notebook(notebook, saved_widget_view_count(source))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    notebook.scroll_to_top()
    notebook.page.screenshot(path=SCREENSHOTS / f"{source.stem}.png")
    check_explorers(notebook, screenshot=SCREENSHOTS / f"{source.stem}-explorer.png")


def test_harness_moves_the_fixture_slider_and_sees_the_plot_change(open_notebook):
    notebook = open_notebook(FIXTURE)
    run_notebook(notebook, expected_widget_views=1)
    assert check_explorers(notebook) == 1


def break_slider_callback(cell_source):
    return cell_source.replace(OBSERVE, 'slider.observe(lambda change: 1 / 0, names="value")')


def test_harness_fails_when_a_slider_callback_raises(open_notebook):
    """The first draw works, so Run All passes; moving the slider exposes the broken callback."""
    assert OBSERVE in FIXTURE.read_text().replace('\\"', '"')
    notebook = open_notebook(FIXTURE, patch=break_slider_callback)
    run_notebook(notebook, expected_widget_views=1)
    with pytest.raises(AssertionError, match="the plot did not change"):
        check_explorers(notebook)
