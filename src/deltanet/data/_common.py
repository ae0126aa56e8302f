"""Helpers shared by the data modules: the error type, argument checks, array conversion."""

import numbers

import numpy as np

from deltanet.random import default_generator
from deltanet.tensor import Tensor


class DataError(Exception):
    """A data file is missing, corrupt or not the expected one; the message names the file and the fix."""


def as_array(x) -> np.ndarray:
    """The NumPy array behind a Tensor, or `np.asarray(x)` (no copy where possible)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def check_int(value, name: str, where: str, minimum: int = 1) -> int:
    """`value` as an int, or a clear error unless it is an integer ≥ `minimum` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be ≥ {minimum}, got {value}")
    return int(value)


def check_bool(value, name: str, where: str) -> bool:
    """`value` as a bool, or a clear error unless it is one."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def rng(seed, where: str) -> np.random.Generator:
    """A generator seeded with `seed`, or the library's generator (`deltanet.manual_seed`) when None."""
    if seed is None:
        return default_generator()
    return np.random.default_rng(check_int(seed, "seed", where, minimum=0))
