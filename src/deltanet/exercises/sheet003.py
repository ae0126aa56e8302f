"""Checkable results of seed sheet 003 (`../shared/seeds/003*`): "Problem Sheet 4 Solutions".

Q1  backpropagation for multiclass logistic regression: ∂ℓ/∂a, the softmax Jacobian, ∂ℓ/∂z = a − e_y,
    ∂ℓ/∂W = (x ∂ℓ/∂z)ᵀ, ∂ℓ/∂b = ∂ℓ/∂z.
Q2  one-hot (digit 0 last) vs 4-bit binary codes; a one-hot → binary layer of "or" neurons; MNIST accuracies.
Q3  identity hidden layers collapse (25 units: same power; 4 units: rank 4); 784·4 + 4·10 weights; not convex.
Q4  one-hidden-layer ReLU networks: forward equations, ramps h_{c,d}, spikes g_{c,d,i}, the approximation
    argument, eventual linearity, the prime-number start-up.
Q5  TBPTT keeps the forward pass exact; the BPTT recurrence and RTRL (eq. 5.1); RTRL's memory and cost.

Errata: Q4.3 says "two hidden layers" for two hidden neurons; Q4.4 places the flaw of its approximation
"between the consecutive intervals", where there is none — it is on [0, μ).
"""

from __future__ import annotations

import itertools

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.autograd.gradcheck import numerical_jacobian
from deltanet.data import encode
from deltanet.exercises._common import (
    array,
    finite_differences,
    fmt,
    gradient_check,
    gradient_outcome,
    linear,
    max_abs_diff,
)
from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet

# ---- Q1: multiclass logistic regression, z = Wx + b, a = softmax(z), ℓ = −log a_y --------------------------


def _q1_problem(seed: int, D: int = 5, C: int = 4):
    """Random W (C × D), b (C), x (D) and a class y (0-based here; the sheet counts 1 … C)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((C, D)), rng.standard_normal(C), rng.standard_normal(D), int(rng.integers(C))


def _q1_trace(seed: int):
    """dn.inspect.trace of nn.Linear(D, C) with ℓ = nn.CrossEntropyLoss (softmax and −log a_y, fused) and the
    problem's (W, b, x, y)."""
    from deltanet.inspect import trace

    W, b, x, y = _q1_problem(seed)
    model = nn.Sequential(linear(W, b))
    return trace(model, x, np.array([y]), nn.CrossEntropyLoss(reduction="sum")), model, x, y


def _q1_loss(model, x, y) -> dn.Tensor:
    return nn.CrossEntropyLoss(reduction="sum")(model(array(x[None])), np.array([y]))


def _softmax(z) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


@exercise("003-q1-dl-da", source=sheet(3, "Q1, eq. (1.5)–(1.6)"),
          claim="∂ℓ/∂a_j = 0 if j ≠ y, −1/a_j if j = y: ∂ℓ/∂a = [0, …, −1/a_y, …, 0]")
def _():
    W, b, x, y = _q1_problem(seed=11)
    a = dn.tensor(_softmax(W @ x + b), dtype=dn.float64, requires_grad=True)

    def loss():
        return -dn.log(a)[y]

    (autograd,) = dn.autograd.grad(loss(), a)
    (numeric,) = finite_differences(loss, [a])
    formula = np.where(np.arange(len(a.data)) == y, -1 / a.data, 0.0)
    return gradient_outcome(gradient_check(formula, autograd.data, numeric), f"∂ℓ/∂a for C = 4 classes, y = {y + 1}",
                            [f"a = softmax(Wx + b) = {fmt(a.data)}, ℓ = −log a_y with a as the variable"])


@exercise("003-q1-softmax-jacobian", source=sheet(3, "Q1, eq. (1.8)"),
          claim="∂a_j/∂z_i = −a_i a_j if i ≠ j, (1 − a_j) a_j if i = j")
def _():
    from deltanet.inspect import jacobian

    W, b, x, _ = _q1_problem(seed=12)
    z = array(W @ x + b)
    softmax = nn.Softmax(dim=-1)
    J = jacobian(softmax, z)                                     # J[j, i] = ∂a_j/∂z_i
    (numeric,) = numerical_jacobian(softmax, [dn.tensor(z.data, dtype=dn.float64, requires_grad=True)])
    a = _softmax(z.data)
    return gradient_outcome(gradient_check(np.diag(a) - np.outer(a, a), J, numeric),
                            "the 4 × 4 softmax Jacobian (row j, column i: ∂a_j/∂z_i)",
                            [f"z = {fmt(z.data)}, a = {fmt(a)}",
                             "deltanet: dn.inspect.jacobian(nn.Softmax(dim=-1), z)"])


@exercise("003-q1-dl-dz", source=sheet(3, "Q1, eq. (1.9)"),
          claim="∂ℓ/∂z = ∂ℓ/∂a · ∂a/∂z = [a_1, a_2, …, a_y − 1, …, a_C]")
def _():
    t, _, _, y = _q1_trace(seed=13)
    z = dn.tensor(t.layers[0].z, dtype=dn.float64, requires_grad=True)
    (numeric,) = finite_differences(lambda: nn.CrossEntropyLoss(reduction="sum")(z[None], np.array([y])), [z])
    a = _softmax(t.layers[0].z)
    return gradient_outcome(gradient_check(a - np.eye(len(a))[y], t.layers[0].delta, numeric),
                            f"δ = ∂ℓ/∂z = a − e_y for y = {y + 1}",
                            ["deltanet: δ¹ of dn.inspect.trace (CrossEntropyLoss on the logits):", t.format("text")])


@exercise("003-q1-dl-dw", source=sheet(3, "Q1, eq. (1.10)"),
          claim="∂ℓ/∂W = (x ∂ℓ/∂z)ᵀ, with W a C × D matrix")
def _():
    t, model, x, y = _q1_trace(seed=14)
    delta = _softmax(t.layers[0].z) - np.eye(len(t.layers[0].z))[y]     # ∂ℓ/∂z (eq. 1.9), a row (1 × C)
    (numeric,) = finite_differences(lambda: _q1_loss(model, x, y), [model[0].weight])
    value = gradient_check(np.outer(x, delta).T, t.layers[0].grad_weight, numeric)   # (x (D×1) · δ (1×C))ᵀ
    value["shape"] = list(t.layers[0].grad_weight.shape)
    return gradient_outcome(value, f"∂ℓ/∂W, shape {tuple(value['shape'])} = C × D, i.e. ∂ℓ/∂w_jk = δ_j x_k",
                            [f"x = {fmt(x)}, δ = {fmt(delta)}", "deltanet: ∂C/∂W¹ of dn.inspect.trace"])


