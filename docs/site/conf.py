"""Sphinx configuration for the course website: `scripts/build_site.py` builds it into `_site/`.

Everything a page loads is served from the site itself: MathJax, RequireJS and the Jupyter widget
manager come from the npm packages pinned in `package-lock.json`, copied into `_vendor/` at build
time; nothing is fetched from a CDN when the page is viewed.
"""

project = "Stepwise"
author = "The Stepwise authors"
copyright = "2026, the Stepwise authors"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
exclude_patterns = ["_vendor", "node_modules", "**.ipynb_checkpoints"]

# The committed notebooks are shown as they ran: outputs and saved widget state, no execution.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_ipywidgets_js = {
    "require.js": {},
    # Widget modules that are not built in would be fetched from here: the site, never a CDN.
    "embed-amd.js": {"data-jupyter-widgets-cdn": "_static/widgets/"},
}
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "furo"
html_title = "Stepwise"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static", "_vendor"]
html_js_files = ["widgets-mathjax-bridge.js"]
html_css_files = ["stepwise.css"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SLIDERS_NOTE = (
    '<div class="admonition note stepwise-static-widgets">'
    '<p class="admonition-title">Sliders</p>'
    "<p>The explorers on this page show the picture saved when the notebook last ran. Here, "
    "with no Python kernel behind the page, moving a slider cannot redraw it. To explore, set "
    "up the course and open the notebook in JupyterLab:</p><pre>python3.11 -m venv .venv "
    "&amp;&amp; .venv/bin/pip install -r requirements.txt &amp;&amp; "
    ".venv/bin/jupyter lab notebooks/</pre></div>"
)


def note_static_sliders(app, pagename, templatename, context, doctree):
    """Say, above a notebook that shows explorers, that its sliders cannot recompute here."""
    body = context.get("body", "")
    if pagename.startswith("notebooks/") and WIDGET_VIEW in body:
        context["body"] = SLIDERS_NOTE + body


def docstring_as_written(app, what, name, obj, options, lines):
    """Show docstrings verbatim: they are plain text with equations (`lr * gamma ** t`), not
    reStructuredText, and would otherwise be re-read as markup."""
    if lines:
        lines[:] = [".. code-block:: text", ""] + [f"    {line}" for line in lines] + [""]


def setup(app):
    app.connect("html-page-context", note_static_sliders)
    app.connect("autodoc-process-docstring", docstring_as_written)
