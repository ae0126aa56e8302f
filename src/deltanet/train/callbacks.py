"""Callbacks: progress display, early stopping, gradient-norm logging."""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from deltanet.train.loop import Callback


def _format_record(record: dict, epochs: int) -> str:
    parts = [f"epoch {record['epoch']}/{epochs}"]
    for key, label in (("train_loss", "loss"), ("train_accuracy", "acc"), ("val_loss", "val loss"),
                       ("val_accuracy", "val acc")):
        value = record.get(key)
        if value is not None:
            parts.append(f"{label} {100 * value:.2f}%" if key.endswith("accuracy") else f"{label} {value:.4f}")
    parts.append(f"{record['time']:.1f} s")
    return "  ".join(parts)


class ProgressBar(Callback):
    """A progress bar per epoch (tqdm) on a terminal; plain periodic lines otherwise (logs, CI).

    After each epoch one summary line (losses, accuracies, time) — at most one per `summary_interval`
    seconds, besides the first and last epochs, for runs of many tiny epochs.
    """

    def __init__(self, epochs: int, stream=None, interval: float = 10.0, summary_interval: float = 0.0):
        self.epochs, self.stream, self.interval = epochs, stream or sys.stdout, interval
        self.summary_interval, self.last_summary = summary_interval, -float("inf")
        self.bar = None

    def _is_tty(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def on_epoch_begin(self, trainer):
        self.total = len(trainer.train_loader)
        self.running = 0.0
        self.last_print = time.perf_counter()
        if self._is_tty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=f"epoch {trainer.epoch + 1}/{self.epochs}", unit="batch",
                            leave=False, file=self.stream, dynamic_ncols=True)

    def on_batch_end(self, trainer, loss):
        self.running = loss if trainer.batch == 1 else 0.98 * self.running + 0.02 * loss
        if self.bar is not None:
            self.bar.update(1)
            if trainer.batch % 20 == 0 or trainer.batch == self.total:
                self.bar.set_postfix(loss=f"{self.running:.4f}", refresh=False)
        elif time.perf_counter() - self.last_print >= self.interval:
            self.last_print = time.perf_counter()
            print(f"  epoch {trainer.epoch + 1}/{self.epochs}: batch {trainer.batch}/{self.total} "
                  f"({100 * trainer.batch / self.total:.0f}%), loss {self.running:.4f}", file=self.stream, flush=True)

    def on_epoch_end(self, trainer, record):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        now = time.perf_counter()
        if now - self.last_summary >= self.summary_interval or record["epoch"] in (1, self.epochs) or trainer.stop:
            self.last_summary = now
            print(_format_record(record, self.epochs), file=self.stream, flush=True)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0, mode: str | None = None):
        if mode is None:
            mode = "max" if "accuracy" in monitor else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.best, self.waited = None, 0

    def on_epoch_end(self, trainer, record):
        value = record.get(self.monitor)
        if value is None:
            raise KeyError(f"EarlyStopping: the epoch record has no {self.monitor!r} "
                           f"(available: {', '.join(record)}); pass a validation loader for val_* metrics")
        sign = 1 if self.mode == "max" else -1
        if self.best is None or sign * (value - self.best) > self.min_delta:
            self.best, self.waited = value, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            trainer.stop = True
            record["stopped_early"] = True


class GradNormLogger(Callback):
    """Record ‖∂C/∂w‖ of every parameter, averaged over the epoch (sampled every `every` batches), in
    the epoch record as record["grad_norms"][name]. Vanishing gradients show as early layers' norms
    orders of magnitude below the last layer's; exploding ones as norms that grow without bound."""

    def __init__(self, every: int = 10):
        self.every = max(1, int(every))

    def on_train_begin(self, trainer):
        self.names = [name for name, _ in trainer.model.named_parameters()]
        self.params = [param for _, param in trainer.model.named_parameters()]

    def on_epoch_begin(self, trainer):
        self.sums = np.zeros(len(self.params))
        self.samples = 0

    def on_after_backward(self, trainer):
        if trainer.batch % self.every:
            return
        for i, param in enumerate(self.params):
            if param.grad is not None:
                g = param.grad.data.reshape(-1)
                self.sums[i] += math.sqrt(float(np.dot(g, g)))
        self.samples += 1

    def on_epoch_end(self, trainer, record):
        if self.samples:
            record["grad_norms"] = {n: float(s / self.samples) for n, s in zip(self.names, self.sums)}
