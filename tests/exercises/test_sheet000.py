"""The registry entries of seed sheet 000: every computed value asserted, every erratum's correction verified
independently (NumPy by hand, PyTorch float64, central differences) — not by calling the code under test."""

import itertools

import numpy as np
import pytest
import torch

from deltanet.exercises import registry, sheet000  # noqa: F401  (importing the sheet registers its entries)

SOURCE = "000_d25f99bb151bed0a.txt, "
XS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])


def record(id, verdict):
    r = registry.EXERCISES[id].run()
    assert r["source"].startswith(SOURCE) and r["claim"] and r["computed"] and r["explain"]
    assert r["verdict"] == verdict, r["computed"]
    assert (r["correction"] is not None) == (verdict == "erratum")
    return r


def relu(z):
    return np.maximum(z, 0)


def sigma(z):
    return 1 / (1 + np.exp(-z))


def central(f, a, eps=1e-6):
    """∂f/∂a by central differences (f a scalar function of the array a, changed in place)."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        plus = f()
        a[i] = old - eps
        g[i] = (plus - f()) / (2 * eps)
        a[i] = old
    return g


def test_sheet_000_has_23_entries_with_ids_in_the_house_format():
    ids = [i for i in registry.EXERCISES if i.startswith("000-")]
    assert len(ids) == 23
    assert all(i == i.lower() and i.split("-")[1].startswith("q") for i in ids)


# ---- Q1(1) ---------------------------------------------------------------------------------------------------

def test_q1_1_printed_xor_weights_fail_and_b2_minus_1_fixes_them():
    v = record("000-q1-1-xor-weights", "erratum")["value"]
    assert v["H2"] == [-2, -3, -3, -4] and v["o"] == [0, 0, 0, 0]
    assert v["wrong_H2"] == XS.astype(int).tolist() and v["wrong_o"] == [[0, 1], [1, 0]]
    assert v["corrected_H2"] == [0, 1, 1, 0] and v["corrected_o"] == [0, 1, 1, 0]
    W1, W2 = np.ones((2, 2)), np.array([1.0, -2.0])            # H = ReLU(W⁽¹⁾ᵀX + b⁽¹⁾), by hand
    assert (relu(XS @ W1 + [0, 1]) @ W2).tolist() == [-2, -3, -3, -4]
    assert (relu(XS @ W1 + [0, -1]) @ W2).tolist() == [0, 1, 1, 0]


def test_q1_1_xor_is_not_linearly_separable():
    v = record("000-q1-1-linear-xor", "erratum")["value"]
    assert v == {"separable": False, "certificate": [0.25] * 4, "verified": True}
    s = 2 * XOR - 1                                             # Farkas: Σ λᵢsᵢxᵢ = 0 and Σ λᵢsᵢ = 0
    assert np.allclose(0.25 * s @ XS, 0) and np.isclose(0.25 * s.sum(), 0)
    w, b = np.random.default_rng(1).standard_normal((2, 1000)), np.random.default_rng(2).standard_normal(1000)
    l = XS @ w + b                                              # any affine l: l(01) + l(10) = l(00) + l(11)
    assert np.allclose(l[1] + l[2], l[0] + l[3])
    assert not np.any((l[1] > 0) & (l[2] > 0) & (l[0] <= 0) & (l[3] <= 0))


# ---- Q1(2) ---------------------------------------------------------------------------------------------------

def conjunction(w, x):
    return all((wi == 0) or (wi == 1 and xi == 1) or (wi == -1 and xi == 0) for wi, xi in zip(w, x))


def test_q1_2_lemma1_two_dnfs_of_one_function():
    v = record("000-q1-2-lemma1-dnf", "erratum")["value"]
    assert v == {"x1": [[0, 0, 1, 1]] * 2, "true": [[1, 1, 1, 1]] * 2}
    x1 = [int(a) for a, b in XS]
    assert x1 == [int((a and not b) or (a and b)) for a, b in XS]


def test_q1_2_lemma2_bias_1_minus_p_is_right_only_for_all_positive_conjunctions():
    v = record("000-q1-2-lemma2-bias", "erratum")["value"]
    assert v == {"p": 3, "conjunctions": 27, "right_with_sheet_bias": 1, "right_with_corrected_bias": 27,
                 "functions_with_sheet_bias": 2, "functions_with_corrected_bias": 256, "not_x1_not_x2_at_001": 0.0}
    inputs = list(itertools.product((0, 1), repeat=3))
    right = {"sheet": 0, "corrected": 0}
    for w in itertools.product((1, -1, 0), repeat=3):
        for name, b in (("sheet", 1 - 3), ("corrected", 1 - w.count(1))):
            right[name] += all(relu(np.dot(w, x) + b) == conjunction(w, x) for x in inputs)
    assert right == {"sheet": 1, "corrected": 27}


def test_q1_2_the_or_output_computes_every_function():
    assert record("000-q1-2-or-output", "agrees")["value"] == {"1": 4, "2": 16, "3": 256}


def minimum_dnf_size(table, p):
    """Fewest conjunctions whose OR is the truth table (brute force over implicants)."""
    inputs = list(itertools.product((0, 1), repeat=p))
    target = {x for x, t in zip(inputs, table) if t}
    cubes = [frozenset(x for x in inputs if conjunction(w, x)) for w in itertools.product((1, -1, 0), repeat=p)]
    implicants = [c for c in set(cubes) if c <= target]
    return next(k for k in range(len(target) + 1) for pick in itertools.combinations(implicants, k)
                if set().union(*pick) == target)


def test_q1_2_minimal_dnfs_need_at_most_2_to_the_p_minus_1_neurons():
    v = record("000-q1-2-neuron-count", "agrees")["value"]
    assert v == {"max_minimal_terms": {"1": 1, "2": 2, "3": 4}, "max_canonical_terms": {"1": 2, "2": 4, "3": 8},
                 "parity_terms": {"4": 8, "5": 16}, "networks_failing": 0}
    for p in (1, 2, 3):
        assert max(minimum_dnf_size(t, p) for t in itertools.product((0, 1), repeat=2 ** p)) == 2 ** (p - 1)
    for p in (4, 5):                      # parity: no two true rows are neighbours, so every implicant is a minterm
        true_rows = [x for x in itertools.product((0, 1), repeat=p) if sum(x) % 2]
        assert min(sum(a != b for a, b in zip(u, w)) for u, w in itertools.combinations(true_rows, 2)) == 2
        assert len(true_rows) == v["parity_terms"][str(p)]


def test_q1_2_lemma3_thetas_are_breakpoints_not_offsets():
    r = record("000-q1-2-lemma3-ramp", "erratum")
    v = r["value"]
    np.testing.assert_allclose(v["sheet_error"], [1.5, 1 / 3, 17 / 7], rtol=1e-12)
    assert max(v["corrected_error"]) < 1e-12
    x = np.linspace(-4, 4, 801)
    for y, theta in v["cases"]:
        f = np.clip(y * x + theta, 0, 1)
        np.testing.assert_allclose(relu(y * x + theta) - relu(y * x + theta - 1), f, atol=1e-12)
        x1, x2 = -theta / y, (1 - theta) / y                   # the sheet's θ₁, θ₂ as breakpoints
        np.testing.assert_allclose(relu(y * (x - x1)) - relu(y * (x - x2)), f, atol=1e-12)


def test_q1_2_relu_networks_approximate_a_continuous_function_ever_better():
    v = record("000-q1-2-universal", "agrees")["value"]
    errors = [v[n]["max_error"] for n in ("4", "16", "64", "256")]
    assert [v[n]["hidden_units"] for n in ("4", "16", "64", "256")] == [6, 30, 126, 510]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 0.02
    lipschitz = 2 * np.pi + 0.5                                 # a staircase through the centres: error ≤ L/(2n)
    for n, e in zip((4, 16, 64, 256), errors):
        assert 0.8 * lipschitz / (2 * n) < e <= lipschitz / (2 * n) + 1e-9


# ---- Q2 --------------------------------------------------------------------------------------------------------

def torch_chain(w, b, x=3.0):
    """(h₁, h₂, h₃), o, ∂o/∂b₁ by PyTorch."""
    bs = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    h, hs = torch.tensor(x, dtype=torch.float64), []
    for i in range(3):
        h = torch.sigmoid(w[i] * h + bs[i])
        hs.append(h.item())
    o = w[3] * h + bs[3]
    o.backward()
    return hs, o.item(), bs.grad[0].item()


PART_1 = ((100.0, 150.0, 200.0, 200.0), (-300.0, -75.0, -100.0, 10.0))
PART_2 = ((0.2, 0.5, 0.3, 0.6), (1.0, 2.0, 2.0, 1.0))


def test_q2_1_forward_and_exploding_gradient():
    assert record("000-q2-1-forward", "agrees")["value"] == {"h": [0.5, 0.5, 0.5], "o": 110.0}
    v = record("000-q2-1-dodb1", "agrees")["value"]
    assert v == {"dodb1": 93750.0, "formula": 93750.0}
    assert torch_chain(*PART_1) == ([0.5, 0.5, 0.5], 110.0, 93750.0)


def test_q2_the_chain_rule_formula_on_random_chains():
    v = record("000-q2-chain-rule", "agrees")["value"]
    assert v["formula_error"] < 1e-15 and v["fd_error"] < 1e-8
    rng = np.random.default_rng(0)                               # the entry's random chains, redone in PyTorch
    for got in v["autograd"]:
        w, b = 2 * rng.standard_normal(4), rng.standard_normal(4)
        assert got == pytest.approx(torch_chain(w.tolist(), b.tolist())[2], rel=1e-10)


def test_q2_2_h3_o_and_the_vanishing_gradient_are_errata():
    h, o, dodb1 = torch_chain(*PART_2)
    v = record("000-q2-2-hidden", "erratum")["value"]
    np.testing.assert_allclose(v["h"], h, rtol=1e-12)
    assert v["agree"] == [True, True, False] and v["h"][2] == pytest.approx(0.906820, abs=1e-6)
    v = record("000-q2-2-output", "erratum")["value"]
    assert v["o"] == pytest.approx(o, rel=1e-12) and v["o"] == pytest.approx(1.544092, abs=1e-6)
    assert v["o_with_sheet_h3"] == pytest.approx(1.528)
    v = record("000-q2-2-dodb1", "erratum")["value"]
    assert v["dodb1"] == pytest.approx(dodb1, rel=1e-10) and v["dodb1"] == pytest.approx(7.9973e-5, rel=1e-4)
    assert round(v["with_sheet_h"], 6) == 0.000100                # the sheet's number, from its wrong h₃ = 0.88
    assert v["formula"] == pytest.approx(dodb1, rel=1e-12)


# ---- Q3 --------------------------------------------------------------------------------------------------------

def test_q3_seven_parameters():
    assert record("000-q3-parameters", "agrees")["value"] == 7
    model = torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3, bias=False), torch.nn.Linear(4, 1, bias=False))
    assert sum(p.numel() for p in model.parameters()) == 7


def q3_torch():
    rng = np.random.default_rng(0)                               # the entry's instance
    x = torch.tensor(rng.standard_normal(6))
    v, w = (torch.tensor(rng.standard_normal(n), requires_grad=True) for n in (3, 4))
    h = torch.sigmoid(torch.stack([v @ x[i:i + 3] for i in range(4)]))
    z = torch.sigmoid(w @ h)
    ((0.3 - z) ** 2).backward()
    return v.grad.numpy(), w.grad.numpy()


@pytest.mark.parametrize("id, index", [("000-q3-drdw", 1), ("000-q3-drdv", 0)])
def test_q3_gradient_formulas(id, index):
    v = record(id, "agrees")["value"]
    assert v["formula_error"] < 1e-15 and v["fd_error"] < 1e-9
    np.testing.assert_allclose(v["autograd"], q3_torch()[index], rtol=1e-10)


# ---- Q4 --------------------------------------------------------------------------------------------------------

def test_q4_kernel_gradient_is_an_erratum_and_the_correction_holds():
    v = record("000-q4-dedk", "erratum")["value"]
    rng = np.random.default_rng(0)                               # the entry's instance
    X, K, W, z = rng.standard_normal((3, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 0.25

    def E(K, flip=False):
        Kc = K[::-1, ::-1] if flip else K
        Y = np.array([[np.sum(Kc * X[a:a + 2, b:b + 2]) for b in range(2)] for a in range(2)])
        return 0.5 * (z - sigma(np.sum(W * Y))) ** 2

    numeric = central(lambda: E(K), K)
    np.testing.assert_allclose(v["autograd"], numeric, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(v["autograd_convolution"], central(lambda: E(K, True), K), rtol=1e-7, atol=1e-10)
    Y = np.array([[np.sum(K * X[a:a + 2, b:b + 2]) for b in range(2)] for a in range(2)])
    o = sigma(np.sum(W * Y))                                     # correction: (o − z)o(1 − o)·(X ⋆ W)
    X_star_W = np.array([[np.sum(W * X[a:a + 2, b:b + 2]) for b in range(2)] for a in range(2)])
    np.testing.assert_allclose(v["corrected"], (o - z) * o * (1 - o) * X_star_W, rtol=1e-12)
    np.testing.assert_allclose(numeric, (o - z) * o * (1 - o) * X_star_W, rtol=1e-7, atol=1e-10)
    assert max(v["corrected_error"].values()) < 1e-15
    assert min(v["sheet_error"].values()) > 0.05
    M = np.array([[X[0, 0] + X[1, 1], X[0, 1] + X[1, 2]], [X[1, 0] + X[2, 1], X[1, 1] + X[2, 2]]])
    np.testing.assert_allclose(v["sheet"]["W ⊙ M"], (z - o) * o * (1 - o) * W * M, rtol=1e-12)


# ---- Q5 --------------------------------------------------------------------------------------------------------

def bptt_torch():
    """∂E/∂U, ∂E/∂W, ∂E/∂V, ∂E/∂s_t of the entries' instance, by PyTorch."""
    rng = np.random.default_rng(0)
    U, W, V = (torch.tensor(s * rng.standard_normal(shape), requires_grad=True)
               for shape, s in (((4, 3), 0.7), ((4, 4), 0.5), ((5, 4), 0.7)))
    xs, labels = torch.tensor(rng.standard_normal((6, 3))), torch.tensor(rng.integers(0, 5, 6))
    h, E, ss = torch.tensor(0.5 * rng.standard_normal(4)), 0, []
    for x, label in zip(xs, labels):
        s = U @ x + W @ h
        s.retain_grad()
        ss.append(s)
        h = torch.tanh(s)
        E = E - torch.log_softmax(V @ h, dim=0)[label]
    E.backward()
    return {"U": U.grad, "W": W.grad, "V": V.grad, "s": torch.stack([s.grad for s in ss])}


