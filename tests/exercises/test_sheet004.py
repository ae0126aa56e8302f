"""Seed sheet 004's registry entries: every computed value is asserted, recomputed here with independent oracles
(PyTorch float64, closed forms, plain NumPy), and every erratum's correction is verified on its own."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from deltanet import nn
from deltanet.exercises import sheet004 as s4
from deltanet.exercises.registry import EXERCISES

torch = pytest.importorskip("torch")

ERRATA = ["004-ex1.3-bit1", "004-ex1.3-weights-for-activations", "004-ex3.2-output-notation", "004-ex3.3-ties",
          "004-ex5.1-tanh-slope", "004-s2.2-backprop-range", "004-s4.3-bias-m", "004-s5.1-expansion",
          "004-s5.2-shapes"]
IDS = sorted(id for id in EXERCISES if id.startswith("004-"))


def sigmoid(z):
    with np.errstate(over="ignore"):                # e^{−z} = inf gives σ = 0, correctly
        return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


def run(id: str) -> dict:
    """The record of entry `id` (through the registry, so that only this sheet's module is loaded)."""
    return EXERCISES[id].run()


def record(id: str, verdict: str) -> dict:
    r = run(id)
    assert r["verdict"] == verdict, (id, r["computed"])
    return r


# ---- the registry as a whole ------------------------------------------------------------------------------


def test_sheet_entries_are_registered_sourced_and_serialisable():
    assert len(IDS) == 43
    records = [run(id) for id in IDS]
    for r in records:
        assert r["source"].startswith("004_16e39d619335a582.txt, ")
        assert r["claim"] and r["computed"] and r["explain"]
        json.dumps(r)
    assert sorted(r["id"] for r in records if r["verdict"] == "erratum") == sorted(ERRATA)
    assert all(r["correction"] for r in records if r["verdict"] == "erratum")
    assert not any(r["verdict"] == "not checkable" for r in records)


# ---- chapter 1 ---------------------------------------------------------------------------------------------


def test_ex1_1_scaling_by_positive_c_changes_no_output():
    r = record("004-ex1.1-scaling", "agrees")
    assert r["value"]["c"] == [1e-3, 0.5, 7.0, 1e4, -1.0]
    assert r["value"]["changed_inputs"] == [0, 0, 0, 0, 64]


def _numpy_network(ws, bs, f, c, x):
    a = x
    for w, b in zip(ws, bs):
        a = f(c * (a @ w.T + b))
    return a


def test_ex1_2_sigmoid_network_tends_to_the_perceptron_network():
    r = record("004-ex1.2-sigmoid-limit", "agrees")
    ws, bs, x = s4.perceptron_example()
    step = lambda z: (z > 0).astype(float)  # noqa: E731
    perceptrons = _numpy_network(ws, bs, step, 1.0, x)
    gaps = [np.max(np.abs(_numpy_network(ws, bs, sigmoid, c, x) - perceptrons)) for c in r["value"]["c"]]
    np.testing.assert_allclose(r["value"]["max_gap"], gaps, rtol=1e-9, atol=1e-300)
    assert r["value"]["max_gap"][0] > 0.5 and r["value"]["max_gap"][-1] == 0.0
    a, margin = x, np.inf
    for w, b in zip(ws, bs):
        z = a @ w.T + b
        margin, a = min(margin, np.min(np.abs(z))), step(z)
    assert r["value"]["min_abs_z"] == pytest.approx(margin, rel=1e-12)


def test_ex1_2_neuron_at_zero_is_stuck_at_one_half():
    v = record("004-ex1.2-zero-input", "agrees")["value"]
    assert v["sigmoid"] == [0.5, 0.5, 0.5] and v["perceptron"] == 0.0 and v["perceptron_network"] == 0.0
    np.testing.assert_allclose(v["sigmoid_network"], sigmoid(0.25 * np.array(v["c"])), rtol=1e-12)


def test_ex1_3_margin_bounds_hold_and_the_tight_bound_is_0_94():
    v = record("004-ex1.3-margin", "agrees")["value"]
    assert v["bound"] == pytest.approx(0.90, abs=1e-15)
    np.testing.assert_allclose(v["z_min_odd"], [0.94] * 5, atol=1e-12)
    np.testing.assert_allclose(v["z_max_even"], [-0.94] * 5, atol=1e-12)


def test_ex1_3_the_inequality_is_about_activations_not_weights():
    r = record("004-ex1.3-weights-for-activations", "erratum")
    assert r["value"]["w_0"] == [-1.0, 1.0] * 5
    assert r["value"]["holds"] == [False] * 10
    # the correction: activations with x_k > 0.99 and x_j < 0.01 always give z_0 > 0.90 for odd k, < −0.90 for even
    rng = np.random.default_rng(0)
    w = np.array(r["value"]["w_0"])
    for k in range(10):
        x = rng.uniform(0, 0.01, (1000, 10))
        x[:, k] = rng.uniform(0.99, 1.0, 1000)
        z = x @ w
        assert (np.all(z > 0.90) if k % 2 else np.all(z < -0.90))


def test_ex1_3_bit_1_is_wrong_for_digit_9_and_the_corrected_set_decodes_every_digit():
    v = record("004-ex1.3-bit1", "erratum")["value"]
    assert v["failing"] == [9] and v["decoded_printed"] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 11]
    assert v["decoded_corrected"] == list(range(10))
    assert v["bit1_digits"] == [k for k in range(10) if k & 2] == [2, 3, 6, 7]
    # the correction, independently: w_ij = +1 iff bit j of i is set, ×10, on the one-hot-like activations
    w = np.array([[1.0 if i >> j & 1 else -1.0 for i in range(10)] for j in range(4)])
    x = np.where(np.eye(10) == 1, 0.99, 0.005)
    bits = sigmoid(10 * x @ w.T) > 0.5
    assert list(bits.astype(int) @ [1, 2, 4, 8]) == list(range(10))
    # … and it is the sign pattern of dn.construct's one-hot → binary layer (most significant bit first there)
    from deltanet.construct import onehot_to_binary

    (layer,) = [m for m in onehot_to_binary(bits=4) if isinstance(m, nn.Linear)]
    np.testing.assert_array_equal(np.sign(layer.weight.data)[::-1], w)


