"""`save`/`load` a whole model (architecture + weights), `save_state_dict`/`load_state_dict` for weights only,
and the `model.json` architecture sidecar of a run directory.

Header of a model file (JSON, stored in the `.npz` entry `__deltanet__`):

    {"format": "deltanet.model", "version": 1, "deltanet_version": "0.1.0",
     "architecture": {"class": "Sequential", "config": {}, "children": {"0": {...}, ...}},
     "training": true,
     "arrays": [{"name": "0.weight", "shape": [30, 784], "dtype": "float32",
                 "kind": "parameter", "requires_grad": true}, ...],
     "metadata": {...},                 # the caller's, JSON
     "sha256": "...",                   # over the arrays (see _npz.arrays_sha256)
     "header_sha256": "..."}            # over the rest of the header

A weights-only file has format "deltanet.state_dict" and no architecture.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from deltanet.io._architecture import architecture, build, check_tree, describe, diff
from deltanet.io._atomic import atomic_write
from deltanet.io._npz import (
    VERSION,
    array_entry,
    check_arrays,
    fail,
    normalise_json,
    read_npz,
    seal,
    write_npz,
)
from deltanet.io.errors import ModelFileNotFoundError
from deltanet.nn.module import Module, as_array
from deltanet.tensor import Tensor

MODEL = "deltanet.model"
STATE_DICT = "deltanet.state_dict"
ARCHITECTURE = "deltanet.architecture"


# ---- whole models ------------------------------------------------------------------------------------------
def save(model: Module, path, metadata: dict | None = None) -> Path:
    """Write `model` (architecture + every parameter and buffer) to one `.npz` file, atomically.

    `metadata` is any JSON-able dict (epoch, accuracy, command line, …); read it back with `info(path)`.
    The path is used as given (no `.npz` is appended). Raises TypeError if a module is not a deltanet
    layer — then save the weights with `save_state_dict`. Returns the path written."""
    where = "dn.io.save"
    _check_module(model, where)
    tree = architecture(model)
    arrays, entries = _model_state(model, where)
    _check_rebuildable(model, tree, where)
    header = {"format": MODEL, "version": VERSION, "deltanet_version": _version(), "architecture": tree,
              "training": bool(model.training), "arrays": entries, "metadata": _metadata(metadata, where)}
    return _write(path, header, arrays, where)


def load(path, model: Module | None = None) -> Module:
    """The model saved in `path`, rebuilt with its weights (same dtypes, requires_grad flags and train/eval
    mode). With `model=`, copy the weights into that existing model instead (in place, so an optimizer
    holding its parameters keeps working) after checking that its architecture, names, shapes and dtypes
    match the file's. Every problem raises `ModelFileError`."""
    where = "dn.io.load"
    if model is not None:
        _check_module(model, where)
    header, arrays = read_npz(path, where, (MODEL,))
    tree = header.get("architecture")
    if model is None:
        try:
            model = build(tree)
        except ValueError as error:
            raise fail(where, path, f"the architecture cannot be rebuilt: {error}", "the file may come from "
                       "another deltanet version; save it again with this one") from None
        problems = _state_differences(header["arrays"], model, ("the file", "its architecture"), dtypes=False)
        if problems:
            raise fail(where, path, "the arrays do not fit the architecture:\n  - " + "\n  - ".join(problems),
                       "save the model again")
        _assign(model, header["arrays"], arrays, replace=True)
        model.train(header.get("training", True) is True)
        return model
    try:
        check_tree(tree)
    except ValueError as error:
        raise fail(where, path, str(error), "save the model again") from None
    problems = diff(tree, describe(model)) + _state_differences(header["arrays"], model)
    if problems:
        raise fail(where, path, "the file's architecture does not match the model passed as model=:\n  - " +
                   "\n  - ".join(problems),
                   "load it without model= to get the saved model, build a matching one, or load only the "
                   "weights with model.load_state_dict(dn.io.load_state_dict(path))")
    _assign(model, header["arrays"], arrays, replace=False)
    return model


