"""Loss functions C(a, y) as modules (PyTorch names and reductions)."""

from __future__ import annotations

from deltanet.nn import functional as F
from deltanet.nn.module import Module

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def get_config(self) -> dict:
        return {"reduction": self.reduction}


class QuadraticLoss(Module):
    """Nielsen's quadratic cost C = 1/(2n) Σₓ ‖y(x) − a(x)‖² (n = batch size)."""

    def forward(self, a, y):
        return F.quadratic_loss(a, y)


class MSELoss(_Loss):
    """C = mean((a − y)²) over all elements (PyTorch's MSELoss; = 2/outputs × quadratic cost)."""

    def forward(self, a, y):
        return F.mse_loss(a, y, self.reduction)


class BCELoss(_Loss):
    """C = −[y log a + (1 − y) log(1 − a)] on probabilities a (logs clamped at −100, as PyTorch)."""

    def forward(self, a, y):
        return F.binary_cross_entropy(a, y, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step: δ = ∂C/∂z = σ(z) − y."""

    def forward(self, z, y):
        return F.binary_cross_entropy_with_logits(z, y, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax + cross-entropy on logits in one stable step: δ = ∂C/∂z = softmax(z) − y.
    Targets are class indices (N,) or probabilities / one-hot rows (N, C)."""

    def __init__(self, reduction: str = "mean", ignore_index: int = -100):
        super().__init__(reduction)
        self.ignore_index = int(ignore_index)

    def forward(self, z, y):
        return F.cross_entropy(z, y, self.reduction, self.ignore_index)

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "ignore_index": self.ignore_index}


class NLLLoss(CrossEntropyLoss):
    """C = −log p[y] on log-probabilities (use after LogSoftmax)."""

    def forward(self, log_p, y):
        return F.nll_loss(log_p, y, self.reduction, self.ignore_index)