@exercise("003-q1-dl-db", source=sheet(3, "Q1, eq. (1.11)"),
          claim="∂ℓ/∂b = ∂ℓ/∂z")
def _():
    t, model, x, y = _q1_trace(seed=15)
    delta = _softmax(t.layers[0].z) - np.eye(len(t.layers[0].z))[y]     # ∂ℓ/∂z (eq. 1.9)
    (numeric,) = finite_differences(lambda: _q1_loss(model, x, y), [model[0].bias])
    return gradient_outcome(gradient_check(delta, t.layers[0].grad_bias, numeric), "∂ℓ/∂b = ∂ℓ/∂z = a − e_y",
                            [f"δ¹ of dn.inspect.trace: {fmt(t.layers[0].delta)}",
                             "deltanet: ∂C/∂b¹ of dn.inspect.trace"])


# ---- Q2: digit classification with one-hot and binary output codes ----------------------------------------

DIGITS = np.arange(10)


def _sheet_one_hot(digits) -> np.ndarray:
    """The sheet's one-hot code, components ordered 1, 2, …, 9, 0 (digit 0 last): `encode.one_hot` (0 first)
    rotated left by one."""
    return np.roll(encode.one_hot(digits, dtype=np.float64), -1, axis=-1)


def _or_layer(w: float = 10.0) -> nn.Sequential:
    """One-hot (sheet order) → 4 bits, most significant first: bit k is the "or" neuron
    σ(w·(Σ_{digits d with bit k} a_d − ½)) of the one-hot outputs a."""
    members = encode.binary(np.roll(DIGITS, -1), dtype=np.float64).T      # (4 bits, 10 inputs in sheet order)
    return nn.Sequential(linear(w * members, np.full(4, -w / 2)), nn.Sigmoid())


@exercise("003-q2-onehot-order", source=sheet(3, "Q2"),
          claim="if the label is 3, the target is [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]ᵀ (by convention the digit 0 is the "
                "last component)")
def _():
    three, zero = _sheet_one_hot(3), _sheet_one_hot(0)
    return Outcome(
        computed=f"components ordered 1 … 9, 0: 3 → {three.astype(int).tolist()}, 0 → {zero.astype(int).tolist()} "
                 f"(dn.data.encode.one_hot puts 0 first: 3 → {encode.one_hot(3).astype(int).tolist()})",
        value={"three": three.tolist(), "zero": zero.tolist()},
        verdict=agrees_if(three.tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] and zero[-1] == 1),
        explain="\n".join(f"{d} → {_sheet_one_hot(d).astype(int).tolist()}" for d in DIGITS))


@exercise("003-q2.1-binary-code", source=sheet(3, "Q2.1"),
          claim="binary encoding: 0 is encoded as 0000, 1 as 0001, and so on; the output layer has four neurons "
                "rather than 10")
def _():
    words = ["".join(map(str, code)) for code in encode.binary(DIGITS, bits=4).astype(int)]
    bits_needed = int(np.ceil(np.log2(10)))
    return Outcome(
        computed=f"dn.data.encode.binary: {', '.join(f'{d} → {w}' for d, w in zip(DIGITS, words))}; ⌈log₂ 10⌉ = "
                 f"{bits_needed} bits are needed (3 bits give only 8 codes)",
        value={"codes": words, "bits_needed": bits_needed},
        verdict=agrees_if(words[:2] == ["0000", "0001"] and bits_needed == 4 and len(set(words)) == 10),
        explain="\n".join([*(f"{d}: {w}" for d, w in zip(DIGITS, words)), "(codes 1010 … 1111, 10 … 15, are unused)"]))


@exercise("003-q2.1-code-distances", source=sheet(3, "Q2.1"),
          claim="7 and 5 have embeddings that are closer to each other than 7 and 8")
def _():
    codes = encode.binary(DIGITS, bits=4, dtype=np.float64)
    euclid = {k: float(np.linalg.norm(codes[7] - codes[k])) for k in (5, 8)}
    hamming = {k: int(np.sum(codes[7] != codes[k])) for k in (5, 8)}
    onehot = float(np.linalg.norm(_sheet_one_hot(7) - _sheet_one_hot(5)))
    return Outcome(
        computed=f"7 = 0111, 5 = 0101, 8 = 1000: Hamming distance 7–5 = {hamming[5]}, 7–8 = {hamming[8]}; "
                 f"Euclidean {euclid[5]:g} vs {euclid[8]:g} (one-hot codes are all √2 = {onehot:.4f} apart)",
        value={"euclidean_7_5": euclid[5], "euclidean_7_8": euclid[8], "hamming_7_5": hamming[5],
               "hamming_7_8": hamming[8], "onehot_distance": onehot},
        verdict=agrees_if(euclid[5] < euclid[8]),
        explain="\n".join(f"{d}: {c.astype(int).tolist()}" for d, c in zip(DIGITS, codes)))


@exercise("003-q2.1-space", source=sheet(3, "Q2.1"),
          claim="binary embeddings are much more space efficient (four output neurons rather than 10)")
def _():
    counts = {}
    for name, outputs in (("onehot", 10), ("binary", 4)):
        model = nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, outputs))
        counts[name] = {"code_length": outputs, "output_layer": model[2].num_parameters(),
                        "network": model.num_parameters()}
    saving = 1 - counts["binary"]["network"] / counts["onehot"]["network"]
    return Outcome(
        computed=f"the code is 4 numbers instead of 10 (2.5× shorter) and the output layer has "
                 f"{counts['binary']['output_layer']} instead of {counts['onehot']['output_layer']} parameters — but "
                 f"the 784-100-4 network has {counts['binary']['network']:,} parameters against "
                 f"{counts['onehot']['network']:,} for 784-100-10, only {saving:.2%} fewer",
        value={**counts, "network_saving": saving},
        verdict=agrees_if(counts["onehot"]["code_length"] / counts["binary"]["code_length"] == 2.5),
        explain="nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, k)).num_parameters():\n"
                + "\n".join(f"k = {c['code_length']}: output layer {c['output_layer']}, network {c['network']:,}"
                            for c in counts.values())
                + "\nthe 784 × 100 hidden weights dominate either network")


@exercise("003-q2.2-or-layer", source=sheet(3, "Q2.2"),
          claim="add a layer of \"or\" gates encoded as sigmoid neurons: the first bit is 1 if one of the neurons of "
                "1, 3, 5, 7, 9 fired, the second bit if one of 2, 3, 6, 7 fired, and so on")
