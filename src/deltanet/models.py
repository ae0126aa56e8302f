"""Ready-made models by name, used by the CLI and the reproductions (all built from `dn.nn` layers)."""

from __future__ import annotations

from deltanet import nn

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}


def mlp(sizes, activation: str = "sigmoid", output: str | None = None) -> nn.Sequential:
    """Fully connected network with layer sizes [n_in, n_1, …, n_out]: Linear + activation per hidden
    layer, and `output` (None: raw logits for a fused loss; 'sigmoid' as in Nielsen's network.py) last."""
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"mlp: sizes must list at least an input and an output size, all ≥ 1, got {sizes}")
    for name in (activation, output):
        if name is not None and name not in ACTIVATIONS:
            raise ValueError(f"mlp: unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        last = i == len(sizes) - 2
        if not last:
            layers.append(ACTIVATIONS[activation]())
        elif output is not None:
            layers.append(ACTIVATIONS[output]())
    return nn.Sequential(*layers)


def nielsen(sizes, improved: bool = False, output: str | None = "sigmoid") -> nn.Sequential:
    """Nielsen's network: sigmoid neurons in every layer, N(0, 1) weights and biases (`network.py`),
    or N(0, 1/n_in) weights with improved=True (`network2.py`). output=None leaves the last layer's
    sigmoid to a fused loss (BCEWithLogits), which computes the same cost stably."""
    return nn.init.apply_nielsen(mlp(sizes, "sigmoid", output=output), improved=improved)
