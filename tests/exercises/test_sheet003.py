"""The registry entries of seed sheet 003: every computed value asserted against numbers worked out here (NumPy by
hand, PyTorch float64), every erratum's correction verified independently."""

import itertools
import json

import numpy as np
import pytest
import torch

from deltanet.exercises import registry, sheet003

SOURCE = "003_6d3c661d49aeb821.txt, "
IDS = ["003-q1-dl-da", "003-q1-softmax-jacobian", "003-q1-dl-dz", "003-q1-dl-dw", "003-q1-dl-db",
       "003-q2-onehot-order", "003-q2.1-binary-code", "003-q2.1-code-distances", "003-q2.1-space",
       "003-q2.2-or-layer", "003-q2.3-hidden-accuracy", "003-q2.3-no-hidden-accuracy", "003-q3.1-same-power",
       "003-q3.2-rank", "003-q3.3-parameters", "003-q3.3-permutations", "003-q3.3-sign-flip", "003-q4.1-forward",
       "003-q4.2-values", "003-q4.2-function", "003-q4.3-ramp", "003-q4.3-hidden-layers", "003-q4.4-reflected-ramp",
       "003-q4.4-spike", "003-q4.4-approximation", "003-q4.5-eventually-linear", "003-q4.6-primes",
       "003-q5.1-tbptt-forward", "003-q5.2-bptt-recurrence", "003-q5.2-rtrl", "003-q5.2-rtrl-cost"]


def record(id, verdict):
    r = registry.EXERCISES[id].run()
    assert r["source"].startswith(SOURCE) and r["claim"] and r["computed"]
    assert r["verdict"] == verdict, r["computed"]
    assert (r["correction"] is not None) == (verdict == "erratum")
    assert (r["value"] is None) == (verdict == "not checkable")
    json.dumps(r)
    return r


def relu(z):
    return np.maximum(z, 0)


def test_the_sheet_registers_exactly_these_entries():
    assert sorted(i for i in registry.EXERCISES if i.startswith("003-")) == sorted(IDS)


# ---- Q1: multiclass logistic regression ---------------------------------------------------------------------

def torch_q1(seed):
    """ℓ = −log softmax(Wx + b)_y in PyTorch: (a, ∂ℓ/∂a with a as the variable, ∂ℓ/∂z, ∂ℓ/∂W, ∂ℓ/∂b)."""
    W, b, x, y = (torch.tensor(v) if not isinstance(v, int) else v for v in sheet003._q1_problem(seed))
    W.requires_grad_()
    b.requires_grad_()
    z = W @ x + b
    z.retain_grad()
    torch.nn.functional.cross_entropy(z[None], torch.tensor([y]), reduction="sum").backward()
    a = torch.softmax(z.detach(), 0).requires_grad_()
    (-torch.log(a[y])).backward()
    return a.detach().numpy(), a.grad.numpy(), z.grad.numpy(), W.grad.numpy(), b.grad.numpy(), x.numpy(), y


def test_q1_dl_da_is_minus_one_over_a_y_at_y():
    v = record("003-q1-dl-da", "agrees")["value"]
    a, dl_da, *_, y = torch_q1(11)
    expected = np.zeros(4)
    expected[y] = -1 / a[y]
    np.testing.assert_allclose(dl_da, expected, rtol=1e-14)
    np.testing.assert_allclose(v["autograd"], expected, rtol=1e-12)
    assert v["formula_error"] < 1e-12 and v["fd_error"] < 1e-5


def test_q1_softmax_jacobian():
    v = record("003-q1-softmax-jacobian", "agrees")["value"]
    W, b, x, _ = sheet003._q1_problem(12)
    J = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, 0), torch.tensor(W @ x + b)).numpy()
    np.testing.assert_allclose(v["autograd"], J, atol=1e-15)
    a = np.exp(W @ x + b) / np.exp(W @ x + b).sum()
    for i, j in itertools.product(range(4), repeat=2):                    # the sheet's two cases
        assert v["formula"][j][i] == pytest.approx(a[j] * (1 - a[j]) if i == j else -a[i] * a[j], abs=1e-15)
    assert v["fd_error"] < 1e-8


