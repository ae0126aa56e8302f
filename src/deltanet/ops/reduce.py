"""Reductions over dimensions `dim` (None = all), with `keepdim` as in PyTorch.

The gradient of a reduction is spread back over the reduced axes: evenly for sum/mean, to the
selected element for max/min.
"""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops._util import normalize_dims


def _expand_back(g, ctx):
    """g spread over the reduced axes: a fresh array of the input's shape (g broadcast along them)."""
    out = np.empty(ctx.shape, dtype=g.dtype)
    out[...] = g if ctx.keepdim or g.ndim == 0 else np.expand_dims(g, ctx.axes)
    return out


def _setup(ctx, x, dim, keepdim):
    ctx.shape, ctx.keepdim = x.shape, keepdim
    ctx.axes = normalize_dims(dim, x.ndim) if x.ndim else ()


class Sum(Function):
    """s = Σ_dim x;  ∂s/∂x = 1 on every summed element."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        _setup(ctx, x, dim, keepdim)
        return x.sum(axis=ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx)

    @staticmethod
    def jvp(ctx, t):
        return np.sum(t, axis=ctx.axes, keepdims=ctx.keepdim)


class Mean(Function):
    """m = (1/n) Σ_dim x;  ∂m/∂x = 1/n."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        _setup(ctx, x, dim, keepdim)
        ctx.n = int(np.prod([x.shape[a] for a in ctx.axes])) if ctx.axes else 1
        return np.mean(x, axis=ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / ctx.n, ctx)

    @staticmethod
    def jvp(ctx, t):
        return np.mean(t, axis=ctx.axes, keepdims=ctx.keepdim)


class Amax(Function):
    """m = max_dim x;  the gradient is shared evenly by the maximal elements (PyTorch's amax rule)."""

    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x, dim=None, keepdim=False):
        _setup(ctx, x, dim, keepdim)
        m = cls.reduce(x, axis=ctx.axes, keepdims=True)
        hits = x == m
        ctx.share = hits / np.sum(hits, axis=ctx.axes, keepdims=True).astype(x.dtype)
        return m if keepdim else np.squeeze(m, axis=ctx.axes)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx) * ctx.share

    @staticmethod
    def jvp(ctx, t):
        return np.sum(t * ctx.share, axis=ctx.axes, keepdims=ctx.keepdim)


class Amin(Amax):
    """m = min_dim x;  the gradient is shared evenly by the minimal elements."""

    reduce = staticmethod(np.min)


class MaxAlong(Function):
    """m = max over one dim, with the gradient to the element `argmax` picked (torch.max(x, dim))."""

    pick = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=False):
        ctx.dim = int(normalize_dims(dim, x.ndim)[0]) if x.ndim else 0
        ctx.shape, ctx.keepdim = x.shape, keepdim
        if x.ndim == 0:
            ctx.index = np.zeros((), dtype=np.int64)
            return x.copy()
        ctx.index = np.expand_dims(cls.pick(x, axis=ctx.dim), ctx.dim)
        m = np.take_along_axis(x, ctx.index, axis=ctx.dim)
        return m if keepdim else np.squeeze(m, axis=ctx.dim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.shape:
            return g
        out = np.zeros(ctx.shape, dtype=g.dtype)
        np.put_along_axis(out, ctx.index, g if ctx.keepdim else np.expand_dims(g, ctx.dim), axis=ctx.dim)
        return out

    @staticmethod
    def jvp(ctx, t):
        if not ctx.shape:
            return t
        m = np.take_along_axis(t, ctx.index, axis=ctx.dim)
        return m if ctx.keepdim else np.squeeze(m, axis=ctx.dim)


class MinAlong(MaxAlong):
    """m = min over one dim, with the gradient to the element `argmin` picked (torch.min(x, dim))."""

    pick = staticmethod(np.argmin)
