"""`Parameter`: a tensor that a `Module` registers as learnable (requires grad by default)."""

import numpy as np

from deltanet.tensor import Tensor, _as_array


class Parameter(Tensor):
    """A learnable tensor: assigning one to a Module attribute registers it in `parameters()`."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        array = _as_array(data)
        if array.dtype.kind != "f":
            raise TypeError(f"Parameter: data must be floating point, got {array.dtype}")
        super().__init__(np.array(array, copy=True) if isinstance(data, Tensor) else array, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
