"""The course website, built offline by scripts/build_site.py, served on 127.0.0.1, in Chromium.

Every page loads with no console error and no request leaving 127.0.0.1; its figures load; its maths
is typeset; the schedulers page shows its explorers from the saved widget state; search finds a
scheduler. Screenshots go where the other browser tests put theirs.
"""

import functools
import http.server
import importlib.util
import os
import shutil
import threading

import pytest
from test_notebooks_in_browser import NOTEBOOKS, REPO, SCREENSHOTS

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("data:", "blob:")


def load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(chromium):
    """The freshly built site, served on a free port of 127.0.0.1; its base URL."""
    if shutil.which("npm") is None:  # the build installs the site's JavaScript with npm
        if os.environ.get("CI") == "true":
            pytest.fail("npm is not installed; under CI=true the site test must run", pytrace=False)
        pytest.skip("npm is not installed (apt-get install npm)")
    out = load_build_site().build()
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def visit(site, browser_context):
    """Open a page of the site; return it with what went wrong while it loaded."""
    pages = []

    def open_page(path):
        page = browser_context.new_page()
        pages.append(page)
        problems = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
        )
        page.on(
            "request",
            lambda request: (
                request.url.startswith((site, *LOCAL_SCHEMES))
                or problems.append(f"request leaves the site: {request.url}")
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status < 400 or problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        page.goto(site + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        return page, problems

    yield open_page
    for page in pages:
        page.close()


def broken_images(page):
    return page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src.slice(0, 80))"
    )


def test_landing_page_shows_the_course_map_and_links_every_lesson(visit):
    page, problems = visit("index.html")
    links = page.locator("article table a").evaluate_all("as => as.map(a => a.href)")
    assert [link.rsplit("/", 1)[-1] for link in links] == [f"{nb.stem}.html" for nb in NOTEBOOKS]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "site-landing.png")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_page_loads_everything_from_the_site(source, visit):
    page, problems = visit(f"notebooks/{source.stem}.html")
    assert page.locator("article img").count(), "no figure on the page"
    assert not broken_images(page), f"images that did not load: {broken_images(page)}"
    page.wait_for_function("() => document.querySelector('mjx-container') !== null", timeout=20_000)
    untypeset = page.locator("article .math:not(:has(mjx-container))").count()
    assert untypeset == 0, f"{untypeset} formulas left as TeX source"
    assert page.locator("a.next-page, a.prev-page").count(), "no next/previous link"
    assert not problems, "\n".join(problems)


def test_schedulers_page_renders_its_explorers_from_saved_state(visit):
    page, problems = visit("notebooks/06_schedulers.html")
    page.wait_for_selector(".jupyter-widgets .noUi-handle", timeout=20_000)
    explorer = page.locator(".jupyter-widgets:has(.noUi-handle)").first
    assert explorer.locator("img").count(), "the explorer shows no picture"
    assert page.locator(".stepwise-static-widgets").count() == 1, "no note that sliders are static"
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "site-06_schedulers.png")
    assert not broken_images(page), f"images that did not load: {broken_images(page)}"
    assert not problems, "\n".join(problems)


def test_search_finds_a_scheduler(visit):
    page, problems = visit("search.html?q=OneCycleLR")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    titles = page.locator("#search-results ul.search li a").all_inner_texts()
    assert any("schedulers" in title.lower() for title in titles), titles
    assert not problems, "\n".join(problems)
