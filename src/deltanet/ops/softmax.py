"""Softmax family along one dim, fused for stability: every exponent is of z − max z ≤ 0.

s = softmax(z):      sᵢ = e^{zᵢ} / Σⱼ e^{zⱼ};        VJP: s ⊙ (g − ⟨g, s⟩);     JVP: s ⊙ (t − ⟨t, s⟩)
log_softmax(z):      zᵢ − logΣⱼ e^{zⱼ};              VJP: g − s Σⱼ gⱼ;          JVP: t − ⟨t, s⟩
logsumexp(z):        log Σⱼ e^{zⱼ};                  VJP: g s;                   JVP: ⟨t, s⟩
"""

import numpy as np

from deltanet.autograd.function import Function


def _shifted_exp(z, dim):
    """(e^{z − max z}, max z) along dim, both keeping dim. Exponents are ≤ 0: no overflow for any |z|."""
    m = z.max(axis=dim, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0)
    return np.exp(z - m), m


class Softmax(Function):
    @staticmethod
    def forward(ctx, z, dim):
        e, _ = _shifted_exp(z, dim)
        ctx.s, ctx.dim = e / np.sum(e, axis=dim, keepdims=True), dim
        return ctx.s

    @staticmethod
    def backward(ctx, g):
        s = ctx.s
        return s * (g - np.sum(g * s, axis=ctx.dim, keepdims=True))

    jvp = backward  # the softmax Jacobian diag(s) − s sᵀ is symmetric


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, z, dim):
        e, m = _shifted_exp(z, dim)
        sum_e = np.sum(e, axis=dim, keepdims=True)
        ctx.s, ctx.dim = e / sum_e, dim
        return z - m - np.log(sum_e)

    @staticmethod
    def backward(ctx, g):
        return g - ctx.s * np.sum(g, axis=ctx.dim, keepdims=True)

    @staticmethod
    def jvp(ctx, t):
        return t - np.sum(t * ctx.s, axis=ctx.dim, keepdims=True)


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, z, dim, keepdim=False):
        e, m = _shifted_exp(z, dim)
        sum_e = np.sum(e, axis=dim, keepdims=True)
        ctx.s, ctx.dim, ctx.keepdim = e / sum_e, dim, keepdim
        out = m + np.log(sum_e)
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return ctx.s * (g if ctx.keepdim else np.expand_dims(g, ctx.dim))

    @staticmethod
    def jvp(ctx, t):
        return np.sum(t * ctx.s, axis=ctx.dim, keepdims=ctx.keepdim)
