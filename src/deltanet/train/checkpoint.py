"""Checkpoints: everything a run needs to continue bit-exactly — weights, optimizer and scheduler state,
the data loaders' and the library's random generators, the history and the epoch count.

One sealed `.npz` (written atomically by `dn.io`, checked on reading): arrays `model/<name>` and
`optimizer/<i>/<name>`, and the rest as JSON metadata.
"""

from __future__ import annotations

import time

from deltanet import io, random
from deltanet.io._architecture import describe, diff
from deltanet.train.history import History
from deltanet.train.loop import Callback

KIND = "deltanet.checkpoint"


class CheckpointError(ValueError):
    """A checkpoint that cannot resume this run (other architecture, optimizer, or not a checkpoint)."""


def save_checkpoint(path, trainer) -> None:
    """Write the trainer's complete state to `path` (atomic: a crash leaves the previous checkpoint)."""
    arrays = {f"model/{name}": t.data for name, t in trainer.model.state_dict().items()}
    optimizer_state = trainer.optimizer.state_dict()
    for index, buffers in optimizer_state["state"].items():
        arrays.update({f"optimizer/{index}/{name}": value for name, value in buffers.items()})
    loaders = {"train": trainer.train_loader, "val": trainer.val_loader}
    metadata = {
        "kind": KIND,
        "epoch": trainer.epoch,
        "architecture": describe(trainer.model),
        "optimizer": {"class": type(trainer.optimizer).__name__, "param_groups": optimizer_state["param_groups"]},
        "scheduler": None if trainer.scheduler is None else trainer.scheduler.state_dict(),
        "loaders": {k: v.state_dict() for k, v in loaders.items() if v is not None and hasattr(v, "state_dict")},
        "rng": random.get_rng_state(),
        "history": trainer.history.records,
    }
    io.save_state_dict(arrays, path, metadata)


def load_checkpoint(path, trainer) -> None:
    """Restore a trainer from `path`, refusing one written for another model or optimizer."""
    metadata = io.info(path)["metadata"]
    if metadata.get("kind") != KIND:
        raise CheckpointError(f"{path}: not a training checkpoint (it is a plain weights file)")
    differences = diff(metadata["architecture"], describe(trainer.model), ("the checkpoint", "this model"))
    if differences:
        raise CheckpointError(f"{path}: the checkpoint was written for another architecture: "
                              + "; ".join(differences))
    if metadata["optimizer"]["class"] != type(trainer.optimizer).__name__:
        raise CheckpointError(f"{path}: the checkpoint was written with {metadata['optimizer']['class']}, "
                              f"this run uses {type(trainer.optimizer).__name__}")
    arrays = io.load_state_dict(path)
    trainer.model.load_state_dict({k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")})
    state: dict = {}
    for key, value in arrays.items():
        if key.startswith("optimizer/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value.data
    trainer.optimizer.load_state_dict({"state": state, "param_groups": metadata["optimizer"]["param_groups"]})
    if trainer.scheduler is not None and metadata["scheduler"] is not None:
        trainer.scheduler.load_state_dict(metadata["scheduler"])
    for name, loader in (("train", trainer.train_loader), ("val", trainer.val_loader)):
        if name in metadata["loaders"] and loader is not None:
            loader.load_state_dict(metadata["loaders"][name])
    random.set_rng_state(metadata["rng"])
    trainer.history = History(metadata["history"])
    trainer.epoch = int(metadata["epoch"])


class Checkpoint(Callback):
    """Save a checkpoint after every epoch (atomically: the previous one survives any crash).

    With `min_interval` seconds > 0, epochs that end sooner than that after the last save are skipped
    (for runs of thousands of tiny epochs); the final epoch is always saved."""

    def __init__(self, path, min_interval: float = 0.0):
        self.path, self.min_interval = path, float(min_interval)
        self.saved_epoch, self.saved_at = None, -float("inf")

    def on_epoch_end(self, trainer, record):
        if time.monotonic() - self.saved_at >= self.min_interval:
            self._save(trainer)

    def on_train_end(self, trainer):
        if self.saved_epoch != trainer.epoch and trainer.history.records:
            self._save(trainer)

    def _save(self, trainer):
        save_checkpoint(self.path, trainer)
        self.saved_epoch, self.saved_at = trainer.epoch, time.monotonic()
