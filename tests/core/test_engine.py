"""The reverse-mode engine: accumulation, iterative backward on deep graphs, retain_graph, no_grad,
detach, retain_grad, autograd.grad, diamonds, in-place rules, error messages and gradient aliasing."""

import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deltanet as dn

from .conftest import assert_close


def _mlp(mod, x, w1, b1, w2, b2, y):
    """A 2-layer MLP with tanh and cross-entropy, written for either deltanet or torch."""
    if mod is dn:
        h = dn.tanh(dn.ops.linear(x, w1, b1))
        return dn.ops.cross_entropy(dn.ops.linear(h, w2, b2), y)
    h = torch.tanh(F.linear(x, w1, b1))
    return F.cross_entropy(F.linear(h, w2, b2), y)


def test_mlp_backward_matches_torch(rng):
    arrays = [rng.standard_normal(s) for s in [(8, 5), (6, 5), (6,), (3, 6), (3,)]]
    y = rng.integers(0, 3, 8)
    ours = [dn.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = _mlp(dn, *ours, dn.tensor(y))
    expected = _mlp(torch, *theirs, torch.tensor(y))
    loss.backward()
    expected.backward()
    assert_close(loss, expected)
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a.grad, b.grad)


def test_backward_accumulates_across_calls_like_torch(rng):
    a = rng.standard_normal(3)
    x, t = dn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for f in [lambda v: (v * v).sum(), lambda v: v.exp().sum(), lambda v: (3 * v).sum()]:
        f(x).backward()
        f(t).backward()
        assert_close(x.grad, t.grad)
    np.testing.assert_allclose(x.grad.data, 2 * a + np.exp(a) + 3, rtol=1e-14)
    x.grad = None                                            # the way to zero it
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2.0)


def test_backward_of_a_leaf_itself():
    x = dn.tensor(np.array(3.0), requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_deep_chain_backprops_iteratively():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0                              # 20,000 nodes in one chain
    assert 20_000 > sys.getrecursionlimit()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 1.0001 ** 10_000, rtol=1e-10)


def test_deep_chain_autograd_grad_and_jvp():
    x = dn.tensor(np.array(0.5), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y + x * 1e-4
    (g,) = dn.autograd.grad(y, x)
    np.testing.assert_allclose(g.data, 2.0, rtol=1e-10)

    def chain(v):
        for _ in range(10_000):
            v = dn.tanh(v) * 1.0
        return v

    _, t = dn.autograd.jvp(chain, (dn.tensor(np.array(0.01)),), (np.array(1.0),))
    assert 0 < t.item() < 1


def test_second_backward_without_retain_graph_raises():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_doubles_the_grad():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=1e-15)
    np.testing.assert_allclose(first, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])), rtol=1e-15)


def test_no_grad_records_nothing():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with dn.no_grad():
        assert not dn.is_grad_enabled()
        y = x * 2 + 1
        z = dn.softmax(x, 0)
    assert dn.is_grad_enabled()
    for t in (y, z):
        assert not t.requires_grad and t.is_leaf and t.grad_fn is None
    np.testing.assert_array_equal(y.data, [3.0, 5.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)

    @dn.no_grad()
    def update(v):
        return v * 3

    assert not update(x).requires_grad
    assert update.__name__ == "update"
    assert dn.is_grad_enabled()
    with dn.no_grad():
        with dn.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad


def test_no_grad_as_a_bare_decorator_like_torch():
    """`@torch.no_grad` (without parentheses) is accepted by torch 2.x."""
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)

    @dn.no_grad
    def update(v):
        return v * 3

    out = update(x)
    assert not out.requires_grad and dn.is_grad_enabled()
    np.testing.assert_array_equal(out.data, [3.0, 6.0])


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with dn.no_grad():
            raise ZeroDivisionError
    assert dn.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_memory():
    x = dn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()                      # d is a constant: ∂y/∂x = d
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    assert x.detach().data is x.data or np.shares_memory(x.detach().data, x.data)


