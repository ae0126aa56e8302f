"""Shared oracle for the core tests: compare a deltanet function with its PyTorch twin.

`check(dn_fn, torch_fn, *args)` runs both on the same inputs and asserts, in float64 to rtol 1e-10:
  - the forward value (and its shape and dtype),
  - the VJP: every differentiable input's `.grad` after `out.backward(g)` for a random upstream g,
  - the JVP: `dn.autograd.jvp` against `torch.func.jvp` for random tangents,
  - optionally `dn.autograd.gradcheck` (finite differences, no torch).

Arguments: a floating NumPy array is a differentiable input; `Const(array)` is a float input that is
not differentiated; integer/bool arrays become constant tensors; anything else (Python numbers, None,
strings) is passed to both functions unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deltanet as dn

RTOL = 1e-10
ATOL = 1e-12

torch.set_num_threads(1)
with warnings.catch_warnings():  # torch.func.jvp loads these lazily and warns about torch.jit.script
    warnings.simplefilter("ignore", DeprecationWarning)
    import torch._decomp.decompositions_for_jvp  # noqa: F401


class Const:
    """A float array passed as a tensor that does not require grad (and gets no tangent)."""

    def __init__(self, value):
        self.value = np.asarray(value)


def _differentiable(arg) -> bool:
    return isinstance(arg, np.ndarray) and arg.dtype.kind == "f"


def _to_dn(arg, requires_grad: bool):
    if isinstance(arg, Const):
        return dn.tensor(arg.value)
    if isinstance(arg, np.ndarray):
        return dn.tensor(arg, requires_grad=requires_grad and arg.dtype.kind == "f")
    return arg


def _to_torch(arg, requires_grad: bool):
    if isinstance(arg, Const):
        return torch.from_numpy(arg.value.copy())
    if isinstance(arg, np.ndarray):
        t = torch.from_numpy(arg.copy())
        if requires_grad and arg.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    return arg


def assert_close(actual, expected, rtol=RTOL, atol=ATOL, what=""):
    """Values (and shapes) equal; `actual` may be a deltanet tensor or array, `expected` a torch tensor."""
    actual = actual.data if isinstance(actual, dn.Tensor) else np.asarray(actual)
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def check(dn_fn, torch_fn, *args, rtol=RTOL, atol=ATOL, vjp=True, jvp=True, gradcheck=False, seed=0):
    """Assert that dn_fn(*args) matches torch_fn(*args) in value, VJP and JVP. Returns deltanet's output."""
    rng = np.random.default_rng(seed)
    args = tuple(np.asarray(a) if isinstance(a, np.generic) else a for a in args)  # 0-d results of rng
    diff = [i for i, a in enumerate(args) if _differentiable(a)]

    # ---- value and reverse mode ----
    dn_args = [_to_dn(a, True) for a in args]
    t_args = [_to_torch(a, True) for a in args]
    out = dn_fn(*dn_args)
    expected = torch_fn(*t_args)
    assert isinstance(out, dn.Tensor), f"expected a Tensor, got {type(out).__name__}"
    assert out.dtype == np.dtype(str(expected.dtype).replace("torch.", "")), \
        f"dtype {out.dtype} != torch {expected.dtype}"
    assert_close(out, expected, rtol, atol, "forward value")

    if vjp and diff:
        assert out.requires_grad == expected.requires_grad
        if expected.requires_grad:
            g = rng.standard_normal(out.shape).astype(out.dtype)
            out.backward(g)
            expected.backward(torch.from_numpy(g.copy()))
            for i in diff:
                got, want = dn_args[i].grad, t_args[i].grad
                if want is None:
                    assert got is None or not np.any(got.data), f"grad of input {i}: torch has none"
                    continue
                assert got is not None, f"grad of input {i} is None, torch has one"
                assert got.dtype == dn_args[i].dtype, f"grad dtype {got.dtype} != input {dn_args[i].dtype}"
                assert_close(got, want, rtol, atol, f"VJP of input {i}")

    # ---- forward mode ----
    if jvp and diff:
        tangents = [rng.standard_normal(args[i].shape).astype(args[i].dtype) for i in diff]

        def assemble(values, convert):
            full = [convert(a, False) for a in args]
            for i, v in zip(diff, values, strict=True):
                full[i] = v
            return full

        primals_dn = tuple(dn.tensor(args[i]) for i in diff)
        out_dn, tan_dn = dn.autograd.jvp(lambda *p: dn_fn(*assemble(p, _to_dn)), primals_dn,
                                         tuple(tangents))
        primals_t = tuple(torch.from_numpy(args[i].copy()) for i in diff)
        out_t, tan_t = torch.func.jvp(lambda *p: torch_fn(*assemble(p, _to_torch)), primals_t,
                                      tuple(torch.from_numpy(t.copy()) for t in tangents))
        assert_close(out_dn, out_t, rtol, atol, "jvp primal output")
        assert tan_dn.dtype == out_dn.dtype
        assert_close(tan_dn, tan_t, rtol, atol, "JVP")

    # ---- finite differences ----
    if gradcheck and diff:
        inputs = [_to_dn(a, True) for a in args]
        assert dn.autograd.gradcheck(lambda *xs: dn_fn(*xs), tuple(inputs))
    return out


def randn(rng, *shape):
    return rng.standard_normal(shape)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
