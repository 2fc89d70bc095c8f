import shutil

import pytest
import torch

from lessons import models


def test_small_cnn_splits_into_a_body_of_features_and_a_linear_head():
    model = models.SmallCNN()
    features = model.body(torch.zeros(2, 1, 28, 28))
    assert features.shape == (2, 288)
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert sum(p.numel() for p in model.body.parameters()) == 5888
    assert models.SmallCNN(n_classes=5).head.out_features == 5


def test_mlp_stacks_linear_layers_with_relu_between():
    net = models.mlp((64, 16, 10))
    assert [type(layer).__name__ for layer in net] == ["Linear", "ReLU", "Linear"]
    assert net(torch.zeros(3, 64)).shape == (3, 10)
    with pytest.raises(ValueError, match="sizes"):
        models.mlp((64,))


def test_shipped_checkpoint_matches_its_recorded_hash_and_loads():
    assert models.CHECKPOINT.stat().st_size < 1_000_000
    assert models.sha256(models.CHECKPOINT) == models.CHECKPOINT_SHA256
    model = models.load_pretrained()
    state = torch.load(models.CHECKPOINT, weights_only=True)
    assert all(t.dtype == torch.float32 for t in state.values())
    assert torch.equal(model.head.weight, state["head.weight"])


def test_load_pretrained_refuses_missing_or_altered_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="pretrain.py"):
        models.load_pretrained(tmp_path / "absent.pt")
    altered = tmp_path / models.CHECKPOINT.name
    shutil.copy(models.CHECKPOINT, altered)
    with altered.open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ValueError, match="expected " + models.CHECKPOINT_SHA256):
        models.load_pretrained(altered)


def test_pretrain_script_trains_and_rewrites_the_same_bytes(tmp_path, monkeypatch):
    # The full run (about 10 s) reproduces CHECKPOINT_SHA256 on the torch build it was made
    # with; one epoch twice proves the determinism that makes that so, at a tenth of the cost.
    monkeypatch.syspath_prepend(str(models.CHECKPOINT.parents[2] / "scripts"))
    from pretrain import pretrain

    first, second = tmp_path / "a" / "cnn.pt", tmp_path / "b" / "cnn.pt"
    first.parent.mkdir(), second.parent.mkdir()
    _, train_accuracy = pretrain(first, epochs=1)
    pretrain(second, epochs=1)
    assert train_accuracy > 0.5
    assert models.sha256(first) == models.sha256(second)
