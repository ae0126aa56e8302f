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


def cnn(in_shape=(1, 28, 28), channels=(20, 40), kernel_size: int = 5, hidden=(100,), classes: int = 10,
        activation: str = "relu", dropout: float = 0.5) -> nn.Sequential:
    """LeNet-like convolutional network for flat image vectors (N, C·H·W), as the MNIST loaders give them:
    Unflatten to (N, C, H, W), then per entry of `channels` Conv2d(kernel_size) → activation → MaxPool2d(2),
    then Flatten → (Linear → activation → Dropout) per entry of `hidden` → Linear(classes), logits out.

    cnn() is Conv(1→20, 5×5) → ReLU → pool → Conv(20→40, 5×5) → ReLU → pool → FC 640→100 → ReLU →
    Dropout(0.5) → FC 100→10: 85,670 parameters."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"cnn: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    c, h, w = (int(n) for n in in_shape)
    layers = [nn.Unflatten(1, (c, h, w))]
    for out_channels in channels:
        if min(h, w) < kernel_size:
            raise ValueError(f"cnn: a {kernel_size}×{kernel_size} kernel does not fit the {h}×{w} feature maps "
                             f"left for the convolution to {out_channels} channels; use fewer channels entries")
        layers += [nn.Conv2d(c, int(out_channels), kernel_size), ACTIVATIONS[activation](), nn.MaxPool2d(2)]
        c, h, w = int(out_channels), (h - kernel_size + 1) // 2, (w - kernel_size + 1) // 2
    layers.append(nn.Flatten())
    n = c * h * w
    for size in hidden:
        layers += [nn.Linear(n, int(size)), ACTIVATIONS[activation]()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        n = int(size)
    layers.append(nn.Linear(n, classes))
    return nn.Sequential(*layers)


def lstm(in_shape=(28, 28), hidden: int = 128, classes: int = 10, num_layers: int = 1,
         kind: str = "lstm") -> nn.Sequential:
    """Recurrent classifier for flat image vectors (N, H·W), each image read as H time steps of W pixels
    (row-MNIST): Unflatten → LSTM (or kind='gru'/'rnn'; batch_first) → its last state (LastStep) →
    Linear(hidden, classes), logits out. lstm() is LSTM(28→128) + Linear(128, 10): 82,186 parameters."""
    layers = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
    if kind not in layers:
        raise ValueError(f"lstm: unknown recurrent layer {kind!r}; choose one of {', '.join(layers)}")
    steps, features = (int(n) for n in in_shape)
    return nn.Sequential(nn.Unflatten(1, (steps, features)),
                         layers[kind](features, int(hidden), num_layers=num_layers, batch_first=True),
                         nn.LastStep(), nn.Linear(int(hidden), classes))