def _():
    layer = _or_layer()
    with dn.no_grad():
        out = layer(array(_sheet_one_hot(DIGITS))).data
    decoded = encode.decode_binary(out)
    groups = {f"bit {2 ** k}": [int(d) for d in DIGITS if d >> k & 1] for k in range(4)}
    # after a softmax output layer: whenever the top probability exceeds ½ the layer decodes the top digit
    logits = 3 * np.random.default_rng(21).standard_normal((2000, 10))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    confident = p[p.max(axis=1) > 0.5]
    with dn.no_grad():
        soft = encode.decode_binary(layer(array(confident)).data)
    agreement = float(np.mean(soft == (np.argmax(confident, axis=1) + 1) % 10))     # component k is digit k + 1
    failing = DIGITS[decoded != DIGITS].tolist()
    return Outcome(
        computed=f"nn.Linear(10, 4) + Sigmoid (weight 10 from each member digit, bias −5): the 10 one-hot vectors "
                 f"decode to their digits (wrong: {failing}); bit groups {groups}; on {len(confident)} random softmax "
                 f"outputs with top probability > ½ the decoded digit is the top digit in {agreement:.1%}",
        value={"failing_digits": failing, "groups": groups, "softmax_agreement": agreement,
               "max_bit_error": max_abs_diff(out, encode.binary(DIGITS, dtype=np.float64))},
        verdict=agrees_if(not failing and groups["bit 1"] == [1, 3, 5, 7, 9] and groups["bit 2"] == [2, 3, 6, 7]),
        explain="\n".join([
            "bit k (value 2^k) = σ(10·(Σ_{d with bit k} a_d − ½)); the sheet's first bit is the least significant one",
            *(f"{d}: outputs {fmt(o, 4)} → {c}" for d, o, c in zip(DIGITS, out, decoded)),
            "softmax outputs sum to 1: the winner's groups sum to ≥ p_max > ½, the others to ≤ 1 − p_max < ½",
            "(dn.construct.onehot_to_binary builds the same bits with weights ±c and no bias)"]))


@exercise("003-q2.3-hidden-accuracy", source=sheet(3, "Q2.3"),
          claim="one hidden layer of about 100: one-hot about 96 % test accuracy, binary only 90 %; binary with an "
                "extra layer of 10 and some regularisation 93.5 %")
def _():
    return Outcome(
        computed="not checkable here (MNIST training takes minutes); reproduced by `deltanet reproduce encodings` "
                 "(table in docs/results.md)",
        value=None, verdict="not checkable")


@exercise("003-q2.3-no-hidden-accuracy", source=sheet(3, "Q2.3"),
          claim="no hidden layer: one-hot close to 90 % accuracy, binary about 75 % (random guessing: 10 %)")
def _():
    return Outcome(
        computed="not checkable here (MNIST training takes minutes); reproduced by `deltanet reproduce encodings` "
                 "(table in docs/results.md)",
        value=None, verdict="not checkable")


# ---- Q3: neural nets with linear activation functions -------------------------------------------------------


def _linear_net(W2: np.ndarray, W3: np.ndarray) -> nn.Sequential:
    """z² = W²x, a² = z² (identity), z³ = W³a²: eq. (3.1)–(3.3), no biases."""
    return nn.Sequential(linear(W2), nn.Identity(), linear(W3))


@exercise("003-q3.1-same-power", source=sheet(3, "Q3.1"),
          claim="z³ = W³W²x: with 25 identity hidden units the network and multiclass logistic regression are exactly "
                "the same in representation power")
def _():
    from deltanet.construct import collapse_linear

    rng = np.random.default_rng(31)
    x = array(rng.standard_normal((20, 784)))
    net = _linear_net(rng.standard_normal((25, 784)) / 28, rng.standard_normal((10, 25)))
    collapsed = collapse_linear(net)
    W = rng.standard_normal((10, 784)) / 28                          # any logistic-regression weights
    embedded = _linear_net(np.vstack([W, np.zeros((15, 784))]), np.hstack([np.eye(10), np.zeros((10, 15))]))
    with dn.no_grad():
        net_as_lr = max_abs_diff(net(x).data, collapsed.linear(x).data)
        lr_as_net = max_abs_diff(embedded(x).data, linear(W)(x).data)
    return Outcome(
        computed=f"784-25-10 → one 10 × 784 layer W³W² (dn.construct.collapse_linear, max |Δz³| {net_as_lr:.1e}); any "
                 f"10 × 784 W → the network W² = [W; 0], W³ = [I 0] (max |Δz³| {lr_as_net:.1e}); rank W³W² ≤ "
                 f"min(25, 10) = 10 is no restriction",
        value={"network_as_logistic_regression": net_as_lr, "logistic_regression_as_network": lr_as_net,
               "rank": collapsed.rank, "bound": collapsed.bound},
        verdict=agrees_if(net_as_lr < 1e-12 and lr_as_net < 1e-12 and collapsed.bound == 10),
        explain="\n".join(["20 random x ∈ ℝ⁷⁸⁴; nn.Linear(784, 25) → Identity → nn.Linear(25, 10), no biases",
                           f"W³W²: rank {collapsed.rank}, narrowest width {collapsed.bound}",
                           f"max |network − W³W²x| = {net_as_lr:.2e}, max |embedded network − Wx| = {lr_as_net:.2e} "
                           "(tolerance 1e-12)", "the softmax after z³ is the same in both models"]))


@exercise("003-q3.2-rank", source=sheet(3, "Q3.2"),
          claim="with 4 hidden units W³W² is a 10 × 784 matrix of rank 4, while logistic regression's W has no rank "
                "restriction: logistic regression is more powerful")
def _():
    from deltanet.construct import collapse_linear

    rng = np.random.default_rng(32)
    collapsed = collapse_linear(_linear_net(rng.standard_normal((4, 784)), rng.standard_normal((10, 4))))
    W = rng.standard_normal((10, 784))
    sigma = np.linalg.svd(W, compute_uv=False)
    best_rank4_error = float(np.sqrt(np.sum(sigma[4:] ** 2) / np.sum(sigma ** 2)))
    shape = list(collapsed.linear.weight.shape)
    return Outcome(
        computed=f"W³W² is {shape[0]} × {shape[1]} of rank {collapsed.rank} (at most 4; exactly 4 for generic "
                 f"weights); a random logistic-regression W has rank {np.linalg.matrix_rank(W)}, and the best rank-4 "
                 f"matrix misses it by {best_rank4_error:.1%} (relative Frobenius error, Eckart–Young)",
        value={"shape": shape, "rank": collapsed.rank, "logistic_regression_rank": int(np.linalg.matrix_rank(W)),
               "best_rank4_relative_error": best_rank4_error},
        verdict=agrees_if(collapsed.rank == 4 and np.linalg.matrix_rank(W) == 10 and best_rank4_error > 0.1),
        explain=f"784-4-10 linear network, random weights: singular values of W³W² "
                f"{fmt(np.linalg.svd(collapsed.linear.weight.data, compute_uv=False), 4)}\n"
                f"random W (10 × 784): singular values {fmt(sigma, 4)}\n"
                "no 784-4-10 network represents a W of rank > 4")


