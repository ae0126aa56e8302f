"""Convolutional layers (`Conv1d`, `Conv2d`, cross-correlation as PyTorch) and `Unflatten`, which turns the
flat 784-vectors of MNIST back into (1, 28, 28) images inside a model.

Weight layout and initialisation are PyTorch's: `weight` is (out_channels, in_channels, *kernel_size) —
weight[o, c, p, q] multiplies input channel c at kernel offset (p, q) for output channel o — and
W, b ~ U(−1/√fan_in, 1/√fan_in) with fan_in = in_channels · k_h · k_w (kaiming_uniform_ with a = √5).
One kernel is shared by every position of the image: that weight sharing is why a convolution has so
few parameters (out·in·k_h·k_w + out) and why ∂C/∂W sums over all positions.
"""

from __future__ import annotations

import math

import numpy as np

from deltanet import ops
from deltanet.nn import init
from deltanet.nn.module import Module
from deltanet.nn.parameter import Parameter
from deltanet.ops.conv import as_tuple, padding_pairs
from deltanet.tensor import Tensor, get_default_dtype


def _positive_int(value, what: str, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name}: {what} must be a positive integer, got {value!r}")
    return int(value)


class _ConvNd(Module):
    """Shared by Conv1d and Conv2d (`dims` spatial dimensions)."""

    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", dtype=None):
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.in_channels = _positive_int(in_channels, "in_channels", name)
        self.out_channels = _positive_int(out_channels, "out_channels", name)
        self.kernel_size = as_tuple(kernel_size, d, "kernel_size", name)
        self.stride = as_tuple(stride, d, "stride", name)
        self.dilation = as_tuple(dilation, d, "dilation", name)
        if isinstance(padding, str):
            padding_pairs(padding, d, name, self.kernel_size, self.dilation, self.stride)  # validates
            self.padding = padding
        else:
            self.padding = as_tuple(padding, d, "padding", name, minimum=0)
        if groups != 1:
            raise ValueError(f"{name}: only groups=1 is supported, got groups={groups!r}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        dtype = np.dtype(dtype or get_default_dtype())
        # C-contiguous (out, in, *kernel): viewed as the (out, in·k_h·k_w) matrix W₂ of the im2col product
        # without a copy.
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels, *self.kernel_size), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))          # = U(−1/√fan_in, 1/√fan_in), as torch
        if self.bias is not None:
            bound = 1 / math.sqrt(init.calculate_fans(self.weight)[0])
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        return text + ("" if self.bias is not None else ", bias=False")

    def forward(self, x: Tensor) -> Tensor:
        name = f"{type(self).__name__}({self.extra_repr()})"
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(x).__name__}")
        d = self.dims
        if x.ndim not in (d + 1, d + 2):
            spatial = "L" if d == 1 else "H, W"
            raise ValueError(f"{name}: expected input of shape (N, {self.in_channels}, {spatial}) or "
                             f"({self.in_channels}, {spatial}), got shape {tuple(x.shape)} ({x.ndim}-D)")
        channels = x.shape[-d - 1]
        if channels != self.in_channels:
            raise ValueError(f"{name}: expected {self.in_channels} input channel(s) (dim {x.ndim - d - 1}), "
                             f"got input of shape {tuple(x.shape)} with {channels}")
        conv = ops.conv1d if d == 1 else ops.conv2d
        return conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation, name=name)

    def get_config(self) -> dict:
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": list(self.kernel_size), "stride": list(self.stride),
                "padding": self.padding if isinstance(self.padding, str) else list(self.padding),
                "dilation": list(self.dilation), "bias": self.bias is not None}


class Conv1d(_ConvNd):
    """z[n, o, i] = b[o] + Σ_c Σ_p W[o, c, p] · x[n, c, i·s + p·d]  over (N, C_in, L) → (N, C_out, L_out),
    L_out = ⌊(L + 2·padding − d·(k − 1) − 1)/s⌋ + 1."""

    dims = 1


class Conv2d(_ConvNd):
    """z[n, o, i, j] = b[o] + Σ_c Σ_p,q W[o, c, p, q] · x[n, c, i·s_h + p·d_h, j·s_w + q·d_w]
    over (N, C_in, H, W) → (N, C_out, H_out, W_out), H_out = ⌊(H + 2·padding − d·(k − 1) − 1)/s⌋ + 1."""

    dims = 2


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size`, as torch: Unflatten(1, (1, 28, 28)) turns a batch of
    784-vectors into a batch of 1×28×28 images (the inverse of Flatten)."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"Unflatten: dim must be an int, got {dim!r}")
        if not isinstance(unflattened_size, (tuple, list)) or not unflattened_size or \
                not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                        for n in unflattened_size):
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty sequence of positive ints, "
                             f"got {unflattened_size!r}")
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim % x.ndim if -x.ndim <= self.dim < x.ndim else None
        if dim is None or x.shape[dim] != math.prod(self.unflattened_size):
            raise ValueError(f"Unflatten(dim={self.dim}, unflattened_size={self.unflattened_size}): cannot split "
                             f"{'dim ' + str(self.dim) if dim is not None else 'a missing dim'} of an input of "
                             f"shape {tuple(x.shape)} into {self.unflattened_size} "
                             f"({math.prod(self.unflattened_size)} values)")
        return ops.reshape(x, x.shape[:dim] + self.unflattened_size + x.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

    def get_config(self) -> dict:
        return {"dim": self.dim, "unflattened_size": list(self.unflattened_size)}
