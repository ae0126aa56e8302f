"""Numerical gradient checking: analytic derivatives against central differences, in both AD modes.

For f: inputs → outputs, the Jacobian column of input element k is estimated by
    ∂f/∂x_k ≈ (f(x + ε e_k) − f(x − ε e_k)) / 2ε      (error O(ε²))
and compared with the rows given by reverse mode (one VJP per output element) and the columns given
by forward mode (one JVP per input element).
"""

from __future__ import annotations

import numpy as np

from deltanet.autograd.engine import run_backward
from deltanet.autograd.forward import jvp
from deltanet.autograd.function import no_grad
from deltanet.tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic derivative disagrees with the numerical estimate."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _flat(outputs):
    return np.concatenate([np.asarray(o.data, dtype=np.float64).ravel() for o in outputs])


def numerical_jacobian(fn, inputs, eps=1e-6):
    """Jacobians J[i] of shape (total outputs, inputs[i].size), by central differences (no autodiff)."""
    jacobians = []
    with no_grad():
        for x in inputs:
            if not (isinstance(x, Tensor) and x.requires_grad):
                jacobians.append(None)
                continue
            columns = []
            for k in range(x.data.size):
                at = np.unravel_index(k, x.shape)  # perturb x itself (works for non-contiguous data too)
                original = x.data[at]
                x.data[at] = original + eps
                plus = _flat(_outputs(fn, inputs))
                x.data[at] = original - eps
                minus = _flat(_outputs(fn, inputs))
                x.data[at] = original
                columns.append((plus - minus) / (2 * eps))
            jacobians.append(np.stack(columns, axis=1))
    return jacobians


def reverse_jacobian(fn, inputs):
    """Jacobians by reverse mode: one backward pass per output element gives one row."""
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    rows = {i: [] for i in checked}
    for out in _outputs(fn, inputs):
        for k in range(out.data.size):
            grads = [None] * len(checked)
            if out.requires_grad:
                seed = np.zeros(out.shape, dtype=out.dtype)
                seed.reshape(-1)[k] = 1
                grads = run_backward([out], [seed], retain_graph=True, inputs=[inputs[i] for i in checked])
            for i, g in zip(checked, grads):
                rows[i].append(np.zeros(inputs[i].data.size) if g is None else np.ravel(g).astype(np.float64))
    return [np.array(rows[i]) if i in rows else None for i in range(len(inputs))]


def forward_jacobian(fn, inputs):
    """Jacobians by forward mode: one JVP per input element gives one column."""
    jacobians = []
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            jacobians.append(None)
            continue
        columns = []
        for k in range(x.data.size):
            tangent = np.zeros(x.shape, dtype=x.dtype)
            tangent.reshape(-1)[k] = 1
            _, tangent_out = jvp(lambda x_i, i=i: fn(*inputs[:i], x_i, *inputs[i + 1:]), (x,), (tangent,))
            outs = tangent_out if isinstance(tangent_out, tuple) else (tangent_out,)
            columns.append(_flat(outs))
        jacobians.append(np.stack(columns, axis=1))
    return jacobians


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, check_forward=True, raise_exception=True) -> bool:
    """Check `fn`'s reverse-mode (VJP) and forward-mode (JVP) derivatives against central differences.

    `inputs`: a tensor or tuple of tensors; those with requires_grad are checked. Use float64 inputs:
    in float32 the rounding error of a difference quotient swamps the comparison.
    Passes when |analytic − numerical| ≤ atol + rtol·|numerical| everywhere; otherwise raises
    `GradcheckError` naming the mode, the input, the element and both values (or returns False).
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} is {x.dtype}; use float64 inputs (x.double())")
    numerical = numerical_jacobian(fn, inputs, eps)
    modes = [("reverse mode (VJP)", reverse_jacobian(fn, inputs))]
    if check_forward:
        modes.append(("forward mode (JVP)", forward_jacobian(fn, inputs)))
    for mode, analytic in modes:
        for i, (num, ana) in enumerate(zip(numerical, analytic)):
            if num is None:
                continue
            bad = np.abs(ana - num) > atol + rtol * np.abs(num)
            if np.any(bad):
                row, col = np.argwhere(bad)[0]
                message = (f"gradcheck: {mode} disagrees with finite differences for input {i}: "
                           f"∂out[{row}]/∂x[{col}] analytic {ana[row, col]:.10g} vs numerical {num[row, col]:.10g} "
                           f"(max abs error {np.max(np.abs(ana - num)):.3g})")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True
