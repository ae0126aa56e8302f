"""Step neurons, bumps, towers and a universal approximator (Nielsen ch. 4; seed sheets 003 Q4, 004 §4).

Every unit here approximates the unit step H(u) of some pre-activation u, in one of two kinds:

    sigmoid:  σ(g u)                                        ½ at u = 0; within ε of H once |u| > ln(1/ε)/g
    relu:     ReLU(g u + ½) − ReLU(g u − ½) = clip(g u + ½, 0, 1)   exactly H(u) once |u| ≥ 1/(2g)

(the relu pair is sheet 003 Q4.3's ramp h_{c,d} with c, d = ∓1/(2g)).

Step neuron: a = σ(w (x − s)) steps up at x = s (seed 004 §4.1: weight w, bias −w s).
Bump (Nielsen ch. 4): h (t(x; s1) − t(x; s2)), t a step at s1 or s2 of either kind: h on (s1, s2), 0 outside,
apart from transition zones around s1 and s2 of width ~1/w (exactly 1/w for relu).
Tower in m dimensions: per coordinate an interval indicator I_d = t(x_d; lo_d) − t(x_d; hi_d) ∈ [0, 1], so
Σ_d I_d = m inside the box and Σ_d I_d ≤ m − 1 as soon as one coordinate is outside. A threshold unit on
u = Σ_d I_d − m + ½ (= ½ inside, ≤ −½ outside), gain w for sigmoid, 1 for relu (then it is exactly
clip(Σ I − m + 1, 0, 1)), and an identity output unit h·a give h inside and 0 outside. Seed 004 uses the
bias −3H/2 (m = 2) and −5H/2 (m = 3) with H the gain, i.e. −(m − ½)H; its general formula −(2h − 1)/2
should read −(2m − 1)H/2.

Approximation of f on a box, n pieces per axis, value f̄ = f(cell centre) on each cell (a staircase):

    1-D:  f̂(x) = f̄_1 + Σ_{k=1}^{n−1} (f̄_{k+1} − f̄_k) t(x; s_k)          one step per interior breakpoint s_k
    m-D:  f̂(x) = Σ_j c_j Q_j(x),  Q_j = Π_{d: j_d > 0} H(x_d − s_{d,j_d})     orthant steps, c_0 the output bias

where c is the m-fold backward difference of f̄ (np.diff(…, prepend=0) along every axis; summing c back up
gives f̄) and Q_j is a threshold unit as in the tower, on Σ_{d: j_d > 0} t(x_d; s_{d,j_d}) with m_j = #{d: j_d
> 0}. The 1-D network is Nielsen's sum of bumps with the two neurons at each shared breakpoint merged.
Why orthants and not a sum of towers of height f̄: at a cell corner all the towers around it are half up
(Σ I = m − 1 for each), every threshold unit is off, and the sum drops to 0 — a hole at every corner.
With orthant steps the output at any point is a convex combination of the neighbouring cell values —
exactly for relu, and up to a term of the size of the mixed difference c (O(piece²)) for sigmoid, while the
transition zones are narrower than a piece — so the error measured everywhere, transition zones included,
stays about that of the staircase.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.construct._common import Failure, choice, failures, forward, linear, number

KINDS = ("sigmoid", "relu")


def nielsen_f(x):
    """Nielsen's example, f(x) = 0.2 + 0.4 x² + 0.3 x sin(15 x) + 0.05 cos(50 x) (ch. 4; seed 004 §4.2)."""
    return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)


def _hard_steps(A, c, g, kind: str) -> tuple[list[nn.Module], np.ndarray]:
    """Layers whose activations a give v = S a ≈ H(A x + c) row by row (gain g per row, see the module
    docstring): returns ([Linear, activation], S)."""
    A, c = np.atleast_2d(np.asarray(A, dtype=np.float64)), np.asarray(c, dtype=np.float64)
    g = np.broadcast_to(np.asarray(g, dtype=np.float64), c.shape)
    if kind == "sigmoid":
        return [linear(g[:, None] * A, g * c), nn.Sigmoid()], np.eye(len(c))
    W = np.repeat(g[:, None] * A, 2, axis=0)
    b = np.repeat(g * c, 2) + np.tile([0.5, -0.5], len(c))
    return [linear(W, b), nn.ReLU()], np.kron(np.eye(len(c)), [1.0, -1.0])


def _steps(points, dims: int, w: float, kind: str) -> tuple[list[nn.Module], np.ndarray]:
    """First hidden layer: a step t_i ≈ H(x_{d_i} − s_i) for each point (d_i, s_i)."""
    axes, s = zip(*points)
    return _hard_steps(np.eye(dims)[list(axes)], -np.array(s), w, kind)


