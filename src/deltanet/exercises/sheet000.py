"""Checkable results of seed sheet 000 (`../shared/seeds/000*`).

Q1  XOR with two ReLU hidden units and a threshold output f(v) = 1 if v > 0 else 0; any boolean function
    as a DNF network (one ReLU neuron per conjunction, an OR at the output); ReLU is discriminatory.
Q2  a chain of three sigmoid neurons at x = 3: ∂o/∂b₁ explodes (93750) or vanishes (≈ 8.0e−5).
Q3  a 1-D CNN (one shared filter of size 3, a fully connected sigmoid output): 7 parameters, ∂R/∂w, ∂R/∂vᵢ.
Q4  ∂E/∂K for a 2×2 kernel on a 3×3 input, a fully connected sigmoid output o and E = ½(z − o)².
Q5  BPTT for s_t = U x_t + W h_{t−1}, h_t = tanh s_t, ô_t = softmax(V h_t), E = −Σ_t o_t · log ô_t.

Errata: Q1(1)'s weights (b₂ = 1 must be −1) and "xor is not impossible for linear model"; Q1(2)'s Lemma 1
(DNFs are not unique), Lemma 2 (the bias 1 − p) and Lemma 3 (θ₁, θ₂); Q2(2)'s h₃, o and ∂o/∂b₁; Q4's ∂E/∂K;
Q5's softmax normalised over time. The helpers at the top (`linear`, `gradient_check`, …) serve sheet001 too.
"""

from __future__ import annotations

import itertools

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.exercises._common import (
    BOOL_INPUTS,
    XOR,
    array,
    finite_differences,
    fmt,
    forward_table,
    gradient_check,
    gradient_outcome,
    linear,
    rounds_to,
)
from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet

# ---- Q1(1): XOR with two ReLU hidden neurons and a threshold output -----------------------------------------


# W⁽¹⁾ = [[w11, w21], [w12, w22]] (column j: the weights into hidden neuron j), b⁽¹⁾, W⁽²⁾ = [[w01], [w02]], b⁽²⁾
SHEET_XOR = ([[1, 1], [1, 1]], [0, 1], [[1], [-2]], [0])
CORRECTED_XOR = ([[1, 1], [1, 1]], [0, -1], [[1], [-2]], [0])


def xor_network(W1, b1, W2, b2) -> nn.Sequential:
    """H⁽¹⁾ = ReLU(W⁽¹⁾ᵀx + b⁽¹⁾), H⁽²⁾ = W⁽²⁾ᵀH⁽¹⁾ + b⁽²⁾, o = f(H⁽²⁾) with f(v) = 1 if v > 0, else 0."""
    return nn.Sequential(linear(np.transpose(W1), b1), nn.ReLU(), linear(np.transpose(W2), b2), nn.Step(at_zero=0.0))


def xor_outputs(weights) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """H⁽²⁾ and o on the four inputs, and the forward pass as lines."""
    model, x = xor_network(*weights), array(BOOL_INPUTS)
    return model[:3](x).data[:, 0], model(x).data[:, 0], forward_table(model, x)


@exercise("000-q1-1-xor-weights", source=sheet(0, "Q1(1)"),
          claim="W⁽¹⁾ = [[1, 1], [1, 1]], b⁽¹⁾ = (0, 1), W⁽²⁾ = (1, −2), b⁽²⁾ = 0 solve H⁽²⁾ = [0 1 1 0] (XOR)")
def _():
    h2, o, lines = xor_outputs(SHEET_XOR)
    h2_fixed, o_fixed, fixed_lines = xor_outputs(CORRECTED_XOR)
    wrong_h2, wrong_o = (BOOL_INPUTS[v != XOR].astype(int).tolist() for v in (h2, o))
    return Outcome(
        computed=f"H⁽²⁾ = {h2.astype(int).tolist()} ≠ [0, 1, 1, 0]; o = f(H⁽²⁾) = {o.astype(int).tolist()}, wrong at "
                 f"{wrong_o}",
        verdict=agrees_if(not wrong_h2),
        value={"H2": h2.tolist(), "o": o.tolist(), "wrong_H2": wrong_h2, "wrong_o": wrong_o,
               "corrected_H2": h2_fixed.tolist(), "corrected_o": o_fixed.tolist()},
        correction="b⁽¹⁾ = (0, −1): H⁽²⁾ = ReLU(x₁ + x₂) − 2·ReLU(x₁ + x₂ − 1) = [0 1 1 0], and o = f(H⁽²⁾) = XOR",
        explain="\n".join(["The printed weights on x = 00, 01, 10, 11 (Linear → ReLU → Linear → threshold f):",
                           *lines, "Hidden neuron 2, ReLU(x₁ + x₂ + 1), is never 0, and −2 times it swamps neuron 1.",
                           "With b₂ = −1 instead:", *fixed_lines]))


@exercise("000-q1-1-linear-xor", source=sheet(0, "Q1(1)"),
          claim="\"xor is not impossible for linear model, because ... linear inseparability\"")
def _():
    from deltanet.theory.separability import linearly_separable

    answer = linearly_separable(BOOL_INPUTS, XOR.astype(int))
    certificate = None if answer.certificate is None else [float(v) for v in answer.certificate]
    return Outcome(
        computed=f"XOR is not linearly separable: Farkas certificate λ = {certificate} (checked exactly: "
                 f"{answer.verify()})",
        verdict=agrees_if(answer.separable),
        value={"separable": answer.separable, "certificate": certificate, "verified": answer.verify()},
        correction="XOR is impossible for a linear model (one threshold unit f(w·x + b)): the sheet's own reason, "
                   "the intersecting convex hulls, proves it — l(0,1) + l(1,0) = l(0,0) + l(1,1) for any affine l",
        explain="\n".join(["The sentence contradicts the question and itself: the hulls of the positives and the",
                           "negatives meet at (½, ½). Exact check (Fourier–Motzkin, dn.theory):",
                           answer.explanation()]))


