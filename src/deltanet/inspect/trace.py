"""`trace`: every zˡ, aˡ, δˡ = ∂C/∂zˡ, ∂C/∂Wˡ and ∂C/∂bˡ of one example, layer by layer.

The model runs module by module, so each zˡ is a tensor of the recorded graph; one reverse pass of the
engine, `dn.autograd.grad(C, [z¹ … zᴸ, parameters])`, then gives every δˡ and every parameter gradient
at once. Nothing here is a second, hand-written backpropagation: the sheets' equations (BP1–BP4) are
what the tests check these numbers against.

Layers (the sheets' numbering, l = 1 … L; a⁰ = x):
- a module with parameters (Linear, Conv1d/2d, a recurrent layer) or any other computing module
  (pooling, LastStep, …) opens layer l, and its output is zˡ;
- an activation right after it (Sigmoid, Tanh, ReLU, LeakyReLU, Step, Sign, Softmax, LogSoftmax, Identity)
  is that layer's f, aˡ = f(zˡ); without one, aˡ = zˡ (a linear output unit). Pooling layers are layers of
  their own, as in Nielsen's chapter 6;
- Flatten, Unflatten and Dropout only rearrange or mask values: they are folded into the layer that
  follows them and named in its title (zˡ = W·flatten(aˡ⁻¹) + b), so aˡ = f(zˡ) holds on every row
  (only at the end of a chain do they form a layer of their own, aˡ = zˡ);
- an activation with no layer before it (first module, or after another activation) is a layer with
  zˡ = its input;
- a recurrent layer's (output, state) pair counts by its output sequence: zˡ = (h₁ … h_T).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from deltanet.autograd import enable_grad, grad
from deltanet.nn import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Sign,
    Softmax,
    Step,
    Tanh,
    Unflatten,
)
from deltanet.tensor import Tensor, get_default_dtype

ACTIVATIONS = (Sigmoid, Tanh, ReLU, LeakyReLU, Step, Sign, Softmax, Identity)   # LogSoftmax is a Softmax
FOLDED = (Flatten, Unflatten, Dropout)


@dataclass(eq=False)
class LayerTrace:
    """Layer l of one example (NumPy arrays, without the batch axis).

    z            zˡ = the layer's output before its activation (wˡaˡ⁻¹ + bˡ for a Linear layer)
    a            aˡ = f(zˡ)  (= zˡ when the layer has no activation)
    delta        δˡ = ∂C/∂zˡ
    grad_weight  ∂C/∂Wˡ (None if the layer has no `weight`), same shape as the weight
    grad_bias    ∂C/∂bˡ (None if the layer has no `bias`)
    activation   the class name of f, or None when aˡ = zˡ
    extra_grads  ∂C/∂θ of the layer's other parameters by name (e.g. a recurrent layer's weight_hh_l0)
    """

    l: int
    name: str
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    grad_weight: np.ndarray | None
    grad_bias: np.ndarray | None
    activation: str | None = None
    extra_grads: dict = field(default_factory=dict)


@dataclass(eq=False)
class Trace:
    """One example through the network: a⁰ = `input`, the `layers`, aᴸ = `output`, the `cost` C."""

    input: np.ndarray
    layers: list[LayerTrace]
    cost: float
    output: np.ndarray
    target: np.ndarray | None
    loss: str

    def format(self, fmt: str = "text", full: bool = False, digits: int = 6) -> str:
        """'text' (an aligned table per layer), 'markdown' (one table) or 'json' (every number, as lists).
        Arrays of more than 10 values are summarised (norm, min, max, first values) unless full=True."""
        from deltanet.inspect.formatting import FORMATS

        if fmt not in FORMATS:
            raise ValueError(f"Trace.format: fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
        return FORMATS[fmt](self, full=full, digits=digits)

    def __str__(self) -> str:
        return self.format("text")


@dataclass
class _Layer:
    """Modules of one layer: folded reshapes, the module that makes z (None: z = its input), f."""

    folded: list
    module: Module | None = None
    activation: Module | None = None

    @property
    def name(self) -> str:
        parts = [*self.folded, self.module, self.activation]
        return " → ".join(type(m).__name__ for m in parts if m is not None)

    def forward(self, a: Tensor) -> tuple[Tensor, Tensor]:
        """(zˡ, aˡ) from aˡ⁻¹."""
        for module in self.folded:
            a = module(a)
        z = a if self.module is None else self.module(a)
        if isinstance(z, tuple):            # a recurrent layer's (output, state): its output sequence
            z = z[0]
        if not isinstance(z, Tensor):
            raise ValueError(f"trace: {self.name} returned a {type(z).__name__}, not a tensor")
        return z, (z if self.activation is None else self.activation(z))


def _chain(model: Module) -> list[Module]:
    """The modules of a Sequential in order, nested Sequentials expanded."""
    if not isinstance(model, Sequential):
        raise TypeError(f"trace: expected an nn.Sequential (a chain of layers, run module by module), got "
                        f"{type(model).__name__}; put the layers of the model in an nn.Sequential to trace it")
    return [m for child in model for m in (_chain(child) if isinstance(child, Sequential) else [child])]


def layers_of(model: Module) -> list[_Layer]:
    """Group a Sequential's modules into the sheets' layers (the rules in the module docstring)."""
    layers, folded = [], []
    for module in _chain(model):
        if isinstance(module, FOLDED):
            folded.append(module)
        elif isinstance(module, ACTIVATIONS):
            last = layers[-1] if layers else None
            if last is not None and not folded and last.module is not None and last.activation is None:
                last.activation = module
            else:
                layers.append(_Layer(folded, activation=module))
                folded = []
        else:
            layers.append(_Layer(folded, module))
            folded = []
    if folded:
        layers.append(_Layer(folded))
    if not layers:
        raise ValueError("trace: the model has no layers")
    return layers


def _example(x, dtype) -> np.ndarray:
    """x as a batch of one: a vector (n,) gets a batch axis; (1, …) is taken as it is."""
    x = np.asarray(x.data if isinstance(x, Tensor) else x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"trace: x must hold numbers, got dtype {x.dtype}")
    if x.ndim == 0 or (x.ndim > 1 and x.shape[0] != 1):
        raise ValueError(f"trace: x must be one example — a vector (n,) or a batch of one (1, …) — "
                         f"got shape {x.shape}")
    return np.array(x[None] if x.ndim == 1 else x, dtype=dtype)


def _target(y, output: Tensor) -> np.ndarray:
    """y for a batch of one: a class index (1,) or a target with the output's shape."""
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    if y.dtype.kind in "iu" and y.size == 1 and output.data.size > 1:
        return y.reshape(1)
    if y.size != output.data.size:
        raise ValueError(f"trace: y must be a class index or a target with the output's {output.data.size} "
                         f"value(s), got shape {y.shape}")
    return y.reshape(output.shape).astype(output.dtype)


