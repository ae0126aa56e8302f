"""Checkable results of seed sheet 001 (`../shared/seeds/001*`).

Question 1  f(x) = w₀ + Σᵢ wᵢ g(bᵢ + vᵢx) with the step g(z) = 1 if z ≥ 0 else 0: which functions it represents
            exactly (lines, the hinge and parabolas no; piecewise constant functions yes).
Question 2  weights of a 2-2-1 ReLU network that separate (1, 1), (−1, −1) from (1, −1), (−1, 1).
Question 3  backpropagation through h = ReLU(Wx + b₁), ŷ = softmax(Uh + b₂), J = −Σᵢ yᵢ log ŷᵢ.
[Optional]  BPTT for h_t = g(W x_{t−1} + U h_{t−1}) with L a function of h_T, and exploding/vanishing gradients.

Erratum: the optional part's ∂L/∂U and ∂L/∂W carry one factor Uᵀ too many — the vector they multiply by
h_{t−1}ᵀ (or x_{t−1}ᵀ) is ∂L/∂h_{t−1}, where ∂L/∂z_{t−1} = D_{t−1} Uᵀ ⋯ is needed.
"""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.exercises._common import (
    array,
    finite_differences,
    fmt,
    forward_table,
    gradient_check,
    gradient_outcome,
    linear,
)
from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet

# ---- Question 1: what a one-hidden-layer network of step units represents exactly ------------------------------


def step_network(breaks, values) -> nn.Sequential:
    """f(x) = w₀ + Σᵢ wᵢ g(bᵢ + vᵢx) with g(z) = 1 if z ≥ 0 else 0, vᵢ = 1 and bᵢ = −sᵢ (a step at each breakpoint
    sᵢ), w₀ = values[0], wᵢ = values[i] − values[i−1]: `values` on the pieces between the sorted `breaks`, each
    piece closed on the left (g(0) = 1)."""
    breaks, values = np.asarray(breaks, dtype=np.float64), np.asarray(values, dtype=np.float64)
    if len(values) != len(breaks) + 1:
        raise ValueError(f"step_network: need one value more than breakpoints, got {len(values)} values and "
                         f"{len(breaks)} breakpoints")
    return nn.Sequential(linear(np.ones((len(breaks), 1)), -breaks), nn.Step(at_zero=1.0),
                         linear([np.diff(values)], [values[0]]))


DOMAIN = (-2.0, 2.0)
UNITS = (8, 32, 128)


def best_step_errors(l) -> dict:
    """For n = 8, 32, 128 step units at equal spacing on [−2, 2]: the step network taking on each piece the
    midpoint of l's range there (the best constant in max norm), its max error on 40,001 points, and how many
    distinct values it takes."""
    x = np.linspace(*DOMAIN, 40_001)
    result = {}
    for n in UNITS:
        edges = np.linspace(*DOMAIN, n + 2)[1:-1]                     # n breakpoints, n + 1 pieces
        piece = np.searchsorted(edges, x, side="right")
        lo, hi = np.full(n + 1, np.inf), np.full(n + 1, -np.inf)
        np.minimum.at(lo, piece, l(x))
        np.maximum.at(hi, piece, l(x))
        f = step_network(edges, (lo + hi) / 2)(array(x[:, None])).data[:, 0]
        result[str(n)] = {"max_error": float(np.max(np.abs(f - l(x)))), "distinct_values": len(np.unique(f))}
    return result


