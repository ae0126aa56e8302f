"""clip_grad_norm_ returns torch's total norm and leaves torch's clipped gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import deltanet as dn
from deltanet import optim

torch = pytest.importorskip("torch")


def grads_pair(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=s).astype(dtype) * scale for s in [(4, 3), (3,), (2, 5)]]
    ours = [dn.tensor(np.zeros_like(a), requires_grad=True) for a in arrays]
    theirs = [torch.zeros(a.shape, dtype=torch.from_numpy(a).dtype, requires_grad=True) for a in arrays]
    for p, q, a in zip(ours, theirs, arrays, strict=True):
        p.grad = dn.tensor(a.copy())
        q.grad = torch.from_numpy(a.copy())
    return ours, theirs, arrays


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.5, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_equals_torch(norm_type, max_norm):
    ours, theirs, arrays = grads_pair()
    originals = [p.grad.data for p in ours]
    n_ours = optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    n_theirs = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=float(norm_type))
    assert isinstance(n_ours, dn.Tensor) and n_ours.shape == () and n_ours.dtype == np.float64
    np.testing.assert_allclose(float(n_ours), n_theirs.item(), rtol=1e-13)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-13, atol=0)
    for g, a in zip(originals, arrays, strict=True):
        np.testing.assert_array_equal(g, a)             # clipped into new arrays; old ones untouched
    clipped = float(n_theirs) > max_norm
    assert clipped == (max_norm == 0.5)


def test_clipped_norm_is_max_norm():
    ours, _, arrays = grads_pair(scale=10.0)
    total = float(optim.clip_grad_norm_(ours, 1.0))
    assert total == pytest.approx(np.sqrt(sum((a ** 2).sum() for a in arrays)), rel=1e-14)
    after = np.sqrt(sum((p.grad.data ** 2).sum() for p in ours))
    assert after == pytest.approx(1.0 / (1.0 + 1e-6 / total), rel=1e-14)


def test_float32_and_inf_norm_by_hand():
    w = dn.tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    w.grad = dn.tensor(np.array([3.0, -4.0, 1.0], dtype=np.float32))
    n = optim.clip_grad_norm_(w, 2.0, norm_type="inf")        # a single tensor is accepted
    assert n.dtype == np.float32 and float(n) == 4.0
    np.testing.assert_allclose(w.grad.data, np.array([3.0, -4.0, 1.0]) * 2.0 / (4.0 + 1e-6), rtol=1e-6)
    assert w.grad.dtype == np.float32


def test_params_without_grad_and_nonfinite():
    a = dn.tensor(np.zeros(2), requires_grad=True)
    b = dn.tensor(np.zeros(2), requires_grad=True)
    assert float(optim.clip_grad_norm_([a, b], 1.0)) == 0.0   # no gradients at all
    a.grad = dn.tensor(np.array([3.0, 4.0]))
    assert float(optim.clip_grad_norm_([a, b], 10.0)) == 5.0
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])      # below max_norm: unchanged
    a.grad = dn.tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match="non|inf"):
        optim.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)
