"""Small helpers shared by the primitives."""

import numpy as np


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a gradient back to the shape of an input that was broadcast to g.shape."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape) if axes else g.reshape(shape)


def broadcast_op(ufunc, a, b, name: str) -> np.ndarray:
    """ufunc(a, b) with a clear error naming the op and both shapes when they cannot broadcast."""
    try:
        return ufunc(a, b)
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise ValueError(f"{name}: shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast together "
                         "(NumPy/PyTorch broadcasting rules: trailing dimensions must match or be 1)") from None


def normalize_dims(dim, ndim: int) -> tuple:
    """`dim` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dimension(s)")
        out.append(int(d) % max(ndim, 1))
    return tuple(sorted(set(out)))


def zeros_if_none(t, like):
    return np.zeros_like(like) if t is None else t


def weight_grad(delta: np.ndarray, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """∂C/∂W = δᵀx (δ is (N, out), x is (N, in)) in the weight's own memory layout: (xᵀδ)ᵀ for a
    column-major W. The optimizer's elementwise updates then run over two arrays of one layout."""
    return delta.T @ x if weight.flags.c_contiguous else (x.T @ delta).T