@exercise("003-q3.3-parameters", source=sheet(3, "Q3.3"),
          claim="[W²; W³] is one long vector of dimension 784 × 4 + 4 × 10")
def _():
    net = nn.Sequential(nn.Linear(784, 4, bias=False), nn.Identity(), nn.Linear(4, 10, bias=False))
    n = net.num_parameters()
    return Outcome(
        computed=f"nn.Linear(784, 4, bias=False) + nn.Linear(4, 10, bias=False): {n:,} parameters = 3,136 + 40 "
                 f"(with biases it would be {n + 14:,})",
        value=n, verdict=agrees_if(n == 784 * 4 + 4 * 10),
        explain=net.summary())


def _planted_problem(seed: int = 33, N: int = 100):
    """Inputs labelled by a random 784-4-10 linear network θ = (W², W³) itself, so L(θ) ≪ L(0) = log 10."""
    rng = np.random.default_rng(seed)
    W2, W3 = rng.standard_normal((4, 784)) / 28, 4 * rng.standard_normal((10, 4))
    X = rng.standard_normal((N, 784))
    return W2, W3, X, np.argmax(X @ W2.T @ W3.T, axis=1)


def _q3_loss(W2, W3, X, y) -> float:
    """Mean cross-entropy of the linear network's softmax outputs."""
    with dn.no_grad():
        return nn.CrossEntropyLoss()(_linear_net(W2, W3)(array(X)), y).item()


@exercise("003-q3.3-permutations", source=sheet(3, "Q3.3"),
          claim="the model is invariant to permuting the weights of the four hidden units: whatever the global "
                "minimum, there are at least 4! of them, so the optimisation problem is not convex")
def _():
    W2, W3, X, y = _planted_problem()
    loss = _q3_loss(W2, W3, X, y)
    permuted = [(W2[list(p)], W3[:, list(p)]) for p in itertools.permutations(range(4))]
    losses = [_q3_loss(a, b, X, y) for a, b in permuted]
    distinct = len({np.concatenate([a.ravel(), b.ravel()]).tobytes() for a, b in permuted})
    swapped = permuted[1]                                         # hidden units 3 and 4 exchanged
    midpoint = _q3_loss((W2 + swapped[0]) / 2, (W3 + swapped[1]) / 2, X, y)
    A = np.random.default_rng(34).standard_normal((4, 4))         # any invertible A: (AW², W³A⁻¹)
    continuum = _q3_loss(A @ W2, W3 @ np.linalg.inv(A), X, y)
    spread = float(max(losses) - min(losses))
    return Outcome(
        computed=f"the {len(permuted)} permutations give {distinct} distinct weight vectors with one loss {loss:.6f} "
                 f"(spread {spread:.1e}); halfway between θ and a copy with two units swapped the loss is "
                 f"{midpoint:.6f} > {loss:.6f}, which convexity forbids. Every invertible A gives (AW², W³A⁻¹) with "
                 f"the same loss ({continuum:.6f}): a continuum of minima, not just 4!",
        value={"loss": loss, "permutations": len(permuted), "distinct": distinct, "spread": spread,
               "midpoint_loss": midpoint, "invertible_loss": continuum},
        verdict=agrees_if(distinct == 24 and spread < 1e-12 and midpoint > loss),
        explain="\n".join([
            "100 random inputs labelled by a random 784-4-10 linear network θ (planted), mean cross-entropy",
            f"L(θ) = {loss:.10f}; L(Pθ) for the 24 permutations P: from {min(losses):.10f} to {max(losses):.10f}",
            f"L(½θ + ½Pθ) = {midpoint:.10f} > ½L(θ) + ½L(Pθ) = {loss:.10f}",
            "several minima alone do not contradict convexity (a convex function's minimisers form a convex set);",
            "a worse point between two of them does", f"L(AW², W³A⁻¹) = {continuum:.10f}"]))


@exercise("003-q3.3-sign-flip", source=sheet(3, "Q3.3"),
          claim="−W², −W³ give the same optimum α as W², W³; the midpoint of the line between them sets all weights to "
                "zero, which cannot be the non-trivial optimum, so the objective is not convex")
def _():
    W2, W3, X, y = _planted_problem()
    loss, flipped, zero = _q3_loss(W2, W3, X, y), _q3_loss(-W2, -W3, X, y), _q3_loss(0 * W2, 0 * W3, X, y)
    return Outcome(
        computed=f"L(W², W³) = L(−W², −W³) = {loss:.6f}; at the midpoint (all weights 0) L = log 10 = {zero:.6f} > "
                 f"½L(θ) + ½L(−θ) = {loss:.6f}: the convexity inequality fails",
        value={"loss": loss, "flipped": flipped, "midpoint": zero},
        verdict=agrees_if(abs(loss - flipped) < 1e-12 and abs(zero - np.log(10)) < 1e-12 and zero > loss),
        explain="\n".join(["planted 784-4-10 linear network, 100 examples, mean cross-entropy",
                           f"L(θ) = {loss:.12f}", f"L(−θ) = {flipped:.12f}   ((−W³)(−W²) = W³W²)",
                           f"L(0) = {zero:.12f} = log 10 (a uniform softmax)",
                           "any θ with L(θ) < log 10 breaks convexity on the segment from θ to −θ"]))


# ---- Q4: one input, one hidden layer of ReLUs, an identity output: h(x) = b³ + Σ_j w³_j max{0, b²_j + w²_j x} ----


def _relu_net(w2, b2, w3, b3: float = 0.0) -> nn.Sequential:
    """The question's network with hidden weights w²_j0, biases b²_j, output weights w³_0j and bias b³_0."""
    w2, w3 = np.asarray(w2, dtype=np.float64), np.asarray(w3, dtype=np.float64)
    return nn.Sequential(linear(w2[:, None], b2), nn.ReLU(), linear(w3[None], [b3]))


def _h(net: nn.Sequential, xs) -> np.ndarray:
    """The network's function at the points xs."""
    with dn.no_grad():
        return net(array(np.asarray(xs, dtype=np.float64)[:, None])).data[:, 0]


