"""Checkable results of seed sheet 002 (`../shared/seeds/002*`): "Series 8, April 11-12, 2019 (Neural Networks)".

Problem 1  a linear MLP collapses to one layer (ω1 = ae + bf, ω2 = ce + df); XOR is not linearly separable.
Problem 2  s′ = s(1 − s); a forward pass h = (0.18, 0.14) → (0.54, 0.53), o = 0.22 → ŷ = 0.55, L = 0.81;
           MSE gradients of a one-hidden-layer sigmoid network w.r.t. output weights, hidden weights, inputs.
Problem 3  a two-channel 3×3 convolution with zero padding: 6, 14, 14, 27; ReLU; a 3×3 max-pool: 27.
Problem 4  linear vs one-hidden-layer models on blobs and circles; SGD vs batch gradient descent.

Errata: 2.3(a)'s model equation (its sum runs over j = 0…m and i = 0…d, its vector form over m terms; one
hidden layer of m units, not "m hidden layers"), 2.3(b)'s s′(Σ_i ω_ji x_i) (index j for j′). The problem's
weights (Problem 2) and K¹'s second channel (Problem 3) are in figures the sheet does not reproduce; K¹₂ is
inferred from the printed sums. `max_abs_diff` serves sheet003 too.
"""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.data import synthetic
from deltanet.exercises._common import (
    BOOL_INPUTS,
    XOR,
    array,
    finite_differences,
    fmt,
    gradient_check,
    gradient_outcome,
    linear,
    max_abs_diff,
    rounds_to,
)
from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


# ---- Problem 1: linear MLP ----------------------------------------------------------------------------------



@exercise("002-p1-collapse", source=sheet(2, "Problem 1, first part"),
          claim="o'' = e·h1 + f·h2 with h1 = a·x1 + c·x2, h2 = b·x1 + d·x2 equals o' = ω1·x1 + ω2·x2 for "
                "ω1 = ae + bf, ω2 = ce + df")
def _():
    from deltanet.construct import collapse_linear

    rng = np.random.default_rng(21)
    a, b, c, d, e, f = rng.standard_normal(6)
    two_layers = nn.Sequential(linear([[a, c], [b, d]]), linear([[e, f]]))
    omega = [float(a * e + b * f), float(c * e + d * f)]
    collapsed = collapse_linear(two_layers).linear
    x = array(rng.standard_normal((100, 2)))
    with dn.no_grad():
        diff = max_abs_diff(two_layers(x).data, linear([omega])(x).data)
    weights = collapsed.weight.data[0].tolist()
    return Outcome(
        computed=f"ω = (ae + bf, ce + df) = {fmt(omega)} = W²W¹ (dn.construct.collapse_linear); max |o'' − o'| = "
                 f"{diff:.1e} on 100 random inputs",
        value={"omega": omega, "collapsed_weight": weights, "max_abs_diff": diff},
        verdict=agrees_if(diff < 1e-12 and max_abs_diff(weights, omega) < 1e-12),
        explain="\n".join([f"a, b, c, d, e, f = {fmt([a, b, c, d, e, f])} (random, seed 21)",
                           "hidden layer W¹ = [[a, c], [b, d]], output W² = [[e, f]] (nn.Linear, no bias)",
                           f"ω = (ae + bf, ce + df) = {fmt(omega, 12)}", f"W²W¹ = {fmt(weights, 12)}",
                           f"max |o'' − o'| over 100 random x = {diff:.2e} (tolerance 1e-12)"]))


@exercise("002-p1-deep-collapse", source=sheet(2, "Problem 1, first part"),
          claim="any multilayer linear perceptron can be squeezed into a single-layer linear perceptron, so there "
                "is no gain in adding layers")
def _():
    from deltanet.construct import collapse_linear

    rng = np.random.default_rng(22)
    sizes = [3, 5, 4, 6, 2]
    deep = nn.Sequential(*(linear(rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out))
                           for n_in, n_out in zip(sizes, sizes[1:])))
    collapsed = collapse_linear(deep)
    x = array(rng.standard_normal((100, sizes[0])))
    with dn.no_grad():
        diff = max_abs_diff(deep(x).data, collapsed.linear(x).data)
    return Outcome(
        computed=f"a {'-'.join(map(str, sizes))} network with identity activations and biases equals one "
                 f"nn.Linear(3, 2), W = W⁴W³W²W¹, b = W⁴(W³(W²b¹ + b²) + b³) + b⁴ (max |Δ| {diff:.1e})",
        value={"sizes": sizes, "max_abs_diff": diff, "rank": collapsed.rank},
        verdict=agrees_if(diff < 1e-10),
        explain="\n".join([f"random layers {sizes}, z = Wx + b, identity activations",
                           f"collapsed W = {fmt(collapsed.linear.weight.data, indent=14)}",
                           f"collapsed b = {fmt(collapsed.linear.bias.data)}",
                           f"max |deep(x) − single(x)| over 100 random x = {diff:.2e} (tolerance 1e-10)",
                           "the single layer's rank is at most the narrowest width (here 2): depth adds nothing,",
                           "a narrow layer can take something away (sheet 003, Q3.2)"]))


