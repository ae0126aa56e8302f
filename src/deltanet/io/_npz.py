"""The container: a standard `.npz` (zip of `.npy` arrays) plus a JSON header in a reserved uint8 entry.

Layout of a file written by `write_npz`:

    __deltanet__.npy   uint8 bytes of a UTF-8 JSON object (the header, see `deltanet.io.model`)
    <name>.npy         one plain numeric array per state_dict entry, under its state_dict name

The header records every array's name, shape and dtype, `sha256` over the arrays and `header_sha256` over
the header itself (see `arrays_sha256` / `header_sha256`). Nothing is ever pickled: arrays are written with
`allow_pickle=False` and read with `np.load(path, allow_pickle=False)`. Zip entries carry a fixed timestamp,
so the same model always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from deltanet.io.errors import ModelFileError, ModelFileNotFoundError

RESERVED = "__deltanet__"
VERSION = 1
NUMERIC_KINDS = "fiub"  # float, signed and unsigned int, bool
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SAVE_AGAIN = "save the model again (or restore the file from a good copy)"


# ---- writing ---------------------------------------------------------------------------------------------
def to_json_bytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, default=_json_default).encode("utf-8")


def normalise_json(obj, what: str):
    """`obj` as it reads back from JSON (tuples → lists, NumPy scalars → numbers), or a TypeError."""
    try:
        return json.loads(to_json_bytes(obj))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be JSON-serialisable (numbers, strings, booleans, None, lists, dicts "
                        f"with string keys): {error}") from None


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} {obj!r} is not JSON-serialisable")


def write_npz(file, header: dict, arrays: dict) -> None:
    """Write `arrays` (name → plain numeric ndarray) and the JSON `header` as an uncompressed `.npz`."""
    entries = [(RESERVED, np.frombuffer(to_json_bytes(header), dtype=np.uint8)), *arrays.items()]
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in entries:
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def array_entry(name: str, array: np.ndarray) -> dict:
    return {"name": name, "shape": list(array.shape), "dtype": array.dtype.name}


def arrays_sha256(entries: list, arrays: dict) -> str:
    """SHA-256 over the arrays in the header's order: for each, the JSON line [name, dtype, shape] then its
    bytes in C order, little-endian. Detects any changed value, name, dtype or shape."""
    digest = hashlib.sha256()
    for entry in entries:
        array = arrays[entry["name"]]
        digest.update(json.dumps([entry["name"], entry["dtype"], list(entry["shape"])]).encode() + b"\n")
        little_endian = np.asarray(array, order="C").astype(array.dtype.newbyteorder("<"), copy=False)
        digest.update(little_endian.tobytes())
    return digest.hexdigest()


def header_sha256(header: dict) -> str:
    """SHA-256 of the header's canonical JSON (sorted keys, no spaces), leaving out `header_sha256` itself."""
    body = {key: value for key, value in header.items() if key != "header_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(header: dict, arrays: dict) -> dict:
    """The header with both checksums filled in (JSON-normalised first, so the reader recomputes the same)."""
    header = normalise_json(header, "the model file header")
    header["sha256"] = arrays_sha256(header["arrays"], arrays)
    header["header_sha256"] = header_sha256(header)
    return header


def check_arrays(arrays: dict, where: str) -> dict:
    """Name → contiguous native-byte-order ndarray, refusing non-numeric arrays and the reserved name."""
    checked = {}
    for name, array in arrays.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"{where}: array names must be non-empty strings, got {name!r}")
        if name == RESERVED:
            raise ValueError(f"{where}: {RESERVED!r} is reserved for deltanet's header; rename that entry")
        if array.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"{where}: {name!r} has dtype {array.dtype}; only float, int and bool arrays "
                            f"can be saved (deltanet never pickles)")
        checked[name] = np.asarray(array, order="C").astype(array.dtype.newbyteorder("="), copy=False)
    return checked


# ---- reading ---------------------------------------------------------------------------------------------
def fail(where: str, path, what: str, todo: str) -> ModelFileError:
    """`where: path: what. What to do.` — the one shape of every message (a list of problems, one per line,
    puts the advice on its own line)."""
    todo = todo[:1].upper() + todo[1:] + "."
    separator = "\n" if "\n" in what else ". "
    return ModelFileError(f"{where}: {path}: {what}{separator}{todo}")


