"""Forward mode: `dn.autograd.jvp` against `torch.func.jvp` on composite functions, several primals,
tuple outputs, outputs that do not depend on the primals, and primals reached through a closure."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deltanet as dn
from deltanet.ops import cross_entropy, linear

from .conftest import assert_close


def _torch_jvp(f, primals, tangents):
    return torch.func.jvp(f, tuple(torch.tensor(p) for p in primals),
                          tuple(torch.tensor(t) for t in tangents))


def _dn_jvp(f, primals, tangents):
    return dn.autograd.jvp(f, tuple(dn.tensor(p) for p in primals), tuple(tangents))


def _mlp_dn(x, w1, b1, w2, b2, y):
    h = dn.tanh(linear(x, w1, b1))
    a = dn.sigmoid(linear(h, w2, b2))
    s = dn.softmax(a * 3.0, -1)
    return cross_entropy(dn.log(s + 1e-3), y) + (s * s).mean()


def _mlp_torch(x, w1, b1, w2, b2, y):
    h = torch.tanh(F.linear(x, w1, b1))
    a = torch.sigmoid(F.linear(h, w2, b2))
    s = torch.softmax(a * 3.0, -1)
    return F.cross_entropy(torch.log(s + 1e-3), y) + (s * s).mean()


def test_mlp_jvp_matches_torch_in_all_parameters_at_once(rng):
    shapes = [(6, 4), (5, 4), (5,), (3, 5), (3,)]
    primals = [rng.standard_normal(s) for s in shapes]
    tangents = [rng.standard_normal(s) for s in shapes]
    y = rng.integers(0, 3, 6)
    out, t = _dn_jvp(lambda *p: _mlp_dn(*p, y), primals, tangents)
    t_out, t_t = _torch_jvp(lambda *p: _mlp_torch(*p, torch.tensor(y)), primals, tangents)
    assert_close(out, t_out)
    assert_close(t, t_t)


def test_jvp_equals_vjp_contraction(rng):
    """⟨∇f, t⟩ from forward mode equals the same contraction from reverse mode."""
    shapes = [(6, 4), (5, 4), (5,), (3, 5), (3,)]
    primals = [rng.standard_normal(s) for s in shapes]
    tangents = [rng.standard_normal(s) for s in shapes]
    y = rng.integers(0, 3, 6)
    _, t = _dn_jvp(lambda *p: _mlp_dn(*p, y), primals, tangents)
    params = [dn.tensor(p, requires_grad=True) for p in primals]
    _mlp_dn(*params, y).backward()
    contraction = sum(float(np.sum(p.grad.data * tan)) for p, tan in zip(params, tangents, strict=True))
    np.testing.assert_allclose(t.item(), contraction, rtol=1e-10)


def test_multiple_primals_and_tuple_outputs(rng):
    a, b = rng.standard_normal((3, 4)), rng.uniform(0.5, 2, (4,))
    ta, tb = rng.standard_normal((3, 4)), rng.standard_normal(4)

    def f_dn(x, y):
        return x * y, (x / y).sum(0), dn.exp(x).mean()

    def f_t(x, y):
        return x * y, (x / y).sum(0), torch.exp(x).mean()

    outs, tans = _dn_jvp(f_dn, (a, b), (ta, tb))
    t_outs, t_tans = _torch_jvp(f_t, (a, b), (ta, tb))
    assert isinstance(outs, tuple) and isinstance(tans, tuple) and len(tans) == 3
    for o, t, to, tt in zip(outs, tans, t_outs, t_tans, strict=True):
        assert_close(o, to)
        assert_close(t, tt)


def test_output_independent_of_primals_has_zero_tangent(rng):
    a = rng.standard_normal(3)
    const = dn.tensor(rng.standard_normal(2))
    outs, tans = dn.autograd.jvp(lambda x: (x * 2, const * 3, dn.tensor([1.0, 2.0])), (dn.tensor(a),),
                                 (np.ones(3),))
    np.testing.assert_array_equal(tans[0].data, 2.0)
    np.testing.assert_array_equal(tans[1].data, 0.0)
    np.testing.assert_array_equal(tans[2].data, 0.0)
    assert tans[1].shape == (2,)


def test_identity_returns_the_tangent():
    out, t = dn.autograd.jvp(lambda x: x, (dn.tensor([1.0, 2.0]),), (np.array([3.0, 4.0]),))
    np.testing.assert_array_equal(out.data, [1.0, 2.0])
    np.testing.assert_array_equal(t.data, [3.0, 4.0])


def test_primal_reached_through_a_closure(rng):
    """A primal may be a tensor that fn reaches another way (e.g. a layer's weight), as in a module."""
    w_arr, x_arr, tw = rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    w = dn.tensor(w_arr)
    x = dn.tensor(x_arr)

    def model(_ignored):
        return dn.tanh(x @ w.T).sum()

    out, t = dn.autograd.jvp(model, (w,), (tw,))
    tw_t = torch.tensor(w_arr)
    _, expected = torch.func.jvp(lambda v: torch.tanh(torch.tensor(x_arr) @ v.T).sum(), (tw_t,),
                                 (torch.tensor(tw),))
    assert_close(t, expected)
    assert w._tangent is None                  # the tangent is removed after the call
    np.testing.assert_allclose(out.item(), np.tanh(x_arr @ w_arr.T).sum(), rtol=1e-14)


def test_tensor_kept_from_an_earlier_jvp_carries_no_tangent_into_a_later_one(rng):
    kept = []

    def f(x):
        y = x * 2
        kept.append(y)                         # e.g. an activation cached by a module
        return y.sum()

    dn.autograd.jvp(f, (dn.tensor([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    # kept[0] is a constant for this second call: its tangent must be zero
    _, t = dn.autograd.jvp(lambda z: (z * kept[0]).sum(), (dn.tensor([3.0, 4.0]),), (np.array([0.0, 0.0]),))
    assert t.item() == 0.0


def test_jvp_does_not_record_a_graph_for_plain_primals_and_works_with_requires_grad(rng):
    a = rng.standard_normal(3)
    x = dn.tensor(a, requires_grad=True)
    out, t = dn.autograd.jvp(lambda v: (v * v).sum(), (x,), (np.ones(3),))
    np.testing.assert_allclose(t.item(), 2 * a.sum(), rtol=1e-14)
    out.backward()                              # reverse mode still works on the output
    np.testing.assert_allclose(x.grad.data, 2 * a, rtol=1e-15)


def test_jvp_input_validation():
    x = dn.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="tangent"):
        dn.autograd.jvp(lambda v: v, (x,), (np.ones(3),))
    with pytest.raises(ValueError, match="primals"):
        dn.autograd.jvp(lambda v, w: v, (x, dn.tensor([1.0])), (np.ones(2),))
    with pytest.raises(TypeError, match="floating"):
        dn.autograd.jvp(lambda v: v, (dn.tensor([1, 2]),), (np.ones(2),))
    with pytest.raises(RuntimeError, match="nested"):
        dn.autograd.jvp(lambda v: dn.autograd.jvp(lambda w: w, (v,), (np.ones(2),))[0], (x,), (np.ones(2),))


def test_jvp_primals_may_be_arrays_and_tangents_tensors(rng):
    a, t = rng.standard_normal(3), rng.standard_normal(3)
    out, tangent = dn.autograd.jvp(dn.sin, a, dn.tensor(t))
    np.testing.assert_allclose(out.data, np.sin(a), rtol=1e-15)
    np.testing.assert_allclose(tangent.data, np.cos(a) * t, rtol=1e-15)


def test_jvp_float32_keeps_dtype(rng):
    a = rng.standard_normal((2, 3)).astype(np.float32)
    ones = np.ones((2, 3), dtype=np.float32)
    out, t = dn.autograd.jvp(lambda v: dn.softmax(v, 1), (dn.tensor(a),), (ones,))
    assert out.dtype == np.float32 and t.dtype == np.float32
    np.testing.assert_allclose(t.data, 0.0, atol=1e-6)      # softmax ignores a constant added to a row
