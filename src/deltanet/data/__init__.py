"""Data: data sets, mini-batch loading and target encodings (`import deltanet.data as data`).

`Dataset`, `TensorDataset`, `DataLoader` (loader.py); `datasets` (MNIST, Fashion-MNIST, synthetic sets);
`encode` (one-hot and binary targets). Imports only the core (`deltanet.tensor`, `deltanet.random`) and NumPy.
"""

from deltanet.data import datasets, encode
from deltanet.data._common import DataError
from deltanet.data.loader import DataLoader, Dataset, TensorDataset

__all__ = ["DataError", "DataLoader", "Dataset", "TensorDataset", "datasets", "encode"]