@pytest.mark.parametrize("id, name", [("000-q5-dedv", "V"), ("000-q5-deds", "s"), ("000-q5-dedu", "U"),
                                      ("000-q5-dedw", "W")])
def test_q5_bptt_results(id, name):
    v = record(id, "agrees")["value"]
    assert v["formula_error"] < 1e-14 and v["fd_error"] < 1e-7
    np.testing.assert_allclose(v["autograd"], bptt_torch()[name].numpy(), rtol=1e-10, atol=1e-14)


def test_q5_the_softmax_normalises_over_classes_not_time():
    v = record("000-q5-softmax", "erratum")["value"]
    assert v["across_time_max"] == 0.0 and v["within_time_error"] < 1e-15
    assert v["sheet_is_softmax_over_time_error"] < 1e-15
    assert v["labels_summed_over_time"] == [2, 1, 0, 1, 2]
    Z = torch.tensor(np.random.default_rng(3).standard_normal((6, 5)))
    J = torch.autograd.functional.jacobian(lambda Z: torch.softmax(Z, dim=1), Z)     # (T, k, T, k)
    for t, s in itertools.product(range(6), repeat=2):
        assert torch.all(J[t, :, s, :] == 0) == (t != s)
    o = torch.eye(5)[2].double()                                # correction: ∂E_t/∂z_t = ô_t − o_t
    z = Z[0].clone().requires_grad_()
    (-(o * torch.log_softmax(z, dim=0)).sum()).backward()
    np.testing.assert_allclose(z.grad.numpy(), (torch.softmax(Z[0], dim=0) - o).numpy(), rtol=1e-12)
