"""Truncated BPTT: with k ≥ T it is full BPTT, bit for bit; with k < T the forward pass (and so the loss)
is unchanged but the gradient is the truncated one — each window's losses reach back only into that window."""

from __future__ import annotations

import numpy as np
import pytest

import deltanet as dn
from deltanet.train.tbptt import TruncatedBPTT, detach_state, windows


class Tagger(dn.nn.Module):
    """A recurrent layer with a linear read-out at every step: (x, state) → (y_hat, state)."""

    def __init__(self, kind="LSTM", inputs=3, hidden=5, outputs=2):
        super().__init__()
        self.rnn = getattr(dn.nn, kind)(inputs, hidden, batch_first=True)
        self.head = dn.nn.Linear(hidden, outputs)

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), state


def data(B=4, T=12, seed=0):
    rng = np.random.default_rng(seed)
    return dn.tensor(rng.standard_normal((B, T, 3))), dn.tensor(rng.standard_normal((B, T, 2)))


def grads(model):
    return [p.grad.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("k", [12, 13, 100])
def test_k_at_least_the_length_is_full_bptt_exactly(kind, k):
    dn.manual_seed(0)
    model = Tagger(kind)
    x, y = data()
    loss_fn = dn.nn.MSELoss()
    full = loss_fn(model(x)[0], y)
    full.backward()
    expected = grads(model)
    model.zero_grad()
    loss, state = TruncatedBPTT(model, loss_fn, k=k).run(x, y)
    assert loss == full.item()
    for a, b in zip(grads(model), expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not (state[0] if kind == "LSTM" else state).requires_grad   # handed back detached


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_shorter_windows_keep_the_loss_but_truncate_the_gradient(kind):
    dn.manual_seed(1)
    model = Tagger(kind)
    x, y = data(T=12)
    loss_fn = dn.nn.MSELoss()
    full = loss_fn(model(x)[0], y)
    full.backward()
    full_grads = grads(model)

    model.zero_grad()
    loss, _ = TruncatedBPTT(model, loss_fn, k=5).run(x, y)           # windows of 5, 5, 2 steps
    truncated = grads(model)
    np.testing.assert_allclose(loss, full.item(), rtol=1e-12)        # the forward pass is exact
    assert any(not np.allclose(a, b, rtol=1e-6) for a, b in zip(truncated, full_grads))

    # the truncated gradient, built independently: the state detached at steps 5 and 10 by hand
    model.zero_grad()
    state, reference = None, 0
    for w in windows(12, 5):
        out, state = model(x[:, w], state)
        reference = reference + loss_fn(out, y[:, w]) * ((w.stop - w.start) / 12)
        state = detach_state(state)
    reference.backward()
    for a, b in zip(truncated, grads(model), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_gradient_does_not_cross_a_window_boundary():
    """With one loss at the last step only, inputs before the last window get no gradient at all."""
    dn.manual_seed(2)
    model = Tagger("GRU")
    x, y = data(T=10)
    x.requires_grad_(True)
    TruncatedBPTT(model, dn.nn.MSELoss(), k=4, targets="last").run(x, y[:, -1])
    assert x.grad is None or not np.any(x.grad.data[:, :8])
    dn.nn.MSELoss()(model(x)[0][:, -1], y[:, -1]).backward()          # full BPTT does reach them
    assert np.all(np.abs(x.grad.data[:, :8]).sum(axis=(0, 2)) > 0)


def test_training_with_window_updates_reduces_the_loss():
    dn.manual_seed(3)
    model = Tagger("LSTM", inputs=1, hidden=8, outputs=1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 40, 1))
    y = np.cumsum(x, axis=1) * 0.2                                    # running sum: needs memory
    tbptt = TruncatedBPTT(model, dn.nn.MSELoss(), k=10, optimizer=dn.optim.Adam(model.parameters(), lr=0.02),
                          clip_norm=5.0)
    first = tbptt.run(x, y)[0]
    for _ in range(30):
        last = tbptt.run(x, y)[0]
    assert last < 0.5 * first


def test_bad_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        TruncatedBPTT(None, None, k=0)
    with pytest.raises(ValueError, match="update"):
        TruncatedBPTT(None, None, k=3, update="epoch")
    with pytest.raises(TypeError, match="detach_state"):
        detach_state(3)
