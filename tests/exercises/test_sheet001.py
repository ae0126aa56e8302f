"""The registry entries of seed sheet 001: every computed value asserted, every erratum's correction verified
independently (NumPy by hand, PyTorch float64) — not by calling the code under test."""

import numpy as np
import pytest
import torch

from deltanet.exercises import registry, sheet001  # noqa: F401  (importing the sheet registers its entries)

SOURCE = "001_56a1a5950c8309c5.txt, "


def record(id, verdict):
    r = registry.EXERCISES[id].run()
    assert r["source"].startswith(SOURCE) and r["claim"] and r["computed"] and r["explain"]
    assert r["verdict"] == verdict, r["computed"]
    assert (r["correction"] is not None) == (verdict == "erratum")
    return r


def test_sheet_001_has_17_entries():
    assert len([i for i in registry.EXERCISES if i.startswith("001-")]) == 17


# ---- Question 1 ------------------------------------------------------------------------------------------------

def width(n):
    return 4 / (n + 1)                     # n equal steps on [−2, 2]: n + 1 pieces


@pytest.mark.parametrize("id, best_error", [
    ("001-q1-linear", lambda n: 1.5 * width(n) / 2),                         # 1.5x − 0.5: half the rise of a piece
    ("001-q1-hinge", lambda n: width(n) / 2),                                # max(1 − x, 0): slope −1 left of 1
    ("001-q1-quadratic", lambda n: width(n) * (4.5 - width(n)) / 2)])        # steepest piece [−2, −2 + w]
def test_q1_no_step_network_equals_a_line_hinge_or_parabola(id, best_error):
    v = record(id, "agrees")["value"]
    for n in (8, 32, 128):
        assert v["errors"][str(n)]["max_error"] == pytest.approx(best_error(n), rel=2e-3)
        assert v["errors"][str(n)]["distinct_values"] <= n + 1
    if id == "001-q1-linear":
        assert v["identity_error"] == 0.0


def test_q1_the_indicator_pair_and_the_value_of_g_at_0():
    v = record("001-q1-indicator", "agrees")["value"]
    assert v == {"max_error": 0.0, "at_a": 2.5, "at_b": 0.0, "g0_zero_at_a": 0.0, "g0_zero_at_b": 2.5}
    g = lambda z: (z >= 0).astype(float)                                     # noqa: E731  the sheet's g
    x = np.array([-0.5, 0.0, 1.25 - 1e-12, 1.25])
    assert (-2.5 * g(x - 1.25) + 2.5 * g(x + 0.5)).tolist() == [2.5, 2.5, 2.5, 0.0]


def test_q1_piecewise_constant_functions_are_represented_exactly():
    assert record("001-q1-piecewise-constant", "agrees")["value"] == {"max_error": 0.0, "units": 6}


# ---- Question 2 ------------------------------------------------------------------------------------------------

def test_q2_relu_weights_reproduce_the_labels():
    v = record("001-q2-relu-weights", "agrees")["value"]
    assert v == {"outputs": [1.0, -1.0, -1.0, 1.0], "wrong": []}
    X = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=float)
    assert (np.maximum(X @ np.array([[1, -1], [1, -1]]), 0).sum(axis=1) - 1).tolist() == v["outputs"]


# ---- Question 3 ------------------------------------------------------------------------------------------------

def q3_torch():
    """Every gradient of the entries' instance by PyTorch (the same seed and order of draws)."""
    rng = np.random.default_rng(0)
    W, b1, U, b2 = (torch.tensor(rng.standard_normal(s), requires_grad=True) for s in ((6, 4), 6, (3, 6), 3))
    x, label = torch.tensor(rng.standard_normal(4)), int(rng.integers(3))
    z1 = W @ x + b1
    h = torch.relu(z1)
    z2 = U @ h + b2
    for t in (z1, h, z2):
        t.retain_grad()
    J = -torch.log_softmax(z2, dim=0)[label]
    J.backward()
    return {"z2": z2.grad, "b2": b2.grad, "U": U.grad, "h": h.grad, "z1": z1.grad, "b1": b1.grad, "W": W.grad}


@pytest.mark.parametrize("id, name", [("001-q3-delta1", "z2"), ("001-q3-db2", "b2"), ("001-q3-du", "U"),
                                      ("001-q3-dh", "h"), ("001-q3-delta2", "z1"), ("001-q3-db1", "b1"),
                                      ("001-q3-dw", "W")])
def test_q3_backpropagation_formulas(id, name):
    v = record(id, "agrees")["value"]
    assert v["formula_error"] < 1e-15 and v["fd_error"] < 1e-8
    np.testing.assert_allclose(v["autograd"], q3_torch()[name].numpy(), rtol=1e-10, atol=1e-15)


