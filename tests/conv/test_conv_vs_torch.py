"""Convolution and pooling against PyTorch in float64 on random configurations (batch, channels, odd and
even sizes, kernel, stride, padding, dilation; 1-D and 2-D; pooling windows with and without padding,
with and without ties): value, input/weight/bias gradients (VJP) and JVP equal to rtol 1e-10."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deltanet as dn

from conftest import check, close

F = dn.nn.functional
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _fit(rng, span, pad):
    """A random spatial size ≥ 1 (odd or even) whose padded size holds the kernel span."""
    return int(max(rng.integers(1, 10), span - pad, 1))


def conv_config(seed, dims):
    rng = np.random.default_rng(seed)
    N, C, O = (int(v) for v in rng.integers(1, 4, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 5, dims))
    stride = tuple(int(s) for s in rng.integers(1, 4, dims))
    dilation = tuple(int(d) for d in rng.integers(1, 3, dims)) if rng.random() < 0.3 else (1,) * dims
    if rng.random() < 0.15:
        stride, padding = (1,) * dims, str(rng.choice(["same", "valid"]))
        pads = [0] * dims if padding == "valid" else [d * (k - 1) for k, d in zip(kernel, dilation)]
    else:
        padding = tuple(int(p) for p in rng.integers(0, 3, dims))
        pads = [2 * p for p in padding]
    spatial = tuple(_fit(rng, d * (k - 1) + 1, p) for k, d, p in zip(kernel, dilation, pads))
    batched = rng.random() > 0.1
    x = rng.standard_normal(((N,) if batched else ()) + (C, *spatial))
    w = rng.standard_normal((O, C, *kernel))
    b = rng.standard_normal(O) if rng.random() < 0.7 else None
    kwargs = dict(stride=stride if rng.random() < 0.8 else stride[0], padding=padding, dilation=dilation)
    if isinstance(padding, str):
        kwargs["stride"] = 1
    return x, w, b, kwargs


@pytest.mark.parametrize("seed", range(70))
def test_conv2d_matches_torch(seed):
    x, w, b, kw = conv_config(seed, 2)
    check(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw), [x, w, b],
          seed=seed, what=f"conv2d {x.shape} {w.shape} {kw}")


@pytest.mark.parametrize("seed", range(40))
def test_conv1d_matches_torch(seed):
    x, w, b, kw = conv_config(1000 + seed, 1)
    check(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw), [x, w, b],
          seed=seed, what=f"conv1d {x.shape} {w.shape} {kw}")


def pool_config(seed, dims):
    rng = np.random.default_rng(seed)
    N, C = (int(v) for v in rng.integers(1, 4, 2))
    kernel = tuple(int(k) for k in rng.integers(1, 5, dims))
    as_int = rng.random() < 0.3
    if as_int:
        kernel = (kernel[0],) * dims
    stride = None if rng.random() < 0.3 else tuple(int(s) for s in rng.integers(1, 4, dims))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel) if rng.random() < 0.6 else 0
    pads = padding if isinstance(padding, tuple) else (0,) * dims
    spatial = tuple(_fit(rng, k, 2 * p) for k, p in zip(kernel, pads))
    shape = (N, C, *spatial) if rng.random() > 0.1 else (C, *spatial)
    if seed % 2:  # small integers: many ties, where the gradient must go to the first maximum
        x = rng.integers(-2, 3, shape).astype(np.float64)
    else:
        x = rng.standard_normal(shape)
    return x, dict(kernel_size=kernel[0] if as_int else kernel, stride=stride, padding=padding)


@pytest.mark.parametrize("seed", range(50))
def test_max_pool2d_matches_torch(seed):
    x, kw = pool_config(2000 + seed, 2)
    check(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), [x], seed=seed,
          what=f"max_pool2d {x.shape} {kw}")


@pytest.mark.parametrize("seed", range(20))
def test_max_pool1d_matches_torch(seed):
    x, kw = pool_config(3000 + seed, 1)
    check(lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), [x], seed=seed,
          what=f"max_pool1d {x.shape} {kw}")


@pytest.mark.parametrize("seed", range(25))
def test_avg_pool2d_matches_torch(seed):
    x, kw = pool_config(4000 + seed, 2)
    kw["count_include_pad"] = bool(seed % 3)
    check(lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw), [x], seed=seed,
          what=f"avg_pool2d {x.shape} {kw}")


@pytest.mark.parametrize("seed", range(10))
def test_avg_pool1d_matches_torch(seed):
    x, kw = pool_config(5000 + seed, 1)
    kw["count_include_pad"] = bool(seed % 2)
    check(lambda x: F.avg_pool1d(x, **kw), lambda x: TF.avg_pool1d(x, **kw), [x], seed=seed,
          what=f"avg_pool1d {x.shape} {kw}")


@pytest.mark.parametrize("seed", range(10))
def test_conv_relu_pool_chains_match_torch(seed):
    """Outputs of a convolution lie in memory batch-fastest; pooling and the next convolution read that
    layout directly. A chain checks those paths (and the gradients flowing back through them)."""
    rng = np.random.default_rng(6000 + seed)
    N, C, O1, O2 = int(rng.integers(2, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    size = int(rng.integers(9, 14))
    x = rng.standard_normal((N, C, size, size + int(rng.integers(0, 2))))
    w1, b1 = rng.standard_normal((O1, C, 3, 3)), rng.standard_normal(O1)
    w2 = rng.standard_normal((O2, O1, 2, 2))
    pool_pad = int(rng.integers(0, 2))

    def net(F_, relu, x, w1, b1, w2):
        a = relu(F_.conv2d(x, w1, b1, padding=1))
        a = F_.max_pool2d(a, 2, padding=pool_pad) if seed % 2 else F_.max_pool2d(a, 3, stride=2, padding=1)
        a = F_.conv2d(a, w2, None, stride=1 + seed % 2)
        return F_.avg_pool2d(a, 2, stride=1)

    check(lambda *a: net(F, dn.relu, *a), lambda *a: net(TF, torch.relu, *a), [x, w1, b1, w2], seed=seed,
          what="conv-relu-pool chain")


def test_conv1d_chain_with_pooling_matches_torch():
    rng = np.random.default_rng(7)
    x, w1, w2 = rng.standard_normal((4, 2, 23)), rng.standard_normal((3, 2, 4)), rng.standard_normal((2, 3, 3))

    def net(F_, x, w1, w2):
        return F_.conv1d(F_.max_pool1d(F_.conv1d(x, w1, None, stride=2, padding=2), 3, stride=2, padding=1), w2)

    check(lambda *a: net(F, *a), lambda *a: net(TF, *a), [x, w1, w2], what="1-D chain")


@pytest.mark.parametrize("fn, torch_fn, shapes", [
    ("conv2d", TF.conv2d, [(4, 3, 10, 9), (5, 3, 3, 2), (5,)]),
    ("conv1d", TF.conv1d, [(4, 3, 17), (5, 3, 4), (5,)]),
])
def test_float32_matches_torch_to_1e_5(fn, torch_fn, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    out = check(lambda *a: getattr(F, fn)(*a, stride=2, padding=1), lambda *a: torch_fn(*a, stride=2, padding=1),
                arrays, rtol=1e-5, atol=1e-5, what=fn)
    assert out.dtype == np.float32


def test_max_pool_float32_with_ties_matches_torch():
    x = np.random.default_rng(1).integers(0, 2, (8, 3, 12, 12)).astype(np.float32)
    check(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), [x], rtol=0, atol=0, what="ties")


def test_max_pool_routes_the_gradient_to_the_first_maximum_of_each_window():
    """Window [[1, 3], [3, 2]]: the 3 in the first row; an all-zero window (common after ReLU): its first entry."""
    x = dn.tensor(np.array([[[[1.0, 3.0, 0.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 1, 1, 0], [0, 0, 0, 0]])


def test_max_pool_padding_is_minus_infinity_and_nan_propagates_as_torch():
    x = -np.ones((1, 1, 3, 3))
    out = F.max_pool2d(dn.tensor(x), 2, stride=2, padding=1)
    np.testing.assert_array_equal(out.data, -np.ones((1, 1, 2, 2)))   # zero padding would give 0
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 6))
    x[0, 1, 2, 3] = x[1, 0, 0, 0] = x[1, 0, 1, 1] = np.nan
    xd, xt = dn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = F.max_pool2d(xd, 3, stride=1, padding=1), TF.max_pool2d(xt, 3, stride=1, padding=1)
    np.testing.assert_array_equal(np.isnan(out.data), np.isnan(expected.detach().numpy()))
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    close(xd.grad, xt.grad, "max_pool2d gradient with NaN inputs")


def test_max_pool_keeps_a_nan_gradient_where_torch_does():
    x = np.random.default_rng(2).standard_normal((2, 3, 8, 8))
    g = np.random.default_rng(3).standard_normal((2, 3, 4, 4))
    g[0, 0, 1, 1] = np.nan
    xd, xt = dn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(xd, 2).backward(g)
    TF.max_pool2d(xt, 2).backward(torch.tensor(g))
    np.testing.assert_array_equal(np.isnan(xd.grad.data), np.isnan(xt.grad.numpy()))
    close(np.nan_to_num(xd.grad.data), np.nan_to_num(xt.grad.numpy()), "gradient around a NaN")


@pytest.mark.parametrize("fn, shapes, kwargs", [
    ("conv2d", [(2, 2, 5, 4), (3, 2, 2, 3), (3,)], dict(stride=(2, 1), padding=1)),
    ("conv2d", [(1, 1, 4, 4), (2, 1, 2, 2)], dict(bias=None, dilation=2, padding="same")),
    ("conv1d", [(2, 2, 7), (2, 2, 3), (2,)], dict(stride=2, padding=1)),
    ("max_pool2d", [(2, 2, 5, 5)], dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool1d", [(2, 2, 7)], dict(kernel_size=2)),
    ("avg_pool2d", [(2, 2, 5, 4)], dict(kernel_size=2, stride=1, padding=1, count_include_pad=False)),
])
def test_gradcheck_small_cases(fn, shapes, kwargs):
    """Finite differences (no torch) against both AD modes; distinct values, so no max-pool ties."""
    rng = np.random.default_rng(0)
    tensors = tuple(dn.tensor(rng.permutation(int(np.prod(s))).reshape(s) * 0.1 + rng.standard_normal(s) * 0.01,
                              requires_grad=True) for s in shapes)
    assert dn.autograd.gradcheck(lambda *t: getattr(F, fn)(*t, **kwargs), tensors)
