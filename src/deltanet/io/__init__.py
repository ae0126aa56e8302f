"""`dn.io`: save and load models as one `.npz` file — weights as plain arrays, architecture as JSON.

    >>> import tempfile, pathlib, deltanet as dn, deltanet.io
    >>> model = dn.nn.Sequential(dn.nn.Linear(2, 3), dn.nn.Sigmoid())
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.npz"
    >>> _ = dn.io.save(model, path, metadata={"epoch": 3})
    >>> again = dn.io.load(path)
    >>> bool((again[0].weight.data == model[0].weight.data).all())
    True
    >>> dn.io.info(path)["metadata"]
    {'epoch': 3}

Files are written atomically (temporary file, fsync, `os.replace`), never pickled, and checked on loading:
format and version, header JSON and its SHA-256, exactly the recorded arrays with their shapes and dtypes,
and a SHA-256 over the array bytes. Every problem with a file raises `ModelFileError` (a ValueError) saying
what is wrong, in which file, and what to do.

- `save(model, path, metadata=None)` / `load(path, model=None)` — whole models built from deltanet layers.
- `save_state_dict(model_or_mapping, path)` / `load_state_dict(path)` — weights only, any model.
- `save_architecture(model, path)` / `load_architecture(path)` — the readable `model.json` of a run directory.
- `architecture(model)` → the {class, config, children} tree; `build(tree)` → a freshly initialised model;
  `info(path)` → the validated header (format, architecture, arrays, metadata).
"""

from deltanet.io._architecture import architecture, build
from deltanet.io.errors import ModelFileError, ModelFileNotFoundError
from deltanet.io.model import (
    info,
    load,
    load_architecture,
    load_state_dict,
    save,
    save_architecture,
    save_state_dict,
)

__all__ = ["ModelFileError", "ModelFileNotFoundError", "architecture", "build", "info", "load",
           "load_architecture", "load_state_dict", "save", "save_architecture", "save_state_dict"]
