"""Keras 3 on the torch backend, never TensorFlow.

Keras reads ``KERAS_BACKEND`` once, on its first import: the variable is set before that import,
and a Keras imported earlier on another backend is refused.
"""

import os
import sys

__all__ = ["keras"]


def keras():
    """The ``keras`` module on the torch backend, imported on first use (it takes seconds)."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    import keras

    if keras.backend.backend() != "torch":
        raise ImportError(f"keras runs on {keras.backend.backend()!r}; set KERAS_BACKEND=torch")
    return keras
