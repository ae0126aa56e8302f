"""`History`: one record (a dict) per epoch — losses, accuracies, time, learning rate, gradient norms."""

from __future__ import annotations

import json
import math


class History:
    """Per-epoch records, e.g. {"epoch": 3, "train_loss": 0.21, "val_accuracy": 0.97, "time": 4.1, …}.

    `history["val_accuracy"]` is the list of that value over the epochs (None where it was not recorded).
    """

    def __init__(self, records=None):
        self.records: list[dict] = [dict(r) for r in records or []]

    def append(self, record: dict) -> None:
        """Add an epoch's record. The dict itself is kept (not a copy): callbacks annotate it in
        `on_epoch_end` (EarlyStopping's "stopped_early", GradNormLogger's "grad_norms")."""
        self.records.append(record)

    def __getitem__(self, key: str) -> list:
        return [r.get(key) for r in self.records]

    def __len__(self) -> int:
        return len(self.records)

    @property
    def last(self) -> dict:
        return self.records[-1] if self.records else {}

    def best(self, key: str, mode: str = "max") -> dict | None:
        """The record with the best finite value of `key` ('max' or 'min')."""
        scored = [r for r in self.records if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]
        if not scored:
            return None
        return (max if mode == "max" else min)(scored, key=lambda r: r[key])

    def to_json(self) -> str:
        return json.dumps({"epochs": self.records}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> History:
        return cls(json.loads(text)["epochs"])

    def __repr__(self) -> str:
        return f"History({len(self.records)} epochs, last={self.last})"