def representation_outcome(l, name: str, extra: dict | None = None, lines: tuple = ()) -> Outcome:
    """The sheet says 'No' for `l`: check that the best step network stays at a positive error that only falls
    like 1/n (a step network is constant between its n breakpoints, l is not on any interval of [−2, 2])."""
    errors = best_step_errors(l)
    positive = all(e["max_error"] > 1e-3 for e in errors.values())
    off_by = ", ".join(f"{e['max_error']:.3g}" for e in errors.values())
    return Outcome(
        computed=f"No: the best step network with n = {', '.join(errors)} units is off by {off_by} on [−2, 2] "
                 "(never 0)",
        verdict=agrees_if(positive), value={"errors": errors, **(extra or {})},
        explain="\n".join([
            f"l(x) = {name}. A step network with n units is constant between its n breakpoints (at most n + 1",
            "values); l is not piecewise constant, so no finite network equals it. Best network with n equal pieces",
            "on [−2, 2] (each piece at the midpoint of l's range there), max error on 40,001 points:",
            *(f"  n = {n:3}: max error {e['max_error']:.5f}, n · error = {int(n) * e['max_error']:.3f}, "
              f"distinct values {e['distinct_values']}" for n, e in errors.items()),
            *lines]))


@exercise("001-q1-linear", source=sheet(1, "Question 1"),
          claim="polynomials of degree one l(x) = ax + b: No (Yes if g can be the identity)")
def _():
    a, b = 1.5, -0.5
    x = np.linspace(*DOMAIN, 401)
    identity = nn.Sequential(linear([[a]], [0.0]), nn.Identity(), linear([[1.0]], [b]))   # w₀ + w₁(b₁ + v₁x)
    identity_error = float(np.max(np.abs(identity(array(x[:, None])).data[:, 0] - (a * x + b))))
    return representation_outcome(
        lambda x: a * x + b, "1.5x − 0.5", {"identity_error": identity_error},
        (f"With g the identity, f(x) = w₀ + w₁(b₁ + v₁x) with v₁ = a, b₁ = 0, w₁ = 1, w₀ = b is ax + b: max error "
         f"{identity_error:g} (Yes).",))


@exercise("001-q1-hinge", source=sheet(1, "Question 1"), claim="hinge loss l(x) = max(1 − x, 0): No")
def _():
    return representation_outcome(lambda x: np.maximum(1 - x, 0), "max(1 − x, 0)")


@exercise("001-q1-quadratic", source=sheet(1, "Question 1"),
          claim="polynomials of degree two l(x) = ax² + bx + c: No")
def _():
    return representation_outcome(lambda x: x ** 2 - 0.5 * x + 0.25, "x² − 0.5x + 0.25")


@exercise("001-q1-indicator", source=sheet(1, "Question 1"),
          claim="(−c)·g(x − b) + c·g(x − a) represents l(x) = c for a ≤ x < b (0 elsewhere)")
def _():
    a, b, c = -0.5, 1.25, 2.5
    x = np.concatenate([np.linspace(*DOMAIN, 401), [a, b]])        # the breakpoints themselves included
    target = np.where((a <= x) & (x < b), c, 0.0)
    outputs = {}
    for at_zero in (1.0, 0.0):                                     # the sheet's g(0) = 1, and f(0) = 0 instead
        model = nn.Sequential(linear([[1.0], [1.0]], [-b, -a]), nn.Step(at_zero=at_zero), linear([[-c, c]]))
        outputs[at_zero] = model(array(x[:, None])).data[:, 0]
    error = float(np.max(np.abs(outputs[1.0] - target)))
    return Outcome(
        computed=f"max |network − c·1[a ≤ x < b]| = {error:g} on 401 points of [−2, 2] and at a, b (a = {a}, "
                 f"b = {b}, c = {c}): f(a) = {outputs[1.0][-2]:g}, f(b) = {outputs[1.0][-1]:g}",
        verdict=agrees_if(error == 0.0),
        value={"max_error": error, "at_a": float(outputs[1.0][-2]), "at_b": float(outputs[1.0][-1]),
               "g0_zero_at_a": float(outputs[0.0][-2]), "g0_zero_at_b": float(outputs[0.0][-1])},
        explain="\n".join([
            "g(x − a) = 1 from a on, g(x − b) = 1 from b on: c·g(x − a) − c·g(x − b) = c exactly on [a, b).",
            "Linear(1, 2) (v = 1, biases −b, −a) → Step(at_zero=1) → Linear(2, 1) (weights −c, c), at the ends:",
            f"  f(a) = {outputs[1.0][-2]:g}, f(b) = {outputs[1.0][-1]:g}",
            "The value at 0 decides which end is closed: with a step f(0) = 0 (nn.Step(at_zero=0)) the same weights",
            f"represent c on (a, b]: f(a) = {outputs[0.0][-2]:g}, f(b) = {outputs[0.0][-1]:g}."]))


