"""Pooling layers: `MaxPool1d`, `MaxPool2d` (padding with −∞, gradient to the first maximum of each window,
as PyTorch), `AvgPool1d`, `AvgPool2d` (padding with zeros). They have no parameters."""

from __future__ import annotations

from deltanet import ops
from deltanet.nn.module import Module
from deltanet.ops.conv import as_tuple
from deltanet.tensor import Tensor


class _PoolNd(Module):
    """Shared by the pooling layers (`dims` spatial dimensions); stride defaults to the kernel size."""

    dims = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.kernel_size = as_tuple(kernel_size, d, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_tuple(stride, d, "stride", name)
        self.padding = as_tuple(padding, d, "padding", name, minimum=0)
        for k, p in zip(self.kernel_size, self.padding):
            if p > k // 2:
                raise ValueError(f"{name}: padding {self.padding} must be at most half the kernel size "
                                 f"{self.kernel_size} (every window must contain at least one input value)")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def _check(self, x) -> str:
        name = f"{type(self).__name__}({self.extra_repr()})"
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(x).__name__}")
        if x.ndim not in (self.dims + 1, self.dims + 2):
            spatial = "L" if self.dims == 1 else "H, W"
            raise ValueError(f"{name}: expected input of shape (N, C, {spatial}) or (C, {spatial}), "
                             f"got shape {tuple(x.shape)} ({x.ndim}-D)")
        return name

    def get_config(self) -> dict:
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride), "padding": list(self.padding)}


class MaxPool1d(_PoolNd):
    """a[n, c, i] = max over x[n, c, i·s − padding … i·s − padding + k − 1]."""

    dims = 1

    def forward(self, x):
        return ops.max_pool1d(x, self.kernel_size, self.stride, self.padding, name=self._check(x))


class MaxPool2d(_PoolNd):
    """a[n, c, i, j] = max over the k_h × k_w window at (i·s_h − p_h, j·s_w − p_w)."""

    dims = 2

    def forward(self, x):
        return ops.max_pool2d(x, self.kernel_size, self.stride, self.padding, name=self._check(x))


class _AvgPoolNd(_PoolNd):
    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = bool(count_include_pad)

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.count_include_pad else ", count_include_pad=False")

    def get_config(self) -> dict:
        return {**super().get_config(), "count_include_pad": self.count_include_pad}


class AvgPool1d(_AvgPoolNd):
    """a[n, c, i] = mean over the window of k values at i·s − padding (padding counts as zeros)."""

    dims = 1

    def forward(self, x):
        return ops.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad,
                              name=self._check(x))


class AvgPool2d(_AvgPoolNd):
    """a[n, c, i, j] = mean over the k_h × k_w window at (i·s_h − p_h, j·s_w − p_w)."""

    dims = 2

    def forward(self, x):
        return ops.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad,
                              name=self._check(x))