def _thresholds(C, m, S, w: float, kind: str) -> tuple[list[nn.Module], np.ndarray]:
    """Second hidden layer on steps t = S a: Q_j ≈ H(C_j t − m_j + ½), which is 1 iff C_j t = m_j."""
    C = np.atleast_2d(C)
    return _hard_steps(C @ S, 0.5 - np.asarray(m, dtype=np.float64), w if kind == "sigmoid" else 1.0, kind)


def step_neuron(s: float, w: float = 1000.0) -> nn.Sequential:
    """a = σ(w (x − s)): a sigmoid neuron that steps from 0 to 1 at x = s (steeper for larger w)."""
    s, w = number(s, "s", "step_neuron"), number(w, "w", "step_neuron", positive=True)
    layers, _ = _steps([(0, s)], 1, w, "sigmoid")
    return nn.Sequential(*layers)


def bump(s1: float, s2: float, h: float, kind: str = "sigmoid", w: float = 1000.0) -> nn.Sequential:
    """y = h (t(x; s1) − t(x; s2)): height h on (s1, s2), 0 outside (Nielsen's bump; 2 sigmoid or 4 ReLU
    hidden units, identity output)."""
    s1, s2 = _interval(s1, s2, "bump")
    h, w = number(h, "h", "bump"), number(w, "w", "bump", positive=True)
    kind = choice(kind, KINDS, "kind", "bump")
    layers, S = _steps([(0, s1), (0, s2)], 1, w, kind)
    return nn.Sequential(*layers, linear(h * np.array([[1.0, -1.0]]) @ S, [0.0]))


def _interval(lo, hi, where: str) -> tuple[float, float]:
    lo, hi = number(lo, "the lower end", where), number(hi, "the upper end", where)
    if not lo < hi:
        raise ValueError(f"{where}: an interval needs lower < upper, got ({lo}, {hi})")
    return lo, hi


def _box(rect, where: str) -> list[tuple[float, float]]:
    """A box as m pairs (lo, hi); one pair (lo, hi) is a 1-D box."""
    try:
        pairs = [tuple(rect)] if np.ndim(rect) == 1 else [tuple(pair) for pair in rect]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a sequence of (low, high) pairs, one per coordinate, "
                         f"got {rect!r}") from None
    return [_interval(lo, hi, where) for lo, hi in pairs]


def tower(rect, h: float, kind: str = "sigmoid", w: float = 1000.0) -> nn.Sequential:
    """y ≈ h·1[x ∈ rect] in m dimensions, rect = m pairs (lo, hi): 2m step units (4m for relu), one threshold
    unit on Σ_d I_d − m + ½ (two for relu) and an identity output unit (see the module docstring)."""
    box = _box(rect, "tower")
    h, w = number(h, "h", "tower"), number(w, "w", "tower", positive=True)
    kind = choice(kind, KINDS, "kind", "tower")
    m = len(box)
    steps, S1 = _steps([(d, s) for d, pair in enumerate(box) for s in pair], m, w, kind)
    threshold, S2 = _thresholds(np.tile([1.0, -1.0], m), [m], S1, w, kind)
    return nn.Sequential(*steps, *threshold, linear(h * S2, [0.0]))