def test_requires_grad_only_for_floating_point():
    with pytest.raises(TypeError, match="floating"):
        dn.tensor([1, 2, 3]).requires_grad_()
    with pytest.raises(TypeError, match="floating"):
        dn.tensor([1, 2, 3], requires_grad=True)
    assert dn.tensor([1.0]).requires_grad_().requires_grad


def test_retain_grad_gives_dC_dz_of_an_intermediate(rng):
    a, w = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    x, W = dn.tensor(a), dn.tensor(w, requires_grad=True)
    z = dn.ops.linear(x, W)
    z.retain_grad()
    h = dn.sigmoid(z)                      # not retained
    loss = (h * h).sum()
    loss.backward()
    tx, tW = torch.tensor(a), torch.tensor(w, requires_grad=True)
    tz = F.linear(tx, tW)
    tz.retain_grad()
    (torch.sigmoid(tz) ** 2).sum().backward()
    assert_close(z.grad, tz.grad)
    assert h.grad is None
    assert_close(W.grad, tW.grad)


def test_retain_grad_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="retain_grad"):
        dn.tensor([1.0]).retain_grad()


def test_autograd_grad_returns_grads_without_touching_dot_grad(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    x, y = dn.tensor(a, requires_grad=True), dn.tensor(b, requires_grad=True)
    out = (x * y).sum() + x.exp().sum()
    gx, gy = dn.autograd.grad(out, (x, y))
    assert x.grad is None and y.grad is None
    np.testing.assert_allclose(gx.data, b + np.exp(a), rtol=1e-15)
    np.testing.assert_allclose(gy.data, a, rtol=1e-15)
    (g_single,) = dn.autograd.grad((x * x).sum(), x)          # a single input also gives a tuple
    np.testing.assert_allclose(g_single.data, 2 * a, rtol=1e-15)


def test_autograd_grad_with_grad_outputs_and_intermediate_inputs(rng):
    a = rng.standard_normal((2, 3))
    x = dn.tensor(a, requires_grad=True)
    z = x * 2
    out = dn.tanh(z)
    g = rng.standard_normal((2, 3))
    gz, gx = dn.autograd.grad(out, (z, x), grad_outputs=g)
    np.testing.assert_allclose(gz.data, g * (1 - np.tanh(2 * a) ** 2), rtol=1e-14)
    np.testing.assert_allclose(gx.data, 2 * gz.data, rtol=1e-14)
    assert z.grad is None and x.grad is None


def test_autograd_grad_unused_input():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    unused = dn.tensor([3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        dn.autograd.grad((x * 2).sum(), (x, unused))
    gx, gu = dn.autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx.data, [2.0, 2.0])


def test_autograd_grad_retain_graph():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g1,) = dn.autograd.grad(y, x, retain_graph=True)
    (g2,) = dn.autograd.grad(y, x)
    np.testing.assert_array_equal(g1.data, g2.data)
    with pytest.raises(RuntimeError, match="retain_graph"):
        dn.autograd.grad(y, x)


def test_autograd_grad_rejects_inputs_without_grad():
    x = dn.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="requires grad"):
        dn.autograd.grad((x * 2).sum(), x)


@pytest.mark.parametrize("f", [
    lambda x: x * x + x.exp(),
    lambda x: x + x,
    lambda x: (x * 2) * (x + 1) - x / (x * x + 1),
    lambda x: (torch if isinstance(x, torch.Tensor) else dn).stack([x, x * 2, x]).sum(0),
    lambda x: x[0:2] * x[1:3],
], ids=["x*x+exp", "x+x", "mixed", "stack", "overlapping-slices"])
def test_diamond_graphs_sum_all_paths(f, rng):
    a = rng.standard_normal(3)
    x, t = dn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    f(x).sum().backward()
    f(t).sum().backward()
    assert_close(x.grad, t.grad)


