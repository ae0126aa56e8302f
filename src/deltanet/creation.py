"""Making tensors: from data, filled, random (from the library's seeded generator), ranges."""

from __future__ import annotations

import numpy as np

from deltanet.random import default_generator
from deltanet.tensor import Tensor, _as_array, get_default_dtype


def _shape(shape) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def _float_dtype(dtype):
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (list, number, NumPy array or tensor), as torch.tensor."""
    return Tensor(np.array(_as_array(data, dtype), copy=True), requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array`."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    return Tensor(array)


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False) -> Tensor:
    return Tensor(np.full(tuple(shape), fill_value, dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def zeros_like(x: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return Tensor(np.zeros(x.shape, dtype=dtype or x.dtype), requires_grad=requires_grad)


def ones_like(x: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return Tensor(np.ones(x.shape, dtype=dtype or x.dtype), requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal samples N(0, 1) from the library's generator (`dn.manual_seed`)."""
    data = default_generator().standard_normal(_shape(shape)).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1) from the library's generator."""
    data = default_generator().random(_shape(shape)).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None) -> Tensor:
    """start, start + step, … < end; integers give int64, floats the default dtype (as torch.arange)."""
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is not None:
        return Tensor(values.astype(dtype))
    return Tensor(values.astype(np.int64 if values.dtype.kind in "iu" else get_default_dtype()))


def linspace(start, end, steps, dtype=None) -> Tensor:
    return Tensor(np.linspace(start, end, steps).astype(_float_dtype(dtype)))


def eye(n, m=None, dtype=None) -> Tensor:
    return Tensor(np.eye(n, m, dtype=_float_dtype(dtype)))
