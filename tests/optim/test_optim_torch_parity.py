"""50 training steps of each optimizer equal torch.optim's from the same start (float64: 1e-10 relative)."""

from __future__ import annotations

import numpy as np
import pytest
from optim_cases import SHAPES, dn_loss, dn_params, make_problem, train_deltanet, train_torch

import deltanet as dn
from deltanet import optim

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.02, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.001, momentum=0.9, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.99))),          # 1 − β₁ ≥ ½: the other branch of torch's lerp
    ("Adam", dict(lr=0.001, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.0)),
]


def assert_close(ours, theirs, rtol):
    for name in SHAPES:
        a, b = ours[name], theirs[name]
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0, err_msg=name)


@pytest.mark.parametrize("opt_name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_50_steps_equal_torch_float64(opt_name, kwargs):
    start, X, Y = make_problem()
    ours, opt = train_deltanet(opt_name, kwargs, start, X, Y, 50)
    theirs = train_torch(opt_name, kwargs, start, X, Y, 50)
    assert_close(ours, theirs, rtol=1e-10)
    # the run actually moved the weights, and far
    assert max(np.abs(ours[n] - start[n]).max() for n in SHAPES) > 1e-2


@pytest.mark.parametrize("opt_name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
                                             ("Adam", dict(lr=0.01, amsgrad=True)),
                                             ("AdamW", dict(lr=0.01))])
def test_50_steps_equal_torch_float32(opt_name, kwargs):
    start, X, Y = make_problem(np.float32)
    ours, _ = train_deltanet(opt_name, kwargs, start, X, Y, 50)
    theirs = train_torch(opt_name, kwargs, start, X, Y, 50)
    assert_close(ours, theirs, rtol=1e-5)


@pytest.mark.parametrize("opt_name,kwargs,groups", [
    ("SGD", dict(lr=0.1, momentum=0.9),
     [(["W1", "b1"], {}), (["W2"], dict(lr=0.02, momentum=0.5, nesterov=True))]),
    ("Adam", dict(lr=0.01),
     [(["W1"], dict(amsgrad=True)), (["b1", "W2"], dict(lr=0.03, betas=(0.8, 0.99), weight_decay=0.1))]),
])
def test_parameter_groups_equal_torch(opt_name, kwargs, groups):
    start, X, Y = make_problem()
    ours, opt = train_deltanet(opt_name, kwargs, start, X, Y, 50, groups)
    theirs = train_torch(opt_name, kwargs, start, X, Y, 50, groups)
    assert_close(ours, theirs, rtol=1e-10)
    assert opt.param_groups[1]["lr"] == groups[1][1]["lr"]
    assert opt.param_groups[0]["lr"] == kwargs["lr"]


def test_sgd_one_step_by_hand():
    """w ← w − η g; with momentum v ← μ v + g on the second step."""
    w = dn.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    w.grad = dn.tensor(np.array([2.0, 4.0]))
    opt.step()
    np.testing.assert_array_equal(w.data, [1.0 - 0.2, -2.0 - 0.4])
    opt.step()  # v = 0.5 * g + g = 1.5 g
    np.testing.assert_allclose(w.data, [0.8 - 0.3, -2.4 - 0.6], rtol=1e-15)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], [3.0, 6.0], rtol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    """At t = 1, m̂ = g and v̂ = g², so w moves by η g / (|g| + ε) ≈ η sign(g)."""
    w = dn.tensor(np.array([1.0, 1.0, 1.0]), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = dn.tensor(np.array([3.0, -0.5, 1e-3]))
    opt.step()
    g = np.array([3.0, -0.5, 1e-3])
    np.testing.assert_allclose(w.data, 1.0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    assert opt.state[w]["step"] == 1


def test_parameters_without_grad_are_skipped():
    start, X, Y = make_problem()
    for opt_cls in (optim.SGD, optim.Adam, optim.AdamW):
        params = dn_params(start)
        unused = dn.tensor(np.ones((2, 2)), requires_grad=True)
        opt = opt_cls([params["W1"], unused, params["W2"]], lr=0.1, weight_decay=0.1)
        dn_loss(params, X, Y).backward()
        opt.step()
        np.testing.assert_array_equal(unused.data, np.ones((2, 2)))  # not even weight decay touches it
        assert unused not in opt.state and unused.grad is None
        assert not np.array_equal(params["W1"].data, start["W1"])


@pytest.mark.parametrize("opt_name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.1)),
])
def test_step_updates_in_place_and_never_writes_into_grads(opt_name, kwargs, monkeypatch):
    start, X, Y = make_problem()
    params = dn_params(start)
    arrays = {name: p.data for name, p in params.items()}
    opt = getattr(optim, opt_name)(list(params.values()), **kwargs)
    created = []
    original_init = dn.Tensor.__init__

    def counting_init(self, *args, **kw):
        created.append(1)
        original_init(self, *args, **kw)

    for _ in range(3):
        opt.zero_grad()
        dn_loss(params, X, Y).backward()
        grads = {name: p.grad.data for name, p in params.items()}
        saved = {name: g.copy() for name, g in grads.items()}
        for g in grads.values():
            g.flags.writeable = False          # any in-place write would raise
        monkeypatch.setattr(dn.Tensor, "__init__", counting_init)
        opt.step()
        monkeypatch.setattr(dn.Tensor, "__init__", original_init)
        assert not created, "step() must not create tensors"
        for name, p in params.items():
            assert p.data is arrays[name]      # updated in place
            assert p.grad.data is grads[name]
            np.testing.assert_array_equal(p.grad.data, saved[name])


def test_closure_is_called_and_its_loss_returned():
    start, X, Y = make_problem()
    params = dn_params(start)
    opt = optim.SGD(list(params.values()), lr=0.1)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = dn_loss(params, X, Y)
        loss.backward()
        return loss

    with dn.no_grad():                        # the closure still gets gradients
        loss = opt.step(closure)
    assert calls == [1]
    assert float(loss) > 0
    assert not np.array_equal(params["W1"].data, start["W1"])


def test_zero_grad():
    w = dn.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad.data
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.data, np.zeros(3))
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])      # the old array was not overwritten
    opt.zero_grad()
    assert w.grad is None


def test_named_parameters_and_add_param_group():
    a = dn.tensor(np.ones(2), requires_grad=True)
    b = dn.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([("a", a)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["a"] and opt.param_groups[0]["params"][0] is a
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1]["momentum"] == 0.0 and opt.param_groups[1]["lr"] == 0.5
    a.grad = dn.tensor(np.ones(2))
    b.grad = dn.tensor(np.ones(2))
    opt.step()
    np.testing.assert_array_equal(a.data, [0.9, 0.9])
    np.testing.assert_array_equal(b.data, [0.5, 0.5])