def test_q1_dl_dz_dw_db():
    v = record("003-q1-dl-dz", "agrees")["value"]
    a, _, dz, *_, y = torch_q1(13)
    np.testing.assert_allclose(v["autograd"], dz, atol=1e-15)
    np.testing.assert_allclose(dz, a - np.eye(4)[y], atol=1e-15)          # [a_1, …, a_y − 1, …, a_C]

    v = record("003-q1-dl-dw", "agrees")["value"]
    a, _, dz, dW, _, x, y = torch_q1(14)
    assert v["shape"] == [4, 5]                                          # C × D
    np.testing.assert_allclose(v["autograd"], dW, atol=1e-15)
    np.testing.assert_allclose(dW, np.outer(x, dz).T, atol=1e-15)        # (x ∂ℓ/∂z)ᵀ

    v = record("003-q1-dl-db", "agrees")["value"]
    a, _, dz, _, db, _, y = torch_q1(15)
    np.testing.assert_allclose(v["autograd"], db, atol=1e-15)
    np.testing.assert_allclose(db, dz, atol=1e-15)


# ---- Q2: output codes -----------------------------------------------------------------------------------------

def test_q2_one_hot_puts_zero_last():
    v = record("003-q2-onehot-order", "agrees")["value"]
    assert v["three"] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] and v["zero"] == [0] * 9 + [1]


def test_q2_binary_codes_and_distances():
    v = record("003-q2.1-binary-code", "agrees")["value"]
    assert v["codes"] == [format(d, "04b") for d in range(10)] and v["bits_needed"] == 4
    v = record("003-q2.1-code-distances", "agrees")["value"]
    assert (v["hamming_7_5"], v["hamming_7_8"]) == (1, 4)
    assert (v["euclidean_7_5"], v["euclidean_7_8"]) == (1.0, 2.0)
    assert v["onehot_distance"] == pytest.approx(np.sqrt(2))


def test_q2_space_saving_is_in_the_code_not_the_network():
    v = record("003-q2.1-space", "agrees")["value"]
    assert v["onehot"] == {"code_length": 10, "output_layer": 100 * 10 + 10, "network": 784 * 100 + 100 + 1010}
    assert v["binary"] == {"code_length": 4, "output_layer": 100 * 4 + 4, "network": 784 * 100 + 100 + 404}
    assert v["network_saving"] == pytest.approx(606 / 79510)


def test_q2_or_layer_maps_one_hot_to_binary():
    v = record("003-q2.2-or-layer", "agrees")["value"]
    assert v["failing_digits"] == []
    assert v["groups"] == {"bit 1": [1, 3, 5, 7, 9], "bit 2": [2, 3, 6, 7], "bit 4": [4, 5, 6, 7], "bit 8": [8, 9]}
    assert v["max_bit_error"] == pytest.approx(1 / (1 + np.exp(5)), rel=1e-12)    # σ(±5): w = 10, margin ½
    assert v["softmax_agreement"] == 1.0


def test_q2_accuracies_need_mnist():
    for id in ("003-q2.3-hidden-accuracy", "003-q2.3-no-hidden-accuracy"):
        assert "deltanet reproduce encodings" in record(id, "not checkable")["computed"]


# ---- Q3: linear hidden layers ---------------------------------------------------------------------------------

def test_q3_same_power_with_25_units_and_rank_4_with_4():
    v = record("003-q3.1-same-power", "agrees")["value"]
    assert v["network_as_logistic_regression"] < 1e-12 and v["logistic_regression_as_network"] < 1e-12
    assert v["rank"] == 10 and v["bound"] == 10
    v = record("003-q3.2-rank", "agrees")["value"]
    assert v["shape"] == [10, 784] and v["rank"] == 4 and v["logistic_regression_rank"] == 10
    rng = np.random.default_rng(32)
    rng.standard_normal(4 * 784 + 10 * 4)                                # the network's weights come first
    sigma = np.linalg.svd(rng.standard_normal((10, 784)), compute_uv=False)
    assert v["best_rank4_relative_error"] == pytest.approx(np.linalg.norm(sigma[4:]) / np.linalg.norm(sigma))


def test_q3_3176_weights():
    assert record("003-q3.3-parameters", "agrees")["value"] == 3176 == 784 * 4 + 4 * 10


def torch_loss(W2, W3, X, y):
    return torch.nn.functional.cross_entropy(torch.tensor(X) @ torch.tensor(W2).T @ torch.tensor(W3).T,
                                             torch.tensor(y)).item()