def test_ex1_3_scale_constant_from_the_worst_case_margin():
    v = record("004-ex1.3-scale", "agrees")["value"]
    np.testing.assert_allclose(v["margins"], [0.94, 0.93, 0.93, 0.91], atol=1e-12)
    assert v["c_min"] == pytest.approx(math.log(99) / 0.91, rel=1e-12)
    # the worst corner sits at |z| = 0.91: error 1 − σ(0.91 c)
    np.testing.assert_allclose(v["max_error"], 1 - sigmoid(0.91 * np.array(v["c"])), rtol=1e-9)
    assert v["max_error"][1] <= 0.01 < v["max_error"][0]


def _torch_mlp(ws, bs, x):
    """Feedforward in torch: lists z^l, a^l (l = 2..L) with retained gradients, and the parameter tensors."""
    params = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)) for w, b in zip(ws, bs)]
    a, zs, acts = torch.tensor(x), [], []
    for w, b in params:
        z = a @ w.T + b
        a = torch.sigmoid(z)
        z.retain_grad()
        a.retain_grad()
        zs.append(z)
        acts.append(a)
    return zs, acts, params


def test_ex1_4_steepest_descent_bound():
    v = record("004-ex1.4-steepest-descent", "agrees")["value"]
    ws, bs, x, y = s4.backprop_example()
    _, acts, params = _torch_mlp(ws, bs, x)
    (0.5 * ((acts[-1] - torch.tensor(y)) ** 2).sum()).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for pair in params for p in pair))
    assert v["grad_norm"] == pytest.approx(norm, rel=1e-12)
    assert v["bound"] == pytest.approx(-v["epsilon"] * norm, rel=1e-12)
    assert v["gradient_step"] == pytest.approx(v["bound"], rel=1e-12)
    assert v["bound"] < v["best_random"] < 0
    assert abs(v["delta_c"] - v["bound"]) < v["epsilon"] ** 2 * 1e2   # second-order remainder


