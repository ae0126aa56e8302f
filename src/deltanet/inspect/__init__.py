"""`dn.inspect`: look inside one example — every zˡ, aˡ, δˡ = ∂C/∂zˡ and gradient, in the sheets' notation.

    >>> import numpy as np, deltanet as dn
    >>> from deltanet import nn
    >>> from deltanet.inspect import trace
    >>> model = nn.Sequential(nn.Linear(2, 1, dtype=np.float64), nn.Sigmoid())
    >>> model.load_state_dict({"0.weight": np.array([[2.0, -1.0]]), "0.bias": np.array([0.0])})
    ([], [])
    >>> t = trace(model, [1.0, 2.0], [1.0], nn.QuadraticLoss())
    >>> t.layers[0].z, t.layers[0].a, t.cost        # z¹ = 2·1 − 1·2 + 0 = 0, a¹ = σ(0), C = ½(½ − 1)²
    (array([0.]), array([0.5]), 0.125)
    >>> t.layers[0].delta                            # δ¹ = (a¹ − y) σ′(z¹) = −½ · ¼
    array([-0.125])

- `trace(model, x, y, loss)` → `Trace` (`.input` a⁰, `.layers` of `LayerTrace`, `.cost`, `.output`,
  `.format('text'|'markdown'|'json')`), computed by the autodiff engine;
- `grad_norms(model)` → {parameter name: ‖∂C/∂θ‖} after a backward pass;
- `jacobian(fn, x, mode)` → the full Jacobian by forward-mode columns or reverse-mode rows;
- `networks.chain(w, b)` / `networks.chain_rule(model, trace)`: sheet 000 Q2's chain of sigmoid neurons and
  the factors w·σ′ whose product is ∂o/∂b¹.
"""

from deltanet.inspect.jacobian import jacobian
from deltanet.inspect.norms import grad_norms
from deltanet.inspect.trace import LayerTrace, Trace, trace

__all__ = ["LayerTrace", "Trace", "grad_norms", "jacobian", "trace"]
