"""Binary elementwise ops with broadcasting: value, VJP (gradients summed back to each input's shape),
JVP against PyTorch in float64, with Python scalars on either side, and gradcheck."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import deltanet as dn

from .conftest import Const, check

SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 1, 4), (2, 4)), ((2, 4), (3, 1, 4)), ((), (3,)), ((4,), ()),
               ((), ()), ((2, 1), (1, 3)), ((5, 1, 1), (1, 2, 3)), ((1,), (2, 3))]

BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("add-fn", dn.ops.add, torch.add),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("sub-fn", dn.ops.sub, torch.sub),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("mul-fn", dn.ops.mul, torch.mul),
    ("div", lambda a, b: a / b, lambda a, b: a / b),
    ("div-fn", dn.ops.div, torch.div),
    ("pow", lambda a, b: a ** b, lambda a, b: a ** b),
    ("pow-fn", dn.ops.pow, torch.pow),
    ("maximum", dn.maximum, torch.maximum),
    ("minimum", dn.minimum, torch.minimum),
]


def _operands(rng, name, shape_a, shape_b):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    if name.startswith("pow"):
        a = rng.uniform(0.5, 2.0, shape_a)          # positive base: aᵇ and ln a are real
    if name.startswith("div"):
        b = np.sign(b) * (np.abs(b) + 0.5)          # keep away from 0
    return a, b


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name,f,tf", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcasting_matches_torch(name, f, tf, shapes, rng):
    check(f, tf, *_operands(rng, name, *shapes))


@pytest.mark.parametrize("name,f,tf", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradcheck(name, f, tf, rng):
    a, b = _operands(rng, name, (2, 1, 3), (2, 3))
    assert dn.autograd.gradcheck(f, (dn.tensor(a, requires_grad=True), dn.tensor(b, requires_grad=True)))


@pytest.mark.parametrize("name,f,tf", BINARY, ids=[b[0] for b in BINARY])
def test_binary_with_one_constant_operand(name, f, tf, rng):
    a, b = _operands(rng, name, (3, 1), (4,))
    check(f, tf, a, Const(b))
    check(f, tf, Const(a), b)


SCALAR_CASES = [
    ("x+s", lambda x: x + 2.5), ("s+x", lambda x: 2.5 + x), ("x+int", lambda x: x + 3),
    ("x-s", lambda x: x - 2.5), ("s-x", lambda x: 2.5 - x), ("int-x", lambda x: 1 - x),
    ("x*s", lambda x: x * -1.5), ("s*x", lambda x: -1.5 * x), ("int*x", lambda x: 3 * x),
    ("x/s", lambda x: x / 4.0), ("s/x", lambda x: 4.0 / x), ("int/x", lambda x: 2 / x),
    ("x**s", lambda x: x ** 1.7), ("s**x", lambda x: 1.7 ** x), ("int**x", lambda x: 2 ** x),
    ("max(x,s)", lambda x: _max(x, 1.0)), ("max(s,x)", lambda x: _max(1.0, x)),
    ("min(x,s)", lambda x: _min(x, 1.0)), ("min(s,x)", lambda x: _min(1.0, x)),
    ("where(x,s)", lambda x: _where(x > 1.0, x, 0.5)), ("where(s,x)", lambda x: _where(x > 1.0, -2.0, x)),
]


def _max(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.maximum(*(v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64)
                               for v in (a, b)))
    return dn.maximum(a, b)


def _min(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.minimum(*(v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64)
                               for v in (a, b)))
    return dn.minimum(a, b)


def _where(c, a, b):
    if isinstance(c, torch.Tensor):
        return torch.where(c, a, b)
    return dn.where(c, a, b)


@pytest.mark.parametrize("shape", [(), (3, 4)], ids=str)
@pytest.mark.parametrize("name,f", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_python_scalar_on_either_side(name, f, shape, rng):
    x = rng.uniform(0.3, 2.0, shape)
    check(f, f, x, gradcheck=shape == ())


def test_numpy_array_on_the_left_defers_to_tensor(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    x = dn.tensor(b, requires_grad=True)
    for out, expected, grad in [(a + x, a + b, np.full(3, 2.0)), (a * x, a * b, a.sum(0)),
                                (a - x, a - b, np.full(3, -2.0))]:
        assert isinstance(out, dn.Tensor)
        np.testing.assert_allclose(out.data, expected, rtol=1e-15)
        x.grad = None
        out.sum().backward()
        np.testing.assert_allclose(x.grad.data, grad, rtol=1e-14)


def test_maximum_minimum_ties_split_the_gradient_like_torch():
    a = np.array([1.0, 2.0, 3.0, -1.0])
    b = np.array([1.0, 0.0, 3.0, 2.0])
    check(dn.maximum, torch.maximum, a, b)
    check(dn.minimum, torch.minimum, a, b)
    x, y = dn.tensor(a, requires_grad=True), dn.tensor(b, requires_grad=True)
    dn.maximum(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 1.0, 0.5, 0.0])
    np.testing.assert_array_equal(y.grad.data, [0.5, 0.0, 0.5, 1.0])


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 1), (3, 4), (4,)), ((4,), (2, 1, 4), ()),
                                    ((2, 3), (), (1, 3))], ids=str)
def test_where_broadcasting(shapes, rng):
    cond_shape, a_shape, b_shape = shapes
    cond = rng.standard_normal(cond_shape) > 0
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    check(lambda c, x, y: dn.where(c, x, y), lambda c, x, y: torch.where(c, x, y), cond, a, b, gradcheck=True)
    # condition given as a deltanet boolean tensor made by a comparison
    check(lambda x, y: dn.where(x > 0, x, y), lambda x, y: torch.where(x > 0, x, y), a, b)


def test_pow_with_tensor_exponent_at_zero_base_matches_torch():
    # ∂(aᵇ)/∂b = aᵇ ln a is taken as 0 where a = 0 (b > 0), as torch does
    a = np.array([0.0, 0.0, 1.5, 2.0])
    b = np.array([2.0, 1.5, 0.5, 3.0])
    check(lambda x, y: x ** y, lambda x, y: x ** y, a, b)


def test_pow_zero_to_the_zero_has_torch_gradient():
    # torch: ∂(aᵇ)/∂a = b·aᵇ⁻¹ is masked to 0 where b = 0 (so 0⁰ has gradient 0, not nan)
    a = np.array([0.0, 2.0])
    b = np.array([0.0, 0.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        check(lambda x, y: x ** y, lambda x, y: x ** y, a, b, jvp=False)


@pytest.mark.parametrize("op,name", [(lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"),
                                     (lambda a, b: a * b, "mul"), (lambda a, b: a / b, "div"),
                                     (lambda a, b: a ** b, "pow"), (dn.maximum, "maximum"),
                                     (lambda a, b: dn.where(a > 0, a, b), "where")],
                         ids=["add", "sub", "mul", "div", "pow", "maximum", "where"])
def test_broadcast_mismatch_names_op_and_shapes(op, name):
    a = dn.tensor(np.ones((2, 3)), requires_grad=True)
    b = dn.tensor(np.ones((4,)))
    with pytest.raises(ValueError) as info:
        op(a, b)
    message = str(info.value)
    assert name in message and "(2, 3)" in message and "(4,)" in message


def test_comparisons_are_boolean_and_not_differentiable(rng):
    a, b = rng.standard_normal((3, 1)), rng.standard_normal(4)
    x, y = dn.tensor(a, requires_grad=True), dn.tensor(b)
    for op in ["__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"]:
        out = getattr(x, op)(y)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, getattr(torch.tensor(a), op)(torch.tensor(b)).numpy())
    np.testing.assert_array_equal((x > 0.0).data, a > 0)


@settings(max_examples=25, deadline=None)
@given(st.data(), st.sampled_from(["add", "sub", "mul", "div", "maximum"]))
def test_binary_property_random_broadcast_shapes(data, name):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    elements = st.floats(-10, 10, allow_subnormal=False)
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=elements))
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=elements))
    if name == "div":
        b = np.where(np.abs(b) < 0.5, 0.5, b)
    if name == "maximum":
        b = np.where(a == b, b + 1.0, b)              # ties are tested separately
    f, tf = {b_[0]: (b_[1], b_[2]) for b_ in BINARY}[name]
    check(f, tf, a, b)
