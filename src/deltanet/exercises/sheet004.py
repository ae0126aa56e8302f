"""Checkable results of seed sheet 004 (`../shared/seeds/004*`): S. Sikdar's solutions to the exercises of
Nielsen's *Neural Networks and Deep Learning* — perceptrons and sigmoid neurons (ch. 1), the four
backpropagation equations (ch. 2), cross-entropy and softmax (ch. 3), bumps and towers (ch. 4), vanishing
gradients and the LSTM (ch. 5).

Layers are numbered as in the sheet (and the book): layer 1 is the input, a¹ = x, and w^l — n_l rows,
n_{l−1} columns, w^l_jk from neuron k of layer l − 1 to neuron j of layer l — is the `weight` of the
(l − 1)-th `nn.Linear`. Every network is float64. The sheet's formulas are written out literally in NumPy
(`_sheet_*`) and compared with what deltanet computes (autograd) and with central differences. The data
behind the entries (`perceptron_example`, `backprop_example`, `bce_example`, `softmax_example`,
`chain_example`, `lstm_example`) is public, so that tests can recompute each value with their own oracles.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.exercises._common import finite_differences, linear, max_abs_diff
from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet

AUTOGRAD_TOL = 1e-12    # formula vs autograd: both exact up to float64 rounding
NUMERICAL_TOL = 1e-8    # formula vs central differences (ε = 1e-6, error O(ε²) + rounding/ε)


# ---- helpers ---------------------------------------------------------------------------------------------


def _t(x, requires_grad: bool = False):
    """A float64 tensor holding a copy of x."""
    return dn.tensor(np.asarray(x, dtype=np.float64), dtype=dn.float64, requires_grad=requires_grad)



def _network(ws, bs, activation, c: float = 1.0) -> nn.Sequential:
    """Linear layers holding c·w^l and c·b^l, each followed by `activation()`."""
    layers = []
    for w, b in zip(ws, bs):
        layers += [linear(c * np.asarray(w), c * np.asarray(b)), activation()]
    return nn.Sequential(*layers)


def _perceptron() -> nn.Step:
    """Nielsen's perceptron output: 1 if w·x + b > 0, else 0 (so 0 at w·x + b = 0)."""
    return nn.Step(at_zero=0.0)


def _outputs(model, x) -> np.ndarray:
    with dn.no_grad():
        return model(_t(x)).numpy()