def test_q3_instance_exercises_the_relu_mask():
    v = record("001-q3-delta2", "agrees")["value"]
    h = q3_torch()
    assert 0 < sum(g == 0 for g in v["autograd"]) < 6                      # some hidden units are off
    assert np.any(h["h"].numpy()[np.array(v["autograd"]) == 0] != 0)        # ∂J/∂h ≠ 0 there; the mask zeroes it


# ---- [Optional] RNN --------------------------------------------------------------------------------------------

def rnn_torch():
    """∂L/∂U, ∂L/∂W of the entries' instance by PyTorch, the states, and BPTT by hand (the correction)."""
    rng = np.random.default_rng(0)
    W = torch.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    U = torch.tensor(0.8 * rng.standard_normal((4, 4)), requires_grad=True)
    xs, c, h0 = torch.tensor(rng.standard_normal((5, 3))), torch.tensor(rng.standard_normal(4)), \
        torch.tensor(0.5 * rng.standard_normal(4))
    hs = [h0]
    for x in xs:
        hs.append(torch.tanh(W @ x + U @ hs[-1]))
    (c @ hs[-1]).backward()
    h = torch.stack(hs).detach().numpy()
    Un, dU, dW, g = U.detach().numpy(), np.zeros((4, 4)), np.zeros((4, 3)), c.numpy()
    for t in range(5, 0, -1):            # δ_{t−1} = D_{t−1} ∂L/∂h_t, then ∂L/∂h_{t−1} = Uᵀ δ_{t−1}
        delta = (1 - h[t] ** 2) * g
        dU += np.outer(delta, h[t - 1])
        dW += np.outer(delta, xs[t - 1].numpy())
        g = Un.T @ delta
    return {"U": U.grad.numpy(), "W": W.grad.numpy()}, {"U": dU, "W": dW}


@pytest.mark.parametrize("id, name", [("001-qopt-dldu", "U"), ("001-qopt-dldw", "W")])
def test_optional_rnn_gradients_have_one_transpose_too_many(id, name):
    v = record(id, "erratum")["value"]
    grads, by_hand = rnn_torch()
    np.testing.assert_allclose(v["autograd"], grads[name], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(by_hand[name], grads[name], rtol=1e-10, atol=1e-14)
    assert v["formula_error"] > 0.5 and v["reversed_error"] > 0.5
    assert not np.allclose(v["formula"], grads[name], atol=0.1)
    assert v["corrected_error"] < 1e-14 and v["sheet_vector_is_dL_dh"] < 1e-14 and v["fd_error"] < 1e-8


def jacobian_singular_values(g, g_prime, s):
    """σ(∂h_T/∂h_t), t = 0 … T−1, by hand (Π D_k U) for the entries' instance."""
    rng = np.random.default_rng(0)
    Q1, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    Q2, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    U = Q1 @ np.diag(s) @ Q2.T
    W, xs, h = rng.standard_normal((4, 2)), rng.standard_normal((12, 2)), rng.standard_normal(4)
    steps = []
    for x in xs:
        z = W @ x + U @ h
        steps.append(np.diag(g_prime(z)) @ U)      # ∂h_{t+1}/∂h_t
        h = g(z)
    return [np.linalg.svd(np.linalg.multi_dot([np.eye(4), *steps[t:][::-1]]), compute_uv=False) for t in range(12)]


def test_optional_exploding_gradients():
    v = record("001-qopt-exploding", "agrees")["value"]
    sv = jacobian_singular_values(lambda z: np.where(z > 0, z, 0.95 * z), lambda z: np.where(z > 0, 1, 0.95),
                                  [1.25, 1.4, 1.5, 1.6])
    np.testing.assert_allclose(v["sigma_min"], [s[-1] for s in sv], rtol=1e-9)
    assert v["gaps"] == list(range(12, 0, -1)) and v["a"] == pytest.approx(1.125)
    assert all(s >= 1.125 ** gap for s, gap in zip(v["sigma_min"], v["gaps"]))
    assert v["sigma_min"][0] > 30


def test_optional_vanishing_gradients():
    v = record("001-qopt-vanishing", "agrees")["value"]
    sigmoid = lambda z: 1 / (1 + np.exp(-z))                                 # noqa: E731
    sv = jacobian_singular_values(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), [1.0, 2.0, 2.5, 3.0])
    np.testing.assert_allclose(v["sigma_max"], [s[0] for s in sv], rtol=1e-9)
    assert v["a"] == pytest.approx(0.9)
    assert all(s <= 0.9 ** gap for s, gap in zip(v["sigma_max"], v["gaps"]))
    assert v["sigma_max"][0] < 1e-5
