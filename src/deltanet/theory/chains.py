"""Vanishing and exploding gradients in a chain of single neurons (seed sheet 000 Q2; sheet 004 §5.1).

A chain x → a_1 → … → a_L of one neuron per layer, z_j = w_j a_{j−1} + b_j, a_j = f(z_j) (a_0 = x):

    ∂a_L/∂b_1 = f′(z_1) ∏_{j=2}^{L} w_j f′(z_j)

— one factor w_j f′(z_j) per layer. For the sigmoid σ′ = σ (1 − σ) ≤ ¼, so |w_j σ′(z_j)| ≤ |w_j|/4: with
|w| < 4 the product vanishes geometrically. Large weights alone do not make it explode — a large |z| makes
σ′(z) ≈ e^{−|z|} tiny — it explodes when |w| is large *and* z stays near 0 (the sheet's biases cancel w a).
A linear chain (f = identity) gives ∂a_L/∂b_1 = w^{L−1} (and ∂a_L/∂w_1 = x w^{L−1}): below 1 it vanishes,
above 1 it explodes.

Every gradient here is computed by autograd through nn.Linear(1, 1) layers and compared with the product
of the factors w_j f′(z_j) read off the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deltanet import autograd, nn
from deltanet.theory._common import check_count, frozen, linear, table, tensor

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "linear": nn.Identity}


def scalar_chain(w, b, activation: str = "sigmoid", output=None) -> nn.Sequential:
    """Linear(1, 1) → f → … → Linear(1, 1) → f with weights w_j and biases b_j; `output` = (w_o, b_o) adds a
    linear output neuron o = w_o a_L + b_o (seed sheet 000 Q2)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"scalar_chain: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    w, b = np.atleast_1d(np.asarray(w, dtype=np.float64)), np.atleast_1d(np.asarray(b, dtype=np.float64))
    if w.ndim != 1 or w.shape != b.shape or w.size == 0:
        raise ValueError(f"scalar_chain: w and b must be equally long sequences, got {w.shape} and {b.shape}")
    layers = []
    for wj, bj in zip(w, b):
        layers += [linear([[wj]], [bj]), ACTIVATIONS[activation]()]
    if output is not None:
        layers.append(linear([[output[0]]], [output[1]]))
    return nn.Sequential(*layers)


