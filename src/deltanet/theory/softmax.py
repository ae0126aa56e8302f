"""Softmax with a temperature: where the name comes from (Nielsen ch. 3, exercise 3.3; seed sheet 004 §3.2).

    a_j = e^{z_j/T} / Σ_i e^{z_i/T}        (Nielsen's c = 1/T)

As T → 0 every a_j with z_j below the maximum m falls like e^{−(m − z_j)/T}, and the k tied maxima share
the rest equally: a → the argmax indicator divided by k (one-hot when the maximum is unique). As T → ∞ every
exponent → 0 and a → the uniform vector 1/n. The expectation Σ_j a_j z_j runs from max z (T → 0) to the
mean of z (T → ∞): softmax is a soft (arg)max.

Bounds checked by the demo (n entries, k of them tied at the maximum m, gap = m − the next value, r = max − min):
    T → 0:  max_j |a_j − limit_j| ≤ (n − k) e^{−gap/T}   (1/k − 1/(k + s) ≤ s, s = Σ_{z_j < m} e^{−(m − z_j)/T})
    T → ∞:  every a_j lies in [1/(1 + (n−1) e^{r/T}), 1/(1 + (n−1) e^{−r/T})], which closes in on 1/n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.theory._common import check_positive_numbers, frozen, table, tensor


def argmax_limit(z) -> np.ndarray:
    """lim_{T→0} softmax(z/T): 1/k on each of the k entries equal to max z, 0 elsewhere."""
    z = np.asarray(z, dtype=np.float64)
    top = z == z.max()
    return top / top.sum()


def _softmax(z: np.ndarray, temperatures) -> np.ndarray:
    """softmax(z/T) for each T (rows), by nn.Softmax(temperature=T)."""
    return np.stack([nn.Softmax(dim=-1, temperature=T)(tensor(z)).numpy() for T in temperatures])


def _hot_bound(r: float, n: int, T: np.ndarray) -> np.ndarray:
    """max_j |a_j − 1/n| ≤ the larger distance from 1/n to the ends of [1/(1 + (n−1)e^{r/T}), 1/(1 + (n−1)e^{−r/T})]
    (each a_j/a_i ∈ [e^{−r/T}, e^{r/T}]); written with e^{−r/T} ≤ 1 only, so nothing overflows."""
    e = np.exp(-r / T)
    return np.maximum(1 / (1 + (n - 1) * e) - 1 / n, 1 / n - e / (e + (n - 1)))


@dataclass(frozen=True)
class SoftmaxTemperature:
    z: np.ndarray
    temperatures: np.ndarray     # T, increasing
    a: np.ndarray                # (len(T), n): softmax(z/T) by nn.Softmax(temperature=T)
    limit_cold: np.ndarray       # T → 0: argmax indicator / k
    limit_hot: np.ndarray        # T → ∞: uniform 1/n
    dist_cold: np.ndarray        # per T: max_j |a_j − limit_cold_j|
    bound_cold: np.ndarray       # per T: min((n − k) e^{−gap/T}, 1)
    dist_hot: np.ndarray         # per T: max_j |a_j − 1/n|
    bound_hot: np.ndarray        # per T: the bound of `_hot_bound`
    expectation: np.ndarray      # per T: Σ_j a_j z_j (→ max z as T → 0, → mean z as T → ∞)
    z_large: np.ndarray          # z rescaled to max |z| = 1e4 (the stability check)
    a_large: np.ndarray          # (len(T), n): softmax(z_large/T)
    large_finite: bool           # every entry of a_large (and its gradient) finite
    large_sum_error: float       # max over T of |Σ_j a_j − 1| for z_large

    @property
    def ties(self) -> int:
        return int((self.z == self.z.max()).sum())

    def report(self) -> str:
        rows = [(f"{T:.3g}", "[" + ", ".join(f"{v:.4f}" for v in a) + "]", f"{dc:.2e}", f"{bc:.2e}", f"{dh:.2e}",
                 f"{bh:.2e}", f"{e:.4f}")
                for T, a, dc, bc, dh, bh, e in zip(self.temperatures, self.a, self.dist_cold, self.bound_cold,
                                                   self.dist_hot, self.bound_hot, self.expectation)]
        fmt = ", ".join
        return "\n".join([
            "Softmax with temperature T: a = softmax(z/T) (Nielsen ch. 3, exercise 3.3, with c = 1/T)",
            "",
            f"z = [{fmt(f'{v:g}' for v in self.z)}]: the maximum {self.z.max():g} is shared by {self.ties} "
            f"entries, so the T → 0 limit is [{fmt(f'{v:.4g}' for v in self.limit_cold)}] (1/{self.ties} on each "
            f"tied maximum, not one-hot); T → ∞ gives 1/{len(self.z)} everywhere.",
            "",
            table(("T", "a = softmax(z/T)", "|a − cold|", "bound", "|a − uniform|", "bound", "Σ a_j z_j"), rows),
            "",
            f"At the smallest T the tied entries are exactly 1/{self.ties} = {1 / self.ties:.17g} and the others "
            f"exactly 0 in floating point ({'yes' if np.array_equal(self.a[0], self.limit_cold) else 'no'}). "
            f"Σ a_j z_j runs from max z = {self.z.max():g} to mean z = {self.z.mean():g}: a soft maximum.",
            f"Stability: z rescaled to |z| ≤ 1e4 ({fmt(f'{v:g}' for v in self.z_large)}): every softmax and "
            f"gradient over the same temperatures is finite: {self.large_finite}; max |Σ a − 1| = "
            f"{self.large_sum_error:.1e}. (Computed as e^{{z/T − max z/T}}: no exponent exceeds 0.)",
        ])


def softmax_temperature(z=(2.0, -1.0, 2.0, 0.5, 2.0, 1.0), temperatures=None) -> SoftmaxTemperature:
    """softmax(z/T) → (argmax indicator)/k as T → 0 — the k tied maxima split the mass equally — and → 1/n as
    T → ∞; with the distance to each limit and its bound per T, and a stability check at |z| = 1e4.
    `temperatures` defaults to 13 values from 1e−3 to 1e3."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or z.size < 2 or not np.isfinite(z).all():
        raise ValueError(f"softmax_temperature: z must be a 1-D sequence of at least 2 finite numbers, got {z!r}")
    if temperatures is None:
        temperatures = np.logspace(-3, 3, 13)
    temperatures = np.sort(np.array(check_positive_numbers("softmax_temperature: temperatures", temperatures)))
    n, m = z.size, z.max()
    a = _softmax(z, temperatures)
    cold, hot = argmax_limit(z), np.full(n, 1 / n)
    below = z[z < m]
    gap = m - below.max() if below.size else np.inf
    bound_cold = np.minimum((n - (z == m).sum()) * np.exp(-gap / temperatures), 1.0)

    z_large = 1e4 * z / np.abs(z).max()
    a_large = _softmax(z_large, temperatures)
    grads_finite = True
    for T in temperatures:          # the VJP of the first entry at each T
        zt = tensor(z_large, requires_grad=True)
        nn.Softmax(dim=-1, temperature=T)(zt)[0].backward()
        grads_finite &= bool(np.isfinite(zt.grad.numpy()).all())
    return SoftmaxTemperature(
        z=frozen(z), temperatures=frozen(temperatures), a=frozen(a), limit_cold=frozen(cold), limit_hot=frozen(hot),
        dist_cold=frozen(np.abs(a - cold).max(axis=1)), bound_cold=frozen(bound_cold),
        dist_hot=frozen(np.abs(a - hot).max(axis=1)), bound_hot=frozen(_hot_bound(z.max() - z.min(), n, temperatures)),
        expectation=frozen(a @ z), z_large=frozen(z_large), a_large=frozen(a_large),
        large_finite=bool(np.isfinite(a_large).all() and grads_finite),
        large_sum_error=float(np.abs(a_large.sum(axis=1) - 1).max()))
