"""Session fixtures for the browser tests: one JupyterLab server and one headless Chromium."""

import os
import re
import shutil
from pathlib import Path

import pytest
from lab_server import LabServer
from notebook_page import NotebookPage, copy_without_widget_state

# The fixture notebooks are run by the harness tests, not by nbval.
collect_ignore_glob = ["fixtures/*"]

FAILURES = Path(__file__).parent / "failures"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


def missing_browser():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if shutil.which("chromium") is None:
        return "Chromium is not installed (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium():
    if reason := missing_browser():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the browser tests must run", pytrace=False)
        pytest.skip(reason)
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def lab_server(chromium, tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser_context(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path_factory.mktemp("chromium-profile"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def open_notebook(request, lab_server, browser_context):
    """Open a widget-state-free copy of a notebook; close it and its kernel afterwards.

    Siblings of the notebook (data files) are linked beside the copy, so relative paths still work.
    """
    opened = []

    def open_copy(source: Path, patch=None):
        for sibling in source.parent.iterdir():
            link = lab_server.root / sibling.name
            if sibling.suffix != ".ipynb" and not link.exists():
                link.symlink_to(sibling.resolve())
        copy_without_widget_state(source, lab_server.root / source.name, patch)
        notebook = NotebookPage(browser_context.new_page(), lab_server, source.name)
        opened.append(notebook)
        notebook.open()
        return notebook

    yield open_copy
    for notebook in opened:
        if getattr(request.node, "call_failed", True):
            FAILURES.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            notebook.page.screenshot(path=FAILURES / f"{name}.png")
        notebook.page.close()
        if session := notebook.session_id():
            lab_server.api(f"sessions/{session}", method="DELETE")
        (lab_server.root / notebook.path).unlink()
