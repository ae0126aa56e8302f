"""`dn.nn.functional`: the layers and losses as plain functions (torch.nn.functional names)."""

from __future__ import annotations

import numpy as np

from deltanet import ops
from deltanet.ops import (
    avg_pool1d,
    avg_pool2d,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    conv1d,
    conv2d,
    cross_entropy,
    leaky_relu,
    linear,
    log_softmax,
    max_pool1d,
    max_pool2d,
    relu,
    sigmoid,
    sign,
    softmax,
    step,
    tanh,
)
from deltanet.random import default_generator
from deltanet.tensor import Tensor

__all__ = ["avg_pool1d", "avg_pool2d", "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d",
           "conv2d", "cross_entropy", "dropout", "identity", "leaky_relu", "linear", "log_softmax", "max_pool1d",
           "max_pool2d", "mse_loss", "nll_loss", "quadratic_loss", "relu", "sigmoid", "sign", "softmax", "step",
           "tanh"]


def identity(x):
    return x


def _check_same_shape(name, input, target):
    if tuple(input.shape) != tuple(np.shape(target.data if isinstance(target, Tensor) else target)):
        shape = np.shape(target.data if isinstance(target, Tensor) else target)
        raise ValueError(f"{name}: input shape {tuple(input.shape)} and target shape {shape} must be equal "
                         "(for class labels with a one-hot output, encode them with dn.data.encode.one_hot)")


def mse_loss(input, target, reduction="mean"):
    """C = mean over all elements of (a − y)² (sum or per-element with `reduction`)."""
    _check_same_shape("mse_loss", input, target)
    if reduction == "mean":
        return ops.squared_error(input, target, 1.0 / max(input.data.size, 1))
    if reduction == "sum":
        return ops.squared_error(input, target)
    if reduction == "none":
        return (input - target) ** 2
    raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def quadratic_loss(input, target):
    """Nielsen's quadratic cost C = 1/(2n) Σₓ ‖y(x) − a(x)‖²: half the squared error summed over each
    example's outputs, averaged over the n examples of the batch (dim 0). Its δᴸ is (a − y) ⊙ σ'(zᴸ)."""
    _check_same_shape("quadratic_loss", input, target)
    n = input.shape[0] if input.ndim > 1 else 1
    return ops.squared_error(input, target, 0.5 / n)


def nll_loss(log_probabilities, target, reduction="mean", ignore_index=-100):
    """C = −log p[target] for log-probabilities (N, C) or (N, C, d…) and class indices (N, d…)."""
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got {target.dtype}")
    squeeze = log_probabilities.ndim == 1
    if squeeze:
        log_probabilities, target = ops.unsqueeze(log_probabilities, 0), target[None]
    num_classes = log_probabilities.shape[1]
    valid = target != ignore_index
    if np.any(valid & ((target < 0) | (target >= num_classes))):
        raise IndexError(f"nll_loss: target classes must be in 0 … {num_classes - 1}")
    one_hot = np.zeros(log_probabilities.shape, dtype=log_probabilities.dtype)
    np.put_along_axis(one_hot, np.expand_dims(np.where(valid, target, 0), 1),
                      np.expand_dims(valid, 1).astype(one_hot.dtype), axis=1)
    losses = -ops.sum(log_probabilities * one_hot, dim=1)
    if reduction == "none":
        return ops.reshape(losses, ()) if squeeze else losses
    if reduction == "sum":
        return ops.sum(losses)
    if reduction == "mean":
        count = int(valid.sum())
        if count == 0:  # as torch: nan value, zero gradient
            return ops.sum(losses) * 0 + np.nan
        return ops.sum(losses) / count
    raise ValueError(f"nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def check_dropout_p(p, name: str = "dropout") -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{name}: p (the probability of zeroing an entry) must be a number in [0, 1], got {p!r}")


def dropout(input, p=0.5, training=True):
    """Inverted dropout: in training, zero each entry with probability p and scale the rest by 1/(1 − p)
    (a product with a constant mask, so both AD modes follow); identity when not training or p = 0.
    The mask is drawn from the library's generator (`dn.manual_seed` makes it reproducible)."""
    check_dropout_p(p)
    if not training or p == 0:
        return input
    dtype = input.dtype if input.dtype.kind == "f" else np.dtype(np.float64)
    uniform = default_generator().random(input.shape, dtype=dtype if dtype.itemsize >= 4 else np.float32)
    mask = (uniform >= p).astype(dtype)
    if p < 1:
        mask *= dtype.type(1 / (1 - p))
    return input * mask
