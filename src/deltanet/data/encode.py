"""Target encodings for classifiers and their decoders.

`one_hot` is the book's `vectorized_result`: digit d → the unit vector e_d (10 output neurons).
`binary` is the 4-output-neuron encoding of Nielsen's chapter 1 exercise: d → its bits, most-significant
first, so 5 → [0, 1, 0, 1]. Inputs may be NumPy arrays, Tensors or lists; outputs are NumPy arrays.
"""

import numpy as np

from deltanet.data._common import as_array, check_int
from deltanet.tensor import get_default_dtype


def _labels(labels, where: str) -> np.ndarray:
    """`labels` as an int64 array; integer-valued floats are accepted, anything else is refused."""
    array = as_array(labels)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)):
            raise ValueError(f"{where}: labels must be whole numbers, got non-integer values")
    elif array.dtype.kind not in "iu":
        raise TypeError(f"{where}: labels must be integers, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{where}: labels must be ≥ 0, got {array.min()}")
    return array


def one_hot(labels, num_classes: int = 10, dtype=None) -> np.ndarray:
    """Labels of shape S (ints in 0..num_classes-1) → shape S + (num_classes,), 1 at each label, else 0.

    `dtype` defaults to the library's default float dtype.
    """
    labels = _labels(labels, "one_hot")
    num_classes = check_int(num_classes, "num_classes", "one_hot")
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"one_hot: label {labels.max()} is out of range for num_classes={num_classes} "
            f"(labels must lie in 0..{num_classes - 1})"
        )
    out = np.zeros(labels.shape + (num_classes,), dtype=get_default_dtype() if dtype is None else dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def decode_one_hot(outputs) -> np.ndarray:
    """Network outputs of shape S + (classes,) → int64 labels of shape S: the index of the largest output."""
    outputs = as_array(outputs)
    if outputs.ndim == 0 or outputs.shape[-1] == 0:
        raise ValueError(
            f"decode_one_hot: outputs need a non-empty last (class) axis, got shape {outputs.shape}"
        )
    return np.argmax(outputs, axis=-1).astype(np.int64)


def binary(labels, bits: int = 4, dtype=None) -> np.ndarray:
    """Labels of shape S (ints in 0..2**bits-1) → shape S + (bits,): binary digits, most-significant first.

    `dtype` defaults to the library's default float dtype.
    """
    labels = _labels(labels, "binary")
    bits = check_int(bits, "bits", "binary")
    if bits > 62:
        raise ValueError(f"binary: bits must be ≤ 62, got {bits}")
    if labels.size and labels.max() >= 2**bits:
        largest = int(labels.max())
        raise ValueError(
            f"binary: label {largest} does not fit in {bits} bits (at most {2**bits - 1}); "
            f"use bits={largest.bit_length()} or more"
        )
    shifts = np.arange(bits - 1, -1, -1, dtype=np.int64)
    return ((labels[..., None] >> shifts) & 1).astype(get_default_dtype() if dtype is None else dtype)


def decode_binary(outputs, threshold: float = 0.5) -> np.ndarray:
    """Outputs of shape S + (bits,) → int64 labels of shape S; a bit is 1 where its output > `threshold`."""
    outputs = as_array(outputs)
    if outputs.ndim == 0 or not 1 <= outputs.shape[-1] <= 62:
        raise ValueError(
            f"decode_binary: outputs need a last (bit) axis of 1 to 62 bits, got shape {outputs.shape}"
        )
    bits = outputs.shape[-1]
    weights = np.left_shift(1, np.arange(bits - 1, -1, -1, dtype=np.int64))
    return (outputs > threshold).astype(np.int64) @ weights
