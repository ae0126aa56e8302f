"""Per-time-step gradient norms ‖∂L/∂h_t‖ (retain_grad on every h_t): checked against the product of
Jacobians written out in NumPy, and the vanishing-gradient comparison of sigmoid/tanh RNNs and LSTMs."""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet.diagnose import hidden_grad_norms, vanishing_gradients


def test_norms_equal_the_backpropagated_product_of_jacobians():
    dn.manual_seed(0)
    cell = dn.nn.RNNCell(3, 5)
    x = np.random.default_rng(0).standard_normal((12, 2, 3))
    v = np.random.default_rng(1).standard_normal(5)
    norms = hidden_grad_norms(cell, x, loss_fn=lambda h: (h @ dn.tensor(v)).sum())
    W_ih, W_hh = cell.weight_ih.data, cell.weight_hh.data
    b = cell.bias_ih.data + cell.bias_hh.data
    hs, h = [], np.zeros((2, 5))
    for x_t in x:
        h = np.tanh(x_t @ W_ih.T + h @ W_hh.T + b)
        hs.append(h)
    grad = np.tile(v, (2, 1))                                   # ∂L/∂h_T
    expected = [None] * 12
    for t in range(11, -1, -1):
        expected[t] = np.linalg.norm(grad, axis=1).mean()
        grad = (grad * (1 - hs[t] ** 2)) @ W_hh                  # ∂L/∂h_{t−1} = W_hhᵀ diag(1 − h_t²) ∂L/∂h_t
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def test_gradients_vanish_in_plain_rnns_and_survive_in_an_lstm_with_open_forget_gates():
    norms = vanishing_gradients(steps=100)
    assert set(norms) == {"RNN (sigmoid)", "RNN (tanh)", "LSTM (torch init)", "LSTM (forget bias +1)",
                          "LSTM (forget bias +3)"}
    for values in norms.values():
        assert values.shape == (100,)
        np.testing.assert_allclose(values[-1], 1.0, rtol=1e-12)   # the loss's own step: ‖v‖ = 1
    assert norms["RNN (sigmoid)"][0] < 1e-60                       # σ' ≤ 1/4 at every step
    assert norms["RNN (sigmoid)"][0] < norms["RNN (tanh)"][0] < 1e-15
    assert norms["LSTM (torch init)"][0] < 1e-15                   # f ≈ σ(0) = 1/2 halves it every step
    assert 1e-12 < norms["LSTM (forget bias +1)"][0] < 1e-4
    assert norms["LSTM (forget bias +3)"][0] > 1e-2                # the cell state carries it across 100 steps


def test_plot_of_gradient_norms_over_time(tmp_path):
    from deltanet.plot.gradients import gradient_norms_over_time

    figure = gradient_norms_over_time({"a": np.logspace(-30, 0, 50), "b": np.r_[np.zeros(10), np.ones(40)]},
                                      title="vanishing", path=tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 1000
    assert len(figure.axes) == 2 and len(figure.axes[0].get_lines()) == 2