@exercise("002-p1-xor-forced-weights", source=sheet(2, "Problem 1, second part"),
          claim="o([1, 0]) = 1 = ω1 and o([0, 1]) = 1 = ω2, however o([1, 1]) = ω1 + ω2 = 2 ≠ 0")
def _():
    neuron = linear([[1.0, 1.0]])                  # the two one-hot inputs force ω1 = ω2 = 1
    with dn.no_grad():
        o = neuron(array(BOOL_INPUTS)).data[:, 0]
    failing = BOOL_INPUTS[o != XOR].astype(int).tolist()
    return Outcome(
        computed=f"o = ω1·x1 + ω2·x2 with ω = (1, 1) on (0,0), (0,1), (1,0), (1,1): {o.tolist()} vs XOR "
                 f"{XOR.astype(int).tolist()}; wrong at {failing}",
        value={"outputs": o.tolist(), "failing_inputs": failing},
        verdict=agrees_if(o[3] == 2 and failing == [[1, 1]]),
        explain="\n".join(f"x = {x.astype(int).tolist()}: o = {v:g}, XOR = {t:g}"
                          for x, v, t in zip(BOOL_INPUTS, o, XOR)))


@exercise("002-p1-xor-not-separable", source=sheet(2, "Problem 1, second part"),
          claim="XOR outputs are not linearly separable: there are no straight lines that divide the points where "
                "XOR is 1 from those where it is 0")
def _():
    from deltanet.theory.separability import linearly_separable

    answer = linearly_separable(BOOL_INPUTS, XOR)
    certificate = None if answer.certificate is None else [float(v) for v in answer.certificate]
    return Outcome(
        computed=f"no (w, b) with w·x + b > 0 exactly on XOR's 1s: Farkas certificate λ = {certificate} (checked "
                 f"in exact arithmetic: {answer.verify()})",
        value={"separable": answer.separable, "certificate": certificate, "verified": answer.verify()},
        verdict=agrees_if(not answer.separable and answer.verify()),
        explain="\n".join(["Fourier–Motzkin elimination in exact fractions (dn.theory.separability):",
                           answer.explanation()]))


# ---- Problem 2: neural networks ------------------------------------------------------------------------------


@exercise("002-p2.1-sigmoid-derivative", source=sheet(2, "Problem 2, first part"),
          claim="s'(x) = −(−e^{−x})/(1 + e^{−x})² = s(x)·(1 − s(x))")
def _():
    x = dn.tensor(np.linspace(-10, 10, 21), dtype=dn.float64, requires_grad=True)
    s = nn.Sigmoid()(x)
    (autograd,) = dn.autograd.grad(s.sum(), x)
    (numeric,) = finite_differences(lambda: nn.Sigmoid()(x).sum(), [x])
    value = gradient_check(s.data * (1 - s.data), autograd.data, numeric)
    quotient = np.exp(-x.data) / (1 + np.exp(-x.data)) ** 2
    value["quotient_error"] = max_abs_diff(quotient, autograd.data)
    return gradient_outcome(value, "s(x)(1 − s(x)) on 21 points of [−10, 10]", [
        "d/dx (1 + e^(−x))^(−1) = −(1 + e^(−x))^(−2)·(−e^(−x)) = e^(−x)/(1 + e^(−x))² = s(x)·(1 − s(x))",
        f"the quotient e^(−x)/(1 + e^(−x))² differs from autograd by at most {value['quotient_error']:.1e}"])


@exercise("002-p2.2-weights", source=sheet(2, "Problem 2, second part"),
          claim="h1 = ω'11·x1 + ω'12·x2 = 0.18, h2 = ω'21·x1 + ω'22·x2 = 0.14, o = ω''1·out(h1) + ω''2·out(h2) = 0.22")
def _():
    return Outcome(
        computed="not checkable: the input x and the weights ω', ω'' are in the question's figure, which the sheet "
                 "does not reproduce; the numbers after them are checked from the printed h1, h2 and o",
        value=None, verdict="not checkable")


@exercise("002-p2.2-hidden-outputs", source=sheet(2, "Problem 2, second part"),
          claim="out(h1) = s(h1) = 0.54, out(h2) = s(h2) = 0.53 (h1 = 0.18, h2 = 0.14)")
