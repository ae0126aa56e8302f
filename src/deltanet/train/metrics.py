"""Turning outputs and targets into predicted labels, and accuracy."""

from __future__ import annotations

import numpy as np


def labels_from_outputs(outputs: np.ndarray) -> np.ndarray:
    """Predicted class per example: argmax over classes (dim 1) for several outputs, output > 0.5 for a
    single sigmoid output (or > 0 for a single logit is *not* assumed: use `decode=` for that)."""
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        return (outputs.reshape(len(outputs), -1)[:, 0] > 0.5).astype(np.int64)
    return np.argmax(outputs, axis=1)


def labels_from_targets(targets: np.ndarray) -> np.ndarray:
    """True class per example: targets that are already class indices, or argmax of one-hot rows."""
    if targets.dtype.kind in "iu":
        return targets.reshape(len(targets), -1)[:, 0] if targets.ndim > 1 else targets
    if targets.ndim == 1 or targets.shape[1] == 1:
        return (targets.reshape(len(targets), -1)[:, 0] > 0.5).astype(np.int64)
    return np.argmax(targets, axis=1)


def count_correct(outputs: np.ndarray, targets: np.ndarray, decode=None) -> int:
    """How many examples are classified correctly. `decode(outputs) -> labels` overrides the default
    (e.g. `dn.data.encode.decode_binary` for the 4-bit code); targets are decoded the same way."""
    if decode is not None:
        predicted = decode(outputs)
        truth = targets if targets.dtype.kind in "iu" and targets.ndim == 1 else decode(targets)
    else:
        predicted, truth = labels_from_outputs(outputs), labels_from_targets(targets)
    return int(np.sum(predicted == truth))
