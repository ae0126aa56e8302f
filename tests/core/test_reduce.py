"""Reductions: sum, mean, var, amax, amin, max/min (values, indices), argmax/argmin, logsumexp —
over dim None / int / negative / tuple, with keepdim, against PyTorch (value, VJP, JVP) and gradcheck."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import deltanet as dn

from .conftest import check

DIMS = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]

REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, k),
            lambda x, d, k: x.sum() if d is None and not k else x.sum(_t(d, x), k)),
    "sum-fn": (lambda x, d, k: dn.sum(x, d, k),
               lambda x, d, k: torch.sum(x) if d is None and not k else torch.sum(x, _t(d, x), k)),
    "mean": (lambda x, d, k: x.mean(d, k),
             lambda x, d, k: x.mean() if d is None and not k else x.mean(_t(d, x), k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda x, d, k: torch.var(x, _t(d, x), keepdim=k)),
    "var-biased": (lambda x, d, k: dn.var(x, d, keepdim=k, unbiased=False),
                   lambda x, d, k: torch.var(x, _t(d, x), keepdim=k, unbiased=False)),
    "amax": (lambda x, d, k: x.amax(d, k), lambda x, d, k: torch.amax(x, _t(d, x, ()), k)),
    "amin": (lambda x, d, k: dn.amin(x, d, k), lambda x, d, k: torch.amin(x, _t(d, x, ()), k)),
}


def _t(dim, x, all_dims=None):
    """torch spelling of `dim`: None means every dim."""
    if dim is None:
        return tuple(range(x.ndim)) if all_dims is None else all_dims
    return dim


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_matches_torch(name, dim, keepdim, rng):
    f, tf = REDUCTIONS[name]
    check(lambda x: f(x, dim, keepdim), lambda x: tf(x, dim, keepdim), rng.standard_normal((2, 3, 4)))


@pytest.mark.parametrize("name", list(REDUCTIONS))
@pytest.mark.parametrize("shape,dim", [((5,), None), ((5,), 0), ((5,), -1), ((), None), ((1, 4), 0)], ids=str)
def test_reduction_small_ranks(name, shape, dim, rng):
    if name.startswith("var") and (shape == () or shape == (1, 4) and dim == 0):
        pytest.skip("variance of one element is nan (0/0)")
    f, tf = REDUCTIONS[name]
    check(lambda x: f(x, dim, False), lambda x: tf(x, dim, False), rng.standard_normal(shape))


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_gradcheck(name, rng):
    f, _ = REDUCTIONS[name]
    x = dn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    for dim, keepdim in [(None, False), (1, True), (-2, False)]:
        assert dn.autograd.gradcheck(lambda v, d=dim, k=keepdim: f(v, d, k), x)


def test_reductions_of_a_0d_tensor_along_dim_0(rng):
    x = rng.standard_normal(())
    check(lambda v: v.sum(0), lambda v: v.sum(0), x)
    check(lambda v: v.mean(-1, True), lambda v: v.mean(-1, True), x)
    check(lambda v: v.amax(0), lambda v: v.amax(0), x)


def test_amax_amin_and_full_max_share_the_gradient_on_ties_like_torch():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
    check(lambda x: x.amax(1), lambda x: x.amax(1), a)
    check(lambda x: dn.amin(x, 1), lambda x: x.amin(1), a)
    check(lambda x: x.amax(), lambda x: x.amax(), a)
    check(lambda x: x.max(), lambda x: x.max(), a)       # torch.max(x) (no dim) also splits evenly
    check(lambda x: x.min(), lambda x: x.min(), a)
    x = dn.tensor(a, requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0.5, 0.5], [0.5, 0.5, 0]])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min_along_dim_values_and_indices(which, dim, keepdim, rng):
    a = rng.standard_normal((2, 3, 4))
    values = lambda x: getattr(x, which)(dim, keepdim).values     # noqa: E731  (same code for both)
    check(values, values, a)
    fn = dn.max if which == "max" else dn.min
    result = fn(dn.tensor(a), dim, keepdim)
    expected = getattr(torch.tensor(a), which)(dim, keepdim)
    values, indices = result                              # a named tuple, as torch.return_types
    assert result.values is values and result.indices is indices
    np.testing.assert_array_equal(values.data, expected.values.numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad


def test_max_along_dim_gradient_goes_to_one_element(rng):
    x = dn.tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.5]]), requires_grad=True)
    x.max(1).values.backward(np.array([2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [[0, 2.0, 0], [0, 0, 3.0]])
    assert dn.autograd.gradcheck(lambda v: dn.min(v, 0).values, dn.tensor(rng.standard_normal((3, 2)),
                                                                          requires_grad=True))


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("which", ["argmax", "argmin"])
def test_argmax_argmin(which, dim, keepdim, rng):
    a = rng.standard_normal((3, 5))
    if dim is None and keepdim:
        pytest.skip("torch ignores keepdim without dim")
    out = getattr(dn, which)(dn.tensor(a), dim, keepdim)
    method = getattr(dn.tensor(a), which)(dim, keepdim)
    expected = getattr(torch, which)(torch.tensor(a), dim, keepdim)
    assert out.dtype == np.int64 and out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(method.data, expected.numpy())


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1, (0, 2)], ids=str)
def test_logsumexp(dim, keepdim, rng):
    a = rng.standard_normal((2, 3, 4)) * 3
    check(lambda x: dn.logsumexp(x, dim, keepdim), lambda x: torch.logsumexp(x, dim, keepdim), a)
    check(lambda x: x.logsumexp(dim, keepdim), lambda x: x.logsumexp(dim, keepdim), a)
    x = dn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert dn.autograd.gradcheck(lambda v: dn.logsumexp(v, -1, keepdim), x)


def test_sum_mean_gradients_spread_over_reduced_axes():
    x = dn.tensor(np.ones((2, 3)), requires_grad=True)
    x.mean(1).backward(np.array([3.0, 6.0]))
    np.testing.assert_array_equal(x.grad.data, [[1, 1, 1], [2, 2, 2]])


def test_reduction_dim_out_of_range_raises():
    x = dn.tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match="out of range"):
        x.sum(2)


@settings(max_examples=25, deadline=None)
@given(st.data(), st.sampled_from(["sum", "mean", "amax", "var", "logsumexp"]), st.booleans())
def test_reduction_property(data, name, keepdim):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10), unique=name == "amax"))
    dims = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape))
                     .filter(lambda ds: len({d % len(shape) for d in ds}) == len(ds)))
    dim = tuple(dims) if len(dims) > 1 or data.draw(st.booleans()) else dims[0]
    if name == "logsumexp":
        check(lambda v: dn.logsumexp(v, dim, keepdim), lambda v: torch.logsumexp(v, dim, keepdim), x)
    else:
        f, tf = REDUCTIONS[name]
        check(lambda v: f(v, dim, keepdim), lambda v: tf(v, dim, keepdim), x)


def test_var_positional_arguments_follow_torch(rng):
    """torch.var(x, dim, unbiased, keepdim): the second positional argument is `unbiased`."""
    a = rng.standard_normal((2, 3))
    check(lambda x: x.var(1, False), lambda x: x.var(1, False), a)
    check(lambda x: dn.var(x, 0, False, True), lambda x: torch.var(x, 0, False, True), a)
