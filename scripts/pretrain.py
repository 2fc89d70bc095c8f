"""Pretrain the course's SmallCNN on the 5,000 MNIST digits and write the checkpoint we ship.

    python scripts/pretrain.py [--out lessons/data/cnn_mnist5k.pt]

Seeded, one thread, deterministic algorithms: rerunning on the same torch build writes the same
bytes, so the sha256 it prints matches ``lessons.models.CHECKPOINT_SHA256``.
"""

import argparse

import torch
from tqdm import tqdm

from lessons.data import mnist5k
from lessons.models import CHECKPOINT, SmallCNN, sha256
from lessons.training import accuracy, fit

EPOCHS, BATCH_SIZE, LR, SEED = 12, 64, 3e-3, 0


def pretrain(out=CHECKPOINT, epochs=EPOCHS):
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    X, y = mnist5k()
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    with tqdm(total=epochs, desc="pretraining on MNIST-5k", unit="epoch") as bar:

        def on_epoch(epoch, history):
            bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")
            bar.update()

        fit(model, optimizer, X, y, epochs, BATCH_SIZE, seed=SEED, on_epoch=on_epoch)
    state = {name: tensor.detach().clone().float() for name, tensor in model.state_dict().items()}
    torch.save(state, out)
    return model, accuracy(model, X, y)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=CHECKPOINT, help="where to write the checkpoint")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    _, train_accuracy = pretrain(args.out, args.epochs)
    print(f"training accuracy {train_accuracy:.3f}; wrote {args.out}")
    print(f"sha256 {sha256(args.out)}")
