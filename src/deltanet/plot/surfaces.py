"""Functions of two variables: a network's output over a grid, as a 3-D surface beside a heat map."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from deltanet.plot.curves import save_figure


def tower_surface(x1, x2, a, title: str = "", path=None, xlabel: str = "x", ylabel: str = "y",
                  zlabel: str = "output") -> Figure:
    """The output a(x1, x2) on the grid x1 × x2, with a[i, j] at (x1[j], x2[i]) (np.meshgrid's order):
    a 3-D surface (left) and a heat map seen from above (right)."""
    x1, x2, a = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float), np.asarray(a, dtype=float)
    if x1.ndim != 1 or x2.ndim != 1 or a.shape != (len(x2), len(x1)):
        raise ValueError(f"tower_surface: a must have shape (len(x2), len(x1)) = ({len(x2)}, {len(x1)}) for 1-D "
                         f"x1 and x2, got a of shape {a.shape}, x1 {x1.shape}, x2 {x2.shape}")
    figure = Figure(figsize=(9.5, 4.4), layout="constrained")
    grid = figure.add_gridspec(1, 2, width_ratios=(1.25, 1))
    surface = figure.add_subplot(grid[0], projection="3d")
    grid1, grid2 = np.meshgrid(x1, x2)
    surface.plot_surface(grid1, grid2, a, cmap="viridis", rstride=1, cstride=1, linewidth=0, antialiased=True)
    surface.set(xlabel=xlabel, ylabel=ylabel, title="surface")
    surface.set_zlabel(zlabel)
    surface.view_init(elev=30, azim=-60)
    for axis in (surface.xaxis, surface.yaxis, surface.zaxis):
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    heat = figure.add_subplot(grid[1])
    image = heat.pcolormesh(x1, x2, a, cmap="viridis", shading="auto")
    heat.set(xlabel=xlabel, ylabel=ylabel, title="seen from above", aspect="equal")
    figure.colorbar(image, ax=heat, label=zlabel)
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path)
    return figure
