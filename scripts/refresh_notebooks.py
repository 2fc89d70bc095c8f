"""Re-run notebooks top to bottom in place, the way they are committed: outputs, counts and the
widgets' final state kept (the website shows the explorers from it where no kernel runs), per-cell
timestamps dropped.

    .venv/bin/python scripts/refresh_notebooks.py                 # every notebook
    .venv/bin/python scripts/refresh_notebooks.py notebooks/06_schedulers.ipynb

Run it after changing anything a notebook shows; nbval then compares the fresh outputs.
"""

import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def keep_displayed_widgets(notebook) -> None:
    """Drop the saved state of widgets no output shows (a check's scratch explorers, say): a view
    keeps the models it names as `IPY_MODEL_<id>`, and theirs, and nothing else."""
    saved = notebook.metadata.get("widgets", {}).get(STATE)
    if not saved:
        return
    todo = [
        o.data[VIEW]["model_id"]
        for c in notebook.cells
        for o in c.get("outputs", [])
        if VIEW in o.get("data", {})
    ]
    kept = {}
    while todo:
        model_id = todo.pop()
        if model_id in kept or model_id not in saved["state"]:
            continue
        kept[model_id] = saved["state"][model_id]
        todo += re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(kept[model_id]))
    if kept:
        saved["state"] = kept
    else:
        notebook.metadata.pop("widgets")


def refresh(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(
        notebook, timeout=300, record_timing=False, store_widget_state=True, resources=resources
    )
    client.execute()
    seconds = time.perf_counter() - start
    keep_displayed_widgets(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    return seconds


if __name__ == "__main__":
    paths = [Path(arg) for arg in sys.argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {refresh(path):.1f} s", flush=True)
