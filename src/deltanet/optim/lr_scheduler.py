"""Learning-rate schedules: change `group["lr"]` of an optimizer once per epoch (or per step).

    opt = dn.optim.SGD(model.parameters(), lr=0.1)
    sched = dn.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(epochs):
        train_one_epoch(model, opt)      # many opt.step()
        sched.step()                     # then the schedule: η for the next epoch

The schedulers compute exactly what `torch.optim.lr_scheduler` computes (the same recursive formulas), so
`get_last_lr()` agrees with torch step by step. Creating a scheduler records each group's starting lr as
`group["initial_lr"]` and performs step 0 (`last_epoch` becomes 0). `state_dict()` holds only plain Python
numbers and lists (JSON-friendly); restore it with `load_state_dict()` into a scheduler made over the
restored optimizer.
"""

from __future__ import annotations

import math
import warnings

from deltanet.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: keeps `last_epoch` (number of `step()` calls so far, 0 after construction), `base_lrs`
    (each group's initial lr) and the lrs it last set; a subclass defines `get_lr()`, the lrs for the
    new `last_epoch` computed from the current ones."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   f"a scheduler with last_epoch={last_epoch}; load the optimizer's state "
                                   "first, or use last_epoch=-1 for a fresh run")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._is_initial = True
        self._step_count = 0
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of each parameter group for the new `last_epoch`."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance the schedule by one epoch and write the new lrs into the optimizer's groups.
        Call it after `optimizer.step()`."""
        if self._step_count == 1 and not self.optimizer._opt_called:
            warnings.warn("lr_scheduler.step() was called before optimizer.step(): the first value of the "
                          "schedule is skipped. Call optimizer.step() first, then lr_scheduler.step().",
                          UserWarning, stacklevel=2)
        self._step_count += 1
        self.last_epoch += 1
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lrs the last `step()` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Everything but the optimizer: `last_epoch`, `base_lrs`, the last lrs and the hyperparameters."""
        return {key: (list(value) if isinstance(value, list) else value)
                for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a `state_dict()`."""
        self.__dict__.update({key: (list(value) if isinstance(value, (list, tuple)) else value)
                              for key, value in state_dict.items() if key != "optimizer"})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    r"""Multiply the lr by γ every `step_size` epochs:

        η_t = η₀ · γ^⌊t / step_size⌋

    computed as torch does, recursively: η_t = γ η_{t−1} when t is a nonzero multiple of `step_size`,
    else η_t = η_{t−1} (so a lr changed by hand in between is respected).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the lr from η₀ to η_min along half a cosine over `T_max` epochs (SGDR without restarts):

        η_t = η_min + ½ (η₀ − η_min) (1 + cos(π t / T_max))

    computed as torch does, recursively from the current lr,

        η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max)),

    with torch's special case at t − 1 − T_max ≡ 0 (mod 2 T_max), where the ratio would be 0/0:
    η_t = η_{t−1} + ½ (η₀ − η_min)(1 − cos(π / T_max)). Past T_max the lr climbs back up (period 2 T_max).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive integer, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and t > 0:  # resumed with last_epoch given: closed form
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - eta_min) + eta_min
                for group in groups]