@exercise("001-q1-piecewise-constant", source=sheet(1, "Question 1"), claim="piecewise constant functions: Yes")
def _():
    rng = np.random.default_rng(0)
    breaks, values = np.sort(rng.uniform(*DOMAIN, 6)), rng.integers(-5, 6, 7).astype(np.float64)
    x = np.concatenate([np.linspace(-3, 3, 601), breaks])
    target = values[np.searchsorted(breaks, x, side="right")]       # value of the piece [s_i, s_{i+1}) holding x
    f = step_network(breaks, values)(array(x[:, None])).data[:, 0]
    error = float(np.max(np.abs(f - target)))
    return Outcome(
        computed=f"a random function with 7 pieces is represented exactly by 6 step units: max error {error:g} on 601 "
                 "points of [−3, 3] and at every breakpoint",
        verdict=agrees_if(error == 0.0), value={"max_error": error, "units": len(breaks)},
        explain="\n".join([
            "f(x) = w₀ + Σᵢ wᵢ g(x − sᵢ): w₀ the first piece's value, wᵢ the jump at sᵢ (the sheet's bump pairs with",
            "shared breakpoints merged). Pieces [sᵢ, sᵢ₊₁) as g(0) = 1; a piece open on the left needs vᵢ = −1.",
            f"  breakpoints {fmt(breaks, 4)}", f"  values      {fmt(values)}",
            f"  max |network − f| = {error:g}"]))


# ---- Question 2: a 2-2-1 ReLU network for the XOR-like labels ---------------------------------------------------

@exercise("001-q2-relu-weights", source=sheet(1, "Question 2"),
          claim="W₁ = [[1, 1], [−1, −1]], b₁ = 0, w₂ = (1, 1), b₂ = −1 separate y = 1 from y = −1")
def _():
    X, y = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=np.float64), np.array([1.0, -1.0, -1.0, 1.0])
    model = nn.Sequential(linear([[1, 1], [-1, -1]], [0, 0]), nn.ReLU(), linear([[1, 1]], [-1]))
    out = model(array(X)).data[:, 0]
    wrong = X[np.sign(out) != y].astype(int).tolist()
    return Outcome(
        computed=f"w₂ᵀReLU(W₁x + b₁) + b₂ = {out.tolist()} on x₁…x₄: exactly the labels y = {y.tolist()}",
        verdict=agrees_if(not wrong), value={"outputs": out.tolist(), "wrong": wrong},
        explain="\n".join(["x₁ = (1, 1), x₂ = (1, −1), x₃ = (−1, 1), x₄ = (−1, −1); ReLU(x₁ + x₂) + ReLU(−x₁ − x₂) − 1 "
                           "= |x₁ + x₂| − 1:", *forward_table(model, array(X))]))


# ---- Question 3: backpropagation through ReLU, softmax and cross-entropy ---------------------------------------

