"""RTRL: with the weight updates held back to the end, the gradient accumulated online step by step equals
the BPTT gradient of the summed loss (float64, 1e-10), for each cell type and both ways of carrying the
sensitivities (explicit Jacobian recurrences, and forward-mode jvp per parameter direction)."""

from __future__ import annotations

import numpy as np
import pytest

import deltanet as dn
from deltanet.rtrl import RTRL

CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False})]


def problem(seed, I=3, H=4, C=3, T=7, B=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((T, B, I)), rng.integers(0, C, (T, B)), rng.standard_normal((2, B, H)) * 0.5


def bptt_grads(cell, readout, xs, ys, state0):
    """Unrolled cell, loss Σ_t CE(readout(h_t), y_t), one backward: the reference gradient."""
    lstm = isinstance(cell, dn.nn.LSTMCell)
    state = (dn.tensor(state0[0]), dn.tensor(state0[1])) if lstm else dn.tensor(state0[0])
    total = 0
    for x, y in zip(xs, ys, strict=True):
        state = cell(dn.tensor(x), state)
        h = state[0] if lstm else state
        total = total + dn.nn.functional.cross_entropy(readout(h), dn.tensor(y))
    total.backward()
    return total.item()


@pytest.mark.parametrize("method", ["exact", "jvp"])
@pytest.mark.parametrize("kind, kwargs", CELLS)
def test_rtrl_gradient_equals_bptt(kind, kwargs, method):
    dn.manual_seed(0)
    cell, readout = getattr(dn.nn, kind)(3, 4, **kwargs), dn.nn.Linear(4, 3)
    xs, ys, state0 = problem(1)
    expected_loss = bptt_grads(cell, readout, xs, ys, state0)
    expected = [p.grad.data.copy() for p in (*cell.parameters(), *readout.parameters())]
    cell.zero_grad()
    readout.zero_grad()

    lstm = kind == "LSTMCell"
    rtrl = RTRL(cell, method=method)
    rtrl.reset(2, state=(state0[0], state0[1]) if lstm else state0[0])
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        h = rtrl.step(x)
        loss = dn.nn.functional.cross_entropy(readout(h), dn.tensor(y))
        rtrl.backward(loss)                          # online: the gradient of the loss so far is complete
        total += loss.item()
    np.testing.assert_allclose(total, expected_loss, rtol=1e-12)
    got = [p.grad.data for p in (*cell.parameters(), *readout.parameters())]
    for name, a, b in zip([n for n, _ in cell.named_parameters()] + ["readout.weight", "readout.bias"], got,
                          expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"{kind} {method} ∂L/∂{name}")


def test_gradient_is_complete_at_every_step():
    """After step t, the accumulated gradient is the BPTT gradient of L_1 + … + L_t."""
    dn.manual_seed(1)
    cell, readout = dn.nn.GRUCell(3, 4), dn.nn.Linear(4, 3)
    xs, ys, state0 = problem(2, T=5)
    rtrl = RTRL(cell)
    rtrl.reset(2, state=state0[0])
    for t in range(5):
        rtrl.backward(dn.nn.functional.cross_entropy(readout(rtrl.step(xs[t])), dn.tensor(ys[t])))
        online = [p.grad.data.copy() for p in cell.parameters()]
        cell.zero_grad()
        readout.zero_grad()
        bptt_grads(cell, readout, xs[:t + 1], ys[:t + 1], state0)
        for a, p in zip(online, cell.parameters(), strict=True):
            np.testing.assert_allclose(a, p.grad.data, rtol=1e-10, atol=1e-12)
        for p, g in zip(cell.parameters(), online, strict=True):   # restore the online sum and go on
            p.grad.data = g.copy()
        readout.zero_grad()


def test_online_learning_reduces_the_loss():
    """RTRL with an update after every step (stale sensitivities, as usual) learns a short memory task:
    output the input of the previous step."""
    dn.manual_seed(2)
    cell, readout = dn.nn.RNNCell(1, 6), dn.nn.Linear(6, 1)
    optimizer = dn.optim.SGD([*cell.parameters(), *readout.parameters()], lr=0.05)
    rng = np.random.default_rng(0)
    rtrl = RTRL(cell)
    rtrl.reset(1)
    losses, previous = [], np.zeros((1, 1))
    for _ in range(1500):
        x = rng.standard_normal((1, 1))
        loss = dn.nn.functional.mse_loss(readout(rtrl.step(x)), dn.tensor(previous))
        optimizer.zero_grad()
        rtrl.backward(loss)
        optimizer.step()
        losses.append(loss.item())
        previous = x
    assert np.mean(losses[-300:]) < 0.25 * np.mean(losses[:100])


def test_cost_accounting_and_errors():
    cell = dn.nn.RNNCell(3, 5)
    rtrl = RTRL(cell)
    rtrl.reset(2)
    assert rtrl.num_params == 5 * 3 + 5 * 5 + 5 + 5
    assert rtrl.sensitivity_size == 2 * 5 * rtrl.num_params
    assert RTRL(dn.nn.LSTMCell(3, 5)).sensitivity_size == 2 * 5 * (4 * 5 * (3 + 5) + 8 * 5)
    with pytest.raises(ValueError, match="expected x of shape"):
        rtrl.step(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="method='jvp'"):
        RTRL(dn.nn.Linear(3, 3))
