"""`deltanet train` and `deltanet eval` end to end on the small synthetic data sets (in-process)."""

import contextlib
import io
import json
import re
import stat
import struct
import zlib

import numpy as np
import pytest
from cli_helpers import cli

import deltanet as dn
from deltanet.cli import main
from deltanet.train.recipes import load_split

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(path) -> tuple[int, int]:
    """A structurally valid PNG: signature, IHDR first with a good CRC, IEND last; returns (width, height)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    ihdr = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    assert crc == zlib.crc32(b"IHDR" + ihdr)
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    width, height = struct.unpack(">II", ihdr[:8])
    return width, height


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    """`deltanet train xor --epochs 40 --out RUN` once, for the tests that only read its outputs."""
    run_dir = tmp_path_factory.mktemp("cli") / "xor"
    dtype, rng_state = dn.get_default_dtype(), dn.get_rng_state()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            status = main(["train", "xor", "--epochs", "40", "--out", str(run_dir)])
    finally:
        dn.set_default_dtype(dtype)
        dn.set_rng_state(rng_state)
    assert status == 0
    return run_dir, out.getvalue()


def test_train_writes_every_file_of_a_run_directory(xor_run):
    run_dir, out = xor_run
    names = {"model.npz", "model.json", "history.json", "curves.png", "checkpoint.npz", "settings.json"}
    assert names <= {p.name for p in run_dir.iterdir()}
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".")]    # no temporary files left

    settings = json.loads((run_dir / "settings.json").read_text())
    assert settings["dataset"] == "xor" and settings["epochs"] == 40 and settings["hidden"] == [2]

    model = dn.io.load(run_dir / "model.npz")
    assert [type(m).__name__ for m in model] == ["Linear", "Sigmoid", "Linear"]
    assert (model[0].in_features, model[0].out_features, model[2].out_features) == (2, 2, 2)
    architecture = json.loads((run_dir / "model.json").read_text())
    assert "Linear" in json.dumps(architecture) and "Sigmoid" in json.dumps(architecture)
    metadata = dn.io.info(run_dir / "model.npz")["metadata"]
    assert metadata["settings"] == settings

    history = json.loads((run_dir / "history.json").read_text())["epochs"]
    assert [r["epoch"] for r in history] == list(range(1, 41))
    for record in history:
        assert {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "time", "lr"} <= set(record)
        assert np.isfinite(record["train_loss"])
    assert history[0]["lr"] == 2.0 and history[-1]["lr"] < 0.01             # cosine schedule down to ~0

    assert dn.io.info(run_dir / "checkpoint.npz")["metadata"]["epoch"] == 40
    width, height = check_png(run_dir / "curves.png")
    assert width > 300 and height > 100

    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out)[1])
    assert accuracy == pytest.approx(100 * metadata["test_accuracy"], abs=0.005)
    assert "epoch 40/40" in out


def test_run_directory_files_are_readable_like_the_others(xor_run):
    """curves.png is written through tempfile.mkstemp, which creates files 0600; the others are 0644."""
    run_dir, _ = xor_run
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()}
    assert modes["curves.png"] == modes["model.npz"], modes


def test_eval_prints_the_accuracy_the_training_run_measured(xor_run, capsys):
    run_dir, _ = xor_run
    expected = 100 * dn.io.info(run_dir / "model.npz")["metadata"]["test_accuracy"]
    for path in (run_dir, run_dir / "model.npz"):
        status, out, err = cli(capsys, "eval", path)
        assert status == 0 and err == ""
        found = re.search(r"xor test: accuracy ([\d.]+)% \(4 examples\), loss ([\d.]+)", out)
        assert found, out
        assert float(found[1]) == pytest.approx(expected, abs=0.005)


def test_train_circles_learns_and_eval_agrees_on_every_split(tmp_path, capsys):
    run_dir = tmp_path / "circles"
    status, out, err = cli(capsys, "train", "circles", "--epochs", "5", "--out", run_dir)
    assert status == 0, err
    test_accuracy = dn.io.info(run_dir / "model.npz")["metadata"]["test_accuracy"]
    assert test_accuracy >= 0.9
    history = json.loads((run_dir / "history.json").read_text())["epochs"]
    assert history[-1]["train_loss"] < 0.7 * history[0]["train_loss"]

    status, out, _ = cli(capsys, "eval", run_dir)
    assert status == 0
    assert float(re.search(r"circles test: accuracy ([\d.]+)%", out)[1]) == pytest.approx(100 * test_accuracy,
                                                                                            abs=0.005)
    status, out, _ = cli(capsys, "eval", run_dir, "--split", "validation")
    assert status == 0
    printed = float(re.search(r"circles validation: accuracy ([\d.]+)% \(500 examples\)", out)[1])
    assert printed == pytest.approx(100 * history[-1]["val_accuracy"], abs=0.005)


def test_train_with_binary_outputs_decodes_them_for_accuracy(tmp_path, capsys):
    """--encoding binary with --loss bce: one output bit for 2 classes, decoded at logit 0."""
    run_dir = tmp_path / "circles-bits"
    status, _, err = cli(capsys, "train", "circles", "--epochs", "5", "--encoding", "binary", "--loss", "bce",
                         "--out", run_dir)
    assert status == 0, err
    model = dn.io.load(run_dir / "model.npz")
    assert model[-1].out_features == 1
    X, labels = load_split("circles", "test", dtype=np.float32)
    with dn.no_grad():
        logits = model(dn.tensor(X)).data[:, 0]
    expected = np.mean((logits > 0) == labels)
    assert dn.io.info(run_dir / "model.npz")["metadata"]["test_accuracy"] == expected
    assert expected > 0.6                                   # learning (≈ 0.77 after 5 epochs)
    status, out, _ = cli(capsys, "eval", run_dir)
    assert status == 0 and f"accuracy {100 * expected:.2f}%" in out


def test_help_lists_the_commands(capsys):
    status, out, _ = cli(capsys, "--help")
    assert status == 0
    for command in ("train", "eval"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), out
    status, out, _ = cli(capsys, "train", "--help")
    assert status == 0
    for option in ("--epochs", "--hidden", "--resume", "--out", "--lr", "--batch", "--seed"):
        assert option in out
