"""The differentiable operations on tensors, as functions (`dn.exp(x)`, `x.sum(dim=1)`, …).

Primitives (one `Function` each, with forward, VJP and JVP) live in the family modules:
`unary`, `binary`, `reduce`, `shape`, `linalg`, `softmax`, `loss`. The functions below only
dispatch to them, or compose them (composites need no derivative rules of their own).
"""

from collections import namedtuple

import numpy as np

from deltanet.ops import binary, linalg, loss, reduce, unary
from deltanet.ops import shape as _shape
from deltanet.ops import softmax as _softmax
from deltanet.ops._util import broadcast_op
from deltanet.tensor import Tensor

# ---- elementwise --------------------------------------------------------------------------------


def neg(x):
    return unary.Neg.apply(x)


def exp(x):
    return unary.Exp.apply(x)


def log(x):
    return unary.Log.apply(x)


def sqrt(x):
    return unary.Sqrt.apply(x)


def abs(x):  # noqa: A001  (mirrors torch.abs)
    return unary.Abs.apply(x)


def sin(x):
    return unary.Sin.apply(x)


def cos(x):
    return unary.Cos.apply(x)


def tanh(x):
    return unary.Tanh.apply(x)


def sigmoid(x):
    return unary.Sigmoid.apply(x)


def relu(x):
    return unary.ReLU.apply(x)


def leaky_relu(x, negative_slope=0.01):
    return unary.LeakyReLU.apply(x, negative_slope=negative_slope)


def step(x, at_zero=0.0):
    """Heaviside step: 1 for x > 0, 0 for x < 0, `at_zero` at 0; zero gradient."""
    return unary.Step.apply(x, at_zero=at_zero)


def sign(x):
    return unary.Sign.apply(x)


def clamp(x, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    return unary.Clamp.apply(x, lo=min, hi=max)


def cast(x, dtype):
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if dtype.kind != "f":
        return Tensor(x.data.astype(dtype))
    return unary.Cast.apply(x, dtype=dtype)


# ---- binary -------------------------------------------------------------------------------------


def add(a, b):
    return binary.Add.apply(a, b)


def sub(a, b):
    return binary.Sub.apply(a, b)


def mul(a, b):
    return binary.Mul.apply(a, b)


def div(a, b):
    return binary.Div.apply(a, b)


def pow(a, b):  # noqa: A001
    """aᵇ; a constant exponent uses the simpler rule p·aᵖ⁻¹."""
    if isinstance(b, (int, float, np.integer, np.floating)) and isinstance(a, Tensor):
        return unary.PowScalar.apply(a, p=b)
    return binary.Pow.apply(a, b)


def maximum(a, b):
    return binary.Maximum.apply(a, b)


def minimum(a, b):
    """min(a, b) = −max(−a, −b)."""
    return neg(maximum(_negate(a), _negate(b)))


def _negate(x):
    return neg(x) if isinstance(x, Tensor) else np.negative(x) if isinstance(x, np.ndarray) else -x


def where(condition, a, b):
    """a where condition holds, else b (gradient to the chosen side)."""
    condition = condition.data if isinstance(condition, Tensor) else condition
    return binary.Where.apply(condition, a, b)


def compare(a, b, ufunc):
    """Elementwise comparison: a boolean tensor, no gradient."""
    a = a.data if isinstance(a, Tensor) else a
    b = b.data if isinstance(b, Tensor) else b
    return Tensor(broadcast_op(ufunc, a, b, ufunc.__name__))


# ---- reductions ---------------------------------------------------------------------------------

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def sum(x, dim=None, keepdim=False):  # noqa: A001
    return reduce.Sum.apply(x, dim=dim, keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    return reduce.Mean.apply(x, dim=dim, keepdim=keepdim)


def var(x, dim=None, unbiased=True, keepdim=False):
    """Variance (Bessel-corrected unless unbiased=False), composed from mean and products."""
    centred = x - mean(x, dim, keepdim=True)
    n = x.data.size if dim is None else int(np.prod([x.shape[d] for d in np.atleast_1d(dim)]))
    return sum(centred * centred, dim, keepdim) / (n - 1 if unbiased else n)


def amax(x, dim=None, keepdim=False):
    return reduce.Amax.apply(x, dim=dim, keepdim=keepdim)


def amin(x, dim=None, keepdim=False):
    return reduce.Amin.apply(x, dim=dim, keepdim=keepdim)


def max(x, dim=None, keepdim=False):  # noqa: A001
    """max over all elements (a scalar), or (values, indices) along `dim`, as torch.max."""
    if dim is None:
        return amax(x)
    return MaxResult(reduce.MaxAlong.apply(x, dim=dim, keepdim=keepdim), argmax(x, dim, keepdim))


def min(x, dim=None, keepdim=False):  # noqa: A001
    if dim is None:
        return amin(x)
    return MaxResult(reduce.MinAlong.apply(x, dim=dim, keepdim=keepdim), argmin(x, dim, keepdim))


def argmax(x, dim=None, keepdim=False):
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if dim is None:
        return Tensor(np.asarray(np.argmax(data), dtype=np.int64))
    return Tensor(np.argmax(data, axis=dim, keepdims=keepdim).astype(np.int64))


def argmin(x, dim=None, keepdim=False):
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if dim is None:
        return Tensor(np.asarray(np.argmin(data), dtype=np.int64))
    return Tensor(np.argmin(data, axis=dim, keepdims=keepdim).astype(np.int64))


def logsumexp(x, dim, keepdim=False):
    return _softmax.LogSumExp.apply(x, dim=dim, keepdim=keepdim)


# ---- shape --------------------------------------------------------------------------------------


def _dims_arg(dims) -> tuple:
    """Accept f(2, 3) and f((2, 3)) alike, as torch does for shapes and permutations."""
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)


def reshape(x, *shape):
    return _shape.Reshape.apply(x, shape=_dims_arg(shape))


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim … end_dim into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = start_dim % x.ndim, end_dim % x.ndim
    return reshape(x, x.shape[:start] + (-1,) + x.shape[end + 1:])


def permute(x, *dims):
    return _shape.Permute.apply(x, dims=tuple(d % x.ndim for d in _dims_arg(dims)))


def transpose(x, dim0, dim1):
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, dims)