def _():
    with dn.no_grad():
        a = nn.Sigmoid()(array([0.18, 0.14])).data
    return Outcome(
        computed=f"nn.Sigmoid on z = (0.18, 0.14): a = ({a[0]:.6f}, {a[1]:.6f}), i.e. ({a[0]:.2f}, {a[1]:.2f})",
        value=a.tolist(), verdict=agrees_if(rounds_to(a[0], 0.54, 0.005) and rounds_to(a[1], 0.53, 0.005)),
        explain=f"a_j = 1/(1 + e^(−z_j)): s(0.18) = {a[0]:.10f}, s(0.14) = {a[1]:.10f}\n"
                "tolerance: 2 printed decimals, |a − printed| ≤ 0.005")


@exercise("002-p2.2-prediction", source=sheet(2, "Problem 2, second part"),
          claim="ŷ = s(o) = 1/(1 + exp(−o)) = 0.55 (o = 0.22)")
def _():
    with dn.no_grad():
        y_hat = nn.Sigmoid()(array([0.22])).item()
    return Outcome(
        computed=f"nn.Sigmoid(0.22) = {y_hat:.6f}, i.e. {y_hat:.2f}",
        value=y_hat, verdict=agrees_if(rounds_to(y_hat, 0.55, 0.005)),
        explain=f"ŷ = 1/(1 + e^(−0.22)) = {y_hat:.10f}; tolerance ±0.005 (2 printed decimals)")


@exercise("002-p2.2-loss", source=sheet(2, "Problem 2, second part"),
          claim="L = −y log ŷ − (1 − y) log(1 − ŷ) = −log(1 − ŷ) = 0.81 (so y = 0)")
def _():
    with dn.no_grad():
        y_hat = nn.Sigmoid()(array([0.22]))
        loss = nn.BCELoss()(y_hat, array([0.0])).item()
        from_logit = nn.BCEWithLogitsLoss()(array([0.22]), array([0.0])).item()
    from_rounded = float(-np.log(1 - 0.55))
    return Outcome(
        computed=f"nn.BCELoss(s(0.22), y = 0) = {loss:.6f}, i.e. {loss:.2f} (nn.BCEWithLogitsLoss(0.22, 0) = "
                 f"{from_logit:.6f}); from the rounded ŷ = 0.55 it would be {from_rounded:.4f} ≈ {from_rounded:.2f}",
        value={"loss": loss, "loss_from_logit": from_logit, "loss_from_rounded_prediction": from_rounded},
        verdict=agrees_if(rounds_to(loss, 0.81, 0.005)),
        explain=f"y = 0 (the sheet drops −y log ŷ), ŷ = s(0.22) = {y_hat.item():.10f}\n"
                f"L = −log(1 − ŷ) = log(1 + e^0.22) = {loss:.10f}; tolerance ±0.005\n"
                f"−log(1 − 0.55) = {from_rounded:.6f} rounds to 0.80: the sheet carried the unrounded ŷ, correctly")


def _p2_network(seed: int, d: int = 3, m: int = 4):
    """Problem 2.3's network, with biases as x_0 = 1 and h_0 = 1: z_j = Σ_{i=0}^d ω_ji x_i, h_j = s(z_j),
    ŷ = ω_0 + Σ_{j=1}^m ω_j h_j. Returns (model, x, y, W̃ = (ω_ji) of size m × (d + 1), ω = (ω_0, …, ω_m))."""
    rng = np.random.default_rng(seed)
    W_tilde, omega = rng.standard_normal((m, d + 1)), rng.standard_normal(m + 1)
    model = nn.Sequential(linear(W_tilde[:, 1:], W_tilde[:, 0]), nn.Sigmoid(), linear(omega[None, 1:], omega[:1]))
    return model, rng.standard_normal(d), float(rng.standard_normal()), W_tilde, omega


def _p2_trace(model, x, y):
    """dn.inspect.trace with E = (ŷ − y)² (nn.MSELoss, sum over the one output)."""
    from deltanet.inspect import trace

    return trace(model, x, [y], nn.MSELoss(reduction="sum"))


def _p2_error(model, x, y) -> dn.Tensor:
    return nn.MSELoss(reduction="sum")(model(x[None]), array([[y]]))


@exercise("002-p2.3a-model", source=sheet(2, "Problem 2, 3(a)"),
          claim="for m hidden layers (h_j): ŷ = Σ_{j=0}^m ω_j s(Σ_{i=0}^d ω_ji x_i) = wᵀs(Wx) with w = (w_1, …, w_m) "
                "and x = (x_i)_{1≤i≤d}")