# ---- chapter 2 ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch_backprop():
    """δ^l, ∂C/∂a^l, ∂C/∂w^l, ∂C/∂b^l of `backprop_example()` under C = ½‖y − a^L‖², by torch, keyed '2'…'4'."""
    ws, bs, x, y = s4.backprop_example()
    zs, acts, params = _torch_mlp(ws, bs, x)
    (0.5 * ((acts[-1] - torch.tensor(y)) ** 2).sum()).backward()
    layers = [str(l) for l in range(2, 5)]
    return {"delta": {l: z.grad.numpy() for l, z in zip(layers, zs)},
            "dC_da": {l: a.grad.numpy() for l, a in zip(layers, acts)},
            "dC_dw": {l: w.grad.numpy() for l, (w, _) in zip(layers, params)},
            "dC_db": {l: b.grad.numpy() for l, (_, b) in zip(layers, params)}}


def _assert_formula_checks(value):
    assert value["max_diff_autograd"] < 1e-12 and value["max_diff_numerical"] < 1e-8


def test_s2_1_shapes():
    v = record("004-s2.1-shapes", "agrees")["value"]
    assert v["sizes"] == [3, 5, 4, 2]
    assert v["w_shapes"] == {"2": [5, 3], "3": [4, 5], "4": [2, 4]}
    assert v["eq_2_3"] == {"2": {"diag": [5, 5], "w": [4, 5], "delta_next": [4, 1], "delta": [5, 1]},
                           "3": {"diag": [4, 4], "w": [2, 4], "delta_next": [2, 1], "delta": [4, 1]}}


def test_s2_1_bp1_output_error(torch_backprop):
    v = record("004-s2.1-bp1", "agrees")["value"]
    np.testing.assert_allclose(v["delta_L"], torch_backprop["delta"]["4"], rtol=1e-12)
    _assert_formula_checks(v)


