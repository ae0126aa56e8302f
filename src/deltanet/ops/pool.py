"""Pooling in 1-D and 2-D: max (gradient to the window's first maximum, as PyTorch) and average.

Both slide a k_h × k_w window with a stride over each channel of each example. They are computed as a
loop over the k_h·k_w window *offsets*: offset (p, q) reads the strided block x_pad[…, p::s_h, q::s_w, …]
of all examples, channels and output positions at once, so each step is one vectorised NumPy operation.

Max:  a[i, j] = max over the window;  the VJP sends δ[i, j] to the window's argmax — the first one in
      row-major order when several entries tie (common after a ReLU: all-zero windows), as PyTorch; a NaN
      counts as the maximum and propagates, the last NaN of a window taking the gradient, as PyTorch —
      and the JVP picks the tangent at that argmax. Padding pads with −∞, so it is never the maximum.
      The argmax is found only when a derivative is asked for.
Avg:  a[i, j] = (1/m) Σ window, m = k_h·k_w (or the number of non-padding entries with
      count_include_pad=False); linear, so the VJP spreads δ/m over the window and the JVP is the
      forward map applied to the tangent. Padding pads with zeros.

The work happens in the memory order of x — (N, C, H, W), or (C, H, W, N) for the batch-fastest layout
convolutions produce — so no transposing copies are made. A 1-D pooling is the 2-D one with a height of 1.
"""

from __future__ import annotations

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops.conv import check_fits, check_input, from_chwn, is_chwn, output_size, to_chwn, window_slices


def _finite_sum(a: np.ndarray) -> bool:
    """Whether Σa is finite: one cheap pass that is True unless a holds a NaN or ±inf (or overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(a.sum()))


def check_pool_args(name: str, kernel: tuple, pads: tuple) -> None:
    """As PyTorch: padding at most half the kernel, so every window holds at least one input entry."""
    for k, (before, after) in zip(kernel, pads):
        if max(before, after) > k // 2:
            raise ValueError(f"{name}: padding {max(before, after)} must be at most half the kernel size {k} "
                             "(every window must contain at least one input value)")


class _Pool(Function):
    """Shared by MaxPool and AvgPool: checks, the 1-D → 2-D view, the memory-order view, padding, and the
    scatter of per-offset pieces back onto the input (the adjoint of reading the window blocks)."""

    @staticmethod
    def setup(ctx, x, kernel, stride, pads, name, fill) -> np.ndarray:
        d = len(kernel)
        check_input(name, x.shape, d)
        if x.dtype.kind != "f":
            raise TypeError(f"{name}: expected a floating-point input, got {x.dtype}")
        check_pool_args(name, kernel, pads)
        check_fits(name, x.shape[2:], kernel, pads, (1,) * d)
        if d == 1:
            x, kernel, stride, pads = x[:, :, None, :], (1, *kernel), (1, *stride), ((0, 0), *pads)
        out_hw = tuple(output_size(n, k, s, p) for n, k, s, p in zip(x.shape[2:], kernel, stride, pads))
        ctx.d, ctx.chwn, ctx.x_shape = d, is_chwn(x), x.shape
        ctx.kernel, ctx.stride, ctx.pads, ctx.out_hw = kernel, stride, pads, out_hw
        ctx.offsets = [(p, q) for p in range(kernel[0]) for q in range(kernel[1])]
        ctx.disjoint = all(s >= k for s, k in zip(stride, kernel))  # each input entry in at most one window
        return _Pool.padded(ctx, _Pool.to_memory(ctx, x, False), fill)

    @staticmethod
    def to_memory(ctx, a, unsqueeze=True):
        """An (N, C, …) array as the 2-D, memory-ordered view the primitive works in."""
        if unsqueeze and ctx.d == 1:
            a = a[:, :, None, :]
        return to_chwn(a) if ctx.chwn else a

    @staticmethod
    def from_memory(ctx, a):
        a = from_chwn(a) if ctx.chwn else a
        return a[:, :, 0, :] if ctx.d == 1 else a

    @staticmethod
    def block(ctx, a, offset):
        """The (…, H_out, W_out, …) block of a padded memory-ordered array read by one window offset."""
        return a[window_slices(offset, ctx.stride, ctx.out_hw, 1 if ctx.chwn else 2)]

    @staticmethod
    def padded(ctx, am, fill):
        (top, bottom), (left, right) = ctx.pads
        if not (top or bottom or left or right):
            return am
        h, w = (1, 2) if ctx.chwn else (2, 3)
        shape = list(am.shape)
        shape[h] += top + bottom
        shape[w] += left + right
        out = np.full(shape, fill, dtype=am.dtype)
        index = [slice(None)] * 4
        index[h], index[w] = slice(top, top + am.shape[h]), slice(left, left + am.shape[w])
        out[tuple(index)] = am
        return out

    @staticmethod
    def scatter(ctx, value, masks, exact=False):
        """The adjoint of reading the window blocks: Σ over (o, mask) in `masks` of value·mask (value where
        mask is None) added onto the input positions window offset o read; returns the (N, C, …) gradient,
        padding cropped off. Without overlaps each block is written in place by one product; exact=True
        uses np.where instead of a product (so a NaN or inf in value stays where it belongs)."""
        (top, bottom), (left, right) = ctx.pads
        N, C, H, W = ctx.x_shape
        padded = (H + top + bottom, W + left + right)
        shape = (C, *padded, N) if ctx.chwn else (N, C, *padded)
        tiled = tuple(ctx.stride) == tuple(ctx.kernel) and \
            all(o * s == n for o, s, n in zip(ctx.out_hw, ctx.stride, padded))  # each entry in one window
        dx = np.empty(shape, dtype=value.dtype) if tiled else np.zeros(shape, dtype=value.dtype)
        for o, mask in masks:
            target = _Pool.block(ctx, dx, ctx.offsets[o])
            if mask is None:
                piece = value
            elif exact:
                piece = np.where(mask, value, 0)
            elif ctx.disjoint:
                np.multiply(value, mask, out=target)
                continue
            else:
                piece = value * mask
            if ctx.disjoint:
                target[...] = piece
            else:
                target += piece
        dx = dx[:, top:top + H, left:left + W] if ctx.chwn else dx[:, :, top:top + H, left:left + W]
        return _Pool.from_memory(ctx, dx)


class MaxPool(_Pool):
    """a = max over each window (see the module docstring). Parameters: kernel, stride (tuples, one per
    spatial dim), pads (((before, after), …)), name."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, name="max_pool"):
        xp = _Pool.setup(ctx, x, kernel, stride, pads, name, -np.inf)
        best = _Pool.block(ctx, xp, ctx.offsets[0]).copy()
        for offset in ctx.offsets[1:]:
            np.maximum(best, _Pool.block(ctx, xp, offset), out=best)   # NaN propagates, as in torch
        ctx.xp, ctx.best = xp, best
        return _Pool.from_memory(ctx, best)

    @staticmethod
    def first_max_masks(ctx):
        """For each window offset o in order, the boolean mask of the outputs whose first maximum is at o:
        the entry equals the maximum and no earlier offset did (the last offset takes what is left).
        With a NaN maximum, the last NaN of the window is taken instead, as PyTorch."""
        xp, best, offsets = ctx.xp, ctx.best, ctx.offsets
        if len(offsets) == 1:
            yield 0, None
            return
        if not _finite_sum(best):  # rare: a NaN or ±inf somewhere; the exact, slower rule
            nan = np.isnan(best)
            index = np.zeros(best.shape, dtype=np.int32)
            for o in range(len(offsets) - 1, -1, -1):
                np.copyto(index, o, where=_Pool.block(ctx, xp, offsets[o]) == best)
            for o in range(len(offsets)):
                np.copyto(index, o, where=nan & np.isnan(_Pool.block(ctx, xp, offsets[o])))
            for o in range(len(offsets)):
                yield o, index == o
            return
        taken = _Pool.block(ctx, xp, offsets[0]) == best
        yield 0, taken
        hit = np.empty_like(taken)
        for o in range(1, len(offsets) - 1):
            np.equal(_Pool.block(ctx, xp, offsets[o]), best, out=hit)
            hit &= ~taken
            taken |= hit
            yield o, hit
        yield len(offsets) - 1, np.logical_not(taken, out=taken)

    @staticmethod
    def backward(ctx, g):
        g = _Pool.to_memory(ctx, g)
        exact = not _finite_sum(g)  # g·mask would spread a NaN or inf of g to the other entries
        return _Pool.scatter(ctx, g, MaxPool.first_max_masks(ctx), exact)

    @staticmethod
    def jvp(ctx, t):
        tp = _Pool.padded(ctx, _Pool.to_memory(ctx, t), 0)
        out = np.zeros(ctx.best.shape, dtype=t.dtype)
        for o, mask in MaxPool.first_max_masks(ctx):
            block = _Pool.block(ctx, tp, ctx.offsets[o])
            out += block if mask is None else np.where(mask, block, 0)
        return _Pool.from_memory(ctx, out)


