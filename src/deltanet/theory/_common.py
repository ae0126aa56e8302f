"""Helpers shared by the theory demos: float64 networks from given weights, read-only arrays, text tables."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np

import deltanet as dn
from deltanet import nn


def frozen(array) -> np.ndarray:
    """A read-only float copy of `array`, for the arrays a frozen result exposes (e.g. to plot)."""
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


def tensor(array, requires_grad: bool = False) -> dn.Tensor:
    return dn.tensor(np.asarray(array, dtype=np.float64), dtype=dn.float64, requires_grad=requires_grad)


def linear(w, b) -> nn.Linear:
    """nn.Linear (float64) holding z = w a + b, with w of shape (out, in) as the sheets' w_jk."""
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    layer = nn.Linear(w.shape[1], w.shape[0], dtype=dn.float64)
    layer.weight.data[...] = w
    layer.bias.data[...] = b
    return layer


def network(weights: Sequence, biases: Sequence, activation, c: float = 1.0) -> nn.Sequential:
    """Layers z^l = c (w^l a^{l−1} + b^l), a^l = f(z^l), every layer with the activation module made by
    `activation()` — the same weights with weights and biases multiplied by c."""
    layers = []
    for w, b in zip(weights, biases):
        layers += [linear(c * np.asarray(w, dtype=np.float64), c * np.asarray(b, dtype=np.float64)), activation()]
    return nn.Sequential(*layers)


def forward(model: nn.Sequential, x) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """([z^1, z^2, …], [a^1, a^2, …]) of `model` (Linear, activation, Linear, activation, …) on the rows of x,
    without a graph; a^L is the output."""
    zs, activations = [], []
    with dn.no_grad():
        a = tensor(x)
        for layer in model:
            a = layer(a)
            (zs if isinstance(layer, nn.Linear) else activations).append(a.numpy().copy())
    return zs, activations


def boolean_inputs(p: int) -> np.ndarray:
    """All 2^p points of {0, 1}^p, in binary counting order (x1 the most significant)."""
    return np.array(list(product((0, 1), repeat=p)), dtype=np.float64)


def table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A plain-text table: columns right-aligned to their widest cell."""
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def check_positive_numbers(name: str, values, allow_empty: bool = False) -> tuple[float, ...]:
    """`values` as a tuple of finite floats > 0, or a ValueError naming `name`."""
    try:
        out = tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=np.float64)))
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a sequence of positive numbers, got {values!r}") from None
    if (not out and not allow_empty) or not all(np.isfinite(v) and v > 0 for v in out):
        raise ValueError(f"{name}: expected a non-empty sequence of finite numbers > 0, got {values!r}")
    return out


def check_count(name: str, value, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: expected an integer ≥ {minimum}, got {value!r}")
    return int(value)
