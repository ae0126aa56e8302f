"""Loading the NumPy arrays of a (Python 2) pickle without letting it run arbitrary code.

A pickle may name any importable callable (e.g. `os.system`) and call it while loading. The unpickler
below admits only the three globals that NumPy arrays need, and refuses every other name before it is
imported. MNIST's `mnist.pkl.gz` (Nielsen's Python 2 pickle, protocol 2) needs exactly
`numpy.core.multiarray._reconstruct`, `numpy.ndarray` and `numpy.dtype`.
"""

import gzip
import os
import pickle

import numpy as np

from deltanet.data._common import DataError

_reconstruct = np.ndarray.__reduce__(np.empty(0))[0]  # numpy(._)core.multiarray._reconstruct, any NumPy
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,  # name written by NumPy < 2
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,  # name written by NumPy ≥ 2
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler that builds only NumPy arrays (and plain tuples, lists, numbers, strings)."""

    def __init__(self, file, path):
        super().__init__(file, encoding="latin1")  # Python 2 str holding array bytes → latin1 is lossless
        self.path = path

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise DataError(
                f"{self.path}: refusing to unpickle {module}.{name}: only NumPy arrays are allowed. "
                "The file is not the expected data set (possibly tampered with); delete it and fetch it again"
            ) from None


def load_gzip_pickle(path: str | os.PathLike):
    """The object in the gzipped pickle at `path`, built with `ArrayUnpickler`."""
    try:
        with gzip.open(path, "rb") as f:
            return ArrayUnpickler(f, path).load()
    except DataError:
        raise
    except (
        Exception
    ) as e:  # a damaged pickle can fail in many ways (EOFError, struct.error, ...): all mean corrupt
        raise DataError(
            f"{path}: cannot read the pickle ({type(e).__name__}: {e}); the file is truncated or corrupt, "
            "delete it and fetch it again"
        ) from e
