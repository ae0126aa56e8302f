"""Linear separability, decided exactly: a separating (w, b) or a Farkas certificate that none exists
(seed sheet 000 Q1: XOR "is impossible for linear models"; sheet 001 Q2).

Labels y_i ∈ {0, 1} become signs s_i = ±1. A perceptron H(w·x + b) computes y exactly when
s_i (w·x_i + b) > 0 for every i; scaling (w, b) turns any such solution into one of

    s_i (w·x_i + b) ≥ 1        for every example i,                                     (*)

a system of linear inequalities in u = (w_1, …, w_p, b). Fourier–Motzkin elimination decides it in exact
rational arithmetic: eliminate one unknown at a time by adding, with positive weights, each inequality where
it has a positive coefficient to each where it has a negative one. Every derived inequality is a
non-negative combination Σ λ_i × (*)_i of the original ones, and the λ are carried along. Either

- an inequality 0 ≥ Σ λ_i > 0 appears: then Σ λ_i s_i x_i = 0 and Σ λ_i s_i = 0 with λ ≥ 0, Σ λ_i = 1, and
  adding the inequalities (*) with these weights gives 0 ≥ 1 — no (w, b) exists (Farkas' lemma); or
- all unknowns are eliminated without it: substituting back, each unknown in turn gets a value between
  its lower and upper bounds, and (w, b) satisfies (*).

For XOR the certificate is λ = (¼, ¼, ¼, ¼): −b ≥ 1, w2 + b ≥ 1, w1 + b ≥ 1, −(w1 + w2 + b) ≥ 1 add up to 0 ≥ 4.
The number of derived inequalities can grow exponentially with the dimension (each step eliminates the unknown
that creates the fewest, and duplicates are dropped): this is for small problems, such as boolean functions
of up to five inputs (well under a second each).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import numpy as np

from deltanet import nn
from deltanet.theory._common import boolean_inputs, forward, linear, table

# The 16 boolean functions of two inputs, by name.
BOOLEAN_FUNCTIONS_2 = {
    "FALSE": lambda p, q: 0, "AND": lambda p, q: p & q, "x1 AND NOT x2": lambda p, q: p & (1 - q),
    "x1": lambda p, q: p, "NOT x1 AND x2": lambda p, q: (1 - p) & q, "x2": lambda p, q: q,
    "XOR": lambda p, q: p ^ q, "OR": lambda p, q: p | q, "NOR": lambda p, q: 1 - (p | q),
    "XNOR": lambda p, q: 1 - (p ^ q), "NOT x2": lambda p, q: 1 - q, "x1 OR NOT x2": lambda p, q: p | (1 - q),
    "NOT x1": lambda p, q: 1 - p, "NOT x1 OR x2": lambda p, q: (1 - p) | q, "NAND": lambda p, q: 1 - (p & q),
    "TRUE": lambda p, q: 1,
}

Row = tuple[tuple[Fraction, ...], Fraction, tuple[Fraction, ...]]   # (a, c, λ): a·u ≥ c is Σ λ_i × (*)_i


def _fraction(v) -> Fraction:
    return Fraction(v.item() if isinstance(v, np.generic) else v)


def _normalised(a, c, lam) -> Row:
    """The same inequality scaled so that max |a_j| = 1 (or Σ λ = 1 when a = 0): equal rows compare equal."""
    scale = max((abs(v) for v in a), default=0) or sum(lam)
    return tuple(v / scale for v in a), c / scale, tuple(v / scale for v in lam)


def _eliminate(rows: list[Row], k: int) -> list[Row]:
    """Fourier–Motzkin step: rows without u_k, and for every pair with a_k > 0 and a_k < 0 the positive
    combination (−a_qk)·p + a_pk·q, in which u_k cancels. Of rows with the same a only the largest c is kept."""
    positive = [r for r in rows if r[0][k] > 0]
    negative = [r for r in rows if r[0][k] < 0]
    derived = [r for r in rows if r[0][k] == 0]
    for (ap, cp, lp), (aq, cq, lq) in product(positive, negative):
        s, t = -aq[k], ap[k]
        derived.append(_normalised(tuple(s * x + t * y for x, y in zip(ap, aq)), s * cp + t * cq,
                                   tuple(s * x + t * y for x, y in zip(lp, lq))))
    strongest: dict[tuple, Row] = {}
    for row in derived:
        if row[0] not in strongest or row[1] > strongest[row[0]][1]:
            strongest[row[0]] = row
    return list(strongest.values())


def _solve(A: list[tuple[Fraction, ...]]) -> tuple[tuple[Fraction, ...] | None, tuple[Fraction, ...] | None]:
    """(u, None) with A u ≥ 1 componentwise, or (None, λ) with λ ≥ 0, Σ λ = 1, Aᵀλ = 0 — by elimination.
    Each step eliminates the unknown that creates the fewest new rows (fewest pairs a_k > 0, a_k < 0)."""
    m, d = len(A), len(A[0])
    rows = [_normalised(A[i], Fraction(1), tuple(Fraction(int(i == j)) for j in range(m))) for i in range(m)]
    stages = []                               # (k, the rows before u_k was eliminated)
    remaining = set(range(d))
    while remaining:
        k = min(sorted(remaining), key=lambda j: sum(r[0][j] > 0 for r in rows) * sum(r[0][j] < 0 for r in rows))
        stages.append((k, rows))
        remaining.discard(k)
        rows = _eliminate(rows, k)
        for a, c, lam in rows:
            if c > 0 and not any(a):          # 0 ≥ c > 0: contradiction
                total = sum(lam)
                return None, tuple(v / total for v in lam)
    u: list[Fraction] = [Fraction(0)] * d
    for k, rows in reversed(stages):          # these rows involve u_k and the unknowns already substituted
        lower, upper = [], []
        for a, c, _ in rows:
            if a[k]:
                bound = (c - sum(a[j] * u[j] for j in range(d) if j != k)) / a[k]
                (lower if a[k] > 0 else upper).append(bound)
        lo, hi = max(lower, default=None), min(upper, default=None)
        # the value of smallest magnitude in [lo, hi] (the elimination guarantees lo ≤ hi)
        u[k] = lo if lo is not None and lo > 0 else hi if hi is not None and hi < 0 else Fraction(0)
    return tuple(u), None


@dataclass(frozen=True)
class Separability:
    """The answer for one labelled point set: a separating (w, b), or a Farkas certificate λ."""

    X: np.ndarray                          # (m, p) points
    y: np.ndarray                          # (m,) labels 0/1
    w: tuple[Fraction, ...] | None         # exact separator with s_i (w·x_i + b) ≥ 1, when one exists
    b: Fraction | None
    certificate: tuple[Fraction, ...] | None   # λ ≥ 0, Σ λ = 1, Σ λ_i s_i x_i = 0, Σ λ_i s_i = 0
    perceptron_correct: bool | None        # nn.Linear + nn.Step with (w, b) reproduces y (None: no w)

    @property
    def separable(self) -> bool:
        return self.w is not None

    def verify(self) -> bool:
        """Check the answer in exact arithmetic: (*) for (w, b), or the certificate's four conditions."""
        X = [[_fraction(v) for v in x] for x in self.X]
        s = [1 if v else -1 for v in self.y]
        if self.separable:
            return all(si * (sum(wk * xk for wk, xk in zip(self.w, x)) + self.b) >= 1 for si, x in zip(s, X))
        lam = self.certificate
        return (all(v >= 0 for v in lam) and sum(lam) == 1 and sum(li * si for li, si in zip(lam, s)) == 0
                and all(sum(li * si * x[k] for li, si, x in zip(lam, s, X)) == 0 for k in range(self.X.shape[1])))

    def _form(self, x) -> str:
        """w·x + b as text, e.g. 'w1 + w2 + b'."""
        terms = []
        for k, v in enumerate(x, start=1):
            v = _fraction(v)
            if v:
                terms.append(("" if abs(v) == 1 else f"{abs(v)}·") + f"w{k}")
                terms[-1] = ("− " if v < 0 else "+ ") + terms[-1]
        text = " ".join(terms + ["+ b"])
        return text[2:] if text.startswith("+ ") else "−" + text[2:]

    def explanation(self) -> str:
        if self.separable:
            w = ", ".join(map(str, self.w))
            return (f"separable: w = ({w}), b = {self.b} gives s_i (w·x_i + b) ≥ 1 at every point "
                    f"(exact check: {self.verify()}; nn.Linear + nn.Step reproduce the labels: "
                    f"{self.perceptron_correct})")
        lines = ["not separable — add the inequalities s_i (w·x_i + b) ≥ 1 with weights λ_i:"]
        used = [(lam, x, label) for lam, x, label in zip(self.certificate, self.X, self.y) if lam]
        sides = []
        for _, x, label in used:
            form = self._form(x)
            sides.append(form if label else f"−({form})" if " " in form else f"−{form}")
        width = max(map(len, sides))
        for (lam, x, label), side in zip(used, sides):
            point = ", ".join(f"{v:g}" for v in x)
            lines.append(f"    {str(lam):>6} × [ {side:<{width}} ≥ 1 ]    x = ({point}), y = {int(label)}")
        lines.append(f"    sum: 0·w + 0·b ≥ {sum(self.certificate)}, i.e. 0 ≥ 1 — a contradiction "
                     f"(exact check of the certificate: {self.verify()})")
        return "\n".join(lines)

    def report(self) -> str:
        p = self.X.shape[1]
        return "\n".join([f"{len(self.X)} points in {p} dimension{'' if p == 1 else 's'}:", self.explanation()])