def q3_problem(seed: int = 0) -> dict:
    """A random instance (n, m, k = 4, 6, 3) of h = ReLU(Wx + b₁), ŷ = softmax(Uh + b₂), J = −Σᵢ yᵢ log ŷᵢ:
    its trace (dn.inspect), every gradient the sheet asks for by autograd and by central differences, and the
    sheet's formulas."""
    from deltanet.inspect import trace

    rng = np.random.default_rng(seed)
    n, m, k = 4, 6, 3
    first = linear(rng.standard_normal((m, n)), rng.standard_normal(m))             # W, b₁
    second = linear(rng.standard_normal((k, m)), rng.standard_normal(k))            # U, b₂
    model, J = nn.Sequential(first, nn.ReLU(), second), nn.CrossEntropyLoss()
    x, label = rng.standard_normal(n), int(rng.integers(k))
    y = np.eye(k)[label]
    t = trace(model, x, label, J)                                  # the one-hot y as its class index
    h, y_hat = t.layers[0].a, dn.softmax(array(t.layers[1].z), dim=-1).data
    target = dn.tensor(np.array([label]))
    z1, z2, h_t = (dn.tensor(v[None], requires_grad=True) for v in (t.layers[0].z, t.layers[1].z, h))
    from_z1 = lambda: J(second(nn.ReLU()(z1)), target)             # noqa: E731  J as a function of z₁, h, z₂
    from_h, from_z2 = lambda: J(second(h_t), target), lambda: J(z2, target)       # noqa: E731
    numeric = finite_differences(lambda: J(model(array(x[None])), target), [first.weight, first.bias, second.weight,
                                                                            second.bias])
    U = second.weight.data
    delta1 = y_hat - y                                             # the sheet's δ₁ = ∂J/∂z₂ (output layer)
    delta2 = U.T @ delta1 * (h > 0)                                # the sheet's δ₂ = ∂J/∂z₁ (hidden layer)
    return {
        "trace": t, "mask": (h > 0).tolist(),
        "sheet": {"z2": delta1, "b2": delta1, "U": np.outer(delta1, h), "h": U.T @ delta1, "z1": delta2,
                  "b1": delta2, "W": np.outer(delta2, x)},
        "autograd": {"z2": t.layers[1].delta, "b2": t.layers[1].grad_bias, "U": t.layers[1].grad_weight,
                     "h": dn.autograd.grad(from_h(), h_t)[0].data[0], "z1": t.layers[0].delta,
                     "b1": t.layers[0].grad_bias, "W": t.layers[0].grad_weight},
        "numeric": {"z2": finite_differences(from_z2, [z2])[0][0], "b2": numeric[3], "U": numeric[2],
                    "h": finite_differences(from_h, [h_t])[0][0], "z1": finite_differences(from_z1, [z1])[0][0],
                    "b1": numeric[1], "W": numeric[0]}}


def q3_entry(name: str, what: str) -> Outcome:
    """Compare the sheet's formula for ∂J/∂`name` with autograd and central differences."""
    p = q3_problem()
    value = gradient_check(*(p[kind][name] for kind in ("sheet", "autograd", "numeric")))
    return gradient_outcome(value, what, [
        "random instance (seed 0): x ∈ ℝ⁴, W 6×4, U 3×6, a one-hot y; J = nn.CrossEntropyLoss (softmax + "
        "cross-entropy).", f"ReLU mask 1{{h > 0}} = {[int(v) for v in p['mask']]}. The sheet numbers δ from the "
        "output: its δ₁ is δ² of the trace below, its δ₂ is δ¹.", p["trace"].format("text"), ""])


@exercise("001-q3-delta1", source=sheet(1, "Question 3"), claim="δ₁ = ∂J/∂z₂ = ŷ − y")
def _():
    return q3_entry("z2", "δ₁ = ∂J/∂z₂ = ŷ − y (y one-hot, so Σᵢ yᵢ = 1)")


@exercise("001-q3-db2", source=sheet(1, "Question 3"), claim="∂J/∂b₂ = δ₁")
def _():
    return q3_entry("b2", "∂J/∂b₂ = δ₁")


@exercise("001-q3-du", source=sheet(1, "Question 3"), claim="∂J/∂U = δ₁hᵀ")
def _():
    return q3_entry("U", "∂J/∂U = δ₁hᵀ")


@exercise("001-q3-dh", source=sheet(1, "Question 3"), claim="∂J/∂h = Uᵀδ₁")
def _():
    return q3_entry("h", "∂J/∂h = Uᵀδ₁")