def _ramp(c: float, d: float, height: float = 1.0) -> tuple[list, list, list]:
    """(w², b², w³) of height·h_{c,d} = height/(d − c)·(max{0, x − c} − max{0, x − d}): two hidden neurons."""
    return [1.0, 1.0], [-c, -d], [height / (d - c), -height / (d - c)]


def _spike(c: float, d: float, i: float, height: float = 1.0) -> list:
    """height·g_{c,d,i} = height·(h_{c,d} + h̄_{c+i,d+i}) as two ramps: four hidden neurons."""
    return [_ramp(c, d, height), _ramp(c + i, d + i, -height)]


def _network(pieces) -> nn.Sequential:
    """One hidden layer holding the neurons of several pieces (w², b², w³) side by side, output bias 0."""
    return _relu_net(*(np.concatenate(parts) for parts in zip(*pieces)))


def _ramp_formula(x, c, d):
    """The sheet's h_{c,d}: 0 for x < c, x/(d − c) − c/(d − c) for c ≤ x ≤ d, 1 for x > d."""
    return np.where(x < c, 0.0, np.where(x > d, 1.0, x / (d - c) - c / (d - c)))


@exercise("003-q4.1-forward", source=sheet(3, "Q4.1"),
          claim="ŷ = b³_0 + w³_00·max{0, b²_0 + w²_00·x} + w³_01·max{0, b²_1 + w²_10·x}")
def _():
    rng = np.random.default_rng(41)
    w2, b2, w3, b3 = rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal()
    xs = np.linspace(-5, 5, 101)
    formula = b3 + w3[0] * np.maximum(0, b2[0] + w2[0] * xs) + w3[1] * np.maximum(0, b2[1] + w2[1] * xs)
    diff = max_abs_diff(_h(_relu_net(w2, b2, w3, b3), xs), formula)
    return Outcome(
        computed=f"nn.Linear(1, 2) + ReLU + nn.Linear(2, 1) with random weights equals the formula on 101 points of "
                 f"[−5, 5] (max |Δ| {diff:.1e})",
        value=diff, verdict=agrees_if(diff < 1e-12),
        explain=f"w² = {fmt(w2)}, b² = {fmt(b2)}, w³ = {fmt(w3)}, b³ = {b3:.6f}\nmax |network − formula| = {diff:.2e}")


Q42_WEIGHTS = ([1, 1], [-3, -4], [1, -1])          # w²_00 = w²_10 = 1, b² = (−3, −4), w³ = (1, −1), b³ = 0


@exercise("003-q4.2-values", source=sheet(3, "Q4.2"),
          claim="w²_00 = w²_10 = w³_00 = 1, w³_01 = −1, b²_0 = −3, b²_1 = −4, b³_0 = 0: h(x_1 = 3) = 0 and "
                "h(x_2 = 4) = 1")
def _():
    values = _h(_relu_net(*Q42_WEIGHTS), [3.0, 4.0]).tolist()
    return Outcome(
        computed=f"the network gives h(3) = {values[0]:g}, h(4) = {values[1]:g}",
        value=values, verdict=agrees_if(values == [0.0, 1.0]),
        explain="z² = (x − 3, x − 4), a² = ReLU(z²), ŷ = a²_0 − a²_1\n"
                f"x = 3: a² = (0, 0), ŷ = {values[0]:g};  x = 4: a² = (1, 0), ŷ = {values[1]:g}")


@exercise("003-q4.2-function", source=sheet(3, "Q4.2"),
          claim="h(x) = max{0, x − 3} − max{0, x − 4} = 0 for x < 3, x − 3 for 3 ≤ x ≤ 4, 1 for x > 4")
def _():
    xs = np.linspace(0, 7, 701)
    h = _h(_relu_net(*Q42_WEIGHTS), xs)
    diff = max_abs_diff(h, _ramp_formula(xs, 3, 4))
    return Outcome(
        computed=f"the network equals the piecewise formula on 701 points of [0, 7] (max |Δ| {diff:.1e})",
        value=diff, verdict=agrees_if(diff < 1e-12),
        explain="\n".join(f"h({x:g}) = {v:g}" for x, v in zip(xs[::50], h[::50])))


RAMPS = [(3.0, 4.0), (0.0, 1.0), (-2.0, 0.5), (0.2, 0.21)]


def _ramp_errors(height: float) -> dict[str, float]:
    """max |network − printed formula| of height·h_{c,d} (height ±1) around each (c, d) of RAMPS."""
    errors = {}
    for c, d in RAMPS:
        xs = np.linspace(c - 1, d + 1, 1001)
        errors[f"{c:g},{d:g}"] = max_abs_diff(_h(_relu_net(*_ramp(c, d, height)), xs), height * _ramp_formula(xs, c, d))
    return errors


@exercise("003-q4.3-ramp", source=sheet(3, "Q4.3"),
          claim="w²_00 = w²_10 = 1, w³_00 = 1/(d − c), w³_01 = −1/(d − c), b²_0 = −c, b²_1 = −d, b³_0 = 0 implement "
                "h_{c,d}(x) = 0 (x < c), x/(d − c) − c/(d − c) (c ≤ x ≤ d), 1 (x > d)")
def _():
    errors = _ramp_errors(1.0)
    return Outcome(
        computed=f"for (c, d) in {RAMPS} the network equals h_(c,d) on 1001 points around [c, d] "
                 f"(max |Δ| {max(errors.values()):.1e})",
        value=errors, verdict=agrees_if(max(errors.values()) < 1e-9),
        explain="\n".join(f"(c, d) = ({k}): max |network − h_(c,d)| = {v:.2e}" for k, v in errors.items())
                + "\ntolerance 1e-9 (the steepest ramp has slope 1/(d − c) = 100)")


@exercise("003-q4.3-hidden-layers", source=sheet(3, "Q4.3"),
          claim="\"the function can be implemented using the neural network with two hidden layers given in the "
                "question\"")
def _():
    net = _relu_net(*_ramp(0.0, 1.0))
    hidden_layers = sum(isinstance(m, nn.ReLU) for m in net)
    return Outcome(
        computed=f"the question's network, and the construction, has {hidden_layers} hidden layer of "
                 f"{net[0].out_features} ReLU neurons (the question allows a single hidden layer only)",
        value={"hidden_layers": hidden_layers, "hidden_neurons": net[0].out_features},
        verdict=agrees_if(hidden_layers == 2),
        correction="\"the neural network with two hidden neurons (one hidden layer) given in the question\"",
        explain=repr(net))


@exercise("003-q4.4-reflected-ramp", source=sheet(3, "Q4.4"),
          claim="h̄_{c,d} = −h_{c,d} = 0 (x < c), x/(c − d) − c/(c − d) (c ≤ x ≤ d), −1 (x > d) is a network")
