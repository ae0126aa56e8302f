"""The registry entries of seed sheet 002: every computed value asserted against numbers worked out here (NumPy by
hand, PyTorch float64, central differences), every erratum's correction verified independently."""

import json

import numpy as np
import pytest
import torch

from deltanet.exercises import registry, sheet002

SOURCE = "002_3d65accd438b3553.txt, "
IDS = ["002-p1-collapse", "002-p1-deep-collapse", "002-p1-xor-forced-weights", "002-p1-xor-not-separable",
       "002-p2.1-sigmoid-derivative", "002-p2.2-weights", "002-p2.2-hidden-outputs", "002-p2.2-prediction",
       "002-p2.2-loss", "002-p2.3a-model", "002-p2.3b-output-weights", "002-p2.3b-hidden-weights",
       "002-p2.3c-input-gradient", "002-p3.1-output-shape", "002-p3.3-channel-sums", "002-p3.3-conv-values",
       "002-p3.4-relu", "002-p3.5-maxpool", "002-p4-blobs-linear", "002-p4-circles-linear",
       "002-p4-circles-hidden", "002-p4-sgd-vs-gd", "002-p4-sgd-noise"]


def record(id, verdict):
    r = registry.EXERCISES[id].run()
    assert r["source"].startswith(SOURCE) and r["claim"] and r["computed"]
    assert r["verdict"] == verdict, r["computed"]
    assert (r["correction"] is not None) == (verdict == "erratum")
    assert (r["value"] is None) == (verdict == "not checkable")
    json.dumps(r)                                        # --json must be able to print it
    return r


def sigma(z):
    return 1 / (1 + np.exp(-z))


def test_the_sheet_registers_exactly_these_entries():
    assert sorted(i for i in registry.EXERCISES if i.startswith("002-")) == sorted(IDS)


# ---- Problem 1 ------------------------------------------------------------------------------------------------

def test_p1_two_linear_layers_are_one_with_omega_ae_plus_bf_and_ce_plus_df():
    v = record("002-p1-collapse", "agrees")["value"]
    a, b, c, d, e, f = np.random.default_rng(21).standard_normal(6)
    np.testing.assert_allclose(v["omega"], [a * e + b * f, c * e + d * f], rtol=1e-14)
    np.testing.assert_allclose(v["collapsed_weight"], (np.array([[e, f]]) @ np.array([[a, c], [b, d]]))[0], rtol=1e-12)
    assert v["max_abs_diff"] < 1e-12


def test_p1_a_deep_linear_network_collapses_to_one_layer():
    v = record("002-p1-deep-collapse", "agrees")["value"]
    assert v["sizes"] == [3, 5, 4, 6, 2] and v["rank"] == 2 and v["max_abs_diff"] < 1e-10


def test_p1_the_forced_weights_give_two_at_one_one():
    v = record("002-p1-xor-forced-weights", "agrees")["value"]
    assert v["outputs"] == [0.0, 1.0, 1.0, 2.0] and v["failing_inputs"] == [[1, 1]]


def test_p1_xor_has_a_farkas_certificate():
    v = record("002-p1-xor-not-separable", "agrees")["value"]
    assert v["separable"] is False and v["verified"] is True
    lam, X, s = np.array(v["certificate"]), sheet002.BOOL_INPUTS, np.array([-1, 1, 1, -1])
    # λ ≥ 0, Σλ = 1, Σ λ_i s_i x_i = 0 and Σ λ_i s_i = 0: adding s_i(w·x_i + b) ≥ 1 gives 0 ≥ 1
    assert np.all(lam >= 0) and lam.sum() == pytest.approx(1)
    np.testing.assert_allclose(lam * s @ X, 0, atol=1e-15)
    assert lam @ s == pytest.approx(0, abs=1e-15)


# ---- Problem 2 ------------------------------------------------------------------------------------------------

