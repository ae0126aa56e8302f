"""Adam (Kingma & Ba, 2015), its AMSGrad variant, and AdamW (decoupled weight decay, Loshchilov & Hutter)."""

from __future__ import annotations

import numpy as np

from deltanet.optim.optimizer import Optimizer, _check_real


class Adam(Optimizer):
    r"""Adam: gradient descent with per-weight step sizes from running moments of the gradient
    (the same update as `torch.optim.Adam`).

    For each parameter w with gradient g = ∂C/∂w, at step t = 1, 2, ... (learning rate η, betas β₁, β₂,
    epsilon ε, weight decay λ; m₀ = v₀ = 0):

        g ← g + λ w                         (L2 weight decay, only if λ ≠ 0; AdamW decays w instead)
        m ← β₁ m + (1 − β₁) g               (first moment: running mean of g)
        v ← β₂ v + (1 − β₂) g²              (second moment: running mean of g², elementwise)
        v̂ ← max(v̂, v)                       (amsgrad only; v̂ is used below in place of v)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ) (bias corrections for the zero start)
        w ← w − η m̂ / (√v̂ + ε)

    ε is added *after* the square root and after the bias correction of v, exactly as torch computes
    w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε). `maximize=True` uses −g.
    State per parameter: "step" (t, an int), "exp_avg" (m), "exp_avg_sq" (v) and, with amsgrad,
    "max_exp_avg_sq" (v̂); the arrays are shaped like the parameter.

    Args:
        params: iterable of tensors, `(name, tensor)` pairs or parameter-group dicts.
        lr: learning rate η ≥ 0.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε ≥ 0, keeps the division finite where v ≈ 0.
        weight_decay: λ ≥ 0.
        amsgrad: divide by the running maximum of v (AMSGrad, Reddi et al. 2018).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: decay the weights directly, w ← (1 − ηλ) w, before the Adam step, instead of
            adding λ w to g (this is AdamW).
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(betas)
        for i, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating)):
                raise TypeError(f"beta{i + 1} must be a real number, got {beta!r}")
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} (must be in [0, 1))")
        _check_real(group, "eps", low=0.0)
        _check_real(group, "weight_decay", low=0.0)

    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient (equations in the class docstring).

        `closure`, if given, is called first (with gradients enabled) and its result returned.
        """
        loss = self._evaluate(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w = p.data
                g = p.grad.data                               # read only: never written in place
                st = state.get(p)
                if st is None:
                    st = state[p] = {"step": 0, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}
                if amsgrad and "max_exp_avg_sq" not in st:
                    st["max_exp_avg_sq"] = np.zeros_like(w)
                m = st["exp_avg"]
                v = st["exp_avg_sq"]
                t = st["step"] = st["step"] + 1
                if maximize:
                    g = -g
                if wd != 0:
                    if decoupled:
                        w *= 1 - lr * wd                      # w ← (1 − ηλ) w
                    else:
                        g = g + wd * w                        # g ← g + λ w
                # m ← β₁ m + (1 − β₁) g, computed as torch's lerp: m + (1 − β₁)(g − m)
                tmp = np.subtract(g, m)
                weight = 1 - beta1
                if weight < 0.5:
                    tmp *= weight
                    m += tmp
                else:
                    tmp *= 1 - weight
                    np.subtract(g, tmp, out=m)
                # v ← β₂ v + (1 − β₂) g²
                v *= beta2
                np.multiply(g, 1 - beta2, out=tmp)
                tmp *= g
                v += tmp
                if amsgrad:
                    np.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])  # v̂ ← max(v̂, v)
                    v = st["max_exp_avg_sq"]
                step_size = lr / (1 - beta1 ** t)
                bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
                denom = np.sqrt(v, out=tmp)                   # √v / √(1 − β₂ᵗ) + ε
                denom /= bias_correction2_sqrt
                denom += eps
                update = np.divide(m, denom, out=tmp)
                update *= step_size
                w -= update                                   # w ← w − η m̂ / (√v̂ + ε)
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (the same update as `torch.optim.AdamW`).

    Before each Adam step the weights shrink directly, w ← (1 − η λ) w, instead of λ w being added to the
    gradient (where Adam's per-weight scaling would weaken it); then, with g = ∂C/∂w,

        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   w ← w − η m̂ / (√v̂ + ε)

    with m̂, v̂ bias-corrected as in `Adam` (and v̂ ← max(v̂, v) with amsgrad). Default λ = 10⁻².
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