def linearly_separable(X, y) -> Separability:
    """Is there (w, b) with w·x_i + b > 0 exactly where y_i = 1? Returns a `Separability` holding an exact
    separator, or a Farkas certificate λ (weights that add the inequalities s_i (w·x_i + b) ≥ 1 to 0 ≥ 1).

    X: (m, p) finite numbers (converted exactly to fractions); y: m labels, 0/1 (or −1/+1, read as 0/1)."""
    X = np.array(X, dtype=np.float64)           # a copy: it is made read-only below
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0 or not np.isfinite(X).all():
        raise ValueError(f"linearly_separable: X must be a non-empty (m, p) array of finite numbers, got shape "
                         f"{X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"linearly_separable: y must hold one label per row of X, shape ({X.shape[0]},), "
                         f"got shape {y.shape}")
    values = set(np.unique(y).tolist())
    if not (values <= {0, 1} or values <= {-1, 1}):
        raise ValueError(f"linearly_separable: labels must be 0/1 (or −1/+1), got {sorted(values)}")
    y = (y > 0).astype(np.int64)
    A = [tuple((1 if label else -1) * _fraction(v) for v in (*x, 1.0)) for x, label in zip(X, y)]
    u, certificate = _solve(A)
    correct = None
    if u is not None:
        model = nn.Sequential(linear([[float(v) for v in u[:-1]]], [float(u[-1])]), nn.Step())
        correct = bool(np.array_equal(forward(model, X)[1][-1][:, 0], y))
    X.flags.writeable = False
    y.flags.writeable = False
    return Separability(X=X, y=y, w=None if u is None else u[:-1], b=None if u is None else u[-1],
                        certificate=certificate, perceptron_correct=correct)


