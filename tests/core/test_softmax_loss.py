"""Softmax family and fused losses (cross-entropy, BCE with logits, BCE) against PyTorch: value, VJP
(including ∂C/∂target), JVP, gradcheck, and stability at |z| = 1e4 with floating-point warnings as errors."""

import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deltanet as dn
from deltanet.ops import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy

from .conftest import Const, assert_close, check

# ---- softmax, log-softmax ----------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, dim, rng):
    x = rng.standard_normal((2, 3, 4)) * 3
    check(lambda v: getattr(dn, name)(v, dim), lambda v: getattr(torch, name)(v, dim), x)
    check(lambda v: getattr(v, name)(dim), lambda v: getattr(v, name)(dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_1d_and_gradcheck(name, rng):
    check(lambda v: getattr(dn, name)(v, 0), lambda v: getattr(torch, name)(v, 0), rng.standard_normal(5),
          gradcheck=True)
    x = dn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert dn.autograd.gradcheck(lambda v: getattr(dn, name)(v, 1), x)


@pytest.mark.parametrize("temperature", [0.1, 0.5, 2.0, 25.0])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_temperature_is_softmax_of_z_over_t(name, temperature, rng):
    x = rng.standard_normal((3, 5))
    check(lambda v: getattr(dn, name)(v, -1, temperature=temperature),
          lambda v: getattr(torch, name)(v / temperature, -1), x)


@pytest.mark.parametrize("temperature", [1e-3, 1e-300])
def test_softmax_at_a_tiny_temperature_is_the_argmax_limit_with_ties_shared(temperature):
    z = dn.tensor(np.array([[1.0, 3.0, 3.0, -2.0], [-1e6, 5.0, -7.0, 4.0]]), requires_grad=True)
    a = dn.softmax(z, -1, temperature=temperature)            # z / T alone is ±1e300: inf − inf = NaN
    np.testing.assert_array_equal(a.data, [[0.0, 0.5, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0]])
    log_a = dn.log_softmax(z, -1, temperature=temperature)
    np.testing.assert_allclose(log_a.data[0, 1:3], -np.log(2), rtol=1e-12)
    np.testing.assert_allclose(log_a.data[1, 3], -1 / temperature, rtol=1e-12)   # −(5 − 4)/T
    a.sum().backward()
    assert np.all(np.isfinite(z.grad.data))


def test_softmax_temperature_must_be_positive():
    for name in ["softmax", "log_softmax"]:
        with pytest.raises(ValueError, match="temperature"):
            getattr(dn, name)(dn.tensor(np.ones(3)), 0, temperature=0.0)


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(rng):
    x = dn.tensor(rng.standard_normal((4, 6)) * 10)
    s, ls = dn.softmax(x, 1), dn.log_softmax(x, 1)
    np.testing.assert_allclose(s.data.sum(1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(ls.data), s.data, rtol=1e-13)


# ---- cross-entropy -----------------------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


def ce(reduction, **kw):
    return lambda a, t: cross_entropy(a, t, reduction, **kw)


def tce(reduction, **kw):
    return lambda a, t: F.cross_entropy(a, t, reduction=reduction, **kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices(reduction, rng):
    z, y = rng.standard_normal((5, 4)) * 2, np.array([0, 3, 1, 1, 2])
    check(ce(reduction), tce(reduction), z, y, gradcheck=True)


@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_ignore_index(reduction, ignore_index, rng):
    z = rng.standard_normal((6, 3))
    y = np.array([0, ignore_index, 2, 1, ignore_index, 0])
    out = check(ce(reduction, ignore_index=ignore_index), tce(reduction, ignore_index=ignore_index), z, y)
    if reduction == "none":
        assert out.data[1] == 0 and out.data[4] == 0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction, rng):
    z = rng.standard_normal((4, 5))
    y = rng.dirichlet(np.ones(5), size=4)
    # the target is differentiable too: ∂C/∂y = −log softmax(z)
    check(ce(reduction), tce(reduction), z, y, gradcheck=True)
    check(ce(reduction), tce(reduction), z, Const(y))


def test_cross_entropy_soft_targets_not_summing_to_one(rng):
    z, y = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))
    check(lambda a, t: cross_entropy(a, t), lambda a, t: F.cross_entropy(a, t), z, y)


def test_cross_entropy_one_hot_equals_class_indices(rng):
    z, y = rng.standard_normal((4, 3)), np.array([2, 0, 1, 2])
    a = cross_entropy(dn.tensor(z), dn.tensor(np.eye(3)[y]))
    b = cross_entropy(dn.tensor(z), dn.tensor(y))
    np.testing.assert_allclose(a.data, b.data, rtol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("spatial", [(3,), (2, 3)], ids=str)
def test_cross_entropy_spatial(spatial, reduction, rng):
    z = rng.standard_normal((2, 4) + spatial)
    y = rng.integers(0, 4, (2,) + spatial)
    y.flat[1] = -100
    check(ce(reduction), tce(reduction), z, y)
    p = rng.dirichlet(np.ones(4), size=(2,) + spatial)
    p = np.moveaxis(p, -1, 1)
    check(ce(reduction), tce(reduction), z, p)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_1d_input(reduction, rng):
    z = rng.standard_normal(4)
    check(ce(reduction), tce(reduction), z, np.array(2))
    check(lambda a: cross_entropy(a, 3, reduction),
          lambda a: F.cross_entropy(a, torch.tensor(3), reduction=reduction), z)
    check(ce(reduction), tce(reduction), z, rng.dirichlet(np.ones(4)))


def test_cross_entropy_delta_is_softmax_minus_onehot(rng):
    z = dn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = np.array([1, 0, 3])
    cross_entropy(z, y, "sum").backward()
    np.testing.assert_allclose(z.grad.data, dn.softmax(z, 1).data - np.eye(4)[y], rtol=1e-13, atol=1e-15)


def test_cross_entropy_target_out_of_range_raises():
    with pytest.raises(IndexError, match="out of range"):
        cross_entropy(dn.tensor(np.zeros((2, 3))), dn.tensor([0, 3]))
    with pytest.raises(IndexError, match="out of range"):
        cross_entropy(dn.tensor(np.zeros((2, 3))), dn.tensor([-1, 0]))


# ---- binary cross-entropy ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5,), (2, 3), ()], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction, shape, rng):
    z, y = rng.standard_normal(shape) * 3, rng.uniform(0, 1, shape)
    f = lambda a, t: binary_cross_entropy_with_logits(a, t, reduction)            # noqa: E731
    tf = lambda a, t: F.binary_cross_entropy_with_logits(a, t, reduction=reduction)  # noqa: E731
    check(f, tf, z, y, gradcheck=True)                                           # grads wrt target too
    check(f, tf, z, Const((y > 0.5).astype(np.float64)))


@pytest.mark.parametrize("shape", [(5,), (2, 3), ()], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction, shape, rng):
    a, y = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    f = lambda p, t: binary_cross_entropy(p, t, reduction)                 # noqa: E731
    tf = lambda p, t: F.binary_cross_entropy(p, t, reduction=reduction)    # noqa: E731
    check(f, tf, a, y, gradcheck=True)
    check(f, tf, a, Const((y > 0.5).astype(np.float64)))


def test_bce_at_probabilities_0_and_1_is_clamped_like_torch():
    a = np.array([0.0, 1.0, 0.0, 1.0, 1e-300])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    # logs are clamped at −100; the gradient's denominator a(1 − a) at 1e−12. torch uses the float32
    # constant 1e−12 (= 9.99999996e−13) even in float64, hence rtol 1e−8 where the clamp is active.
    out = check(lambda p, t: binary_cross_entropy(p, t, "none"),
                lambda p, t: F.binary_cross_entropy(p, t, reduction="none"), a, Const(y),
                rtol=1e-8, jvp=False)
    np.testing.assert_array_equal(out.data, [100.0, 100.0, 0.0, 0.0, 100.0])


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="probabilities"):
        binary_cross_entropy(dn.tensor([0.5, 1.5]), dn.tensor([0.0, 1.0]))


def test_bce_with_logits_equals_bce_of_sigmoid(rng):
    z, y = rng.standard_normal(6), rng.uniform(0, 1, 6)
    a = binary_cross_entropy_with_logits(dn.tensor(z), dn.tensor(y))
    b = binary_cross_entropy(dn.sigmoid(dn.tensor(z)), dn.tensor(y))
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)