class AvgPool(_Pool):
    """a = mean over each window (see the module docstring). Parameters: kernel, stride, pads,
    count_include_pad (divide by k_h·k_w, or by the number of non-padding entries), name."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, count_include_pad=True, name="avg_pool"):
        xp = _Pool.setup(ctx, x, kernel, stride, pads, name, 0)
        if count_include_pad or not any(p for pair in ctx.pads for p in pair):
            ctx.divisor = xp.dtype.type(len(ctx.offsets))
        else:  # the number of input (not padding) entries in each window
            ones = _Pool.to_memory(ctx, np.ones((1, 1, *ctx.x_shape[2:]), dtype=xp.dtype), False)
            ones = _Pool.padded(ctx, ones, 0)
            ctx.divisor = AvgPool.window_sum(ctx, ones)
        return _Pool.from_memory(ctx, AvgPool.window_sum(ctx, xp) / ctx.divisor)

    @staticmethod
    def window_sum(ctx, ap):
        total = _Pool.block(ctx, ap, ctx.offsets[0]).copy()
        for offset in ctx.offsets[1:]:
            total += _Pool.block(ctx, ap, offset)
        return total

    @staticmethod
    def backward(ctx, g):
        share = _Pool.to_memory(ctx, g) / ctx.divisor
        return _Pool.scatter(ctx, share, [(o, None) for o in range(len(ctx.offsets))])

    @staticmethod
    def jvp(ctx, t):
        tp = _Pool.padded(ctx, _Pool.to_memory(ctx, t), 0)
        return _Pool.from_memory(ctx, AvgPool.window_sum(ctx, tp) / ctx.divisor)
