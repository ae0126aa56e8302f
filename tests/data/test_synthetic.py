import numpy as np
import pytest

from deltanet.data import datasets
from deltanet.random import manual_seed
from deltanet.tensor import get_default_dtype

FLOAT = get_default_dtype()


def test_xor():
    X, y = datasets.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert X.dtype == y.dtype == get_default_dtype()


def test_truth_table_rows_count_in_binary_and_fn_is_applied():
    X, y = datasets.truth_table(lambda a, b, c: a and not c, 3)
    assert X.shape == (8, 3) and y.shape == (8, 1)
    np.testing.assert_array_equal(X[5], [1, 0, 1])
    np.testing.assert_array_equal(y[:, 0], [(r[0] and not r[2]) for r in X.astype(int)])
    X, y = datasets.truth_table(lambda a, b: (a & b, a | b), 2)
    np.testing.assert_array_equal(y, [[0, 0], [0, 1], [0, 1], [1, 1]])
    with pytest.raises(ValueError, match="fn must take 2 bits"):
        datasets.truth_table(lambda a: a, 2)
    with pytest.raises(ValueError, match="p must be ≤ 20"):
        datasets.truth_table(lambda *bits: 0, 21)


def test_blobs():
    X, y = datasets.blobs(n=31, centers=3, std=0.1, seed=0)
    assert X.shape == (31, 2) and X.dtype == FLOAT and y.shape == (31,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [11, 10, 10])
    centers = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    X, y = datasets.blobs(n=400, centers=centers, std=0.5, seed=1)
    assert X.shape == (400, 3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), 5.0, atol=0.1)
    with pytest.raises(ValueError, match="std must be a finite number ≥ 0"):
        datasets.blobs(std=-1)


def test_circles_have_two_rings():
    X, y = datasets.circles(n=101, noise=0.0, factor=0.3, seed=0)
    assert X.shape == (101, 2) and X.dtype == FLOAT and np.bincount(y).tolist() == [51, 50]
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-6)
    with pytest.raises(ValueError, match=r"factor .* must lie in \(0, 1\)"):
        datasets.circles(factor=1.0)


def test_function_1d_and_2d():
    X, y = datasets.function_1d(np.sin, n=50, domain=(-3, 3), seed=0)
    assert X.shape == y.shape == (50, 1) and X.dtype == FLOAT
    assert -3 <= X.min() and X.max() <= 3
    np.testing.assert_allclose(y, np.sin(X.astype(np.float64)), rtol=1e-6, atol=1e-7)
    X, y = datasets.function_2d(lambda a, b: a * b, n=60, domain=((0, 1), (2, 4)), seed=0)
    assert X.shape == (60, 2) and y.shape == (60, 1)
    assert X[:, 1].min() >= 2 and X[:, 1].max() <= 4
    np.testing.assert_allclose(y[:, 0], X[:, 0] * X[:, 1], rtol=1e-6)
    assert datasets.function_2d(np.add, n=5, domain=(0, 1), seed=0)[0].shape == (5, 2)


def test_function_errors():
    with pytest.raises(ValueError, match="use np.sin, not math.sin"):
        datasets.function_1d(lambda x: 1.0, n=5)
    with pytest.raises(ValueError, match="NaN or infinite"):
        datasets.function_1d(lambda x: np.where(x < 0.5, np.nan, x), n=50, seed=0)
    with pytest.raises(ValueError, match="lo < hi"):
        datasets.function_1d(np.sin, domain=(1, 0))
    with pytest.raises(ValueError, match="domain must be"):
        datasets.function_2d(np.add, domain=((0, 1), (0, 1), (0, 1)))


def test_sequence_tasks():
    X, y = datasets.parity_sequences(n=20, length=9, seed=0)
    assert X.shape == (20, 9, 1) and y.shape == (20, 1) and X.dtype == FLOAT
    np.testing.assert_array_equal(y[:, 0], X[:, :, 0].sum(axis=1) % 2)
    X, y = datasets.adding_problem(n=30, length=10, seed=0)
    assert X.shape == (30, 10, 2) and y.shape == (30, 1)
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :5].sum(axis=1) == 1)  # one mark in each half
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: datasets.blobs(seed=seed),
        lambda seed: datasets.circles(seed=seed),
        lambda seed: datasets.function_1d(np.cos, seed=seed),
        lambda seed: datasets.function_2d(np.add, seed=seed),
        lambda seed: datasets.parity_sequences(seed=seed),
        lambda seed: datasets.adding_problem(seed=seed),
    ],
)
def test_seeded_and_reproducible(make):
    a, b, c = make(3), make(3), make(4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    manual_seed(9)
    d = make(None)
    manual_seed(9)
    np.testing.assert_array_equal(d[0], make(None)[0])
