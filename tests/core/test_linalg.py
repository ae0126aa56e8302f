"""matmul (all NumPy/PyTorch rank cases, batched with broadcasting) and linear (z = x Wᵀ + b) against
PyTorch: value, VJP, JVP, gradcheck, and the error messages for mismatched shapes and dtypes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import deltanet as dn

from .conftest import Const, check

MATMUL_SHAPES = [
    ((4,), (4,)),                  # 1-D · 1-D: a scalar
    ((4,), (4, 3)),                # 1-D · 2-D
    ((3, 4), (4,)),                # 2-D · 1-D
    ((3, 4), (4, 5)),              # 2-D · 2-D
    ((2, 3, 4), (4, 5)),           # batched · 2-D
    ((3, 4), (2, 4, 5)),           # 2-D · batched
    ((2, 3, 4), (2, 4, 5)),        # batched · batched
    ((2, 1, 3, 4), (5, 4, 2)),     # batch dims broadcast
    ((4,), (2, 4, 3)),             # 1-D · batched
    ((2, 3, 4), (4,)),             # batched · 1-D
    ((1, 4), (4, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes, rng):
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    check(lambda x, y: x @ y, lambda x, y: x @ y, a, b, gradcheck=True)
    check(dn.matmul, torch.matmul, a, Const(b))
    check(lambda x, y: x.matmul(y), lambda x, y: x.matmul(y), Const(a), b)


def test_matmul_with_numpy_operand_on_either_side(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    x = dn.tensor(b, requires_grad=True)
    out = a @ x                                   # ndarray @ Tensor → Tensor.__rmatmul__
    assert isinstance(out, dn.Tensor)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-14)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, a.T @ np.ones((2, 4)), rtol=1e-14)


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = dn.tensor(np.ones((2, 3))), dn.tensor(np.ones((4, 5)))
    with pytest.raises(ValueError) as info:
        a @ b
    message = str(info.value)
    assert "matmul" in message and "(2, 3)" in message and "(4, 5)" in message
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3, 4\).*\(3, 4, 5\)"):
        dn.tensor(np.ones((2, 3, 4))) @ dn.tensor(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match="matmul"):
        dn.tensor(np.ones(())) @ dn.tensor(np.ones(3))


def test_matmul_dtype_mismatch_raises():
    with pytest.raises(TypeError, match="matmul.*float32.*float64"):
        dn.tensor(np.ones((2, 3), dtype=np.float32)) @ dn.tensor(np.ones((3, 2)))


LINEAR = [((5, 3), True), ((5, 3), False), ((3,), True), ((3,), False), ((2, 4, 3), True), ((2, 4, 3), False)]


@pytest.mark.parametrize("x_shape,bias", LINEAR, ids=str)
def test_linear_matches_torch(x_shape, bias, rng):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((4, 3)), rng.standard_normal(4)
    if bias:
        check(dn.ops.linear, F.linear, x, w, b, gradcheck=True)
        check(dn.ops.linear, F.linear, Const(x), w, Const(b))      # weight only
        check(dn.ops.linear, F.linear, x, Const(w), b)             # input and bias
    else:
        check(dn.ops.linear, F.linear, x, w, gradcheck=True)
        check(lambda x_, w_: dn.ops.linear(x_, w_, None), lambda x_, w_: F.linear(x_, w_, None), Const(x), w)
        check(dn.ops.linear, F.linear, x, Const(w))


def test_linear_equals_matmul_composite(rng):
    x, w, b = rng.standard_normal((6, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    check(dn.ops.linear, lambda x_, w_, b_: x_ @ w_.T + b_, x, w, b)


def test_linear_shape_error():
    with pytest.raises(ValueError, match=r"linear.*\(2, 5\).*\(4, 3\)"):
        dn.ops.linear(dn.tensor(np.ones((2, 5))), dn.tensor(np.ones((4, 3))))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.lists(st.integers(1, 3), max_size=2),
       st.booleans())
def test_matmul_property(n, k, m, batch, broadcast_left, ):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    left = (tuple(batch) if broadcast_left else ()) + (n, k)
    right = (() if broadcast_left else tuple(batch)) + (k, m)
    check(lambda x, y: x @ y, lambda x, y: x @ y, rng.standard_normal(left), rng.standard_normal(right))