def _():
    errors = {}
    for c, d in RAMPS:
        xs = np.linspace(c - 1, d + 1, 1001)
        printed = np.where(xs < c, 0.0, np.where(xs > d, -1.0, xs / (c - d) - c / (c - d)))
        errors[f"{c:g},{d:g}"] = max_abs_diff(_h(_relu_net(*_ramp(c, d, height=-1.0)), xs), printed)
    return Outcome(
        computed=f"negating the output weights (w³ = (−1, 1)/(d − c)) gives the printed h̄_(c,d) for (c, d) in "
                 f"{RAMPS} (max |Δ| {max(errors.values()):.1e})",
        value=errors, verdict=agrees_if(max(errors.values()) < 1e-9),
        explain="\n".join(f"(c, d) = ({k}): max |network − h̄_(c,d)| = {v:.2e}" for k, v in errors.items()))


@exercise("003-q4.4-spike", source=sheet(3, "Q4.4"),
          claim="g_{c,d,i} := h_{c,d} + h̄_{c+i,d+i} creates a spike of height one and length i between c and d + i")
def _():
    c, d, i = 0.2, 0.25, 0.5
    xs = np.linspace(-0.5, 1.5, 2001)
    g = _h(_network(_spike(c, d, i)), xs)
    plateau, outside = (xs >= d) & (xs <= c + i), (xs <= c) | (xs >= d + i)
    value = {"max": float(g.max()), "plateau_min": float(g[plateau].min()),
             "outside_max": float(np.abs(g[outside]).max())}
    return Outcome(
        computed=f"g_(0.2, 0.25, 0.5) (four ReLU neurons) is 1 on [d, c + i] = [0.25, 0.7], 0 outside [c, d + i] = "
                 f"[0.2, 0.75] and linear in between (max {g.max():.12g})",
        value=value,
        verdict=agrees_if(abs(value["plateau_min"] - 1) < 1e-12 and value["outside_max"] < 1e-12
                          and value["max"] < 1 + 1e-12),
        explain=f"c = {c}, d = {d}, i = {i}: rises on [c, d], 1 on [d, c + i], falls on [c + i, d + i]\n"
                + "\n".join(f"g({x:.2f}) = {v:.4f}" for x, v in zip(xs[::100], g[::100])))


def _f(x):
    """The function approximated in the Q4.4 check: continuous, bounded, f(0) = 1.5 ≠ 0."""
    return 1.5 + np.sin(2 * np.pi * x)


EPSILON, PIECES, MU = 0.1, 40, 1e-3


def _approximation(shift_first: bool) -> nn.Sequential:
    """Q4.4's h = Σ_i f(m_i)·g_{k_i, k_i+μ, ℓ_i−k_i} over PIECES equal intervals [k_i, ℓ_i] of [0, 1], m_i their
    midpoints; `shift_first` starts the first spike's rise at k_1 − μ instead of k_1 (the correction)."""
    edges = np.linspace(0, 1, PIECES + 1)
    pieces = []
    for k, l in zip(edges[:-1], edges[1:]):
        start = k - MU if shift_first and k == 0 else k
        pieces += _spike(start, start + MU, l - start, height=_f((k + l) / 2))
    return _network(pieces)


@exercise("003-q4.4-approximation", source=sheet(3, "Q4.4"),
          claim="h = Σ_i f(k_i + ½(ℓ_i − k_i))·g_{k_i, k_i+μ, ℓ_i−k_i} almost achieves |f − h| < ε on [0, 1], "
                "\"however it will not approximate f well-enough between the consecutive intervals\"")
def _():
    edges = np.linspace(0, 1, PIECES + 1)
    grid = np.linspace(0, 1, 20001)
    piece_error = max(float(np.max(np.abs(_f((k + l) / 2) - _f(np.linspace(k, l, 101)))))
                      for k, l in zip(edges[:-1], edges[1:]))
    sheet_h = _approximation(shift_first=False)
    error = np.abs(_h(sheet_h, grid) - _f(grid))
    joins = np.concatenate([e + MU * np.linspace(-1, 1, 21) for e in edges[1:-1]])
    value = {"piece_error": piece_error,
             "join_error": float(np.max(np.abs(_h(sheet_h, joins) - _f(joins)))),
             "start_error": float(np.max(error[grid < MU])),
             "rest_error": float(np.max(error[grid >= MU])),
             "corrected_error": float(np.max(np.abs(_h(_approximation(shift_first=True), grid) - _f(grid))))}
    return Outcome(
        computed=f"f(x) = 1.5 + sin 2πx, ε = {EPSILON}, {PIECES} intervals (|f(m_i) − f(x)| ≤ {piece_error:.3f} on "
                 f"each), μ = {MU:g}, {4 * PIECES} ReLU neurons: near the joins of consecutive intervals |f − h| ≤ "
                 f"{value['join_error']:.3f} < ε — the falling ramp of g_i and the rising ramp of g_(i+1) share "
                 f"[ℓ_i, ℓ_i + μ] and add up to 1, so h interpolates; h fails only on [0, μ), where it rises from 0 "
                 f"(|f − h| up to {value['start_error']:.3f} = f(0)); on [μ, 1] the error is {value['rest_error']:.3f}",
        value=value,
        verdict=agrees_if(value["join_error"] >= EPSILON),
        correction="between consecutive intervals h interpolates f(m_i) and f(m_(i+1)) and stays within ε; it fails "
                   "only on [k_1, k_1 + μ) = [0, μ), where it rises from 0 to f(m_1). Starting the first spike's rise "
                   "at −μ (g_(k_1−μ, k_1, ℓ_1−k_1+μ)) gives |f − h| < ε on all of [0, 1]",
        explain="\n".join([
            f"intervals [k_i, ℓ_i] = [i/{PIECES}, (i + 1)/{PIECES}], heights f(m_i), four hidden ReLUs per g",
            f"max over intervals of |f(m_i) − f(x)|: {piece_error:.6f} < ε = {EPSILON}",
            f"sheet's h: max |f − h| on [0, μ) = {value['start_error']:.6f}, on [μ, 1] = {value['rest_error']:.6f}, "
            f"within μ of the {PIECES - 1} inner joins = {value['join_error']:.6f}",
            f"first rise moved to [−μ, 0]: max |f − h| on [0, 1] = {value['corrected_error']:.6f}"]))


@exercise("003-q4.5-eventually-linear", source=sheet(3, "Q4.5"),
          claim="for any choice of weights there is x_0 after which h(x) = m·x + n; the same holds with arbitrarily "
                "many hidden neurons")
