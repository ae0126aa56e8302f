"""Optimizers: turn ∂C/∂w (in each parameter's `.grad`) into a change of w — the "learning" in learning.

    import deltanet as dn
    opt = dn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt.zero_grad(); loss.backward(); opt.step()

Same names, arguments and update formulas as `torch.optim` (`SGD`, `Adam`, `AdamW`, `lr_scheduler`),
plus `clip_grad_norm_` (torch keeps it in `torch.nn.utils`). Each optimizer's docstring states its update
equations; `Optimizer`'s module docstring documents the `state_dict()` format used for checkpoints.
"""

from deltanet.optim import lr_scheduler
from deltanet.optim.adam import Adam, AdamW
from deltanet.optim.clip import clip_grad_norm_
from deltanet.optim.optimizer import Optimizer
from deltanet.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "clip_grad_norm_", "lr_scheduler"]
