"""Fashion-MNIST from a folder of small generated IDX files (DELTANET_FASHION_MNIST)."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from deltanet.data import DataError, datasets
from deltanet.tensor import get_default_dtype

N_TRAIN, N_TEST = 10_005, 7  # validation is always the last 10,000 training images


def idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }
    for name, array in files.items():
        raw = idx(array)
        (tmp_path / name).write_bytes(gzip.compress(raw, compresslevel=1) if name.endswith(".gz") else raw)
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path))
    return tmp_path, files


def test_splits_follow_the_mnist_convention(folder):
    _, files = folder
    images, labels = files["train-images-idx3-ubyte"], files["train-labels-idx1-ubyte"]
    expected = {
        "train": (images[:5], labels[:5]),
        "validation": (images[5:], labels[5:]),
        "test": (files["t10k-images-idx3-ubyte.gz"], files["t10k-labels-idx1-ubyte.gz"]),
    }
    for split, (images, labels) in expected.items():
        X, y = datasets.fashion_mnist(split)
        assert X.shape == (len(labels), 784) and X.dtype == get_default_dtype() and y.dtype == np.int64
        np.testing.assert_allclose(X, images.reshape(-1, 784) / 255, rtol=1e-6)
        np.testing.assert_array_equal(y, labels)


def test_missing_data_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(
        DataError, match="`sudo apt-get install dataset-fashion-mnist`.*DELTANET_FASHION_MNIST"
    ):
        datasets.fashion_mnist("test")


def test_bad_labels_and_mismatched_files_are_refused(folder):
    path, _ = folder
    (path / "t10k-labels-idx1-ubyte.gz").unlink()
    (path / "t10k-labels-idx1-ubyte").write_bytes(idx(np.array([1, 2, 12, 3, 4, 5, 6], dtype=np.uint8)))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: labels must lie in 0..9, found 12"):
        datasets.fashion_mnist("test")
    (path / "t10k-labels-idx1-ubyte").write_bytes(idx(np.zeros(6, dtype=np.uint8)))
    with pytest.raises(DataError, match=r"t10k images have shape \(7, 28, 28\) and labels \(6,\)"):
        datasets.fashion_mnist("test")
    (path / "t10k-labels-idx1-ubyte").write_bytes(idx(np.zeros((7, 1), dtype=np.uint8)))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: expected uint8 data with 1 dimension"):
        datasets.fashion_mnist("test")


def test_truncated_file_is_named(folder):
    path, _ = folder
    raw = (path / "train-labels-idx1-ubyte").read_bytes()
    (path / "train-labels-idx1-ubyte").write_bytes(raw[:-3])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte: .*truncated"):
        datasets.fashion_mnist("validation")


def test_unknown_split(folder):
    with pytest.raises(ValueError, match="fashion_mnist: unknown split 'valid'"):
        datasets.fashion_mnist("valid")


@pytest.mark.slow
@pytest.mark.skipif(
    not Path(datasets.FASHION_MNIST_DIR).is_dir(), reason="dataset-fashion-mnist not installed"
)
def test_real_fashion_mnist(monkeypatch):
    monkeypatch.delenv(datasets.FASHION_MNIST_ENV, raising=False)
    sizes = {split: datasets.fashion_mnist(split)[0].shape for split in datasets.SPLITS}
    assert sizes == {"train": (50_000, 784), "validation": (10_000, 784), "test": (10_000, 784)}
    X, y = datasets.fashion_mnist("test")
    assert 0 <= X.min() and X.max() == 1 and np.bincount(y).tolist() == [1000] * 10
