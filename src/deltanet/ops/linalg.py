"""Matrix products: `matmul` (the @ operator, NumPy/PyTorch semantics) and the fused affine map `linear`."""

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops._util import unbroadcast, weight_grad


def _check_dtypes(name, *arrays):
    dtypes = {a.dtype for a in arrays if a is not None}
    if len(dtypes) > 1:
        names = " and ".join(str(a.dtype) for a in arrays if a is not None)
        raise TypeError(f"{name}: operands must have the same dtype, got {names} "
                        "(convert one with .float() or .double())")


class MatMul(Function):
    """C = A @ B (batched over leading dims, 1-D operands promoted as in NumPy);
    ∂C/∂A: G @ Bᵀ,  ∂C/∂B: Aᵀ @ G."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = np.asarray(a), np.asarray(b)
        _check_dtypes("matmul", a, b)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least 1 dimension, got {a.shape} @ {b.shape}")
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise ValueError(f"matmul: shapes {a.shape} @ {b.shape} do not align: "
                             f"last dim of the left ({k_a}) must equal the "
                             f"{'only' if b.ndim == 1 else 'second-to-last'} dim of the right ({k_b})")
        ctx.a, ctx.b = a, b
        try:
            return np.matmul(a, b)
        except ValueError:
            raise ValueError(f"matmul: batch dimensions of {a.shape} and {b.shape} cannot be broadcast") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_input_grad
        a2 = a[None, :] if a.ndim == 1 else a            # (…, n, k)
        b2 = b[:, None] if b.ndim == 1 else b            # (…, k, m)
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            g2 = g2[..., None]                           # (…, n, m)
        ga = gb = None
        if need_a:
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b:
            gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):
        out = None
        if ta is not None:
            out = np.matmul(ta, ctx.b)
        if tb is not None:
            out = np.matmul(ctx.a, tb) if out is None else out + np.matmul(ctx.a, tb)
        return out


class Linear(Function):
    """z = x Wᵀ + b  (W is (out, in) as in PyTorch, x is (…, in));
    ∂C/∂x = δ W,  ∂C/∂W = δᵀ x,  ∂C/∂b = Σ_batch δ, where δ = ∂C/∂z."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(f"linear: input of shape {x.shape} does not fit a weight of shape {weight.shape} "
                             f"(expected the input's last dim to be in_features = {weight.shape[1]})")
        if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
            _check_dtypes("linear", x, weight, bias)
        ctx.x, ctx.weight, ctx.has_bias = x, weight, bias is not None
        z = x @ weight.T
        if bias is not None:
            z += bias
        return z

    @staticmethod
    def backward(ctx, delta):
        need_x, need_w, need_b = (ctx.needs_input_grad + (False,))[:3]
        x = ctx.x
        gx = delta @ ctx.weight if need_x else None
        gw = gb = None
        if delta.ndim != 2:                                 # (…, out): the batch is every leading index
            delta, x = delta.reshape(-1, delta.shape[-1]), x.reshape(-1, x.shape[-1])
        if need_w:
            gw = weight_grad(delta, x, ctx.weight)
        if need_b:
            gb = delta.sum(axis=0)
        return gx, gw, gb

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        dz = tx @ ctx.weight.T + ctx.x @ tw.T
        if tb is not None:
            dz += tb
        return dz
