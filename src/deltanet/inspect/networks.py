"""Sheet 000, Q2: a chain of scalar sigmoid neurons, and the chain-rule factors whose product is ∂o/∂b¹.

    z¹ = w¹x + b¹, h¹ = σ(z¹);  z² = w²h¹ + b², h² = σ(z²);  z³ = w³h² + b³, h³ = σ(z³);  o = w⁴h³ + b⁴
    ∂o/∂b¹ = σ′(z¹) · w² σ′(z²) · w³ σ′(z³) · w⁴

Part 1's weights put every zˡ at 0, where σ′ = ¼ is largest, and the big w's make the product explode
(93750); part 2's small weights and saturated neurons make it vanish (≈ 8·10⁻⁵).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.autograd import jvp
from deltanet.inspect.formatting import SYMBOLS, sup
from deltanet.inspect.trace import Trace, layers_of
from deltanet.tensor import Tensor

X = 3.0
PARTS = {1: ((100.0, 150.0, 200.0, 200.0), (-300.0, -75.0, -100.0, 10.0)),
         2: ((0.2, 0.5, 0.3, 0.6), (1.0, 2.0, 2.0, 1.0))}
# The sheet's printed answers. Part 2's is an erratum: its h³ ≈ 0.88 should be 0.9068 (so o ≈ 1.828 should
# be 1.5441 — o = 0.6 h³ + 1 cannot exceed 1.6), and ∂o/∂b¹ ≈ 0.000100 should be 7.997·10⁻⁵.
SHEET_ANSWERS = {1: "∂o/∂b¹ = 93750, o = 110",
                 2: "∂o/∂b¹ ≈ 0.000100, o ≈ 1.828 — an erratum: its h³ ≈ 0.88 should be 0.9068, which gives "
                    "o = 1.5441 and ∂o/∂b¹ = 7.997·10⁻⁵ (as above)"}


def chain(w, b) -> nn.Sequential:
    """Linear(1, 1) → Sigmoid → … → Linear(1, 1) (float64): neuron l has weight w[l−1] and bias b[l−1],
    every neuron but the last is a sigmoid, the last is linear (o = wᴸhᴸ⁻¹ + bᴸ)."""
    if len(w) != len(b) or len(w) == 0:
        raise ValueError(f"chain: need as many weights as biases (at least one), got {len(w)} and {len(b)}")
    modules = []
    for wl, bl in zip(w, b):
        linear = nn.Linear(1, 1, dtype=np.float64)
        linear.weight.data[...] = wl
        linear.bias.data[...] = bl
        modules += [linear, nn.Sigmoid()]
    return nn.Sequential(*modules[:-1])


@dataclass
class ChainRule:
    """∂aᴸ/∂b¹ of a chain of scalar neurons as a product of factors, and δ¹ = ∂C/∂b¹ from the engine."""

    symbols: list[str]
    factors: list[float]
    product: float
    engine: float

    def format(self, fmt: str = "text", digits: int = 6) -> str:
        number = lambda v: f"{v:.{digits}g}"          # noqa: E731
        if fmt == "json":
            return json.dumps(self.as_dict())
        if fmt == "markdown":
            rows = [f"| {s} | {number(v)} |" for s, v in zip(self.symbols, self.factors)]
            rows += [f"| product | {number(self.product)} |", f"| engine: δ¹ = ∂C/∂b¹ | {number(self.engine)} |"]
            return "\n".join(["| factor of ∂o/∂b¹ | value |", "|---|---|", *rows])
        if fmt != "text":
            raise ValueError(f"ChainRule.format: fmt must be text, markdown or json, got {fmt!r}")
        return "\n".join([f"chain rule: ∂o/∂b¹ = {' · '.join(self.symbols)}",
                          f"                   = {' · '.join(number(v) for v in self.factors)}",
                          f"                   = {number(self.product)}",
                          f"engine (reverse mode): δ¹ = ∂C/∂b¹ = {number(self.engine)}"])

    def as_dict(self) -> dict:
        return {"factors": [{"symbol": s, "value": v} for s, v in zip(self.symbols, self.factors)],
                "product": self.product, "engine": self.engine}


def chain_rule(model: nn.Sequential, trace: Trace) -> ChainRule:
    """The factors of ∂aᴸ/∂b¹ = f′(z¹) · w² f′(z²) · … · wᴸ (f′ omitted where aˡ = zˡ), for a chain of
    scalar neurons traced with C = its output. Each f′(zˡ) is the engine's JVP of the activation at zˡ;
    each w is the model's weight. `engine` is ∂C/∂b¹ of the trace, which the product must equal."""
    layers = layers_of(model)
    if any(not isinstance(layer.module, nn.Linear) or layer.module.weight.shape != (1, 1) or layer.folded
           for layer in layers):
        raise ValueError("chain_rule: expected a chain of scalar neurons (Linear(1, 1), each with an optional "
                         "activation)")
    symbols, factors = [], []
    for l, (layer, traced) in enumerate(zip(layers, trace.layers), 1):
        if l > 1:
            symbols.append(f"w{sup(l)}")
            factors.append(float(layer.module.weight.data[0, 0]))
        if layer.activation is not None:
            _, slope = jvp(layer.activation, (Tensor(traced.z),), (np.ones_like(traced.z),))
            symbols.append(f"{SYMBOLS.get(traced.activation, traced.activation)}′(z{sup(l)})")
            factors.append(float(slope.data[0]))
    return ChainRule(symbols, factors, float(np.prod(factors)), float(trace.layers[0].grad_bias[0]))