def _():
    model, x, _, W_tilde, omega = _p2_network(seed=31)
    m, d = W_tilde.shape[0], W_tilde.shape[1] - 1
    with dn.no_grad():
        y_net = model(array(x[None])).item()
    x_tilde = np.concatenate([[1.0], x])                    # x_0 = 1: the bias input
    corrected = float(omega[0] + omega[1:] @ _sigmoid(W_tilde @ x_tilde))
    omega_0i = np.random.default_rng(32).standard_normal(d + 1)   # the sum's j = 0 term needs a row ω_0i
    sheet_sum = float(omega[0] * _sigmoid(omega_0i @ x_tilde) + omega[1:] @ _sigmoid(W_tilde @ x_tilde))
    sheet_vector = float(omega[1:] @ _sigmoid(W_tilde[:, 1:] @ x))
    return Outcome(
        computed=f"one hidden layer of m = {m} sigmoid units with biases (nn.Linear({d}, {m}) + Sigmoid + "
                 f"nn.Linear({m}, 1)) gives ŷ = {y_net:.6f} = ω_0 + Σ_(j≥1) ω_j s(Σ_(i≥0) ω_ji x_i); the sheet's sum "
                 f"over j = 0…m gives {sheet_sum:.6f}, its wᵀs(Wx) {sheet_vector:.6f}: the two sides of its equation "
                 "differ",
        value={"network": y_net, "corrected": corrected, "sheet_sum": sheet_sum, "sheet_vector_form": sheet_vector},
        verdict=agrees_if(abs(sheet_sum - sheet_vector) < 1e-12),
        correction="one hidden layer of m units (not m hidden layers); with biases as x_0 = 1 and h_0 = 1: "
                   "ŷ = ω_0 + Σ_{j=1}^m ω_j s(Σ_{i=0}^d ω_ji x_i) = ω_0 + wᵀs(W x̃), x̃ = (1, x_1, …, x_d), "
                   "W = (ω_ji) of size m × (d + 1); without biases both sums start at 1",
        explain="\n".join([
            f"x = {fmt(x)}", f"(ω_ji), column i = 0 the biases: {fmt(W_tilde, indent=34)}",
            f"ω = (ω_0, …, ω_m) = {fmt(omega)}",
            f"deltanet network                              ŷ = {y_net:.12f}",
            f"ω_0 + Σ_(j=1)^m ω_j s(Σ_(i=0)^d ω_ji x_i)        = {corrected:.12f}",
            f"sheet Σ_(j=0)^m, h_0 = s(Σ_i ω_0i x_i) (ω_0· = {fmt(omega_0i, 3)}) = {sheet_sum:.12f}",
            f"sheet wᵀs(Wx), w = (w_1 … w_m), x = (x_1 … x_d)   = {sheet_vector:.12f}",
            "the sum has m + 1 terms and i = 0 inside s, wᵀs(Wx) has m terms and no x_0; a bias unit h_0 = 1 is not",
            "s(·) of anything (s < 1)"]))


@exercise("002-p2.3b-output-weights", source=sheet(2, "Problem 2, 3(b)"),
          claim="∂E/∂w_j' = 2(ŷ − y)·h_j' = 2(Σ_j ω_j s(Σ_i ω_ji x_i) − y)·s(Σ_i ω_j'i x_i) for E = (ŷ − y)²")
def _():
    model, x, y, W_tilde, omega = _p2_network(seed=33)
    t = _p2_trace(model, x, y)
    h = _sigmoid(W_tilde @ np.concatenate([[1.0], x]))
    y_hat = omega[0] + omega[1:] @ h
    x_t = array(x)
    (numeric,) = finite_differences(lambda: _p2_error(model, x_t, y), [model[2].weight])
    value = gradient_check(2 * (y_hat - y) * h, t.layers[1].grad_weight[0], numeric[0])
    value["bias_error"] = float(abs(2 * (y_hat - y) - t.layers[1].grad_bias[0]))   # h_0 = 1 for the bias ω_0
    return gradient_outcome(value, "∂E/∂w_j' = 2(ŷ − y)·s(z_j') for d = 3 inputs, m = 4 hidden units", [
        f"ŷ = {y_hat:.10f}, y = {y:.10f}, h = s(z) = {fmt(h)}; for the bias ω_0 (h_0 = 1) 2(ŷ − y) = "
        f"{2 * (y_hat - y):.10f}, autograd {t.layers[1].grad_bias[0]:.10f}",
        "dn.inspect.trace (deltanet's gradients are layer 2's ∂C/∂W²):", t.format("text")])