@pytest.mark.parametrize("fn", [binary_cross_entropy_with_logits, binary_cross_entropy, cross_entropy])
def test_unknown_reduction_raises(fn):
    with pytest.raises(ValueError, match="reduction"):
        fn(dn.tensor(np.full((2, 2), 0.5)), dn.tensor(np.full((2, 2), 0.5)), reduction="avg")


# ---- numerics at |z| = 1e4 -------------------------------------------------------------------------


@contextmanager
def fp_errors():
    """Warnings and floating-point overflow / division by zero / invalid results become errors.
    (Underflow stays allowed: e^(−2e4) = 0 is the correctly rounded value, not an error.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            yield


BIG = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])


def _grads(f, *arrays):
    tensors = [dn.tensor(a, requires_grad=True) for a in arrays]
    with fp_errors():
        out = f(*tensors)
        out.backward(np.ones(out.shape))
    return out, [t.grad for t in tensors]


def test_softmax_and_log_softmax_at_1e4():
    weights = np.arange(9.0).reshape(3, 3)           # a non-uniform upstream gradient
    s, (gs,) = _grads(lambda v: dn.softmax(v, 1) * dn.tensor(weights), BIG)
    np.testing.assert_allclose(s.data, weights * [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], rtol=1e-15)
    ls, (gls,) = _grads(lambda v: dn.log_softmax(v, 1) * dn.tensor(weights), BIG)
    with fp_errors():
        plain = dn.log_softmax(dn.tensor(BIG), 1)
    np.testing.assert_allclose(plain.data, [[0, -2e4, -1e4], [-np.log(3)] * 3,
                                            [-np.log(2), -np.log(2), -2e4 - np.log(2)]], rtol=1e-15)
    for out, grad, f in [(s, gs, torch.softmax), (ls, gls, torch.log_softmax)]:
        t = torch.tensor(BIG, requires_grad=True)
        tout = f(t, 1) * torch.tensor(weights)
        tout.backward(torch.ones_like(tout))
        assert_close(out, tout)
        assert_close(grad, t.grad)
        assert np.all(np.isfinite(grad.data))


def test_logsumexp_at_1e4():
    out, (g,) = _grads(lambda v: dn.logsumexp(v, 1), BIG)
    np.testing.assert_allclose(out.data, [1e4, -1e4 + np.log(3), 1e4 + np.log(2)], rtol=1e-15)
    np.testing.assert_allclose(g.data, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], rtol=1e-15)


def test_cross_entropy_at_1e4():
    y = np.array([1, 0, 2])
    out, (g,) = _grads(lambda v: cross_entropy(v, y, "none"), BIG)
    np.testing.assert_allclose(out.data, [2e4, np.log(3), 2e4 + np.log(2)], rtol=1e-15)
    np.testing.assert_allclose(g.data, [[1, -1, 0], [1 / 3 - 1, 1 / 3, 1 / 3], [0.5, 0.5, -1]], rtol=1e-15)
    t = torch.tensor(BIG)
    assert_close(out, F.cross_entropy(t, torch.tensor(y), reduction="none"))
    p = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    soft, (g_soft,) = _grads(lambda v: cross_entropy(v, p, "sum"), BIG)
    np.testing.assert_allclose(soft.data, 2e4 + np.log(3) + 2e4 + np.log(2), rtol=1e-15)
    assert np.all(np.isfinite(g_soft.data))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_and_sigmoid_at_1e4(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0], dtype=dtype)
    out, (gz, gy) = _grads(lambda a, t: binary_cross_entropy_with_logits(a, t, "none"), z, y)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, [1e4, 1e4, 0, 0])
    np.testing.assert_array_equal(gz.data, [1, -1, 0, 0])
    np.testing.assert_array_equal(gy.data, -z)
    expected = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y), reduction="none")
    np.testing.assert_array_equal(out.data, expected.numpy())
    a, (ga,) = _grads(dn.sigmoid, z)
    np.testing.assert_array_equal(a.data, [1, 0, 1, 0])
    np.testing.assert_array_equal(ga.data, 0)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "cross_entropy"])
def test_float32_stays_finite_at_1e4(name):
    z = BIG.astype(np.float32)
    f = {"softmax": lambda v: dn.softmax(v, 1), "log_softmax": lambda v: dn.log_softmax(v, 1),
         "logsumexp": lambda v: dn.logsumexp(v, 1),
         "cross_entropy": lambda v: cross_entropy(v, [0, 1, 2])}[name]
    out, (g,) = _grads(f, z)
    assert out.dtype == np.float32 and g.dtype == np.float32
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(g.data))
