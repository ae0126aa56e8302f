"""`Function`: one primitive with its three rules side by side — forward, VJP (`backward`), JVP (`jvp`).

A primitive works on NumPy arrays. `Function.apply` unwraps tensors, runs `forward`, and
- records a `Context` on the output when an input requires grad (reverse mode), and
- pushes tangents through `jvp` at once when an input carries one (forward mode, inside `autograd.jvp`).
Rules store what they need on `ctx` (e.g. `ctx.a = a`); `ctx.needs_input_grad[i]` says whether input i
needs a gradient, so `backward` can skip work nobody asked for.
"""

from __future__ import annotations

import functools
import itertools
import weakref

import numpy as np

from deltanet.tensor import Tensor

_grad_enabled = True
_forward_mode_depth = 0
_tangent_carriers: list = []  # weak references to tensors given a tangent during the current jvp call
_creation_order = itertools.count()  # graph nodes are numbered as made: inputs before outputs


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that switches graph recording off (`no_grad`) or on (`enable_grad`)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _GradMode(self.enabled):
                return fn(*args, **kwargs)

        return wrapper


def no_grad(fn=None):
    """`with dn.no_grad():` — operations inside record no graph (evaluation, parameter updates).
    Also a decorator, with or without parentheses: `@dn.no_grad` / `@dn.no_grad()`."""
    mode = _GradMode(False)
    return mode if fn is None else mode(fn)


def enable_grad() -> _GradMode:
    return _GradMode(True)


class Context:
    """What a primitive remembers between forward and backward; `fn`/`parents` link the graph."""

    __slots__ = ("fn", "parents", "needs_input_grad", "released", "seq", "__dict__")

    def __init__(self, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self.released = False

    def release(self) -> None:
        """Free the saved arrays (called by backward unless retain_graph=True)."""
        self.__dict__.clear()
        self.released = True


class Function:
    """Base class of primitives. Subclasses define three static methods:

    forward(ctx, *inputs, **params) -> ndarray     the value
    backward(ctx, grad_out) -> grad or tuple       vector–Jacobian product, one entry per input
    jvp(ctx, *tangents) -> tangent_out             Jacobian–vector product (tangents are ndarrays)
    """

    @staticmethod
    def forward(ctx, *inputs, **params):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out):
        raise NotImplementedError

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params) -> Tensor:
        raw, needs = [], []
        for x in inputs:
            if isinstance(x, Tensor):
                raw.append(x.data)
                needs.append(x.requires_grad and _grad_enabled)
            else:
                raw.append(x)
                needs.append(False)
        ctx = Context(tuple(needs))
        out = Tensor(cls.forward(ctx, *raw, **params))
        if True in needs:
            ctx.fn = cls
            ctx.parents = inputs
            ctx.seq = next(_creation_order)
            out.requires_grad = True
            out._ctx = ctx
        if _forward_mode_depth and any(isinstance(x, Tensor) and x._tangent is not None for x in inputs):
            tangent = np.asarray(cls.jvp(ctx, *[_tangent_of(x) for x in inputs]), dtype=out.data.dtype)
            if tangent.shape != out.data.shape:
                tangent = np.broadcast_to(tangent, out.data.shape).copy()
            out._tangent = tangent
            _tangent_carriers.append(weakref.ref(out))
        return out


def _tangent_of(x):
    """The tangent carried by input x: its own, zeros for a tensor without one, None for a non-tensor."""
    if not isinstance(x, Tensor):
        return None
    if x._tangent is not None:
        return x._tangent
    return np.zeros_like(x.data, dtype=x.data.dtype if x.data.dtype.kind == "f" else None)
