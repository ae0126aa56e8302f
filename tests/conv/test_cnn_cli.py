"""`deltanet train … --model cnn` and `deltanet eval` of the result: the wiring on a small synthetic stand-in
for MNIST (fast), and real MNIST for one epoch (slow)."""

import sys
from pathlib import Path

import numpy as np
import pytest

import deltanet as dn
import deltanet.cli

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))
from cli_helpers import assert_same_weights, cli  # noqa: E402


def fake_split(dataset, split, dtype=None, n=100):
    """A tiny stand-in for MNIST: flat 784-vectors in which class k lights up row 2k + 3 of the picture."""
    rng = np.random.default_rng({"train": 0, "validation": 1, "test": 2}[split])
    labels = rng.integers(0, 10, n)
    X = rng.random((n, 28, 28)).astype(np.float32) * 0.3
    X[np.arange(n), 2 * labels + 3, :] += 1.0
    X = X.reshape(n, 784)
    return (X if dtype is None else X.astype(dtype)), labels


def test_train_cnn_prints_output_shapes_and_eval_reads_the_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(deltanet.cli, "load_split", fake_split)
    status, out, err = cli(capsys, "train", "mnist", "--model", "cnn", "--epochs", "1", "--batch", "25",
                           "--out", tmp_path / "run")
    assert status == 0, err
    assert "(-1, 40, 4, 4)" in out and "total parameters: 85,670" in out
    accuracy = out.split("test accuracy: ")[1].split("%")[0]
    saved = dn.io.load(tmp_path / "run" / "model.npz")
    assert type(saved[0]).__name__ == "Unflatten" and type(saved[1]).__name__ == "Conv2d"
    status, out, err = cli(capsys, "eval", tmp_path / "run")
    assert status == 0, err
    assert f"test: accuracy {accuracy}%" in out          # eval rebuilds the CNN and scores it as training did


def test_a_resumed_cnn_run_with_dropout_is_bit_identical(tmp_path, capsys, monkeypatch):
    """Dropout masks come from the library's generator, whose state the checkpoint keeps: 2 epochs in one go
    and 1 epoch + --resume to 2 end with the same weights."""
    monkeypatch.setattr(deltanet.cli, "load_split", lambda *a, **k: fake_split(*a, **k, n=50))
    common = ["train", "mnist", "--model", "cnn", "--batch", "25", "--schedule", "none"]
    assert cli(capsys, *common, "--epochs", "2", "--out", tmp_path / "straight")[0] == 0
    assert cli(capsys, *common, "--epochs", "1", "--out", tmp_path / "resumed")[0] == 0
    assert cli(capsys, "train", "mnist", "--resume", tmp_path / "resumed", "--epochs", "2")[0] == 0
    assert_same_weights(tmp_path / "straight" / "model.npz", tmp_path / "resumed" / "model.npz")


def test_cnn_needs_an_image_data_set(capsys):
    status, out, err = cli(capsys, "train", "xor", "--model", "cnn")
    assert status == 1 and "--model cnn needs an image data set" in err


@pytest.mark.slow
def test_train_mnist_cnn_one_epoch_reaches_97_5_percent(tmp_path, capsys):
    status, out, err = cli(capsys, "train", "mnist", "--model", "cnn", "--epochs", "1", "--out", tmp_path / "run")
    assert status == 0, err
    assert float(out.split("test accuracy: ")[1].split("%")[0]) >= 97.5
