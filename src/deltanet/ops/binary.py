"""Elementwise binary primitives with NumPy/PyTorch broadcasting.

Backward sums each input's gradient over the axes it was broadcast along (`unbroadcast`), so ∂C/∂b has
b's shape. An input that is not a tensor (a Python number, an array) gets no gradient and no tangent.
"""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops._util import broadcast_op, unbroadcast


def _shapes(ctx, a, b):
    ctx.shape_a, ctx.shape_b = np.shape(a), np.shape(b)


class Add(Function):
    """c = a + b;  ∂c/∂a = 1, ∂c/∂b = 1."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        return broadcast_op(np.add, a, b, "add")

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g, ctx.shape_a) if need_a else None,
                unbroadcast(g, ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        if ta is None:
            return tb
        return ta if tb is None else ta + tb


class Sub(Function):
    """c = a − b;  ∂c/∂a = 1, ∂c/∂b = −1."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        return broadcast_op(np.subtract, a, b, "sub")

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g, ctx.shape_a) if need_a else None,
                unbroadcast(-g, ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        if ta is None:
            return -tb
        return ta if tb is None else ta - tb


class Mul(Function):
    """c = a ⊙ b;  ∂c/∂a = b, ∂c/∂b = a."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        ctx.a, ctx.b = a, b
        return broadcast_op(np.multiply, a, b, "mul")

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g * ctx.b, ctx.shape_a) if need_a else None,
                unbroadcast(g * ctx.a, ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        da = None if ta is None else ta * ctx.b
        db = None if tb is None else ctx.a * tb
        return Add.jvp(ctx, da, db)


class Div(Function):
    """c = a / b;  ∂c/∂a = 1/b, ∂c/∂b = −a/b² = −c/b."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        ctx.b = b
        ctx.c = broadcast_op(np.true_divide, a, b, "div")
        return ctx.c

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        g_over_b = g / ctx.b
        return (unbroadcast(g_over_b, ctx.shape_a) if need_a else None,
                unbroadcast(-g_over_b * ctx.c, ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        da = None if ta is None else ta / ctx.b
        db = None if tb is None else -tb * ctx.c / ctx.b
        return Add.jvp(ctx, da, db)


class Pow(Function):
    """c = aᵇ;  ∂c/∂a = b·aᵇ⁻¹, ∂c/∂b = aᵇ·ln a (taken as 0 where a = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        ctx.a, ctx.b = a, b
        ctx.c = broadcast_op(np.power, a, b, "pow")
        return ctx.c

    @staticmethod
    def _partials(ctx):
        a, b, c = ctx.a, ctx.b, ctx.c
        with np.errstate(divide="ignore", invalid="ignore"):
            d_a = np.where(b == 0, 0.0, b * np.power(a, b - 1))
            d_b = np.where(a == 0, 0.0, c * np.log(np.where(a == 0, 1, a)))
        return d_a, d_b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        d_a, d_b = Pow._partials(ctx)
        return (unbroadcast(g * d_a, ctx.shape_a) if need_a else None,
                unbroadcast(g * d_b, ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        d_a, d_b = Pow._partials(ctx)
        return Add.jvp(ctx, None if ta is None else ta * d_a, None if tb is None else tb * d_b)


class Where(Function):
    """c = a where condition else b;  the gradient flows to a where condition holds, to b elsewhere."""

    @staticmethod
    def forward(ctx, condition, a, b):
        _shapes(ctx, a, b)
        ctx.condition = np.asarray(condition, dtype=bool)
        try:
            return np.where(ctx.condition, a, b)
        except ValueError:
            raise ValueError(f"where: shapes {ctx.condition.shape}, {np.shape(a)} and {np.shape(b)} cannot be "
                             "broadcast together") from None

    @staticmethod
    def backward(ctx, g):
        _, need_a, need_b = ctx.needs_input_grad
        zero = np.zeros((), dtype=g.dtype)
        return (None,
                unbroadcast(np.where(ctx.condition, g, zero), ctx.shape_a) if need_a else None,
                unbroadcast(np.where(ctx.condition, zero, g), ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        return np.where(ctx.condition, 0 if ta is None else ta, 0 if tb is None else tb)


class Maximum(Function):
    """c = max(a, b) elementwise;  the gradient goes to the larger input, split evenly on ties (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        _shapes(ctx, a, b)
        c = broadcast_op(np.maximum, a, b, "maximum")
        ctx.share_a = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)).astype(c.dtype)
        return c

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g * ctx.share_a, ctx.shape_a) if need_a else None,
                unbroadcast(g * (1 - ctx.share_a), ctx.shape_b) if need_b else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        return Add.jvp(ctx, None if ta is None else ta * ctx.share_a,
                       None if tb is None else tb * (1 - ctx.share_a))
