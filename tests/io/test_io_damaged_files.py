"""Truncated, corrupt, tampered and foreign files: each a ModelFileError saying what, where and what to do."""

import pickle

import numpy as np
import pytest
from io_helpers import entries, header_of, mlp, npy, read_npy, rewrite, with_header

import deltanet as dn
import deltanet.io
from deltanet.io import ModelFileError
from deltanet.io._npz import header_sha256

nn = dn.nn


@pytest.fixture
def saved(tmp_path):
    model = mlp()
    return model, dn.io.save(model, tmp_path / "model.npz")


def refused(path, *fragments, load=None):
    """Load `path`, expect a ModelFileError naming the file and containing every fragment; return it."""
    with pytest.raises(ModelFileError) as error:
        (load or dn.io.load)(path)
    message = str(error.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    return message


def test_error_class():
    assert issubclass(ModelFileError, ValueError)
    assert issubclass(dn.io.ModelFileNotFoundError, ModelFileError)
    assert issubclass(dn.io.ModelFileNotFoundError, FileNotFoundError)


@pytest.mark.parametrize("keep", [0.99, 0.5, 0.02])
def test_truncated_file(saved, keep):
    _, path = saved
    raw = path.read_bytes()
    path.write_bytes(raw[:int(len(raw) * keep)])
    refused(path, "truncated or corrupt", "Save the model again")


def test_bytes_cut_from_the_middle(saved):
    _, path = saved
    raw = path.read_bytes()
    start = raw.index(b"0.weight.npy") + 100
    path.write_bytes(raw[:start] + raw[start + 16:])
    refused(path, "corrupt")


def test_flipped_byte_fails_the_zip_crc(saved):
    _, path = saved
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"2.weight.npy") + 150] ^= 0x01
    path.write_bytes(bytes(raw))
    refused(path, "'2.weight'", "CRC", "corrupt")


def test_altered_weight_in_a_consistent_zip_fails_the_checksum(saved):
    _, path = saved
    members = entries(path)
    weight = read_npy(members["2.weight.npy"]).copy()
    weight.reshape(-1).view(np.uint8)[5] ^= 0x01  # one flipped bit in the float data, zip CRC recomputed
    members["2.weight.npy"] = npy(weight)
    rewrite(path, members)
    refused(path, "SHA-256", "altered after saving", "Do not use it")


def test_invalid_json_header(saved):
    _, path = saved
    members = entries(path)
    raw = read_npy(members["__deltanet__.npy"]).tobytes()
    members["__deltanet__.npy"] = npy(np.frombuffer(raw[:-7], dtype=np.uint8))
    rewrite(path, members)
    refused(path, "not valid JSON")


def test_edited_config_fails_the_header_checksum(saved):
    model, path = saved
    members = entries(path)
    header = header_of(members)
    header["architecture"]["children"]["3"]["config"]["temperature"] = 3.0
    rewrite(path, with_header(members, header))
    refused(path, "header", "edited after saving")


def test_edited_shape_with_recomputed_header_checksum(saved):
    _, path = saved
    members = entries(path)
    header = header_of(members)
    header["arrays"][0]["shape"] = [4, 5]
    header["header_sha256"] = header_sha256(header)
    rewrite(path, with_header(members, header))
    refused(path, "'0.weight'", "(5, 4)", "(4, 5)")


def test_edited_architecture_with_recomputed_checksum_does_not_fit_the_arrays(saved):
    _, path = saved
    members = entries(path)
    header = header_of(members)
    header["architecture"]["children"]["0"]["config"]["out_features"] = 6
    header["header_sha256"] = header_sha256(header)
    rewrite(path, with_header(members, header))
    refused(path, "do not fit the architecture", "'0.weight': shape (5, 4) in the file, (6, 4)")


def test_unknown_layer_class(saved):
    _, path = saved
    members = entries(path)
    header = header_of(members)
    header["architecture"]["children"]["1"]["class"] = "Swish"
    header["header_sha256"] = header_sha256(header)
    rewrite(path, with_header(members, header))
    refused(path, "unknown layer class 'Swish'", "newer deltanet")


def test_newer_format_version(saved):
    _, path = saved
    members = entries(path)
    header = header_of(members)
    header["version"] = 2
    header["header_sha256"] = header_sha256(header)
    rewrite(path, with_header(members, header))
    refused(path, "newer deltanet", "Upgrade deltanet")


def test_extra_array(saved):
    _, path = saved
    members = entries(path)
    members["sneaky.npy"] = npy(np.zeros(3))
    rewrite(path, members)
    refused(path, "unexpected arrays 'sneaky'")


def test_missing_array(saved):
    _, path = saved
    members = entries(path)
    del members["2.bias.npy"]
    rewrite(path, members)
    refused(path, "missing arrays '2.bias'")


