"""`Dataset`, `TensorDataset` and `DataLoader`: mini-batches for stochastic gradient descent.

A `DataLoader` over a `TensorDataset` builds each mini-batch with one fancy-indexing operation on the
whole arrays (no per-example Python loop: the book's `update_mini_batch` loop, vectorised). Shuffling
uses the loader's own `numpy.random.Generator`; `state_dict()` saves it, so a resumed run draws the same
permutation for epoch k as a run that was never interrupted.
"""

from abc import ABC, abstractmethod

import numpy as np

from deltanet.data._common import as_array, check_bool, check_int
from deltanet.random import default_generator
from deltanet.tensor import Tensor


class Dataset(ABC):
    """A data set of `len(ds)` examples; `ds[i]` is example i as a tuple of fields, e.g. `(x, y)`."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __getitem__(self, index): ...

    def get_batch(self, indices: np.ndarray) -> tuple:
        """The examples at `indices` (1-D ints, length B) as a tuple of arrays, fields stacked to (B, ...).

        This default calls `self[i]` per example; data sets held in arrays override it (`TensorDataset`).
        """
        items = [self[int(i)] for i in indices]
        if not items:
            raise ValueError(f"{type(self).__name__}.get_batch: no indices given")
        if not isinstance(items[0], tuple):
            items = [(item,) for item in items]
        return tuple(np.stack([as_array(field) for field in fields]) for fields in zip(*items, strict=True))


class TensorDataset(Dataset):
    """Examples held in arrays that share their first dimension: example i is `(t[i] for t in tensors)`.

    `TensorDataset(X, y)` with X of shape (n, 784) and y of shape (n,) holds n examples.
    Arguments may be Tensors or array-likes; arrays are wrapped, not copied.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor, e.g. TensorDataset(X, y)")
        arrays = [as_array(t) for t in tensors]
        shapes = ", ".join(str(a.shape) for a in arrays)
        if any(a.ndim == 0 for a in arrays):
            raise ValueError(
                f"TensorDataset: every tensor needs a first (example) dimension, got shapes {shapes}"
            )
        if len({a.shape[0] for a in arrays}) != 1:
            raise ValueError(
                f"TensorDataset: all tensors must have the same first dimension (number of examples), "
                f"got shapes {shapes}"
            )
        self.tensors = tuple(Tensor(a) for a in arrays)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index) -> tuple:
        return tuple(Tensor(np.asarray(t.data[index])) for t in self.tensors)

    def get_batch(self, indices: np.ndarray) -> tuple:
        """The examples at `indices` (length B): one fancy index per array, shapes (B, ...)."""
        return tuple(t.data.take(indices, axis=0) for t in self.tensors)  # take: faster than t.data[indices]


class DataLoader:
    """Iterate over `dataset` in mini-batches of `batch_size`; each batch is a tuple of Tensors.

    Each `iter(loader)` is one epoch and visits every example once (the last, smaller batch is dropped
    when `drop_last`). With `shuffle`, the order is a fresh permutation per epoch drawn from the
    loader's generator, seeded by `seed` or, when `seed` is None, by `deltanet.random.default_generator()`
    (so `deltanet.manual_seed` makes it reproducible). `len(loader)` is the number of batches per epoch.
    """

    def __init__(
        self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False, seed=None
    ):
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"DataLoader: dataset must be a deltanet.data.Dataset, got {type(dataset).__name__}; "
                "wrap arrays as TensorDataset(X, y)"
            )
        self.dataset = dataset
        self.batch_size = check_int(batch_size, "batch_size", "DataLoader")
        self.shuffle = check_bool(shuffle, "shuffle", "DataLoader")
        self.drop_last = check_bool(drop_last, "drop_last", "DataLoader")
        if seed is None:
            seed = int(default_generator().integers(2**63))
        self.generator = np.random.default_rng(check_int(seed, "seed", "DataLoader", minimum=0))

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        # The permutation is drawn here, not lazily, so the generator state moves at `iter(loader)`.
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        return self._batches(order)

    def _batches(self, order: np.ndarray):
        stop = len(self) * self.batch_size
        for start in range(0, stop, self.batch_size):
            yield tuple(map(Tensor, self.dataset.get_batch(order[start : start + self.batch_size])))

    def state_dict(self) -> dict:
        """The shuffling generator's state (JSON-serialisable): save it with a checkpoint after an epoch."""
        return {"generator": self.generator.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        """Restore a `state_dict()`: the next epoch's permutation is the one the saved run would draw."""
        expected = self.generator.bit_generator.state["bit_generator"]
        saved = state.get("generator") if isinstance(state, dict) else None
        if not isinstance(saved, dict) or saved.get("bit_generator") != expected:
            raise ValueError(
                f"DataLoader.load_state_dict: expected {{'generator': <{expected} state>}} "
                f"as returned by DataLoader.state_dict(), got {state!r:.200}"
            )
        try:
            self.generator.bit_generator.state = saved
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"DataLoader.load_state_dict: invalid {expected} generator state ({e})") from e
