"""`jacobian`: the full matrix J = ∂f/∂x by forward mode (one JVP per input, a column each) or reverse mode
(one VJP per output, a row each) — the same passes `gradcheck` compares with finite differences."""

from __future__ import annotations

import numpy as np

from deltanet.autograd import no_grad
from deltanet.autograd.gradcheck import forward_jacobian, reverse_jacobian
from deltanet.creation import tensor
from deltanet.tensor import Tensor

MODES = ("auto", "forward", "reverse")


def jacobian(fn, x, mode: str = "auto") -> np.ndarray:
    """J[i…, k…] = ∂fn(x)[i…]/∂x[k…], of shape fn(x).shape + x.shape, as a float64 array (like
    torch.autograd.functional.jacobian). fn takes one tensor and returns one tensor; x is differentiated
    as a fresh copy. mode 'forward' uses x.size JVPs, 'reverse' fn(x).size VJPs, 'auto' the fewer."""
    if mode not in MODES:
        raise ValueError(f"jacobian: mode must be one of {', '.join(MODES)}, got {mode!r}")
    x = tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"jacobian: x must be floating-point, got {x.dtype}")
    x.requires_grad_()
    with no_grad():
        out = fn(x)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian: fn must return one tensor, got {type(out).__name__}")
    if mode == "auto":
        mode = "forward" if x.data.size <= out.data.size else "reverse"
    passes = forward_jacobian if mode == "forward" else reverse_jacobian
    return passes(fn, [x])[0].reshape(out.shape + x.shape)
