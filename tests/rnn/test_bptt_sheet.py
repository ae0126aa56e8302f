"""Seed sheet 000, question 5 (BPTT), in the sheet's own notation:

    s_t = U x_t + W h_{t−1},   h_t = tanh(s_t),   z_t = V h_t,   ô_t = softmax(z_t),
    E = Σ_t E_t = −Σ_t o_t · log ô_t            (x_t ∈ ℝⁿ, h_t ∈ ℝᵐ, ô_t, o_t ∈ ℝᵏ; U m×n, W m×m, V k×m)

and the sheet's answers
    ∂E/∂V = Σ_t (ô_t − o_t) h_tᵀ,
    ∂E/∂s_T = (1 − h_T²) ⊙ Vᵀ(ô_T − o_T),
    ∂E/∂s_t = (1 − h_t²) ⊙ (Wᵀ ∂E/∂s_{t+1} + Vᵀ(ô_t − o_t)),   t = T−1 … 1,
    ∂E/∂U = Σ_t ∂E/∂s_t x_tᵀ,   ∂E/∂W = Σ_t ∂E/∂s_t h_{t−1}ᵀ.

Three independent computations must agree: deltanet's backward through the network written with dn ops,
central finite differences of E (NumPy only), and the sheet's equations coded by hand. The same network is
also `nn.RNN(bias=False)` + `nn.Linear(bias=False)` + summed cross-entropy, with weight_ih = U,
weight_hh = W and the Linear's weight = V.

Erratum in the sheet's derivation of ∂E/∂V: it writes the softmax as ô_k = e^{z_k} / Σ_{i=1}^{T} e^{z_i},
normalising over the *time steps* and so differentiating ô_k with respect to z_t at another time t ≠ k.
The softmax at time t normalises over the k output classes of z_t, and ô_k does not depend on z_t for
k ≠ t. The final result Σ_t (ô_t − o_t) h_tᵀ is nevertheless right: it is the per-time-step
∂E_t/∂z_t = ô_t − o_t (which uses Σ_classes o_t = 1 for a one-hot o_t).
"""

from __future__ import annotations

import numpy as np

import deltanet as dn

n, m, k, T = 3, 4, 5, 6   # input size, hidden size, classes, time steps


def sheet_problem(seed=0):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((m, n)) * 0.7
    W = rng.standard_normal((m, m)) * 0.5
    V = rng.standard_normal((k, m)) * 0.7
    xs = rng.standard_normal((T, n))
    labels = rng.integers(0, k, T)
    os = np.eye(k)[labels]          # the sheet's o_t: one-hot labels
    h0 = rng.standard_normal(m) * 0.5
    return U, W, V, xs, os, h0


def E_numpy(U, W, V, xs, os, h0):
    """The sheet's E, in NumPy (for finite differences)."""
    h, E = h0, 0.0
    for x, o in zip(xs, os, strict=True):
        h = np.tanh(U @ x + W @ h)
        z = V @ h
        log_softmax = z - z.max() - np.log(np.exp(z - z.max()).sum())
        E -= o @ log_softmax
    return E


def E_deltanet(U, W, V, xs, os, h0):
    """The same E with deltanet tensors (column vectors as 1-D tensors)."""
    h, E = dn.tensor(h0), 0
    for t in range(T):
        s = U @ dn.tensor(xs[t]) + W @ h          # s_t = U x_t + W h_{t−1}
        h = dn.tanh(s)                            # h_t
        z = V @ h                                 # z_t
        o_hat_log = dn.log_softmax(z, dim=0)      # log ô_t
        E = E - (dn.tensor(os[t]) * o_hat_log).sum()
    return E


def bptt_by_hand(U, W, V, xs, os, h0):
    """The sheet's BPTT equations, literally."""
    hs, o_hats = [h0], []
    for x in xs:
        hs.append(np.tanh(U @ x + W @ hs[-1]))
        z = V @ hs[-1]
        e = np.exp(z - z.max())
        o_hats.append(e / e.sum())
    dV = sum(np.outer(o_hats[t] - os[t], hs[t + 1]) for t in range(T))
    dU, dW = np.zeros_like(U), np.zeros_like(W)
    dE_ds_next = np.zeros(m)
    for t in range(T - 1, -1, -1):
        h = hs[t + 1]
        dE_ds = (1 - h ** 2) * (W.T @ dE_ds_next + V.T @ (o_hats[t] - os[t]))
        dU += np.outer(dE_ds, xs[t])
        dW += np.outer(dE_ds, hs[t])
        dE_ds_next = dE_ds
    return dU, dW, dV


def central_differences(f, arrays, eps=1e-6):
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            plus = f()
            a[idx] = old - eps
            minus = f()
            a[idx] = old
            g[idx] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def test_bptt_gradients_equal_finite_differences_and_the_sheets_equations():
    U, W, V, xs, os, h0 = sheet_problem()
    Ut, Wt, Vt = (dn.tensor(a.copy(), requires_grad=True) for a in (U, W, V))
    E = E_deltanet(Ut, Wt, Vt, xs, os, h0)
    np.testing.assert_allclose(E.item(), E_numpy(U, W, V, xs, os, h0), rtol=1e-12)
    E.backward()
    ours = [Ut.grad.data, Wt.grad.data, Vt.grad.data]

    numeric = central_differences(lambda: E_numpy(U, W, V, xs, os, h0), [U, W, V])
    for name, a, b in zip("UWV", ours, numeric, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8, err_msg=f"∂E/∂{name} vs finite differences")

    by_hand = bptt_by_hand(U, W, V, xs, os, h0)
    for name, a, b in zip("UWV", ours, by_hand, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"∂E/∂{name} vs the sheet's BPTT")


def test_the_sheets_network_is_nn_rnn_plus_linear_without_biases():
    U, W, V, xs, os, h0 = sheet_problem(1)
    rnn, readout = dn.nn.RNN(n, m, bias=False), dn.nn.Linear(m, k, bias=False)
    rnn.load_state_dict({"weight_ih_l0": U, "weight_hh_l0": W})
    readout.load_state_dict({"weight": V})
    out, _ = rnn(dn.tensor(xs), dn.tensor(h0[None]))             # unbatched (T, n), h_0 (1, m)
    E = dn.nn.functional.cross_entropy(readout(out), dn.tensor(os.argmax(1)), reduction="sum")
    E.backward()
    np.testing.assert_allclose(E.item(), E_numpy(U, W, V, xs, os, h0), rtol=1e-12)
    for name, got, want in zip("UWV", (rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad, readout.weight.grad),
                               bptt_by_hand(U, W, V, xs, os, h0), strict=True):
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14, err_msg=f"∂E/∂{name}")
