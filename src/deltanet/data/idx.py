"""A validating reader for IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.).

Layout (big-endian): 2 zero bytes, a dtype byte, a byte holding the number of dimensions d, then d
uint32 sizes, then the data in C order. Images are 0x00000803 (uint8, 3 dims: n × rows × cols),
labels 0x00000801 (uint8, 1 dim: n). Files may be gzipped (detected from their first bytes).
"""

import gzip
import os
import struct
import zlib

import numpy as np

from deltanet.data._common import DataError

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(
            f"{path}: corrupt or truncated gzip data ({e}); replace the file with a good copy"
        ) from e


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at `path` (plain or gzipped), in native byte order.

    Raises `DataError` naming the file when the magic number, the dimensions or the file size are wrong.
    """
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path}: only {len(raw)} bytes, too short for an IDX header; the file is truncated")
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\0\0" or code not in _DTYPES or ndim == 0:
        raise DataError(
            f"{path}: not an IDX file (magic number 0x{int.from_bytes(raw[:4], 'big'):08x}; expected "
            "0x000008NN for uint8 data with NN dimensions, e.g. 0x00000803 images, 0x00000801 labels)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(
            f"{path}: header announces {ndim} dimensions but the file ends after {len(raw)} bytes"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_DTYPES[code])
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(
            f"{path}: {len(raw)} bytes, but the header (shape {dims}, {dtype.name}) needs {expected}; "
            "the file is truncated or corrupt, replace it with a good copy"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))