@dataclass(frozen=True)
class XorSeparability:
    xor: Separability
    functions: tuple[tuple[str, Separability], ...]    # all 16 boolean functions of 2 inputs
    parity3: Separability                              # x1 ⊕ x2 ⊕ x3

    @property
    def n_separable(self) -> int:
        return sum(r.separable for _, r in self.functions)

    def report(self) -> str:
        rows = [(name, "".join(map(str, r.y)), "yes" if r.separable else "NO",
                 f"w = ({', '.join(map(str, r.w))}), b = {r.b}" if r.separable
                 else "λ = (" + ", ".join(map(str, r.certificate)) + ")",
                 str(r.verify()))
                for name, r in self.functions]
        return "\n".join([
            "XOR is not linearly separable — an exact proof (seed sheet 000 Q1, sheet 001 Q2)",
            "",
            "XOR on (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0: a perceptron needs s_i (w·x_i + b) ≥ 1, "
            "s_i = +1 for label 1 and −1 for label 0.",
            self.xor.explanation(),
            "",
            "All 16 boolean functions of two inputs (labels at 00, 01, 10, 11), by Fourier–Motzkin elimination in "
            "exact fractions:",
            "",
            table(("function", "labels", "separable", "separator or Farkas certificate", "verified"), rows),
            "",
            f"{self.n_separable} of 16 are linearly separable; XOR and XNOR are not.",
            "",
            "3-input parity x1 ⊕ x2 ⊕ x3 on the 8 corners of the cube:",
            self.parity3.explanation(),
            "",
            "A hidden layer removes the obstruction: see `deltanet construct xor`.",
        ])


def xor_separability() -> XorSeparability:
    """XOR has no separating line (certificate printed); of the 16 boolean functions of two inputs exactly 14
    are linearly separable; 3-input parity is not separable either."""
    X2, X3 = boolean_inputs(2), boolean_inputs(3)
    functions = tuple((name, linearly_separable(X2, [f(int(p), int(q)) for p, q in X2]))
                      for name, f in BOOLEAN_FUNCTIONS_2.items())
    xor = dict(functions)["XOR"]
    parity3 = linearly_separable(X3, X3.sum(axis=1).astype(int) % 2)
    return XorSeparability(xor=xor, functions=functions, parity3=parity3)