# ---- Q1(2): any boolean function as a DNF network ------------------------------------------------------------

def dnf_network(W, b, output_weights) -> nn.Sequential:
    """The sheet's network: ReLU term neurons a_k = ReLU(w_k·x + b_k), then output units o_j = f(Σ_k w₀ⱼₖ a_k + b₀)
    with b₀ = 0 and f(v) = 1 if v > 0 (output j ORs the neurons it is connected to with weight 1)."""
    output_weights = np.asarray(output_weights, dtype=np.float64)
    return nn.Sequential(linear(W, b), nn.ReLU(), linear(output_weights, np.zeros(len(output_weights))),
                         nn.Step(at_zero=0.0))


def or_of(dnf) -> nn.Sequential:
    """One DNF (a construct.logic.DNF) as the sheet's network, with the corrected Lemma 2 bias."""
    W, b = dnf.weights(1.0)
    return dnf_network(W, b, np.ones((1, len(b))))


def conjunction_truth(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(inputs × conjunctions), 0/1: whether conjunction k (wᵢ = 1: xᵢ, −1: x̄ᵢ, 0: absent) holds at input n."""
    W, x = W[None], x[:, None]
    return np.all((W == 0) | ((W == 1) & (x == 1)) | ((W == -1) & (x == 0)), axis=2).astype(np.float64)


def functions_computed(p: int, bias) -> int:
    """How many of the 2^(2ᵖ) boolean functions of p variables the sheet's construction computes: one neuron per
    minterm (canonical DNF), with biases `bias(W)`; output j connected to the minterms of the rows where h_j = 1."""
    from deltanet.construct import canonical_dnf, inputs

    W, _ = canonical_dnf("1" * 2 ** p).weights(1.0)          # all 2ᵖ minterms, row order as inputs(p)
    tables = inputs(2 ** p)                                   # row j: truth table of function j
    outputs = dnf_network(W, bias(W), tables)(array(inputs(p))).data.T
    return int(np.all(outputs == tables, axis=1).sum())


def sheet_bias(W: np.ndarray) -> np.ndarray:
    """Lemma 2's bias b = 1 − p for every conjunction."""
    return np.full(len(W), 1.0 - W.shape[1])


def corrected_bias(W: np.ndarray) -> np.ndarray:
    """b = 1 − (number of un-negated literals): the bias of construct's term units (β = 1)."""
    return 1.0 - (W == 1).sum(axis=1)


@exercise("000-q1-2-lemma1-dnf", source=sheet(0, "Q1(2), Lemma 1"),
          claim="any boolean function of p variables can be uniquely expressed as a DNF")
def _():
    from deltanet.construct import DNF, canonical_dnf, inputs

    x = array(inputs(2))
    pairs = {"x1": (DNF(2, ("1-",)), DNF(2, ("10", "11"))),            # x₁ = x₁x̄₂ ∨ x₁x₂
             "true": (DNF(2, ("--",)), canonical_dnf("1111"))}         # 1 = the empty term = all four minterms
    tables = {name: [or_of(dnf)(x).data[:, 0].tolist() for dnf in pair] for name, pair in pairs.items()}
    same = all(a == b for a, b in tables.values())
    return Outcome(
        computed="two DNFs with one truth table: x₁ and x₁x̄₂ ∨ x₁x₂; for h ≡ 1 the empty term and all four minterms",
        verdict=agrees_if(not same),               # two different DNFs of one function refute uniqueness
        value=tables,
        correction="unique only as the canonical DNF (one full minterm per true row: up to 2ᵖ terms, h ≡ 1 needs "
                   "all 2ᵖ); DNFs in general, and even minimal ones, are not unique",
        explain="\n".join(["Each DNF as the sheet's network (one ReLU neuron per term, OR output), x = 00, 01, 10, 11:",
                           f"  {pairs['x1'][0]} → {tables['x1'][0]},   {pairs['x1'][1]} → {tables['x1'][1]}",
                           f"  empty term (w = 0, b = 1) → {tables['true'][0]},   {pairs['true'][1]} → "
                           f"{tables['true'][1]}"]))


@exercise("000-q1-2-lemma2-bias", source=sheet(0, "Q1(2), Lemma 2"),
          claim="a = ReLU(Σᵢ wᵢXᵢ + b) with wᵢ = 1 (Xᵢ), −1 (X̄ᵢ), 0 (absent) and b = 1 − p outputs 1 iff the "
                "conjunction holds, else 0")
def _():
    from deltanet.construct import inputs

    p = 3
    W, x = np.array(list(itertools.product((1, -1, 0), repeat=p)), dtype=np.float64), inputs(p)
    truth = conjunction_truth(W, x)
    right = {name: int(np.all(nn.Sequential(linear(W, bias(W)), nn.ReLU())(array(x)).data == truth, axis=0).sum())
             for name, bias in (("sheet", sheet_bias), ("corrected", corrected_bias))}
    functions = {name: functions_computed(p, bias) for name, bias in (("sheet", sheet_bias),
                                                                      ("corrected", corrected_bias))}
    example = nn.Sequential(linear([[-1, -1, 0]], [1.0 - p]), nn.ReLU())(array([[0, 0, 1]])).item()
    return Outcome(
        computed=f"b = 1 − p: {right['sheet']} of {len(W)} conjunctions of {p} variables right (x₁x₂x₃), DNF networks "
                 f"right for {functions['sheet']} of 256 functions; b = 1 − #un-negated literals: {right['corrected']} "
                 f"and {functions['corrected']}",
        verdict=agrees_if(right["sheet"] == len(W)),
        value={"p": p, "conjunctions": len(W), "right_with_sheet_bias": right["sheet"],
               "right_with_corrected_bias": right["corrected"], "functions_with_sheet_bias": functions["sheet"],
               "functions_with_corrected_bias": functions["corrected"], "not_x1_not_x2_at_001": example},
        correction="b = 1 − (number of un-negated literals): where the conjunction holds Σ wᵢXᵢ equals that number, "
                   "so a = 1; each violated literal lowers the sum by 1, so a = 0 elsewhere",
        explain="\n".join([
            "Where the conjunction holds, Σ wᵢXᵢ = #un-negated literals, so the sheet's neuron gives",
            "ReLU(#un-negated + 1 − p): 1 only if all p variables appear, none negated.",
            f"  x̄₁x̄₂ (w = (−1, −1, 0), b = 1 − 3 = −2) at X = (0, 0, 1): a = {example} (should be 1)",
            f"  the {len(W)} conjunctions of 3 variables on all 8 inputs: {right['sheet']} right with b = 1 − p, "
            f"{right['corrected']} with b = 1 − #un-negated literals",
            f"  the 256 functions as canonical-DNF networks: {functions['sheet']} right with b = 1 − p (h ≡ 0 and "
            f"h = x₁x₂x₃), {functions['corrected']} corrected",
            "(The sheet says \"conjunctive normal form\" where it means a conjunction: one term of the DNF.)"]))


@exercise("000-q1-2-or-output", source=sheet(0, "Q1(2)"),
          claim="o = f(Σᵢ w₀ᵢaᵢ + b₀) with w₀ᵢ = 1, b₀ = 0 plays the disjunction: one ReLU hidden layer computes "
                "any h: {0,1}ᵖ → {0,1}")
def _():
    computed = {p: functions_computed(p, corrected_bias) for p in (1, 2, 3)}
    total = {p: 2 ** 2 ** p for p in computed}
    return Outcome(
        computed=", ".join(f"p = {p}: {computed[p]} of {total[p]}" for p in computed)
                 + " functions computed exactly (with Lemma 2's bias corrected)",
        verdict=agrees_if(computed == total),
        value={str(p): computed[p] for p in computed},
        explain="\n".join([
            "Every truth table at once: the hidden layer holds the 2ᵖ minterm neurons (b = 1 − #un-negated literals);",
            "output j is connected with weight 1 to the minterms of the rows where h_j = 1 (weight 0: not connected),",
            "b₀ = 0, f(v) = 1 if v > 0. It is 0 iff no connected neuron fires: the OR of the minterms.",
            *(f"  p = {p}: {computed[p]} / {total[p]} truth tables reproduced on all {2 ** p} inputs"
              for p in computed)]))


@exercise("000-q1-2-neuron-count", source=sheet(0, "Q1(2)"),
          claim="a boolean function of p variables needs at most 2^(p−1) hidden neurons")
def _():
    from deltanet.construct import boolean, canonical_dnf, inputs, minimal_dnf, verify_boolean

    minimal, canonical, failures = {}, {}, 0
    for p in (1, 2, 3):
        tables = inputs(2 ** p).astype(int)
        minimal[p] = max(len(minimal_dnf(t)) for t in tables)
        canonical[p] = max(len(canonical_dnf(t)) for t in tables)
        failures += sum(bool(verify_boolean(boolean(t), t)) for t in tables)
    parity = {p: len(minimal_dnf(inputs(p).sum(axis=1).astype(int) % 2)) for p in (4, 5)}
    bound = all(minimal[p] <= 2 ** (p - 1) for p in minimal) and all(parity[p] == 2 ** (p - 1) for p in parity)
    return Outcome(
        computed=f"largest minimal DNF {minimal[1]}, {minimal[2]}, {minimal[3]} terms for p = 1, 2, 3, parity "
                 f"{parity[4]}, {parity[5]} for p = 4, 5: 2^(p−1); the canonical DNF of Lemma 1 needs up to 2ᵖ "
                 f"({canonical[3]} for p = 3)",
        verdict=agrees_if(bound and failures == 0),
        value={"max_minimal_terms": {str(p): v for p, v in minimal.items()},
               "max_canonical_terms": {str(p): v for p, v in canonical.items()},
               "parity_terms": {str(p): v for p, v in parity.items()}, "networks_failing": failures},
        explain="\n".join([
            "The bound holds for a minimised DNF (Quine–McCluskey, dn.construct.minimal_dnf), not for the unique",
            "canonical DNF the sheet's Lemma 1 names: h ≡ 1 has 2ᵖ minterms but is one empty term.",
            *(f"  p = {p}: max minimal terms {minimal[p]}, max canonical terms {canonical[p]}, bound 2^(p−1) = "
              f"{2 ** (p - 1)}" for p in minimal),
            *(f"  parity of {p} inputs: {parity[p]} terms (no two minterms merge)" for p in parity),
            f"  networks dn.construct.boolean(h) (one ReLU neuron per minimal term) wrong on some input: {failures} "
            f"of {sum(2 ** 2 ** p for p in minimal)}"]))


def relu_pair(y: float, theta1: float, theta2: float) -> nn.Sequential:
    """g(x) = ReLU(yx + θ₁) − ReLU(yx + θ₂) as a network: Linear(1, 2), ReLU, Linear(2, 1) with weights (1, −1)."""
    return nn.Sequential(linear([[y], [y]], [theta1, theta2]), nn.ReLU(), linear([[1.0, -1.0]]))


RAMP_CASES = ((2.0, 0.5), (-1.5, 0.3), (0.7, -1.0))            # (y, θ)


@exercise("000-q1-2-lemma3-ramp", source=sheet(0, "Q1(2), Lemma 3"),
          claim="f(yx + θ) = ReLU(yx + θ₁) − ReLU(yx + θ₂) with θ₁ = −θ/y, θ₂ = (1 − θ)/y (f: 0, then x, then 1)")
def _():
    x = np.linspace(-4, 4, 801)
    errors = {"sheet": [], "corrected": []}
    for y, theta in RAMP_CASES:
        f = np.clip(y * x + theta, 0, 1)
        for name, thetas in (("sheet", (-theta / y, (1 - theta) / y)), ("corrected", (theta, theta - 1))):
            g = relu_pair(y, *thetas)(array(x[:, None])).data[:, 0]
            errors[name].append(float(np.max(np.abs(g - f))))
    return Outcome(
        computed=f"max |g − f(yx + θ)| = {', '.join(f'{e:.3g}' for e in errors['sheet'])} with the sheet's θ₁, θ₂ "
                 f"for (y, θ) = {', '.join(map(str, RAMP_CASES))}; 0 with θ₁ = θ, θ₂ = θ − 1",
        verdict=agrees_if(max(errors["sheet"]) < 1e-12),
        value={"cases": [list(c) for c in RAMP_CASES], "sheet_error": errors["sheet"],
               "corrected_error": errors["corrected"]},
        correction="f(u) = ReLU(u) − ReLU(u − 1), so f(yx + θ) = ReLU(yx + θ) − ReLU(yx + θ − 1): θ₁ = θ, θ₂ = θ − 1. "
                   "The sheet's −θ/y and (1 − θ)/y are the breakpoints in x: ReLU(y(x + θ/y)) − ReLU(y(x − (1 − θ)/y))",
        explain="\n".join([
            "g as a network Linear(1, 2) → ReLU → Linear(2, 1) (weights 1, −1), on 801 points of [−4, 4]:",
            *(f"  y = {y:4}, θ = {theta:4}: max error {es:.3f} with the sheet's θ₁, θ₂; {ec:.0e} with θ₁ = θ, "
              "θ₂ = θ − 1" for (y, theta), es, ec in zip(RAMP_CASES, *errors.values(), strict=True))]))


@exercise("000-q1-2-universal", source=sheet(0, "Q1(2), Theorem 1"),
          claim="a network with a continuous discriminatory activation (ReLU, by Lemma 3) is a universal approximator")
def _():
    from deltanet.construct import approximate

    f = lambda x: np.sin(2 * np.pi * x) + 0.5 * x                 # noqa: E731  (any continuous f on [0, 1])
    fits = {n: approximate(f, (0.0, 1.0), n, kind="relu") for n in (4, 16, 64, 256)}
    errors = {n: fit.max_error for n, fit in fits.items()}
    shrinking = all(errors[a] > errors[b] for a, b in itertools.pairwise(errors))
    return Outcome(
        computed=f"max error {', '.join(f'{e:.2g}' for e in errors.values())} with "
                 f"{', '.join(str(fit.hidden_units) for fit in fits.values())} ReLU units (sin 2πx + x/2 on [0, 1]): "
                 "→ 0 like 1/n",
        verdict=agrees_if(shrinking and errors[256] < 0.05),
        value={str(n): {"hidden_units": fit.hidden_units, "max_error": errors[n]} for n, fit in fits.items()},
        explain="\n".join([
            "The theorem is an existence proof; its checkable core: for a continuous f the error of a ReLU network",
            "goes to 0 as it grows. Each ReLU pair clip(g u + ½, 0, 1) is Lemma 3's ramp f, used as a step; n pieces",
            "of a staircase through f at the cell centres, error measured on 10,001 points:",
            *(f"  n = {n:3}: {fit.hidden_units:3} hidden units, max |network − f| = {errors[n]:.4f}, "
              f"n · error = {n * errors[n]:.2f}" for n, fit in fits.items()),
            "(n · error stays about constant: the error falls like 1/n, to 0 in the limit)"]))


# ---- Q2: ∂o/∂b₁ through a chain of three sigmoid neurons ----------------------------------------------------

X_CHAIN = 3.0
PART_1 = ((100.0, 150.0, 200.0, 200.0), (-300.0, -75.0, -100.0, 10.0))     # (w₁…w₄), (b₁…b₄)
PART_2 = ((0.2, 0.5, 0.3, 0.6), (1.0, 2.0, 2.0, 1.0))


def chain_trace(w, b, x: float = X_CHAIN):
    """h₁ = σ(w₁x + b₁), h₂ = σ(w₂h₁ + b₂), h₃ = σ(w₃h₂ + b₃), o = w₄h₃ + b₄ (dn.inspect.networks.chain), traced
    at x with C = o: the model, the trace, (h₁, h₂, h₃), o and ∂o/∂b₁ = δ¹."""
    from deltanet.inspect import trace
    from deltanet.inspect.networks import chain

    model = chain(w, b)
    t = trace(model, [x])
    return model, t, [float(layer.a[0]) for layer in t.layers[:3]], t.cost, float(t.layers[0].grad_bias[0])


def sheet_dodb1(w, h) -> float:
    """The sheet's ∂o/∂b₁ = w₄ · Π_{i=2}^{3} wᵢ hᵢ(1 − hᵢ) · h₁(1 − h₁)."""
    return w[3] * w[1] * h[1] * (1 - h[1]) * w[2] * h[2] * (1 - h[2]) * h[0] * (1 - h[0])


def chain_explain(model, t) -> str:
    from deltanet.inspect.networks import chain_rule

    return "\n".join([chain_rule(model, t).format("text"), "", t.format("text")])


@exercise("000-q2-1-forward", source=sheet(0, "Q2(1)"), claim="h₁ = h₂ = h₃ = 1/2, o = 110")
def _():
    model, t, h, o, _ = chain_trace(*PART_1)
    agrees = np.allclose(h, 0.5, rtol=0, atol=1e-12) and abs(o - 110) <= 1e-12 * 110
    return Outcome(computed=f"h = {h}, o = {o:g} (every z = 0: σ(0) = ½, o = 200·½ + 10)", verdict=agrees_if(agrees),
                   value={"h": h, "o": o}, explain=t.format("text") + "\ntolerance: exact (1e−12)")


@exercise("000-q2-1-dodb1", source=sheet(0, "Q2(1)"), claim="∂o/∂b₁ = 93750")
def _():
    model, t, h, _, dodb1 = chain_trace(*PART_1)
    return Outcome(computed=f"∂o/∂b₁ = {dodb1:.10g} = 200 · (200·¼) · (150·¼) · ¼ (gradient explosion)",
                   verdict=agrees_if(abs(dodb1 - 93750) <= 1e-9 * 93750),
                   value={"dodb1": dodb1, "formula": sheet_dodb1(PART_1[0], h)},
                   explain=chain_explain(model, t) + "\ntolerance: 1e−9 relative (the sheet's number is exact)")


@exercise("000-q2-chain-rule", source=sheet(0, "Q2(1)"),
          claim="∂o/∂b₁ = w₄ · Π_{i=2}^{3} wᵢ hᵢ(1 − hᵢ) · h₁(1 − h₁)")
def _():
    rng = np.random.default_rng(0)
    formula, autograd, numeric = [], [], []
    for _ in range(5):
        w, b = (2 * rng.standard_normal(4)).tolist(), rng.standard_normal(4).tolist()
        model, _, h, _, dodb1 = chain_trace(w, b)
        formula.append(sheet_dodb1(w, h))
        autograd.append(dodb1)
        output = lambda model=model: model(array([[X_CHAIN]])).sum()     # noqa: E731
        numeric.append(finite_differences(output, [model[0].bias])[0].item())
    value = gradient_check(formula, autograd, numeric)
    return gradient_outcome(value, "5 random chains (w ~ N(0, 4), b ~ N(0, 1), x = 3)",
                            ["∂o/∂b₁ of 5 random chains, seed 0 (autograd: δ¹ of dn.inspect.trace with C = o):"])


@exercise("000-q2-2-hidden", source=sheet(0, "Q2(2)"), claim="h₁ ≈ 0.832, h₂ ≈ 0.918, h₃ ≈ 0.88")
def _():
    model, t, h, _, _ = chain_trace(*PART_2)
    printed = ((0.832, 0.0005), (0.918, 0.0005), (0.88, 0.005))
    agree = [rounds_to(hi, p, half) for hi, (p, half) in zip(h, printed, strict=True)]
    return Outcome(
        computed=f"h = ({h[0]:.4f}, {h[1]:.4f}, {h[2]:.4f}): h₁ and h₂ agree, h₃ does not",
        verdict=agrees_if(all(agree)), value={"h": h, "agree": agree},
        correction=f"h₃ = σ(w₃h₂ + b₃) = σ(0.3·{h[1]:.4f} + 2) = σ({0.3 * h[1] + 2:.4f}) ≈ {h[2]:.3f}",
        explain=t.format("text") + "\ntolerance: half a unit of the last printed digit (0.0005, 0.0005, 0.005)")


@exercise("000-q2-2-output", source=sheet(0, "Q2(2)"), claim="o = h₄ ≈ 1.828")
def _():
    model, t, h, o, _ = chain_trace(*PART_2)
    return Outcome(
        computed=f"o = w₄h₃ + b₄ = 0.6·{h[2]:.4f} + 1 = {o:.4f}",
        verdict=agrees_if(rounds_to(o, 1.828, 0.0005)), value={"o": o, "o_with_sheet_h3": 0.6 * 0.88 + 1},
        correction=f"o ≈ {o:.3f} (o = 0.6·h₃ + 1 < 1.6 for any h₃ < 1; the sheet's own h₃ = 0.88 would give 1.528)",
        explain=t.format("text") + "\ntolerance: ±0.0005 (3 printed decimals)")


@exercise("000-q2-2-dodb1", source=sheet(0, "Q2(2)"), claim="∂o/∂b₁ ≈ 0.000100")
def _():
    model, t, h, _, dodb1 = chain_trace(*PART_2)
    with_sheet_h = sheet_dodb1(PART_2[0], (0.832, 0.918, 0.88))
    return Outcome(
        computed=f"∂o/∂b₁ = {dodb1:.4e} (vanishing), not 1.00e−4 (what the formula gives with the sheet's h's: "
                 f"{with_sheet_h:.4e})",
        verdict=agrees_if(rounds_to(dodb1, 0.000100, 5e-7)),
        value={"dodb1": dodb1, "formula": sheet_dodb1(PART_2[0], h), "with_sheet_h": with_sheet_h},
        correction=f"∂o/∂b₁ ≈ {dodb1:.3e}: the sheet's 0.000100 comes from its wrong h₃ = 0.88 (h₃ = {h[2]:.4f})",
        explain=chain_explain(model, t) + "\ntolerance: ±5e−7 (3 significant digits printed)")


# ---- Q3: a 1-D CNN with one shared filter ----------------------------------------------------------------------

def conv1d_network(v, w) -> nn.Sequential:
    """hᵢ = σ(Σ_{j=1}^{3} v_j x_{i+j−1}) for i = 1…4 (input length 6), z = σ(Σᵢ wᵢhᵢ); no biases."""
    conv = nn.Conv1d(1, 1, 3, bias=False, dtype=np.float64)
    conv.weight.data[...] = np.reshape(v, (1, 1, 3))
    return nn.Sequential(conv, nn.Sigmoid(), nn.Flatten(), linear([w]), nn.Sigmoid())


def q3_problem():
    """A random instance (seed 0): x, y, v, w, the model, its trace with R = (y − z)², and hᵢ, z."""
    from deltanet.inspect import trace

    rng = np.random.default_rng(0)
    x, y, v, w = rng.standard_normal(6), 0.3, rng.standard_normal(3), rng.standard_normal(4)
    model = conv1d_network(v, w)
    t = trace(model, x.reshape(1, 1, 6), [y], nn.MSELoss())     # MSE of one output: R = (y − z)²
    return x, y, v, w, model, t, t.layers[0].a[0], float(t.layers[1].a[0])


def q3_loss(model, x, y):
    return lambda: nn.MSELoss()(model(array(x.reshape(1, 1, 6))), array([[y]]))


Q3_EXPLAIN = "random x ∈ ℝ⁶, v, w (seed 0), y = 0.3; R is the question's L = (y − z)² (the answer renames it)"


@exercise("000-q3-parameters", source=sheet(0, "Q3 a)"), claim="3 + 4 = 7 parameters (shared filter, no biases)")
def _():
    model = conv1d_network(np.zeros(3), np.zeros(4))
    n = model.num_parameters()
    return Outcome(computed=f"{n} parameters", verdict=agrees_if(n == 7), value=n,
                   explain=model.summary(input_shape=(1, 6)))


@exercise("000-q3-drdw", source=sheet(0, "Q3 b)"), claim="∂R/∂w = −2(y − z) · z(1 − z) · h = 2(z − y)z(1 − z)h")
def _():
    x, y, v, w, model, t, h, z = q3_problem()
    value = gradient_check(2 * (z - y) * z * (1 - z) * h, t.layers[1].grad_weight[0],
                           finite_differences(q3_loss(model, x, y), [model[3].weight])[0][0])
    return gradient_outcome(value, "∂R/∂w on a random instance", [Q3_EXPLAIN, t.format("text"), ""])


@exercise("000-q3-drdv", source=sheet(0, "Q3 c)"),
          claim="∂R/∂vᵢ = −2(y − z) · z(1 − z) · Σ_{j=1}^{4} w_j h_j(1 − h_j) x_{i+j−1}")
def _():
    x, y, v, w, model, t, h, z = q3_problem()
    formula = [-2 * (y - z) * z * (1 - z) * sum(w[j] * h[j] * (1 - h[j]) * x[i + j] for j in range(4))
               for i in range(3)]
    value = gradient_check(formula, t.layers[0].grad_weight[0, 0],
                           finite_differences(q3_loss(model, x, y), [model[0].weight])[0][0, 0])
    return gradient_outcome(value, "∂R/∂v on a random instance", [
        Q3_EXPLAIN, "(the middle line's ∂(vᵀx)/∂v_j should read ∂/∂vᵢ of h_j's input, = x_{i+j−1}; the result is "
        "right)",
        t.format("text"), ""])


# ---- Q4: ∂E/∂K of a 2-D convolution followed by a fully connected sigmoid unit ---------------------------------

def conv2d_network(K, W) -> nn.Sequential:
    """Y = K ⋆ X (nn.Conv2d: a valid 2×2 cross-correlation of the 3×3 input), o = σ(Σ_ij w_ij y_ij); no biases."""
    conv = nn.Conv2d(1, 1, 2, bias=False, dtype=np.float64)
    conv.weight.data[...] = np.reshape(K, (1, 1, 2, 2))
    return nn.Sequential(conv, nn.Flatten(), linear(np.reshape(W, (1, 4))), nn.Sigmoid())


def cross_correlate(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(X ⋆ W)_ab = Σ_ij w_ij x_{a+i−1, b+j−1}: the valid 2×2 cross-correlation of X with W."""
    return np.array([[np.sum(W * X[a:a + 2, b:b + 2]) for b in range(2)] for a in range(2)])


def q4_gradients(X, K, W, z: float, flipped: bool) -> dict:
    """E = ½(z − o)² for Y = K * X: ∂E/∂K by autograd (dn.inspect.trace) and central differences, the sheet's
    formula (both readings of "W ·") and the corrected one. `flipped`: * is a true convolution (nn.Conv2d with
    the kernel rotated by 180°), else a cross-correlation (nn.Conv2d as it is)."""
    from deltanet.inspect import trace

    back = (lambda g: g[::-1, ::-1]) if flipped else (lambda g: g)         # rotating twice is the identity
    model = conv2d_network(back(K), W)
    x = X.reshape(1, 1, 3, 3)
    t = trace(model, x, [z], nn.QuadraticLoss())                           # QuadraticLoss of one output: E
    loss = lambda: nn.QuadraticLoss()(model(array(x)), array([[z]]))       # noqa: E731
    o = float(t.output[0])
    M = np.array([[X[0, 0] + X[1, 1], X[0, 1] + X[1, 2]], [X[1, 0] + X[2, 1], X[1, 1] + X[2, 2]]])
    return {"trace": t, "o": o, "autograd": back(t.layers[0].grad_weight[0, 0]),
            "numeric": back(finite_differences(loss, [model[0].weight])[0][0, 0]),
            "sheet": {"W ⊙ M": (z - o) * o * (1 - o) * W * M, "W @ M": (z - o) * o * (1 - o) * W @ M},
            "corrected": back((o - z) * o * (1 - o) * cross_correlate(X, W))}


@exercise("000-q4-dedk", source=sheet(0, "Q4"),
          claim="∂E/∂K = (z − o) · o(1 − o) · W · [[x11 + x22, x12 + x23], [x21 + x32, x22 + x33]]")
def _():
    rng = np.random.default_rng(0)
    X, K, W, z = rng.standard_normal((3, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 0.25
    cases = {name: q4_gradients(X, K, W, z, flipped) for name, flipped in (("cross-correlation", False),
                                                                          ("convolution", True))}
    sheet_error = {name: min(float(np.max(np.abs(r - c["autograd"]))) for r in c["sheet"].values())
                   for name, c in cases.items()}
    corrected_error = {name: float(np.max(np.abs(c["corrected"] - c["autograd"]))) for name, c in cases.items()}
    scale = max(float(np.abs(c["autograd"]).max()) for c in cases.values())
    cc = cases["cross-correlation"]
    return Outcome(
        computed=f"off by ≥ {min(sheet_error.values()):.3f} (entries ≤ {scale:.3f}) for both readings of \"W ·\" (⊙, "
                 "matrix product) and both meanings of * (correlation, convolution); ∂E/∂o has the wrong sign",
        verdict=agrees_if(min(sheet_error.values()) <= 1e-9 * scale),
        value={"autograd": cc["autograd"].tolist(), "finite_differences": cc["numeric"].tolist(),
               "sheet": {name: r.tolist() for name, r in cc["sheet"].items()}, "corrected": cc["corrected"].tolist(),
               "autograd_convolution": cases["convolution"]["autograd"].tolist(),
               "sheet_error": sheet_error, "corrected_error": corrected_error},
        correction="∂E/∂K = (o − z) · o(1 − o) · (X ⋆ W), i.e. ∂E/∂k_ab = (o − z)o(1 − o) Σ_ij w_ij x_{i+a−1, j+b−1}, "
                   "for Y = K ⋆ X a cross-correlation (as nn.Conv2d); rotate it by 180° if * flips the kernel. "
                   "∂E/∂o = o − z (the sheet's sign is wrong), and y_ij weighs the 2×2 patch of X under K by w_ij",
        explain="\n".join([
            "random 3×3 X, 2×2 K and W (seed 0), z = 0.25; E = ½(z − o)² (nn.QuadraticLoss); * a cross-correlation:",
            cc["trace"].format("text"), "",
            f"  autograd ∂E/∂K          {fmt(cc['autograd'], indent=26)}",
            f"  finite differences      {fmt(cc['numeric'], indent=26)}",
            f"  (o − z)o(1 − o)(X ⋆ W)  {fmt(cc['corrected'], indent=26)}",
            *(f"  {'sheet, ' + name:<24}{fmt(r, indent=26)}" for name, r in cc["sheet"].items()),
            f"max |sheet − autograd| (its better reading): {sheet_error['cross-correlation']:.3f} with * a "
            f"cross-correlation, {sheet_error['convolution']:.3f} with * a true convolution;",
            f"max |corrected − autograd|: {corrected_error['cross-correlation']:.0e} and "
            f"{corrected_error['convolution']:.0e}"]))


# ---- Q5: backpropagation through time ------------------------------------------------------------------------

def bptt_problem(seed: int = 0) -> dict:
    """A random instance (n, m, k, T = 3, 4, 5, 6) of the sheet's RNN: U, W, V as tensors that require grad,
    D (T × m) a zero offset added to s_t (so that ∂E/∂D = ∂E/∂s_t, by autograd and by finite differences alike),
    and as float64 arrays the inputs x_t, one-hot labels o_t and an initial state h₀."""
    rng = np.random.default_rng(seed)
    n, m, k, T = 3, 4, 5, 6
    params = {name: dn.tensor(scale * rng.standard_normal(shape), requires_grad=True)
              for name, shape, scale in (("U", (m, n), 0.7), ("W", (m, m), 0.5), ("V", (k, m), 0.7))}
    return {**params, "D": dn.tensor(np.zeros((T, m)), requires_grad=True), "xs": rng.standard_normal((T, n)),
            "os": np.eye(k)[rng.integers(0, k, T)], "h0": 0.5 * rng.standard_normal(m)}


def bptt_forward(U, W, V, D, xs, os, h0):
    """s_t = U x_t + W h_{t−1} (+ D_t = 0), h_t = tanh s_t, z_t = V h_t, ô_t = softmax(z_t), E = −Σ_t o_t · log ô_t.
    Returns E and the lists h₀…h_T, z₁…z_T (tensors)."""
    h, hs, zs, E = array(h0), [array(h0)], [], 0.0
    for t, (x, o) in enumerate(zip(xs, os, strict=True)):
        h = dn.tanh(U @ array(x) + W @ h + D[t])
        z = V @ h
        hs.append(h)
        zs.append(z)
        E = E - (array(o) * dn.log_softmax(z, dim=0)).sum()
    return E, hs, zs


def bptt_gradients(seed: int = 0) -> dict:
    """∂E/∂U, ∂E/∂W, ∂E/∂V, ∂E/∂s by deltanet's autograd, by central differences and by the sheet's BPTT."""
    p = bptt_problem(seed)
    names = ("U", "W", "V", "D")
    E, hs, zs = bptt_forward(*(p[k] for k in (*names, "xs", "os", "h0")))
    autograd = dict(zip(names, (g.data for g in dn.autograd.grad(E, [p[k] for k in names])), strict=True))
    numeric = finite_differences(lambda: bptt_forward(*(p[k] for k in (*names, "xs", "os", "h0")))[0],
                                 [p[k] for k in names])
    h = np.array([v.data for v in hs])                                  # h₀ … h_T
    e = np.array([dn.softmax(z, dim=0).data for z in zs]) - p["os"]     # ∂E_t/∂z_t = ô_t − o_t
    W, V, T = p["W"].data, p["V"].data, len(zs)
    g = np.zeros_like(p["D"].data)                                      # the sheet's ∂E/∂s_t, as rows
    g[T - 1] = (e[T - 1] @ V) * (1 - h[T] ** 2)                          # ∂E/∂z_T · V · diag(1 − tanh² s_T)
    for t in range(T - 2, -1, -1):                                      # diag(1 − tanh² s_t)(∂E/∂s_{t+1} W + ∂E/∂z_t V)
        g[t] = (1 - h[t + 1] ** 2) * (g[t + 1] @ W + e[t] @ V)
    sheet = {"U": sum(np.outer(g[t], p["xs"][t]) for t in range(T)), "W": sum(np.outer(g[t], h[t]) for t in range(T)),
             "V": sum(np.outer(e[t], h[t + 1]) for t in range(T)), "D": g}
    return {"autograd": autograd, "numeric": dict(zip(names, numeric, strict=True)), "sheet": sheet,
            "E": float(E.item()), "zs": np.array([z.data for z in zs]), "os": p["os"]}


BPTT_EXPLAIN = ("random instance, seed 0: n, m, k, T = 3, 4, 5, 6 (x_t ∈ ℝ³, h_t ∈ ℝ⁴, 5 classes), one-hot o_t, "
                "a given h₀; E by dn ops in the sheet's notation")


def bptt_entry(name: str, what: str, note: str = "") -> Outcome:
    """Compare the sheet's BPTT result for ∂E/∂`name` with autograd and central differences."""
    grads = bptt_gradients()
    value = gradient_check(*(grads[kind][name] for kind in ("sheet", "autograd", "numeric")))
    return gradient_outcome(value, what, [BPTT_EXPLAIN, *([note] if note else []), f"E = {grads['E']:.10g}"])


@exercise("000-q5-dedv", source=sheet(0, "Q5, 1."), claim="∂E/∂V = Σ_{t=1}^{T} (ô_t − o_t) · h_t")
def _():
    return bptt_entry("V", "∂E/∂V = Σ_t (ô_t − o_t) h_tᵀ", "(ô_t − o_t) · h_t read as the outer product (k × m)")


@exercise("000-q5-deds", source=sheet(0, "Q5, 2."),
          claim="∂E/∂s_T = ∂E/∂z_T · V · diag(1 − tanh² s_T); ∂E/∂s_t = diag(1 − tanh² s_t)(∂E/∂s_{t+1} · W + "
                "∂E/∂z_t · V)")
def _():
    return bptt_entry("D", "∂E/∂s_t, t = 1…T (rows)",
                      "row vectors ∂E/∂s_t; the diag multiplies elementwise, so its side does not matter")


@exercise("000-q5-dedu", source=sheet(0, "Q5, 2."), claim="∂E/∂U = Σ_{t=1}^{T} ∂E/∂s_t · x_t")
def _():
    return bptt_entry("U", "∂E/∂U = Σ_t ∂E/∂s_t x_tᵀ")


@exercise("000-q5-dedw", source=sheet(0, "Q5, 3."), claim="∂E/∂W = Σ_{t=1}^{T} ∂E/∂s_t · h_{t−1}")
def _():
    return bptt_entry("W", "∂E/∂W = Σ_t ∂E/∂s_t h_{t−1}ᵀ")


@exercise("000-q5-softmax", source=sheet(0, "Q5, 1."),
          claim="ô_k = e^{z_k} / Σ_{i=1}^{T} e^{z_i}, so ∂ô_t/∂z_t = ô_t(1 − ô_t) and ∂ô_k/∂z_t = −ô_t ô_k (k ≠ t)")
def _():
    from deltanet.inspect import jacobian

    grads = bptt_gradients()
    Z, os = grads["zs"], grads["os"]                              # z_t and o_t as rows, (T, k)
    T = len(Z)
    J = jacobian(lambda Z: dn.softmax(Z, dim=1), Z)               # the model's softmax, over the k classes
    o_hat = dn.softmax(array(Z), dim=1).data
    across = max(float(np.abs(J[t, :, s, :]).max()) for t in range(T) for s in range(T) if s != t)
    within = max(float(np.abs(J[t, :, t, :] - (np.diag(o_hat[t]) - np.outer(o_hat[t], o_hat[t]))).max())
                 for t in range(T))
    J_time = jacobian(lambda Z: dn.softmax(Z, dim=0), Z)          # the sheet's: over the T time steps
    q = dn.softmax(array(Z), dim=0).data
    sheet_formula = np.zeros_like(J_time)                         # ô_t(δ_kt − ô_k) per class, zero across classes
    for c in range(Z.shape[1]):
        sheet_formula[:, c, :, c] = np.diag(q[:, c]) - np.outer(q[:, c], q[:, c])
    time_error = float(np.abs(J_time - sheet_formula).max())
    return Outcome(
        computed=f"ô_t = softmax(z_t) depends on z_t alone: ∂ô_k/∂z_t = 0 for k ≠ t (max {across:g}); the sheet's "
                 f"−ô_t ô_k is the Jacobian of a softmax over the time steps (matches it to {time_error:.0e})",
        verdict="erratum",
        value={"across_time_max": across, "within_time_error": within, "sheet_is_softmax_over_time_error": time_error,
               "labels_summed_over_time": os.sum(axis=0).tolist()},
        correction="the softmax normalises over the k classes of one time step: ô_t = e^{z_t} / Σ_c e^{z_{t,c}}, "
                   "∂ô_k/∂z_t = 0 for k ≠ t and ∂ô_t/∂z_t = diag(ô_t) − ô_t ô_tᵀ, so ∂E/∂z_t = ô_t − o_t "
                   "(Σ_c o_{t,c} = 1) and ∂E/∂V = Σ_t (ô_t − o_t) h_tᵀ, the sheet's final answer",
        explain="\n".join([
            BPTT_EXPLAIN, "Jacobian of ô = softmax(z_t) (rows of Z) by dn.inspect.jacobian:",
            f"  max |∂ô_k/∂z_t|, k ≠ t: {across:g}",
            f"  max |∂ô_t/∂z_t − (diag ô_t − ô_t ô_tᵀ)|: {within:.1e}",
            f"  softmax over time instead (the sheet's ô_k = e^(z_k)/Σ_i e^(z_i)): its Jacobian equals the sheet's "
            f"ô_t(1 − ô_t), −ô_t ô_k to {time_error:.1e}",
            f"  the sheet's last step uses Σ_k o_k = 1 over time; the labels summed over time are "
            f"{os.sum(axis=0).tolist()}"]))
