"""Functions of one variable: curves y(x) side by side — activations and their derivatives, step neurons,
bumps, entropies, and networks that approximate a target function."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from deltanet.plot.curves import save_figure


@dataclass
class Panel:
    """One axes of curves over the points `x`.

    `curves` maps a legend label to y values (one per x), drawn in colour; `reference` does the same for
    the curves they are compared with (a target f(x), an ideal step), drawn black and dashed underneath;
    `marks` maps a label to points (x, y) — scalars or arrays — drawn as dots (a value at z = 0, a minimum);
    `styles` maps a curve's label to extra matplotlib line options (e.g. {"linestyle": "--"}); `legend` is
    the legend's place (matplotlib's `loc`).
    """

    x: np.ndarray
    curves: dict
    xlabel: str = "x"
    ylabel: str = "y"
    title: str = ""
    reference: dict = field(default_factory=dict)
    marks: dict = field(default_factory=dict)
    styles: dict = field(default_factory=dict)
    xscale: str = "linear"
    ylim: tuple | None = None
    legend: str = "best"


def _check_panel(panel: Panel, where: str) -> np.ndarray:
    x = np.asarray(panel.x, dtype=float)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"{where}: x must be a 1-D array of at least 2 points, got shape {x.shape}")
    for label, y in {**panel.reference, **panel.curves}.items():
        if np.shape(y) != x.shape:
            raise ValueError(f"{where}: curve {label!r} has shape {np.shape(y)}, x has shape {x.shape}")
    return x


def function_panels(panels, title: str = "", path=None, ncols: int | None = None, panel_size=(4.6, 3.6)) -> Figure:
    """Draw each `Panel` on its own axes, `ncols` to a row (default: all in one row)."""
    panels = list(panels)
    if not panels:
        raise ValueError("function_panels: need at least one Panel, got none")
    ncols = ncols or len(panels)
    nrows = -(-len(panels) // ncols)
    figure = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, panel in zip(axes, panels):
        x = _check_panel(panel, "function_panels")
        for label, y in panel.reference.items():
            ax.plot(x, y, "k--", linewidth=1.2, label=label)
        for label, y in panel.curves.items():
            ax.plot(x, y, **{"linewidth": 1.6, **panel.styles.get(label, {})}, label=label)
        for label, (mx, my) in panel.marks.items():
            ax.plot(mx, my, "o", color="black", markersize=6, zorder=5, label=label)
        ax.set(xlabel=panel.xlabel, ylabel=panel.ylabel, title=panel.title, xscale=panel.xscale)
        if panel.ylim is not None:
            ax.set_ylim(panel.ylim)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc=panel.legend)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path)
    return figure


def activation_curves(z, activations: dict, marks: dict | None = None, title: str = "", path=None,
                      ncols: int | None = None) -> Figure:
    """One panel per activation f: a = f(z) and its derivative f'(z) against z.

    `activations` maps a name (e.g. "tanh") to the pair (f(z), f'(z)) of arrays over `z`; `marks` maps a
    name to that panel's marked points {label: (z, value)} — e.g. the step's value at z = 0."""
    marks = marks or {}
    panels = [Panel(z, {f"{name}(z)": a, f"{name}′(z)": da}, xlabel="z", ylabel="a = f(z),  f′(z)", title=name,
                    marks=marks.get(name, {}), styles={f"{name}(z)": {"linewidth": 3.0, "alpha": 0.8},
                                                       f"{name}′(z)": {"linestyle": "--"}})
              for name, (a, da) in activations.items()]
    return function_panels(panels, title, path, ncols)


def function_approximation(x, f, approximations: dict, errors: dict | None = None, title: str = "", path=None,
                           xlabel: str = "x", ylabel: str = "output") -> Figure:
    """One panel per approximation: the network's output f̂(x) over the target f(x) (dashed).

    `approximations` maps a panel title (e.g. "10 pieces") to f̂ over `x`; `errors` maps the same titles to
    the measured max |f − f̂|, shown in the legend."""
    errors = errors or {}

    def label(name):
        return r"network $\hat{f}(x)$" + (rf", max $|f - \hat{{f}}|$ = {errors[name]:.3g}" if name in errors else "")
    panels = [Panel(x, {label(name): y}, xlabel=xlabel, ylabel=ylabel, title=name, reference={"target f(x)": f})
              for name, y in approximations.items()]
    return function_panels(panels, title, path)
