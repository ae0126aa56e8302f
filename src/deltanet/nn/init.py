"""Weight initialisations (in place, from the library's seeded generator), with torch's names and formulas.

Fan-in/fan-out of a weight of shape (out, in, *kernel) are in·k and out·k, k = the kernel size.
Nielsen's book uses two schemes: `nielsen_(w)` — w ~ N(0, 1) (chapter 1, `network.py`) — and
`nielsen_(w, improved=True)` — w ~ N(0, 1/n_in) (chapter 3, `network2.py`); biases ~ N(0, 1) in both.
"""

from __future__ import annotations

import math

from deltanet.random import default_generator
from deltanet.tensor import Tensor


def _fill(tensor: Tensor, values) -> Tensor:
    tensor.data[...] = values
    return tensor


def calculate_fans(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(f"fan in/out need a weight with at least 2 dimensions, got shape {tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain torch uses to keep activation variance constant through a layer."""
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """w ~ U(a, b)."""
    return _fill(tensor, default_generator().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """w ~ N(mean, std²)."""
    return _fill(tensor, default_generator().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, value: float) -> Tensor:
    return _fill(tensor, value)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """w ~ U(−a, a), a = gain·√(6/(fan_in + fan_out))  (Glorot & Bengio)."""
    fan_in, fan_out = calculate_fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """w ~ N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fans(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """w ~ U(−√3·σ, √3·σ), σ = gain/√fan  (He et al.)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """w ~ N(0, σ²), σ = gain/√fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def nielsen_(tensor: Tensor, improved: bool = False) -> Tensor:
    """Nielsen's initialisation: N(0, 1) ("large", chapter 1), or N(0, 1/n_in) with improved=True
    (chapter 3), n_in = fan-in. 1-D tensors (biases) always get N(0, 1)."""
    std = 1.0 / math.sqrt(calculate_fans(tensor)[0]) if improved and tensor.ndim >= 2 else 1.0
    return normal_(tensor, 0.0, std)


def apply_nielsen(model, improved: bool = False):
    """Re-initialise every weight and bias of `model` with `nielsen_` (as network.py / network2.py)."""
    for name, param in model.named_parameters():
        nielsen_(param, improved=improved and name.endswith("weight"))
    return model
