"""Helpers for the CLI tests: run `deltanet` in-process or as a subprocess, and read run directories."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import deltanet as dn
from deltanet.cli import main


def cli(capsys, *argv) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `deltanet ARGV` run in this process; argparse's exits included."""
    capsys.readouterr()
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def run_subprocess(*argv, cwd=None) -> subprocess.CompletedProcess:
    """`python -m deltanet.cli ARGV` in a fresh interpreter (DELTANET_DEBUG unset, so errors are one line)."""
    env = {k: v for k, v in os.environ.items() if k != "DELTANET_DEBUG"}
    return subprocess.run([sys.executable, "-m", "deltanet.cli", *map(str, argv)], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd)


def assert_one_error_line(err: str, *fragments: str) -> str:
    """stderr is exactly one line, `deltanet: error: …`, containing every fragment; no traceback."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    line = lines[0]
    assert line.startswith("deltanet: error: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


def assert_usage_error(err: str, *fragments: str) -> str:
    """argparse's refusal: a usage synopsis, then one `deltanet …: error: …` line; no traceback."""
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("deltanet") and ": error: " in last, err
    for fragment in fragments:
        assert fragment in last, f"{fragment!r} not in {last!r}"
    return last


def weights(path) -> dict:
    """name → array of a model.npz (through dn.io's checked reader)."""
    return {name: t.data for name, t in dn.io.load_state_dict(path).items()}


def assert_same_weights(a, b) -> None:
    a, b = weights(a), weights(b)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype
        assert np.array_equal(a[name], b[name]), f"{name}: max |Δ| = {np.abs(a[name] - b[name]).max()}"


def history_without_time(run_dir) -> list[dict]:
    records = dn.train.History.from_json((run_dir / "history.json").read_text()).records
    return [{k: v for k, v in r.items() if k != "time"} for r in records]


def checkpoint_epoch(path) -> int:
    return dn.io.info(path)["metadata"]["epoch"]


warnings_ignored = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                                              "ignore:invalid value encountered:RuntimeWarning")