def _sigma(z):
    """σ(z) = 1/(1 + e⁻ᶻ) in NumPy (for the sheet's formulas)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _sigma_prime(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    s = _sigma(z)
    return s * (1.0 - s)



def _fmt(x, precision: int = 6) -> str:
    """Numbers for the explain texts."""
    return np.array2string(np.asarray(x, dtype=np.float64), precision=precision, max_line_width=100,
                           separator=", ")



def _formula_verdict(autograd_diff: float, numerical_diff: float) -> str:
    return agrees_if(autograd_diff < AUTOGRAD_TOL and numerical_diff < NUMERICAL_TOL)


def _formula_lines(autograd_diff: float, numerical_diff: float) -> list[str]:
    return [f"max |formula − autograd|            = {autograd_diff:.2e}  (tolerance {AUTOGRAD_TOL:g})",
            f"max |formula − central differences| = {numerical_diff:.2e}  (tolerance {NUMERICAL_TOL:g})"]


# ---- chapter 1: perceptrons, sigmoid neurons, the binary output layer, gradient descent ----------------


def perceptron_example():
    """A 4-5-3-2 network with N(0, 1) weights and biases, and its inputs: the 16 binary 4-vectors and 48
    N(0, 1) ones (64 in all)."""
    rng = np.random.default_rng(11)
    sizes = (4, 5, 3, 2)
    ws = [rng.standard_normal((n, m)) for m, n in zip(sizes, sizes[1:])]
    bs = [rng.standard_normal(n) for n in sizes[1:]]
    binary = ((np.arange(16)[:, None] >> np.arange(4)) & 1).astype(np.float64)
    return ws, bs, np.vstack([binary, rng.standard_normal((48, 4))])


def _weighted_inputs(model, x) -> list[np.ndarray]:
    """z = w·a + b of every Linear layer of `model` on the inputs x."""
    zs, a = [], _t(x)
    with dn.no_grad():
        for module in model:
            a = module(a)
            if isinstance(module, nn.Linear):
                zs.append(a.numpy().copy())
    return zs


@exercise("004-ex1.1-scaling", source=sheet(4, "Exercise 1.1"),
          claim="multiplying all weights and biases of a network of perceptrons by c > 0 does not change its "
                "behaviour")
def _():
    ws, bs, x = perceptron_example()
    reference = _outputs(_network(ws, bs, _perceptron), x)
    cs = [1e-3, 0.5, 7.0, 1e4, -1.0]
    changed = [int(np.sum(np.any(_outputs(_network(ws, bs, _perceptron, c), x) != reference, axis=1)))
               for c in cs]
    lines = ["a 4-5-3-2 network of perceptrons (w, b ~ N(0, 1)), 64 inputs (16 binary, 48 N(0, 1));",
             "every perceptron fires iff c(w·x + b) > 0, which for c > 0 is iff w·x + b > 0:"]
    lines += [f"  c = {c:>8g}: {n:2d} of {len(x)} inputs give a different output" for c, n in zip(cs, changed)]
    lines.append("(c = −1 is outside the claim: it shows the check can see a change)")
    return Outcome(computed=f"outputs unchanged on all {len(x)} inputs for c = 0.001, 0.5, 7, 10⁴ "
                            f"(c = −1 changes {changed[-1]})",
                   verdict=agrees_if(not any(changed[:-1])),
                   value={"c": cs, "changed_inputs": changed, "inputs": len(x)}, explain="\n".join(lines))


@exercise("004-ex1.2-sigmoid-limit", source=sheet(4, "Exercise 1.2"),
          claim="with every w·x + b ≠ 0, a network of sigmoid neurons with weights and biases ×c behaves as the "
                "perceptron network as c → ∞")
def _():
    ws, bs, x = perceptron_example()
    perceptrons = _outputs(_network(ws, bs, _perceptron), x)
    margin = min(float(np.min(np.abs(z))) for z in _weighted_inputs(_network(ws, bs, _perceptron), x))
    cs = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5]
    gaps = [max_abs_diff(_outputs(_network(ws, bs, nn.Sigmoid, c), x), perceptrons) for c in cs]
    lines = ["the network and inputs of 004-ex1.1-scaling, perceptrons replaced by sigmoid neurons;",
             f"smallest |w·x + b| of any perceptron on any input: {margin:.3e}",
             "max over inputs and outputs of |sigmoid network − perceptron network|:"]
    lines += [f"  c = {c:>8g}: {g:.3e}" for c, g in zip(cs, gaps)]
    converges = all(g1 >= g2 for g1, g2 in zip(gaps, gaps[1:])) and gaps[-1] < 1e-12
    return Outcome(computed=f"max |σ-network − perceptron network| = {gaps[0]:.3g} at c = 1, {gaps[-1]:.1e} at "
                            f"c = 10⁵ (smallest |w·x + b| = {margin:.2g})",
                   verdict=agrees_if(converges), value={"c": cs, "max_gap": gaps, "min_abs_z": margin},
                   explain="\n".join(lines))


@exercise("004-ex1.2-zero-input", source=sheet(4, "Exercise 1.2"),
          claim="if w·x + b = 0 the sigmoid neuron is stuck at 1/2 for every c while the perceptron outputs 0, "
                "and the network may behave differently")
def _():
    cs = [1.0, 100.0, 1e4]
    x = np.array([[1.0, 1.0]])
    neuron = ([[1.0, -1.0]], [0.0])        # w·x + b = 1 − 1 + 0 = 0
    reader = ([[1.0]], [-0.25])            # a second neuron reading it: fires iff its input > 1/4
    sigmoid = [float(_outputs(_network(*zip(neuron), nn.Sigmoid, c), x)[0, 0]) for c in cs]
    sigmoid_net = [float(_outputs(_network(*zip(neuron, reader), nn.Sigmoid, c), x)[0, 0]) for c in cs]
    perceptron = float(_outputs(_network(*zip(neuron), _perceptron), x)[0, 0])
    perceptron_net = float(_outputs(_network(*zip(neuron, reader), _perceptron), x)[0, 0])
    lines = ["neuron w = (1, −1), b = 0 on x = (1, 1): w·x + b = 0",
             f"  σ(c·0) for c = {cs}: {sigmoid};  perceptron: {perceptron:g}",
             "a second neuron w = 1, b = −1/4 reading it (a two-layer network):",
             f"  sigmoid network, c = {cs}: {_fmt(sigmoid_net)};  perceptron network: {perceptron_net:g}",
             "σ(c(1/2 − 1/4)) → 1 while the perceptron network stays at 0: the limit network differs"]
    stuck = all(s == 0.5 for s in sigmoid) and perceptron == 0.0
    return Outcome(computed=f"σ(c·0) = 0.5 for c = 1, 100, 10⁴; perceptron 0; a network reading it outputs "
                            f"{sigmoid_net[-1]:.3g} (sigmoid, c = 10⁴) vs {perceptron_net:g} (perceptrons)",
                   verdict=agrees_if(stuck and abs(sigmoid_net[-1] - perceptron_net) > 0.5),
                   value={"c": cs, "sigmoid": sigmoid, "perceptron": perceptron, "sigmoid_network": sigmoid_net,
                          "perceptron_network": perceptron_net},
                   explain="\n".join(lines))


# Exercise 1.3: the 10 → 4 layer from the old output layer (digit neurons 0…9) to the bits 0' (least
# significant) … 3' (most significant): w_ij = +1 if digit i has bit j set, else −1; b_j = 0.
PRINTED_BIT_DIGITS = ((1, 3, 5, 7, 9), (2, 3, 6, 7, 9))   # the sheet's digit sets for 0' and 1'


def bit_digits(bit: int) -> tuple[int, ...]:
    """The digits 0…9 whose binary code has `bit` set (bit 0 = least significant)."""
    return tuple(k for k in range(10) if k >> bit & 1)


def _encoder(digit_sets, c: float = 1.0) -> nn.Sequential:
    """The sheet's binary output layer: w_ij = +c if digit i is in bit j's set, else −c; b_j = 0; sigmoid."""
    w = np.array([[1.0 if i in digits else -1.0 for i in range(10)] for digits in digit_sets])
    return nn.Sequential(linear(c * w, np.zeros(len(digit_sets))), nn.Sigmoid())


def _z_extremes(w: np.ndarray, k: int) -> tuple[float, float]:
    """min and max of z = w·x over the sheet's old-output-layer activations for digit k:
    x_k ∈ [0.99, 1], x_i ∈ [0, 0.01] for i ≠ k (a box, so each coordinate is taken at its own extreme)."""
    lo, hi = np.zeros(10), np.full(10, 0.01)
    lo[k], hi[k] = 0.99, 1.0
    return float(np.sum(np.minimum(w * lo, w * hi))), float(np.sum(np.maximum(w * lo, w * hi)))


def _admissible_vertices() -> tuple[np.ndarray, np.ndarray]:
    """Every corner of the activation boxes of 004-ex1.3-margin: for each digit k, x_k ∈ {0.99, 1} and
    x_i ∈ {0, 0.01} (i ≠ k) — 10 × 2¹⁰ inputs — and the digit of each."""
    corners = ((np.arange(1024)[:, None] >> np.arange(10)) & 1).astype(np.float64)
    xs = []
    for k in range(10):
        x = 0.01 * corners
        x[:, k] = 0.99 + 0.01 * corners[:, k]
        xs.append(x)
    return np.vstack(xs), np.repeat(np.arange(10), 1024)


def _decode(a: np.ndarray) -> list[int]:
    """The number each row of bit outputs (0' first) stands for, reading a > 1/2 as 1."""
    return [int(n) for n in (a > 0.5).astype(int) @ (1 << np.arange(a.shape[1]))]


@exercise("004-ex1.3-margin", source=sheet(4, "Exercise 1.3"),
          claim="with w_i0 = +1 for i ∈ {1,3,5,7,9}, −1 otherwise and b_0 = 0: z_0 > 0.99 − 9×0.01 = 0.90 for "
                "an odd digit and z_0 < −0.99 + 9×0.01 = −0.90 for an even one")
def _():
    w = _encoder(PRINTED_BIT_DIGITS[:1])[0].weight.data[0]
    extremes = [_z_extremes(w, k) for k in range(10)]
    z_min_odd = [extremes[k][0] for k in range(1, 10, 2)]
    z_max_even = [extremes[k][1] for k in range(0, 10, 2)]
    bound = 0.99 - 9 * 0.01
    lines = ["z_0 = Σ_i w_i0 x_i over x_k ∈ [0.99, 1] (digit k), x_i ∈ [0, 0.01] (i ≠ k):"]
    lines += [f"  digit {k}: z_0 ∈ [{lo:+.4f}, {hi:+.4f}]" for k, (lo, hi) in enumerate(extremes)]
    lines += [f"the sheet's bound 0.99 − 9×0.01 = {bound:.2f} counts all 9 other neurons as −0.01; only the 5 "
              "with weight −1 can lower z_0, so the tight bound is 0.99 − 5×0.01 = 0.94 (and −0.94)"]
    holds = min(z_min_odd) > bound - 1e-12 and max(z_max_even) < -bound + 1e-12
    return Outcome(computed=f"worst case over the allowed activations: z_0 ≥ {min(z_min_odd):.2f} (odd digits), "
                            f"z_0 ≤ {max(z_max_even):.2f} (even digits) — the ±0.90 bounds hold (not tight)",
                   verdict=agrees_if(holds),
                   value={"bound": bound, "z_min_odd": z_min_odd, "z_max_even": z_max_even},
                   explain="\n".join(lines))


@exercise("004-ex1.3-weights-for-activations", source=sheet(4, "Exercise 1.3"),
          claim="\"if the third layer represents k ∈ {1,3,5,7,9}, we would have w_k0 > 0.99 and w_j0 < 0.01 for "
                "all j ≠ k\"")
def _():
    w = _encoder(PRINTED_BIT_DIGITS[:1])[0].weight.data[0]
    holds = [bool(w[k] > 0.99 and all(w[j] < 0.01 for j in range(10) if j != k)) for k in range(10)]
    x = np.where(np.arange(10) == 1, 0.99, 0.005)           # digit 1: 0.99 at 1, 0.005 elsewhere
    lines = [f"the printed weights into 0': w_i0 = {_fmt(w, 0)} (i = 0…9)",
             "\"w_k0 > 0.99 and w_j0 < 0.01 for all j ≠ k\" holds for k = "
             f"{[k for k in range(10) if holds[k]] or 'none'}: e.g. k = 1 has w_30 = +1 ≥ 0.01",
             "the bound z_0 > 0.99 − 9×0.01 needs it of the old output layer's activations x, as the exercise "
             f"assumes them: e.g. x = 0.99 at k = 1, 0.005 elsewhere gives z_0 = {float(w @ x):.3f}"]
    return Outcome(computed="with the printed weights (±1) the statement holds for no digit k",
                   verdict="erratum" if not any(holds) else "agrees", value={"w_0": w.tolist(), "holds": holds},
                   correction="x_k > 0.99 and x_j < 0.01 for all j ≠ k — the activations x_i of the old output "
                              "layer, not the weights w_i0 (which are ±1)",
                   explain="\n".join(lines))


@exercise("004-ex1.3-bit1", source=sheet(4, "Exercise 1.3"),
          claim="\"the second most significant bit 1' must be a 1 for the digits 2, 3, 6, 7, 9\": w_21 = w_31 = "
                "w_61 = w_71 = w_91 = +1, the rest −1, b_1 = 0")
def _():
    printed = _encoder([*PRINTED_BIT_DIGITS, bit_digits(2), bit_digits(3)], c=10.0)
    corrected = _encoder([bit_digits(b) for b in range(4)], c=10.0)
    x = np.where(np.eye(10) == 1, 0.99, 0.005)             # digit k: 0.99 at k, 0.005 elsewhere
    decoded_printed, decoded_corrected = _decode(_outputs(printed, x)), _decode(_outputs(corrected, x))
    failing = [k for k in range(10) if decoded_printed[k] != k]
    lines = ["layer 10 → 4 (bits 0' … 3', 0' least significant), weights ×10, sigmoid; bits 0' and 1' as printed, "
             "2' and 3' by the same rule (digits {4,5,6,7} and {8,9}); input for digit k: 0.99 at k, 0.005 elsewhere",
             f"  decoded (printed 1'):   {decoded_printed}",
             f"  decoded (1' corrected): {decoded_corrected}",
             f"bit 1' (value 2) is set for the digits {list(bit_digits(1))}: 9 = 1001₂ has it clear, so w_91 = +1 "
             "turns 9 into 1011₂ = 11; and 1' is the second least significant bit (0' is the least)"]
    return Outcome(computed=f"with the printed weights digit(s) {failing} decode wrongly "
                            f"({', '.join(f'{k} → {decoded_printed[k]}' for k in failing)}); all 10 decode with "
                            "1' set for {2, 3, 6, 7}",
                   verdict=agrees_if(not failing),
                   value={"decoded_printed": decoded_printed, "failing": failing,
                          "decoded_corrected": decoded_corrected, "bit1_digits": list(bit_digits(1))},
                   correction="1' is the second least significant bit (value 2); it is 1 for the digits 2, 3, 6, 7 "
                              "only: w_21 = w_31 = w_61 = w_71 = +1 and w_91 = −1 like the other digits",
                   explain="\n".join(lines))


@exercise("004-ex1.3-scale", source=sheet(4, "Exercise 1.3"),
          claim="multiplying these weights by a large positive constant makes the sigmoid bits output 1 for the "
                "digits with the bit set and 0 for the others")
def _():
    w = _encoder([bit_digits(b) for b in range(4)])[0].weight.data
    margins = [min(_z_extremes(w[j], k)[0] if k in bit_digits(j) else -_z_extremes(w[j], k)[1] for k in range(10))
               for j in range(4)]
    margin = min(margins)
    c_min = math.log(99) / margin                            # σ(c·margin) ≥ 0.99
    x, digits = _admissible_vertices()
    target = (digits[:, None] >> np.arange(4)) & 1
    cs = [1.0, 5.1]
    errors = [max_abs_diff(_outputs(_encoder([bit_digits(b) for b in range(4)], c), x), target) for c in cs]
    lines = ["the four bit neurons (1' corrected, see 004-ex1.3-bit1), b = 0; worst |z| over the allowed "
             "activations (x_k ∈ [0.99, 1], others ∈ [0, 0.01]) per bit 0' … 3': " + _fmt(margins, 2),
             f"every bit is within 0.01 of its target iff σ(c·{margin:.2f}) ≥ 0.99, i.e. c ≥ ln 99/{margin:.2f} = "
             f"{c_min:.3f}",
             f"max |output − bit| over all {len(x)} corners of the allowed activations:"]
    lines += [f"  c = {c:g}: {e:.4f}" for c, e in zip(cs, errors)]
    return Outcome(computed=f"worst-case margin |z| = {margin:.2f}; c ≥ {c_min:.2f} puts every bit within 0.01 "
                            f"(max error {errors[0]:.3f} at c = 1, {errors[1]:.4f} at c = 5.1)",
                   verdict=agrees_if(errors[1] <= 0.01 < errors[0]),
                   value={"margins": margins, "c_min": c_min, "c": cs, "max_error": errors},
                   explain="\n".join(lines))


@exercise("004-ex1.4-steepest-descent", source=sheet(4, "Exercise 1.4"),
          claim="under ‖Δv‖ = ε, Δv = −η∇C with η = ε/‖∇C‖ minimises ∇C·Δv; the minimum is −ε‖∇C‖ "
                "(Cauchy–Schwarz)")
def _():
    ws, bs, x, y = backprop_example()
    model = _network(ws, bs, nn.Sigmoid)
    params = list(model.parameters())

    def cost():
        return nn.QuadraticLoss()(model(_t(x)), _t(y))

    gradient = np.concatenate([g.numpy().ravel() for g in dn.autograd.grad(cost(), params)])
    eps = 1e-3
    step = -eps * gradient / np.linalg.norm(gradient)
    directions = np.random.default_rng(14).standard_normal((20000, gradient.size))
    randoms = eps * directions / np.linalg.norm(directions, axis=1, keepdims=True) @ gradient
    before = float(cost().item())
    offsets = np.cumsum([0] + [p.data.size for p in params])
    for p, start, stop in zip(params, offsets, offsets[1:]):
        p.data += step[start:stop].reshape(p.shape)
    delta_c = float(cost().item()) - before
    bound = -eps * float(np.linalg.norm(gradient))
    lines = [f"C = quadratic cost of the §2 network (backprop_example), v = its {gradient.size} weights and biases",
             f"‖∇C‖ = {np.linalg.norm(gradient):.6f} (autograd), ε = {eps:g}",
             f"∇C·Δv at Δv = −ε∇C/‖∇C‖: {float(gradient @ step):.9e};  −ε‖∇C‖ = {bound:.9e}",
             f"over 20000 random Δv with ‖Δv‖ = ε: min ∇C·Δv = {randoms.min():.9e} (none below −ε‖∇C‖)",
             f"the actual change C(v + Δv) − C(v) = {delta_c:.9e} (first order: −ε‖∇C‖)",
             "note: the solution writes \"Δv_i := −ε·∇C/‖∇C‖ for all i\"; componentwise it is "
             "Δv_i = −ε (∂C/∂v_i)/‖∇C‖"]
    optimal = abs(float(gradient @ step) - bound) < 1e-15 and randoms.min() >= bound
    return Outcome(computed=f"∇C·Δv = −ε‖∇C‖ = {bound:.4e} at Δv = −ε∇C/‖∇C‖; 20000 random directions of "
                            f"length ε reach at best {randoms.min():.4e}",
                   verdict=agrees_if(optimal),
                   value={"epsilon": eps, "grad_norm": float(np.linalg.norm(gradient)),
                          "gradient_step": float(gradient @ step), "bound": bound,
                          "best_random": float(randoms.min()), "delta_c": delta_c},
                   explain="\n".join(lines))


# ---- chapter 2: the four backpropagation equations ------------------------------------------------------


def backprop_example(batch: int | None = None):
    """The network of the §2 and ch. 3 entries in the sheet's numbering: sizes (3, 5, 4, 2) — layer 1 is the
    input, L = 4 — weights w^l (n_l × n_{l−1}) and biases b^l ~ N(0, 1) for l = 2, 3, 4, an input x ~ U(0, 1)³
    and a target y ~ U(0, 1)². With `batch` = m: m inputs (m, 3) and targets (m, 2) instead.
    Returns (ws, bs, x, y), ws[0] = w², bs[0] = b²."""
    rng = np.random.default_rng(2021)
    sizes = (3, 5, 4, 2)
    ws = [rng.standard_normal((n, m)) for m, n in zip(sizes, sizes[1:])]
    bs = [rng.standard_normal(n) for n in sizes[1:]]
    shape = () if batch is None else (batch,)
    return ws, bs, rng.uniform(size=(*shape, sizes[0])), rng.uniform(size=(*shape, sizes[-1]))


@dataclass(frozen=True)
class _Backprop:
    """One example's backprop, keyed by layer l = 2 … L (a[1] = x): z^l, a^l, δ^l, ∂C/∂a^l, ∂C/∂b^l, ∂C/∂w^l."""

    z: dict
    a: dict
    delta: dict
    dC_da: dict
    dC_db: dict
    dC_dw: dict


def _sheet_backprop(ws, bs, x, y) -> _Backprop:
    """The sheet's algorithm for one example and C = ½‖y − a^L‖², in NumPy, equation by equation:
        (a)   z^l = w^l a^{l−1} + b^l,  a^l = σ(z^l)                 l = 2 … L
        (2.2) δ^L = diag(σ'(z^L_1), …, σ'(z^L_k)) ∇_a C,   ∇_a C = a^L − y
        (2.5) ∂C/∂a^l = (w^{l+1})ᵀ δ^{l+1}
        (2.3) δ^l = diag(σ'(z^l_1), …, σ'(z^l_p)) (w^{l+1})ᵀ δ^{l+1}      l = L − 1, …, 2
        (2.7) ∂C/∂b^l = δ^l
        (2.8) ∂C/∂w^l_jk = a^{l−1}_k δ^l_j"""
    L = len(ws) + 1
    w, b = dict(zip(range(2, L + 1), ws)), dict(zip(range(2, L + 1), bs))
    z, a = {}, {1: np.asarray(x, dtype=np.float64)}
    for l in range(2, L + 1):
        z[l] = w[l] @ a[l - 1] + b[l]
        a[l] = _sigma(z[l])
    dC_da = {L: a[L] - y}
    delta = {L: np.diag(_sigma_prime(z[L])) @ dC_da[L]}
    for l in range(L - 1, 1, -1):
        dC_da[l] = w[l + 1].T @ delta[l + 1]
        delta[l] = np.diag(_sigma_prime(z[l])) @ w[l + 1].T @ delta[l + 1]
    return _Backprop(z=z, a=a, delta=delta, dC_da=dC_da, dC_db=dict(delta),
                     dC_dw={l: np.outer(delta[l], a[l - 1]) for l in delta})


def _quadratic(a, y):
    """C = 1/(2n) Σ_x ‖y − a^L‖² (Nielsen's quadratic cost)."""
    return nn.QuadraticLoss()(a, y)


def _cross_entropy(a, y):
    """C = −1/n Σ_x Σ_j [y_j ln a_j^L + (1 − y_j) ln(1 − a_j^L)] (the sheet's C(x) summed over j, mean over x)."""
    return nn.BCELoss(reduction="sum")(a, y) / a.shape[0]


def _autograd_backprop(ws, bs, x, y, cost) -> _Backprop:
    """The same quantities from deltanet for a batch x (n, in): nn.Linear + nn.Sigmoid layers, C = cost(a^L, y),
    C.backward(); δ^l = z^l.grad and ∂C/∂a^l = a^l.grad (retained, shape (n, n_l)), ∂C/∂w^l and ∂C/∂b^l the
    parameters' .grad."""
    layers = list(_network(ws, bs, nn.Sigmoid))
    linears = layers[0::2]
    z, a = {}, {1: _t(x)}
    for l, (layer, sigmoid) in enumerate(zip(linears, layers[1::2]), start=2):
        z[l] = layer(a[l - 1]).retain_grad()
        a[l] = sigmoid(z[l]).retain_grad()
    cost(a[len(linears) + 1], _t(y)).backward()
    ls = range(2, len(linears) + 2)
    return _Backprop(z={l: z[l].numpy() for l in ls}, a={l: a[l].numpy() for l in a},
                     delta={l: z[l].grad.numpy() for l in ls}, dC_da={l: a[l].grad.numpy() for l in ls},
                     dC_db={l: m.bias.grad.numpy() for l, m in zip(ls, linears)},
                     dC_dw={l: m.weight.grad.numpy() for l, m in zip(ls, linears)})


def _numerical_backprop(ws, bs, x, y, cost) -> tuple[dict, dict]:
    """(∂C/∂w^l, ∂C/∂b^l) by central differences of C, keyed by l = 2 … L."""
    model = _network(ws, bs, nn.Sigmoid)
    linears = list(model)[0::2]
    grads = finite_differences(lambda: cost(model(_t(x)), _t(y)),
                                 [p for m in linears for p in (m.weight, m.bias)])
    ls = range(2, len(linears) + 2)
    return dict(zip(ls, grads[0::2])), dict(zip(ls, grads[1::2]))


@functools.cache
def _chapter2():
    """The sheet's backprop, deltanet's, and central differences on `backprop_example()` (quadratic cost)."""
    ws, bs, x, y = backprop_example()
    auto = _autograd_backprop(ws, bs, x[None], y[None], _quadratic)
    return _sheet_backprop(ws, bs, x, y), auto, _numerical_backprop(ws, bs, x[None], y[None], _quadratic)


def _per_layer(values: dict) -> dict:
    return {str(l): np.asarray(v).ravel().tolist() for l, v in sorted(values.items())}


@exercise("004-s2.1-shapes", source=sheet(4, "§2.1 notation and (2.3)"),
          claim="w^l has as many rows as neurons in layer l and as many columns as in layer l − 1; in (2.3) "
                "diag(σ'(z^l)) is p×p, w^{l+1} q×p and δ^{l+1} q×1, so δ^l is p×1")
def _():
    ws, bs, x, y = backprop_example()
    sizes = [len(x)] + [len(b) for b in bs]
    linears = list(_network(ws, bs, nn.Sigmoid))[0::2]
    w_shapes = {str(l): list(m.weight.shape) for l, m in enumerate(linears, start=2)}
    sheet_bp = _chapter2()[0]
    eq = {}
    for l in range(2, len(sizes)):
        diag, w_next = np.diag(_sigma_prime(sheet_bp.z[l])), ws[l - 1]
        delta_next = sheet_bp.delta[l + 1][:, None]
        eq[str(l)] = {"diag": list(diag.shape), "w": list(w_next.shape), "delta_next": list(delta_next.shape),
                      "delta": list((diag @ w_next.T @ delta_next).shape)}
    expected_w = {str(l): [sizes[l - 1], sizes[l - 2]] for l in range(2, len(sizes) + 1)}
    expected_eq = {str(l): {"diag": [sizes[l - 1]] * 2, "w": [sizes[l], sizes[l - 1]], "delta_next": [sizes[l], 1],
                            "delta": [sizes[l - 1], 1]} for l in range(2, len(sizes))}
    lines = [f"layer sizes n_1 … n_4 = {sizes} (layer 1 = input)",
             "nn.Linear weight shapes: " + ", ".join(f"w^{l}: {tuple(s)}" for l, s in w_shapes.items())]
    lines += [f"(2.3) at l = {l}: diag {tuple(e['diag'])} · (w^{int(l) + 1})ᵀ of w {tuple(e['w'])} · δ^{int(l) + 1} "
              f"{tuple(e['delta_next'])} → δ^{l} {tuple(e['delta'])}" for l, e in eq.items()]
    return Outcome(computed="w^l is n_l × n_{l−1} (" + ", ".join(f"w^{l} {tuple(s)}" for l, s in w_shapes.items())
                            + "); (2.3) gives p×1 for δ^l",
                   verdict=agrees_if(w_shapes == expected_w and eq == expected_eq),
                   value={"sizes": sizes, "w_shapes": w_shapes, "eq_2_3": eq}, explain="\n".join(lines))


@exercise("004-s2.1-bp1", source=sheet(4, "§2.1 Step I (2.1)–(2.2)"),
          claim="δ^L = diag(σ'(z^L_1), …, σ'(z^L_k)) ∇_a C with ∂C/∂a^L_j = a^L_j − y_j for C = ½‖y − a^L‖²")
def _():
    sheet_bp, auto, (_, num_db) = _chapter2()
    L = max(sheet_bp.delta)
    d_auto, d_num = max_abs_diff(sheet_bp.delta[L], auto.delta[L][0]), max_abs_diff(sheet_bp.delta[L], num_db[L])
    d_da = max_abs_diff(sheet_bp.dC_da[L], auto.dC_da[L][0])
    from deltanet.inspect import trace

    ws, bs, x, y = backprop_example()
    network = trace(_network(ws, bs, nn.Sigmoid), x, y, nn.QuadraticLoss()).format("text")
    lines = [f"z^L = {_fmt(sheet_bp.z[L])}, a^L = {_fmt(sheet_bp.a[L])}",
             f"∇_a C = a^L − y = {_fmt(sheet_bp.dC_da[L])} (autograd a^L.grad differs by {d_da:.1e})",
             f"δ^L = diag(σ'(z^L)) ∇_a C = {_fmt(sheet_bp.delta[L])}",
             f"autograd z^L.grad          = {_fmt(auto.delta[L][0])}",
             "central differences use ∂C/∂b^L = ∂C/∂z^L (z^L = w^L a^{L−1} + b^L)"]
    trace_lines = ["", "the whole example by dn.inspect.trace (its layers 1, 2, 3 are the sheet's 2, 3, 4: the sheet "
                   "numbers the input as layer 1):", network]
    return Outcome(computed=f"δ^L = {_fmt(sheet_bp.delta[L], 6)} equals autograd's ∂C/∂z^L",
                   verdict=_formula_verdict(max(d_auto, d_da), d_num),
                   value={"delta_L": sheet_bp.delta[L].tolist(), "max_diff_autograd": max(d_auto, d_da),
                          "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(max(d_auto, d_da), d_num) + trace_lines))


@exercise("004-s2.1-bp2", source=sheet(4, "§2.1 Step II (2.3)–(2.6)"),
          claim="∂C/∂a^l_j = Σ_k δ^{l+1}_k w^{l+1}_kj (2.5) and δ^l = diag(σ'(z^l)) (w^{l+1})ᵀ δ^{l+1} (2.3)")
def _():
    sheet_bp, auto, (_, num_db) = _chapter2()
    hidden = sorted(set(sheet_bp.delta) - {max(sheet_bp.delta)})
    d_auto = max(max(max_abs_diff(sheet_bp.delta[l], auto.delta[l][0]),
                     max_abs_diff(sheet_bp.dC_da[l], auto.dC_da[l][0])) for l in hidden)
    d_num = max(max_abs_diff(sheet_bp.delta[l], num_db[l]) for l in hidden)
    lines = []
    for l in reversed(hidden):
        lines += [f"l = {l}: ∂C/∂a^{l} = (w^{l + 1})ᵀ δ^{l + 1} = {_fmt(sheet_bp.dC_da[l])}",
                  f"       δ^{l} = diag(σ'(z^{l})) (w^{l + 1})ᵀ δ^{l + 1} = {_fmt(sheet_bp.delta[l])}",
                  f"       autograd z^{l}.grad = {_fmt(auto.delta[l][0])}"]
    return Outcome(computed="δ^3, δ^2 and ∂C/∂a^3, ∂C/∂a^2 from (2.3), (2.5) equal autograd's "
                            f"(max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"delta": _per_layer({l: sheet_bp.delta[l] for l in hidden}),
                          "dC_da": _per_layer({l: sheet_bp.dC_da[l] for l in hidden}),
                          "max_diff_autograd": d_auto, "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-s2.1-bp3", source=sheet(4, "§2.1 Step III (2.7)"),
          claim="∂C/∂b^l_j = δ^l_j")
def _():
    sheet_bp, auto, (_, num_db) = _chapter2()
    d_auto = max(max_abs_diff(sheet_bp.dC_db[l], auto.dC_db[l]) for l in sheet_bp.dC_db)
    d_num = max(max_abs_diff(sheet_bp.dC_db[l], num_db[l]) for l in sheet_bp.dC_db)
    lines = [f"l = {l}: δ^{l} = {_fmt(sheet_bp.delta[l])};  b^{l}.grad = {_fmt(auto.dC_db[l])}"
             for l in sorted(sheet_bp.delta)]
    return Outcome(computed=f"∂C/∂b^l = δ^l for l = 2, 3, 4 (max diff to autograd {d_auto:.1e}, to central "
                            f"differences {d_num:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"dC_db": _per_layer(sheet_bp.dC_db), "max_diff_autograd": d_auto,
                          "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-s2.1-bp4", source=sheet(4, "§2.1 Step IV (2.8)"),
          claim="∂C/∂w^l_jk = a^{l−1}_k δ^l_j")
def _():
    sheet_bp, auto, (num_dw, _) = _chapter2()
    d_auto = max(max_abs_diff(sheet_bp.dC_dw[l], auto.dC_dw[l]) for l in sheet_bp.dC_dw)
    d_num = max(max_abs_diff(sheet_bp.dC_dw[l], num_dw[l]) for l in sheet_bp.dC_dw)
    lines = [f"l = {l}: δ^{l} (a^{l - 1})ᵀ, a {sheet_bp.dC_dw[l].shape} matrix; max |− w^{l}.grad| = "
             f"{max_abs_diff(sheet_bp.dC_dw[l], auto.dC_dw[l]):.1e}" for l in sorted(sheet_bp.dC_dw)]
    lines.append(f"∂C/∂w^4 = {_fmt(sheet_bp.dC_dw[4])}")
    lines.append("(Step IV's sum Σ_{i=1}^p runs over layer l − 1, whose size Step II called something else)")
    return Outcome(computed=f"∂C/∂w^l = δ^l (a^{{l−1}})ᵀ for l = 2, 3, 4 (max diff to autograd {d_auto:.1e}, to "
                            f"central differences {d_num:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"dC_dw": _per_layer(sheet_bp.dC_dw), "max_diff_autograd": d_auto,
                          "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-s2.2-backprop-range", source=sheet(4, "§2.2 step 1(c)"),
          claim="\"Backprop. For L − 1 ≤ l ≤ 2, δ^l(x) = ((w^{l+1})ᵀ δ^{l+1}(x)) ⊙ σ'(z^l(x))\"")
def _():
    def printed(L):
        return [l for l in range(2, L + 1) if L - 1 <= l <= 2]

    def needed(L):
        return list(range(L - 1, 1, -1))

    depths = [3, 4, 5]
    lines = [f"L = {L}: the printed range gives l ∈ {printed(L)}, the hidden layers are l = {needed(L)}"
             for L in depths]
    lines.append("for the §2 network (L = 4) the printed loop never computes δ^3, δ^2, so step (d) has no ∂C/∂w^3, "
                 "∂C/∂w^2; run for l = 3, 2 it gives the δ^3, δ^2 of 004-s2.1-bp2")
    return Outcome(computed="the range L − 1 ≤ l ≤ 2 is empty for L ≥ 4 (" +
                            ", ".join(f"L = {L}: {printed(L)}" for L in depths) + ")",
                   verdict=agrees_if(all(printed(L) == needed(L) for L in depths)),
                   value={"printed": {str(L): printed(L) for L in depths},
                          "needed": {str(L): needed(L) for L in depths}},
                   correction="for l = L − 1, L − 2, …, 2 (L − 1 ≥ l ≥ 2, counting down, as step 2's L ≥ l ≥ 2)",
                   explain="\n".join(lines))


@exercise("004-s2.2-sgd-update", source=sheet(4, "§2.2 step 2"),
          claim="a mini-batch of m examples updates w^l → w^l − η/m Σ_x δ^l(x)(a^{l−1}(x))ᵀ and "
                "b^l → b^l − η/m Σ_x δ^l(x)")
def _():
    eta, m = 3.0, 5
    ws, bs, x, y = backprop_example(batch=m)
    per_example = [_sheet_backprop(ws, bs, x_, y_) for x_, y_ in zip(x, y)]
    L = len(ws) + 1
    sheet_w = {l: ws[l - 2] - eta / m * sum(bp.dC_dw[l] for bp in per_example) for l in range(2, L + 1)}
    sheet_b = {l: bs[l - 2] - eta / m * sum(bp.dC_db[l] for bp in per_example) for l in range(2, L + 1)}
    model = _network(ws, bs, nn.Sigmoid)
    optimizer = dn.optim.SGD(model.parameters(), lr=eta)
    nn.QuadraticLoss()(model(_t(x)), _t(y)).backward()
    optimizer.step()
    linears = list(model)[0::2]
    d_w = max(max_abs_diff(sheet_w[l], m_.weight.numpy()) for l, m_ in enumerate(linears, start=2))
    d_b = max(max_abs_diff(sheet_b[l], m_.bias.numpy()) for l, m_ in enumerate(linears, start=2))
    lines = [f"m = {m} examples of the §2 network, η = {eta:g}; the sheet's update with the per-example "
             "backprop of 004-s2.1-bp*, against one dn.optim.SGD(lr=η) step on nn.QuadraticLoss "
             "(C = 1/(2m) Σ_x ‖y − a^L‖²)",
             f"b^4 after the step: sheet {_fmt(sheet_b[L])}, deltanet {_fmt(linears[-1].bias.numpy())}",
             f"max |difference| weights {d_w:.1e}, biases {d_b:.1e} (tolerance {AUTOGRAD_TOL:g})"]
    return Outcome(computed=f"the sheet's update equals one SGD step on the mean quadratic cost (max diff "
                            f"{max(d_w, d_b):.1e})",
                   verdict=agrees_if(max(d_w, d_b) < AUTOGRAD_TOL),
                   value={"eta": eta, "m": m, "w": _per_layer(sheet_w), "b": _per_layer(sheet_b),
                          "max_diff": max(d_w, d_b)},
                   explain="\n".join(lines))


# ---- chapter 3: cross-entropy and softmax ---------------------------------------------------------------


def bce_example():
    """a ~ U(0.05, 0.95)⁶ and y ~ U(0, 1)⁶ for Exercise 3.1 (m = 6)."""
    rng = np.random.default_rng(31)
    return rng.uniform(0.05, 0.95, 6), rng.uniform(size=6)


@exercise("004-ex3.1-gradient", source=sheet(4, "Exercise 3.1"),
          claim="for C = −1/m Σ_i [y_i ln a_i + (1 − y_i) ln(1 − a_i)]: ∂C/∂a_i = 1/m · (a_i − y_i)/(a_i(1 − a_i))")
def _():
    a, y = bce_example()
    m = len(a)
    formula = (a - y) / (a * (1 - a)) / m
    a_t = _t(a, requires_grad=True)
    (autograd,) = dn.autograd.grad(nn.BCELoss()(a_t, _t(y)), [a_t])
    (numerical,) = finite_differences(lambda: nn.BCELoss()(a_t, _t(y)), [a_t])
    d_auto, d_num = max_abs_diff(formula, autograd.numpy()), max_abs_diff(formula, numerical)
    lines = [f"a = {_fmt(a)}", f"y = {_fmt(y)}", f"formula  = {_fmt(formula)}",
             f"autograd = {_fmt(autograd.numpy())}  (nn.BCELoss, mean over the m = {m} terms)"]
    return Outcome(computed=f"∂C/∂a = {_fmt(formula, 4)}, as autograd (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"a": a.tolist(), "y": y.tolist(), "dC_da": formula.tolist(), "max_diff_autograd": d_auto,
                          "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-ex3.1-minimum", source=sheet(4, "Exercise 3.1"),
          claim="the cross-entropy is minimised when a_i = σ(z_i) = y_i for all i; the minimum is the binary "
                "entropy H(y) (Figure 3.1)")
def _():
    _, y = bce_example()
    y_t = _t(y)
    a_t = _t(y, requires_grad=True)
    c_min = nn.BCELoss()(a_t, y_t)
    (gradient,) = dn.autograd.grad(c_min, [a_t])
    entropy = float(np.mean(-(y * np.log(y) + (1 - y) * np.log(1 - y))))
    grid = np.linspace(1e-4, 1 - 1e-4, 9999)                 # C is a sum of one term per a_i: scan each
    with dn.no_grad():
        terms = nn.BCELoss(reduction="none")(_t(np.repeat(grid[:, None], len(y), 1)),
                                             _t(np.broadcast_to(y, (len(grid), len(y))))).numpy()
        h_half = float(nn.BCELoss()(_t([0.5]), _t([0.5])).item())
    argmin = grid[np.argmin(terms, axis=0)]
    lines = [f"y = {_fmt(y)}",
             f"∇_a C at a = y (autograd): max |·| = {np.max(np.abs(gradient.numpy())):.1e}",
             f"C(a = y) = {float(c_min.item()):.12f};  mean H(y_i) = {entropy:.12f}",
             f"grid argmin of each term of C over a ∈ (0, 1), step 1e-4: {_fmt(argmin, 4)}",
             f"H(1/2) = {h_half:.6f} = ln 2, the peak of Figure 3.1",
             "for y_i ∈ {0, 1} the gradient never vanishes on (0, 1): the infimum 0 is only approached as σ(z) → y"]
    found = (np.max(np.abs(gradient.numpy())) < 1e-12 and abs(float(c_min.item()) - entropy) < 1e-12
             and max_abs_diff(argmin, y) <= 1e-4)
    return Outcome(computed=f"∇C = 0 at a = y, C(y) = mean H(y) = {entropy:.6f}, and a grid scan finds the minimum "
                            "at y (to 1e-4)",
                   verdict=agrees_if(found),
                   value={"y": y.tolist(), "grad_at_y": float(np.max(np.abs(gradient.numpy()))),
                          "c_min": float(c_min.item()), "mean_entropy": entropy, "argmin": argmin.tolist(),
                          "entropy_half": h_half},
                   explain="\n".join(lines))


@exercise("004-ex3.2-output-notation", source=sheet(4, "Exercise 3.2"),
          claim="\"a^L_j = σ(z^L_j) = Σ_k w^L_jk a^{L−1}_k + b^L_j\"")
def _():
    ws, bs, x, y = backprop_example()
    auto = _autograd_backprop(ws, bs, x[None], y[None], _cross_entropy)
    L = max(auto.z)
    weighted = ws[-1] @ auto.a[L - 1][0] + bs[-1]
    lines = [f"last layer of the §2 network: Σ_k w^L_jk a^{{L−1}}_k + b^L_j = {_fmt(weighted)} = z^L (deltanet "
             f"{_fmt(auto.z[L][0])})",
             f"σ(z^L) = a^L = {_fmt(auto.a[L][0])}: the printed chain equates a^L with z^L"]
    return Outcome(computed=f"σ(z^L) = {_fmt(auto.a[L][0], 4)} but Σ_k w_jk a_k + b_j = {_fmt(weighted, 4)}",
                   verdict=agrees_if(max_abs_diff(auto.a[L][0], weighted) < 1e-12),
                   value={"sigma_z": auto.a[L][0].tolist(), "weighted_input": weighted.tolist()},
                   correction="a^L_j = σ(z^L_j) with z^L_j = Σ_k w^L_jk a^{L−1}_k + b^L_j",
                   explain="\n".join(lines))


@exercise("004-ex3.2-delta", source=sheet(4, "Exercise 3.2"),
          claim="for C(x) = −Σ_j [y_j ln a^L_j + (1 − y_j) ln(1 − a^L_j)]: ∂C/∂z^L_j = (−y_j/a_j + (1 − y_j)/(1 − a_j))"
                " σ'(z_j) = a^L_j − y_j, since σ'(z^L_j) = a^L_j(1 − a^L_j)")
def _():
    ws, bs, x, y = backprop_example()
    auto = _autograd_backprop(ws, bs, x[None], y[None], _cross_entropy)
    _, num_db = _numerical_backprop(ws, bs, x[None], y[None], _cross_entropy)
    L = max(auto.z)
    z, a = auto.z[L][0], auto.a[L][0]
    steps = {"first line": (-y / a + (1 - y) / (1 - a)) * _sigma_prime(z),
             "second line": (-y + y * a + a - y * a) / (a * (1 - a)) * _sigma_prime(z),
             "a − y": a - y}
    d_auto = max(max_abs_diff(v, auto.delta[L][0]) for v in steps.values())
    d_num = max(max_abs_diff(v, num_db[L]) for v in steps.values())
    d_sigma = max_abs_diff(_sigma_prime(z), a * (1 - a))
    lines = [f"{name:>11}: {_fmt(v)}" for name, v in steps.items()]
    lines += [f"   autograd: {_fmt(auto.delta[L][0])}  (z^L.grad, nn.BCELoss summed over j)",
              f"max |σ'(z^L) − a^L(1 − a^L)| = {d_sigma:.1e}"]
    return Outcome(computed=f"δ^L = a^L − y = {_fmt(a - y, 4)}; each line of the derivation equals autograd's "
                            f"∂C/∂z^L (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(max(d_auto, d_sigma), d_num),
                   value={"delta_L": (a - y).tolist(), "max_diff_autograd": max(d_auto, d_sigma),
                          "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(max(d_auto, d_sigma), d_num)))


def _output_weight_gradient(cost, formula, label: str, claim_formula: str) -> Outcome:
    """∂C/∂w^L over a batch of 5 examples of the §2 network: `formula(a^L, y, z^L, a^{L−1})` (per example,
    averaged) against autograd and central differences for the cost `cost`."""
    ws, bs, x, y = backprop_example(batch=5)
    auto = _autograd_backprop(ws, bs, x, y, cost)
    num_dw, _ = _numerical_backprop(ws, bs, x, y, cost)
    L = max(auto.z)
    sheet_dw = np.mean([formula(a, y_, z, a_prev) for a, y_, z, a_prev in
                        zip(auto.a[L], y, auto.z[L], auto.a[L - 1])], axis=0)
    d_auto, d_num = max_abs_diff(sheet_dw, auto.dC_dw[L]), max_abs_diff(sheet_dw, num_dw[L])
    lines = [f"n = 5 examples of the §2 network, {label}", f"{claim_formula} =", _fmt(sheet_dw),
             "w^L.grad (autograd) =", _fmt(auto.dC_dw[L])]
    return Outcome(computed=f"∂C/∂w^L = {claim_formula} equals autograd's (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"dC_dw": sheet_dw.tolist(), "max_diff_autograd": d_auto, "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-ex3.2-weights", source=sheet(4, "Exercise 3.2"),
          claim="for C = 1/n Σ_x C(x) (cross-entropy): ∂C/∂w^L_jk = 1/n Σ_x a^{L−1}_k (a^L_j − y_j)")
def _():
    return _output_weight_gradient(_cross_entropy, lambda a, y, z, a_prev: np.outer(a - y, a_prev),
                                   "C = −1/n Σ_x Σ_j [y ln a + (1 − y) ln(1 − a)]", "1/n Σ_x (a^L − y)(a^{L−1})ᵀ")


@exercise("004-ex3.2-quadratic", source=sheet(4, "Exercise 3.2"),
          claim="with the quadratic cost ½(y_j − a^L_j)² instead: ∂C/∂w^L_jk = 1/n Σ_x a^{L−1}_k (a^L_j − y_j) "
                "σ'(z^L_j)")
def _():
    return _output_weight_gradient(_quadratic, lambda a, y, z, a_prev: np.outer((a - y) * _sigma_prime(z), a_prev),
                                   "C = 1/(2n) Σ_x Σ_j (y_j − a_j)²", "1/n Σ_x ((a^L − y) ⊙ σ'(z^L))(a^{L−1})ᵀ")


@exercise("004-s3.1.1-derivation", source=sheet(4, "§3.1.1 (3.1)–(3.3)"),
          claim="∂C/∂a = (a − y)/(a(1 − a)) = 1/(1 − a) − y(1/(1 − a) + 1/a); integrating, C = −[(1 − y) ln(1 − a) "
                "+ y ln a] + const, which gives ∂C/∂w_j = x_j(a − y) and ∂C/∂b = a − y")
def _():
    a, y = np.meshgrid(np.linspace(0.01, 0.99, 50), np.linspace(0, 1, 11))
    a, y = a.ravel(), y.ravel()
    quotient = (a - y) / (a * (1 - a))
    split = 1 / (1 - a) - y * (1 / (1 - a) + 1 / a)
    a_t = _t(a, requires_grad=True)
    (integral_slope,) = dn.autograd.grad(-((1 - _t(y)) * dn.log(1 - a_t) + _t(y) * dn.log(a_t)).sum(), [a_t])
    rng = np.random.default_rng(311)
    w, b, x, target = rng.standard_normal((1, 3)), rng.standard_normal(1), rng.standard_normal(3), rng.uniform()
    neuron = linear(w, b)
    a_out = dn.sigmoid(neuron(_t(x[None])))
    nn.BCELoss()(a_out, _t([[target]])).backward()
    a_val = float(a_out.item())
    diffs = {"quotient vs split": max_abs_diff(quotient, split),
             "dC/da of the integral vs quotient": max_abs_diff(integral_slope.numpy(), quotient),
             "(3.1) dC/dw vs x(a − y)": max_abs_diff(neuron.weight.grad.numpy()[0], x * (a_val - target)),
             "(3.2) dC/db vs a − y": max_abs_diff(neuron.bias.grad.numpy(), [a_val - target])}
    lines = [f"on a grid of {a.size} (a, y) with a ∈ [0.01, 0.99], y ∈ [0, 1]:"]
    lines += [f"  max |{name}| = {d:.1e}" for name, d in diffs.items()]
    lines.append(f"(3.1)–(3.2) checked on one sigmoid neuron with 3 inputs: a = {a_val:.6f}, y = {target:.6f}, "
                 f"w.grad = {_fmt(neuron.weight.grad.numpy()[0])}")
    worst = max(diffs.values())
    return Outcome(computed=f"both forms of ∂C/∂a agree; the integral's slope is (a − y)/(a(1 − a)); the neuron's "
                            f"∂C/∂w = x(a − y), ∂C/∂b = a − y (max diff {worst:.1e})",
                   verdict=agrees_if(worst < 1e-9), value={"max_diff": diffs}, explain="\n".join(lines))


def softmax_example():
    """a^{L−1} ~ U(0, 1)⁵, w^L, b^L ~ N(0, 1) with J = 4 softmax outputs, and the class r = 2 (y_r = 1)."""
    rng = np.random.default_rng(32)
    return rng.uniform(size=5), rng.standard_normal((4, 5)), rng.standard_normal(4), 2


def _softmax_autograd():
    """(z^L, ∂C/∂b^L, ∂C/∂w^L) from deltanet: nn.Linear and nn.CrossEntropyLoss (C = −ln a_r^L), plus
    the central differences of C in b^L and w^L."""
    a_prev, w, b, r = softmax_example()
    layer = linear(w, b)

    def cost():
        return nn.CrossEntropyLoss()(layer(_t(a_prev[None])), np.array([r]))

    cost().backward()
    num_dw, num_db = finite_differences(cost, [layer.weight, layer.bias])
    with dn.no_grad():
        z = layer(_t(a_prev)).numpy()
    return z, layer.bias.grad.numpy(), layer.weight.grad.numpy(), num_db, num_dw


@exercise("004-s3.2-softmax-bias", source=sheet(4, "§3.2 (3.4)–(3.6)"),
          claim="for C = −ln a^L_r: ∂C/∂b^L_r = −(1/a_r)[e^{z_r}/Σ − (e^{z_r}/Σ)²] = −1 + a_r (3.4), "
                "∂C/∂b^L_j = −(1/a_r)[0 − e^{z_r}e^{z_j}/Σ²] = a_j for j ≠ r (3.5), i.e. a_j − y_j (3.6)")
def _():
    a_prev, w, b, r = softmax_example()
    z, auto_db, _, num_db, _ = _softmax_autograd()
    e = np.exp(z)
    total = e.sum()
    a = e / total
    y = np.eye(len(z))[r]
    printed = np.array([-(1 / a[r]) * (e[r] / total - (e[r] / total) ** 2) if j == r
                        else -(1 / a[r]) * (0 - e[r] * e[j] / total ** 2) for j in range(len(z))])
    simplified = np.array([-1 + a[r] if j == r else a[j] for j in range(len(z))])
    d_auto = max(max_abs_diff(v, auto_db) for v in (printed, simplified, a - y))
    d_num = max(max_abs_diff(v, num_db) for v in (printed, simplified, a - y))
    lines = [f"z^L = {_fmt(z)}, a^L = softmax(z^L) = {_fmt(a)}, r = {r}",
             f"(3.4)/(3.5) brackets = {_fmt(printed)}", f"−1 + a_r / a_j     = {_fmt(simplified)}",
             f"(3.6) a − y         = {_fmt(a - y)}", f"autograd b^L.grad   = {_fmt(auto_db)}  (nn.CrossEntropyLoss)"]
    return Outcome(computed=f"∂C/∂b^L = a − y = {_fmt(a - y, 4)} in all three forms, as autograd (max diff "
                            f"{d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"dC_db": (a - y).tolist(), "max_diff_autograd": d_auto, "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-s3.2-softmax-weights", source=sheet(4, "§3.2 (3.7)"),
          claim="for C = −ln a^L_r with softmax outputs: ∂C/∂w^L_jk = a^{L−1}_k (a^L_j − y_j)")
def _():
    a_prev, w, b, r = softmax_example()
    z, _, auto_dw, _, num_dw = _softmax_autograd()
    formula = np.outer(np.exp(z) / np.exp(z).sum() - np.eye(len(z))[r], a_prev)
    d_auto, d_num = max_abs_diff(formula, auto_dw), max_abs_diff(formula, num_dw)
    lines = [f"a^{{L−1}} = {_fmt(a_prev)}, r = {r}", "(a^L − y)(a^{L−1})ᵀ =", _fmt(formula),
             "autograd w^L.grad =", _fmt(auto_dw)]
    return Outcome(computed=f"∂C/∂w^L = (a^L − y)(a^{{L−1}})ᵀ, as autograd (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"dC_dw": formula.tolist(), "max_diff_autograd": d_auto, "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


def _softmax_limit(z, cs) -> list[list[float]]:
    """a = e^{c z_j}/Σ_i e^{c z_i} for each c (nn.Softmax with temperature 1/c)."""
    return [_outputs(nn.Softmax(dim=-1, temperature=1 / c), z).tolist() for c in cs]


@exercise("004-ex3.3-limit", source=sheet(4, "Exercise 3.3"),
          claim="as c → ∞, a^L_j = e^{c z_j}/Σ_i e^{c z_i} → 1 if z_j is the maximum and → 0 otherwise")
def _():
    z = np.random.default_rng(33).standard_normal(5)
    cs = [1.0, 10.0, 100.0, 1000.0]
    limits = _softmax_limit(z, cs)
    one_hot = np.eye(len(z))[np.argmax(z)]
    gaps = [max_abs_diff(a, one_hot) for a in limits]
    lines = [f"z = {_fmt(z)} (unique maximum at j = {int(np.argmax(z))})"]
    lines += [f"  c = {c:>6g}: a = [{', '.join(f'{v:.3g}' for v in a)}]   max |a − one-hot| = {g:.2e}"
              for c, a, g in zip(cs, limits, gaps)]
    return Outcome(computed=f"max |a − one-hot(argmax z)| = {gaps[0]:.3f} (c = 1) → {gaps[-1]:.1e} (c = 1000)",
                   verdict=agrees_if(gaps[-1] < 1e-12 and all(g1 > g2 for g1, g2 in zip(gaps, gaps[1:]))),
                   value={"z": z.tolist(), "c": cs, "a": limits, "max_gap": gaps}, explain="\n".join(lines))


@exercise("004-ex3.3-ties", source=sheet(4, "Exercise 3.3"),
          claim="\"the denominator in any case approaches 1 … a^L_j = 1 if z^L_j is the maximum and a^L_j = 0 "
                "otherwise\"")
def _():
    z = np.array([1.0, 3.0, 3.0, 0.0])
    cs = [1.0, 10.0, 1000.0]
    limits = _softmax_limit(z, cs)
    lines = [f"z = {_fmt(z)}: the maximum 3 is attained at j = 1 and j = 2"]
    lines += [f"  c = {c:>6g}: a = {_fmt(a, 6)}" for c, a in zip(cs, limits)]
    lines.append("the denominator 1 + Σ_{i≠r} e^{c(z_i − z_r)} → 2 here, not 1")
    claim_holds = max_abs_diff(limits[-1], [0.0, 1.0, 1.0, 0.0]) < 1e-9
    return Outcome(computed=f"with a tied maximum a → {_fmt(limits[-1], 3)}: each maximal a_j tends to 1/2, not 1",
                   verdict=agrees_if(claim_holds), value={"z": z.tolist(), "c": cs, "a": limits},
                   correction="if the maximum is attained by t of the z_j, each of those a_j → 1/t and the others → 0 "
                              "(the denominator tends to t); a_j → 1 only for a unique maximum",
                   explain="\n".join(lines))


# ---- chapter 4: step neurons, bumps and towers ----------------------------------------------------------


def _step_layer(intervals, w: float, axes=None) -> nn.Linear:
    """The first hidden layer of a bump, tower or approximator: for interval i = (s¹, s²) on input axis
    axes[i] (default: axis i) two neurons with weight w on that axis and biases −s¹·w, −s²·w, so that
    σ(w(x − s)) steps up at s."""
    axes = list(range(len(intervals)) if axes is None else axes)
    weight, bias = np.zeros((2 * len(intervals), max(axes) + 1)), np.zeros(2 * len(intervals))
    for i, ((s1, s2), axis) in enumerate(zip(intervals, axes)):
        weight[2 * i: 2 * i + 2, axis] = w
        bias[2 * i: 2 * i + 2] = -s1 * w, -s2 * w
    return linear(weight, bias)


def _tower(rect, h: float, w: float, bias: float) -> nn.Sequential:
    """The sheet's tower (Figure 4.2 for m = 1, Figure 4.6 for m = 2): step neurons of `_step_layer`, weighted
    +h and −h into one sigmoid output with bias `bias`:
        a = σ(h Σ_i [σ(w(x_i − s_i¹)) − σ(w(x_i − s_i²))] + bias)."""
    return nn.Sequential(_step_layer(rect, w), nn.Sigmoid(), linear(np.tile([h, -h], len(rect))[None], [bias]),
                         nn.Sigmoid())


def _inside_counts(rect, points) -> np.ndarray:
    """How many coordinates of each point lie inside their interval of rect."""
    lows, highs = np.array(rect).T
    return np.sum((points > lows) & (points < highs), axis=1)


def _tower_by_count(rect, h, w, bias, points) -> dict:
    """For the points grouped by how many coordinates are inside rect: the output neuron's weighted input
    without its bias, h Σ_i [σ(w(x_i − s_i¹)) − σ(w(x_i − s_i²))], as (min, max), and its output (min, max)."""
    model = _tower(rect, h, w, bias)
    z = _outputs(model[:3], points)[:, 0] - bias
    a = _outputs(model, points)[:, 0]
    counts = _inside_counts(rect, points)
    return {int(k): {"z": [float(z[counts == k].min()), float(z[counts == k].max())],
                     "a": [float(a[counts == k].min()), float(a[counts == k].max())]} for k in np.unique(counts)}


def _is_tower(groups: dict, m: int) -> bool:
    """Output ≈ 1 (≥ 0.99) where all m coordinates are inside, ≈ 0 (≤ 0.01) everywhere else."""
    return all(g["a"][0] >= 0.99 if k == m else g["a"][1] <= 0.01 for k, g in groups.items())


@exercise("004-s4.1-step-neuron", source=sheet(4, "§4.1, Figure 4.1"),
          claim="a sigmoid neuron with w = 1000 and b = −s × w steps up from 0 to 1 at s")
def _():
    s, w = 0.3, 1000.0
    model = nn.Sequential(linear([[w]], [-s * w]), nn.Sigmoid())
    width = math.log(99) / w
    xs = np.array([s - 0.01, s - width, s, s + width, s + 0.01])
    a = _outputs(model, xs[:, None])[:, 0]
    lines = [f"s = {s}, w = {w:g}, b = −s·w = {-s * w:g}"]
    lines += [f"  x = {x:.6f}: a = {v:.6g}" for x, v in zip(xs, a)]
    lines.append(f"a goes from 0.01 to 0.99 over 2 ln 99 / w = {2 * width:.5f}")
    steps = abs(a[2] - 0.5) < 1e-12 and a[0] < 1e-4 and a[-1] > 1 - 1e-4 and max_abs_diff(a[1::2], [0.01, 0.99]) < 1e-12
    return Outcome(computed=f"a(s) = {a[2]:g}, a(s − 0.01) = {a[0]:.2e}, a(s + 0.01) = {a[-1]:.6f}: a step of "
                            f"width {2 * width:.4f} at s",
                   verdict=agrees_if(steps),
                   value={"s": s, "w": w, "x": xs.tolist(), "a": a.tolist(), "width": 2 * width},
                   explain="\n".join(lines))


@exercise("004-s4.1-bump", source=sheet(4, "§4.1, Figures 4.2–4.3"),
          claim="σ(h·a_1 − h·a_2 − h/2) with a_i = σ(w_i x − s_i w_i) is σ(−h/2) ≈ 0 for x < s_1, σ(h/2) ≈ 1 on "
                "(s_1, s_2), σ(−h/2) ≈ 0 for x > s_2, and between 0 and 1 at s_1, s_2 (w_1 = w_2 = h = 10000)")
def _():
    s1, s2, h = 0.4, 0.6, 1e4
    model = _tower([(s1, s2)], h, h, -h / 2)
    xs = np.array([0.0, 0.39, s1, 0.41, 0.5, 0.59, s2, 0.61, 1.0])
    a = _outputs(model, xs[:, None])[:, 0]
    z = _outputs(model[:3], xs[:, None])[:, 0]
    lines = [f"s_1 = {s1}, s_2 = {s2} (Figure 4.3 does not print them), w_1 = w_2 = h = {h:g}"]
    lines += [f"  x = {x:4.2f}: h·a_1 − h·a_2 − h/2 = {v:+9.1f}, output {o:.6g}" for x, v, o in zip(xs, z, a)]
    outside, inside, edges = a[[0, 1, 7, 8]], a[[3, 4, 5]], a[[2, 6]]
    bump = outside.max() < 1e-12 and inside.min() > 1 - 1e-12 and np.all((edges > 0) & (edges < 1))
    return Outcome(computed=f"output {outside.max():.0e} outside, {inside.min():g} inside, {_fmt(edges, 3)} at "
                            "s_1, s_2",
                   verdict=agrees_if(bump),
                   value={"x": xs.tolist(), "a": a.tolist(), "z": z.tolist()}, explain="\n".join(lines))


def nielsen_f(x):
    """Nielsen's example f(x) = 0.2 + 0.4x² + 0.3x sin(15x) + 0.05 cos(50x)."""
    return 0.2 + 0.4 * x ** 2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)


def _nielsen_f_integral(x):
    """∫₀ˣ f: 0.2x + 0.4x³/3 + 0.3(sin 15x/225 − x cos 15x/15) + 0.001 sin 50x."""
    return 0.2 * x + 0.4 * x ** 3 / 3 + 0.3 * (np.sin(15 * x) / 225 - x * np.cos(15 * x) / 15) + 0.001 * np.sin(50 * x)



def _approximator(edges, heights, h: float, w: float) -> nn.Sequential:
    """Figure 4.4: 2n step neurons on x, n sigmoid indicators I[s_i, s_{i+1}] (weights h, −h on their own
    pair, bias −h/2), and a linear output neuron Σ_i heights_i · I[s_i, s_{i+1}]."""
    n = len(heights)
    indicator = np.zeros((n, 2 * n))
    for i in range(n):
        indicator[i, 2 * i: 2 * i + 2] = h, -h
    return nn.Sequential(_step_layer(list(zip(edges[:-1], edges[1:])), w, axes=[0] * n), nn.Sigmoid(),
                         linear(indicator, np.full(n, -h / 2)), nn.Sigmoid(), linear(np.asarray(heights)[None]))


@exercise("004-s4.2-approximation", source=sheet(4, "§4.2, Figures 4.4–4.5"),
          claim="indicators I[s_i, s_{i+1}] weighted by the mean of f on each interval approximate "
                "f(x) = 0.2 + 0.4x² + 0.3x sin(15x) + 0.05 cos(50x), better and better as the intervals multiply "
                "(Figure 4.5: 10 and 50 neurons)")
def _():
    h = w = 1e4
    x = (np.arange(2000) + 0.5) / 2000                        # never on an interval edge
    errors = {}
    for n in (10, 50):
        edges = np.linspace(0.0, 1.0, n + 1)
        means = np.diff(_nielsen_f_integral(edges)) / np.diff(edges)     # f[s_i, s_{i+1}], exactly
        error = np.abs(_outputs(_approximator(edges, means, h, w), x[:, None])[:, 0] - nielsen_f(x))
        errors[str(n)] = {"max": float(error.max()), "mean": float(error.mean())}
    lines = ["f on [0, 1] split into n equal intervals; output weight of I[s_i, s_{i+1}] = mean of f on it "
             "(exact integral); w = h = 10⁴; error |network − f| on 2000 points (interval midpoints of a 1/2000 grid)",
             "\"10 and 50 neurons\" read as 10 and 50 indicator neurons (intervals), i.e. 20 and 100 step neurons:"]
    lines += [f"  n = {n:>2}: max error {e['max']:.4f}, mean error {e['mean']:.4f}" for n, e in errors.items()]
    better = errors["50"]["max"] < errors["10"]["max"] and errors["50"]["mean"] < errors["10"]["mean"]
    return Outcome(computed=f"max |error| {errors['10']['max']:.3f} with 10 intervals, {errors['50']['max']:.3f} with "
                            f"50 (mean {errors['10']['mean']:.4f} → {errors['50']['mean']:.4f})",
                   verdict=agrees_if(better), value={"h": h, "w": w, "errors": errors}, explain="\n".join(lines))


def _grid_points(rect, step: float = 0.05, margin: float = 1.0) -> np.ndarray:
    """A grid over rect widened by `margin` on every side, offset by step/2 so no point is on an edge."""
    axes = [np.arange(lo - margin + step / 2, hi + margin, step) for lo, hi in rect]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(rect))


def _bias_range(rect, h, w, points, factors) -> dict:
    """Whether the output bias −f·h still gives a tower, for each factor f."""
    return {f"{f:g}": _is_tower(_tower_by_count(rect, h, w, -f * h, points), len(rect)) for f in factors}


@exercise("004-s4.3-tower-2d", source=sheet(4, "§4.3, Figures 4.6–4.7"),
          claim="with output bias −3h/2 the weighted input is ≈ 2h on (s_x¹, s_x²) × (s_y¹, s_y²) and < h elsewhere, "
                "so the output is σ(h/2) ≈ 1 inside and σ(−h/2) ≈ 0 outside; any bias with |b| between h and 2h "
                "works (tower on (1, 2) × (−2, 0))")
def _():
    rect, h = [(1.0, 2.0), (-2.0, 0.0)], 1e4
    points = _grid_points(rect)
    groups = _tower_by_count(rect, h, h, -1.5 * h, points)
    factors = [0.99, 1.01, 1.5, 1.99, 2.01]
    biases = _bias_range(rect, h, h, points, factors)
    lines = [f"rectangle (1, 2) × (−2, 0), w = h = {h:g}, output bias −3h/2; {len(points)} grid points over "
             "[0, 3] × [−3, 1] (none on an edge), grouped by the number of coordinates inside:"]
    lines += [f"  {k} inside: weighted input ∈ [{g['z'][0]:.1f}, {g['z'][1]:.1f}], output ∈ [{g['a'][0]:.3g}, "
              f"{g['a'][1]:.3g}]" for k, g in groups.items()]
    lines.append("with one coordinate inside the weighted input is h up to rounding (≈ h, not strictly < h); "
                 "the output σ(−h/2) is 0 either way")
    lines.append("bias −f·h gives a tower for f = " + ", ".join(f"{f}: {ok}" for f, ok in biases.items()))
    expected_bias = {f"{f:g}": 1 < f < 2 for f in factors}
    outside = max(groups[0]["a"][1], groups[1]["a"][1])
    return Outcome(computed=f"output ≥ {groups[2]['a'][0]:.6g} inside, ≤ {outside:.1e} elsewhere; weighted input "
                            f"≥ {groups[2]['z'][0]:.0f} (inside), ≤ {groups[1]['z'][1]:.0f} (elsewhere); "
                            "biases −1.01h … −1.99h work, −0.99h and −2.01h do not",
                   verdict=agrees_if(_is_tower(groups, 2) and biases == expected_bias),
                   value={"h": h, "groups": {str(k): g for k, g in groups.items()}, "bias_factor_works": biases},
                   explain="\n".join(lines))


@exercise("004-s4.3-tower-3d", source=sheet(4, "§4.3"),
          claim="for three variables the output bias is −5h/2, or any number whose absolute value is between 2h "
                "and 3h")
def _():
    rect, h = [(0.0, 1.0)] * 3, 1e4
    points = _grid_points(rect, step=0.25, margin=0.5)
    groups = _tower_by_count(rect, h, h, -2.5 * h, points)
    factors = [1.99, 2.01, 2.5, 2.99, 3.01]
    biases = _bias_range(rect, h, h, points, factors)
    lines = [f"box (0, 1)³, w = h = {h:g}, bias −5h/2; {len(points)} grid points over [−0.5, 1.5]³:"]
    lines += [f"  {k} inside: weighted input ∈ [{g['z'][0]:.1f}, {g['z'][1]:.1f}], output ∈ [{g['a'][0]:.3g}, "
              f"{g['a'][1]:.3g}]" for k, g in groups.items()]
    lines.append("bias −f·h gives a tower for f = " + ", ".join(f"{f}: {ok}" for f, ok in biases.items()))
    expected_bias = {f"{f:g}": 2 < f < 3 for f in factors}
    return Outcome(computed="bias −5h/2 gives output 1 in the box and 0 outside; biases −2.01h … −2.99h work, "
                            "−1.99h and −3.01h do not",
                   verdict=agrees_if(_is_tower(groups, 3) and biases == expected_bias),
                   value={"h": h, "groups": {str(k): g for k, g in groups.items()}, "bias_factor_works": biases},
                   explain="\n".join(lines))


@exercise("004-s4.3-bias-m", source=sheet(4, "§4.3"),
          claim="for an m-variable function the output neuron has bias \"−(h + h − 1)/2 = −(2h − 1)/2\"")
def _():
    h = 1e4
    printed, corrected = {}, {}
    for m in range(1, 5):
        rect = [(0.0, 1.0)] * m
        points = np.array([[0.5] * k + [1.5] * (m - k) for k in range(m + 1)])   # k coordinates inside
        for biases, bias in ((printed, -(2 * h - 1) / 2), (corrected, -(2 * m - 1) * h / 2)):
            biases[str(m)] = _outputs(_tower(rect, h, h, bias), points)[:, 0].tolist()
    lines = [f"box (0, 1)^m, w = h = {h:g}; output with k = 0 … m coordinates inside:"]
    for m in printed:
        lines += [f"  m = {m}: bias −(2h − 1)/2 → {_fmt(printed[m], 4)};  bias −(2m − 1)h/2 → {_fmt(corrected[m], 4)}"]
    lines.append("the printed bias does not depend on m and is ≈ −h: the output fires (or sits at σ(1/2) = 0.62) "
                 "as soon as one coordinate is inside")

    def is_tower(outputs):
        return outputs[-1] >= 0.99 and max(outputs[:-1]) <= 0.01

    works = {m: is_tower(v) for m, v in printed.items()}
    return Outcome(computed="with bias −(2h − 1)/2 no m gives a tower (m = 2, one coordinate inside: output "
                            f"{printed['2'][1]:.3f}); −(2m − 1)h/2 does for m = 1 … 4",
                   verdict=agrees_if(all(works.values())),
                   value={"h": h, "printed": printed, "corrected": corrected},
                   correction="bias −(2m − 1)h/2 = −(m − ½)h (−h/2, −3h/2, −5h/2 for m = 1, 2, 3, as the sheet's own "
                              "cases), or any b with (m − 1)h < −b < mh",
                   explain="\n".join(lines))


# ---- chapter 5: vanishing gradients in a deep linear chain; tanh; the LSTM -------------------------------


def _linear_chain(matrices) -> nn.Sequential:
    """ŷ = W^(L) ⋯ W^(1) x: bias-free Linear layers holding W^(1), …, W^(L), no activations."""
    return nn.Sequential(*(linear(w) for w in matrices))


def _diagonal_chain(w11, w22, w_out) -> list[np.ndarray]:
    """§5.1's weights: W^(i) = diag(w11^(i), w22^(i)) for i < L and W^(L) = (w11^(L), w12^(L))."""
    return [np.diag([a, b]) for a, b in zip(w11, w22)] + [np.asarray(w_out, dtype=np.float64)[None]]


def chain_example(L: int = 5):
    """Random §5.1 weights w11^(i), w22^(i) ~ U(0.5, 1.5) (i < L), W^(L) ~ U(0.5, 1.5)², x ~ N(0, 1)², y ~ N(0, 1)."""
    rng = np.random.default_rng(51)
    return (rng.uniform(0.5, 1.5, L - 1), rng.uniform(0.5, 1.5, L - 1), rng.uniform(0.5, 1.5, 2),
            rng.standard_normal(2), float(rng.standard_normal()))


@exercise("004-s5.1-product", source=sheet(4, "§5.1"),
          claim="with no biases or activations, W^(1…L−1) ∈ R^{2×2} and W^(L) ∈ R^{1×2}: ŷ = W^(L) W^(L−1) ⋯ W^(1) x")
def _():
    rng = np.random.default_rng(50)
    matrices = [rng.standard_normal((2, 2)) for _ in range(4)] + [rng.standard_normal((1, 2))]
    x = rng.standard_normal(2)
    network = float(_outputs(_linear_chain(matrices), x)[0])
    product = float((np.linalg.multi_dot(matrices[::-1]) @ x)[0])
    lines = [f"L = 5 bias-free nn.Linear layers with N(0, 1) weights, x = {_fmt(x)}",
             f"network output ŷ = {network:.15g};  W^(5) W^(4) ⋯ W^(1) x = {product:.15g}"]
    return Outcome(computed=f"ŷ = {network:.10g} = W^(L)⋯W^(1)x", verdict=agrees_if(abs(network - product) < 1e-12),
                   value={"network": network, "product": product}, explain="\n".join(lines))


def _printed_y_hat(w11, w22, w_out, x) -> float:
    """The sheet's expansion: w11^(L) w11^(L−1) ⋯ w11^(1) x_1 + w12^(L) w22^(L−1) ⋯ w22^(3) w11^(2) w22^(1) x_2."""
    second = w_out[1] * np.prod(w22[2:]) * w11[1] * w22[0] * x[1]
    return float(w_out[0] * np.prod(w11) * x[0] + second)


@exercise("004-s5.1-expansion", source=sheet(4, "§5.1"),
          claim="ŷ = w11^(L) w11^(L−1) ⋯ w11^(2) w11^(1) x_1 + w12^(L) w22^(L−1) ⋯ w11^(2) w22^(1) x_2 for diagonal "
                "W^(i)")
def _():
    w11, w22, w_out, x, _ = chain_example()
    network = float(_outputs(_linear_chain(_diagonal_chain(w11, w22, w_out)), x)[0])
    printed = _printed_y_hat(w11, w22, w_out, x)
    corrected = float(w_out[0] * np.prod(w11) * x[0] + w_out[1] * np.prod(w22) * x[1])
    lines = [f"L = 5, w11^(1…4) = {_fmt(w11)}, w22^(1…4) = {_fmt(w22)}, W^(5) = {_fmt(w_out)}, x = {_fmt(x)}",
             f"network ŷ                          = {network:.12f}",
             f"printed expansion (w11^(2) in term 2) = {printed:.12f}",
             f"with w22^(2) in the second term      = {corrected:.12f}",
             "the second row of diag(w22^(i)) never meets w11^(2): the matrix–vector line has the same slip"]
    return Outcome(computed=f"network ŷ = {network:.6f}, printed expansion {printed:.6f}, with w22^(2): "
                            f"{corrected:.6f}",
                   verdict=agrees_if(abs(printed - network) < 1e-12),
                   value={"network": network, "printed": printed, "corrected": corrected},
                   correction="ŷ = w11^(L) w11^(L−1) ⋯ w11^(1) x_1 + w12^(L) w22^(L−1) ⋯ w22^(2) w22^(1) x_2 "
                              "(the second product has w22^(2), not w11^(2))",
                   explain="\n".join(lines))


@exercise("004-s5.1-gradient", source=sheet(4, "§5.1"),
          claim="∂L/∂w11^(1) = (ŷ − y) w11^(L) w11^(L−1) ⋯ w11^(2) x_1 for L = ½(y − ŷ)², and in general the "
                "derivative picks up one weight from every layer except the one differentiated")
def _():
    w11, w22, w_out, x, y = chain_example()
    model = _linear_chain(_diagonal_chain(w11, w22, w_out))
    loss = 0.5 * (_t(y) - model(_t(x))[0]) ** 2
    grads = dn.autograd.grad(loss, [layer.weight for layer in model])
    autograd = [float(g.numpy()[0, 0]) for g in grads]
    layers = np.append(w11, w_out[0])                        # w11^(1), …, w11^(L)
    y_hat = float(_outputs(model, x)[0])
    formula = [(y_hat - y) * float(np.prod(np.delete(layers, k))) * x[0] for k in range(len(layers))]
    numerical = [float(g[0, 0]) for g in finite_differences(
        lambda: 0.5 * (_t(y) - model(_t(x))[0]) ** 2, [layer.weight for layer in model])]
    d_auto, d_num = max_abs_diff(formula, autograd), max_abs_diff(formula, numerical)
    lines = [f"the weights of 004-s5.1-expansion, y = {y:.6f}, ŷ = {y_hat:.6f}",
             f"(ŷ − y) x_1 Π_{{i≠k}} w11^(i) for k = 1 … 5: {_fmt(formula)}",
             f"autograd ∂L/∂W^(k)[0, 0]:                 {_fmt(autograd)}"]
    return Outcome(computed=f"∂L/∂w11^(1) = {formula[0]:.6f} as autograd; the same product rule holds for every layer "
                            f"k (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"formula": formula, "max_diff_autograd": d_auto, "max_diff_numerical": d_num},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-s5.1-vanishing", source=sheet(4, "§5.1"),
          claim="if L is large and the weights are all slightly less than 1 the gradient product is very small "
                "(vanishing); slightly larger than 1, very large (exploding)")
def _():
    x, depths, weights = np.ones(2), [10, 50], [0.9, 1.1]
    factors, gradients = {}, {}
    for v in weights:
        factors[f"{v:g}"], gradients[f"{v:g}"] = [], []
        for L in depths:
            model = _linear_chain(_diagonal_chain([v] * (L - 1), [v] * (L - 1), [v, v]))
            x_t = _t(x)
            y_hat = model(x_t)[0]
            (factor,) = dn.autograd.grad(y_hat, [model[0].weight], retain_graph=True)
            (gradient,) = dn.autograd.grad(0.5 * y_hat ** 2, [model[0].weight])       # y = 0
            factors[f"{v:g}"].append(float(factor.numpy()[0, 0]))
            gradients[f"{v:g}"].append(float(gradient.numpy()[0, 0]))
    lines = ["all w11^(i), w22^(i) and W^(L) entries equal to v, x = (1, 1), y = 0:"]
    for v in factors:
        lines += [f"  v = {v}, L = {L}: ∂ŷ/∂w11^(1) = v^(L−1) = {f:.4e}, ∂L/∂w11^(1) = {g:.4e}"
                  for L, f, g in zip(depths, factors[v], gradients[v])]
    vanishes = factors["0.9"][1] < factors["0.9"][0] < 1 and gradients["0.9"][1] < 1e-4
    explodes = factors["1.1"][1] > factors["1.1"][0] > 1 and gradients["1.1"][1] > 1e4
    return Outcome(computed=f"at L = 50 the product is 0.9⁴⁹ = {factors['0.9'][1]:.2e} and 1.1⁴⁹ = "
                            f"{factors['1.1'][1]:.1f}; ∂L/∂w11^(1) = {gradients['0.9'][1]:.1e} vs "
                            f"{gradients['1.1'][1]:.1e}",
                   verdict=agrees_if(vanishes and explodes),
                   value={"L": depths, "factor": factors, "gradient": gradients}, explain="\n".join(lines))


def _activation_slope(activation, z) -> np.ndarray:
    """f'(z) by autograd for a module f."""
    z_t = _t(z, requires_grad=True)
    (slope,) = dn.autograd.grad(activation()(z_t).sum(), [z_t])
    return slope.numpy()


@exercise("004-ex5.1-tanh-derivative", source=sheet(4, "Exercise 5.1, Figure 5.1"),
          claim="tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) and tanh'(x) = 1 − tanh(x)²")
def _():
    z = np.linspace(-4, 4, 81)
    z_t = _t(z, requires_grad=True)
    slope = _activation_slope(nn.Tanh, z)
    (numerical,) = finite_differences(lambda: nn.Tanh()(z_t).sum(), [z_t])
    definition = max_abs_diff((np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), _outputs(nn.Tanh(), z))
    formula = 1 - np.tanh(z) ** 2
    d_auto, d_num = max(max_abs_diff(formula, slope), definition), max_abs_diff(formula, numerical)
    lines = [f"81 points z ∈ [−4, 4]: max |(eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ) − nn.Tanh| = {definition:.1e}",
             f"tanh'(0) = {slope[40]:g}, tanh'(±2) = {slope[20]:.6f}, tanh'(±4) = {slope[0]:.2e}"]
    return Outcome(computed=f"1 − tanh² equals autograd's tanh' on [−4, 4] (max diff {d_auto:.1e})",
                   verdict=_formula_verdict(d_auto, d_num),
                   value={"max_diff_autograd": d_auto, "max_diff_numerical": d_num, "tanh_prime_0": float(slope[40])},
                   explain="\n".join(lines + _formula_lines(d_auto, d_num)))


@exercise("004-ex5.1-tanh-slope", source=sheet(4, "Exercise 5.1"),
          claim="an f with f'(0) higher than σ'(0) \"but less than 1\" reduces vanishing gradients, f'(0) > 1 may "
                "explode them; \"one such candidate function is tanh\"")
def _():
    slopes = {"sigmoid": float(_activation_slope(nn.Sigmoid, [0.0])[0]),
              "tanh": float(_activation_slope(nn.Tanh, [0.0])[0])}
    z = np.linspace(-4, 4, 801)
    tanh_max = float(_activation_slope(nn.Tanh, z).max())
    lines = [f"σ'(0) = {slopes['sigmoid']:g}, tanh'(0) = {slopes['tanh']:g} (autograd)",
             f"max of tanh' on 801 points of [−4, 4]: {tanh_max:g}, attained only at z = 0",
             "so tanh is neither \"less than 1\" nor \"> 1\" at 0: it is the boundary case f'(0) = 1"]
    return Outcome(computed=f"σ'(0) = {slopes['sigmoid']:g}, tanh'(0) = {slopes['tanh']:g} — not less than 1",
                   verdict=agrees_if(slopes["sigmoid"] < slopes["tanh"] < 1),
                   value={"slope_at_0": slopes, "tanh_prime_max": tanh_max},
                   correction="tanh'(0) = 1 exactly (4 × σ'(0)); tanh' < 1 only for z ≠ 0 — tanh is the boundary case "
                              "f'(0) = 1, whose factors |w f'(z)| in a deep chain are ≤ |w|: gradients still vanish "
                              "when |w| < 1 or units leave 0, and do not explode through f' alone",
                   explain="\n".join(lines))


@exercise("004-ex5.1-deep-chain", source=sheet(4, "Exercise 5.1"),
          claim="a larger f'(0) (tanh instead of σ) reduces the severity of the vanishing gradient problem but does "
                "not eliminate it")
def _():
    depths = [5, 10, 20, 40]
    gradients = {}
    for name, activation in (("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh)):
        gradients[name] = []
        for L in depths:
            model = _network([[[1.0]]] * L, [[0.0]] * L, activation)
            x = _t([[1.0]], requires_grad=True)
            (g,) = dn.autograd.grad(model(x).sum(), [x])
            gradients[name].append(float(g.item()))
    lines = ["a chain of L one-neuron layers a^l = f(a^{l−1}) (w = 1, b = 0), x = 1: ∂a^L/∂x by autograd"]
    lines += [f"  L = {L:2d}: sigmoid {s:.3e}   tanh {t:.3e}" for L, s, t in zip(depths, gradients["sigmoid"],
                                                                          gradients["tanh"])]
    lines.append("σ' ≤ 1/4 shrinks the product geometrically; tanh' → 1 as a^l → 0, so it shrinks far more slowly, "
                 "but it still shrinks")
    reduced = all(t > s for s, t in zip(gradients["sigmoid"], gradients["tanh"]))
    still_vanishes = all(t1 > t2 for t1, t2 in zip(gradients["tanh"], gradients["tanh"][1:]))
    return Outcome(computed=f"∂a^L/∂x at L = 40: sigmoid {gradients['sigmoid'][-1]:.1e}, tanh "
                            f"{gradients['tanh'][-1]:.1e} (still falling with L)",
                   verdict=agrees_if(reduced and still_vanishes), value={"L": depths, "gradient": gradients},
                   explain="\n".join(lines))


# §5.2: the sheet's gate names and torch's (nn.LSTMCell stacks i, f, g, o): save = i, rem = f, ltm' = g,
# focus = o; ltm = the cell state c, wm = the hidden state h.
_LSTM_GATES = ("save", "rem", "ltm'", "focus")


def lstm_example(p: int = 3, d: int = 4, steps: int = 6):
    """Random parameters of §5.2 with W_* ∈ R^{d×p} (see 004-s5.2-shapes), U_* ∈ R^{d×d}, b_* ∈ R^d
    (all ~ N(0, 0.7²)), and a sequence x_1 … x_T ∈ R^p (N(0, 1))."""
    rng = np.random.default_rng(52)
    params = {g: (0.7 * rng.standard_normal((d, p)), 0.7 * rng.standard_normal((d, d)), 0.7 * rng.standard_normal(d))
              for g in _LSTM_GATES}
    return params, rng.standard_normal((steps, p))


def _sheet_lstm_step(params, x, wm, ltm) -> dict:
    """Figure 5.2 in NumPy: rem, save, focus = σ(W x + U wm + b), ltm' = tanh(W_l x + U_l wm + b_l),
    ltm = rem ⊙ ltm_{t−1} + save ⊙ ltm', wm = focus ⊙ tanh(ltm)."""
    def gate(name):
        W, U, b = params[name]
        return W @ x + U @ wm + b

    rem, save, focus = _sigma(gate("rem")), _sigma(gate("save")), _sigma(gate("focus"))
    ltm = rem * ltm + save * np.tanh(gate("ltm'"))
    return {"rem": rem, "ltm": ltm, "wm": focus * np.tanh(ltm)}


def _lstm_cell(params) -> nn.LSTMCell:
    """nn.LSTMCell holding the sheet's parameters: weight_ih = [W_s; W_r; W_l; W_f] (torch's i, f, g, o),
    weight_hh = [U_s; U_r; U_l; U_f], bias_ih = [b_s; b_r; b_l; b_f], bias_hh = 0."""
    W, U, b = (np.concatenate([params[g][i] for g in _LSTM_GATES]) for i in range(3))
    cell = nn.LSTMCell(W.shape[1], W.shape[0] // 4, dtype=dn.float64)
    cell.weight_ih.data[...], cell.weight_hh.data[...], cell.bias_ih.data[...] = W, U, b
    cell.bias_hh.data[...] = 0.0
    return cell


@exercise("004-s5.2-equations", source=sheet(4, "§5.2 (5.1)–(5.6), Figure 5.2"),
          claim="rem_t, save_t, focus_t = σ(W x_t + U wm_{t−1} + b), ltm'_t = tanh(…), ltm_t = rem_t ⊙ ltm_{t−1} + "
                "save_t ⊙ ltm'_t, wm_t = focus_t ⊙ tanh(ltm_t): the LSTM")
def _():
    params, xs = lstm_example()
    cell = _lstm_cell(params)
    d = cell.hidden_size
    wm, ltm = np.zeros(d), np.zeros(d)
    h, c = _t(np.zeros(d)), _t(np.zeros(d))
    gaps = []
    with dn.no_grad():
        for x in xs:
            step = _sheet_lstm_step(params, x, wm, ltm)
            wm, ltm = step["wm"], step["ltm"]
            h, c = cell(_t(x), (h, c))
            gaps.append(max(max_abs_diff(wm, h.numpy()), max_abs_diff(ltm, c.numpy())))
    lines = [f"p = {xs.shape[1]}, d = {d}, T = {len(xs)} steps from wm_0 = ltm_0 = 0; nn.LSTMCell with "
             "weight_ih = [W_s; W_r; W_l; W_f] (torch's gate order i, f, g, o = save, rem, ltm', focus)",
             f"wm_T (sheet) = {_fmt(wm)}", f"h_T (LSTMCell) = {_fmt(h.numpy())}",
             "max |sheet − LSTMCell| of (wm_t, ltm_t) per step: " + _fmt(gaps, 2)]
    return Outcome(computed=f"the sheet's six equations reproduce nn.LSTMCell over {len(xs)} steps (max diff "
                            f"{max(gaps):.1e})",
                   verdict=agrees_if(max(gaps) < 1e-14), value={"wm_T": wm.tolist(), "ltm_T": ltm.tolist(),
                                                                 "max_diff": max(gaps)},
                   explain="\n".join(lines))


@exercise("004-s5.2-shapes", source=sheet(4, "§5.2 (5.1)–(5.2)"),
          claim="W_r ∈ R^{p×d}, U_r ∈ R^{d×d}, b_r ∈ R^d (and W_l ∈ R^{p×d}) in rem_t = σ(W_r·x_t + U_r·wm_{t−1} "
                "+ b_r), x_t ∈ R^p")
def _():
    p, d = 3, 4
    W_r, x = np.zeros((p, d)), np.zeros(p)
    try:
        product = list((W_r @ x).shape)
    except ValueError as error:
        product = f"undefined ({error})"
    block = [int(nn.LSTMCell(p, d, dtype=dn.float64).weight_ih.shape[0]) // 4, p]
    lines = [f"p = {p}, d = {d}: W_r as printed is {p}×{d}, x_t ∈ R^{p}; W_r·x_t: {product}",
             f"nn.LSTMCell({p}, {d}).weight_ih is {4 * d}×{p}: each gate's block is {block[0]}×{block[1]} = d×p, "
             "so W_r·x_t ∈ R^d as rem_t must be"]
    return Outcome(computed=f"W_r·x_t is {'undefined' if isinstance(product, str) else product} for a p×d W_r "
                            f"(p = {p}, d = {d}); a gate block of nn.LSTMCell is d×p = {block[0]}×{block[1]}",
                   verdict=agrees_if(product == [d]), value={"p": p, "d": d, "printed_product": product,
                                                             "gate_block": block},
                   correction="W_r, W_l, W_s, W_f ∈ R^{d×p} (d rows, p columns), so that W·x_t ∈ R^d",
                   explain="\n".join(lines))


@exercise("004-s5.2-parameters", source=sheet(4, "§5.2"),
          claim="each of the four gates (rem, ltm', save, focus) has its own W (p×d as printed), U ∈ R^{d×d} and "
                "b ∈ R^d: 4(pd + d² + d) parameters")
def _():
    p, d = 3, 4
    sheet_count = 4 * (d * p + d * d + d)
    cell = nn.LSTMCell(p, d, dtype=dn.float64)
    counts = {name: int(param.data.size) for name, param in cell.named_parameters()}
    total = cell.num_parameters()
    lines = [f"p = {p}, d = {d}: the sheet's LSTM has 4(dp + d² + d) = {sheet_count} parameters",
             f"nn.LSTMCell({p}, {d}): {counts} = {total}; torch's layout has two bias vectors, "
             f"bias_ih + bias_hh, which only enter as their sum: {total} − 4d = {total - 4 * d}"]
    return Outcome(computed=f"{sheet_count} = nn.LSTMCell's {total} minus its 4d = {4 * d} redundant biases",
                   verdict=agrees_if(total - 4 * d == sheet_count),
                   value={"sheet": sheet_count, "lstm_cell": total, "per_tensor": counts},
                   explain="\n".join(lines))


@exercise("004-s5.2-memory-path", source=sheet(4, "§5.2 (5.4)"),
          claim="LSTMs circumvent the vanishing gradient: along the long-term memory ltm_t = rem_t ⊙ ltm_{t−1} + "
                "save_t ⊙ ltm'_t the gradient is only multiplied by rem_t")
def _():
    params, xs = lstm_example()
    cell = _lstm_cell(params)
    d = cell.hidden_size
    wm, ltm = np.zeros(d), np.zeros(d)
    for x in xs[:-1]:
        step = _sheet_lstm_step(params, x, wm, ltm)
        wm, ltm = step["wm"], step["ltm"]
    rem = _sheet_lstm_step(params, xs[-1], wm, ltm)["rem"]
    c = _t(ltm, requires_grad=True)
    _, c_next = cell(_t(xs[-1]), (_t(wm), c))
    jacobian = np.stack([dn.autograd.grad(c_next, [c], grad_outputs=_t(np.eye(d)[j]), retain_graph=True)[0].numpy()
                         for j in range(d)])
    diff = max_abs_diff(jacobian, np.diag(rem))
    lines = [f"after {len(xs) - 1} steps of 004-s5.2-equations: rem_T = {_fmt(rem)}",
             "∂ltm_T/∂ltm_{T−1} with wm_{T−1} held (autograd through nn.LSTMCell):", _fmt(jacobian),
             f"max |J − diag(rem_T)| = {diff:.1e}: no weight matrix and no σ' factor on this path"]
    return Outcome(computed=f"∂ltm_t/∂ltm_{{t−1}} = diag(rem_t) = diag({_fmt(rem, 3)}) (max diff {diff:.1e})",
                   verdict=agrees_if(diff < 1e-14), value={"rem": rem.tolist(), "jacobian": jacobian.tolist()},
                   explain="\n".join(lines))
