"""Perceptron networks under scaling, and sigmoid networks as c → ∞ (Nielsen ch. 1, exercises 1.1 and 1.2;
seed sheet 004 §1).

A perceptron outputs H(w·x + b), with H the step: 1 if z > 0, 0 if z < 0, and `at_zero` at z = 0
(Nielsen: 0; seed sheet 001: 1). Multiplying every weight and bias by c > 0 multiplies every z by c, which
keeps its sign — and keeps z = 0 at 0 — so every perceptron, hence the network, computes the same function.
A sigmoid neuron with weights and bias × c outputs σ(c z) → H(z) as c → ∞ wherever z ≠ 0, but σ(c·0) = ½
for every c: a unit exactly on its boundary is stuck at ½, which is neither of H's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from deltanet import nn
from deltanet.ops.unary import sigmoid_array
from deltanet.theory._common import (
    boolean_inputs,
    check_count,
    check_positive_numbers,
    forward,
    frozen,
    network,
    table,
)


def _sizes(sizes) -> tuple[int, ...]:
    sizes = tuple(sizes)
    if len(sizes) < 2 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                                 for n in sizes):
        raise ValueError(f"sizes: expected at least two positive integers (inputs, …, outputs), got {sizes!r}")
    return tuple(int(n) for n in sizes)


def _random_weights(rng, sizes, integer: bool = False):
    """Weights w^l (n_l × n_{l−1}) and biases b^l: N(0, 1), or integers in −2…2 (many exact zeros of z)."""
    draw = (lambda shape: rng.integers(-2, 3, shape).astype(np.float64)) if integer else rng.standard_normal
    return [draw((m, n)) for n, m in zip(sizes, sizes[1:])], [draw(m) for m in sizes[1:]]


def _output(model, x) -> np.ndarray:
    return forward(model, x)[1][-1]


def _changed(a, b) -> int:
    """How many inputs (rows) get a different output vector."""
    return int(np.any(a != b, axis=1).sum())


@dataclass(frozen=True)
class PerceptronScaling:
    """Outputs of perceptron networks before and after w, b → c w, c b."""

    cs: tuple[float, ...]
    sizes: tuple[int, ...]
    n_networks: int
    n_inputs: int                       # random inputs per network
    changed: tuple[int, ...]            # per c: inputs (of n_networks × n_inputs) whose output changed
    changed_nonpositive: tuple[tuple[float, int], ...]   # (c, changed) for c = 0 and c = −1: c > 0 is needed
    boundary_evaluations: int           # unit evaluations in the integer-weight networks on boolean inputs
    boundary_zeros: int                 # … of them with w·x + b = 0 exactly
    boundary_changed: tuple[tuple[int, int], ...]   # per c: (changed with H(0) = 0, changed with H(0) = 1)

    @property
    def invariant(self) -> bool:
        """True when no output changed for any c > 0 on the random networks."""
        return not any(self.changed)

    def report(self) -> str:
        total = self.n_networks * self.n_inputs
        rows = [(f"{c:g}", f"{k} / {total}", f"{z0} / {z1}")
                for c, k, (z0, z1) in zip(self.cs, self.changed, self.boundary_changed)]
        rows += [(f"{c:g}", f"{k} / {total}", "") for c, k in self.changed_nonpositive]
        boundary_total = self.n_networks * (2 ** self.sizes[0])
        return "\n".join([
            "Perceptron networks: multiply every weight and bias by c (Nielsen ch. 1, exercise 1.1)",
            "",
            f"{self.n_networks} random networks {list(self.sizes)} of step units, weights and biases ~ N(0, 1), "
            f"each on {self.n_inputs} random inputs x ~ N(0, I): c (w·x + b) has the sign of w·x + b for every "
            "c > 0, so no perceptron and no output changes.",
            f"Boundary case: {self.n_networks} networks with integer weights in −2…2 on all "
            f"{2 ** self.sizes[0]} boolean inputs, where {self.boundary_zeros} of {self.boundary_evaluations} "
            "unit evaluations have w·x + b = 0 exactly; c·0 = 0, so the step's value at 0 (H(0) = 0 or 1) is "
            "kept too.",
            "",
            table(("c", "random: inputs changed", f"boundary: changed of {boundary_total}, H(0)=0 / H(0)=1"),
                  rows),
            "",
            "c > 0 is needed: c = 0 sends every z to 0 (a constant network), c < 0 flips every perceptron.",
            "Floating point: for c that is a power of 2 (or an integer, with integer weights) c·w and the sums are "
            "exact, so z = 0 stays 0. For other c, (c w)·x + c b is rounded and a z that is exactly 0 in exact "
            "arithmetic may come out as ±1e−17 — a unit on its boundary can flip (the nonzero boundary counts "
            "above). Off the boundary nothing changes: the theorem is about exact arithmetic.",
        ])


def perceptron_scaling(cs=(1e-3, 0.1, 0.5, 3.0, 10.0, 1e3), sizes=(4, 6, 5, 3), n_networks: int = 20,
                       n_inputs: int = 200, seed: int = 0) -> PerceptronScaling:
    """Perceptron networks compute the same function after w, b → c w, c b for any c > 0: H(c z) = H(z).

    Checked on `n_networks` random networks (layer sizes `sizes`) at `n_inputs` random inputs each, for every
    c in `cs`; and on integer-weight networks on boolean inputs, where many units sit exactly on their
    boundary z = 0, with both conventions for the step's value at 0."""
    cs = check_positive_numbers("perceptron_scaling: cs", cs)
    sizes = _sizes(sizes)
    n_networks, n_inputs = check_count("n_networks", n_networks), check_count("n_inputs", n_inputs)
    rng = np.random.default_rng(seed)
    extra = (0.0, -1.0)
    changed = dict.fromkeys(cs + extra, 0)
    for _ in range(n_networks):
        weights, biases = _random_weights(rng, sizes)
        x = rng.standard_normal((n_inputs, sizes[0]))
        y = _output(network(weights, biases, nn.Step), x)
        for c in changed:
            changed[c] += _changed(_output(network(weights, biases, nn.Step, c), x), y)

    x_bool = boolean_inputs(sizes[0])
    boundary = {c: [0, 0] for c in cs}
    zeros = evaluations = 0
    for _ in range(n_networks):
        weights, biases = _random_weights(rng, sizes, integer=True)
        for k, at_zero in enumerate((0.0, 1.0)):
            step = partial(nn.Step, at_zero)
            zs, activations = forward(network(weights, biases, step), x_bool)
            y = activations[-1]
            if k == 0:
                zeros += sum(int((z == 0).sum()) for z in zs)
                evaluations += sum(z.size for z in zs)
            for c in cs:
                boundary[c][k] += _changed(_output(network(weights, biases, step, c), x_bool), y)
    return PerceptronScaling(
        cs=cs, sizes=sizes, n_networks=n_networks, n_inputs=n_inputs,
        changed=tuple(changed[c] for c in cs),
        changed_nonpositive=tuple((c, changed[c]) for c in extra),
        boundary_evaluations=evaluations, boundary_zeros=zeros,
        boundary_changed=tuple(tuple(boundary[c]) for c in cs))


