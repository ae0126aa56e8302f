"""`grad_norms`: the size ‖∂C/∂θ‖ of every parameter's gradient, to spot vanishing or exploding layers."""

from __future__ import annotations

import numpy as np

from deltanet.nn import Module


def grad_norms(model: Module) -> dict[str, float]:
    """{parameter name: ‖θ.grad‖} (the Frobenius norm) for every parameter that has a `.grad`, after a
    backward pass. Early layers' norms far below the last layer's are the vanishing-gradient symptom."""
    if not isinstance(model, Module):
        raise TypeError(f"grad_norms: expected an nn.Module, got {type(model).__name__}")
    return {name: float(np.linalg.norm(p.grad.data)) for name, p in model.named_parameters() if p.grad is not None}
