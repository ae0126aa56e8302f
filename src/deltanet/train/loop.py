"""The training loop: mini-batch gradient descent with callbacks.

For each mini-batch: a = model(x) (forward), C = loss(a, y), ∂C/∂w for every weight (backward),
w ← optimizer rule (step). Online learning is batch_size = 1, full-batch gradient descent is
batch_size = len(data).
"""

from __future__ import annotations

import math
import time

import numpy as np

from deltanet.autograd import no_grad
from deltanet.data import DataLoader, TensorDataset
from deltanet.train.history import History
from deltanet.train.metrics import count_correct


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: training stopped, the weights are those of the last good step."""


class Callback:
    """Hooks called by `Trainer` (override any). `trainer.stop = True` ends training after this epoch."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer):
        pass

    def on_after_backward(self, trainer):
        pass

    def on_batch_end(self, trainer, loss: float):
        pass

    def on_epoch_end(self, trainer, record: dict):
        pass

    def on_train_end(self, trainer):
        pass


def evaluate(model, loader, loss_fn=None, decode=None) -> dict:
    """Mean loss and accuracy of `model` over `loader`, in eval mode without recording a graph.

    `loader` may be a DataLoader or an (X, y) pair of arrays. Returns {"loss": …, "accuracy": …}.
    """
    if isinstance(loader, (tuple, list)):
        loader = DataLoader(TensorDataset(*loader), batch_size=1000)
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    try:
        with no_grad():
            for x, y in loader:
                out = model(x)
                n = len(x)
                if loss_fn is not None:
                    total_loss += loss_fn(out, y).item() * n
                correct += count_correct(out.data, y.data, decode)
                seen += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("evaluate: the loader produced no examples")
    return {"loss": total_loss / seen if loss_fn is not None else None, "accuracy": correct / seen}


class Trainer:
    """Holds everything a run needs (model, loss, optimizer, loaders, scheduler, history, epoch), so
    callbacks can read it and a checkpoint can save and restore all of it."""

    def __init__(self, model, loss_fn, optimizer, train_loader, val_loader=None, scheduler=None,
                 callbacks=(), decode=None):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.train_loader, self.val_loader, self.scheduler = train_loader, val_loader, scheduler
        self.callbacks = list(callbacks)
        self.decode = decode
        self.history = History()
        self.epoch = 0          # epochs completed
        self.batch = 0          # batches completed in the current epoch
        self.stop = False

    def _call(self, hook: str, *args) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(self, *args)

    def train_epoch(self) -> dict:
        """One pass over the training data; returns the epoch's training loss and accuracy."""
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        self.batch = 0
        for x, y in self.train_loader:
            out = model(x)
            loss = loss_fn(out, y)
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingDiverged(
                    f"epoch {self.epoch + 1}, batch {self.batch + 1}: the loss is {value} — training diverged "
                    "(try a smaller learning rate); the weights are those before this batch")
            optimizer.zero_grad()
            loss.backward()
            self._call("on_after_backward")
            optimizer.step()
            n = len(x)
            total_loss += value * n
            correct += count_correct(out.data, y.data, self.decode)
            seen += n
            self.batch += 1
            self._call("on_batch_end", value)
        return {"train_loss": total_loss / max(seen, 1), "train_accuracy": correct / max(seen, 1)}

    def fit(self, epochs: int) -> History:
        """Train until `epochs` epochs are complete in total (a resumed trainer continues its count)."""
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
        self.stop = False
        self._call("on_train_begin")
        # Overflow on the way to a non-finite loss is reported once, by TrainingDiverged, not also as NumPy
        # RuntimeWarnings (which a warnings filter of "error" would turn into a different exception).
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while self.epoch < epochs and not self.stop:
                self._call("on_epoch_begin")
                start = time.perf_counter()
                record = {"epoch": self.epoch + 1, "lr": self.optimizer.param_groups[0]["lr"]}
                record.update(self.train_epoch())
                record["time"] = time.perf_counter() - start
                if self.val_loader is not None:
                    scores = evaluate(self.model, self.val_loader, self.loss_fn, self.decode)
                    record["val_loss"], record["val_accuracy"] = scores["loss"], scores["accuracy"]
                    if scores["loss"] is not None and not math.isfinite(scores["loss"]):
                        raise TrainingDiverged(
                            f"epoch {self.epoch + 1}: the validation loss is {scores['loss']} — training diverged "
                            "(try a smaller learning rate); this epoch is not recorded")
                if self.scheduler is not None:
                    self.scheduler.step()
                self.epoch += 1
                self.history.append(record)
                self._call("on_epoch_end", record)
        self._call("on_train_end")
        return self.history


def fit(model, loss, optimizer, train_loader, val_loader=None, epochs: int = 1, callbacks=(), scheduler=None,
        decode=None, resume=None) -> History:
    """Train `model` and return its `History` (see `Trainer`). With `resume=path` of a checkpoint written
    by the `Checkpoint` callback, everything is restored first and training continues to `epochs` in total,
    bit-exactly as if it had never stopped."""
    trainer = Trainer(model, loss, optimizer, train_loader, val_loader, scheduler, callbacks, decode)
    if resume is not None:
        from deltanet.train.checkpoint import load_checkpoint

        load_checkpoint(resume, trainer)
    return trainer.fit(epochs)