@exercise("001-q3-delta2", source=sheet(1, "Question 3"), claim="δ₂ = ∂J/∂z₁ = Uᵀδ₁ ∘ 1{h > 0}")
def _():
    return q3_entry("z1", "δ₂ = ∂J/∂z₁ = Uᵀδ₁ ∘ 1{h > 0}")


@exercise("001-q3-db1", source=sheet(1, "Question 3"), claim="∂J/∂b₁ = δ₂")
def _():
    return q3_entry("b1", "∂J/∂b₁ = δ₂")


@exercise("001-q3-dw", source=sheet(1, "Question 3"), claim="∂J/∂W = δ₂xᵀ")
def _():
    return q3_entry("W", "∂J/∂W = δ₂xᵀ")


# ---- [Optional]: backpropagation in an RNN, exploding and vanishing gradients ----------------------------------

def rnn_problem(seed: int = 0) -> dict:
    """A random instance (n, m, T = 3, 4, 5) of z_{t−1} = W x_{t−1} + U h_{t−1}, h_t = tanh(z_{t−1}) (nn.RNNCell
    without bias: weight_ih = W, weight_hh = U) with L = c·h_T, so ∂L/∂h_T = c: ∂L/∂U, ∂L/∂W and ∂L/∂h_t by
    autograd and central differences, and the states."""
    rng = np.random.default_rng(seed)
    n, m, T = 3, 4, 5
    cell = nn.RNNCell(n, m, bias=False, dtype=np.float64)
    cell.weight_ih.data[...] = rng.standard_normal((m, n))            # W
    cell.weight_hh.data[...] = 0.8 * rng.standard_normal((m, m))      # U
    xs, c = rng.standard_normal((T, n)), rng.standard_normal(m)
    h0 = dn.tensor(0.5 * rng.standard_normal(m), requires_grad=True)

    def states():
        hs = [h0]
        for x in xs:
            hs.append(cell(array(x), hs[-1]))
        return hs

    hs = states()
    L = (array(c) * hs[-1]).sum()
    grads = dn.autograd.grad(L, [cell.weight_hh, cell.weight_ih, *hs[:-1]])
    numeric = finite_differences(lambda: (array(c) * states()[-1]).sum(), [cell.weight_hh, cell.weight_ih])
    return {"U": cell.weight_hh.data.copy(), "W": cell.weight_ih.data.copy(), "xs": xs, "c": c,
            "h": np.array([h.data for h in hs]), "autograd": {"U": grads[0].data, "W": grads[1].data},
            "numeric": {"U": numeric[0], "W": numeric[1]}, "dL_dh": np.array([g.data for g in grads[2:]])}


def rnn_vectors(p: dict, reading: str) -> list[np.ndarray]:
    """The vector multiplying h_{t−1}ᵀ (and x_{t−1}ᵀ), t = 1…T, with D_k = diag(g′(z_k)) = diag(1 − h_{k+1}²):
    'sheet'     Π_{k=t−1}^{T−1} (Uᵀ D_k) ∂L/∂h_T, the product in increasing k from the left
    'reversed'  the same product in decreasing k from the left
    'corrected' D_{t−1} Π_{k=t}^{T−1} (Uᵀ D_k) ∂L/∂h_T = ∂L/∂z_{t−1}"""
    U, h, c = p["U"], p["h"], p["c"]
    T = len(p["xs"])
    D = [np.diag(1 - h[k + 1] ** 2) for k in range(T)]
    vectors = []
    for t in range(1, T + 1):
        factors = [U.T @ D[k] for k in range(t - 1, T)]
        if reading == "reversed":
            factors = factors[::-1]
        elif reading == "corrected":
            factors = [D[t - 1], *factors[1:]]
        vectors.append(np.linalg.multi_dot([np.eye(len(c)), *factors, c]))
    return vectors


def rnn_gradient(p: dict, reading: str, name: str) -> np.ndarray:
    """Σ_{t=1}^{T} v_t h_{t−1}ᵀ (name 'U') or Σ_t v_t x_{t−1}ᵀ (name 'W') for the vectors of `reading`."""
    inputs = p["h"][:-1] if name == "U" else p["xs"]
    return sum(np.outer(v, a) for v, a in zip(rnn_vectors(p, reading), inputs, strict=True))


