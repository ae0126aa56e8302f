"""Networks changed by hand: a one-hot classifier given 4-bit binary outputs, a linear MLP collapsed to one layer.

One-hot → binary (seed 003 Q2.2, seed 004 Ex 1.3). Output bit j (most-significant first, as
`dn.data.encode.binary`: 5 → 0101) is an OR of the classes whose code has bit j set, as a sigmoid unit

    y_j = σ(c z_j),   z_j = Σ_{i: bit j of i is 1} p_i − Σ_{i: bit j of i is 0} p_i,   bias 0

— seed 004's weights ±1, scaled by a large c. If p is one-hot (or, as 004 assumes, p_correct ≥ 0.99 and
every other p_i < 0.01) then z_j > 0.99 − 9 × 0.01 = 0.90 when bit j of the class is 1 and z_j < −0.90 when
it is 0, so y_j is within σ(−0.9 c) of the bit. A trained
classifier's outputs are not one-hot, so the appended block first applies a softmax with a small
temperature T, p = softmax(a/T): it is (numerically) the one-hot vector of argmax a, hence the decoded bits
give the argmax class whenever the largest output leads the next by more than T ln 9 (then p_max > ½,
and since Σ p = 1, z_j = 2 Σ_{bit set} p_i − 1 has the sign of the argmax's bit). Without it, the ±1 layer on
raw logits does not preserve the argmax. (Seed 004 lists the digits with bit 1' set as 2, 3, 6, 7, 9 and calls
1' the second most significant bit; it is the second least significant, set for 2, 3, 6, 7 only — 9 is 1001.)

Collapsing (seed 002 Problem 1, seed 003 Q3): with identity activations z^{l} = W^l z^{l−1} + b^l composes to
one affine map, W = W^L ⋯ W^1 and b = W^L(⋯(W^2 b^1 + b^2)⋯) + b^L, whose rank is at most the smallest
width on the way (rank W^3 W^2 ≤ 4 for a 784-4-10 network: a bottleneck, not a plain logistic regression).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.construct._common import linear, number


def _last_linear(model: nn.Module) -> nn.Linear:
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise TypeError(f"onehot_to_binary: the model must end in an nn.Linear layer (to read its number of "
                        f"outputs), got {type(model).__name__} without one")
    return layers[-1]


def onehot_to_binary(model: nn.Module | None = None, bits: int = 4, classes=None, temperature: float | None = 1e-6,
                     c: float = 50.0) -> nn.Sequential:
    """`model` followed by [Softmax(temperature), Linear(±c, bias 0), Sigmoid]: `bits` outputs, the binary
    code of the predicted class, most-significant bit first (see the module docstring).

    model=None: the appended block alone (10 inputs unless `classes` says otherwise). classes: the class of
    each model output (default output i is class i; seed 003 puts digit 0 last: classes=(1, …, 9, 0)).
    temperature=None leaves out the softmax (the sheets' layer alone, for outputs that are already near
    one-hot)."""
    if isinstance(bits, bool) or not isinstance(bits, int | np.integer) or not 1 <= bits <= 62:
        raise ValueError(f"onehot_to_binary: bits must be an integer from 1 to 62, got {bits!r}")
    if model is not None and not isinstance(model, nn.Module):
        raise TypeError(f"onehot_to_binary: model must be an nn.Module or None, got {type(model).__name__}")
    n_out = _last_linear(model).out_features if model is not None else None
    classes = np.arange(n_out or 10) if classes is None else np.asarray(classes)
    if classes.ndim != 1 or classes.dtype.kind not in "iu" or (classes < 0).any() or (classes >= 2**bits).any():
        raise ValueError(f"onehot_to_binary: classes must be integers from 0 to {2**bits - 1} (they must fit in "
                         f"{bits} bits), got {classes.tolist()}")
    if n_out is not None and len(classes) != n_out:
        raise ValueError(f"onehot_to_binary: the model has {n_out} outputs but {len(classes)} classes were given")
    c = number(c, "c", "onehot_to_binary", positive=True)
    code = (classes[None, :] >> np.arange(bits - 1, -1, -1)[:, None]) & 1          # code[j, i]: bit j of class i
    block = [linear(c * (2.0 * code - 1.0), np.zeros(bits)), nn.Sigmoid()]
    if temperature is not None:
        block.insert(0, nn.Softmax(dim=-1, temperature=number(temperature, "temperature", "onehot_to_binary",
                                                              positive=True)))
    if model is None:
        return nn.Sequential(*block)
    head = list(model) if isinstance(model, nn.Sequential) else [model]
    return nn.Sequential(*head, *block)


@dataclass
class Collapsed:
    """One Linear equal to a linear MLP; `rank` of its weight W, `bound` = the smallest width on the way."""

    linear: nn.Linear
    rank: int
    bound: int


def collapse_linear(model: nn.Module) -> Collapsed:
    """The single nn.Linear computing the same map as `model`, a (possibly nested) Sequential of Linear and
    Identity layers: W = W^L ⋯ W^1, b = W^L(⋯(W^2 b^1 + b^2)⋯) + b^L, in the model's dtype."""
    layers = list(_flat(model, "model"))
    linears = [layer for _, layer in layers if isinstance(layer, nn.Linear)]
    if not linears:
        raise ValueError("collapse_linear: the model has no Linear layer to collapse")
    W = linears[0].weight.numpy()
    b = linears[0].bias.numpy() if linears[0].bias is not None else np.zeros(len(W), dtype=W.dtype)
    widths = [linears[0].in_features, linears[0].out_features]
    for layer in linears[1:]:
        if layer.in_features != W.shape[0]:
            raise ValueError(f"collapse_linear: a Linear with {layer.in_features} inputs follows one with "
                             f"{W.shape[0]} outputs")
        W, b = layer.weight.numpy() @ W, layer.weight.numpy() @ b
        if layer.bias is not None:
            b = b + layer.bias.numpy()
        widths.append(layer.out_features)
    single = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
    single.weight.data[...] = W
    single.bias.data[...] = b
    return Collapsed(single, int(np.linalg.matrix_rank(W)), min(widths))


def _flat(module: nn.Module, name: str):
    """(name, layer) for each Linear/Identity in order; a clear error naming any other layer."""
    if isinstance(module, nn.Sequential):
        for child_name, child in module.named_children():
            yield from _flat(child, child_name if name == "model" else f"{name}.{child_name}")
    elif isinstance(module, nn.Linear | nn.Identity):
        yield name, module
    else:
        raise ValueError(f"collapse_linear: layer {name!r} ({type(module).__name__}) is not linear; only Linear and "
                         "Identity layers collapse into one Linear (a non-linear activation is what makes depth add "
                         "expressive power)")
