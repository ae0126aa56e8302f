"""Decision boundaries: the class a classifier predicts at each point of the plane, with the data on top."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.figure import Figure

from deltanet.plot.curves import save_figure

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


@dataclass
class Boundary:
    """One classifier on one data set: `labels[i, j]` is the class predicted at (x1[j], x2[i]) (np.meshgrid's
    order); X of shape (n, 2) and y of shape (n,) are the data points and their true classes."""

    x1: np.ndarray
    x2: np.ndarray
    labels: np.ndarray
    X: np.ndarray
    y: np.ndarray
    title: str = ""


def _check(panel: Boundary) -> tuple[np.ndarray, ...]:
    x1, x2 = np.asarray(panel.x1, dtype=float), np.asarray(panel.x2, dtype=float)
    labels, X, y = np.asarray(panel.labels), np.asarray(panel.X, dtype=float), np.asarray(panel.y)
    if x1.ndim != 1 or x2.ndim != 1 or labels.shape != (len(x2), len(x1)):
        raise ValueError(f"decision_boundary: labels must have shape (len(x2), len(x1)) = ({len(x2)}, {len(x1)}), "
                         f"got {labels.shape}")
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ValueError(f"decision_boundary: need X of shape (n, 2) and y of shape (n,), got {X.shape} and {y.shape}")
    classes = int(max(labels.max(), y.max())) + 1
    if labels.min() < 0 or y.min() < 0 or classes > len(COLOURS):
        raise ValueError(f"decision_boundary: classes must be 0..{len(COLOURS) - 1}, got labels from "
                         f"{min(labels.min(), y.min())} to {classes - 1}")
    return x1, x2, labels, X, y.astype(int), classes


def _draw(ax, panel: Boundary) -> None:
    x1, x2, labels, X, y, classes = _check(panel)
    light = ListedColormap([0.65 * np.array(to_rgb("white")) + 0.35 * np.array(to_rgb(c))
                            for c in COLOURS[:classes]])
    levels = np.arange(classes + 1) - 0.5
    ax.contourf(x1, x2, labels, levels=levels, cmap=light)
    if classes > 1:
        ax.contour(x1, x2, labels, levels=levels[1:-1], colors="black", linewidths=1.0)
    size = 60 if len(X) < 20 else 18
    for k in range(classes):
        ax.scatter(*X[y == k].T, s=size, color=COLOURS[k], edgecolors="black", linewidths=0.5, label=f"class {k}")
    ax.set(title=panel.title, xlim=(x1[0], x1[-1]), ylim=(x2[0], x2[-1]), xlabel="x₁", ylabel="x₂")


def decision_boundaries(panels, ncols: int | None = None, row_labels=None, title: str = "", path=None) -> Figure:
    """A grid of `Boundary` panels, `ncols` to a row (default: all in one row): predicted classes as light
    regions split by black boundary lines, the data as dots coloured by their true class. `row_labels`
    name the rows (e.g. the architectures) at the left."""
    panels = list(panels)
    if not panels:
        raise ValueError("decision_boundaries: need at least one Boundary, got none")
    ncols = ncols or len(panels)
    nrows = -(-len(panels) // ncols)
    if row_labels is not None and len(row_labels) != nrows:
        raise ValueError(f"decision_boundaries: {nrows} rows need {nrows} row_labels, got {len(row_labels)}")
    figure = Figure(figsize=(4.2 * ncols, 4.0 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    for ax, panel in zip(axes.ravel(), panels):
        _draw(ax, panel)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=8, loc="upper right", framealpha=0.8)
    for row, label in enumerate(row_labels or []):
        axes[row, 0].set_ylabel(f"{label}\n\nx₂", fontsize=11)
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path)
    return figure


def decision_boundary(x1, x2, labels, X, y, title: str = "", path=None) -> Figure:
    """One classifier's predicted classes over the grid x1 × x2 with the data (X, y) on top."""
    return decision_boundaries([Boundary(x1, x2, labels, X, y, title)], path=path)