@dataclass(frozen=True)
class SigmoidToPerceptron:
    """Sigmoid network with weights × c against the perceptron network with the same weights."""

    cs: np.ndarray                  # the c values
    sizes: tuple[int, ...]
    n_inputs: int
    margin: float                   # m: inputs whose every unit has |w·x + b| ≥ m (unscaled) form the margin set
    n_margin: int                   # how many of the inputs have margin ≥ m
    smallest_margin: float          # min over all inputs and units of |w·x + b|
    max_diff_all: np.ndarray        # per c: max over all inputs and all units of |a_sigmoid − a_perceptron|
    max_diff_margin: np.ndarray     # per c: the same over the inputs with margin ≥ m
    bound: np.ndarray               # per c: the proven bound for inputs with margin ≥ m (see `sigmoid_to_perceptron`)
    stuck_hidden: np.ndarray        # per c: the boundary unit's σ(c·0), at x on its boundary
    stuck_output: np.ndarray        # per c: the network output at that x
    perceptron_output: tuple[float, float]   # the perceptron network's output there, with H(0) = 0 and H(0) = 1
    off_boundary_output: np.ndarray          # per c: the sigmoid output at a nearby x off the boundary
    off_boundary_perceptron: float

    def report(self) -> str:
        rows = [(f"{c:g}", f"{d_all:.3g}", f"{d_m:.3g}", f"{b:.3g}", f"{h:g}", f"{o:g}", f"{off:.6g}")
                for c, d_all, d_m, b, h, o, off in zip(self.cs, self.max_diff_all, self.max_diff_margin, self.bound,
                                                      self.stuck_hidden, self.stuck_output, self.off_boundary_output)]
        return "\n".join([
            "Sigmoid neurons → perceptrons as the weights and biases grow (Nielsen ch. 1, exercise 1.2)",
            "",
            f"A random network {list(self.sizes)}, weights and biases ~ N(0, 1), on {self.n_inputs} random inputs: "
            "the sigmoid network with w, b → c w, c b against the perceptron network with w, b. "
            f"{self.n_margin} inputs keep every unit at |w·x + b| ≥ m = {self.margin:g}; over all inputs the "
            f"smallest |w·x + b| is {self.smallest_margin:.3g}.",
            "",
            table(("c", "max unit diff (all)", f"max unit diff (margin ≥ {self.margin:g})", "bound", "σ(c·0)",
                   "stuck output", "off-boundary output"), rows),
            "",
            "With a margin m the difference falls like e^(−c m): bound ε_1 = σ(−c m), ε_l = σ(−c (m − R_l ε_(l−1))) "
            "with R_l the largest row sum of |w^l|. Over all inputs it does not: the convergence is pointwise, "
            "not uniform — inputs ever closer to a boundary need ever larger c.",
            f"Failure on the boundary: hidden unit z = x1 − x2 at x = (0.5, 0.5) gives σ(c·0) = ½ for every c, and "
            f"the output σ(c (2·½ − 1)) = ½ too — stuck at ½, while the perceptron network outputs "
            f"{self.perceptron_output[0]:g} (H(0) = 0) or {self.perceptron_output[1]:g} (H(0) = 1). At x = (0.5, "
            f"0.25), off the boundary, the sigmoid output → {self.off_boundary_perceptron:g}, the perceptron's.",
        ])


