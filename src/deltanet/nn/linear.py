"""Fully connected layer and shape helpers."""

from __future__ import annotations

import math

import numpy as np

from deltanet import ops
from deltanet.nn import init
from deltanet.nn.module import Module
from deltanet.nn.parameter import Parameter
from deltanet.tensor import Tensor, get_default_dtype


class Linear(Module):
    """z = x Wᵀ + b.  `weight` is (out_features, in_features): row j, column k is w_jk of the sheets —
    the weight from neuron k of the previous layer to neuron j of this one. Initialised as torch:
    W, b ~ U(−1/√in, 1/√in)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dtype = np.dtype(dtype or get_default_dtype())
        # Shape (out, in) as torch; stored column-major so that Wᵀ is a contiguous (in, out) matrix: the
        # fast operand layout for z = x Wᵀ and for ∂C/∂W = (xᵀ δ)ᵀ (measured ~20 % faster GEMMs).
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype, order="F"))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"Linear: expected a Tensor input, got {type(x).__name__}")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                             f"expected input of shape (..., {self.in_features}), got {tuple(x.shape)}")
        if x.dtype != self.weight.dtype:
            raise TypeError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                            f"input dtype {x.dtype} differs from the weights' {self.weight.dtype} "
                            f"(convert the input with .float()/.double() or the model with .to(dtype))")
        return ops.linear(x, self.weight, self.bias)

    def get_config(self) -> dict:
        return {"in_features": self.in_features, "out_features": self.out_features, "bias": self.bias is not None}


class Identity(Module):
    """a = z (the sheets' identity/linear output unit)."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dims start_dim … end_dim (default: all but the batch dim) into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return ops.flatten(x, self.start_dim, self.end_dim)

    def get_config(self) -> dict:
        return {"start_dim": self.start_dim, "end_dim": self.end_dim}