def rnn_entry(name: str, what: str) -> Outcome:
    p = rnn_problem()
    value = gradient_check(rnn_gradient(p, "sheet", name), p["autograd"][name], p["numeric"][name])
    other = {reading: float(np.max(np.abs(rnn_gradient(p, reading, name) - p["autograd"][name])))
             for reading in ("reversed", "corrected")}
    is_dL_dh = float(np.max(np.abs(np.array(rnn_vectors(p, "sheet")) - p["dL_dh"])))
    value.update(reversed_error=other["reversed"], corrected_error=other["corrected"], sheet_vector_is_dL_dh=is_dL_dh)
    inputs = "h_{t−1}ᵀ" if name == "U" else "x_{t−1}ᵀ"
    return gradient_outcome(
        value, what, [
            "random instance (seed 0): n, m, T = 3, 4, 5, g = tanh (nn.RNNCell, weight_ih = W, weight_hh = U), a "
            "given h₀, L = c·h_T (so ∂L/∂h_T = c).",
            f"The sheet's vector Π_{{k=t−1}}^{{T−1}}(UᵀD_k)·∂L/∂h_T is ∂L/∂h_{{t−1}} (autograd, max difference "
            f"{is_dL_dh:.1e}): one Uᵀ too many. With D_{{t−1}} in place of the first Uᵀ D_{{t−1}} the sum matches "
            f"(max difference {other['corrected']:.1e}); the product in decreasing k is off by "
            f"{other['reversed']:.2g}.",
            f"∂L/∂{name} (the sheet's Σ_t (…) {inputs}):"],
        correction=f"∂L/∂{name} = Σ_{{t=1}}^{{T}} D_{{t−1}} (Π_{{k=t}}^{{T−1}} Uᵀ D_k) ∂L/∂h_T {inputs} (the "
                   "product in increasing k, empty for t = T): the vector is δ_{t−1} = ∂L/∂z_{t−1}, not ∂L/∂h_{t−1}")


@exercise("001-qopt-dldu", source=sheet(1, "[Optional] Backpropagation in RNN"),
          claim="∂L/∂U = Σ_{t=1}^{T} (Π_{k=t−1}^{T−1} UᵀD_k) ∂L/∂h_T h_{t−1}ᵀ, D_k = diag(g′(z_k))")
def _():
    return rnn_entry("U", "∂L/∂U")


@exercise("001-qopt-dldw", source=sheet(1, "[Optional] Backpropagation in RNN"),
          claim="∂L/∂W = Σ_{t=1}^{T} (Π_{k=t−1}^{T−1} UᵀD_k) ∂L/∂h_T x_{t−1}ᵀ")
def _():
    return rnn_entry("W", "∂L/∂W")


def state_jacobians(g: nn.Module, U: np.ndarray, W: np.ndarray, xs: np.ndarray, h0: np.ndarray) -> list[np.ndarray]:
    """∂h_T/∂h_t for t = 0 … T−1 by dn.inspect.jacobian, h_{t+1} = g(W x_t + U h_t)."""
    from deltanet.inspect import jacobian

    def run(h, steps):
        for x in steps:
            h = g(array(U) @ h + array(W @ x))
        return h

    states = [array(h0)]
    for x in xs:
        states.append(run(states[-1], [x]))
    return [jacobian(lambda h, t=t: run(h, xs[t:]), states[t].data) for t in range(len(xs))]


