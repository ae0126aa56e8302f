"""Elementwise ops a = f(z): value, VJP, JVP against PyTorch (float64, rtol 1e-10), plus gradcheck."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import deltanet as dn

from .conftest import assert_close, check

SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


def _any(rng, shape):
    return rng.standard_normal(shape) * 2


def _positive(rng, shape):
    return rng.uniform(0.2, 3.0, shape)


# name, deltanet fn, torch fn, input sampler
UNARY = [
    ("neg", dn.ops.neg, torch.neg, _any),
    ("neg-op", lambda x: -x, lambda x: -x, _any),
    ("exp", dn.exp, torch.exp, _any),
    ("exp-method", lambda x: x.exp(), lambda x: x.exp(), _any),
    ("log", dn.log, torch.log, _positive),
    ("log-method", lambda x: x.log(), lambda x: x.log(), _positive),
    ("sqrt", dn.sqrt, torch.sqrt, _positive),
    ("sqrt-method", lambda x: x.sqrt(), lambda x: x.sqrt(), _positive),
    ("abs", dn.abs, torch.abs, _any),
    ("abs-builtin", abs, abs, _any),
    ("sin", dn.sin, torch.sin, _any),
    ("cos", dn.cos, torch.cos, _any),
    ("cos-method", lambda x: x.cos(), lambda x: x.cos(), _any),
    ("tanh", dn.tanh, torch.tanh, _any),
    ("tanh-method", lambda x: x.tanh(), lambda x: x.tanh(), _any),
    ("sigmoid", dn.sigmoid, torch.sigmoid, _any),
    ("sigmoid-method", lambda x: x.sigmoid(), lambda x: x.sigmoid(), _any),
    ("relu", dn.relu, torch.relu, _any),
    ("relu-method", lambda x: x.relu(), lambda x: x.relu(), _any),
    ("leaky_relu", dn.leaky_relu, F.leaky_relu, _any),
    ("leaky_relu-0.2", lambda x: dn.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2), _any),
    ("sign", dn.sign, torch.sign, _any),
    ("clamp-min", lambda x: dn.clamp(x, min=-0.5), lambda x: torch.clamp(x, min=-0.5), _any),
    ("clamp-max", lambda x: dn.clamp(x, max=0.7), lambda x: torch.clamp(x, max=0.7), _any),
    ("clamp-both", lambda x: x.clamp(-0.5, 0.7), lambda x: x.clamp(-0.5, 0.7), _any),
    ("pow-2", lambda x: x ** 2, lambda x: x ** 2, _any),
    ("pow-3", lambda x: x ** 3, lambda x: x ** 3, _any),
    ("pow-int-0", lambda x: x ** 0, lambda x: x ** 0, _any),
    ("pow-1", lambda x: x.pow(1), lambda x: x.pow(1), _any),
    ("pow-half", lambda x: x ** 0.5, lambda x: x ** 0.5, _positive),
    ("pow-neg", lambda x: dn.ops.pow(x, -1.5), lambda x: torch.pow(x, -1.5), _positive),
    ("pow-numpy-scalar", lambda x: x ** np.float64(2.5), lambda x: x ** 2.5, _positive),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,f,tf,sample", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, f, tf, sample, shape, rng):
    check(f, tf, sample(rng, shape))


@pytest.mark.parametrize("name,f,tf,sample", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, f, tf, sample, rng):
    x = dn.tensor(sample(rng, (2, 3)), requires_grad=True)
    assert dn.autograd.gradcheck(f, (x,))


@pytest.mark.parametrize("f,tf,expected_grad", [
    (dn.relu, torch.relu, 0.0),                                        # ReLU'(0) = 0
    (dn.leaky_relu, F.leaky_relu, 0.01),                               # slope at 0, as torch
    (dn.abs, torch.abs, 0.0),                                          # sign(0) = 0
    (lambda x: x.clamp(0.0, 1.0), lambda x: x.clamp(0.0, 1.0), 1.0),   # boundary counts as inside
    (lambda x: x.clamp(-1.0, 0.0), lambda x: x.clamp(-1.0, 0.0), 1.0),
], ids=["relu", "leaky_relu", "abs", "clamp-lo", "clamp-hi"])
def test_derivative_at_the_kink(f, tf, expected_grad):
    x = np.array([0.0, -0.0, 1e-300, -1e-300])
    out = check(f, tf, x)
    assert out.data[0] == tf(torch.tensor(0.0, dtype=torch.float64)).item()
    z = dn.tensor(np.zeros(3), requires_grad=True)
    f(z).sum().backward()
    np.testing.assert_array_equal(z.grad.data, expected_grad)


@pytest.mark.parametrize("at_zero", [0.0, 1.0, 0.5])
def test_step_value_and_zero_gradient(at_zero):
    z = np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    x = dn.tensor(z, requires_grad=True)
    a = dn.step(x, at_zero=at_zero)
    np.testing.assert_array_equal(a.data, [0.0, 0.0, at_zero, 1.0, 1.0])
    expected = torch.heaviside(torch.tensor(z), torch.tensor(at_zero, dtype=torch.float64))
    np.testing.assert_array_equal(a.data, expected.numpy())
    assert a.dtype == np.float64 and a.requires_grad
    (a * dn.tensor(np.arange(5.0))).sum().backward()
    assert x.grad is not None and x.grad.shape == (5,)
    np.testing.assert_array_equal(x.grad.data, 0.0)
    _, tangent = dn.autograd.jvp(lambda v: dn.step(v, at_zero), (dn.tensor(z),), (np.ones(5),))
    np.testing.assert_array_equal(tangent.data, 0.0)
    away_from_0 = dn.tensor(np.array([-2.0, -0.5, 0.5, 3.0]), requires_grad=True)
    assert dn.autograd.gradcheck(lambda v: dn.step(v, at_zero), away_from_0)


def test_step_default_is_zero_at_zero_and_keeps_float32():
    a = dn.step(dn.tensor(np.array([0.0, 2.0], dtype=np.float32)))
    np.testing.assert_array_equal(a.data, [0.0, 1.0])
    assert a.dtype == np.float32


def test_sign_values_and_zero_gradient():
    x = dn.tensor(np.array([-3.0, 0.0, 2.5]), requires_grad=True)
    s = dn.sign(x)
    np.testing.assert_array_equal(s.data, [-1.0, 0.0, 1.0])
    s.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0.0)


def test_sigmoid_extremes_are_exact_and_warning_free():
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    x = dn.tensor(z, requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        a = dn.sigmoid(x)
        a.backward(np.ones(7))
    expected = torch.sigmoid(torch.tensor(z))
    assert_close(a, expected, what="sigmoid at |z| large")
    assert np.all(np.isfinite(x.grad.data))
    assert a.data[0] == 0.0 and a.data[-1] == 1.0 and a.data[3] == 0.5


def test_cast_double_and_float():
    x32 = dn.tensor(np.array([1.5, -2.25, 3.0], dtype=np.float32), requires_grad=True)
    x64 = x32.double()
    assert x64.dtype == np.float64 and x64.requires_grad
    (x64 * x64).sum().backward()
    assert x32.grad.dtype == np.float32
    np.testing.assert_array_equal(x32.grad.data, 2 * x32.data)

    y = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y32 = y.float()
    assert y32.dtype == np.float32
    (y32 * 3).sum().backward()
    assert y.grad.dtype == np.float64
    np.testing.assert_array_equal(y.grad.data, [3.0, 3.0])
    assert y.to(np.float64) is y                         # same dtype: no new node
    assert dn.ops.cast(y, np.float32).dtype == np.float32


def test_cast_matches_torch_and_jvp():
    rng = np.random.default_rng(0)
    # value and VJP through float64 -> float32 -> float64 (grads come back in float64)
    check(lambda x: x.float().double() * 2, lambda x: x.float().double() * 2, rng.standard_normal((3, 2)),
          rtol=1e-6, atol=1e-7)
    x = dn.tensor(np.array([1.0, 2.0], dtype=np.float32))
    out, t = dn.autograd.jvp(lambda v: v.double() * 2, (x,), (np.array([1.0, -1.0], dtype=np.float32),))
    assert out.dtype == np.float64 and t.dtype == np.float64
    np.testing.assert_array_equal(t.data, [2.0, -2.0])


def test_cast_to_integer_has_no_grad():
    x = dn.tensor(np.array([1.7, -2.2]), requires_grad=True)
    i = dn.ops.cast(x, np.int64)
    assert i.dtype == np.int64 and not i.requires_grad
    np.testing.assert_array_equal(i.data, [1, -2])
    assert x.long().dtype == np.int64


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=st.floats(-20, 20)),
       st.sampled_from(["tanh", "sigmoid", "exp", "relu", "sin", "abs", "square"]))
def test_unary_property(x, name):
    f, tf = {"tanh": (dn.tanh, torch.tanh), "sigmoid": (dn.sigmoid, torch.sigmoid),
             "exp": (dn.exp, torch.exp), "relu": (dn.relu, torch.relu), "sin": (dn.sin, torch.sin),
             "abs": (dn.abs, torch.abs), "square": (lambda v: v ** 2, lambda v: v ** 2)}[name]
    check(f, tf, x)
