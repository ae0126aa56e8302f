import gzip
import struct

import numpy as np
import pytest

from deltanet.data import DataError
from deltanet.data.idx import read_idx

CODES = {
    np.dtype("u1"): 0x08,
    np.dtype("i1"): 0x09,
    np.dtype("i2"): 0x0B,
    np.dtype("i4"): 0x0C,
    np.dtype("f4"): 0x0D,
    np.dtype("f8"): 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of `array`: magic, big-endian uint32 dims, big-endian data."""
    header = bytes([0, 0, CODES[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, raw: bytes):
    path.write_bytes(raw)
    return path


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)


def test_reads_images_and_labels_plain_and_gzipped(tmp_path, images):
    labels = np.array([7, 2, 1], dtype=np.uint8)
    raw_images = idx_bytes(images)
    assert raw_images[:4] == b"\x00\x00\x08\x03" and idx_bytes(labels)[:4] == b"\x00\x00\x08\x01"
    np.testing.assert_array_equal(read_idx(write(tmp_path / "img", raw_images)), images)
    np.testing.assert_array_equal(
        read_idx(write(tmp_path / "lab.gz", gzip.compress(idx_bytes(labels)))), labels
    )


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "f4", "f8"])
def test_reads_multibyte_types_in_native_order(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    got = read_idx(write(tmp_path / "a", idx_bytes(array)))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative and got.flags.writeable
    np.testing.assert_array_equal(got, array)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x00\x00\x07\x03" + bytes(12), "not an IDX file .*0x00000703"),
        (b"\x01\x00\x08\x01" + bytes(4), "not an IDX file"),
        (b"\x00\x00\x08\x00", "not an IDX file"),
        (b"", "too short"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header announces 3 dimensions"),
    ],
)
def test_wrong_magic_or_header_is_refused(tmp_path, raw, message):
    path = write(tmp_path / "bad-idx", raw)
    with pytest.raises(DataError, match=message) as info:
        read_idx(path)
    assert "bad-idx" in str(info.value)


def test_truncated_and_overlong_files_are_refused(tmp_path, images):
    raw = idx_bytes(images)
    with pytest.raises(DataError, match=r"short-idx: 2367 bytes, .*needs 2368.*truncated"):
        read_idx(write(tmp_path / "short-idx", raw[:-1]))
    with pytest.raises(DataError, match="long-idx: 2369 bytes,"):
        read_idx(write(tmp_path / "long-idx", raw + b"\0"))


def test_corrupt_gzip_is_refused(tmp_path, images):
    packed = gzip.compress(idx_bytes(images))
    with pytest.raises(DataError, match="cut.gz: corrupt or truncated gzip"):
        read_idx(write(tmp_path / "cut.gz", packed[: len(packed) // 2]))
    flipped = bytearray(packed)
    flipped[len(packed) // 2] ^= 0xFF
    with pytest.raises(DataError, match="flipped.gz: corrupt or truncated gzip"):
        read_idx(write(tmp_path / "flipped.gz", bytes(flipped)))
