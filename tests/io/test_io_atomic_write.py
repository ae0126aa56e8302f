"""Atomic saves: a failure at any point leaves the previous file intact and no temporary file behind."""

import os

import numpy as np
import pytest
from io_helpers import mlp

import deltanet as dn
import deltanet.io


def fail_after(calls: int, exception=RuntimeError):
    """A replacement for np.lib.format.write_array that writes `calls` arrays, then raises mid-file."""
    original = np.lib.format.write_array
    count = {"n": 0}

    def write_array(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise exception("disk full (simulated)")
        return original(*args, **kwargs)

    return write_array


@pytest.mark.parametrize("exception", [RuntimeError, KeyboardInterrupt])
def test_failure_while_writing_keeps_the_old_file(tmp_path, monkeypatch, exception):
    path = dn.io.save(mlp(), tmp_path / "model.npz")
    before = path.read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", fail_after(2, exception))
    with pytest.raises(exception, match="simulated"):
        dn.io.save(mlp(), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    monkeypatch.undo()
    dn.io.load(path)


@pytest.mark.parametrize("save", [
    lambda model, path: dn.io.save(model, path),
    lambda model, path: dn.io.save_state_dict(model, path),
    lambda model, path: dn.io.save_architecture(model, path),
])
def test_failure_in_replace_keeps_the_old_file(tmp_path, monkeypatch, save):
    path = tmp_path / "model.out"
    save(mlp(), path)
    before = path.read_bytes()

    def replace(src, dst):
        raise OSError("replace failed (simulated)")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="simulated"):
        save(mlp(), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.out"]


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(np.lib.format, "write_array", fail_after(0))
    with pytest.raises(RuntimeError):
        dn.io.save(mlp(), tmp_path / "model.npz")
    assert os.listdir(tmp_path) == []


def test_overwrite_replaces_and_keeps_permissions(tmp_path):
    path = dn.io.save(mlp(), tmp_path / "model.npz")
    path.chmod(0o600)
    model = mlp()
    dn.io.save(model, path)
    assert (path.stat().st_mode & 0o777) == 0o600
    np.testing.assert_array_equal(dn.io.load(path)[0].weight.data, model[0].weight.data)
    assert os.listdir(tmp_path) == ["model.npz"]


def test_missing_directory_and_directory_target(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        dn.io.save(mlp(), tmp_path / "no" / "model.npz")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        dn.io.save(mlp(), tmp_path)
