"""`dn.plot`: figures for people who would rather look than read. Uses matplotlib's object API
(no pyplot global state, no display needed); takes plain arrays and history records, never models.
Imported on demand: `import deltanet.plot` (importing `deltanet` alone does not load matplotlib)."""

from deltanet.plot.boundaries import Boundary, decision_boundaries, decision_boundary
from deltanet.plot.curves import save_figure, training_curves
from deltanet.plot.functions import Panel, activation_curves, function_approximation, function_panels
from deltanet.plot.gradients import gradient_norms_over_time
from deltanet.plot.surfaces import tower_surface

__all__ = ["Boundary", "Panel", "activation_curves", "decision_boundaries", "decision_boundary",
           "function_approximation", "function_panels", "gradient_norms_over_time", "save_figure",
           "tower_surface", "training_curves"]
