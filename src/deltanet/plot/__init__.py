"""`dn.plot`: figures for people who would rather look than read. Uses matplotlib's object API
(no pyplot global state, no display needed); takes plain arrays and history records, never models.
Imported on demand: `import deltanet.plot` (importing `deltanet` alone does not load matplotlib)."""

from deltanet.plot.curves import save_figure, training_curves

__all__ = ["save_figure", "training_curves"]
