"""`deltanet train --resume`: a run continued from its checkpoint ends with bit-identical weights, and a
resume that cannot continue the run it names is refused with one clear line."""

import contextlib
import io
import json
import shutil

import pytest
from cli_helpers import (
    assert_one_error_line,
    assert_same_weights,
    checkpoint_epoch,
    cli,
    history_without_time,
    weights,
)

import deltanet as dn
import deltanet.cli
from deltanet.train import Checkpoint


@contextlib.contextmanager
def quiet_globals():
    """Swallow stdout and restore the default dtype and the library's generator (for module fixtures)."""
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        dn.set_default_dtype(dtype)
        dn.set_rng_state(state)


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """Uninterrupted 40-epoch xor runs, with the default cosine schedule and with --schedule none."""
    root = tmp_path_factory.mktemp("straight")
    for schedule in ("cosine", "none"):
        with quiet_globals():
            argv = ["train", "xor", "--epochs", "40", "--schedule", schedule, "--out", str(root / schedule)]
            assert deltanet.cli.main(argv) == 0
    return {schedule: root / schedule for schedule in ("cosine", "none")}


def test_an_interrupted_run_resumed_from_its_run_directory_is_bit_identical(straight, tmp_path, capsys,
                                                                            monkeypatch):
    class InterruptAfterEpoch20(Checkpoint):
        def on_epoch_end(self, trainer, record):
            super().on_epoch_end(trainer, record)
            if trainer.epoch == 20:
                raise KeyboardInterrupt

    run_dir = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(deltanet.cli, "Checkpoint", InterruptAfterEpoch20)
        status, _, err = cli(capsys, "train", "xor", "--epochs", "40", "--out", run_dir)
    assert status == 130
    assert "interrupted" in err and "--resume" in err and "Traceback" not in err
    assert not (run_dir / "model.npz").exists()
    saved = checkpoint_epoch(run_dir / "checkpoint.npz")
    assert 1 <= saved <= 20                         # checkpoints are throttled to one per 2 s

    status, out, err = cli(capsys, "train", "xor", "--resume", run_dir)
    assert status == 0, err
    assert f"resuming after epoch {saved}" in out
    assert_same_weights(straight["cosine"] / "model.npz", run_dir / "model.npz")
    assert history_without_time(run_dir) == history_without_time(straight["cosine"])
    assert checkpoint_epoch(run_dir / "checkpoint.npz") == 40


def test_twenty_epochs_then_resume_to_forty_is_bit_identical_without_a_schedule(straight, tmp_path, capsys):
    run_dir = tmp_path / "run"
    status, _, err = cli(capsys, "train", "xor", "--epochs", "20", "--schedule", "none", "--out", run_dir)
    assert status == 0, err
    assert checkpoint_epoch(run_dir / "checkpoint.npz") == 20
    first_half = weights(run_dir / "model.npz")

    status, out, err = cli(capsys, "train", "xor", "--resume", run_dir, "--epochs", "40")
    assert status == 0, err
    assert "resuming after epoch 20" in out
    assert_same_weights(straight["none"] / "model.npz", run_dir / "model.npz")
    assert history_without_time(run_dir) == history_without_time(straight["none"])
    assert json.loads((run_dir / "settings.json").read_text())["epochs"] == 40
    assert any((first_half[k] != v).any() for k, v in weights(run_dir / "model.npz").items())


def test_extending_a_cosine_run_is_bit_identical_or_refused(straight, tmp_path, capsys):
    """`--epochs 20` then `--resume D --epochs 40` under the default cosine schedule. The first 20 epochs
    followed a cosine over 20 epochs, the straight run one over 40, and the checkpoint restores T_max = 20
    (after which the lr climbs back up). So this cannot equal the 40-epoch run: the CLI must say so
    instead of silently training something else."""
    run_dir = tmp_path / "run"
    assert cli(capsys, "train", "xor", "--epochs", "20", "--out", run_dir)[0] == 0
    status, out, err = cli(capsys, "train", "xor", "--resume", run_dir, "--epochs", "40")
    if status == 0:
        assert_same_weights(straight["cosine"] / "model.npz", run_dir / "model.npz")
    else:
        assert status == 1
        assert_one_error_line(err, "--epochs")


