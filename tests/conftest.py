"""Shared test set-up: a headless matplotlib, Keras on the torch backend, one CPU thread."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402
import torch  # noqa: E402
from hypothesis import settings  # noqa: E402

matplotlib.use("Agg")
torch.set_num_threads(1)

# CI replays the same examples every run, so a red run always means a change, never a new draw;
# a developer's run explores fresh examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
