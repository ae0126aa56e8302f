"""Convolution (cross-correlation, as PyTorch) in 1-D and 2-D: one primitive, forward, VJP and JVP together.

For an input x (N, C, H, W), a kernel W (O, C, k_h, k_w) and a bias b (O,):

    z[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q W[o, c, p, q] · x_pad[n, c, i·s_h + p·d_h, j·s_w + q·d_w]

(s = stride, d = dilation, x_pad = x with zeros around it). It is computed as one matrix product with the
patches of x laid out as columns ("im2col"):

    X̂ (C·k_h·k_w, H_out·W_out·N),  X̂[(c, p, q), (i, j, n)] = x_pad[n, c, i·s_h + p·d_h, j·s_w + q·d_w]
    z = W₂ X̂ + b,  W₂ = W reshaped to (O, C·k_h·k_w)

and so are the derivatives, with δ = ∂C/∂z as an (O, H_out·W_out·N) matrix:

    ∂C/∂W₂ = δ X̂ᵀ   (every position where a kernel weight was used adds its x · δ: weight sharing)
    ∂C/∂b  = Σ_(i, j, n) δ
    ∂C/∂X̂  = W₂ᵀ δ,  then ∂C/∂x sums each column entry back onto the pixel it was copied from ("col2im")
    JVP:  ż = W₂ X̂(ẋ) + Ẇ₂ X̂ + ḃ   (z is bilinear in x and W)

With a bias, X̂ gets a last row of ones and W₂ a last column b, so z = [W₂ b] [X̂; 1] adds the bias inside
the product and δ [X̂; 1]ᵀ = [∂C/∂W₂  ∂C/∂b] gives both gradients from one product (no extra passes).

Memory layout: the patches are gathered with `as_strided` (no Python loop over positions or examples)
into one contiguous array in which the batch index varies fastest — columns ordered (i, j, n), the
"CHWN" layout (as in cuda-convnet): every strided slice of an image then still has contiguous runs of
W_out·N (or N) numbers, so the copies and adds run over long rows instead of rows of W_out. The product
W₂ X̂ comes out as (O, H_out, W_out, N) memory and is returned as an (N, O, H_out, W_out) *view* of it,
so no transposing copy is made; elementwise ops and pooling keep that layout, and the next convolution
reads its patches straight from it. ∂C/∂x ("col2im") is a loop over the k_h·k_w kernel offsets, each one
product W[:, :, p, q]ᵀ δ for all examples and positions and one strided add of that (C, H_out, W_out, N)
block (see `input_gradient`).
A 1-D convolution is the 2-D one with a height of 1.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from deltanet.autograd.function import Function

# ---- arguments and geometry (shared with the pooling primitives) ----------------------------------


def as_tuple(value, n: int, what: str, name: str, minimum: int = 1) -> tuple:
    """An int or a sequence of n ints (lists come back from JSON) as a tuple of n ints ≥ minimum."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    elif isinstance(value, (tuple, list)) and len(value) == n and \
            all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        values = tuple(int(v) for v in value)
    else:
        raise TypeError(f"{name}: {what} must be an int or a sequence of {n} ints, got {value!r}")
    if min(values) < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name}: {what} must be {kind}, got {value!r}")
    return values


def padding_pairs(padding, n: int, name: str, kernel=None, dilation=None, stride=None) -> tuple:
    """Padding as ((before, after), …) per spatial dim. Accepts an int, n ints, or (for convolutions,
    as torch) 'valid' (none) and 'same' (output as large as the input; stride 1 only; an odd total
    padding puts the extra zero after, as torch does)."""
    if isinstance(padding, str):
        if kernel is None:
            raise TypeError(f"{name}: padding must be an int or a sequence of {n} ints, got {padding!r}")
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{name}: padding='same' needs stride 1, got stride {stride}")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{name}: padding must be 'valid', 'same', an int or {n} ints, got {padding!r}")
    return tuple((p, p) for p in as_tuple(padding, n, "padding", name, minimum=0))