def read_npz(path, where: str, formats: tuple) -> tuple[dict, dict]:
    """(header, arrays) from a file written by `write_npz`, after checking everything that can be checked:
    a zip, a deltanet header of a known format and version, unedited header, exactly the recorded arrays
    with their shapes and dtypes, and the SHA-256 of their bytes. Anything else raises `ModelFileError`."""
    path = Path(path)
    _check_file_type(path, where)
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise fail(where, path, f"the .npz cannot be opened ({type(error).__name__}: {error}); it is "
                   f"truncated or corrupt", _SAVE_AGAIN) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise fail(where, path, "not a deltanet model file", "load it with np.load")
    with npz:
        names = list(npz.files)
        if RESERVED not in names:
            if any(name.endswith(".pkl") for name in names):
                raise fail(where, path, "this is a PyTorch checkpoint (torch.save), not a deltanet file",
                           "load it with torch, then model.load_state_dict(torch_state_dict) and dn.io.save")
            raise fail(where, path, f"an .npz without deltanet's {RESERVED!r} header, so not written by "
                       f"dn.io (it holds {_names(names)})",
                       "if it holds weights, read them with np.load and pass them to model.load_state_dict")
        header = _read_header(npz, path, where, formats)
        entries = header["arrays"]
        expected = [entry["name"] for entry in entries]
        missing = [name for name in expected if name not in names]
        extra = [name for name in names if name != RESERVED and name not in expected]
        if missing or extra:
            parts = ([f"missing arrays {_names(missing)}"] if missing else []) + \
                    ([f"unexpected arrays {_names(extra)}"] if extra else [])
            raise fail(where, path, "the arrays do not match the file's own list: " + "; ".join(parts) +
                       " (the file was edited or assembled by another tool)", _SAVE_AGAIN)
        arrays = {entry["name"]: _read_array(npz, entry, path, where) for entry in entries}
    if arrays_sha256(entries, arrays) != header["sha256"]:
        raise fail(where, path, "the array bytes do not match the SHA-256 recorded when the file was saved, "
                   "so its weights were altered after saving (or damaged in a way the zip CRC missed)",
                   "do not use it: " + _SAVE_AGAIN)
    return header, arrays


def _names(names) -> str:
    shown = ", ".join(repr(name) for name in list(names)[:8])
    return shown + (f", … ({len(names)} in all)" if len(names) > 8 else "") if names else "nothing"


def _check_file_type(path: Path, where: str) -> None:
    if not path.exists():
        raise ModelFileNotFoundError(f"{where}: {path} does not exist; check the path "
                                     f"(a run directory keeps its model in model.npz)")
    if path.is_dir():
        hint = f" such as {path / 'model.npz'}" if (path / "model.npz").is_file() else ""
        raise fail(where, path, "is a directory, not a model file", f"pass the .npz file{hint}")
    try:
        with open(path, "rb") as file:
            head = file.read(8)
    except OSError as error:
        raise fail(where, path, f"cannot be read ({error.strerror})", "check its permissions") from None
    if not head:
        raise fail(where, path, "the file is empty (an interrupted copy?)", _SAVE_AGAIN)
    if head.startswith(b"\x93NUMPY"):
        raise fail(where, path, "a single .npy array, not a deltanet model file (.npz)",
                   "load it with np.load; dn.io.save writes model files")
    if head[:1] == b"\x80":
        raise fail(where, path, "a Python pickle (e.g. from pickle.dump or an old torch.save); deltanet "
                   "never loads pickles because unpickling can run arbitrary code",
                   "convert it where it was made: save the weights as plain arrays (np.savez) instead")
    if not head.startswith(b"PK\x03\x04"):
        raise fail(where, path, f"not an .npz file (it starts with {head[:8]!r}, a zip archive starts with "
                   f"b'PK\\x03\\x04')", "pass a file written by dn.io.save")
    if not zipfile.is_zipfile(path):
        raise fail(where, path, "truncated or corrupt: the zip directory at its end is missing or damaged "
                   "(was the copy cut short or the disk full?)", _SAVE_AGAIN)


