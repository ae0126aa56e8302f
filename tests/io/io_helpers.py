"""Helpers for the `dn.io` tests: small models and a way to rewrite a saved `.npz` entry by entry."""

import io
import json
import zipfile

import numpy as np

import deltanet as dn

nn = dn.nn


def mlp(dtype=None):
    """The reference model of the io tests: Linear, Sigmoid, Linear, Softmax(dim=1, temperature=2)."""
    model = nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 3), nn.Softmax(dim=1, temperature=2.0))
    return model if dtype is None else model.to(dtype)


def entries(path) -> dict:
    """Zip member name → raw bytes of a saved file."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path, members: dict) -> None:
    """Write `members` (name → bytes) as a fresh, internally consistent zip (CRCs recomputed)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy(array, allow_pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def read_npy(data: bytes) -> np.ndarray:
    return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)


def header_of(members: dict) -> dict:
    return json.loads(read_npy(members["__deltanet__.npy"]).tobytes().decode())


def with_header(members: dict, header: dict) -> dict:
    raw = json.dumps(header).encode()
    return {**members, "__deltanet__.npy": npy(np.frombuffer(raw, dtype=np.uint8))}