def output_size(size: int, kernel: int, stride: int, pad: tuple, dilation: int = 1) -> int:
    """⌊(size + padding − d·(k − 1) − 1) / s⌋ + 1 (≤ 0: the kernel does not fit)."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def check_fits(name: str, spatial: tuple, kernel: tuple, pads: tuple, dilation: tuple) -> None:
    """A clear error when the (dilated) kernel is larger than the padded input in some dim."""
    padded = tuple(n + p[0] + p[1] for n, p in zip(spatial, pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > p for s, p in zip(span, padded)):
        dilated = f" (dilated: {span})" if span != tuple(kernel) else ""
        raise ValueError(f"{name}: kernel size {tuple(kernel)}{dilated} is larger than the padded input "
                         f"{padded} (input {tuple(spatial)} + padding {tuple(p[0] + p[1] for p in pads)})")


def check_input(name: str, x_shape: tuple, spatial_dims: int, channels: int | None = None) -> None:
    """Rank (N, C, *spatial) and, when given, the channel count."""
    letters = ("L",) if spatial_dims == 1 else ("H", "W")
    expected = ", ".join(("N", str(channels) if channels is not None else "C", *letters))
    if len(x_shape) != spatial_dims + 2:
        raise ValueError(f"{name}: expected a {spatial_dims + 2}-D input of shape ({expected}), "
                         f"got shape {tuple(x_shape)} ({len(x_shape)}-D)")
    if channels is not None and x_shape[1] != channels:
        raise ValueError(f"{name}: expected input of shape ({expected}) with {channels} channel(s), got shape "
                         f"{tuple(x_shape)} ({x_shape[1]} channel(s))")


def to_chwn(x: np.ndarray) -> np.ndarray:
    """An (N, C, H, W) array as its (C, H, W, N) view (no copy)."""
    return x.transpose(1, 2, 3, 0)


def from_chwn(a: np.ndarray) -> np.ndarray:
    """A (C, H, W, N) array as its (N, C, H, W) view (no copy)."""
    return a.transpose(3, 0, 1, 2)


def is_chwn(x: np.ndarray) -> bool:
    """Whether an (N, C, H, W) array lies in memory batch-fastest (as convolutions leave their outputs)."""
    return x.shape[0] > 1 and x.strides[0] < x.strides[3]


def pad_chwn(xm: np.ndarray, pads: tuple, fill=0.0) -> np.ndarray:
    """(C, H, W, N) → a new C-contiguous (C, H + pads, W + pads, N) array with `fill` around x."""
    (top, bottom), (left, right) = pads
    C, H, W, N = xm.shape
    out = np.empty((C, H + top + bottom, W + left + right, N), dtype=xm.dtype)
    if top or bottom or left or right:
        out[:, :top], out[:, H + top:] = fill, fill
        out[:, top:H + top, :left], out[:, top:H + top, W + left:] = fill, fill
    out[:, top:H + top, left:W + left] = xm
    return out


def window_slices(offset: tuple, stride: tuple, out_hw: tuple, lead: int = 1) -> tuple:
    """Index of the strided (H_out, W_out) block that window offset (i, j) reads, for an array whose
    spatial axes come after `lead` others: x[…, i + s_h·a, j + s_w·b, …] for a < H_out, b < W_out."""
    (i, j), (sh, sw), (ho, wo) = offset, stride, out_hw
    return (slice(None),) * lead + (slice(i, i + (ho - 1) * sh + 1, sh), slice(j, j + (wo - 1) * sw + 1, sw))


# ---- the primitive ---------------------------------------------------------------------------------


def im2col(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple,
           ones_row: bool = False) -> np.ndarray:
    """Patches of a padded (C, H, W, N) array as a contiguous (C·k_h·k_w, H_out·W_out·N) matrix, with a last
    row of ones appended when ones_row=True (so that [W₂ b] X̂ adds the bias inside the product)."""
    C, N = xp.shape[0], xp.shape[3]
    kh, kw = kernel
    sc, sh, sw, sn = xp.strides
    shape = (C, kh, kw, out_hw[0], out_hw[1], N)
    view = as_strided(xp, shape, (sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1], sn),
                      writeable=False)
    rows, columns = C * kh * kw, out_hw[0] * out_hw[1] * N
    cols = np.empty((rows + ones_row, columns), dtype=xp.dtype)
    np.copyto(cols[:rows].reshape(shape), view)
    if ones_row:
        cols[rows] = 1
    return cols


def prepare(x: np.ndarray, pads: tuple) -> np.ndarray:
    """x (N, C, H, W) as a C-contiguous, padded (C, H + pads, W + pads, N) array (a view when x is
    already CHWN and unpadded; otherwise one copy, which makes the im2col copy run over long rows)."""
    xm = to_chwn(x)
    if any(p for pair in pads for p in pair):
        return pad_chwn(xm, pads)
    return xm if xm.flags.c_contiguous else np.ascontiguousarray(xm)


class Conv(Function):
    """Cross-correlation z = W ⋆ x + b in 1-D (x: (N, C, L)) or 2-D (x: (N, C, H, W)); see the module
    docstring for the rules. Parameters: stride, dilation (tuples, one per spatial dim), pads
    (((before, after), …) per spatial dim) and `name` (the layer, for error messages)."""

    @staticmethod
    def forward(ctx, x, weight, bias=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), name="conv"):
        d = weight.ndim - 2
        if d not in (1, 2):
            raise ValueError(f"{name}: weight must be (out, in, *kernel) with 1 or 2 kernel dims, "
                             f"got {weight.shape}")
        check_input(name, x.shape, d, weight.shape[1])
        if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
            dtypes = " and ".join(str(a.dtype) for a in (x, weight, bias) if a is not None)
            raise TypeError(f"{name}: input, weight and bias must have the same dtype, got {dtypes} "
                            "(convert with .float() / .double(), or the model with .to(dtype))")
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"{name}: bias must have shape ({weight.shape[0]},), got {bias.shape}")
        check_fits(name, x.shape[2:], weight.shape[2:], pads, dilation)
        ctx.w_shape = weight.shape
        if d == 1:  # a 1-D convolution is a 2-D one over a height of 1
            x, weight = x[:, :, None, :], weight[:, :, None, :]
            stride, pads, dilation = (1, *stride), ((0, 0), *pads), (1, *dilation)
        N, C, H, W = x.shape
        O, _, kh, kw = weight.shape
        out_hw = tuple(output_size(n, k, s, p, dl) for n, k, s, p, dl in
                       zip((H, W), (kh, kw), stride, pads, dilation))
        xp = prepare(x, pads)
        cols = im2col(xp, (kh, kw), stride, dilation, out_hw, ones_row=bias is not None)
        w2 = weight.reshape(O, C * kh * kw)
        if bias is None:
            z = w2 @ cols                                        # (O, H_out·W_out·N)
        else:
            z = np.concatenate([w2, bias[:, None]], axis=1) @ cols   # [W₂ b] [X̂; 1]: the bias inside the GEMM
        ctx.cols, ctx.w2, ctx.w4_shape, ctx.d, ctx.x_shape = cols, w2, weight.shape, d, (N, C, H, W)
        ctx.geometry = (kh, kw), stride, pads, dilation, out_hw, xp.shape
        z = from_chwn(z.reshape(O, *out_hw, N))                 # (N, O, H_out, W_out) view
        return z[:, :, 0, :] if d == 1 else z

    @staticmethod
    def backward(ctx, delta):
        need_x, need_w, need_b = ctx.needs_input_grad
        O = ctx.w2.shape[0]
        if ctx.d == 1:
            delta = delta[:, :, None, :]
        delta2 = to_chwn(delta).reshape(O, -1)                  # δ as (O, H_out·W_out·N); free in our layout
        gx = gw = gb = None
        if need_w or need_b:
            gwb = delta2 @ ctx.cols.T            # ∂C/∂W = δ X̂ᵀ and, from the row of ones, ∂C/∂b = Σ δ
            rows = ctx.w2.shape[1]
            gw = gwb[:, :rows].reshape(ctx.w_shape) if need_w else None
            gb = gwb[:, rows].copy() if need_b else None
        if need_x:
            gx = input_gradient(ctx.w2.reshape(ctx.w4_shape), delta2, ctx.x_shape, *ctx.geometry)  # col2im(W₂ᵀ δ)
            if ctx.d == 1:
                gx = gx[:, :, 0, :]
        return gx, gw, gb

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        kernel, stride, pads, dilation, out_hw, padded_shape = ctx.geometry
        O, N = ctx.w2.shape[0], ctx.x_shape[0]
        dz = np.zeros((O, ctx.cols.shape[1]), dtype=ctx.cols.dtype)
        if tx is not None:                                                        # W₂ X̂(ẋ)
            tx = tx[:, :, None, :] if ctx.d == 1 else tx
            dz += ctx.w2 @ im2col(prepare(tx, pads), kernel, stride, dilation, out_hw)
        if tw is not None or tb is not None:                                      # [Ẇ₂ ḃ] [X̂(x); 1]
            tw2 = np.zeros_like(ctx.w2) if tw is None else tw.reshape(O, -1)
            if ctx.cols.shape[0] > tw2.shape[1]:
                tw2 = np.concatenate([tw2, np.zeros((O, 1), tw2.dtype) if tb is None else tb[:, None]], axis=1)
            dz += tw2 @ ctx.cols
        dz = from_chwn(dz.reshape(O, *out_hw, N))
        return dz[:, :, 0, :] if ctx.d == 1 else dz


def input_gradient(weight4, delta2, x_shape, kernel, stride, pads, dilation, out_hw, padded_shape) -> np.ndarray:
    """∂C/∂x = col2im(W₂ᵀ δ), computed one kernel offset (p, q) at a time: W[:, :, p, q]ᵀ δ is the (C, H_out,
    W_out, N) block of W₂ᵀ δ for that offset, added straight onto the pixels it came from. Same sums as
    forming all of W₂ᵀ δ first, but each block is still in cache when it is added: on the benchmark's second
    convolution this measured 1.2–1.6× faster than one big product followed by the k_h·k_w adds (about 2 %
    of a whole training step). Returns (N, C, H, W) (a view of CHWN memory)."""
    N, C, H, W = x_shape
    kh, kw = kernel
    (top, _), (left, _) = pads
    w_t = np.ascontiguousarray(weight4.transpose(2, 3, 1, 0))          # (k_h, k_w, C, O)
    dxp = np.zeros(padded_shape, dtype=delta2.dtype)
    block = np.empty((C, delta2.shape[1]), dtype=delta2.dtype)
    for p in range(kh):
        for q in range(kw):
            np.matmul(w_t[p, q], delta2, out=block)
            dxp[window_slices((p * dilation[0], q * dilation[1]), stride, out_hw)] += block.reshape(C, *out_hw, N)
    return from_chwn(dxp[:, top:top + H, left:left + W])
