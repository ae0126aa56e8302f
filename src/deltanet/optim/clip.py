"""Gradient clipping: rescale all gradients together when their joint norm is too large."""

from __future__ import annotations

import math

import numpy as np

from deltanet.tensor import Tensor, get_default_dtype


def _vector_norm(x: np.ndarray, p: float):
    """‖x‖_p of the flattened array, as `torch.linalg.vector_norm`
    (p = inf: max |xᵢ|; p = 0: the number of xᵢ ≠ 0)."""
    x = x.ravel()
    if x.size == 0:
        return x.dtype.type(0)
    if p == 2.0:
        return np.sqrt(np.dot(x, x))
    if p == math.inf:
        return np.max(np.abs(x))
    if p == -math.inf:
        return np.min(np.abs(x))
    if p == 0.0:
        return x.dtype.type(np.count_nonzero(x))
    if p == 1.0:
        return np.sum(np.abs(x))
    return np.sum(np.abs(x) ** p) ** (1.0 / p)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    r"""Scale the gradients of `parameters` so that their joint norm is at most `max_norm`
    (the same computation as `torch.nn.utils.clip_grad_norm_`).

    The gradients are treated as one long vector g (the norm of the per-parameter norms):

        N = ‖ (‖g₁‖_p, ‖g₂‖_p, …) ‖_p          (p = norm_type; p = inf gives max |gᵢ|)
        c = min(max_norm / (N + 10⁻⁶), 1)
        gᵢ ← c gᵢ

    so gradients are only ever scaled down. Each `p.grad.data` is *replaced* by the scaled array (the old
    array, which other code may share, is not written to). Parameters whose `.grad` is None are skipped.

    Returns N (before clipping) as a 0-d tensor in the gradients' dtype, like torch; use `float()` or
    `.item()` for a number. With `error_if_nonfinite=True`, a NaN or infinite N raises RuntimeError instead.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = [p for p in parameters if p.grad is not None]
    norm_type = float(norm_type)
    max_norm = float(max_norm)
    if not params:
        return Tensor(np.array(0.0, dtype=get_default_dtype()))
    dtype = np.result_type(*[p.grad.data.dtype for p in params])
    norms = np.array([_vector_norm(p.grad.data, norm_type) for p in params], dtype=dtype)
    total_norm = np.asarray(_vector_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total_norm):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                           f"{float(total_norm)}, so they cannot be clipped; look for NaN/Inf in the loss or "
                           "lower the learning rate (error_if_nonfinite=False scales by it anyway)")
    clip_coef = max_norm / (total_norm + dtype.type(1e-6))
    if not clip_coef >= 1.0:  # c = min(coef, 1); multiplying by 1 changes nothing, so skip it (NaN: scale)
        for p in params:
            grad = p.grad.data
            p.grad.data = grad * clip_coef.astype(grad.dtype)
    return Tensor(total_norm)