def _():
    from deltanet.theory.relu_tail import relu_eventually_linear

    rng = np.random.default_rng(46)
    results = {}
    for width in (2, 1000):
        net = _relu_net(*rng.standard_normal((3, width)), float(rng.standard_normal()))
        tail = relu_eventually_linear(model=net)
        results[str(width)] = {"x0": tail.last_kink, "m": tail.slope, "n": tail.intercept,
                               "affine_error": tail.affine_error, "second_difference": tail.second_difference}
    return Outcome(
        computed="beyond the last kink x_0 = max_j(−b²_j/w²_j) the network is m·x + n with m = Σ_(w²_j>0) w³_j w²_j "
                 "(dn.theory.relu_eventually_linear): "
                 + "; ".join(f"{k} neurons: x_0 = {r['x0']:.3f}, m = {r['m']:.4f}, max relative |h − line| = "
                             f"{r['affine_error']:.1e}" for k, r in results.items()),
        value=results,
        verdict=agrees_if(max(r["affine_error"] for r in results.values()) < 1e-12),
        explain="random weights; max{0, b + w x} is 0 (w < 0) or b + w x (w > 0) for every x beyond −b/w\n"
                + "\n".join(f"{k} neurons: h(x) = {r['m']:.9f}·x {r['n']:+.9f} on [x_0, x_0 + 1000], x_0 = "
                            f"{r['x0']:.6f}; max relative deviation {r['affine_error']:.2e}, second difference "
                            f"{r['second_difference']:.2e}" for k, r in results.items()))


@exercise("003-q4.6-primes", source=sheet(3, "Q4.6"),
          claim="a network (of this class) that outputs > 0 exactly on primes is bogus: beyond a threshold it "
                "classifies all numbers as prime or all as not prime — do not invest")
def _():
    from deltanet.theory.relu_tail import relu_eventually_linear

    tail = relu_eventually_linear(steps=500)
    label = "prime" if tail.eventual_class else "not prime"
    line = {n: tail.slope * n / tail.n_max + tail.intercept for n in (tail.first_prime, tail.first_composite)}
    return Outcome(
        computed=f"a 1-{tail.hidden}-1 ReLU network trained on the primes up to {tail.n_max} (training accuracy "
                 f"{tail.train_accuracy:.0%}) is affine past n* = {tail.last_breakpoint:.1f} and answers \"{label}\" "
                 f"for every integer n > {tail.n_constant}: {tail.first_prime} (prime) and {tail.first_composite} "
                 "(composite) alike",
        value={"n_constant": tail.n_constant, "eventual_class": tail.eventual_class, "first_prime": tail.first_prime,
               "first_composite": tail.first_composite, "affine_error": tail.affine_error,
               "outputs": {str(n): v for n, v in line.items()}},
        verdict=agrees_if(tail.affine_error < 1e-12 and len({v > 0.5 for v in line.values()}) == 1),
        explain="the demo's class is \"prime\" ⇔ f(n) > ½ (the sheet's > 0 behaves alike: past n* f is affine and "
                "crosses any threshold at most once)\n" + tail.report())


# ---- Q5: recurrent networks, h_n = tanh(W_ih x_n + b_ih + W_hh h_{n−1} + b_hh) (nn.RNNCell), F = Σ_n F_n ------


def _rnn_problem(seed: int, I: int = 3, H: int = 4, N: int = 6):
    """An RNN cell with random weights, inputs x_1 … x_N, targets y_n and the initial state h_0."""
    rng = np.random.default_rng(seed)
    cell = nn.RNNCell(I, H, dtype=dn.float64)
    for p in cell.parameters():
        p.data[...] = 0.6 * rng.standard_normal(p.shape)
    return cell, rng.standard_normal((N, I)), rng.standard_normal((N, H)), rng.standard_normal(H)


def _bptt_loss(cell, xs, ys, h0) -> dn.Tensor:
    """F = Σ_n F_n, F_n = ½‖h_n − y_n‖², through the unrolled cell."""
    h, F = array(h0), 0
    for x, y in zip(xs, ys):
        h = cell(array(x), h)
        F = F + 0.5 * ((h - array(y)) ** 2).sum()
    return F


def _rnn_pieces(cell, xs, ys, h0) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per step n, in NumPy: (∂h_n/∂θ_n immediate (H × |θ|), ∂h_n/∂h_{n−1} (H × H), ∂F_n/∂h_n (H)), with
    θ = (W_ih, W_hh, b_ih, b_hh) flattened in the cell's parameter order."""
    W_ih, W_hh, b_ih, b_hh = (p.data for p in cell.parameters())
    eye = np.eye(len(b_ih))
    h, pieces = h0, []
    for x, y in zip(xs, ys):
        h_next = np.tanh(W_ih @ x + b_ih + W_hh @ h + b_hh)
        D = 1 - h_next ** 2                                                  # tanh′
        immediate = D[:, None] * np.hstack([np.kron(eye, x), np.kron(eye, h), eye, eye])
        pieces.append((immediate, D[:, None] * W_hh, h_next - y))
        h = h_next
    return pieces


def _rnn_gradients(cell, xs, ys, h0) -> tuple[np.ndarray, np.ndarray]:
    """∇_θF by deltanet's backward pass through the unrolled cell, and by central differences."""
    cell.zero_grad()
    _bptt_loss(cell, xs, ys, h0).backward()
    autograd = np.concatenate([p.grad.data.ravel() for p in cell.parameters()])
    numeric = finite_differences(lambda: _bptt_loss(cell, xs, ys, h0), list(cell.parameters()))
    return autograd, np.concatenate([g.ravel() for g in numeric])


@exercise("003-q5.1-tbptt-forward", source=sheet(3, "Q5.1"),
          claim="TBPTT only truncates the backward pass; the forward pass is still exact (each batch starts from the "
                "previous final hidden state), so the RNN can in theory learn dependencies longer than n")