def test_inplace_on_leaf_requiring_grad_raises():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    for op in [lambda: x.__iadd__(1.0), lambda: x.__isub__(1.0), lambda: x.__imul__(2.0),
               lambda: x.__itruediv__(2.0), lambda: x.add_(1.0), lambda: x.mul_(2.0), lambda: x.zero_()]:
        with pytest.raises(RuntimeError, match="in-place"):
            op()
    with pytest.raises(RuntimeError, match="no_grad"):
        x[0] = 5.0
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_inplace_under_no_grad_modifies_the_same_object():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    before, data = x, x.data
    with dn.no_grad():
        x += 1.0
        x -= dn.tensor([0.5, 0.5])
        x *= 2.0
        x /= 4.0
        x[1] = 7.0
    assert x is before and x.data is data and x.requires_grad
    np.testing.assert_array_equal(data, [0.75, 7.0])


def test_backward_on_non_scalar_without_grad_names_the_shape():
    y = dn.tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"shape"):
        y.backward(np.ones(3))


def test_backward_accepts_tensor_grad_and_checks_it(rng):
    x = dn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    g = rng.standard_normal((2, 3))
    (x * 3).backward(dn.tensor(g))
    np.testing.assert_allclose(x.grad.data, 3 * g, rtol=1e-15)


def test_leaf_grads_do_not_alias_each_other():
    a = dn.tensor([1.0, 2.0], requires_grad=True)
    b = dn.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 100                                     # in place on one leaf's grad ...
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])  # ... leaves the other alone
    assert not np.shares_memory(a.grad.data, b.grad.data)


def test_leaf_grads_do_not_alias_the_callers_seed_or_each_other_for_non_scalar_roots():
    a = dn.tensor([1.0, 2.0], requires_grad=True)
    b = dn.tensor([3.0, 4.0], requires_grad=True)
    g = np.array([1.0, -1.0])
    (a + b).backward(g)
    g[:] = 7.0                                             # changing the seed afterwards changes nothing
    np.testing.assert_array_equal(a.grad.data, [1.0, -1.0])
    a.grad.data[0] = 50.0
    np.testing.assert_array_equal(b.grad.data, [1.0, -1.0])


def test_leaf_root_grad_is_a_copy_of_the_seed():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([5.0, 6.0])
    x.backward(g)
    g[:] = 0.0
    np.testing.assert_array_equal(x.grad.data, [5.0, 6.0])
    assert not x.grad.requires_grad


def test_retained_grad_does_not_alias_leaf_grads():
    a = dn.tensor([1.0, 2.0], requires_grad=True)
    b = dn.tensor([3.0, 4.0], requires_grad=True)
    z = a + b
    z.retain_grad()
    (z * dn.tensor([2.0, 5.0])).sum().backward()
    z.grad.data *= 0
    np.testing.assert_array_equal(a.grad.data, [2.0, 5.0])
    np.testing.assert_array_equal(b.grad.data, [2.0, 5.0])


def test_reshape_and_transpose_grads_do_not_alias():
    a = dn.tensor(np.ones((2, 3)), requires_grad=True)
    b = dn.tensor(np.ones((3, 2)), requires_grad=True)
    (a.T + b).sum().backward()
    a.grad.data[...] = 9
    np.testing.assert_array_equal(b.grad.data, 1.0)


def test_inputs_not_requiring_grad_get_none(rng):
    x, c = dn.tensor(rng.standard_normal(3), requires_grad=True), dn.tensor(rng.standard_normal(3))
    (x * c).sum().backward()
    assert c.grad is None and x.grad is not None
    np.testing.assert_array_equal(x.grad.data, c.data)


def test_graph_attributes():
    x = dn.tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


def test_grad_hands_out_arrays_the_caller_may_write_to():
    x = dn.tensor(2.0, requires_grad=True)
    (first,) = dn.autograd.grad(x, [x])                  # ∂x/∂x = 1: the seed itself, not a shared array
    first.data[...] = 5.0
    (second,) = dn.autograd.grad(x, [x])
    assert second.item() == 1.0 and first.item() == 5.0
    y = x * 3.0
    y.backward()
    y = x * 3.0
    y.backward()
    assert x.grad.item() == 6.0                          # accumulation is unaffected by the write above