def _loss_name(loss) -> str:
    if loss is None:
        return "output"
    return type(loss).__name__ if isinstance(loss, Module) else getattr(loss, "__name__", type(loss).__name__)


def trace(model: Module, x, y=None, loss=None) -> Trace:
    """Trace one example x (target y, cost C = loss(aᴸ, y)) through a Sequential, layer by layer.

    x is a vector (n,) or a batch of one (1, …) — images as (1, C, H, W); y a class index or a target
    shaped like the output. With loss=None (and y=None) the cost is the network's single output itself,
    C = aᴸ: δˡ is then ∂aᴸ/∂zˡ (the chain network of sheet 000, Q2, asks for ∂o/∂b¹ this way).
    Modules run in their current mode (call model.eval() to trace without dropout). The model's `.grad`
    fields are not touched.
    """
    layers = layers_of(model)
    params = dict(model.named_parameters())
    dtype = next(iter(params.values())).dtype if params else get_default_dtype()
    a0 = _example(x, dtype)
    if (loss is None) != (y is None):
        raise ValueError("trace: pass y and loss together (or neither, for C = the network's output)")
    with enable_grad():
        a = Tensor(a0, requires_grad=True)      # so that every zˡ is on the graph, frozen weights or not
        zs, activations = [], []
        for l, layer in enumerate(layers, 1):
            z, a = layer.forward(a)
            if z.shape[:1] != (1,):
                raise ValueError(f"trace: layer {l} ({layer.name}) gave z of shape {z.shape}, without the batch "
                                 "axis of one; pass x as a batch of one, e.g. (1, C, H, W) for an image")
            zs.append(z)
            activations.append(a)
        target = None if y is None else _target(y, a)
        cost = a if loss is None else loss(a, Tensor(target))
        if not isinstance(cost, Tensor) or cost.data.size != 1:
            raise ValueError(f"trace: the cost must be one number, got shape {getattr(cost, 'shape', cost)}"
                             + (" (the network's output; pass y and loss)" if loss is None else
                                " (use a loss with reduction='mean' or 'sum')"))
        trained = {name: p for name, p in params.items() if p.requires_grad}
        derivatives = grad(cost, [*zs, *trained.values()], allow_unused=True)
    deltas = derivatives[:len(zs)]
    grads = {name: None if g is None else g.data for name, g in zip(trained, derivatives[len(zs):])}
    ids = {id(p): name for name, p in params.items()}

    def grads_of(module):
        return {} if module is None else {local: grads.get(ids[id(p)]) for local, p in module.named_parameters()}

    rows = []
    for l, (layer, z, a, delta) in enumerate(zip(layers, zs, activations, deltas), 1):
        own = grads_of(layer.module)
        rows.append(LayerTrace(l, layer.name, z.data[0], a.data[0],
                               np.zeros_like(z.data[0]) if delta is None else delta.data[0],
                               own.pop("weight", None), own.pop("bias", None),
                               None if layer.activation is None else type(layer.activation).__name__, own))
    return Trace(a0[0], rows, float(cost.data.reshape(())), activations[-1].data[0],
                 None if target is None else target[0], _loss_name(loss))