def chain_gradients(model: nn.Sequential, x: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each neuron of a scalar chain, in order (the last is the model's output): its value, its derivative
    with respect to b_1 by autograd, and the product f′(z_1) ∏_{j≥2} w_j f′(z_j) up to it (f′ = a (1 − a)
    for a sigmoid, 1 for a linear unit), from the forward pass's numbers."""
    layers = list(model)
    b1 = layers[0].bias
    a = tensor([[x]])
    values, grads, factors = [], [], []
    for i, layer in enumerate(layers):
        if not isinstance(layer, nn.Linear):
            continue
        a = layer(a)
        unit = layers[i + 1] if i + 1 < len(layers) and not isinstance(layers[i + 1], nn.Linear) else None
        if unit is not None:
            a = unit(a)
        value = a.item()
        f_prime = value * (1 - value) if isinstance(unit, nn.Sigmoid) else 1.0
        factors.append(f_prime if i == 0 else layer.weight.item() * f_prime)
        values.append(value)
        grads.append(autograd.grad(a.sum(), b1, retain_graph=True)[0].item())
    return np.array(values), np.array(grads), np.cumprod(factors)


# The demo's chains: (label, activation, w, rule for b_j given w and x: "zero" b = 0, "centre" z_j = 0).
REGIMES = (
    ("sigmoid, w = 1, b = 0", "sigmoid", 1.0, "zero"),
    ("sigmoid, w = 8, z_j = 0", "sigmoid", 8.0, "centre"),
    ("sigmoid, w = 8, b = 0", "sigmoid", 8.0, "zero"),
    ("linear, w = 0.9", "linear", 0.9, "zero"),
    ("linear, w = 1.1", "linear", 1.1, "zero"),
)

# Seed sheet 000 Q2: x = 3, three sigmoid neurons and a linear output o = w_4 h_3 + b_4; ∂o/∂b_1.
SHEET_000_Q2 = (
    dict(w=(100.0, 150.0, 200.0), b=(-300.0, -75.0, -100.0), output=(200.0, 10.0), stated=93750.0),
    dict(w=(0.2, 0.5, 0.3), b=(1.0, 2.0, 2.0), output=(0.6, 1.0), stated=0.000100),
)


@dataclass(frozen=True)
class ChainProducts:
    x: float
    depths: np.ndarray              # L = 1 … max_depth
    regimes: tuple[str, ...]
    gradients: np.ndarray           # (regimes, depths): ∂a_L/∂b_1 by autograd
    products: np.ndarray            # (regimes, depths): f′(z_1) ∏_{j=2}^{L} w_j f′(z_j)
    bounds: np.ndarray              # (regimes, depths): ¼ (|w|/4)^{L−1} for sigmoid, |w|^{L−1} for linear
    max_relative_error: float       # max |autograd − product| / |product| over all of them
    sheet_outputs: tuple[float, ...]      # seed sheet 000 Q2 (1), (2): o
    sheet_gradients: tuple[float, ...]    # ∂o/∂b_1 by autograd
    sheet_products: tuple[float, ...]     # … as the product w_4 · w_3 σ′(z_3) · w_2 σ′(z_2) · σ′(z_1)
    sheet_stated: tuple[float, ...]       # the sheet's answers

    def report(self) -> str:
        shown = [L for L in (1, 2, 3, 5, 10, 20, 30, 50, 100) if L <= self.depths[-1]]
        if self.depths[-1] not in shown:
            shown.append(int(self.depths[-1]))
        rows = [(f"{L}", *(f"{g:.3e}" for g in self.gradients[:, L - 1])) for L in shown]
        sheet = [(f"({k})", f"{o:.6g}", f"{g:.6g}", f"{p:.6g}", f"{s:g}")
                 for k, (o, g, p, s) in enumerate(zip(self.sheet_outputs, self.sheet_gradients, self.sheet_products,
                                                     self.sheet_stated), start=1)]
        return "\n".join([
            "Vanishing and exploding products in a chain of single neurons (seed sheet 000 Q2, sheet 004 §5.1)",
            "",
            f"∂a_L/∂b_1 = f′(z_1) ∏_(j=2..L) w_j f′(z_j) for chains x = {self.x:g} → a_1 → … → a_L, by autograd:",
            "",
            table(("L", *self.regimes), rows),
            "",
            f"Autograd equals the product of the factors w_j f′(z_j) to {self.max_relative_error:.1e} (relative) at "
            "every depth.",
            "- sigmoid, w = 1: each factor is ≤ ¼ (σ′ ≤ ¼), so the gradient vanishes like 4^(−L) or faster; any "
            "|w| < 4 vanishes.",
            "- sigmoid, w = 8 with b_j = −w a_(j−1) (z_j = 0, σ′ = ¼): each factor is 8/4 = 2 — it explodes.",
            "- sigmoid, w = 8 with b = 0: z_j ≈ 8 saturates σ, σ′(8) ≈ 3.4e−4, each factor ≈ 2.7e−3 — large w "
            "alone vanishes.",
            "- linear: ∂a_L/∂b_1 = w^(L−1) exactly: 0.9^(L−1) → 0, 1.1^(L−1) → ∞ (sheet 004 §5.1's product of "
            "weights).",
            "",
            "Seed sheet 000 Q2 (x = 3, three sigmoid neurons, linear output o = w_4 h_3 + b_4):",
            table(("case", "o", "∂o/∂b_1 (autograd)", "product", "sheet"), sheet),
            "Case (1): every z_j = 0, so ∂o/∂b_1 = 200 · 200·¼ · 150·¼ · ¼ = 93750 — exploding. Case (2): "
            f"{self.sheet_gradients[1]:.4g}, vanishing. The sheet's h_3 ≈ 0.88 and ≈ 0.000100 are an erratum: "
            "h_3 = σ(0.3 h_2 + 2) ≈ 0.9068, while 0.88 ≈ σ(2) drops the term w_3 h_2 (with h_3 = σ(2) the product "
            "is 9.94e−5 ≈ 0.000100); its o ≈ 1.828 matches neither (0.6 h_3 + 1 = "
            f"{self.sheet_outputs[1]:.4f}, or 1.5285 with σ(2)).",
        ])


def chain_products(max_depth: int = 30, x: float = 1.0) -> ChainProducts:
    """∂a_L/∂b_1 for L = 1 … max_depth in five chains (sigmoid vanishing, sigmoid exploding, sigmoid
    saturated, linear below and above 1), by autograd and as the product of the factors w_j f′(z_j); and the
    two chains of seed sheet 000 Q2."""
    max_depth = check_count("chain_products: max_depth", max_depth)
    if not np.isfinite(x):
        raise ValueError(f"chain_products: x must be a finite number, got {x!r}")
    gradients, products, bounds = [], [], []
    for _, activation, w, rule in REGIMES:
        b = np.zeros(max_depth)
        if rule == "centre":                  # z_1 = w x + b_1 = 0, then a_j = ½ and z_j = w/2 + b_j = 0
            b[0], b[1:] = -w * x, -w / 2
        _, g, p = chain_gradients(scalar_chain(np.full(max_depth, w), b, activation), x)
        gradients.append(g)
        products.append(p)
        k = np.arange(max_depth)
        bounds.append((abs(w) / 4) ** k / 4 if activation == "sigmoid" else abs(w) ** k)
    gradients, products = np.array(gradients), np.array(products)
    sheet = [chain_gradients(scalar_chain(c["w"], c["b"], "sigmoid", c["output"]), 3.0) for c in SHEET_000_Q2]
    return ChainProducts(
        x=float(x), depths=frozen(np.arange(1, max_depth + 1)), regimes=tuple(r[0] for r in REGIMES),
        gradients=frozen(gradients), products=frozen(products), bounds=frozen(bounds),
        max_relative_error=float(np.max(np.abs(gradients - products) / np.abs(products))),
        sheet_outputs=tuple(float(v[-1]) for v, _, _ in sheet),
        sheet_gradients=tuple(float(g[-1]) for _, g, _ in sheet),
        sheet_products=tuple(float(p[-1]) for _, _, p in sheet),
        sheet_stated=tuple(c["stated"] for c in SHEET_000_Q2))
