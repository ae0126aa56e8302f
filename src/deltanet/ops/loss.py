"""Fused losses: one primitive each, so that ∂C/∂z has its simple, exactly-rounded form.

cross_entropy(z, y):      C = −Σᵢ yᵢ log softmax(z)ᵢ        δ = ∂C/∂z = softmax(z) − y
bce_with_logits(z, y):    C = −[y log σ(z) + (1−y) log(1−σ(z))]  δ = σ(z) − y
bce(a, y):                the same on probabilities a (logs clamped at −100, as PyTorch)
Each returns per-example losses reduced by `reduction` ('mean', 'sum' or 'none').
"""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops.softmax import _shifted_exp
from deltanet.ops.unary import sigmoid_array


def _reduce(losses, reduction, count):
    if reduction == "none":
        return losses
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    total = np.sum(losses)
    return total / count if reduction == "mean" else total


def _scale(g, reduction, count, shape):
    """The upstream gradient of each per-example loss: g/count (mean), g (sum) or g itself (none)."""
    if reduction == "none":
        return g
    return np.broadcast_to(g / count if reduction == "mean" else g, shape)


class CrossEntropy(Function):
    """Cross-entropy on logits z of shape (N, C) or (N, C, d…); target = class indices (N, d…) or
    probabilities shaped like z. Targets equal to `ignore_index` contribute nothing, as in PyTorch."""

    @staticmethod
    def forward(ctx, z, target, reduction="mean", ignore_index=-100):
        e, m = _shifted_exp(z, 1)
        sum_e = np.sum(e, axis=1, keepdims=True)
        log_p = z - m - np.log(sum_e)
        target = np.asarray(target)
        if target.dtype.kind in "iu":
            valid = target != ignore_index
            safe = np.where(valid, target, 0)
            if np.any((safe < 0) | (safe >= z.shape[1])):
                bad = target[valid & ((safe < 0) | (safe >= z.shape[1]))].flat[0]
                raise IndexError(f"cross_entropy: target class {bad} is out of range for {z.shape[1]} classes "
                                 f"(expected 0 … {z.shape[1] - 1})")
            y = np.zeros_like(z)
            np.put_along_axis(y, np.expand_dims(safe, 1), np.expand_dims(valid, 1).astype(z.dtype), axis=1)
            ctx.valid, count = np.expand_dims(valid, 1), int(np.sum(valid))
        else:
            y = target.astype(z.dtype, copy=False)
            ctx.valid, count = None, z.size // z.shape[1]
        ctx.p, ctx.y, ctx.log_p = e / sum_e, y, log_p
        ctx.reduction, ctx.count = reduction, count
        return _reduce(-np.sum(y * log_p, axis=1), reduction, count)

    @staticmethod
    def _delta(ctx):
        """δ = ∂(per-example loss)/∂z = softmax(z) − y (zero for ignored targets)."""
        delta = ctx.p - ctx.y
        return delta if ctx.valid is None else delta * ctx.valid

    @staticmethod
    def backward(ctx, g):
        losses_shape = ctx.y.shape[:1] + ctx.y.shape[2:]
        g_each = np.expand_dims(_scale(g, ctx.reduction, ctx.count, losses_shape), 1)
        need_y = ctx.needs_input_grad[1]
        return CrossEntropy._delta(ctx) * g_each, (-ctx.log_p * g_each if need_y else None)

    @staticmethod
    def jvp(ctx, tz, ty):
        d_losses = np.sum(CrossEntropy._delta(ctx) * tz, axis=1)
        if ty is not None and ty.dtype.kind == "f":
            d_losses = d_losses - np.sum(ty * ctx.log_p, axis=1)
        return _reduce(d_losses, ctx.reduction, ctx.count)


class BCEWithLogits(Function):
    """Binary cross-entropy on logits z (any shape) with targets y in [0, 1] of the same shape.
    C = max(z, 0) − z y + log(1 + e^{−|z|})  (stable for any |z|);  ∂C/∂z = σ(z) − y,  ∂C/∂y = −z."""

    @staticmethod
    def forward(ctx, z, y, reduction="mean"):
        y = np.asarray(y, dtype=z.dtype)
        if y.shape != z.shape:
            raise ValueError(f"binary_cross_entropy_with_logits: target shape {y.shape} must equal "
                             f"input shape {z.shape}")
        ctx.z, ctx.y, ctx.reduction, ctx.count = z, y, reduction, z.size
        ctx.sigma = sigmoid_array(z)
        losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return _reduce(losses, reduction, z.size)

    @staticmethod
    def backward(ctx, g):
        g_each = _scale(g, ctx.reduction, ctx.count, ctx.z.shape)
        need_y = ctx.needs_input_grad[1]
        return (ctx.sigma - ctx.y) * g_each, (-ctx.z * g_each if need_y else None)

    @staticmethod
    def jvp(ctx, tz, ty):
        d = (ctx.sigma - ctx.y) * tz
        if ty is not None:
            d = d - ctx.z * ty
        return _reduce(d, ctx.reduction, ctx.count)


class BCE(Function):
    """Binary cross-entropy on probabilities a: C = −[y max(log a, −100) + (1−y) max(log(1−a), −100)];
    ∂C/∂a = (a − y) / max(a(1 − a), 1e−12)  (PyTorch's clamping), ∂C/∂y = log(1−a) − log a (clamped)."""

    @staticmethod
    def forward(ctx, a, y, reduction="mean"):
        y = np.asarray(y, dtype=a.dtype)
        if y.shape != a.shape:
            raise ValueError(f"binary_cross_entropy: target shape {y.shape} must equal input shape {a.shape}")
        if np.any((a < 0) | (a > 1)):
            raise ValueError("binary_cross_entropy: input values must be probabilities in [0, 1] "
                             "(apply a sigmoid first, or use BCEWithLogitsLoss on logits)")
        with np.errstate(divide="ignore"):
            log_a = np.maximum(np.log(a), -100)
            log_1ma = np.maximum(np.log1p(-a), -100)
        ctx.a, ctx.y, ctx.log_a, ctx.log_1ma = a, y, log_a, log_1ma
        ctx.reduction, ctx.count = reduction, a.size
        return _reduce(-(y * log_a + (1 - y) * log_1ma), reduction, a.size)

    @staticmethod
    def _partials(ctx):
        a, y = ctx.a, ctx.y
        return (a - y) / np.maximum(a * (1 - a), 1e-12), ctx.log_1ma - ctx.log_a

    @staticmethod
    def backward(ctx, g):
        g_each = _scale(g, ctx.reduction, ctx.count, ctx.a.shape)
        d_a, d_y = BCE._partials(ctx)
        need_y = ctx.needs_input_grad[1]
        return d_a * g_each, (d_y * g_each if need_y else None)

    @staticmethod
    def jvp(ctx, ta, ty):
        d_a, d_y = BCE._partials(ctx)
        d = d_a * ta if ty is None else d_a * ta + d_y * ty
        return _reduce(d, ctx.reduction, ctx.count)
