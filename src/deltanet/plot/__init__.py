"""`dn.plot`: figures for people who would rather look than read. Uses matplotlib's object API
(no pyplot global state, no display needed); takes plain arrays and history records, never models.
Imported on demand: `import deltanet.plot` (importing `deltanet` alone does not load matplotlib)."""

from deltanet.plot.curves import save_figure, training_curves
from deltanet.plot.gradients import gradient_norms_over_time

__all__ = ["gradient_norms_over_time", "save_figure", "training_curves"]
