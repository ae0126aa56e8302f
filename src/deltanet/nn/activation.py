"""Activation functions a = f(z) as layers (the sheets' step/threshold, sign, identity, sigmoid, …)."""

from __future__ import annotations

from deltanet import ops
from deltanet.nn.module import Module


class Step(Module):
    """Heaviside step: a = 1 if z > 0, 0 if z < 0, and `at_zero` at z = 0 (the sheets use f(0) = 0 and
    g(0) = 1). Its derivative is 0 wherever it exists, so gradient descent cannot train through it."""

    def __init__(self, at_zero: float = 0.0):
        super().__init__()
        self.at_zero = float(at_zero)

    def forward(self, z):
        return ops.step(z, at_zero=self.at_zero)

    def get_config(self) -> dict:
        return {"at_zero": self.at_zero}


class Sign(Module):
    """a = sign(z) ∈ {−1, 0, 1} (zero gradient)."""

    def forward(self, z):
        return ops.sign(z)


class Sigmoid(Module):
    """a = σ(z) = 1/(1 + e⁻ᶻ);  σ' = σ(1 − σ)."""

    def forward(self, z):
        return ops.sigmoid(z)


class Tanh(Module):
    """a = tanh z;  tanh' = 1 − tanh²."""

    def forward(self, z):
        return ops.tanh(z)


class ReLU(Module):
    """a = max(0, z);  ReLU'(z) = 1 for z > 0, 0 otherwise (0 at z = 0, as PyTorch)."""

    def forward(self, z):
        return ops.relu(z)


class LeakyReLU(Module):
    """a = z for z > 0, negative_slope·z otherwise."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, z):
        return ops.leaky_relu(z, self.negative_slope)

    def get_config(self) -> dict:
        return {"negative_slope": self.negative_slope}


class Softmax(Module):
    """aᵢ = e^{zᵢ/T} / Σⱼ e^{zⱼ/T} along `dim` (T = temperature; T → 0 approaches argmax)."""

    def __init__(self, dim: int = -1, temperature: float = 1.0):
        super().__init__()
        if temperature <= 0:
            raise ValueError(f"Softmax: temperature must be > 0, got {temperature}")
        self.dim, self.temperature = dim, float(temperature)

    def forward(self, z):
        return ops.softmax(z, self.dim, self.temperature)

    def get_config(self) -> dict:
        return {"dim": self.dim, "temperature": self.temperature}


class LogSoftmax(Softmax):
    """aᵢ = log softmax(z/T)ᵢ along `dim`, computed stably."""

    def forward(self, z):
        return ops.log_softmax(z, self.dim, self.temperature)
