"""Helpers for the `dn.train` tests: small seeded problems, a run built from scratch, and comparisons."""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.data import DataLoader, TensorDataset, datasets

# Three well-separated Gaussian clusters in 2-D: fixed data, independent of the library's generator.
X_TRAIN, Y_TRAIN = datasets.blobs(n=240, centers=3, std=1.0, seed=0)
X_VAL, Y_VAL = datasets.blobs(n=90, centers=3, std=1.0, seed=0)

RECORD_KEYS = {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "time", "lr"}


class Jitter(nn.Module):
    """Adds N(0, σ²) noise from the library's generator while training (a stand-in for dropout), so a
    resume must restore that generator too to be exact."""

    def __init__(self, sigma: float = 0.05):
        super().__init__()
        self.sigma = sigma

    def forward(self, x):
        if not self.training:
            return x
        noise = dn.random.default_generator().standard_normal(x.shape).astype(x.data.dtype)
        return x + dn.tensor(self.sigma * noise)


def blob_loaders(batch_size: int = 32, seed=None):
    """(shuffled training loader, validation loader); `seed=None` seeds the shuffling from the library's
    generator, so the order depends on `dn.manual_seed`."""
    train = DataLoader(TensorDataset(X_TRAIN, Y_TRAIN), batch_size=batch_size, shuffle=True, seed=seed)
    val = DataLoader(TensorDataset(X_VAL, Y_VAL), batch_size=45)
    return train, val


def blob_run(seed: int, lr: float = 0.01):
    """Everything a run needs, built from scratch after `dn.manual_seed(seed)`: a 2-16-16-3 model with
    tanh and a noise layer, Adam, StepLR (γ = 0.5 every epoch) and the loaders."""
    dn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), Jitter(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = dn.optim.Adam(model.parameters(), lr=lr)
    scheduler = dn.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    train, val = blob_loaders()
    return model, optimizer, scheduler, train, val


def params(model) -> dict:
    return {name: p.data.copy() for name, p in model.named_parameters()}


def assert_bit_identical(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert np.array_equal(a[name], b[name]), f"{name} differs: max |Δ| = {np.abs(a[name] - b[name]).max()}"


def without_time(records) -> list[dict]:
    """History records minus the wall-clock fields, which legitimately differ between runs."""
    return [{k: v for k, v in r.items() if k != "time"} for r in records]
