"""float32 (the default dtype, as in PyTorch): results, gradients and tangents stay float32 and match
torch float32 to 1e-5; Python scalars do not promote; the default dtype can be switched to float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deltanet as dn

from .conftest import check

F32 = dict(rtol=1e-5, atol=1e-6)

CASES = [
    ("add-broadcast", lambda a, b: a + b, lambda a, b: a + b, [(3, 1, 4), (2, 4)]),
    ("mul-div", lambda a, b: a * b / (b * b + 1), lambda a, b: a * b / (b * b + 1), [(3, 4), (4,)]),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    ("linear", dn.ops.linear, F.linear, [(5, 3), (4, 3), (4,)]),
    ("tanh-sigmoid-relu", lambda a: dn.relu(dn.tanh(a) - dn.sigmoid(a * 2)),
     lambda a: torch.relu(torch.tanh(a) - torch.sigmoid(a * 2)), [(3, 4)]),
    ("exp-log-sqrt", lambda a: dn.log(dn.exp(a) + 1) * dn.sqrt(a * a + 1),
     lambda a: torch.log(torch.exp(a) + 1) * torch.sqrt(a * a + 1), [(6,)]),
    ("softmax", lambda a: dn.softmax(a, -1), lambda a: torch.softmax(a, -1), [(3, 5)]),
    ("log_softmax", lambda a: dn.log_softmax(a, 0), lambda a: torch.log_softmax(a, 0), [(3, 5)]),
    ("reductions", lambda a: a.sum(0) * a.mean(1, keepdim=True) + a.amax(0) + a.var(0),
     lambda a: a.sum(0) * a.mean(1, keepdim=True) + a.amax(0) + a.var(0), [(3, 4)]),
    ("pow-scalar", lambda a: a ** 2 + 2.0 ** a + 3 * a - 1, lambda a: a ** 2 + 2.0 ** a + 3 * a - 1, [(4,)]),
    ("maximum-scalar", lambda a: dn.maximum(a, 0.1), lambda a: torch.clamp(a, min=0.1), [(3, 4)]),
    ("minimum-scalar", lambda a: dn.minimum(a, 0.1), lambda a: torch.clamp(a, max=0.1), [(3, 4)]),
    ("where-scalar", lambda a: dn.where(a > 0, a, 0.5), lambda a: torch.where(a > 0, a, 0.5), [(3, 4)]),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [(3, 4)]),
    ("getitem-cat", lambda a: dn.cat([a[1:], a[:1] * 2], 0), lambda a: torch.cat([a[1:], a[:1] * 2], 0),
     [(3, 4)]),
]


@pytest.mark.parametrize("name,f,tf,shapes", CASES, ids=[c[0] for c in CASES])
def test_float32_matches_torch_and_keeps_dtype(name, f, tf, shapes, rng):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    out = check(f, tf, *arrays, **F32)       # check() also asserts the grads' and tangent's dtype
    assert out.dtype == np.float32


def test_float32_losses(rng):
    z = rng.standard_normal((4, 3)).astype(np.float32)
    y = rng.integers(0, 3, 4)
    out = check(dn.ops.cross_entropy, F.cross_entropy, z, y, **F32)
    assert out.dtype == np.float32
    p = rng.uniform(0, 1, (4, 3)).astype(np.float32)
    check(dn.ops.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, z, p, **F32)


def test_default_dtype_is_float32_and_can_be_switched():
    assert dn.get_default_dtype() == np.float32
    assert dn.tensor([1.0]).dtype == np.float32 and dn.zeros(2).dtype == np.float32
    assert dn.tensor([1]).dtype == np.int64 and dn.tensor([True]).dtype == np.bool_
    assert dn.tensor(np.array([1.0])).dtype == np.float64      # NumPy input keeps its dtype
    dn.set_default_dtype(np.float64)
    try:
        assert dn.tensor([1.0]).dtype == np.float64 and dn.randn(2).dtype == np.float64
    finally:
        dn.set_default_dtype(np.float32)
    with pytest.raises(TypeError):
        dn.set_default_dtype(np.int64)


@pytest.mark.parametrize("op", [lambda x: x + 1, lambda x: 2 * x, lambda x: x / 3, lambda x: 1.5 - x,
                                lambda x: x ** 2, lambda x: dn.maximum(x, 0.0), lambda x: dn.minimum(x, 0.0),
                                lambda x: dn.minimum(0.0, x), lambda x: dn.where(x > 0, x, 0.0)],
                         ids=["add", "rmul", "div", "rsub", "pow", "maximum", "minimum", "rminimum", "where"])
def test_python_scalars_do_not_promote_float32(op):
    x = dn.tensor(np.array([-1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = op(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
