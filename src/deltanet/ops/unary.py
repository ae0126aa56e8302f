"""Elementwise functions a = f(z). Their Jacobian is diagonal, so VJP and JVP are both f'(z) ⊙ (·):
each primitive states its forward value and its derivative f'(z), side by side."""

import numpy as np

from deltanet.autograd.function import Function


def sigmoid_array(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ), exact to rounding for any z: where e⁻ᶻ overflows (z < −709 in float64,
    −88 in float32) it is +inf and σ is correctly 0, so that overflow is expected and silenced (only then:
    `np.errstate` costs more than the whole computation on a small batch)."""
    a = np.negative(z)
    if type(a) is not np.ndarray or a.dtype.kind != "f":  # a NumPy scalar, or integers
        a = np.asarray(a, dtype=a.dtype if a.dtype.kind == "f" else np.float64)
    log_max = _LOG_MAX.get(a.dtype)
    if log_max is None:
        log_max = _LOG_MAX[a.dtype] = float(np.log(np.finfo(a.dtype).max))
    if a.max(initial=-np.inf) > log_max:
        with np.errstate(over="ignore"):
            np.exp(a, out=a)
    else:
        np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


_LOG_MAX: dict = {}  # dtype → ln(largest finite value): e^x overflows beyond it


class Elementwise(Function):
    """a = f(z) elementwise; subclasses define `forward` (saving what f' needs) and `derivative(ctx)`."""

    @staticmethod
    def derivative(ctx):
        raise NotImplementedError

    @classmethod
    def backward(cls, ctx, g):
        return g * cls.derivative(ctx)

    @classmethod
    def jvp(cls, ctx, t):
        return t * cls.derivative(ctx)


class Neg(Elementwise):
    """a = −z;  f' = −1."""

    @staticmethod
    def forward(ctx, z):
        return np.negative(z)

    @staticmethod
    def backward(ctx, g):
        return -g

    @staticmethod
    def jvp(ctx, t):
        return -t


class Exp(Elementwise):
    """a = eᶻ;  f' = eᶻ = a."""

    @staticmethod
    def forward(ctx, z):
        ctx.a = np.exp(z)
        return ctx.a

    @staticmethod
    def derivative(ctx):
        return ctx.a


class Log(Elementwise):
    """a = ln z;  f' = 1/z."""

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return np.log(z)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.z

    @staticmethod
    def jvp(ctx, t):
        return t / ctx.z


class Sqrt(Elementwise):
    """a = √z;  f' = 1/(2√z)."""

    @staticmethod
    def forward(ctx, z):
        ctx.a = np.sqrt(z)
        return ctx.a

    @staticmethod
    def derivative(ctx):
        return 0.5 / ctx.a


class Abs(Elementwise):
    """a = |z|;  f' = sign(z) (0 at z = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return np.abs(z)

    @staticmethod
    def derivative(ctx):
        return np.sign(ctx.z)


class Sin(Elementwise):
    """a = sin z;  f' = cos z."""

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return np.sin(z)

    @staticmethod
    def derivative(ctx):
        return np.cos(ctx.z)


class Cos(Elementwise):
    """a = cos z;  f' = −sin z."""

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return np.cos(z)

    @staticmethod
    def derivative(ctx):
        return -np.sin(ctx.z)


class Tanh(Elementwise):
    """a = tanh z;  f' = 1 − a²."""

    @staticmethod
    def forward(ctx, z):
        ctx.a = np.tanh(z)
        return ctx.a

    @staticmethod
    def derivative(ctx):
        a = ctx.a
        return 1 - a * a


class Sigmoid(Elementwise):
    """a = σ(z) = 1/(1 + e⁻ᶻ);  f' = σ(z)(1 − σ(z)) = a(1 − a)."""

    @staticmethod
    def forward(ctx, z):
        ctx.a = sigmoid_array(z)
        return ctx.a

    @staticmethod
    def derivative(ctx):
        a = ctx.a
        return a * (1 - a)


class ReLU(Elementwise):
    """a = max(0, z);  f' = 1 for z > 0, else 0 (0 at z = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, z):
        ctx.positive = z > 0
        return np.maximum(z, 0)

    @staticmethod
    def backward(ctx, g):
        out = g * ctx.positive  # 5× faster than np.where; but inf·0 = nan where z ≤ 0, so fall back then
        if not np.isfinite(out.sum()):
            out = np.where(ctx.positive, g, 0).astype(g.dtype, copy=False)
        return out

    @staticmethod
    def jvp(ctx, t):
        return np.where(ctx.positive, t, 0).astype(t.dtype, copy=False)


class LeakyReLU(Elementwise):
    """a = z for z > 0, else slope·z;  f' = 1 for z > 0, else slope (slope at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, z, negative_slope=0.01):
        ctx.slope = np.where(z > 0, 1, negative_slope).astype(z.dtype)
        return z * ctx.slope

    @staticmethod
    def derivative(ctx):
        return ctx.slope


class Step(Elementwise):
    """Heaviside step: a = 1 for z > 0, 0 for z < 0, `at_zero` for z = 0;  f' = 0 (almost everywhere).

    The sheets use both conventions: f(0) = 0 (threshold output units) and g(0) = 1.
    """

    @staticmethod
    def forward(ctx, z, at_zero=0.0):
        ctx.shape = z.shape
        return np.where(z > 0, 1, np.where(z < 0, 0, at_zero)).astype(z.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)

    @staticmethod
    def jvp(ctx, t):
        return np.zeros_like(t)


class Sign(Step):
    """a = sign(z) ∈ {−1, 0, 1};  f' = 0 (almost everywhere)."""

    @staticmethod
    def forward(ctx, z):
        return np.sign(z)


class PowScalar(Elementwise):
    """a = zᵖ for a constant p;  f' = p·zᵖ⁻¹."""

    @staticmethod
    def forward(ctx, z, p):
        ctx.z, ctx.p = z, p
        return np.power(z, p)

    @staticmethod
    def derivative(ctx):
        z, p = ctx.z, ctx.p
        if p == 0:
            return np.zeros_like(z)
        if p == 2:
            return 2 * z
        return p * np.power(z, p - 1)


class Clamp(Elementwise):
    """a = min(max(z, lo), hi);  f' = 1 where lo ≤ z ≤ hi, else 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx, z, lo=None, hi=None):
        inside = np.ones(z.shape, dtype=bool)
        if lo is not None:
            inside &= z >= lo
        if hi is not None:
            inside &= z <= hi
        ctx.inside = inside
        return np.clip(z, lo, hi)

    @staticmethod
    def derivative(ctx):
        return ctx.inside


class Cast(Function):
    """a = z converted to another floating dtype;  the gradient is converted back."""

    @staticmethod
    def forward(ctx, z, dtype):
        ctx.dtype = z.dtype
        return z.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)

    @staticmethod
    def jvp(ctx, t):
        return t