def test_p2_sigmoid_derivative_is_s_times_one_minus_s():
    v = record("002-p2.1-sigmoid-derivative", "agrees")["value"]
    x = torch.linspace(-10, 10, 21, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    np.testing.assert_allclose(v["autograd"], x.grad.numpy(), rtol=1e-12, atol=1e-18)
    s = sigma(np.linspace(-10, 10, 21))
    np.testing.assert_allclose(v["formula"], s * (1 - s), rtol=1e-14)
    assert v["formula_error"] < 1e-15 and v["quotient_error"] < 1e-15 and v["fd_error"] < 1e-7


def test_p2_weights_are_in_a_missing_figure():
    record("002-p2.2-weights", "not checkable")


def test_p2_forward_numbers_round_to_the_sheets():
    a = record("002-p2.2-hidden-outputs", "agrees")["value"]
    np.testing.assert_allclose(a, sigma(np.array([0.18, 0.14])), rtol=1e-15)
    assert [round(v, 2) for v in a] == [0.54, 0.53]
    y_hat = record("002-p2.2-prediction", "agrees")["value"]
    assert y_hat == pytest.approx(sigma(0.22), rel=1e-15) and round(y_hat, 2) == 0.55


def test_p2_loss_is_0_81_from_the_unrounded_prediction():
    v = record("002-p2.2-loss", "agrees")["value"]
    assert v["loss"] == pytest.approx(np.log1p(np.exp(0.22)), rel=1e-14) and round(v["loss"], 2) == 0.81
    assert v["loss_from_logit"] == pytest.approx(v["loss"], rel=1e-14)
    assert round(v["loss_from_rounded_prediction"], 2) == 0.80             # −log(0.45) = 0.7985


def torch_network(seed):
    """The network of 2.3 (seed's weights) in PyTorch: (ŷ, E, grads of hidden W, hidden b, output w, input x)."""
    _, x, y, W_tilde, omega = sheet002._p2_network(seed)
    W = torch.tensor(W_tilde[:, 1:], requires_grad=True)
    b = torch.tensor(W_tilde[:, 0], requires_grad=True)
    w = torch.tensor(omega[1:], requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    y_hat = omega[0] + w @ torch.sigmoid(W @ xt + b)
    E = (y_hat - y) ** 2
    E.backward()
    return y_hat.item(), W.grad.numpy(), b.grad.numpy(), w.grad.numpy(), xt.grad.numpy(), x, y, W_tilde, omega


def test_p2_3a_erratum_the_two_sides_differ_and_the_corrected_model_is_the_network():
    r = record("002-p2.3a-model", "erratum")
    v = r["value"]
    y_hat, *_ = torch_network(31)
    assert v["network"] == pytest.approx(y_hat, rel=1e-13)
    assert v["corrected"] == pytest.approx(y_hat, rel=1e-13)        # ω_0 + Σ_{j≥1} ω_j s(Σ_{i≥0} ω_ji x_i)
    assert abs(v["sheet_sum"] - v["sheet_vector_form"]) > 0.1
    assert "one hidden layer" in r["correction"]


def test_p2_3b_output_weight_gradient_is_2_residual_times_h():
    v = record("002-p2.3b-output-weights", "agrees")["value"]
    y_hat, _, _, w_grad, _, x, y, W_tilde, omega = torch_network(33)
    h = sigma(W_tilde @ np.concatenate([[1.0], x]))
    np.testing.assert_allclose(v["autograd"], w_grad, rtol=1e-12)
    np.testing.assert_allclose(v["formula"], 2 * (y_hat - y) * h, rtol=1e-12)
    assert v["bias_error"] < 1e-12 and v["fd_error"] < 1e-7


def test_p2_3b_erratum_hidden_weight_gradient_needs_index_j_prime():
    r = record("002-p2.3b-hidden-weights", "erratum")
    v = r["value"]
    y_hat, W_grad, b_grad, _, _, x, y, W_tilde, omega = torch_network(34)
    torch_grad = np.column_stack([b_grad, W_grad])                   # columns i' = 0 (bias) … d
    np.testing.assert_allclose(v["autograd"], torch_grad, rtol=1e-12)
    # the correction, by hand: 2(ŷ − y) ω_j' s(z_j')(1 − s(z_j')) x_i'
    x_tilde = np.concatenate([[1.0], x])
    h = sigma(W_tilde @ x_tilde)
    corrected = 2 * (y_hat - y) * np.outer(omega[1:] * h * (1 - h), x_tilde)
    np.testing.assert_allclose(corrected, torch_grad, rtol=1e-12)
    assert v["corrected_error"] < 1e-14 and v["formula_error"] > 1e-2
    assert "j'" in r["correction"]


def test_p2_3c_input_gradient_formula():
    v = record("002-p2.3c-input-gradient", "agrees")["value"]
    y_hat, _, _, _, x_grad, x, y, W_tilde, omega = torch_network(35)
    np.testing.assert_allclose(v["autograd"], x_grad, rtol=1e-12)
    np.testing.assert_allclose(v["formula"], x_grad, rtol=1e-12)
    assert v["fd_error"] < 1e-7


# ---- Problem 3 ------------------------------------------------------------------------------------------------

def direct_correlation():
    """(I ⋆ K¹)_{i',j'} = Σ_c Σ_{−1≤i,j≤1} (I_c)_{i'+i, j'+j} (K¹_c)_{i,j}, zero padding, summed by hand."""
    padded = np.pad(np.array([sheet002.I1, sheet002.I2], dtype=float), ((0, 0), (1, 1), (1, 1)))
    kernel = np.array([sheet002.K1_1, sheet002.K1_2], dtype=float)
    return np.array([[[np.sum(padded[c, r:r + 3, s:s + 3] * kernel[c]) for s in range(4)] for r in range(4)]
                     for c in range(2)])


def test_p3_output_shape():
    assert record("002-p3.1-output-shape", "agrees")["value"] == [1, 2, 4, 4]


def test_p3_channel_parts_of_the_printed_sums():
    v = record("002-p3.3-channel-sums", "agrees")["value"]
    assert v["channel1"] == [4, 8, 8, 15] and v["channel2"] == [2, 6, 6, 12]
    # the sheet's own brackets
    assert [-2 + 3 + 3, -3 + 2 + 4 + 5, -5 + 3 + 3 + 7 + 7] == [4, 8, 15]
    assert [-6 + 4 + 4, -8 + 3 + 5 + 6, -12 + 4 + 4 + 8 + 8] == [2, 6, 12]
    parts = direct_correlation()
    assert [parts[0][i - 1][j - 1] for i, j in sheet002.P3_POSITIONS] == v["channel1"]
    assert [parts[1][i - 1][j - 1] for i, j in sheet002.P3_POSITIONS] == v["channel2"]


def test_p3_convolution_values_and_the_whole_map():
    v = record("002-p3.3-conv-values", "agrees")["value"]
    assert v["values"] == [6, 14, 14, 27]
    np.testing.assert_array_equal(v["map"], direct_correlation().sum(axis=0))
    conv = torch.nn.functional.conv2d(torch.tensor([[sheet002.I1, sheet002.I2]], dtype=torch.float64),
                                      torch.tensor([[sheet002.K1_1, sheet002.K1_2]], dtype=torch.float64), padding=1)
    np.testing.assert_array_equal(v["map"], conv[0, 0].numpy())


def test_p3_relu_changes_nothing():
    v = record("002-p3.4-relu", "agrees")["value"]
    assert v == {"min": 1.0, "changed_by_relu": 0}


def test_p3_max_pool_at_one_one_is_27():
    v = record("002-p3.5-maxpool", "agrees")["value"]
    z = direct_correlation().sum(axis=0)
    assert v["pooled_1_1"] == 27 == max(0, 6, 14, 27)
    pooled = [[np.max(z[max(r - 1, 0):r + 2, max(s - 1, 0):s + 2]) for s in range(4)] for r in range(4)]
    np.testing.assert_array_equal(v["pooled"], pooled)


# ---- Problem 4 ------------------------------------------------------------------------------------------------

def test_p4_linear_model_on_blobs_and_circles():
    assert record("002-p4-blobs-linear", "agrees")["value"] == 1.0
    v = record("002-p4-circles-linear", "agrees")["value"]
    assert v["subset_separable"] is False and v["verified"] is True
    assert 0.4 < v["linear_accuracy"] < 0.75


def test_p4_one_hidden_layer_fits_circles():
    assert record("002-p4-circles-hidden", "agrees")["value"] == {"10": 1.0, "100": 1.0}


def test_p4_sgd_beats_batch_gradient_descent_per_epoch():
    v = record("002-p4-sgd-vs-gd", "agrees")["value"]
    assert v["sgd"] < 0.5 * v["batch_gd"] and v["batch_gd"] < np.log(2) + 0.01


def test_p4_sharp_minima_claim_is_not_checkable():
    record("002-p4-sgd-noise", "not checkable")