def _read_member(npz, name: str, path: Path, where: str):
    try:
        return npz[name]
    except ValueError as error:
        if "pickle" in str(error).lower() or "object" in str(error).lower():
            raise fail(where, path, f"entry {name!r} is a pickled Python object array; refused, because "
                       f"unpickling can run arbitrary code", "only use model files written by dn.io.save") \
                from None
        raise fail(where, path, f"entry {name!r} is not a valid .npy array ({error})", _SAVE_AGAIN) from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as error:
        raise fail(where, path, f"entry {name!r} cannot be read ({type(error).__name__}: {error}); the "
                   f"file is corrupt (a changed byte fails the zip CRC check)", _SAVE_AGAIN) from None


def _read_header(npz, path: Path, where: str, formats: tuple) -> dict:
    raw = _read_member(npz, RESERVED, path, where)
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1:
        raise fail(where, path, f"the {RESERVED!r} header is not a uint8 byte array", _SAVE_AGAIN)
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(where, path, f"the header is not valid JSON ({error}); it was edited or damaged",
                   _SAVE_AGAIN) from None
    if not isinstance(header, dict):
        raise fail(where, path, "the header is not a JSON object", _SAVE_AGAIN)
    kind = header.get("format")
    if kind not in formats:
        if kind == "deltanet.state_dict":
            raise fail(where, path, "this file holds weights only (written by dn.io.save_state_dict), no "
                       "architecture", "build the model in code, then "
                       "model.load_state_dict(dn.io.load_state_dict(path))")
        raise fail(where, path, f"unknown format {kind!r} (expected {' or '.join(map(repr, formats))})",
                   "pass a file written by dn.io.save")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(where, path, f"malformed format version {version!r}", _SAVE_AGAIN)
    if version > VERSION:
        raise fail(where, path, f"written by a newer deltanet (format version {version}, this one reads "
                   f"up to {VERSION})", "upgrade deltanet")
    if header.get("header_sha256") != header_sha256(header):
        raise fail(where, path, "the header (architecture, names, shapes or metadata) was edited after "
                   "saving: its SHA-256 does not match", _SAVE_AGAIN)
    _check_header_fields(header, path, where)
    return header


def _check_header_fields(header: dict, path: Path, where: str) -> None:
    """Structure of a header whose checksum matched (so only a buggy writer can get here with bad fields)."""
    entries, digest = header.get("arrays"), header.get("sha256")
    problem = None
    if not isinstance(digest, str) or len(digest) != 64:
        problem = "the 'sha256' field is missing or malformed"
    elif not isinstance(entries, list):
        problem = "the 'arrays' field is missing or not a list"
    elif not isinstance(header.get("metadata", {}), dict):
        problem = "the 'metadata' field is not a JSON object"
    else:
        seen = set()
        for entry in entries:
            ok = (isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]
                  and entry["name"] != RESERVED and entry["name"] not in seen
                  and isinstance(entry.get("shape"), list)
                  and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in entry["shape"])
                  and _numeric_dtype(entry.get("dtype")) is not None)
            if not ok:
                problem = f"malformed array record {entry!r}"
                break
            seen.add(entry["name"])
    if problem:
        raise fail(where, path, problem, _SAVE_AGAIN)


def _numeric_dtype(name):
    try:
        dtype = np.dtype(name) if isinstance(name, str) else None
    except TypeError:
        return None
    return dtype if dtype is not None and dtype.kind in NUMERIC_KINDS else None


def _read_array(npz, entry: dict, path: Path, where: str) -> np.ndarray:
    name = entry["name"]
    array = _read_member(npz, name, path, where)
    if not isinstance(array, np.ndarray):
        raise fail(where, path, f"entry {name!r} is not a .npy array", _SAVE_AGAIN)
    expected_dtype, expected_shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
    if array.dtype != expected_dtype or array.shape != expected_shape:
        raise fail(where, path, f"array {name!r} is {array.dtype} {array.shape} but the file's header "
                   f"records {expected_dtype} {expected_shape}", _SAVE_AGAIN)
    return array