def singular_value_growth(g: nn.Module, slope: float, singular_values, seed: int = 0) -> dict:
    """A run of T = 12 steps with σ(U) = `singular_values` (random orthogonal factors): for each gap T − t the
    extreme singular values of ∂h_T/∂h_t, and λ·σ(U) bounds with λ = `slope` (g′ > λ or g′ < λ)."""
    rng = np.random.default_rng(seed)
    m, n, T = len(singular_values), 2, 12
    Q1, _ = np.linalg.qr(rng.standard_normal((m, m)))
    Q2, _ = np.linalg.qr(rng.standard_normal((m, m)))
    U = Q1 @ np.diag(singular_values) @ Q2.T
    J = state_jacobians(g, U, rng.standard_normal((m, n)), rng.standard_normal((T, n)), rng.standard_normal(m))
    sigma = [np.linalg.svd(j, compute_uv=False) for j in J]
    return {"gaps": [T - t for t in range(T)], "sigma_min": [float(s[-1]) for s in sigma],
            "sigma_max": [float(s[0]) for s in sigma], "lambda": slope,
            "sigma_U": [float(min(singular_values)), float(max(singular_values))]}


@exercise("001-qopt-exploding", source=sheet(1, "[Optional] Backpropagation in RNN"),
          claim="g′ > λ and σ_min(U) > 1/λ ⇒ σ_min(∂h_s/∂h_t) > a^(s−t) with a > 1: exploding gradients")
def _():
    r = singular_value_growth(nn.LeakyReLU(0.95), 0.9, [1.25, 1.4, 1.5, 1.6])   # g′ ∈ {0.95, 1} > λ = 0.9
    a = r["lambda"] * r["sigma_U"][0]
    holds = all(s >= a ** gap for s, gap in zip(r["sigma_min"], r["gaps"], strict=True))
    return Outcome(
        computed=f"σ_min(∂h_T/∂h_t) grows from {r['sigma_min'][-1]:.3g} (gap 1) to {r['sigma_min'][0]:.3g} (gap 12), "
                 f"above a^(T−t) with a = λσ_min(U) = {a:g} at every gap",
        verdict=agrees_if(holds), value={**r, "a": a},
        explain="\n".join([
            "g = LeakyReLU(0.95) (g′ ∈ {0.95, 1} > λ = 0.9), U with singular values 1.25 … 1.6 (σ_min(U) = 1.25 > "
            "1/λ = 1.11), m = 4, T = 12; Jacobians ∂h_T/∂h_t by dn.inspect.jacobian:",
            *(f"  T − t = {gap:2}: σ_min = {s:10.4g} ≥ a^(T−t) = {a ** gap:8.4g}"
              for gap, s in zip(r["gaps"], r["sigma_min"], strict=True))]))


@exercise("001-qopt-vanishing", source=sheet(1, "[Optional] Backpropagation in RNN"),
          claim="g′ < λ and σ_max(U) < 1/λ ⇒ σ_max(∂h_s/∂h_t) < a^(s−t) with a < 1: vanishing gradients")
def _():
    r = singular_value_growth(nn.Sigmoid(), 0.3, [1.0, 2.0, 2.5, 3.0])     # σ′ ≤ ¼ < λ = 0.3
    a = r["lambda"] * r["sigma_U"][1]
    holds = all(s <= a ** gap for s, gap in zip(r["sigma_max"], r["gaps"], strict=True))
    return Outcome(
        computed=f"σ_max(∂h_T/∂h_t) falls from {r['sigma_max'][-1]:.3g} (gap 1) to {r['sigma_max'][0]:.3g} (gap 12), "
                 f"below a^(T−t) with a = λσ_max(U) = {a:g} at every gap",
        verdict=agrees_if(holds), value={**r, "a": a},
        explain="\n".join([
            "g = sigmoid (g′ ≤ ¼ < λ = 0.3), U with singular values 1 … 3 (σ_max(U) = 3 < 1/λ = 3.33), m = 4, T = 12;",
            "Jacobians ∂h_T/∂h_t by dn.inspect.jacobian:",
            *(f"  T − t = {gap:2}: σ_max = {s:10.4g} ≤ a^(T−t) = {a ** gap:8.4g}"
              for gap, s in zip(r["gaps"], r["sigma_max"], strict=True))]))
