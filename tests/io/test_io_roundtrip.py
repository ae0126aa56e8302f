"""`dn.io` round trips: architecture, configs and exact weights survive save → load."""

import doctest
import json
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
from io_helpers import mlp

import deltanet as dn
import deltanet.io
from deltanet.io import _architecture

nn = dn.nn


@pytest.fixture
def default_float64():
    previous = dn.get_default_dtype()
    dn.set_default_dtype(np.float64)
    try:
        yield
    finally:
        dn.set_default_dtype(previous)


def assert_same_model(a, b):
    assert repr(a) == repr(b)
    assert dn.io.architecture(a) == dn.io.architecture(b)
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for name in sa:
        assert sa[name].dtype == sb[name].dtype, name
        np.testing.assert_array_equal(sa[name].data, sb[name].data, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_round_trip_keeps_configs_weights_and_outputs(tmp_path, dtype):
    model = mlp(dtype)
    path = dn.io.save(model, tmp_path / "model.npz")
    loaded = dn.io.load(path)
    assert_same_model(model, loaded)
    assert [type(m).__name__ for m in loaded] == ["Linear", "Sigmoid", "Linear", "Softmax"]
    assert loaded[3].dim == 1 and loaded[3].temperature == 2.0
    assert loaded[0].weight.dtype == np.dtype(dtype) and loaded[0].weight.requires_grad
    x = dn.tensor(np.random.default_rng(0).normal(size=(6, 4)).astype(dtype))
    np.testing.assert_array_equal(loaded(x).data, model(x).data)
    # the loaded model trains: gradients reach its parameters
    loaded(x).sum().backward()
    assert loaded[0].weight.grad is not None


def test_float64_default_dtype_round_trip(tmp_path, default_float64):
    model = mlp()
    loaded = dn.io.load(dn.io.save(model, tmp_path / "m.npz"))
    assert loaded[2].weight.dtype == np.float64
    assert_same_model(model, loaded)


def test_float64_file_loads_as_float64_under_float32_default(tmp_path):
    model = mlp(np.float64)
    path = dn.io.save(model, tmp_path / "m.npz")
    assert dn.get_default_dtype() == np.float32
    assert dn.io.load(path)[0].bias.dtype == np.float64


def test_nested_and_named_containers(tmp_path):
    model = nn.Sequential(
        nn.Sequential(nn.Linear(3, 4, bias=False), nn.LeakyReLU(0.2)),
        nn.Sequential(OrderedDict([("hidden", nn.Linear(4, 4)), ("act", nn.Step(at_zero=1.0))])),
        nn.ModuleList([nn.Linear(4, 2), nn.Tanh()]),
        nn.Flatten(),
        nn.LogSoftmax(dim=-1),
    )
    loaded = dn.io.load(dn.io.save(model, tmp_path / "nested.npz"))
    assert_same_model(model, loaded)
    assert loaded[0][0].bias is None and loaded[0][1].negative_slope == 0.2
    assert loaded[1].hidden.out_features == 4 and loaded[1].act.at_zero == 1.0
    assert isinstance(loaded[2], nn.ModuleList)
    assert list(loaded.state_dict()) == ["0.0.weight", "1.hidden.weight", "1.hidden.bias", "2.0.weight",
                                         "2.0.bias"]


def test_architecture_tree():
    tree = dn.io.architecture(mlp())
    assert tree["class"] == "Sequential" and tree["config"] == {}
    assert list(tree["children"]) == ["0", "1", "2", "3"]
    assert tree["children"]["3"] == {"class": "Softmax", "config": {"dim": 1, "temperature": 2.0},
                                     "children": {}}
    assert json.loads(json.dumps(tree)) == tree
    assert dn.io.architecture(dn.io.build(tree)) == tree


def test_metadata_training_mode_and_requires_grad_are_kept(tmp_path):
    model = mlp().eval()
    model[0].bias.requires_grad_(False)
    path = dn.io.save(model, tmp_path / "m.npz", metadata={"epoch": np.int64(3), "accuracy": np.float32(0.5),
                                                           "note": "ünïcode", "lr": [0.1, 0.01]})
    info = dn.io.info(path)
    assert info["metadata"] == {"epoch": 3, "accuracy": 0.5, "note": "ünïcode", "lr": [0.1, 0.01]}
    assert info["format"] == "deltanet.model" and info["version"] == 1
    assert [a["name"] for a in info["arrays"]] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert info["arrays"][0] == {"name": "0.weight", "shape": [5, 4], "dtype": "float32", "kind": "parameter",
                                 "requires_grad": True}
    loaded = dn.io.load(path)
    assert not loaded.training and not loaded[3].training
    assert not loaded[0].bias.requires_grad and loaded[0].weight.requires_grad


def test_metadata_must_be_a_json_dict(tmp_path):
    with pytest.raises(TypeError, match="metadata must be a dict"):
        dn.io.save(mlp(), tmp_path / "m.npz", metadata=[1, 2])
    with pytest.raises(TypeError, match="JSON-serialisable"):
        dn.io.save(mlp(), tmp_path / "m.npz", metadata={"f": print})
    assert not list(tmp_path.iterdir())


def test_same_model_gives_same_bytes_and_rng_is_untouched(tmp_path):
    model = mlp()
    state = dn.get_rng_state()
    a = dn.io.save(model, tmp_path / "a.npz")
    b = dn.io.save(model, str(tmp_path / "b.npz"))
    dn.io.load(a)
    assert dn.get_rng_state() == state
    assert a.read_bytes() == b.read_bytes()
    assert (a.stat().st_mode & 0o777) == 0o644


def test_saved_file_is_a_plain_npz(tmp_path):
    model = mlp()
    path = dn.io.save(model, tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(["__deltanet__", *model.state_dict()])
        np.testing.assert_array_equal(npz["2.weight"], model[2].weight.data)
        assert npz["__deltanet__"].dtype == np.uint8


def test_load_into_existing_model_copies_in_place(tmp_path):
    model = mlp()
    path = dn.io.save(model, tmp_path / "m.npz")
    target = mlp()
    weight = target[0].weight
    assert dn.io.load(path, model=target) is target
    assert target[0].weight is weight  # an optimizer holding the parameters keeps working
    assert_same_model(model, target)


def test_custom_module_cannot_be_described_but_its_weights_can_be_saved(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)

        def forward(self, x):
            return self.out(self.hidden(x).sigmoid())

    with pytest.raises(TypeError) as error:
        dn.io.save(Net(), tmp_path / "net.npz")
    message = str(error.value)
    assert "the model itself is a" in message and "Net" in message
    assert "save the weights with save_state_dict" in message
    with pytest.raises(TypeError, match=r"module at '1' is a .*Net, not a deltanet layer"):
        dn.io.save(nn.Sequential(nn.Linear(2, 3), Net()), tmp_path / "net.npz")
    with pytest.raises(TypeError, match="save_state_dict"):
        dn.io.save_architecture(Net(), tmp_path / "model.json")
    assert not list(tmp_path.iterdir())

    net = Net()
    path = dn.io.save_state_dict(net, tmp_path / "net.npz", metadata={"epoch": 1})
    state = dn.io.load_state_dict(path)
    assert list(state) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert isinstance(state["out.bias"], dn.Tensor)
    other = Net()
    other.load_state_dict(state)
    x = dn.randn(5, 3)
    np.testing.assert_array_equal(other(x).data, net(x).data)
    assert dn.io.info(path)["format"] == "deltanet.state_dict"


def test_save_state_dict_of_a_mapping_keeps_dtypes(tmp_path):
    state = {"w": np.arange(6, dtype=np.float64).reshape(2, 3), "steps": np.array(7, dtype=np.int64),
             "mask": np.array([True, False]), "t": dn.tensor([1.0, 2.0])}
    loaded = dn.io.load_state_dict(dn.io.save_state_dict(state, tmp_path / "s.npz"))
    assert list(loaded) == list(state)
    for name, value in state.items():
        expected = np.asarray(value)
        assert loaded[name].dtype == expected.dtype and loaded[name].shape == expected.shape
        np.testing.assert_array_equal(loaded[name].data, expected)
    with pytest.raises(TypeError, match="not a numeric array"):
        dn.io.save_state_dict({"names": np.array(["a", "b"])}, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="reserved"):
        dn.io.save_state_dict({"__deltanet__": np.zeros(2)}, tmp_path / "bad.npz")


def test_load_state_dict_reads_the_weights_of_a_model_file(tmp_path):
    model = mlp()
    state = dn.io.load_state_dict(dn.io.save(model, tmp_path / "m.npz"))
    target = mlp()
    target.load_state_dict(state)
    assert_same_model(model, target)


def test_torch_state_dict_can_be_saved(tmp_path):
    torch = pytest.importorskip("torch")
    reference = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 3))
    path = dn.io.save_state_dict(reference.state_dict(), tmp_path / "torch.npz")
    model = mlp()
    model.load_state_dict(dn.io.load_state_dict(path))
    np.testing.assert_array_equal(model[2].weight.data, reference[2].weight.detach().numpy())


