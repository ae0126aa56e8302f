"""Fused losses: one primitive each, so that ∂C/∂z has its simple, exactly-rounded form.

squared_error(a, y):      C = s Σ (a − y)²                    ∂C/∂a = 2s (a − y)   (s: ½/n, 1/size, 1)

cross_entropy(z, y):      C = −Σᵢ yᵢ log softmax(z)ᵢ        δ = ∂C/∂z = softmax(z) − y
bce_with_logits(z, y):    C = −[y log σ(z) + (1−y) log(1−σ(z))]  δ = σ(z) − y
bce(a, y):                the same on probabilities a (logs clamped at −100, as PyTorch)
Each returns per-example losses reduced by `reduction` ('mean', 'sum' or 'none').
"""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops.softmax import _shifted_exp
from deltanet.ops.unary import sigmoid_array

_EPSILON = float(np.float32(1e-12))  # torch clamps a(1 − a) at its float constant 1e-12 in every dtype


def _reduce(losses, reduction, count):
    if reduction == "none":
        return losses
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    total = np.sum(losses)
    if reduction == "mean" and count == 0:
        return np.full((), np.nan, dtype=losses.dtype)  # as torch: the mean over no examples is nan
    return total / count if reduction == "mean" else total


def _scale(g, reduction, count):
    """∂C/∂(each per-example loss): g/count for 'mean', g for 'sum' and 'none' (a scalar spreads over the
    examples by broadcasting). With no example counted, the mean has zero gradient (as torch)."""
    if reduction == "mean":
        return g / count if count else np.zeros_like(g)
    return g


