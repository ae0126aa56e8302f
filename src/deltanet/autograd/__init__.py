"""Automatic differentiation: reverse mode (`backward`, `grad`), forward mode (`jvp`), `gradcheck`."""

from __future__ import annotations

from deltanet.autograd.engine import run_backward
from deltanet.autograd.forward import jvp
from deltanet.autograd.function import Context, Function, enable_grad, is_grad_enabled, no_grad
from deltanet.autograd.gradcheck import GradcheckError, gradcheck
from deltanet.tensor import Tensor

__all__ = ["Context", "Function", "GradcheckError", "enable_grad", "grad", "gradcheck", "is_grad_enabled",
           "jvp", "no_grad"]


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool = False, allow_unused: bool = False):
    """∂outputs/∂inputs (weighted by grad_outputs) as a tuple of tensors, without touching `.grad`."""
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    single = not isinstance(inputs, (tuple, list))
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (tuple, list)):
        grad_outputs = [grad_outputs]
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            raise RuntimeError("grad: every input must be a tensor that requires grad")
    grads = run_backward(outputs, grad_outputs, retain_graph, inputs=inputs)
    result = []
    for i, g in enumerate(grads):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} was not used to compute the outputs "
                               "(pass allow_unused=True to get None for it)")
        result.append(None if g is None else Tensor(g.copy()))
    return tuple(result)