def test_io_imports_neither_torch_nor_matplotlib():
    code = "import sys, deltanet.io; assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_architecture_sidecar(tmp_path):
    model = mlp(np.float64)
    path = dn.io.save_architecture(model, tmp_path / "model.json")
    document = json.loads(path.read_text())
    assert document["format"] == "deltanet.architecture"
    assert document["architecture"] == dn.io.architecture(model)
    assert document["num_parameters"] == 5 * 4 + 5 + 3 * 5 + 3
    assert document["arrays"][0] == {"name": "0.weight", "shape": [5, 4], "dtype": "float64",
                                     "kind": "parameter", "requires_grad": True}
    rebuilt = dn.io.load_architecture(path)
    assert repr(rebuilt) == repr(model) and rebuilt[0].weight.dtype == np.float64


def test_a_layer_whose_config_does_not_rebuild_it_is_refused_at_save(tmp_path, monkeypatch):
    model = mlp()
    monkeypatch.setattr(nn.Linear, "get_config", lambda self: {"in_features": 2, "out_features": 2})
    with pytest.raises(ValueError, match="get_config"):
        dn.io.save(model, tmp_path / "m.npz")
    monkeypatch.setattr(nn.Linear, "get_config", lambda self: {})
    with pytest.raises(ValueError, match=r"Linear\(\*\*\{\}\) failed"):
        dn.io.save(model, tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())


def test_a_parameter_attached_to_a_library_layer_is_refused_at_save(tmp_path):
    model = mlp()
    model.scale = nn.Parameter(np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="'scale': only in the model") as error:
        dn.io.save(model, tmp_path / "m.npz")
    assert "attached to a deltanet layer" in str(error.value)
    dn.io.load_state_dict(dn.io.save_state_dict(model, tmp_path / "w.npz"))


def test_shared_modules_are_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="same Linear object is used at '0' and at '1'"):
        dn.io.architecture(nn.Sequential(layer, layer))


def test_docstring_examples():
    for module in (dn.io, _architecture):
        assert doctest.testmod(module).failed == 0
