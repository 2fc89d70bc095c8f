"""Build the course website into `_site/` from the committed notebooks, offline.

    .venv/bin/python scripts/build_site.py          # then open _site/index.html through a server:
    .venv/bin/python -m http.server -d _site        # http://127.0.0.1:8000

The notebooks are shown as committed (outputs and saved widget state; nothing is executed). The
JavaScript the pages need (MathJax, RequireJS, the Jupyter widget manager) is installed from the npm
registry with `npm ci` against `docs/site/package-lock.json` and served from the site itself.
Needs Node.js and npm for that one step; Sphinx, MyST-NB and the theme come with requirements.txt.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE_SOURCE = REPO / "docs" / "site"
OUT = REPO / "_site"

# What the pages load, from the npm packages: (package path, file or folder, place under _static).
VENDOR = [
    ("requirejs", "require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist", "embed-amd.js", "embed-amd.js"),
    ("mathjax/es5", "tex-chtml.js", "mathjax/tex-chtml.js"),
    ("mathjax/es5", "output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
]


def install_javascript() -> Path:
    """`npm ci` from the lock file, once; the packages' own files, nothing fetched at view time."""
    modules = SITE_SOURCE / "node_modules"
    lock = SITE_SOURCE / "package-lock.json"
    stamp = modules / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("build_site: npm not found; install Node.js (it brings npm) and run again")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=SITE_SOURCE, check=True)
    return modules


def copy_vendor(modules: Path) -> None:
    vendor = SITE_SOURCE / "_vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    for package, name, target in VENDOR:
        source, destination = modules / package / name, vendor / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    # The widget manager's icon fonts sit beside embed-amd.js, which loads them by relative name.
    for font in (modules / "@jupyter-widgets/html-manager/dist").glob("*.woff*"):
        shutil.copy2(font, vendor / font.name)


def copy_notebooks() -> None:
    """The committed notebooks, as the site's pages (docs/site/notebooks/ is a build copy), less
    the `# NBVAL_...` markers that tell the tests which outputs vary: a reader needs none."""
    pages = SITE_SOURCE / "notebooks"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir()
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            lines = "".join(cell["source"]).splitlines(keepends=True)
            cell["source"] = [line for line in lines if not line.startswith("# NBVAL_")]
        (pages / path.name).write_text(json.dumps(notebook))


def build() -> Path:
    copy_vendor(install_javascript())
    copy_notebooks()
    shutil.rmtree(OUT, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going"]
    with tempfile.TemporaryDirectory() as doctrees:  # a fresh read every time: no stale pages
        subprocess.run([*command, "-d", doctrees, SITE_SOURCE, OUT], check=True)
    return OUT


if __name__ == "__main__":
    print(f"built {build() / 'index.html'}")