@exercise("002-p2.3b-hidden-weights", source=sheet(2, "Problem 2, 3(b)"),
          claim="∂E/∂w_j'i' = 2(ŷ − y)·ω_j'·∂h_j'/∂w_j'i', ∂h_j'/∂w_j'i' = s'(Σ_i ω_ji x_i)·x_i' = "
                "s(Σ_i ω_ji x_i)(1 − s(Σ_i ω_ji x_i))·x_i'")
def _():
    model, x, y, W_tilde, omega = _p2_network(seed=34)
    t = _p2_trace(model, x, y)
    x_tilde = np.concatenate([[1.0], x])
    h = _sigmoid(W_tilde @ x_tilde)
    y_hat = omega[0] + omega[1:] @ h
    autograd = np.column_stack([t.layers[0].grad_bias, t.layers[0].grad_weight])       # columns i' = 0 … d
    other = np.roll(h, -1)                                       # the printed s'(z_j), read with j = j' + 1
    printed = 2 * (y_hat - y) * np.outer(omega[1:] * other * (1 - other), x_tilde)
    corrected = 2 * (y_hat - y) * np.outer(omega[1:] * h * (1 - h), x_tilde)
    x_t = array(x)
    numeric = np.column_stack(finite_differences(lambda: _p2_error(model, x_t, y), [model[0].bias, model[0].weight]))
    value = gradient_check(printed, autograd, numeric)
    value["corrected_error"] = max_abs_diff(corrected, autograd)
    return gradient_outcome(
        value, "the printed s′(Σ_i ω_ji x_i), j ≠ j′ (here j = j′ + 1), d = 3, m = 4", [
            "the printed formula differentiates unit j′ but evaluates s′ at Σ_i ω_ji x_i — a free index j",
            f"with j = j′, 2(ŷ − y) ω_j′ s(z_j′)(1 − s(z_j′)) x_i′ matches autograd to {value['corrected_error']:.1e}:",
            f"  corrected           {fmt(corrected, indent=22)}", "columns i′ = 0 (biases, x_0 = 1) … d"],
        correction="∂h_j'/∂w_j'i' = s'(Σ_i ω_j'i x_i)·x_i' (index j', the unit whose weight moves), so "
                   "∂E/∂w_j'i' = 2(ŷ − y)·ω_j'·s(z_j')(1 − s(z_j'))·x_i' with z_j' = Σ_{i=0}^d ω_j'i x_i")


@exercise("002-p2.3c-input-gradient", source=sheet(2, "Problem 2, 3(c)"),
          claim="∂E/∂x_i' = 2(ŷ − y)·Σ_j ω_j s(Σ_i ω_ji x_i)(1 − s(Σ_i ω_ji x_i))·ω_ji'")
def _():
    model, x, y, W_tilde, omega = _p2_network(seed=35)
    x_t = dn.tensor(x, dtype=dn.float64, requires_grad=True)
    (autograd,) = dn.autograd.grad(_p2_error(model, x_t, y), x_t)
    (numeric,) = finite_differences(lambda: _p2_error(model, x_t, y), [x_t])
    h = _sigmoid(W_tilde @ np.concatenate([[1.0], x]))
    y_hat = omega[0] + omega[1:] @ h
    value = gradient_check(2 * (y_hat - y) * (omega[1:] * h * (1 - h)) @ W_tilde[:, 1:], autograd.data, numeric)
    return gradient_outcome(value, "∂E/∂x for d = 3 inputs, m = 4 hidden units", [
        "the final formula is right; its middle step writes ∂ŷ/∂h_j′·∂h_j′/∂x_i′ inside Σ_j (read j for j′)",
        f"ŷ − y = {y_hat - y:.10f}, h = {fmt(h)}"])


# ---- Problem 3: convolutional neural networks --------------------------------------------------------------

I1 = [[2, 3, 4, 5], [3, 5, 7, 9], [4, 7, 10, 13], [5, 9, 13, 17]]
I2 = [[3, 4, 5, 6], [4, 6, 8, 10], [5, 8, 11, 14], [6, 10, 14, 18]]
K1_1 = [[0, 1, 0], [1, -1, 1], [0, 1, 0]]
# K¹'s second channel is in a figure the sheet does not reproduce; its worked sums fix it. At (1,1) the channel-2
# bracket is −6 + 4 + 4 = −2·I₂(1,1) + I₂(1,2) + I₂(2,1); at (1,2), (2,1) and (2,2) the centre terms are
# −8 = −2·4 and −12 = −2·6 beside +1 times each 4-neighbour, and no corner term appears anywhere.
K1_2 = [[0, 1, 0], [1, -2, 1], [0, 1, 0]]
P3_POSITIONS = [(1, 1), (1, 2), (2, 1), (2, 2)]              # the sheet's (i', j'), 1-based