def info(path) -> dict:
    """The validated header of a model or weights file: format, architecture, array list, metadata, …"""
    header, _ = read_npz(path, "dn.io.info", (MODEL, STATE_DICT))
    return header


# ---- weights only ------------------------------------------------------------------------------------------
def save_state_dict(state, path, metadata: dict | None = None) -> Path:
    """Write the weights only: a Module's state_dict, or a mapping name → Tensor / ndarray / torch tensor.

    Works for any model, including ones with your own Module subclasses. Same format, atomic write and
    checks as `save`, without an architecture. Returns the path written."""
    where = "dn.io.save_state_dict"
    if isinstance(state, Module):
        arrays, entries = _model_state(state, where)
    elif hasattr(state, "items"):
        arrays = check_arrays({name: as_array(name, value, where) for name, value in state.items()}, where)
        entries = [array_entry(name, array) for name, array in arrays.items()]
    else:
        raise TypeError(f"{where}: expected a Module or a mapping name → array, got {type(state).__name__}")
    header = {"format": STATE_DICT, "version": VERSION, "deltanet_version": _version(), "arrays": entries,
              "metadata": _metadata(metadata, where)}
    return _write(path, header, arrays, where)


def load_state_dict(path) -> OrderedDict:
    """Name → Tensor from a weights file (or the weights of a model file), in saved order, after all checks.
    Pass it to `model.load_state_dict`."""
    header, arrays = read_npz(path, "dn.io.load_state_dict", (STATE_DICT, MODEL))
    return OrderedDict((entry["name"], Tensor(arrays[entry["name"]])) for entry in header["arrays"])


# ---- the architecture sidecar (model.json of a run directory) --------------------------------------------
def save_architecture(model: Module, path) -> Path:
    """Write the architecture and the parameter list as readable JSON (a run directory's `model.json`),
    atomically. `load_architecture` rebuilds a freshly initialised model from it."""
    where = "dn.io.save_architecture"
    _check_module(model, where)
    tree = architecture(model)
    _, entries = _model_state(model, where)
    _check_rebuildable(model, tree, where)
    document = {"format": ARCHITECTURE, "version": VERSION, "deltanet_version": _version(),
                "architecture": tree, "training": bool(model.training),
                "num_parameters": model.num_parameters(), "arrays": entries}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda file: file.write(text.encode("utf-8")), where)


def load_architecture(path) -> Module:
    """A freshly initialised model (recorded dtypes) from a JSON file written by `save_architecture`."""
    where, path = "dn.io.load_architecture", Path(path)
    if not path.is_file():
        if not path.exists():
            raise ModelFileNotFoundError(f"{where}: {path} does not exist; check the path")
        raise fail(where, path, "is not a file", "pass the model.json of a run directory")
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise fail(where, path, "is a model file (.npz), not an architecture JSON", "use dn.io.load(path)")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(where, path, f"not valid JSON ({error})",
                   "write it again with dn.io.save_architecture") from None
    if not isinstance(document, dict) or document.get("format") != ARCHITECTURE:
        got = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise fail(where, path, f"not a deltanet architecture file (format {got!r})",
                   "pass a model.json written by dn.io.save_architecture")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise fail(where, path, f"unsupported format version {version!r} (this deltanet reads up to "
                   f"{VERSION})", "upgrade deltanet or write the file again")
    try:
        model = build(document.get("architecture"))
    except ValueError as error:
        raise fail(where, path, f"the architecture cannot be rebuilt: {error}",
                   "fix or rewrite the file") from None
    dtypes = {entry.get("name"): entry.get("dtype") for entry in document.get("arrays", [])
              if isinstance(entry, dict)}
    for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
        dtype = dtypes.get(name)
        if isinstance(dtype, str) and dtype in ("float16", "float32", "float64") and tensor.dtype.kind == "f":
            tensor.data = tensor.data.astype(dtype, copy=False)
    model.train(document.get("training", True) is True)
    return model


