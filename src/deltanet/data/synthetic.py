"""Synthetic data sets: boolean functions, point clouds, functions to approximate, sequence tasks.

All return NumPy arrays `(X, y)`: floats in the library's default dtype, class labels int64. Random sets
take `seed` (an int gives the same data every call; None draws from `deltanet.random.default_generator()`,
so `deltanet.manual_seed` makes them reproducible too).
"""

import numpy as np

from deltanet.data._common import check_int, rng
from deltanet.data.encode import binary
from deltanet.tensor import get_default_dtype


def _floats(array) -> np.ndarray:
    return np.asarray(array, dtype=get_default_dtype())


def _check_number(value, name: str, where: str, minimum: float = 0.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.number)
        or not minimum <= value < np.inf
    ):
        raise ValueError(f"{where}: {name} must be a finite number ≥ {minimum}, got {value!r}")
    return float(value)


def _interval(domain, where: str) -> tuple[float, float]:
    """(lo, hi) with finite lo < hi, or a clear error."""
    try:
        lo, hi = (float(v) for v in domain)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: domain must be a pair (lo, hi), got {domain!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{where}: domain must satisfy lo < hi (both finite), got {domain!r}")
    return lo, hi


def _targets(values, n: int, where: str) -> np.ndarray:
    """The output of a user function as an (n, 1) column, checked for shape and finiteness."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (n,):
        raise ValueError(
            f"{where}: f must map an array of shape ({n},) to one of the same shape "
            "(use np.sin, not math.sin), "
            f"got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{where}: f returned NaN or infinite values on the domain")
    return _floats(values[:, None])


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: X of shape (4, 2) = the points 00, 01, 10, 11; y of shape (4, 1) = 0, 1, 1, 0."""
    X = binary(np.arange(4), bits=2)
    return X, _floats([[0], [1], [1], [0]])


def truth_table(fn, p: int) -> tuple[np.ndarray, np.ndarray]:
    """All 2**p boolean inputs and `fn` on each: X of shape (2**p, p), y of shape (2**p, k).

    Row i of X is i in binary, most-significant bit first (000, 001, 010, ...). `fn` is called with the
    p bits as ints, `fn(x1, ..., xp)`, and returns a number or bool (k = 1) or a sequence of k of them.
    Example: `truth_table(lambda a, b: a and not b, 2)`.
    """
    p = check_int(p, "p", "truth_table")
    if p > 20:
        raise ValueError(f"truth_table: p must be ≤ 20 (2**p rows), got {p}")
    rows = binary(np.arange(2**p), bits=p, dtype=np.int64)
    try:
        y = np.array([fn(*map(int, row)) for row in rows], dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"truth_table: fn must take {p} bits and return a number or a fixed-length sequence ({e})"
        ) from e
    if y.ndim not in (1, 2):
        raise ValueError(
            f"truth_table: fn must return a number or a flat sequence, got outputs of shape {y.shape[1:]}"
        )
    return _floats(rows), _floats(y.reshape(len(rows), -1))


def blobs(n: int = 300, centers=3, std: float = 1.0, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters: X of shape (n, d), y of shape (n,) int64 labels 0..k-1 (example i in cluster i % k).

    `centers` is a count k (centres drawn uniformly from [-10, 10]², d = 2) or an array of shape (k, d).
    Each point is its centre plus N(0, std²) noise per coordinate.
    """
    n = check_int(n, "n", "blobs")
    std = _check_number(std, "std", "blobs")
    generator = rng(seed, "blobs")
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        centers = generator.uniform(-10.0, 10.0, size=(check_int(centers, "centers", "blobs"), 2))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or len(centers) == 0 or not np.all(np.isfinite(centers)):
        raise ValueError(
            f"blobs: centers must be a count or a finite array of shape (k, d), got shape {centers.shape}"
        )
    y = np.arange(n) % len(centers)
    X = centers[y] + std * generator.standard_normal((n, centers.shape[1]))
    return _floats(X), y.astype(np.int64)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed=None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings (not linearly separable): X of shape (n, 2), y of shape (n,) int64.

    Label 0: the outer ring (radius 1), label 1: the inner ring (radius `factor`), alternating; angles are
    uniform and each coordinate gets N(0, noise²) noise. A network needs a hidden layer to separate them.
    """
    n = check_int(n, "n", "circles")
    noise = _check_number(noise, "noise", "circles")
    factor = _check_number(factor, "factor", "circles")
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor (inner radius / outer radius) must lie in (0, 1), got {factor}")
    generator = rng(seed, "circles")
    y = np.arange(n) % 2
    radius = np.where(y == 0, 1.0, factor)
    angle = generator.uniform(0.0, 2 * np.pi, n)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X += noise * generator.standard_normal((n, 2))
    return _floats(X), y.astype(np.int64)


def function_1d(f, n: int = 100, domain=(0.0, 1.0), seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of f: X of shape (n, 1) uniform in `domain` = (lo, hi), y = f(X) of shape (n, 1).

    `f` is called once with the n sample points as an array of shape (n,), e.g. `np.sin`.
    """
    n = check_int(n, "n", "function_1d")
    lo, hi = _interval(domain, "function_1d")
    x = rng(seed, "function_1d").uniform(lo, hi, n)
    return _floats(x[:, None]), _targets(f(x), n, "function_1d")


def function_2d(f, n: int = 400, domain=((0.0, 1.0), (0.0, 1.0)), seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of f(x1, x2): X of shape (n, 2) uniform in `domain`, y of shape (n, 1).

    `domain` is ((lo1, hi1), (lo2, hi2)), or one (lo, hi) for both inputs. `f` is called once with two
    arrays of shape (n,), e.g. `lambda x1, x2: np.sin(x1) * x2`.
    """
    n = check_int(n, "n", "function_2d")
    if np.ndim(domain) == 1:
        domain = (domain, domain)
    if np.ndim(domain) != 2 or len(domain) != 2:
        raise ValueError(f"function_2d: domain must be (lo, hi) or ((lo1, hi1), (lo2, hi2)), got {domain!r}")
    bounds = np.array([_interval(d, "function_2d") for d in domain])
    X = rng(seed, "function_2d").uniform(bounds[:, 0], bounds[:, 1], size=(n, 2))
    return _floats(X), _targets(f(X[:, 0], X[:, 1]), n, "function_2d")


def parity_sequences(n: int = 1000, length: int = 8, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Random bit sequences and their parity: X of shape (n, length, 1) (batch_first), y of shape (n, 1).

    y is 1 when the sequence holds an odd number of ones (XOR of all bits): a recurrent net must carry one
    bit of state across all `length` steps.
    """
    n = check_int(n, "n", "parity_sequences")
    length = check_int(length, "length", "parity_sequences")
    bits = rng(seed, "parity_sequences").integers(0, 2, size=(n, length))
    return _floats(bits[:, :, None]), _floats(bits.sum(axis=1, keepdims=True) % 2)


def adding_problem(n: int = 1000, length: int = 50, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Hochreiter & Schmidhuber's adding problem: X of shape (n, length, 2) (batch_first), y of shape (n, 1).

    Channel 0 holds uniform values in [0, 1]; channel 1 marks two steps with 1 (one in the first half of
    the sequence, one in the second). The target is the sum of the two marked values — a long-range memory
    test for recurrent nets.
    """
    n = check_int(n, "n", "adding_problem")
    length = check_int(length, "length", "adding_problem", minimum=2)
    generator = rng(seed, "adding_problem")
    values = generator.uniform(0.0, 1.0, size=(n, length))
    half = length // 2
    first = generator.integers(0, half, size=n)
    second = generator.integers(half, length, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return _floats(np.stack([values, markers], axis=2)), _floats(y[:, None])