def _bound(c: float, m: float, row_sums) -> float:
    """max_l ε_l ≥ |a_sigmoid − a_perceptron| over every unit, for an input whose every unit has |z| ≥ m:
    ε_1 = σ(−c m) and ε_l = σ(−c (m − R_l ε_(l−1))) — layer l's z moves by at most R_l ε_(l−1), so it keeps its
    sign and |c z| ≥ c (m − R_l ε_(l−1)) (no bound, 1, once that is ≤ 0)."""
    eps = [0.0]
    for r in row_sums:
        m_eff = m - r * eps[-1]
        if m_eff <= 0:
            return 1.0
        eps.append(float(sigmoid_array(np.float64(-c * m_eff))))
    return max(eps)


def sigmoid_to_perceptron(cs=(1.0, 10.0, 100.0, 1e3, 1e4), sizes=(3, 5, 4, 2), n_inputs: int = 2000,
                          margin: float = 0.05, seed: int = 0) -> SigmoidToPerceptron:
    """σ(c (w·x + b)) → H(w·x + b) as c → ∞ where w·x + b ≠ 0, so the sigmoid network with weights × c tends
    to the perceptron network; at w·x + b = 0 the unit is stuck at σ(0) = ½ for every c.

    Measures the max output difference per c over random inputs (all of them, and those whose units all
    have |w·x + b| ≥ `margin`, with a proven bound), and shows the network stuck at ½ on a boundary."""
    cs = check_positive_numbers("sigmoid_to_perceptron: cs", cs)
    sizes = _sizes(sizes)
    n_inputs = check_count("n_inputs", n_inputs)
    if not (np.isfinite(margin) and margin > 0):
        raise ValueError(f"sigmoid_to_perceptron: margin must be a finite number > 0, got {margin!r}")
    rng = np.random.default_rng(seed)
    weights, biases = _random_weights(rng, sizes)
    x = rng.standard_normal((n_inputs, sizes[0]))
    zs, perceptron_units = forward(network(weights, biases, nn.Step), x)
    unit_margin = np.min(np.abs(np.concatenate(zs, axis=1)), axis=1)
    kept = unit_margin >= margin
    perceptron_units = np.concatenate(perceptron_units, axis=1)
    diffs = np.array([np.abs(np.concatenate(forward(network(weights, biases, nn.Sigmoid, c), x)[1], axis=1)
                             - perceptron_units).max(axis=1) for c in cs])
    row_sums = [0.0] + [float(np.abs(w).sum(axis=1).max()) for w in weights[1:]]

    # The boundary network: hidden z = x1 − x2, output z = 2 a − 1; x = (0.5, 0.5) is on the hidden boundary
    # (and c·0.5 − c·0.5 is exactly 0 in floating point, which c·0.3 − c·0.3 need not be: see perceptron_scaling).
    w_b, b_b = [np.array([[1.0, -1.0]]), np.array([[2.0]])], [np.array([0.0]), np.array([-1.0])]
    x_b = np.array([[0.5, 0.5], [0.5, 0.25]])
    boundary = [forward(network(w_b, b_b, nn.Sigmoid, c), x_b)[1] for c in cs]
    perceptron = [forward(network(w_b, b_b, partial(nn.Step, h)), x_b)[1][-1][:, 0] for h in (0.0, 1.0)]
    return SigmoidToPerceptron(
        cs=frozen(cs), sizes=sizes, n_inputs=n_inputs, margin=float(margin), n_margin=int(kept.sum()),
        smallest_margin=float(unit_margin.min()), max_diff_all=frozen(diffs.max(axis=1)),
        max_diff_margin=frozen(diffs[:, kept].max(axis=1) if kept.any() else np.full(len(cs), np.nan)),
        bound=frozen([_bound(c, margin, row_sums) for c in cs]),
        stuck_hidden=frozen([hidden[0, 0] for hidden, _ in boundary]),
        stuck_output=frozen([out[0, 0] for _, out in boundary]),
        perceptron_output=(float(perceptron[0][0]), float(perceptron[1][0])),
        off_boundary_output=frozen([out[1, 0] for _, out in boundary]),
        off_boundary_perceptron=float(perceptron[0][1]))
