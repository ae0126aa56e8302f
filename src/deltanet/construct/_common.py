"""Shared pieces of the hand-built networks: layers with given weights, forward passes on NumPy inputs,
checks of the arguments, and the `Failure` record that every `verify_*` function returns."""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from deltanet import nn
from deltanet.autograd import no_grad
from deltanet.tensor import Tensor


class Failure(NamedTuple):
    """One input where a construction misses its claim: the input x, the value it should give, what it gave."""

    x: tuple
    target: float
    output: float


def linear(weight, bias) -> nn.Linear:
    """nn.Linear computing z = W x + b with the given W (out × in) and b (out), in float64."""
    weight = np.asarray(weight, dtype=np.float64)
    layer = nn.Linear(weight.shape[1], weight.shape[0], dtype=np.float64)
    layer.weight.data[...] = weight
    layer.bias.data[...] = np.asarray(bias, dtype=np.float64)
    return layer


def forward(model: nn.Module, X: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The model's outputs on the rows of X (a NumPy array), without a graph, `chunk` rows at a time, in the
    dtype of the model's parameters."""
    dtype = next(model.parameters()).dtype
    with no_grad():
        parts = [model(Tensor(np.ascontiguousarray(X[i:i + chunk], dtype=dtype))).numpy()
                 for i in range(0, len(X), chunk)]
    return np.concatenate(parts).astype(np.float64)


def failures(model: nn.Module, X: np.ndarray, y: np.ndarray, atol: float, where: str) -> list[Failure]:
    """The rows x of X where |model(x) − y| > atol (model with one output, y one target per row)."""
    atol = number(atol, "atol", where, minimum=0.0)
    out = forward(model, X)
    if out.shape not in ((len(X),), (len(X), 1)):
        raise ValueError(f"{where}: the model must give one output per input, got outputs of shape {out.shape}")
    out = out.reshape(len(X))
    wrong = ~(np.abs(out - y) <= atol)           # NaN counts as wrong
    return [Failure(tuple(x.tolist()), float(t), float(o)) for x, t, o in zip(X[wrong], y[wrong], out[wrong])]


def number(value, name: str, where: str, minimum: float | None = None, positive: bool = False) -> float:
    """`value` as a finite float, or a clear error (bools refused; optional lower bound or > 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    if positive and not value > 0:
        raise ValueError(f"{where}: {name} must be > 0, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {name} must be ≥ {minimum}, got {value!r}")
    return float(value)


def choice(value, options: tuple[str, ...], name: str, where: str) -> str:
    if value not in options:
        raise ValueError(f"{where}: {name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value