def _():
    from deltanet.train.tbptt import detach_state, windows

    cell, xs, _, h0 = _rnn_problem(seed=51, N=12)
    n = 3
    x1 = dn.tensor(xs[0], dtype=dn.float64, requires_grad=True)
    inputs = [x1, *(array(x) for x in xs[1:])]
    h_full = array(h0)
    for x in inputs:
        h_full = cell(x, h_full)
    h_truncated = array(h0)
    for window in windows(len(xs), n):
        h_truncated = detach_state(h_truncated)                              # the backward pass stops here
        for x in inputs[window]:
            h_truncated = cell(x, h_truncated)
    forward_diff = max_abs_diff(h_full.data, h_truncated.data)
    (dh_dx1,) = dn.autograd.grad(h_full.sum(), x1)
    (reached,) = dn.autograd.grad(h_truncated.sum(), x1, allow_unused=True)
    sensitivity = float(np.linalg.norm(dh_dx1.data))
    return Outcome(
        computed=f"12 steps in windows of n = {n}: carrying the state gives h_12 exactly (max |Δ| {forward_diff:.1e}), "
                 f"and h_12 depends on x_1, 11 steps back (‖∂h_12/∂x_1‖ = {sensitivity:.2e}), while the truncated "
                 f"graph passes {'no' if reached is None else 'a'} gradient to x_1",
        value={"forward_max_diff": forward_diff, "dh12_dx1_norm": sensitivity,
               "truncated_reaches_x1": reached is not None},
        verdict=agrees_if(forward_diff == 0 and sensitivity > 0 and reached is None),
        explain="\n".join([f"nn.RNNCell(3, 4), random weights, windows {[(w.start, w.stop) for w in windows(12, n)]}",
                           f"h_12, one graph:          {fmt(h_full.data, 10)}",
                           f"h_12, windows (detached): {fmt(h_truncated.data, 10)}",
                           f"∂(Σ h_12)/∂x_1 (one graph) = {fmt(dh_dx1.data)}",
                           "an n-gram model's output cannot depend on x_1 at all; how small such derivatives get is",
                           "the practical limit (vanishing gradients) the sheet mentions"]))


@exercise("003-q5.2-bptt-recurrence", source=sheet(3, "Q5.2"),
          claim="∇_θF = Σ_n ∂F/∂h_n·∂h_n/∂θ_n = Σ_n [∂F/∂h_(n+1)·∂h_(n+1)/∂h_n + ∂F_n/∂h_n]·∂h_n/∂θ_n (reverse order)")
def _():
    cell, xs, ys, h0 = _rnn_problem(seed=52)
    gradient, dF_dh_next, jacobian_next = 0, None, None
    for immediate, jacobian, dFn_dh in reversed(_rnn_pieces(cell, xs, ys, h0)):     # n = N … 1
        dF_dh = dFn_dh if dF_dh_next is None else dF_dh_next @ jacobian_next + dFn_dh
        gradient = gradient + dF_dh @ immediate
        dF_dh_next, jacobian_next = dF_dh, jacobian
    autograd, numeric = _rnn_gradients(cell, xs, ys, h0)
    return gradient_outcome(gradient_check(gradient, autograd, numeric),
                            "∇_θF by the reverse recurrence in NumPy (nn.RNNCell(3, 4), 6 steps, 36 parameters)",
                            ["F_n = ½‖h_n − y_n‖²; ∂F/∂h_n is the total derivative, through the later steps"])


@exercise("003-q5.2-rtrl", source=sheet(3, "Q5.2, eq. (5.1)"),
          claim="∇_θF = Σ_n ∂F_n/∂h_n·∂h_n/∂θ with ∂h_n/∂θ = ∂h_n/∂θ_n + ∂h_n/∂h_(n−1)·∂h_(n−1)/∂θ "
                "(forward order: RTRL)")
def _():
    from deltanet.rtrl import RTRL

    cell, xs, ys, h0 = _rnn_problem(seed=53)
    S, gradient = np.zeros((len(h0), cell.num_parameters())), 0                     # S = ∂h_n/∂θ, ∂h_0/∂θ = 0
    for immediate, jacobian, dFn_dh in _rnn_pieces(cell, xs, ys, h0):              # n = 1 … N
        S = immediate + jacobian @ S
        gradient = gradient + dFn_dh @ S
    autograd, numeric = _rnn_gradients(cell, xs, ys, h0)
    cell.zero_grad()
    rtrl = RTRL(cell)
    rtrl.reset(1, state=h0[None])
    for x, y in zip(xs, ys):
        h = rtrl.step(x[None])
        rtrl.backward(0.5 * ((h - array(y[None])) ** 2).sum())
    value = gradient_check(gradient, autograd, numeric)
    value["rtrl_class_error"] = max_abs_diff(np.concatenate([p.grad.data.ravel() for p in cell.parameters()]), autograd)
    return gradient_outcome(value, "∇_θF by eq. (5.1) run forwards in NumPy (nn.RNNCell(3, 4), 6 steps)", [
        "S_n = ∂h_n/∂θ (4 × 36) carried forward: the gradient is complete after every step",
        f"deltanet.rtrl.RTRL (the same recurrence in the library) differs from autograd by "
        f"{value['rtrl_class_error']:.1e}"])


@exercise("003-q5.2-rtrl-cost", source=sheet(3, "Q5.2"),
          claim="∂h_n/∂θ is a |h_n| × |θ| matrix, orders of magnitude larger than BPTT's ∂h_(n+1)/∂h_n; updating it "
                "multiplies a |h_n| × |h_n| matrix by a |h_n| × |θ| one")
def _():
    from deltanet.rtrl import RTRL

    sizes = {}
    for H in (100, 1000):
        theta = nn.RNNCell(H, H).num_parameters()                 # |θ| = H·I + H² + 2H, here I = H
        sizes[str(H)] = {"theta": theta, "rtrl_sensitivity": H * theta, "bptt_jacobian": H * H,
                         "ratio": theta / H, "rtrl_multiply_adds": H * H * theta}
    small = nn.RNNCell(3, 4, dtype=dn.float64)
    held = RTRL(small).sensitivity_size
    return Outcome(
        computed="; ".join(f"|h| = {k} (and {k} inputs): |θ| = {s['theta']:,}, ∂h/∂θ holds {s['rtrl_sensitivity']:,} "
                           f"numbers against {s['bptt_jacobian']:,} in ∂h_(n+1)/∂h_n ({s['ratio']:.0f}×), "
                           f"{s['rtrl_multiply_adds']:.1e} multiply-adds per step" for k, s in sizes.items())
                 + f"; deltanet's RTRL for RNNCell(3, 4) holds {held} = 4 × {small.num_parameters()} numbers",
        value={**sizes, "rtrl_class_size": held, "rtrl_class_theta": small.num_parameters()},
        verdict=agrees_if(held == 4 * small.num_parameters() and min(s["ratio"] for s in sizes.values()) >= 100),
        explain="nn.RNNCell(I, H): W_ih (H × I), W_hh (H × H), b_ih and b_hh (H each)\n"
                + "\n".join(f"H = {k}: |θ| = {s['theta']:,}; RTRL's S_n: {s['rtrl_sensitivity']:,} numbers; BPTT's "
                            f"Jacobian: {s['bptt_jacobian']:,}; (H × H)·(H × |θ|): {s['rtrl_multiply_adds']:,} "
                            "multiply-adds" for k, s in sizes.items()))