def test_s2_1_bp2_backpropagated_error(torch_backprop):
    v = record("004-s2.1-bp2", "agrees")["value"]
    for l in ("2", "3"):
        np.testing.assert_allclose(v["delta"][l], torch_backprop["delta"][l], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(v["dC_da"][l], torch_backprop["dC_da"][l], rtol=1e-10, atol=1e-16)
    _assert_formula_checks(v)


def test_s2_1_bp3_bias_gradient(torch_backprop):
    v = record("004-s2.1-bp3", "agrees")["value"]
    for l in ("2", "3", "4"):
        np.testing.assert_allclose(v["dC_db"][l], torch_backprop["dC_db"][l], rtol=1e-10, atol=1e-16)
    _assert_formula_checks(v)


def test_s2_1_bp4_weight_gradient(torch_backprop):
    v = record("004-s2.1-bp4", "agrees")["value"]
    for l in ("2", "3", "4"):
        np.testing.assert_allclose(v["dC_dw"][l], torch_backprop["dC_dw"][l].ravel(), rtol=1e-10, atol=1e-16)
    _assert_formula_checks(v)


def test_s2_2_backprop_range_and_the_counting_down_correction(torch_backprop):
    v = record("004-s2.2-backprop-range", "erratum")["value"]
    assert v["printed"] == {"3": [2], "4": [], "5": []}
    assert v["needed"] == {"3": [2], "4": [3, 2], "5": [4, 3, 2]}
    # the correction: l = L − 1, …, 2 counting down reproduces torch's δ^l for the L = 4 network
    ws, bs, x, y = s4.backprop_example()
    L = 4
    w = dict(zip(range(2, L + 1), ws))
    z, a = {}, {1: x}
    for l in range(2, L + 1):
        z[l] = w[l] @ a[l - 1] + bs[l - 2]
        a[l] = sigmoid(z[l])
    delta = {L: (a[L] - y) * a[L] * (1 - a[L])}
    for l in range(L - 1, 1, -1):
        delta[l] = (w[l + 1].T @ delta[l + 1]) * sigmoid(z[l]) * (1 - sigmoid(z[l]))
    for l in (2, 3, 4):
        np.testing.assert_allclose(delta[l], torch_backprop["delta"][str(l)], rtol=1e-10, atol=1e-16)


def test_s2_2_minibatch_update_is_one_sgd_step():
    v = record("004-s2.2-sgd-update", "agrees")["value"]
    assert (v["eta"], v["m"]) == (3.0, 5) and v["max_diff"] < 1e-12
    ws, bs, x, y = s4.backprop_example(batch=5)
    _, acts, params = _torch_mlp(ws, bs, x)
    (0.5 * ((acts[-1] - torch.tensor(y)) ** 2).sum() / 5).backward()       # C = 1/(2m) Σ_x ‖y − a‖²
    for l, (w, b) in zip(("2", "3", "4"), params):
        np.testing.assert_allclose(v["w"][l], (w - 3.0 * w.grad).detach().numpy().ravel(), rtol=1e-12)
        np.testing.assert_allclose(v["b"][l], (b - 3.0 * b.grad).detach().numpy(), rtol=1e-12)


# ---- chapter 3 ---------------------------------------------------------------------------------------------


def test_ex3_1_gradient_of_cross_entropy():
    v = record("004-ex3.1-gradient", "agrees")["value"]
    a_np, y_np = s4.bce_example()
    a = torch.tensor(a_np, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(a, torch.tensor(y_np)).backward()
    np.testing.assert_allclose(v["dC_da"], a.grad.numpy(), rtol=1e-12)
    _assert_formula_checks(v)


def test_ex3_1_minimum_at_a_equals_y():
    v = record("004-ex3.1-minimum", "agrees")["value"]
    y = np.array(v["y"])
    entropy = np.mean(-(y * np.log(y) + (1 - y) * np.log(1 - y)))
    assert v["grad_at_y"] < 1e-12
    assert v["c_min"] == pytest.approx(entropy, rel=1e-12) and v["mean_entropy"] == pytest.approx(entropy, rel=1e-12)
    np.testing.assert_allclose(v["argmin"], y, atol=1e-4)
    assert v["entropy_half"] == pytest.approx(math.log(2), rel=1e-12)


def test_ex3_2_output_is_sigma_of_the_weighted_input():
    v = record("004-ex3.2-output-notation", "erratum")["value"]
    ws, bs, x, _ = s4.backprop_example()
    _, acts, _ = _torch_mlp(ws, bs, x)
    np.testing.assert_allclose(v["sigma_z"], acts[-1].detach().numpy(), rtol=1e-12)
    # the correction: a^L = σ(z^L) with z^L the weighted input, which is not a^L itself
    np.testing.assert_allclose(v["sigma_z"], sigmoid(v["weighted_input"]), rtol=1e-12)
    assert np.max(np.abs(np.subtract(v["sigma_z"], v["weighted_input"]))) > 0.1


def test_ex3_2_cross_entropy_delta_is_a_minus_y():
    v = record("004-ex3.2-delta", "agrees")["value"]
    ws, bs, x, y = s4.backprop_example()
    zs, acts, _ = _torch_mlp(ws, bs, x)
    torch.nn.functional.binary_cross_entropy(acts[-1], torch.tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(v["delta_L"], zs[-1].grad.numpy(), rtol=1e-12)
    _assert_formula_checks(v)


@pytest.mark.parametrize("id, cost", [
    ("004-ex3.2-weights", lambda a, y: torch.nn.functional.binary_cross_entropy(a, y, reduction="sum") / 5),
    ("004-ex3.2-quadratic", lambda a, y: 0.5 * ((a - y) ** 2).sum() / 5)])
def test_ex3_2_output_weight_gradients_over_a_batch(id, cost):
    v = record(id, "agrees")["value"]
    ws, bs, x, y = s4.backprop_example(batch=5)
    _, acts, params = _torch_mlp(ws, bs, x)
    cost(acts[-1], torch.tensor(y)).backward()
    np.testing.assert_allclose(v["dC_dw"], params[-1][0].grad.numpy(), rtol=1e-12)
    _assert_formula_checks(v)


def test_s3_1_1_derivation():
    v = record("004-s3.1.1-derivation", "agrees")["value"]
    assert set(v["max_diff"]) == {"quotient vs split", "dC/da of the integral vs quotient", "(3.1) dC/dw vs x(a − y)",
                                  "(3.2) dC/db vs a − y"}
    assert max(v["max_diff"].values()) < 1e-9


@pytest.fixture(scope="module")
def torch_softmax():
    a_prev, w_np, b_np, r = s4.softmax_example()
    w, b = torch.tensor(w_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    z = w @ torch.tensor(a_prev) + b
    (-torch.log_softmax(z, dim=0)[r]).backward()
    return w.grad.numpy(), b.grad.numpy()


def test_s3_2_softmax_bias_gradient(torch_softmax):
    v = record("004-s3.2-softmax-bias", "agrees")["value"]
    np.testing.assert_allclose(v["dC_db"], torch_softmax[1], rtol=1e-12)
    assert v["dC_db"][2] < 0 < min(v["dC_db"][:2] + v["dC_db"][3:])     # −1 + a_r at r = 2, a_j elsewhere
    _assert_formula_checks(v)


def test_s3_2_softmax_weight_gradient(torch_softmax):
    v = record("004-s3.2-softmax-weights", "agrees")["value"]
    np.testing.assert_allclose(v["dC_dw"], torch_softmax[0], rtol=1e-12)
    _assert_formula_checks(v)


def test_ex3_3_softmax_tends_to_argmax_for_a_unique_maximum():
    v = record("004-ex3.3-limit", "agrees")["value"]
    z = np.array(v["z"])
    for c, a in zip(v["c"], v["a"]):
        np.testing.assert_allclose(a, torch.softmax(torch.tensor(c * z), 0).numpy(), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(v["a"][-1], np.eye(5)[np.argmax(z)], atol=1e-12)
    assert v["max_gap"] == sorted(v["max_gap"], reverse=True)


def test_ex3_3_tied_maxima_share_the_limit():
    v = record("004-ex3.3-ties", "erratum")["value"]
    np.testing.assert_allclose(v["a"][-1], [0, 0.5, 0.5, 0], atol=1e-12)
    # the correction: t tied maxima each tend to 1/t
    for t in (2, 3, 4):
        z = torch.tensor([2.0] * t + [1.0, -1.0], dtype=torch.float64)
        np.testing.assert_allclose(torch.softmax(1000 * z, 0).numpy(), [1 / t] * t + [0, 0], atol=1e-12)


# ---- chapter 4 ---------------------------------------------------------------------------------------------


def test_s4_1_step_neuron():
    v = record("004-s4.1-step-neuron", "agrees")["value"]
    np.testing.assert_allclose(v["a"], sigmoid(1000 * (np.array(v["x"]) - 0.3)), rtol=1e-9)
    np.testing.assert_allclose(v["a"], [sigmoid(-10), 0.01, 0.5, 0.99, sigmoid(10)], rtol=1e-9)
    assert v["width"] == pytest.approx(2 * math.log(99) / 1000, rel=1e-12)


def test_s4_1_bump():
    v = record("004-s4.1-bump", "agrees")["value"]
    assert v["x"] == [0.0, 0.39, 0.4, 0.41, 0.5, 0.59, 0.6, 0.61, 1.0]
    np.testing.assert_allclose(v["a"], [0, 0, 0.5, 1, 1, 1, 0.5, 0, 0], atol=1e-12)
    np.testing.assert_allclose(v["z"], [-5000, -5000, 0, 5000, 5000, 5000, 0, -5000, -5000], atol=1e-6)


def test_s4_2_approximation_matches_the_piecewise_mean_and_improves():
    v = record("004-s4.2-approximation", "agrees")["value"]
    x = (np.arange(2000) + 0.5) / 2000
    fine = (np.arange(200000) + 0.5) / 200000                   # midpoint rule for the interval means
    for n in (10, 50):
        means = s4.nielsen_f(fine).reshape(n, -1).mean(axis=1)
        error = np.abs(means[np.minimum((x * n).astype(int), n - 1)] - s4.nielsen_f(x))
        assert v["errors"][str(n)]["max"] == pytest.approx(error.max(), abs=1e-8)
        assert v["errors"][str(n)]["mean"] == pytest.approx(error.mean(), abs=1e-8)
    assert v["errors"]["50"]["max"] < v["errors"]["10"]["max"] / 3


def _towers_values(v, m):
    h = v["h"]
    for k in range(m + 1):
        group = v["groups"][str(k)]
        np.testing.assert_allclose(group["z"], [k * h, k * h], rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(group["a"], [1.0, 1.0] if k == m else [0.0, 0.0], atol=1e-12)


def test_s4_3_tower_2d():
    v = record("004-s4.3-tower-2d", "agrees")["value"]
    _towers_values(v, 2)
    assert v["bias_factor_works"] == {"0.99": False, "1.01": True, "1.5": True, "1.99": True, "2.01": False}


def test_s4_3_tower_3d():
    v = record("004-s4.3-tower-3d", "agrees")["value"]
    _towers_values(v, 3)
    assert v["bias_factor_works"] == {"1.99": False, "2.01": True, "2.5": True, "2.99": True, "3.01": False}


def test_s4_3_bias_for_m_variables():
    v = record("004-s4.3-bias-m", "erratum")["value"]
    h = v["h"]
    for m in range(1, 5):
        # with k coordinates inside the output neuron's weighted input is k·h (the steps are saturated)
        np.testing.assert_allclose(v["printed"][str(m)], sigmoid(h * np.arange(m + 1) - (2 * h - 1) / 2), atol=1e-12)
        np.testing.assert_allclose(v["corrected"][str(m)], [0.0] * m + [1.0], atol=1e-12)
    assert v["printed"]["2"][1] == pytest.approx(sigmoid(0.5), rel=1e-9)
    # the correction, independently: any −b ∈ ((m − 1)h, mh) separates k = m from k ≤ m − 1
    for m in range(1, 8):
        z = h * np.arange(m + 1) - (2 * m - 1) * h / 2
        assert np.all(z[:-1] <= -h / 2) and z[-1] == h / 2


# ---- chapter 5 ---------------------------------------------------------------------------------------------


def test_s5_1_product_of_the_layer_matrices():
    v = record("004-s5.1-product", "agrees")["value"]
    assert v["network"] == pytest.approx(v["product"], rel=1e-12) and abs(v["network"]) > 1e-3


def test_s5_1_expansion_needs_w22_of_layer_2():
    v = record("004-s5.1-expansion", "erratum")["value"]
    w11, w22, w_out, x, _ = s4.chain_example()
    network = w_out @ np.linalg.multi_dot([np.diag([a, b]) for a, b in zip(w11, w22)][::-1]) @ x
    assert v["network"] == pytest.approx(network, rel=1e-12)
    assert v["corrected"] == pytest.approx(network, rel=1e-12)
    assert abs(v["printed"] - network) > 1e-2
    # the printed second term differs from the corrected one exactly by the factor w11^(2)/w22^(2)
    second = w_out[1] * np.prod(w22) * x[1]
    assert v["printed"] - w_out[0] * np.prod(w11) * x[0] == pytest.approx(second * w11[1] / w22[1], rel=1e-12)


def test_s5_1_gradient_picks_up_one_weight_per_other_layer():
    v = record("004-s5.1-gradient", "agrees")["value"]
    w11, w22, w_out, x, y = s4.chain_example()
    weights = [torch.tensor(np.diag([a, b]), requires_grad=True) for a, b in zip(w11, w22)]
    weights.append(torch.tensor(w_out[None], requires_grad=True))
    out = torch.tensor(x)
    for w in weights:
        out = w @ out
    (0.5 * (y - out[0]) ** 2).backward()
    np.testing.assert_allclose(v["formula"], [float(w.grad[0, 0]) for w in weights], rtol=1e-12)
    _assert_formula_checks(v)


def test_s5_1_vanishing_and_exploding_products():
    v = record("004-s5.1-vanishing", "agrees")["value"]
    assert v["L"] == [10, 50]
    for w in (0.9, 1.1):
        L = np.array(v["L"])
        np.testing.assert_allclose(v["factor"][f"{w:g}"], w ** (L - 1), rtol=1e-12)
        # ŷ = 2wᴸ (x = (1, 1)), y = 0: ∂L/∂w11^(1) = ŷ · w^(L−1) = 2 w^(2L−1)
        np.testing.assert_allclose(v["gradient"][f"{w:g}"], 2 * w ** (2 * L - 1), rtol=1e-12)


def test_ex5_1_tanh_derivative():
    v = record("004-ex5.1-tanh-derivative", "agrees")["value"]
    assert v["tanh_prime_0"] == 1.0
    _assert_formula_checks(v)


def test_ex5_1_tanh_slope_at_zero_is_one():
    v = record("004-ex5.1-tanh-slope", "erratum")["value"]
    assert v["slope_at_0"] == {"sigmoid": 0.25, "tanh": 1.0} and v["tanh_prime_max"] == 1.0
    # the correction, by torch: tanh'(0) = 1 = 4σ'(0), and tanh' < 1 at every z ≠ 0
    z = torch.linspace(-4, 4, 801, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.tanh(z).sum(), z)
    assert float(slope[400]) == 1.0 and bool(torch.all(slope[torch.arange(801) != 400] < 1))


def test_ex5_1_deep_chain_tanh_vanishes_more_slowly():
    v = record("004-ex5.1-deep-chain", "agrees")["value"]
    for name, f, df in (("sigmoid", sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
                        ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2)):
        expected = []
        for L in v["L"]:
            a, product = 1.0, 1.0
            for _ in range(L):
                product, a = product * df(a), f(a)
            expected.append(product)
        np.testing.assert_allclose(v["gradient"][name], expected, rtol=1e-10)
    assert v["gradient"]["sigmoid"][-1] < 1e-25 and 1e-3 < v["gradient"]["tanh"][-1] < v["gradient"]["tanh"][0]


def _torch_lstm_cell(params):
    p, d = params["rem"][0].shape[1], params["rem"][0].shape[0]
    cell = torch.nn.LSTMCell(p, d, dtype=torch.float64)
    gates = ("save", "rem", "ltm'", "focus")                    # torch's i, f, g, o
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(np.concatenate([params[g][0] for g in gates])))
        cell.weight_hh.copy_(torch.tensor(np.concatenate([params[g][1] for g in gates])))
        cell.bias_ih.copy_(torch.tensor(np.concatenate([params[g][2] for g in gates])))
        cell.bias_hh.zero_()
    return cell


def test_s5_2_equations_are_the_lstm():
    v = record("004-s5.2-equations", "agrees")["value"]
    params, xs = s4.lstm_example()
    cell = _torch_lstm_cell(params)
    h = c = torch.zeros(1, 4, dtype=torch.float64)
    with torch.no_grad():
        for x in xs:
            h, c = cell(torch.tensor(x[None]), (h, c))
    np.testing.assert_allclose(v["wm_T"], h[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(v["ltm_T"], c[0].numpy(), rtol=1e-12)
    assert v["max_diff"] < 1e-14


def test_s5_2_input_weights_are_d_by_p():
    v = record("004-s5.2-shapes", "erratum")["value"]
    assert (v["p"], v["d"]) == (3, 4) and v["gate_block"] == [4, 3]
    assert v["printed_product"].startswith("undefined")
    # the correction: torch's LSTMCell stacks four d×p blocks, and a d×p W maps x_t ∈ R^p into R^d
    assert tuple(torch.nn.LSTMCell(3, 4).weight_ih.shape) == (16, 3)
    assert (np.zeros((4, 3)) @ np.zeros(3)).shape == (4,)


def test_s5_2_parameter_count():
    v = record("004-s5.2-parameters", "agrees")["value"]
    assert v["sheet"] == 4 * (4 * 3 + 4 * 4 + 4) == 128
    assert v["lstm_cell"] == sum(p.numel() for p in torch.nn.LSTMCell(3, 4).parameters()) == 144
    assert v["per_tensor"] == {"weight_ih": 48, "weight_hh": 64, "bias_ih": 16, "bias_hh": 16}


def test_s5_2_memory_path_jacobian_is_diag_rem():
    v = record("004-s5.2-memory-path", "agrees")["value"]
    params, xs = s4.lstm_example()
    cell = _torch_lstm_cell(params)
    h = c = torch.zeros(1, 4, dtype=torch.float64)
    with torch.no_grad():
        for x in xs[:-1]:
            h, c = cell(torch.tensor(x[None]), (h, c))
    jacobian = torch.autograd.functional.jacobian(lambda c_: cell(torch.tensor(xs[-1][None]), (h, c_))[1][0], c)[:, 0]
    np.testing.assert_allclose(v["jacobian"], jacobian.numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(v["jacobian"], np.diag(v["rem"]), rtol=1e-12, atol=1e-300)
    assert all(0 < r < 1 for r in v["rem"])