def test_pickled_object_array_is_refused(saved):
    _, path = saved
    members = entries(path)
    members["0.weight.npy"] = npy(np.array([{"boom": 1}, None], dtype=object), allow_pickle=True)
    rewrite(path, members)
    refused(path, "'0.weight'", "pickled Python object", "arbitrary code")


def test_pickled_header_is_refused(saved):
    _, path = saved
    members = entries(path)
    members["__deltanet__.npy"] = npy(np.array(["x"], dtype=object), allow_pickle=True)
    rewrite(path, members)
    refused(path, "pickled")


def test_wrong_dtype_array(saved):
    _, path = saved
    members = entries(path)
    members["0.bias.npy"] = npy(read_npy(members["0.bias.npy"]).astype(np.float64))
    rewrite(path, members)
    refused(path, "'0.bias' is float64", "records float32")


@pytest.mark.parametrize("kind, content, fragment", [
    ("empty", b"", "empty"),
    ("text", b"hello, world\n", "not an .npz file"),
    ("pickle", pickle.dumps({"weight": [1.0]}), "pickle"),
])
def test_wrong_file_types(tmp_path, kind, content, fragment):
    path = tmp_path / f"{kind}.npz"
    path.write_bytes(content)
    refused(path, fragment)


def test_npy_plain_npz_torch_zip_and_state_dict_files(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    refused(tmp_path / "a.npy", "single .npy array")
    np.savez(tmp_path / "plain.npz", weight=np.zeros(3))
    refused(tmp_path / "plain.npz", "without deltanet's '__deltanet__' header", "'weight'")
    rewrite(tmp_path / "torch.pt", {"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3\n"})
    refused(tmp_path / "torch.pt", "PyTorch checkpoint")
    dn.io.save_state_dict(mlp(), tmp_path / "weights.npz")
    refused(tmp_path / "weights.npz", "weights only", "dn.io.load_state_dict")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(dn.io.ModelFileNotFoundError, match="does not exist"):
        dn.io.load(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError):
        dn.io.load_state_dict(tmp_path / "nope.npz")
    dn.io.save(mlp(), tmp_path / "model.npz")
    refused(tmp_path, "is a directory", "model.npz")


def test_damaged_weights_file_is_refused_by_load_state_dict(tmp_path):
    path = dn.io.save_state_dict({"w": np.ones((3, 3))}, tmp_path / "w.npz")
    members = entries(path)
    members["w.npy"] = npy(np.full((3, 3), 2.0))
    rewrite(path, members)
    refused(path, "SHA-256", load=dn.io.load_state_dict)


def test_load_into_model_with_different_architecture(saved):
    _, path = saved
    other = nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 3))
    before = other[2].bias.data.copy()
    message = refused(path, "does not match the model passed as model=",
                      load=lambda p: dn.io.load(p, model=other))
    assert "'0': the file has Linear(in_features=4, out_features=5, bias=True), the model has " \
           "Linear(in_features=4, out_features=6, bias=True)" in message
    assert "'3': only in the file: Softmax(dim=1, temperature=2.0)" in message
    assert "'0.weight': shape (5, 4) in the file, (6, 4) in the model" in message
    assert "load_state_dict" in message
    np.testing.assert_array_equal(other[2].bias.data, before)  # nothing was copied, not even matching arrays


def test_load_into_model_with_different_dtype_or_config(saved):
    _, path = saved
    message = refused(path, load=lambda p: dn.io.load(p, model=mlp(np.float64)))
    assert "'0.weight': dtype float32 in the file, float64 in the model" in message
    softer = nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 3), nn.Softmax(dim=1))
    message = refused(path, load=lambda p: dn.io.load(p, model=softer))
    assert ("'3': the file has Softmax(dim=1, temperature=2.0), "
            "the model has Softmax(dim=1, temperature=1.0)") in message


def test_load_architecture_errors(tmp_path, saved):
    _, model_path = saved
    refused(model_path, "is a model file", load=dn.io.load_architecture)
    bad = tmp_path / "model.json"
    bad.write_text("{not json")
    refused(bad, "not valid JSON", load=dn.io.load_architecture)
    bad.write_text('{"format": "something else"}')
    refused(bad, "not a deltanet architecture file", load=dn.io.load_architecture)


def test_malformed_architecture_with_recomputed_checksum(saved):
    _, path = saved
    members = entries(path)
    header = header_of(members)
    header["architecture"]["children"]["2"] = ["Linear", 5, 3]
    header["header_sha256"] = header_sha256(header)
    rewrite(path, with_header(members, header))
    refused(path, "architecture node '2' is malformed")
    refused(path, "architecture node '2' is malformed", load=lambda p: dn.io.load(p, model=mlp()))