def squeeze(x, dim=None):
    """Drop size-1 axes: all of them, or those among `dim` (an int or a tuple), as torch."""
    dims = range(x.ndim) if dim is None else [int(d) % (x.ndim or 1) for d in np.atleast_1d(dim)]
    drop = {d for d in dims if d < x.ndim and x.shape[d] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop)) if drop else x


def unsqueeze(x, dim):
    dim = dim % (x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def expand(x, *shape):
    shape = _dims_arg(shape)
    lead = len(shape) - x.ndim
    target = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    return _shape.Expand.apply(x, shape=target)


def raw_index(index):
    """An index with tensors replaced by their arrays."""
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index.data if isinstance(index, Tensor) else index


def getitem(x, index):
    return _shape.GetItem.apply(x, index=raw_index(index))


def cat(tensors, dim=0):
    return _shape.Cat.apply(*tensors, dim=dim)


def stack(tensors, dim=0):
    return _shape.Stack.apply(*tensors, dim=dim)


# ---- linear algebra -----------------------------------------------------------------------------


def matmul(a, b):
    return linalg.MatMul.apply(a, b)


def linear(x, weight, bias=None):
    """z = x Wᵀ + b with W of shape (out_features, in_features)."""
    return linalg.Linear.apply(x, weight, bias)


# ---- softmax family and fused losses ------------------------------------------------------------


def _scaled_by_temperature(x, dim, temperature):
    """(z − max z)/T: the softmax family is unchanged by the shift (so the constant max carries no gradient),
    and z/T alone overflows to ±inf, then NaN, for a tiny T."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    m = data.max(axis=dim, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0)
    return (x - m) / temperature


def softmax(x, dim, temperature=1.0):
    """softmax(z / T) along dim; T > 0 (T → 0: argmax, T → ∞: uniform)."""
    if temperature != 1.0:
        if temperature <= 0:
            raise ValueError(f"softmax: temperature must be > 0, got {temperature}")
        x = _scaled_by_temperature(x, dim, temperature)
    return _softmax.Softmax.apply(x, dim=dim)


def log_softmax(x, dim, temperature=1.0):
    if temperature != 1.0:
        if temperature <= 0:
            raise ValueError(f"log_softmax: temperature must be > 0, got {temperature}")
        x = _scaled_by_temperature(x, dim, temperature)
    return _softmax.LogSoftmax.apply(x, dim=dim)


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    """Fused softmax + cross-entropy on logits (N, C), (N, C, d…) or (C,); target = class indices or
    probabilities."""
    if logits.ndim == 1:
        target = unsqueeze(target, 0) if isinstance(target, Tensor) else np.asarray(target)[None]
        out = loss.CrossEntropy.apply(unsqueeze(logits, 0), target, reduction=reduction, ignore_index=ignore_index)
        return reshape(out, ()) if reduction == "none" else out
    return loss.CrossEntropy.apply(logits, target, reduction=reduction, ignore_index=ignore_index)


def squared_error(input, target, scale=1.0):
    """scale · Σ (input − target)², fused (one primitive): the quadratic cost and MSE are this."""
    return loss.SquaredError.apply(input, target, scale=scale)


def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    return loss.BCEWithLogits.apply(logits, target, reduction=reduction)


def binary_cross_entropy(probabilities, target, reduction="mean"):
    return loss.BCE.apply(probabilities, target, reduction=reduction)


# ---- convolution and pooling (primitives in conv.py and pool.py) ------------------------------------


def _conv(x, weight, bias, stride, padding, dilation, d, name):
    from deltanet.ops import conv as _c

    stride = _c.as_tuple(stride, d, "stride", name)
    dilation = _c.as_tuple(dilation, d, "dilation", name)
    kernel = tuple(weight.shape[2:])
    pads = _c.padding_pairs(padding, d, name, kernel, dilation, stride)
    if x.ndim == d + 1:  # one example without a batch dim, as torch
        return squeeze(_conv(unsqueeze(x, 0), weight, bias, stride, padding, dilation, d, name), 0)
    return _c.Conv.apply(x, weight, bias, stride=stride, pads=pads, dilation=dilation, name=name)


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, name="conv1d"):
    """Cross-correlation over (N, C_in, L) with a kernel (C_out, C_in, k): (N, C_out, L_out)."""
    return _conv(x, weight, bias, stride, padding, dilation, 1, name)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, name="conv2d"):
    """Cross-correlation over (N, C_in, H, W) with a kernel (C_out, C_in, k_h, k_w): (N, C_out, H_out, W_out)."""
    return _conv(x, weight, bias, stride, padding, dilation, 2, name)


def _pool(cls, x, kernel_size, stride, padding, d, name, **extra):
    from deltanet.ops import conv as _c

    kernel = _c.as_tuple(kernel_size, d, "kernel_size", name)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) else \
        _c.as_tuple(stride, d, "stride", name)
    pads = _c.padding_pairs(padding, d, name)
    if x.ndim == d + 1:  # one example without a batch dim, as torch
        return squeeze(_pool(cls, unsqueeze(x, 0), kernel, stride, padding, d, name, **extra), 0)
    return cls.apply(x, kernel=kernel, stride=stride, pads=pads, name=name, **extra)


def max_pool1d(x, kernel_size, stride=None, padding=0, name="max_pool1d"):
    """Maximum over windows of (N, C, L); stride defaults to the kernel size; pads with −∞."""
    from deltanet.ops.pool import MaxPool

    return _pool(MaxPool, x, kernel_size, stride, padding, 1, name)


def max_pool2d(x, kernel_size, stride=None, padding=0, name="max_pool2d"):
    """Maximum over windows of (N, C, H, W); stride defaults to the kernel size; pads with −∞."""
    from deltanet.ops.pool import MaxPool

    return _pool(MaxPool, x, kernel_size, stride, padding, 2, name)


def avg_pool1d(x, kernel_size, stride=None, padding=0, count_include_pad=True, name="avg_pool1d"):
    """Mean over windows of (N, C, L); zero padding, counted in the mean unless count_include_pad=False."""
    from deltanet.ops.pool import AvgPool

    return _pool(AvgPool, x, kernel_size, stride, padding, 1, name, count_include_pad=count_include_pad)


def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True, name="avg_pool2d"):
    """Mean over windows of (N, C, H, W); zero padding, counted in the mean unless count_include_pad=False."""
    from deltanet.ops.pool import AvgPool

    return _pool(AvgPool, x, kernel_size, stride, padding, 2, name, count_include_pad=count_include_pad)