def _conv(kernel) -> nn.Conv2d:
    """A bias-free 3×3 convolution with zero padding 1 holding `kernel` (out, in, 3, 3)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    conv = nn.Conv2d(kernel.shape[1], kernel.shape[0], 3, padding=1, bias=False, dtype=dn.float64)
    conv.weight.data[...] = kernel
    return conv


def _p3_maps() -> dict[str, np.ndarray]:
    """I ⋆ K¹ (4×4) and its channel parts I_c ⋆ K¹_c."""
    image = np.array([I1, I2], dtype=np.float64)[None]
    with dn.no_grad():
        maps = {"both": _conv([[K1_1, K1_2]])(array(image)).data[0, 0]}
        for c, kernel in enumerate((K1_1, K1_2)):
            maps[f"channel{c + 1}"] = _conv([[kernel]])(array(image[:, c:c + 1])).data[0, 0]
    return maps


def _at_positions(grid: np.ndarray) -> list[float]:
    return [float(grid[i - 1, j - 1]) for i, j in P3_POSITIONS]


@exercise("002-p3.1-output-shape", source=sheet(2, "Problem 3, 1."),
          claim="two 2-channel filters K¹, K² (3×3, zero padding) on the 4×4 2-channel image give a 4×4 "
                "2-channel image")
def _():
    conv = nn.Conv2d(2, 2, 3, padding=1, dtype=dn.float64)
    with dn.no_grad():
        shape = list(conv(array(np.zeros((1, 2, 4, 4)))).shape)
    return Outcome(
        computed=f"nn.Conv2d(2, 2, 3, padding=1) maps a (1, 2, 4, 4) image to {tuple(shape)}",
        value=shape, verdict=agrees_if(shape == [1, 2, 4, 4]),
        explain="K_c^l indexed −k…k with k = 1 is 3×3; zero padding by k keeps 4×4 at stride 1\n"
                f"output (batch, channels, height, width) = {tuple(shape)}")


@exercise("002-p3.3-channel-sums", source=sheet(2, "Problem 3, 3."),
          claim="(1,1): (−2 + 3 + 3) + (−6 + 4 + 4); (1,2), (2,1): (−3 + 2 + 4 + 5) + (−8 + 3 + 5 + 6); (2,2): "
                "(−5 + 3 + 3 + 7 + 7) + (−12 + 4 + 4 + 8 + 8) — channel parts 4 + 2, 8 + 6, 8 + 6, 15 + 12")
def _():
    maps = _p3_maps()
    ch1, ch2 = _at_positions(maps["channel1"]), _at_positions(maps["channel2"])
    return Outcome(
        computed=f"I₁ ⋆ K¹₁ = {ch1} and, with K¹₂ = {K1_2} inferred from the printed terms, I₂ ⋆ K¹₂ = {ch2} at "
                 "(1,1), (1,2), (2,1), (2,2)",
        value={"channel1": ch1, "channel2": ch2, "K1_2": K1_2},
        verdict=agrees_if(ch1 == [4, 8, 8, 15] and ch2 == [2, 6, 6, 12]),
        explain="\n".join([f"K¹₁ = {K1_1} (printed)",
                           f"K¹₂ = {K1_2} (not printed; centre −2, 4-neighbours +1, corners 0: read off the terms "
                           "of the four sums)",
                           f"I₁ ⋆ K¹₁ = {fmt(maps['channel1'], indent=11)}",
                           f"I₂ ⋆ K¹₂ = {fmt(maps['channel2'], indent=11)}"]))


@exercise("002-p3.3-conv-values", source=sheet(2, "Problem 3, 3."),
          claim="(I⋆K¹)_(1,1) = 6, (I⋆K¹)_(1,2) = 14, (I⋆K¹)_(2,1) = 14, (I⋆K¹)_(2,2) = 27")
def _():
    grid = _p3_maps()["both"]
    values = _at_positions(grid)
    return Outcome(
        computed=f"nn.Conv2d(2, 1, 3, padding=1) with K¹ = (K¹₁, K¹₂): {values} at (1,1), (1,2), (2,1), (2,2)",
        value={"values": values, "map": grid.tolist()},
        verdict=agrees_if(values == [6, 14, 14, 27]),
        explain="(I ⋆ K¹)_(i′,j′) = Σ_c Σ_(−1≤i,j≤1) (I_c)_(i′+i, j′+j) (K¹_c)_(i,j), zero outside the image:\n"
                f"{fmt(grid)}\n(integers, exact in float64)")


@exercise("002-p3.4-relu", source=sheet(2, "Problem 3, 4."),
          claim="all pixel values happen to be non-negative, hence applying ReLU doesn't change the values")
def _():
    z = _p3_maps()["both"]
    with dn.no_grad():
        a = nn.ReLU()(array(z)).data
    return Outcome(
        computed=f"every value of I ⋆ K¹ is ≥ 0 (the smallest is {z.min():g}, at (4,4)), so ReLU(I ⋆ K¹) = I ⋆ K¹; "
                 "K² is not given, so filter 2 cannot be checked",
        value={"min": float(z.min()), "changed_by_relu": int(np.sum(a != z))},
        verdict=agrees_if(z.min() >= 0 and np.array_equal(a, z)),
        explain=f"I ⋆ K¹ = {fmt(z, indent=9)}\nReLU(I ⋆ K¹) = {fmt(a, indent=15)}")


@exercise("002-p3.5-maxpool", source=sheet(2, "Problem 3, 5."),
          claim="max_(−1≤i',j'≤1) ReLU(I⋆K^l)_(1+i', 1+j') = max(0, 6, 14, 27) = 27")
def _():
    z = _p3_maps()["both"]
    with dn.no_grad():
        pooled = nn.MaxPool2d(3, stride=1, padding=1)(nn.ReLU()(array(z[None, None]))).data[0, 0]
    return Outcome(
        computed=f"nn.MaxPool2d(3, stride=1, padding=1) of ReLU(I ⋆ K¹) at (1,1) = {pooled[0, 0]:g}",
        value={"pooled_1_1": float(pooled[0, 0]), "pooled": pooled.tolist()},
        verdict=agrees_if(pooled[0, 0] == 27),
        explain="the window at (1,1) covers rows and columns 0…2; inside the image: 6, 14, 14, 27. The sheet's 0\n"
                "is the zero padding; deltanet (as PyTorch) pads a max-pool with −∞ — the same here, all values ≥ 0\n"
                f"pooled map = {fmt(pooled, indent=13)}")


# ---- Problem 4: the TensorFlow notebook's questions, as small deltanet experiments --------------------------


def _init(model: nn.Module, seed: int) -> nn.Module:
    """Weights and biases ~ U(−1/√fan_in, 1/√fan_in) from a local generator (the global RNG is untouched)."""
    rng = np.random.default_rng(seed)
    for layer in model:
        if isinstance(layer, nn.Linear):
            bound = 1 / np.sqrt(layer.in_features)
            for p in layer.parameters():
                p.data[...] = rng.uniform(-bound, bound, p.shape)
    return model


def _classifier(hidden: int | None, seed: int) -> nn.Sequential:
    """2 inputs → 1 logit: logistic regression (hidden None) or one hidden ReLU layer."""
    layers = [nn.Linear(2, 1)] if hidden is None else [nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 1)]
    return _init(nn.Sequential(*layers).double(), seed)


def _bce(model, X, y) -> dn.Tensor:
    return nn.BCEWithLogitsLoss()(model(array(X)), array(y[:, None]))


def _accuracy(model, X, y) -> float:
    with dn.no_grad():
        return float(np.mean((model(array(X)).data[:, 0] > 0) == (y == 1)))


def _fit(model, X, y, steps: int = 500, lr: float = 0.05) -> nn.Module:
    """Full-batch Adam on the binary cross-entropy of the logit."""
    optimizer = dn.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        _bce(model, X, y).backward()
        optimizer.step()
    return model


def _circles():
    return synthetic.circles(200, noise=0.05, factor=0.5, seed=0)


@exercise("002-p4-blobs-linear", source=sheet(2, "Problem 4, first answer"),
          claim="the linear model fits blobs properly because the dataset is linearly separable")
def _():
    X, y = synthetic.blobs(200, centers=np.array([[-3.0, -3.0], [3.0, 3.0]]), seed=0)
    accuracy = _accuracy(_fit(_classifier(None, seed=41), X, y), X, y)
    return Outcome(
        computed=f"logistic regression (nn.Linear(2, 1), BCEWithLogitsLoss, 500 Adam steps) on 200 blob points: "
                 f"training accuracy {accuracy:.1%}",
        value=accuracy, verdict=agrees_if(accuracy == 1.0),
        explain="blobs: two Gaussian clusters (σ = 1) at (−3, −3) and (3, 3), 100 points each (dn.data.synthetic, "
                f"seed 0); one linear unit separates them: accuracy {accuracy:.4f}")


@exercise("002-p4-circles-linear", source=sheet(2, "Problem 4, second answer"),
          claim="circles is not linearly separable, so a simple linear model is not expressive enough")
def _():
    from deltanet.theory.separability import linearly_separable

    X, y = _circles()
    accuracy = _accuracy(_fit(_classifier(None, seed=42), X, y), X, y)
    # Five points of the data already defeat every line: the outer points nearest the angles 0, π/2, π, 3π/2
    # span a square around the innermost inner point.
    outer, inner = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    angle = np.arctan2(X[outer, 1], X[outer, 0]) % (2 * np.pi)
    corners = [outer[np.argmin(np.abs((angle - a + np.pi) % (2 * np.pi) - np.pi))] for a in np.pi / 2 * np.arange(4)]
    centre = inner[np.argmin(np.linalg.norm(X[inner], axis=1))]
    rows = [int(i) for i in (*corners, centre)]
    answer = linearly_separable(X[rows].astype(np.float64), y[rows])
    return Outcome(
        computed=f"logistic regression reaches {accuracy:.1%} training accuracy on 200 circle points; no line exists: "
                 f"4 outer points and 1 inner point of the data are already not separable (Farkas certificate, "
                 f"verified exactly: {answer.verify()})",
        value={"linear_accuracy": accuracy, "subset_separable": answer.separable, "verified": answer.verify()},
        verdict=agrees_if(not answer.separable and answer.verify() and accuracy < 0.75),
        explain="\n".join(["circles: outer ring radius 1 (label 0), inner ring radius 0.5 (label 1), noise 0.05, "
                           "seed 0",
                           f"trained nn.Linear(2, 1), 500 Adam steps: accuracy {accuracy:.4f}",
                           f"points {rows} (dn.theory.separability, exact fractions):", answer.explanation()]))


@exercise("002-p4-circles-hidden", source=sheet(2, "Problem 4, third answer"),
          claim="a hidden layer with non-linear activations (e.g. ReLU) helps: one hidden layer with 10–100 neurons is "
                "enough for circles")
def _():
    X, y = _circles()
    accuracy = {str(n): _accuracy(_fit(_classifier(n, seed=43), X, y), X, y) for n in (10, 100)}
    return Outcome(
        computed=f"2-10-1 and 2-100-1 ReLU networks (500 Adam steps) reach training accuracy {accuracy['10']:.1%} and "
                 f"{accuracy['100']:.1%} on circles",
        value=accuracy, verdict=agrees_if(min(accuracy.values()) == 1.0),
        explain="nn.Linear(2, n) + ReLU + nn.Linear(n, 1), BCEWithLogitsLoss, full-batch Adam (lr 0.05), 200 points\n"
                + "\n".join(f"n = {n}: accuracy {a:.4f}" for n, a in accuracy.items()))


@exercise("002-p4-sgd-vs-gd", source=sheet(2, "Problem 4, fourth answer"),
          claim="SGD converges faster than batch GD: more weight updates per epoch at a much lower cost each")
def _():
    X, y = _circles()
    epochs, batch, lr = 20, 10, 0.5
    rng = np.random.default_rng(44)
    losses = {}
    for name, size in (("sgd", batch), ("batch_gd", len(X))):
        model = _classifier(10, seed=45)                      # the same initial weights for both
        optimizer = dn.optim.SGD(model.parameters(), lr=lr)
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), size):
                rows = order[start:start + size]
                optimizer.zero_grad()
                _bce(model, X[rows], y[rows]).backward()
                optimizer.step()
        with dn.no_grad():
            losses[name] = _bce(model, X, y).item()
    return Outcome(
        computed=f"after {epochs} epochs (every example's gradient computed {epochs} times in both): mini-batch SGD "
                 f"(batch {batch}, {epochs * len(X) // batch} updates) reaches loss {losses['sgd']:.4f}, batch GD "
                 f"({epochs} updates) {losses['batch_gd']:.4f}",
        value=losses, verdict=agrees_if(losses["sgd"] < losses["batch_gd"]),
        explain=f"2-10-1 ReLU network on circles (200 points), same initial weights, plain SGD with η = {lr}\n"
                f"training loss (binary cross-entropy) after {epochs} epochs: SGD {losses['sgd']:.6f}, "
                f"batch GD {losses['batch_gd']:.6f}")


@exercise("002-p4-sgd-noise", source=sheet(2, "Problem 4, fourth answer"),
          claim="gradient noise lets SGD escape sharp local minima and converge to wider ones (implicit "
                "regularisation); SGD reduces parallelism, tackled by sufficiently large mini-batches")
def _():
    return Outcome(
        computed="not checkable: statements about loss landscapes and hardware with no experiment or number the "
                 "sheet specifies",
        value=None, verdict="not checkable")
