"""The course's small models and the pretrained CNN we ship.

``SmallCNN`` is split the way transfer learning needs it: ``body`` turns a 28x28 image into 288
features, ``head`` turns those features into class scores. ``load_pretrained`` returns the CNN
trained on MNIST by ``scripts/pretrain.py``, after checking the checkpoint's sha256.
"""

import hashlib
from pathlib import Path

import torch
from torch import nn

__all__ = ["SmallCNN", "mlp", "load_pretrained", "sha256", "CHECKPOINT", "CHECKPOINT_SHA256"]

CHECKPOINT = Path(__file__).parent / "data" / "cnn_mnist5k.pt"
CHECKPOINT_SHA256 = "2808df6f7f4f847d713e4b029015db5b10f4885f6d27ecc0203f788af6c55c1f"


def conv_block(c_in, c_out):
    """3x3 convolution (padding keeps the size), ReLU."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1), nn.ReLU())


class SmallCNN(nn.Module):
    """28x28 -> [8 ch, 14x14] -> [16 ch, 7x7] -> [32 ch, 3x3] = 288 features -> class scores."""

    def __init__(self, n_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            conv_block(1, 8),
            nn.MaxPool2d(2),
            conv_block(8, 16),
            nn.MaxPool2d(2),
            conv_block(16, 32),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        self.head = nn.Linear(32 * 3 * 3, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def mlp(sizes=(64, 32, 10)):
    """Fully connected layers ``sizes[0] -> ... -> sizes[-1]`` with ReLU between them."""
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"Invalid sizes: {sizes}; expected at least two positive layer widths")
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def sha256(path):
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_pretrained(path=CHECKPOINT, expected_sha256=CHECKPOINT_SHA256):
    """The MNIST-pretrained ``SmallCNN``; refuses a missing or altered checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No checkpoint at {path}; rebuild it with `python scripts/pretrain.py`"
        )
    found = sha256(path)
    if found != expected_sha256:
        raise ValueError(
            f"Checkpoint {path} has sha256 {found}, expected {expected_sha256}: the file was "
            "altered or rebuilt; rebuild it with `python scripts/pretrain.py` and update the hash"
        )
    model = SmallCNN()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model