def test_q3_permuted_and_flipped_weights_keep_the_loss_and_the_midpoints_do_not():
    W2, W3, X, y = sheet003._planted_problem()
    loss = torch_loss(W2, W3, X, y)
    v = record("003-q3.3-permutations", "agrees")["value"]
    assert v["loss"] == pytest.approx(loss, rel=1e-12) and loss < np.log(10) / 4
    assert v["permutations"] == v["distinct"] == 24 and v["spread"] < 1e-12
    assert v["midpoint_loss"] == pytest.approx(torch_loss((W2 + W2[[0, 1, 3, 2]]) / 2, (W3 + W3[:, [0, 1, 3, 2]]) / 2,
                                                          X, y), rel=1e-12)
    assert v["midpoint_loss"] > loss and v["invertible_loss"] == pytest.approx(loss, rel=1e-10)
    v = record("003-q3.3-sign-flip", "agrees")["value"]
    assert v["flipped"] == pytest.approx(loss, rel=1e-12) and v["midpoint"] == pytest.approx(np.log(10), rel=1e-14)


# ---- Q4: one hidden ReLU layer ------------------------------------------------------------------------------------

def test_q4_forward_equation_and_the_example_network():
    assert record("003-q4.1-forward", "agrees")["value"] < 1e-12
    assert record("003-q4.2-values", "agrees")["value"] == [relu(3 - 3) - relu(3 - 4), relu(4 - 3) - relu(4 - 4)]
    assert record("003-q4.2-function", "agrees")["value"] < 1e-12


def test_q4_ramps_and_spike():
    assert max(record("003-q4.3-ramp", "agrees")["value"].values()) < 1e-9
    assert max(record("003-q4.4-reflected-ramp", "agrees")["value"].values()) < 1e-9
    v = record("003-q4.4-spike", "agrees")["value"]
    assert v["max"] == pytest.approx(1, abs=1e-12) and v["plateau_min"] == pytest.approx(1, abs=1e-12)
    assert v["outside_max"] < 1e-12


def test_q4_3_erratum_one_hidden_layer_of_two_neurons():
    r = record("003-q4.3-hidden-layers", "erratum")
    assert r["value"] == {"hidden_layers": 1, "hidden_neurons": 2}
    # the correction: two neurons in one hidden layer do implement h_{c,d}
    c, d = -1.0, 2.5
    x = np.linspace(-3, 5, 801)
    h = relu(x - c) / (d - c) - relu(x - d) / (d - c)
    np.testing.assert_allclose(h, np.clip((x - c) / (d - c), 0, 1), atol=1e-15)
    assert "two hidden neurons" in r["correction"]


def sheet_h(x, shift_first):
    """Q4.4's h = Σ_i f(m_i) g_{k_i, k_i+μ, ℓ_i−k_i} by hand (g = (r(x−c) − r(x−d) − r(x−c−i) + r(x−d−i))/(d − c))."""
    mu, edges = sheet003.MU, np.linspace(0, 1, sheet003.PIECES + 1)
    h = np.zeros_like(x)
    for k, l in zip(edges[:-1], edges[1:]):
        c = k - mu if shift_first and k == 0 else k
        d, i = c + mu, l - c
        h += (1.5 + np.sin(np.pi * (k + l))) * (relu(x - c) - relu(x - d) - relu(x - c - i) + relu(x - d - i)) / mu
    return h


def test_q4_4_erratum_the_approximation_fails_on_zero_mu_not_between_intervals():
    r = record("003-q4.4-approximation", "erratum")
    v = r["value"]
    x = np.linspace(0, 1, 20001)
    f = 1.5 + np.sin(2 * np.pi * x)
    error = np.abs(sheet_h(x, False) - f)
    assert v["start_error"] == pytest.approx(1.5) and error[0] == pytest.approx(1.5)     # h(0) = 0, f(0) = 1.5
    assert v["rest_error"] == pytest.approx(error[x >= sheet003.MU].max(), rel=1e-9)
    assert v["rest_error"] < sheet003.EPSILON
    joins = np.concatenate([e + sheet003.MU * np.linspace(-1, 1, 21) for e in np.linspace(0, 1, 41)[1:-1]])
    assert np.abs(sheet_h(joins, False) - (1.5 + np.sin(2 * np.pi * joins))).max() < sheet003.EPSILON
    assert v["join_error"] < sheet003.EPSILON
    # the correction: the first rise moved to [−μ, 0] gives |f − h| < ε on all of [0, 1]
    corrected = np.abs(sheet_h(x, True) - f).max()
    assert corrected < sheet003.EPSILON and v["corrected_error"] == pytest.approx(corrected, rel=1e-9)


