"""Truncated backpropagation through time (TBPTT): long sequences in windows of k steps.

The forward pass is exact: the hidden state leaving one window is the state entering the next, so the
network sees the whole sequence. Only the backward pass is cut: the state is *detached* at each window
boundary, so ∂C/∂θ collects the dependencies of each window's losses on at most the k steps of that window
(Williams & Peng's TBPTT(k, k)). Memory grows with k, not with the sequence length, and with
`update="window"` the weights change after every window, as in online learning.

    tbptt = TruncatedBPTT(model, loss_fn, k=20, optimizer=opt)
    loss, state = tbptt.run(x, y)              # x (B, T, …), y (B, T, …) with batch_first=True

`model(x_window, state)` must return `(output_window, new_state)`, as `nn.RNN`, `nn.LSTM` and `nn.GRU`
do (state None = zeros); a model with a read-out layer wraps one of them. With k ≥ T there is one window
and the gradient is exactly the full BPTT gradient.
"""

from __future__ import annotations

import numpy as np

from deltanet.autograd import no_grad
from deltanet.optim.clip import clip_grad_norm_
from deltanet.tensor import Tensor


def detach_state(state):
    """The same state (a tensor, or a tuple/list of them, nested) cut off from the graph."""
    if state is None:
        return None
    if isinstance(state, Tensor):
        return state.detach()
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    raise TypeError(f"detach_state: expected a Tensor or a tuple of them, got {type(state).__name__}")


def windows(length: int, k: int) -> list[slice]:
    """[0, k), [k, 2k), … covering `length` steps (the last window may be shorter)."""
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k <= 0:
        raise ValueError(f"TBPTT: the truncation length k must be a positive integer, got {k!r}")
    return [slice(start, min(start + k, length)) for start in range(0, length, k)]


class TruncatedBPTT:
    """Run (and optionally train) a recurrent model over sequences in windows of k steps.

    model            callable: model(x_window, state) → (output_window, state)
    loss_fn          callable: loss_fn(output, target) → scalar tensor
    k                truncation length (time steps per window)
    optimizer        None: gradients only accumulate into .grad (the caller zeroes them);
                     otherwise stepped as `update` says
    update           "window": zero_grad, backward, step after every window (online TBPTT);
                     "sequence": gradients of all windows summed, one step at the end
    batch_first      the time axis of x (and of per-step targets) is 1 (True) or 0 (False)
    targets          "per_step": y has a time axis and each window's output is scored against its slice;
                     "last": y scores the output of the last step only (e.g. the adding problem) — earlier
                     windows then run without a graph, so gradients reach back at most k steps
    average_over_time  loss_fn averages over the steps of its window: each window's loss is weighted by
                     (window length)/T so the windows add up to the loss of the whole sequence
                     (set False for losses that sum over time)
    clip_norm        if given, clip_grad_norm_ of the parameters before each step
    """

    def __init__(self, model, loss_fn, k: int, optimizer=None, update: str = "window", batch_first: bool = True,
                 targets: str = "per_step", average_over_time: bool = True, clip_norm: float | None = None):
        windows(1, k)  # validates k
        if update not in ("window", "sequence"):
            raise ValueError(f"TruncatedBPTT: update must be 'window' or 'sequence', got {update!r}")
        if targets not in ("per_step", "last"):
            raise ValueError(f"TruncatedBPTT: targets must be 'per_step' or 'last', got {targets!r}")
        self.model, self.loss_fn, self.k, self.optimizer = model, loss_fn, int(k), optimizer
        self.update, self.batch_first, self.targets = update, bool(batch_first), targets
        self.average_over_time, self.clip_norm = bool(average_over_time), clip_norm

    def _time_slice(self, a, window: slice):
        return a[:, window] if self.batch_first else a[window]

    def _step(self) -> None:
        if self.clip_norm is not None:
            clip_grad_norm_([p for group in self.optimizer.param_groups for p in group["params"]], self.clip_norm)
        self.optimizer.step()

    def run(self, x, y, state=None):
        """One pass over the batch of sequences x. Returns (loss, final state): the loss is the sum of the
        windows' (weighted) losses — the loss of the whole sequence, since the forward pass is exact — and
        the state is detached, ready to continue with the next chunk of the same sequences."""
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        y = y if isinstance(y, Tensor) else Tensor(np.asarray(y))
        length = x.shape[1 if self.batch_first else 0]
        parts = windows(length, self.k)
        training = self.optimizer is not None
        if training and self.update == "sequence":
            self.optimizer.zero_grad()
        total = 0.0
        for n, window in enumerate(parts):
            last = n == len(parts) - 1
            x_w = self._time_slice(x, window)
            if self.targets == "last" and not last:
                with no_grad():       # nothing to score here, and the gradient will not reach back this far
                    _, state = self.model(x_w, state)
                continue
            output, new_state = self.model(x_w, state)
            if self.targets == "last":
                final = output[:, -1] if self.batch_first else output[-1]
                loss = self.loss_fn(final, y)
            else:
                loss = self.loss_fn(output, self._time_slice(y, window))
                if self.average_over_time:
                    loss = loss * ((window.stop - window.start) / length)
            if training and self.update == "window":
                self.optimizer.zero_grad()
            loss.backward()
            if training and self.update == "window":
                self._step()
            total += loss.item()
            state = detach_state(new_state)   # the truncation: no gradient flows into the previous window
        if training and self.update == "sequence":
            self._step()
        return total, detach_state(state)
