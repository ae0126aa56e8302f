"""Recipes: a data set, a target encoding and a loss, wired together the way the sheets and Nielsen's
book use them. Used by the CLI and the reproductions; each piece is an ordinary library object."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.data import DataLoader, TensorDataset, datasets, encode
from deltanet.nn import functional as F

DATASETS = ("mnist", "fashion-mnist", "xor", "circles")
LOSSES = ("ce", "quadratic", "bce")
ENCODINGS = ("onehot", "binary")


def load_split(dataset: str, split: str, dtype=None):
    """(X, labels) of one split: 'train', 'validation' or 'test' (xor and circles have all three too:
    xor's splits are all four points; circles draws a different seeded sample per split)."""
    if dataset == "mnist":
        X, y = datasets.mnist(split)
    elif dataset == "fashion-mnist":
        X, y = datasets.fashion_mnist(split)
    elif dataset == "xor":
        X, y = datasets.xor()
        y = y.reshape(-1).astype(np.int64)
    elif dataset == "circles":
        X, y = datasets.circles(n=1000 if split == "train" else 500, noise=0.08,
                                seed={"train": 0, "validation": 1, "test": 2}[split])
    else:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    return (X if dtype is None else X.astype(dtype)), y


def num_classes(dataset: str) -> int:
    return 2 if dataset in ("xor", "circles") else 10


@dataclass
class Recipe:
    """How outputs and targets meet: the loss, the target encoding, the output layer and the decoder."""

    loss: str = "ce"
    encoding: str = "onehot"
    classes: int = 10

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}; choose one of {', '.join(ENCODINGS)}")
        if self.loss == "ce" and self.encoding == "binary":
            raise ValueError("cross-entropy over classes (--loss ce) needs one-hot outputs; with the binary "
                             "encoding use --loss bce (a sigmoid per bit) or --loss quadratic")

    @property
    def outputs(self) -> int:
        """Number of output neurons: one per class (one-hot) or one per bit (binary)."""
        return self.classes if self.encoding == "onehot" else int(np.ceil(np.log2(self.classes)))

    @property
    def output_activation(self) -> str | None:
        """The quadratic cost is taken on sigmoid outputs (Nielsen); ce and bce are fused with theirs."""
        return "sigmoid" if self.loss == "quadratic" else None

    def targets(self, labels: np.ndarray, dtype) -> np.ndarray:
        """Class indices for cross-entropy; one-hot rows or bit codes otherwise."""
        if self.loss == "ce":
            return labels
        if self.encoding == "binary":
            return encode.binary(labels, bits=self.outputs, dtype=dtype)
        return encode.one_hot(labels, self.classes, dtype=dtype)

    def loss_function(self):
        """ce: softmax + cross-entropy on logits; bce: sigmoid + binary cross-entropy per output, summed
        over outputs and averaged over the batch (Nielsen's network2 cost); quadratic: ½‖a − y‖²."""
        if self.loss == "ce":
            return nn.CrossEntropyLoss()
        if self.loss == "quadratic":
            return nn.QuadraticLoss()
        return lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum") * (1.0 / len(z))

    def decode(self):
        """outputs → predicted labels (None: the default argmax), for accuracy."""
        if self.encoding == "onehot":
            return None
        threshold = 0.5 if self.output_activation == "sigmoid" else 0.0
        return lambda outputs: encode.decode_binary(outputs, threshold=threshold)

    def loader(self, X, labels, batch_size, shuffle=False, seed=None) -> DataLoader:
        dataset = TensorDataset(X, self.targets(labels, X.dtype))
        return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, seed=seed)
