"""Gradient norms through time: how much of a loss's gradient reaches each earlier time step."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deltanet.plot.curves import save_figure


def gradient_norms_over_time(norms: dict, title: str = "", path=None, floor: float = 1e-300) -> Figure:
    """‖∂L/∂h_t‖ against the time step t (log scale), one line per entry of `norms` ({label: array of
    length T}, e.g. from `deltanet.diagnose.vanishing_gradients()`); the loss sits at the last step.
    Left: against t; right: against the distance T − t from the loss, which shows the geometric decay
    (a straight line on the log scale) of vanishing gradients. Zeros are drawn at `floor`."""
    figure = Figure(figsize=(11, 4))
    by_step, by_distance = figure.subplots(1, 2)
    for label, values in norms.items():
        values = np.maximum(np.asarray(values, dtype=float), floor)
        steps = np.arange(1, len(values) + 1)
        by_step.semilogy(steps, values, label=label)
        by_distance.semilogy(len(values) - steps, values, label=label)
    by_step.set(xlabel="time step t", ylabel="‖∂L/∂h_t‖", title="gradient reaching each step")
    by_distance.set(xlabel="steps back from the loss (T − t)", ylabel="‖∂L/∂h_t‖",
                    title="decay with distance")
    for ax in (by_step, by_distance):
        ax.grid(alpha=0.3, which="both")
    if norms:
        by_step.legend(fontsize=8)
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path)
    return figure
