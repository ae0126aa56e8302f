"""The binary entropy and the minimum of the cross-entropy (Nielsen ch. 3, exercises 3.1–3.2; seed sheet 004
§3.1).

For a target y ∈ [0, 1] and an output a ∈ (0, 1) the cross-entropy is

    C(a) = −[y ln a + (1 − y) ln(1 − a)],     C′(a) = (a − y) / (a (1 − a)),

so C′ < 0 for a < y and > 0 for a > y: C is minimised at a = y, where it equals the binary entropy

    H(y) = −y ln y − (1 − y) ln(1 − y)        (0 ln 0 = 0; maximum ln 2 at y = ½).

With a = σ(z) the chain rule cancels σ′(z) = a (1 − a): ∂C/∂z = a − y, with no learning slowdown.
Every C, C′ and ∂C/∂z here is computed by nn.BCELoss and autograd; the formulas above are the checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.theory._common import check_count, frozen, table, tensor

_bce = nn.BCELoss(reduction="none")


def cross_entropy(a, y) -> np.ndarray:
    """C(a) = −[y ln a + (1 − y) ln(1 − a)] elementwise, by nn.BCELoss."""
    a, y = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64))
    with dn.no_grad():
        return _bce(tensor(a), tensor(y)).numpy()


def golden_section(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-10) -> float:
    """argmin of a unimodal f on [lo, hi] to within tol: compare f at two inner points that split the
    bracket in the golden ratio and keep the part holding the smaller value (one new evaluation a step)."""
    g = (math.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    while hi - lo > tol:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - g * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + g * (hi - lo)
            f2 = f(x2)
    return (lo + hi) / 2


@dataclass(frozen=True)
class BinaryEntropy:
    y: np.ndarray          # grid on [0, 1]
    H: np.ndarray          # H(y) in nats, = C(a = y) by nn.BCELoss
    y_max: float           # where H is largest on the grid
    H_max: float           # its value (ln 2 at y = ½)

    def report(self) -> str:
        sample = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
        rows = [(f"{y:g}", f"{h:.6f}", f"{h / math.log(2):.6f}")
                for y, h in zip(sample, cross_entropy(sample, sample) + 0.0)]
        return "\n".join([
            "Binary entropy H(y) = −y ln y − (1 − y) ln(1 − y) (seed sheet 004, exercise 3.1)",
            "",
            "H(y) is the cross-entropy C(a) = −[y ln a + (1 − y) ln(1 − a)] at its minimum a = y; here it is "
            f"nn.BCELoss(a = y, y) on {len(self.y)} points of [0, 1] (0 ln 0 = 0 at the ends).",
            "",
            table(("y", "H(y) [nats]", "H(y) [bits]"), rows),
            "",
            f"Maximum {self.H_max:.15f} at y = {self.y_max:g} (ln 2 = {math.log(2):.15f}); H(y) = H(1 − y); "
            "H(0) = H(1) = 0: a certain target costs nothing at a = y.",
        ])


def binary_entropy(n: int = 201) -> BinaryEntropy:
    """H(y) = −y ln y − (1 − y) ln(1 − y) on n points of [0, 1], as the cross-entropy C(a = y; y)."""
    n = check_count("binary_entropy: n", n, minimum=3)
    y = np.linspace(0.0, 1.0, n)
    H = cross_entropy(y, y) + 0.0       # + 0.0 turns the −0.0 at y = 1 into 0.0
    k = int(np.argmax(H))
    return BinaryEntropy(y=frozen(y), H=frozen(H), y_max=float(y[k]), H_max=float(H[k]))


@dataclass(frozen=True)
class CrossEntropyMinimum:
    ys: np.ndarray              # the targets y
    a: np.ndarray               # grid of outputs in (0, 1)
    C: np.ndarray               # (len(ys), len(a)): C(a) for each y
    dC_da: np.ndarray           # (len(ys), len(a)): C′(a) by autograd
    dC_da_error: float          # max relative difference from (a − y)/(a (1 − a))
    dC_dz_error: float          # max |∂C/∂z (autograd through a = σ(z)) − (a − y)|
    a_star: np.ndarray          # per y: argmin of C by golden-section search (no derivatives)
    C_min: np.ndarray           # per y: C(a_star)
    H: np.ndarray               # per y: H(y)

    def report(self) -> str:
        rows = [(f"{y:g}", f"{a:.10f}", f"{abs(a - y):.1e}", f"{c:.12f}", f"{h:.12f}")
                for y, a, c, h in zip(self.ys, self.a_star, self.C_min, self.H)]
        return "\n".join([
            "The cross-entropy C(a) = −[y ln a + (1 − y) ln(1 − a)] is minimised at a = y (Nielsen ch. 3, ex. 3.1)",
            "",
            "For each target y, C(a) by nn.BCELoss, minimised over a ∈ (0, 1) by golden-section search (values "
            "only, no derivatives):",
            "",
            table(("y", "argmin a*", "|a* − y|", "C(a*)", "H(y)"), rows),
            "",
            f"C′(a) by autograd on {len(self.a)} points of (0, 1) equals (a − y)/(a (1 − a)) to "
            f"{self.dC_da_error:.1e} (relative): negative below y, positive above, so a = y is the minimum and "
            "C(y) = H(y).",
            f"Through a = σ(z): ∂C/∂z = C′(a) σ′(z) = a − y (autograd, max error {self.dC_dz_error:.1e}) — σ′ "
            "cancels, so the cross-entropy does not slow down when σ saturates (seed sheet 004, exercise 3.2).",
        ])


def cross_entropy_minimum(ys=(0.1, 0.3, 0.5, 0.8), n: int = 199) -> CrossEntropyMinimum:
    """For each y in ys: C(a) on a grid of n points in (0, 1), C′(a) by autograd against (a − y)/(a (1 − a)),
    ∂C/∂z = a − y through a = σ(z), and the argmin a* of C by a golden-section search, with C(a*) against H(y)."""
    ys = np.atleast_1d(np.asarray(ys, dtype=np.float64))
    if ys.ndim != 1 or ys.size == 0 or not np.all((ys > 0) & (ys < 1)):
        raise ValueError(f"cross_entropy_minimum: ys must be numbers strictly between 0 and 1 (for y = 0 or 1 "
                         f"the minimum a = y lies on the edge, where ln a or ln(1 − a) is −∞), got {ys.tolist()}")
    n = check_count("cross_entropy_minimum: n", n, minimum=3)
    a = np.linspace(0, 1, n + 2)[1:-1]
    A, Y = np.broadcast_arrays(a[None, :], ys[:, None])

    a_t = tensor(A, requires_grad=True)
    _bce(a_t, tensor(Y)).sum().backward()           # C_ij depends on a_ij alone: the gradient is C′ elementwise
    dC_da = a_t.grad.numpy()
    expected = (A - Y) / (A * (1 - A))
    z_t = tensor(np.log(A / (1 - A)), requires_grad=True)
    _bce(dn.sigmoid(z_t), tensor(Y)).sum().backward()

    a_star = np.array([golden_section(lambda v, y=y: float(cross_entropy(v, y)), 1e-12, 1 - 1e-12) for y in ys])
    return CrossEntropyMinimum(
        ys=frozen(ys), a=frozen(a), C=frozen(cross_entropy(A, Y)), dC_da=frozen(dC_da),
        dC_da_error=float(np.max(np.abs(dC_da - expected) / np.maximum(np.abs(expected), 1.0))),
        dC_dz_error=float(np.max(np.abs(z_t.grad.numpy() - (A - Y)))),
        a_star=frozen(a_star), C_min=frozen(cross_entropy(a_star, ys)), H=frozen(cross_entropy(ys, ys)))