def test_q4_5_eventually_linear_and_q4_6_no_prime_detector():
    v = record("003-q4.5-eventually-linear", "agrees")["value"]
    rng = np.random.default_rng(46)
    for width in ("2", "1000"):
        w2, b2, w3 = rng.standard_normal((3, int(width)))
        b3 = rng.standard_normal()
        r = v[width]
        assert r["x0"] == pytest.approx(np.max(-b2 / w2)) and r["affine_error"] < 1e-12
        assert r["m"] == pytest.approx(w3[w2 > 0] @ w2[w2 > 0]) and r["n"] == pytest.approx(b3 + w3[w2 > 0] @ b2[w2 > 0])
        x = r["x0"] + np.array([1.0, 10.0, 1e3])
        h = b3 + relu(np.outer(x, w2) + b2) @ w3
        np.testing.assert_allclose(h, r["m"] * x + r["n"], rtol=1e-10)
    v = record("003-q4.6-primes", "agrees")["value"]
    assert v["first_prime"] > v["n_constant"] and v["first_composite"] > v["n_constant"]
    assert all(p % d for p in [v["first_prime"]] for d in range(2, int(p ** 0.5) + 1))
    assert any(v["first_composite"] % d == 0 for d in range(2, v["first_composite"]))
    assert len({out > 0.5 for out in v["outputs"].values()}) == 1 and v["affine_error"] < 1e-12


# ---- Q5: recurrent networks -----------------------------------------------------------------------------------

def torch_rnn_gradient(seed):
    """∇_θ Σ_n ½‖h_n − y_n‖² of the seed's RNN cell by PyTorch (torch.nn.RNNCell holds the same layout)."""
    cell, xs, ys, h0 = sheet003._rnn_problem(seed)
    ref = torch.nn.RNNCell(3, 4).double()
    with torch.no_grad():
        for p, q in zip(ref.parameters(), cell.parameters(), strict=True):      # W_ih, W_hh, b_ih, b_hh
            p.copy_(torch.tensor(q.data))
    h, F = torch.tensor(h0)[None], 0
    for x, y in zip(xs, ys):
        h = ref(torch.tensor(x)[None], h)
        F = F + 0.5 * ((h[0] - torch.tensor(y)) ** 2).sum()
    F.backward()
    return np.concatenate([p.grad.numpy().ravel() for p in ref.parameters()])


def test_q5_1_tbptt_forward_is_exact():
    v = record("003-q5.1-tbptt-forward", "agrees")["value"]
    assert v["forward_max_diff"] == 0 and v["truncated_reaches_x1"] is False
    assert 0 < v["dh12_dx1_norm"] < 1e-2                                 # there, and already small (vanishing)


@pytest.mark.parametrize("id, seed", [("003-q5.2-bptt-recurrence", 52), ("003-q5.2-rtrl", 53)])
def test_q5_2_bptt_and_rtrl_give_the_gradient(id, seed):
    v = record(id, "agrees")["value"]
    reference = torch_rnn_gradient(seed)
    np.testing.assert_allclose(v["formula"], reference, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(v["autograd"], reference, rtol=1e-10, atol=1e-14)
    assert v["fd_error"] < 1e-7
    if id.endswith("rtrl"):
        assert v["rtrl_class_error"] < 1e-12


def test_q5_2_rtrl_cost():
    v = record("003-q5.2-rtrl-cost", "agrees")["value"]
    for H in (100, 1000):
        theta = 2 * H * H + 2 * H
        assert v[str(H)] == {"theta": theta, "rtrl_sensitivity": H * theta, "bptt_jacobian": H * H,
                             "ratio": theta / H, "rtrl_multiply_adds": H * H * theta}
    assert v["rtrl_class_theta"] == 3 * 4 + 4 * 4 + 8 and v["rtrl_class_size"] == 4 * 36