class CrossEntropy(Function):
    """Cross-entropy on logits z of shape (N, C) or (N, C, d…); target = class indices (N, d…) or
    probabilities shaped like z. Targets equal to `ignore_index` contribute nothing, as in PyTorch.
    Internally the class axis is moved last and the rest flattened: rows r = examples (and positions)."""

    @staticmethod
    def forward(ctx, z, target, reduction="mean", ignore_index=-100):
        num_classes = z.shape[1]
        z_rows = z if z.ndim == 2 else np.moveaxis(z, 1, -1).reshape(-1, num_classes)
        e, m = _shifted_exp(z_rows, 1)
        sum_e = e.sum(axis=1, keepdims=True)
        log_sum_e = np.log(sum_e)  # log Σⱼ e^{zⱼ − m}, per row
        ctx.p, ctx.z_shape = e / sum_e, z.shape
        target = np.asarray(target)
        if target.dtype.kind in "iu":
            t = target.reshape(-1)
            valid = t != ignore_index
            all_valid = bool(valid.all())
            if not all_valid:
                t = np.where(valid, t, 0)
            if t.size and (t.min() < 0 or t.max() >= num_classes):
                bad = t[(t < 0) | (t >= num_classes)][0]
                raise IndexError(f"cross_entropy: target class {bad} is out of range for {num_classes} classes "
                                 f"(expected 0 … {num_classes - 1})")
            ctx.rows, ctx.t, ctx.y = np.arange(t.size), t, None
            ctx.valid = None if all_valid else valid[:, None]
            losses = log_sum_e[:, 0] - (z_rows[ctx.rows, t] - m[:, 0])  # −log pₜ = logΣe^{zⱼ−m} − (zₜ − m)
            count = t.size
            if ctx.valid is not None:
                losses *= valid
                count = int(valid.sum())
        else:
            if target.shape != z.shape:
                raise ValueError(f"cross_entropy: probability targets must have the logits' shape {z.shape}, "
                                 f"got {target.shape}")
            ctx.y = np.moveaxis(target, 1, -1).reshape(-1, num_classes).astype(z.dtype, copy=False)
            ctx.valid = None
            ctx.log_p = z_rows - m - log_sum_e
            losses = -np.sum(ctx.y * ctx.log_p, axis=1)
            count = losses.size
        ctx.reduction, ctx.count = reduction, count
        return _reduce(losses.reshape(z.shape[:1] + z.shape[2:]), reduction, count)

    @staticmethod
    def _delta(ctx):
        """δ = ∂(per-row loss)/∂z = softmax(z)·Σy − y (= softmax(z) − y when the target row sums to 1),
        one row per example (zero rows for ignored targets)."""
        if ctx.y is not None:
            return ctx.p * np.sum(ctx.y, axis=1, keepdims=True) - ctx.y
        delta = ctx.p.copy()
        delta[ctx.rows, ctx.t] -= 1
        return delta if ctx.valid is None else delta * ctx.valid

    @staticmethod
    def _to_logit_shape(ctx, rows):
        if len(ctx.z_shape) == 2:
            return rows
        n, c, *rest = ctx.z_shape
        return np.moveaxis(rows.reshape(n, *rest, c), -1, 1)

    @staticmethod
    def _per_row(ctx, g):
        """The upstream gradient of each row's loss: a column, or one number for 'mean'/'sum'."""
        if ctx.reduction == "none":
            return g.reshape(-1, 1)
        return _scale(g, ctx.reduction, ctx.count)

    @staticmethod
    def backward(ctx, g):
        g_rows = CrossEntropy._per_row(ctx, g)
        grad_z = CrossEntropy._to_logit_shape(ctx, CrossEntropy._delta(ctx) * g_rows)
        grad_y = None
        if ctx.needs_input_grad[1]:
            grad_y = CrossEntropy._to_logit_shape(ctx, -ctx.log_p * g_rows)
        return grad_z, grad_y

    @staticmethod
    def jvp(ctx, tz, ty):
        c = ctx.z_shape[1]
        d_rows = np.sum(CrossEntropy._delta(ctx) * np.moveaxis(tz, 1, -1).reshape(-1, c), axis=1)
        if ty is not None and ty.dtype.kind == "f" and ctx.y is not None:
            d_rows = d_rows - np.sum(np.moveaxis(ty, 1, -1).reshape(-1, c) * ctx.log_p, axis=1)
        return _reduce(d_rows.reshape(ctx.z_shape[:1] + ctx.z_shape[2:]), ctx.reduction, ctx.count)


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
        g_each = _scale(g, ctx.reduction, ctx.count)
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
        return (a - y) / np.maximum(a * (1 - a), _EPSILON), ctx.log_1ma - ctx.log_a

    @staticmethod
    def backward(ctx, g):
        g_each = _scale(g, ctx.reduction, ctx.count)
        d_a, d_y = BCE._partials(ctx)
        need_y = ctx.needs_input_grad[1]
        return d_a * g_each, (d_y * g_each if need_y else None)

    @staticmethod
    def jvp(ctx, ta, ty):
        d_a, d_y = BCE._partials(ctx)
        d = d_a * ta if ty is None else d_a * ta + d_y * ty
        return _reduce(d, ctx.reduction, ctx.count)


class SquaredError(Function):
    """C = s · Σ (a − y)² over all elements, for a constant scale s (½/n: Nielsen's quadratic cost;
    1/size: MSE; 1: sum);  ∂C/∂a = 2s (a − y),  ∂C/∂y = −2s (a − y)."""

    @staticmethod
    def forward(ctx, a, y, scale):
        d = np.subtract(a, y)
        if d.shape != np.shape(a):
            raise ValueError(f"squared error: target shape {np.shape(y)} must equal input shape {np.shape(a)}")
        flat = d.reshape(-1)
        ctx.d, ctx.scale = d, scale
        return np.asarray(scale * np.dot(flat, flat), dtype=d.dtype)

    @staticmethod
    def backward(ctx, g):
        need_a, need_y = ctx.needs_input_grad
        grad_a = (2 * ctx.scale * g) * ctx.d
        return (grad_a if need_a else None), (-grad_a if need_y else None)

    @staticmethod
    def jvp(ctx, ta, ty):
        t = (0 if ta is None else ta) - (0 if ty is None else ty)
        return 2 * ctx.scale * np.sum(ctx.d * t)
