"""Primitives that move values around without changing them: reshape, permute, index, concatenate.

Their VJP moves the gradient back to where each value came from (summing where one value was used
many times, as in broadcasting or repeated indices); their JVP moves the tangent the same way as the value.
"""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops._util import unbroadcast


class Reshape(Function):
    """y = x viewed with another shape (same elements, row-major order)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            y = x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot view a tensor of shape {x.shape} ({x.size} elements) "
                             f"as shape {tuple(shape)}") from None
        ctx.out_shape = y.shape
        return y

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return t.reshape(ctx.out_shape)


class Permute(Function):
    """y = x with its axes reordered: y.shape[i] = x.shape[dims[i]]."""

    @staticmethod
    def forward(ctx, x, dims):
        if sorted(dims) != list(range(x.ndim)):
            raise ValueError(f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} axes of {x.shape}")
        ctx.dims = tuple(dims)
        return np.transpose(x, ctx.dims)

    @staticmethod
    def backward(ctx, g):
        return np.transpose(g, np.argsort(ctx.dims))

    @staticmethod
    def jvp(ctx, t):
        return np.transpose(t, ctx.dims)


class Expand(Function):
    """y = x broadcast to a larger shape;  the gradient is summed back (`unbroadcast`)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ValueError(f"expand: cannot broadcast shape {x.shape} to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return t


def _is_basic(index) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (no element can be picked twice)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Function):
    """y = x[index];  the VJP scatter-adds g into zeros shaped like x (repeated indices add up)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {x.shape}: {error}") from None

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, dtype=g.dtype)
        if _is_basic(ctx.index):
            out[ctx.index] = g
        else:
            np.add.at(out, ctx.index, g)
        return out

    @staticmethod
    def jvp(ctx, t):
        return t[ctx.index]


class Cat(Function):
    """y = [x₁, x₂, …] joined along `dim`;  the gradient is split back into the pieces."""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        try:
            y = np.concatenate(xs, axis=dim)
        except ValueError:
            shapes = ", ".join(str(np.shape(x)) for x in xs)
            raise ValueError(f"cat: shapes {shapes} must match except in dim {dim}") from None
        ctx.dim = dim % y.ndim
        ctx.splits = np.cumsum([np.shape(x)[ctx.dim] for x in xs])[:-1]
        return y

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.dim))

    @staticmethod
    def jvp(ctx, *ts):
        return np.concatenate(ts, axis=ctx.dim)


class Stack(Function):
    """y = [x₁, x₂, …] stacked along a new axis `dim`;  the gradient is unstacked."""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        try:
            y = np.stack(xs, axis=dim)
        except ValueError:
            shapes = ", ".join(str(np.shape(x)) for x in xs)
            raise ValueError(f"stack: all tensors must have the same shape, got {shapes}") from None
        ctx.dim = dim % y.ndim
        return y

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.dim, 0))

    @staticmethod
    def jvp(ctx, *ts):
        return np.stack(ts, axis=ctx.dim)
