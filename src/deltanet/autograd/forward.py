"""Forward mode: Jacobian–vector products in the same pass as the values (dual numbers, one level)."""

from __future__ import annotations

import numpy as np

from deltanet.autograd import function
from deltanet.tensor import Tensor, _as_array


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def jvp(fn, primals, tangents):
    """(fn(*primals), J·tangents), computed in one forward pass.

    Each primal carries its tangent while `fn` runs; every primitive pushes tangents forward with its
    `jvp` rule. Primals may be tensors that `fn` also reaches another way (e.g. a module's parameter),
    since the tangent is attached to the tensor object itself for the duration of the call.
    Returns tensors (or tuples of tensors, matching what `fn` returns).
    """
    if function._forward_mode_depth:
        raise RuntimeError("jvp: nested forward-mode calls are not supported")
    primals = tuple(p if isinstance(p, Tensor) else Tensor(_as_array(p)) for p in _as_tuple(primals))
    tangents = _as_tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primals but {len(tangents)} tangents")
    if len({id(p) for p in primals}) != len(primals):
        raise ValueError("jvp: the same tensor appears twice among the primals")
    for p, t in zip(primals, tangents):
        t = np.asarray(t.data if isinstance(t, Tensor) else t)
        if t.shape != p.shape:
            raise ValueError(f"jvp: tangent of shape {t.shape} for a primal of shape {p.shape}")
        if p.dtype.kind != "f":
            raise TypeError(f"jvp: primals must be floating-point tensors, got {p.dtype}")
        p._tangent = t.astype(p.dtype)
    function._forward_mode_depth += 1
    try:
        outputs = fn(*primals)
        single = not isinstance(outputs, (tuple, list))
        outputs = _as_tuple(outputs)
        tangent_outs = tuple(Tensor(o._tangent.copy() if o._tangent is not None else np.zeros_like(o.data))
                             for o in outputs)
    finally:
        function._forward_mode_depth -= 1
        for p in primals:
            p._tangent = None
        for ref in function._tangent_carriers:  # intermediates fn kept must not carry tangents out
            carrier = ref()
            if carrier is not None:
                carrier._tangent = None
        function._tangent_carriers.clear()
    if single:
        return outputs[0], tangent_outs[0]
    return outputs, tangent_outs