# ---- helpers -----------------------------------------------------------------------------------------------
def _version():
    import deltanet  # the package may still be initialising when io is imported from it

    return getattr(deltanet, "__version__", None)


def _write(path, header: dict, arrays: dict, where: str) -> Path:
    header = seal(header, arrays)
    return atomic_write(path, lambda file: write_npz(file, header, arrays), where)


def _check_module(model, where: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{where}: expected a deltanet Module, got {type(model).__name__}")


def _metadata(metadata, where: str) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise TypeError(f"{where}: metadata must be a dict, got {type(metadata).__name__}")
    return normalise_json(metadata, f"{where}: metadata")


def _model_state(model: Module, where: str) -> tuple[dict, list]:
    """(name → array, header records) for every parameter and buffer, in state_dict order."""
    params = dict(model.named_parameters())
    arrays = check_arrays({name: tensor.data for name, tensor in model.state_dict().items()}, where)
    entries = []
    for name, array in arrays.items():
        entry = array_entry(name, array)
        if name in params:
            entry.update(kind="parameter", requires_grad=bool(params[name].requires_grad))
        else:
            entry.update(kind="buffer")
        entries.append(entry)
    return arrays, entries


def _check_rebuildable(model: Module, tree: dict, where: str) -> None:
    """Refuse to write a file that `load` could not rebuild (a library layer with incomplete get_config)."""
    bug = ("Either a parameter or buffer was attached to a deltanet layer after it was built (save the "
           "weights with save_state_dict instead), or a layer's get_config() is incomplete (a deltanet bug: "
           "please report it, and meanwhile use save_state_dict).")
    try:
        rebuilt = build(tree)
    except ValueError as error:
        raise ValueError(f"{where}: the model cannot be rebuilt from its description: {error}\n"
                         f"{bug}") from None
    problems = _state_differences([array_entry(n, t.data) for n, t in model.state_dict().items()], rebuilt,
                                  ("the model", "its rebuilt copy"), dtypes=False)
    if problems:
        raise ValueError(f"{where}: rebuilding the model from its description gives different "
                         f"parameters:\n  - " + "\n  - ".join(problems) + f"\n{bug}")


def _state_differences(entries: list, model: Module, labels=("the file", "the model"), dtypes=True) -> list:
    own = model.state_dict()
    out = []
    for entry in entries:
        name = entry["name"]
        if name not in own:
            out.append(f"{name!r}: only in {labels[0]}")
            continue
        shape, dtype = tuple(entry["shape"]), np.dtype(entry["dtype"])
        if shape != own[name].shape:
            out.append(f"{name!r}: shape {shape} in {labels[0]}, {own[name].shape} in {labels[1]}")
        if dtypes and dtype != own[name].dtype:
            out.append(f"{name!r}: dtype {dtype} in {labels[0]}, {own[name].dtype} in {labels[1]} "
                       f"(convert the model with .to(np.{dtype}) first)")
    names = {entry["name"] for entry in entries}
    out += [f"{name!r}: only in {labels[1]}" for name in own if name not in names]
    return out


def _assign(model: Module, entries: list, arrays: dict, replace: bool) -> None:
    """Put the loaded arrays into the model: `replace` swaps in new arrays (taking the file's dtype),
    otherwise they are copied into the existing arrays (same dtype, checked before)."""
    tensors = dict(model.named_parameters())
    tensors.update(model.named_buffers())
    for entry in entries:
        tensor, array = tensors[entry["name"]], arrays[entry["name"]]
        if replace:  # the file's dtype, the freshly built layer's memory layout (e.g. Linear's column-major W)
            data = np.empty_like(tensor.data, dtype=array.dtype)
            data[...] = array
            tensor.data = data
            tensor.grad = None
            if entry.get("kind") == "parameter" and isinstance(entry.get("requires_grad"), bool):
                tensor.requires_grad_(entry["requires_grad"])
        else:
            np.copyto(tensor.data, array)