def tower_probes(rect, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Test points for h·1[x ∈ rect] and the values there. With c the centre and r the half-widths: inside,
    c and the 2^m points c ± 0.8 r; one coordinate outside, the point c + 0.8 r with coordinate d moved to
    c_d ± 1.2 r_d (for each d and side); far away, c ± 10 r and c + 10 r_d e_d."""
    box = np.array(_box(rect, "tower_probes"))
    h = number(h, "h", "tower_probes")
    c, r = box.mean(axis=1), (box[:, 1] - box[:, 0]) / 2
    m = len(c)
    inside = [c] + [c + 0.8 * r * np.array(signs) for signs in itertools.product((-1, 1), repeat=m)]
    one_out = []
    for d, side in itertools.product(range(m), (-1, 1)):
        x = c + 0.8 * r
        x[d] = c[d] + side * 1.2 * r[d]
        one_out.append(x)
    far = [c + 10 * r, c - 10 * r] + [c + 10 * r[d] * np.eye(m)[d] for d in range(m)]
    X = np.array(inside + one_out + far)
    return X, np.r_[np.full(len(inside), h), np.zeros(len(one_out) + len(far))]


def verify_tower(model: nn.Module, rect, h: float, atol: float = 1e-6) -> list[Failure]:
    """The `tower_probes` points where |model(x) − h·1[x ∈ rect]| > atol (a bump is a 1-D tower)."""
    X, y = tower_probes(rect, h)
    return failures(model, X, y, atol, "verify_tower")


@dataclass
class Approximation:
    """A network f̂ approximating f, measured on a dense grid over the whole domain (transition zones
    included): max_error = max |f − f̂|; staircase_error = max |f − f̄| (f̄ the cell values, the limit w → ∞).
    `domain` is the box as ((lo, hi), …), one pair per axis; `x` holds the grid axes; `target` and `output`
    are f and f̂ on the grid, of shape (G,) in 1-D and (G2, G1) in 2-D with [i, j] at (x1[j], x2[i])
    (np.meshgrid's order, as `plot.tower_surface`)."""

    model: nn.Sequential
    max_error: float
    staircase_error: float
    n_pieces: int
    domain: tuple
    kind: str
    w: float
    x: tuple
    target: np.ndarray
    output: np.ndarray

    @property
    def hidden_units(self) -> int:
        """Hidden units in all hidden layers."""
        return sum(layer.out_features for layer in list(self.model)[:-1] if isinstance(layer, nn.Linear))


def approximate(f, domain, n_pieces: int, kind: str = "sigmoid", w: float | None = None,
                grid: int | None = None) -> Approximation:
    """A network approximating f on a 1-D domain (lo, hi) (f(x) on arrays) or a 2-D domain ((lo1, hi1),
    (lo2, hi2)) (f(x1, x2) on arrays), with n_pieces ≥ 2 pieces per axis (see the module docstring).

    w: the slope of the step units, default 1000 n / (smallest width), so a transition zone is ~1/1000 of a
    piece. grid: points per axis of the measurement grid, default 10,001 (1-D) or 201 (2-D)."""
    box = _box(domain, "approximate")
    m = len(box)
    if m > 2:
        raise ValueError(f"approximate: the domain must be 1-D (lo, hi) or 2-D ((lo1, hi1), (lo2, hi2)), got {m} "
                         "dimensions")
    if isinstance(n_pieces, bool) or not isinstance(n_pieces, int | np.integer) or n_pieces < 2:
        raise ValueError(f"approximate: n_pieces must be an integer ≥ 2, got {n_pieces!r}")
    kind = choice(kind, KINDS, "kind", "approximate")
    lo, hi = np.array(box).T
    n = int(n_pieces)
    w = 1000.0 * n / float(np.min(hi - lo)) if w is None else number(w, "w", "approximate", positive=True)
    grid = (10_001 if m == 1 else 201) if grid is None else grid
    if isinstance(grid, bool) or not isinstance(grid, int | np.integer) or grid < 2:
        raise ValueError(f"approximate: grid must be an integer ≥ 2 (points per axis), got {grid!r}")

    breaks = [np.linspace(lo[d], hi[d], n + 1) for d in range(m)]
    centres = [(b[:-1] + b[1:]) / 2 for b in breaks]
    f_bar = _evaluate(f, np.meshgrid(*centres, indexing="ij"), "the cell centres")
    c = f_bar
    for d in range(m):
        c = np.diff(c, axis=d, prepend=0.0)
    steps, S1 = _steps([(d, s) for d in range(m) for s in breaks[d][1:-1]], m, w, kind)
    if m == 1:
        model = nn.Sequential(*steps, linear(c[None, 1:] @ S1, [c[0]]))
    else:
        terms = [j for j in np.ndindex(c.shape) if any(j)]
        C = np.zeros((len(terms), m * (n - 1)))
        for row, j in enumerate(terms):
            C[row, [d * (n - 1) + j[d] - 1 for d in range(m) if j[d]]] = 1.0
        threshold, S2 = _thresholds(C, C.sum(axis=1), S1, w, kind)
        model = nn.Sequential(*steps, *threshold, linear(np.array([[c[j] for j in terms]]) @ S2, [c[(0,) * m]]))

    axes = tuple(np.linspace(lo[d], hi[d], grid) for d in range(m))
    points = np.meshgrid(*axes)                              # 'xy' order: [i, j] at (x1[j], x2[i])
    target = _evaluate(f, points, "the measurement grid")
    output = forward(model, np.stack([p.ravel() for p in points], axis=1)).reshape(target.shape)
    cell = tuple(np.clip(((p - lo[d]) / (hi[d] - lo[d]) * n).astype(int), 0, n - 1) for d, p in enumerate(points))
    return Approximation(model, float(np.max(np.abs(output - target))), float(np.max(np.abs(f_bar[cell] - target))),
                         n, tuple(box), kind, w, axes, target, output)


def _evaluate(f, points: list[np.ndarray], where: str) -> np.ndarray:
    """f on a grid of points (one array per coordinate), checked for shape and finiteness."""
    try:
        values = np.asarray(f(*points), dtype=np.float64)
    except TypeError as error:
        raise TypeError(f"approximate: f must take {len(points)} array argument(s) (use np.sin, not math.sin): "
                        f"{error}") from None
    if values.shape != points[0].shape:
        raise ValueError(f"approximate: f must return an array of the shape of its arguments {points[0].shape}, "
                         f"got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"approximate: f is NaN or infinite at some of {where}")
    return values
