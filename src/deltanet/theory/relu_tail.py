"""A ReLU network is eventually linear along every ray, so it cannot detect primes (seed sheet 003, Q4.5–4.6).

One input t, one hidden layer of ReLU units, one identity output:

    f(t) = b_out + Σ_j v_j max(0, w_j t + b_j).

Unit j has its kink at t_j = −b_j / w_j, where the slope of f changes by v_j |w_j|. Beyond the last kink
t* every unit is either on for good (w_j > 0) or off for good (w_j < 0), so for t ≥ t*

    f(t) = (Σ_{w_j > 0} v_j w_j) t + (b_out + Σ_{w_j > 0} v_j b_j)      — exactly affine.

An affine function crosses a threshold at most once, so past t* the network gives every integer the same
answer from some point on — while primes and composites keep alternating. (The same holds along any ray
x = t d of a deeper ReLU network with any number of inputs: finitely many kinks, then affine.)

The demo trains such a network on the prime indicator of 1…n_max, finds t* from the trained weights, and
checks the affine tail with the network itself: values against the predicted line, second differences,
and the slope by autograd on both sides of t*.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import numpy as np

import deltanet as dn
from deltanet import nn, optim
from deltanet.theory._common import check_count, frozen, linear, table, tensor


def primes_upto(n: int) -> np.ndarray:
    """Boolean array p with p[k] = (k is prime), k = 0 … n (sieve of Eratosthenes)."""
    p = np.ones(n + 1, dtype=bool)
    p[:2] = False
    for k in range(2, int(n ** 0.5) + 1):
        if p[k]:
            p[k * k::k] = False
    return p


def is_prime(n: int) -> bool:
    """Miller–Rabin with the first twelve primes as bases: exact for every n < 3.3e24."""
    if n < 2:
        return False
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n in bases:
        return True
    if any(n % p == 0 for p in bases):
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _values_and_slopes(model, t) -> tuple[np.ndarray, np.ndarray]:
    """(f(t), f′(t)) at each t: one forward pass and one backward pass (row i of f depends on t_i only)."""
    x = tensor(np.asarray(t, dtype=np.float64)[:, None], requires_grad=True)
    f = model(x)
    f.sum().backward()
    return f.numpy()[:, 0].copy(), x.grad.numpy()[:, 0].copy()


@dataclass(frozen=True)
class ReluTail:
    n_max: int                   # trained on n = 1 … n_max, input t = n / n_max
    hidden: int
    train_accuracy: float        # f(n) > ½ ⇔ n prime, on 1 … n_max
    train_loss: float            # mean (f(n) − prime(n))² on 1 … n_max
    kinks: np.ndarray            # t_j = −b_j / w_j of the units with w_j ≠ 0 and v_j ≠ 0, sorted
    slope_changes: np.ndarray    # v_j |w_j| at each kink
    last_kink: float             # t*: beyond it f is affine (0 when no unit bends f: affine everywhere)
    last_change: float           # the change of slope at t*: Σ v_j |w_j| over the units with their kink there
    slope: float                 # Σ_{w_j > 0} v_j w_j, per unit of t
    intercept: float             # b_out + Σ_{w_j > 0} v_j b_j
    t_tail: np.ndarray           # grid on [t*, t* + span]
    f_tail: np.ndarray           # the network's f there
    affine_error: float          # max |f − (slope t + intercept)| / max(1, max |f|) on the tail
    second_difference: float     # max |f(t + h) − 2 f(t) + f(t − h)| / max(1, max |f|) on the tail grid
    slope_error: float           # max |f′ (autograd) − slope| / max(1, |slope|) on the tail
    slope_left: float            # f′ just left of t* (autograd)
    slope_right: float           # f′ just right of t*
    eventual_class: bool         # the class (f > ½: "prime") of every integer n > n_constant
    n_constant: int              # from here on the answer no longer changes
    first_prime: int             # the first prime above n_constant …
    first_composite: int         # … and the first composite: one of them is misclassified
    t_plot: np.ndarray           # f on [0, 2 t*] (or a little beyond the data), for a plot
    f_plot: np.ndarray

    @property
    def last_breakpoint(self) -> float:
        """t* in units of n (the input is n / n_max)."""
        return self.last_kink * self.n_max

    def report(self) -> str:
        rows = [(f"{t:.6f}", f"{t * self.n_max:.3f}", f"{d:+.6f}") for t, d in zip(self.kinks, self.slope_changes)]
        label = "prime" if self.eventual_class else "not prime"
        return "\n".join([
            "A ReLU network is eventually affine along a ray — so no \"prime detector\" (seed sheet 003, Q4.5–4.6)",
            "",
            f"Network 1 → {self.hidden} ReLU → 1 (identity) on the prime indicator of n = 1 … {self.n_max} (input "
            f"t = n/{self.n_max}): squared loss {self.train_loss:.4f}, accuracy {100 * self.train_accuracy:.1f} % "
            "with f(n) > ½ ⇔ prime. (A 1-D ReLU network needs about three units per prime to fit this exactly; "
            "the argument below does not depend on the fit.)",
            "",
            f"Kinks t_j = −b_j/w_j of the {len(self.kinks)} units that bend f, with the change of slope v_j |w_j| "
            "(the last five):",
            table(("t_j", "n_j = t_j · n_max", "slope change"), rows[-5:]),
            "",
            f"Last breakpoint t* = {self.last_kink:.9g}, i.e. n* = {self.last_breakpoint:.6g}. For t ≥ t* every unit "
            f"with w_j > 0 is on and every other unit off, so f(t) = {self.slope:.9g} t "
            f"{'−' if self.intercept < 0 else '+'} {abs(self.intercept):.9g}.",
            f"Checked with the network on {len(self.t_tail)} points of [t*, {self.t_tail[-1]:.6g}] (n up to "
            f"{self.t_tail[-1] * self.n_max:.3g}): max |f − line| = {self.affine_error:.1e}, max second difference = "
            f"{self.second_difference:.1e}, max |f′ − slope| = {self.slope_error:.1e} (relative, float64).",
            f"The breakpoint is real: f′ = {self.slope_left:.9g} just left of t* and {self.slope_right:.9g} just right "
            f"(change {self.slope_right - self.slope_left:+.9g}; predicted {self.last_change:+.9g}).",
            "",
            f"So for every integer n > {self.n_constant} the network answers \"{label}\": it calls "
            f"{self.first_prime} (prime) and {self.first_composite} (composite) the same. Any such network — any "
            "weights, any number of hidden units — does this beyond its last kink; a claimed prime detector cannot "
            "be one (seed sheet 003, Q4.6: do not invest).",
        ])


def _trained(n_max: int, hidden: int, steps: int, lr: float, seed: int) -> nn.Sequential:
    """1 → hidden ReLU → 1 fitted by Adam (squared loss, full batch) to the prime indicator at t = n / n_max."""
    rng = np.random.default_rng(seed)
    # Kinks spread over the data (t in (0, 1]): w_j = ±U(1, 3), b_j = −w_j c_j with c_j ~ U(0, 1).
    w = rng.choice([-1.0, 1.0], hidden) * rng.uniform(1, 3, hidden)
    model = nn.Sequential(linear(w[:, None], -w * rng.uniform(0, 1, hidden)), nn.ReLU(),
                          linear(rng.normal(0, 1 / np.sqrt(hidden), (1, hidden)), [0.0]))
    n = np.arange(1, n_max + 1)
    x, y = tensor((n / n_max)[:, None]), tensor(primes_upto(n_max)[1:, None].astype(np.float64))
    loss_fn, optimizer = nn.MSELoss(), optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return model


def _check_model(model) -> None:
    layers = list(model) if isinstance(model, nn.Sequential) else []
    if not (len(layers) == 3 and isinstance(layers[0], nn.Linear) and isinstance(layers[1], nn.ReLU)
            and isinstance(layers[2], nn.Linear) and layers[0].in_features == 1 and layers[2].out_features == 1
            and layers[0].bias is not None and layers[2].bias is not None
            and layers[0].weight.dtype == layers[2].weight.dtype == np.float64):
        raise TypeError("relu_eventually_linear: model must be nn.Sequential(nn.Linear(1, H), nn.ReLU(), "
                        f"nn.Linear(H, 1)) with biases, in float64, got {model!r}")


def relu_eventually_linear(n_max: int = 100, hidden: int = 32, steps: int = 2000, lr: float = 0.01,
                           seed: int = 0, model: nn.Sequential | None = None) -> ReluTail:
    """Train 1 → `hidden` ReLU → 1 on the prime indicator of 1 … n_max (input t = n / n_max) — or take
    `model`, any nn.Sequential(Linear(1, H), ReLU(), Linear(H, 1)) on that input — then show that f is exactly
    affine beyond its last kink t* = max_j −b_j/w_j (values, second differences and autograd slope), that t*
    is a real breakpoint, and that past it every integer gets the same answer."""
    n_max = check_count("n_max", n_max, 2)
    if model is None:
        hidden, steps = check_count("hidden", hidden), check_count("steps", steps)
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"relu_eventually_linear: lr must be a finite number > 0, got {lr!r}")
        model = _trained(n_max, hidden, steps, lr, seed)
    _check_model(model)
    threshold = 0.5                 # f(n) > ½ ⇔ "prime"
    n = np.arange(1, n_max + 1)
    prime = primes_upto(n_max)[1:]
    with dn.no_grad():
        f_train = model(tensor((n / n_max)[:, None])).numpy()[:, 0]

    w, b = model[0].weight.numpy()[:, 0], model[0].bias.numpy()
    v, b_out = model[2].weight.numpy()[0], float(model[2].bias.numpy()[0])
    bends = (w != 0) & (v != 0)
    order = np.argsort(-b[bends] / w[bends])
    kinks, changes = (-b[bends] / w[bends])[order], (v[bends] * np.abs(w[bends]))[order]
    on, flat = w > 0, w == 0        # past t*: on for good / constant max(0, b_j)
    slope = float(v[on] @ w[on])
    intercept = float(b_out + v[on] @ b[on] + v[flat] @ np.maximum(b[flat], 0))
    t_star = float(kinks[-1]) if kinks.size else 0.0
    last_change = float(changes[kinks == t_star].sum())
    earlier = kinks[kinks < t_star]
    eps = min((t_star - earlier[-1]) / 2, 1e-3) if earlier.size else 1e-3

    t_tail = t_star + np.linspace(0.0, 1000.0, 1001)
    f_tail, df_tail = _values_and_slopes(model, t_tail)     # at t* itself f′ is the left slope: skip it below
    scale = max(1.0, float(np.abs(f_tail).max()))
    _, (slope_left, slope_right) = _values_and_slopes(model, [t_star - eps, t_star + eps])

    # Past max(n*, the crossing of ½) the answer is constant.
    crossing = (threshold - intercept) / slope * n_max if slope else -np.inf
    n_constant = int(np.floor(max(t_star * n_max, crossing, 0.0)))
    first_prime = next(k for k in count(n_constant + 1) if is_prime(k))
    first_composite = next(k for k in count(max(n_constant + 1, 4)) if not is_prime(k))
    t_plot = np.linspace(0.0, max(2 * t_star, 1.5), 601)
    f_plot, _ = _values_and_slopes(model, t_plot)
    return ReluTail(
        n_max=n_max, hidden=len(v), train_accuracy=float(np.mean((f_train > threshold) == prime)),
        train_loss=float(np.mean((f_train - prime) ** 2)), kinks=frozen(kinks), slope_changes=frozen(changes),
        last_kink=t_star, last_change=last_change,
        slope=slope, intercept=intercept, t_tail=frozen(t_tail), f_tail=frozen(f_tail),
        affine_error=float(np.abs(f_tail - (slope * t_tail + intercept)).max() / scale),
        second_difference=float(np.abs(np.diff(f_tail, 2)).max() / scale),
        slope_error=float(np.abs(df_tail[1:] - slope).max() / max(1.0, abs(slope))),
        slope_left=float(slope_left), slope_right=float(slope_right),
        eventual_class=bool(slope > 0 if slope else intercept > threshold), n_constant=n_constant,
        first_prime=first_prime, first_composite=first_composite,
        t_plot=frozen(t_plot), f_plot=frozen(f_plot))
