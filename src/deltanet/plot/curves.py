"""Training curves: loss and accuracy per epoch, training and validation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def save_figure(figure: Figure, path) -> Path:
    """Write a figure as PNG atomically (temp file + rename): never a half-written image."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(handle)
    try:
        FigureCanvasAgg(figure)
        figure.savefig(temp, format="png", dpi=110, bbox_inches="tight")
        os.chmod(temp, 0o644)                 # mkstemp creates 0600; an image is ordinary data
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _series(records, key):
    points = [(r["epoch"], r[key]) for r in records if r.get(key) is not None]
    return [p[0] for p in points], [p[1] for p in points]


def training_curves(records, title: str = "", path=None) -> Figure:
    """Loss (left) and accuracy (right) against epoch for the keys train_loss, val_loss,
    train_accuracy, val_accuracy (and test_accuracy if present) of each per-epoch record."""
    figure = Figure(figsize=(10, 4))
    loss_ax, acc_ax = figure.subplots(1, 2)
    for key, label, style in (("train_loss", "training", "-o"), ("val_loss", "validation", "-s")):
        x, y = _series(records, key)
        if x:
            loss_ax.plot(x, y, style, label=label, markersize=3)
    for key, label, style in (("train_accuracy", "training", "-o"), ("val_accuracy", "validation", "-s"),
                              ("test_accuracy", "test", "-^")):
        x, y = _series(records, key)
        if x:
            acc_ax.plot(x, [100 * v for v in y], style, label=label, markersize=3)
    loss_ax.set(xlabel="epoch", ylabel="cost C", title="cost")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path)
    return figure