@pytest.fixture(scope="module")
def hidden_2_template(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("template") / "hidden2"
    with quiet_globals():
        argv = ["train", "xor", "--hidden", "2", "--epochs", "3", "--schedule", "none", "--out", str(run_dir)]
        assert deltanet.cli.main(argv) == 0
    return run_dir


@pytest.fixture
def hidden_2_run(hidden_2_template, tmp_path):
    """A fresh copy of a 3-epoch `--hidden 2` xor run directory."""
    return shutil.copytree(hidden_2_template, tmp_path / "hidden2")


@pytest.mark.parametrize("argv, flag", [
    (["train", "xor", "--hidden", "3"], "--hidden"),
    (["train", "xor", "--hidden", "2", "2"], "--hidden"),
    (["train", "xor", "--activation", "relu"], "--activation"),
    (["train", "xor", "--model", "nielsen"], "--model"),
    (["train", "circles"], "circles"),
], ids=["hidden-3", "hidden-2-2", "activation", "model", "dataset"])
def test_resume_with_a_different_architecture_is_refused(hidden_2_run, capsys, argv, flag):
    """Resume reads settings.json from the run directory; flags that contradict it (another architecture
    or data set) must be an error, not silently ignored."""
    before = weights(hidden_2_run / "checkpoint.npz")
    status, out, err = cli(capsys, *argv, "--resume", hidden_2_run, "--epochs", "5")
    assert status == 1, f"exit status {status}; stdout:\n{out}"
    assert_one_error_line(err, flag)
    after = weights(hidden_2_run / "checkpoint.npz")
    assert before.keys() == after.keys() and all((before[k] == after[k]).all() for k in before)


def test_resume_with_the_same_architecture_flags_is_accepted(hidden_2_run, capsys):
    status, out, err = cli(capsys, "train", "xor", "--hidden", "2", "--resume", hidden_2_run, "--epochs", "5")
    assert status == 0, err
    assert checkpoint_epoch(hidden_2_run / "checkpoint.npz") == 5


def test_resume_from_a_checkpoint_of_another_architecture_is_refused(hidden_2_run, tmp_path, capsys):
    """A run directory whose checkpoint.npz came from another run (hidden 3): CheckpointError, one line."""
    other = tmp_path / "hidden3"
    assert cli(capsys, "train", "xor", "--hidden", "3", "--epochs", "2", "--schedule", "none", "--out", other)[0] == 0
    shutil.copy(other / "checkpoint.npz", hidden_2_run / "checkpoint.npz")
    status, _, err = cli(capsys, "train", "xor", "--resume", hidden_2_run, "--epochs", "5")
    assert status == 1
    assert_one_error_line(err, "another architecture", "checkpoint.npz")


def test_resume_from_a_missing_checkpoint_is_refused(tmp_path, capsys):
    status, _, err = cli(capsys, "train", "xor", "--resume", tmp_path / "nowhere" / "checkpoint.npz")
    assert status == 1
    assert_one_error_line(err, "--resume", "no checkpoint", "nowhere")
    status, _, err = cli(capsys, "train", "xor", "--resume", tmp_path)      # a directory without one
    assert status == 1
    assert_one_error_line(err, "no checkpoint")


def test_resume_from_a_directory_without_settings_is_refused(hidden_2_run, capsys):
    (hidden_2_run / "settings.json").unlink()
    status, _, err = cli(capsys, "train", "xor", "--resume", hidden_2_run)
    assert status == 1
    assert_one_error_line(err, "settings.json")


def test_resume_from_a_damaged_checkpoint_is_refused(hidden_2_run, capsys):
    path = hidden_2_run / "checkpoint.npz"
    path.write_bytes(path.read_bytes()[:200])
    status, _, err = cli(capsys, "train", "xor", "--resume", hidden_2_run)
    assert status == 1
    assert_one_error_line(err, "checkpoint.npz")
