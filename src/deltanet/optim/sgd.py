"""Stochastic gradient descent, with optional momentum, Nesterov momentum and L2 weight decay."""

from __future__ import annotations

from deltanet.optim.optimizer import Optimizer, _check_real, _required


class SGD(Optimizer):
    r"""Stochastic gradient descent (the same update as `torch.optim.SGD`).

    For each parameter w with gradient g = ∂C/∂w, learning rate η, momentum μ, dampening τ and weight
    decay λ:

        g ← g + λ w                              (only if λ ≠ 0: L2 penalty ½λ‖w‖² added to C)
        v ← g                                    (first step)
        v ← μ v + (1 − τ) g                      (later steps; only if μ ≠ 0)
        g ← g + μ v   if nesterov,  else  g ← v  (only if μ ≠ 0)
        w ← w − η g

    With μ = 0 this is plain gradient descent, w ← w − η ∂C/∂w (Nielsen's w → w − (η/m) Σ_x ∂C_x/∂w when C
    is the mean loss over a mini-batch of m examples). `maximize=True` uses −g (gradient ascent).
    The velocity v is kept in `state[p]["momentum_buffer"]` (a NumPy array shaped like p).

    Args:
        params: iterable of tensors, `(name, tensor)` pairs or parameter-group dicts.
        lr: learning rate η ≥ 0.
        momentum: μ ≥ 0 (0 = no momentum).
        dampening: τ, scales down the new gradient in the velocity (0 = none).
        nesterov: use Nesterov momentum (needs μ > 0 and τ = 0).
        weight_decay: λ ≥ 0, L2 penalty coefficient.
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params, lr=_required, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, *, maximize: bool = False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        super()._check_group(group)
        _check_real(group, "momentum", low=0.0)
        _check_real(group, "dampening")
        _check_real(group, "weight_decay", low=0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, dampening={group['dampening']})")

    def step(self, closure=None):
        """One update of every parameter that has a gradient (equations in the class docstring).

        `closure`, if given, is called first (with gradients enabled) and its result returned; it should
        zero the gradients, recompute the loss, call backward and return the loss.
        """
        loss = self._evaluate(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            mu = group["momentum"]
            damp = group["dampening"]
            wd = group["weight_decay"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w = p.data
                g = p.grad.data                      # read only: never written in place
                if maximize:
                    g = -g
                if wd != 0:
                    g = g + wd * w                   # g ← g + λ w   (a new array)
                if mu != 0:
                    st = state.get(p)
                    v = None if st is None else st.get("momentum_buffer")
                    if v is None:
                        # v ← g (a copy, unless g is already a fresh array of ours)
                        v = g.copy(order="K") if g is p.grad.data else g  # keep w's memory layout
                        state[p] = {"momentum_buffer": v}
                    else:
                        v *= mu                      # v ← μ v + (1 − τ) g
                        if damp == 0:
                            v += g
                        else:
                            v += (1 - damp) * g
                    g = g + mu * v if nesterov else v
                w -= lr * g                          # w ← w − η g   (in place)
        return loss
