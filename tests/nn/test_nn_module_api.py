"""The `Module` API: registration, traversal, modes, gradients, state dicts, printing, dtypes, errors."""

import math
import re
from collections import OrderedDict

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet import nn


class Net(nn.Module):
    """Own parameters assigned around submodules: torch lists own parameters first, then submodules."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.body = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Sequential(nn.Linear(3, 3), nn.ReLU()))
        self.offset = nn.Parameter(np.zeros(1, dtype=np.float32))
        self.head = nn.Linear(3, 1)
        self.not_a_param = dn.zeros(2)        # a plain tensor is not registered

    def forward(self, x):
        return self.head(self.body(x) * self.scale) + self.offset


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(3))
        self.body = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
                                        torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU()))
        self.offset = torch.nn.Parameter(torch.zeros(1))
        self.head = torch.nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.body(x) * self.scale) + self.offset


EXPECTED_NAMES = ["scale", "offset", "body.0.weight", "body.0.bias", "body.2.0.weight", "body.2.0.bias",
                  "head.weight", "head.bias"]


# ---- registration and traversal --------------------------------------------------------------------------

def test_named_parameters_order_and_dotted_names_equal_torch():
    names = [n for n, _ in Net().named_parameters()]
    assert names == EXPECTED_NAMES
    assert names == [n for n, _ in TorchNet().named_parameters()]
    assert [tuple(p.shape) for p in Net().parameters()] == [tuple(p.shape) for p in TorchNet().parameters()]


def test_named_parameters_without_recursion_lists_only_own():
    assert [n for n, _ in Net().named_parameters(recurse=False)] == ["scale", "offset"]


def test_parameters_are_parameters_that_require_grad():
    params = list(Net().parameters())
    assert len(params) == 8
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)


def test_reassigning_an_attribute_replaces_the_registration():
    net = Net()
    net.head = nn.Identity()
    assert [n for n, _ in net.named_parameters()] == EXPECTED_NAMES[:-2]
    net.scale = None
    assert "scale" not in [n for n, _ in net.named_parameters()]


def test_parameters_deduplicate_shared_parameters_and_modules():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3             # the shared Linear is yielded once

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = nn.Linear(3, 3), nn.Linear(3, 3)
            self.decoder.weight = self.encoder.weight

    names = [n for n, _ in Tied().named_parameters()]
    assert names == ["encoder.weight", "encoder.bias", "decoder.bias"]
    t_shared = torch.nn.Linear(2, 2)
    assert [n for n, _ in torch.nn.Sequential(t_shared, torch.nn.Tanh(), t_shared).named_parameters()] == \
        ["0.weight", "0.bias"]


def test_shared_parameter_gets_the_sum_of_both_uses_gradients():
    shared = nn.Linear(1, 1, bias=False, dtype=np.float64)
    shared.load_state_dict({"weight": np.array([[3.0]])})
    model = nn.Sequential(shared, shared)                # z = w·(w·x) = w² x
    model(dn.tensor([[2.0]], dtype=np.float64)).sum().backward()
    assert shared.weight.grad.item() == pytest.approx(2 * 3.0 * 2.0)


def test_children_and_modules():
    net = Net()
    children = list(net.children())
    assert children == [net.body, net.head]
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    names = [n for n, _ in net.named_modules()]
    assert names == ["", "body", "body.0", "body.1", "body.2", "body.2.0", "body.2.1", "head"]
    assert names == [n for n, _ in TorchNet().named_modules()]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Sequential", "Linear", "Tanh", "Sequential",
                                                          "Linear", "ReLU", "Linear"]


def test_sequential_indexing_len_iteration_and_append():
    a, b, c = nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b and list(model) == [a, b]
    model.append(c)
    assert len(model) == 3 and model[2] is c
    head = model[1:]
    assert isinstance(head, nn.Sequential) and list(head) == [b, c]
    named = nn.Sequential(OrderedDict([("hidden", a), ("act", b)]))
    assert [n for n, _ in named.named_parameters()] == ["hidden.weight", "hidden.bias"]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(a, lambda x: x)


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    stack = Stack()
    names = [n for n, _ in stack.named_parameters()]
    assert names[:3] == ["layers.0.weight", "layers.0.bias", "layers.1.weight"]
    assert len(list(stack.parameters())) == 6 and len(stack.layers) == 3
    stack.layers.append(nn.Linear(2, 1))
    assert len(list(stack.parameters())) == 8
    with pytest.raises(TypeError, match="Module"):
        stack.layers.append(3)


def test_module_requires_super_init_before_attributes():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(1))

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()


# ---- modes and gradients ---------------------------------------------------------------------------------

def test_train_and_eval_propagate_to_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.train(False)
    assert [m.training for m in net.modules()] == [False] * 8


def test_zero_grad_sets_every_gradient_to_none():
    net = Net()
    net(dn.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_set_to_none_false_gives_zero_arrays():
    net = Net()
    net(dn.randn(4, 2)).sum().backward()
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        np.testing.assert_array_equal(p.grad.data, np.zeros(p.shape))


def test_gradients_of_a_second_backward_accumulate_until_zero_grad():
    model = nn.Linear(3, 1, dtype=np.float64)
    x = dn.tensor(np.ones((2, 3)))
    model(x).sum().backward()
    first = model.weight.grad.data.copy()
    model(x).sum().backward()
    np.testing.assert_array_equal(model.weight.grad.data, 2 * first)
    model.zero_grad()
    model(x).sum().backward()
    np.testing.assert_array_equal(model.weight.grad.data, first)


# ---- state_dict / load_state_dict ------------------------------------------------------------------------

def test_state_dict_keys_equal_torch_for_the_same_architecture():
    assert list(Net().state_dict()) == list(TorchNet().state_dict()) == EXPECTED_NAMES
    ours = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2, bias=False))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 2, bias=False))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0.weight", "0.bias", "2.weight"]


def test_state_dict_values_are_detached_and_share_memory_with_the_parameters():
    model = nn.Linear(2, 2)
    state = model.state_dict()
    assert not state["weight"].requires_grad
    np.testing.assert_array_equal(state["weight"].data, model.weight.data)
    model.weight.data[0, 0] = 42.0
    assert state["weight"].data[0, 0] == 42.0


def test_state_dict_of_a_torch_model_with_a_shared_module_loads():
    """torch's state_dict lists a module shared at two places under both names ('0.*' and '2.*'), and
    SPEC §2 says a PyTorch state_dict should load into the matching deltanet module."""
    t_shared = torch.nn.Linear(2, 2)
    theirs = torch.nn.Sequential(t_shared, torch.nn.Tanh(), t_shared)
    shared = nn.Linear(2, 2)
    ours = nn.Sequential(shared, nn.Tanh(), shared)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(shared.weight.data, t_shared.weight.detach().numpy())
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("source", ["numpy", "deltanet", "torch", "torch-requires-grad", "lists"])
def test_load_state_dict_accepts_numpy_deltanet_and_torch_values(source):
    rng = np.random.default_rng(0)
    values = {"0.weight": rng.standard_normal((3, 2)), "0.bias": rng.standard_normal(3),
              "2.weight": rng.standard_normal((1, 3)), "2.bias": rng.standard_normal(1)}
    convert = {"numpy": lambda a: a.copy(),
               "deltanet": lambda a: dn.tensor(a),
               "torch": lambda a: torch.tensor(a),
               "torch-requires-grad": lambda a: torch.tensor(a, requires_grad=True),
               "lists": lambda a: a.tolist()}[source]
    state = OrderedDict((k, convert(v)) for k, v in values.items())
    model = nn.Sequential(nn.Linear(2, 3, dtype=np.float64), nn.Sigmoid(), nn.Linear(3, 1, dtype=np.float64))
    assert model.load_state_dict(state) == ([], [])
    for name, param in model.named_parameters():
        assert param.dtype == np.float64
        np.testing.assert_array_equal(param.data, values[name])
    # copied, not aliased: changing the source afterwards leaves the model alone
    if source == "numpy":
        state["0.bias"][:] = 99.0
        assert not np.any(model[0].bias.data == 99.0)


def test_load_state_dict_casts_to_the_parameter_dtype():
    model = nn.Linear(2, 1)                                     # float32 parameters
    model.load_state_dict({"weight": np.array([[0.1, 0.2]]), "bias": np.array([0.3])})
    assert model.weight.dtype == np.float32
    np.testing.assert_array_equal(model.weight.data, np.array([[0.1, 0.2]], dtype=np.float32))


def test_load_state_dict_reports_missing_unexpected_and_mis_shaped_keys_in_one_key_error():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    state = {"0.weight": np.zeros((3, 2)), "0.bias": np.zeros(4),     # mis-shaped
             "2.weight": np.zeros((1, 3)),                           # 2.bias missing
             "2.gamma": np.zeros(1), "9.bias": np.zeros(1)}          # unexpected
    with pytest.raises(KeyError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    for fragment in ("2.bias", "2.gamma", "9.bias", "0.bias", "(3,)", "(4,)", "missing", "unexpected"):
        assert fragment in message, fragment
    assert "0.weight" not in message
    assert not np.all(model[0].weight.data == 0)            # nothing was loaded


def test_load_state_dict_strict_false_returns_the_lists_and_loads_the_rest():
    model = nn.Sequential(nn.Linear(2, 3, dtype=np.float64), nn.Tanh(), nn.Linear(3, 1, dtype=np.float64))
    state = {"0.weight": np.full((3, 2), 0.5), "0.bias": np.full(3, -1.0), "extra": np.zeros(2)}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["2.weight", "2.bias"] and unexpected == ["extra"]
    np.testing.assert_array_equal(model[0].weight.data, np.full((3, 2), 0.5))
    np.testing.assert_array_equal(model[0].bias.data, np.full(3, -1.0))
    with pytest.raises(KeyError, match=r"0\.bias"):        # a shape mismatch is an error even when not strict
        model.load_state_dict({"0.bias": np.zeros(5)}, strict=False)


def test_load_state_dict_round_trip_between_two_deltanet_models():
    dn.manual_seed(1)
    a = Net()
    b = Net()
    assert not np.array_equal(a.head.weight.data, b.head.weight.data)
    b.load_state_dict(a.state_dict())
    x = dn.randn(5, 2)
    np.testing.assert_array_equal(a(x).data, b(x).data)


# ---- printing --------------------------------------------------------------------------------------------

def test_repr_of_a_small_sequential_equals_torch():
    ours = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1, bias=False), nn.Tanh(), nn.ReLU(),
                         nn.LeakyReLU(0.2), nn.Identity())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1, bias=False),
                                 torch.nn.Tanh(), torch.nn.ReLU(), torch.nn.LeakyReLU(0.2),
                                 torch.nn.Identity())
    assert repr(ours) == repr(theirs)
    assert repr(ours).splitlines()[1] == "  (0): Linear(in_features=2, out_features=3, bias=True)"


def test_repr_of_nested_modules_indents_like_torch():
    assert repr(Net()).replace("Net(", "TorchNet(", 1) == repr(TorchNet())


def test_repr_of_parametrised_activations_shows_their_arguments():
    assert repr(nn.Step(at_zero=1)) == "Step(at_zero=1.0)"
    assert repr(nn.Softmax(dim=1, temperature=2)) == "Softmax(dim=1, temperature=2.0)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(reduction='mean', ignore_index=-100)"


def test_summary_shows_layers_counts_and_totals():
    assert "total parameters: 9" in nn.Linear(2, 3).summary()
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    text = model.summary()
    assert re.search(r"total parameters: 13\b", text)
    assert re.search(r"trainable: 13\b", text)
    lines = text.splitlines()
    row0 = next(line for line in lines if line.startswith("0 "))
    row2 = next(line for line in lines if line.startswith("2 "))
    assert "Linear" in row0 and "weight (3, 2), bias (3,)" in row0 and row0.rstrip().endswith("9")
    assert "Linear" in row2 and row2.rstrip().endswith("4")
    assert model.num_parameters() == 13


def test_summary_rows_include_the_models_own_parameters_and_add_up_to_the_total():
    """A model with parameters of its own (Net.scale, Net.offset) next to submodules: the table must list
    them, so that the per-row counts add up to the printed total (29 = 3 + 1 + 9 + 12 + 4)."""
    text = Net().summary()
    assert "total parameters: 29" in text
    rows = [line.split() for line in text.splitlines()
            if line and not line.startswith(("-", "layer", "total"))]
    assert sum(int(row[-1].replace(",", "")) for row in rows) == 29
    assert "scale (3,)" in text and "offset (1,)" in text


def test_summary_counts_frozen_parameters_as_not_trainable_and_groups_thousands():
    model = nn.Sequential(nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
    model[0].requires_grad_(False)
    text = model.summary()
    assert "total parameters: 11,110" in text and re.search(r"trainable: 1,010\b", text)


# ---- dtypes ----------------------------------------------------------------------------------------------

def test_double_and_float_convert_every_parameter():
    net = Net()
    assert all(p.dtype == np.float32 for p in net.parameters())
    before = [p.data.copy() for p in net.parameters()]
    assert net.double() is net
    assert all(p.dtype == np.float64 for p in net.parameters())
    for p, old in zip(net.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, old.astype(np.float64))
    out = net(dn.randn(3, 2, dtype=np.float64))
    assert out.dtype == np.float64
    out.sum().backward()
    assert all(p.grad.dtype == np.float64 for p in net.parameters())
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    with pytest.raises(TypeError, match="floating"):
        net.to(np.int64)


def test_linear_uses_the_default_dtype(float64):
    assert nn.Linear(2, 2).weight.dtype == np.float64
    assert nn.Linear(2, 2, dtype=np.float32).weight.dtype == np.float32


# ---- Linear errors and initialisation --------------------------------------------------------------------

def test_linear_wrong_input_width_names_the_layer_and_both_shapes():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError) as info:
        layer(dn.zeros(4, 5))
    message = str(info.value)
    assert "Linear(in_features=3, out_features=2)" in message
    assert "(..., 3)" in message and "(4, 5)" in message
    with pytest.raises(ValueError, match=r"\(\)"):
        layer(dn.tensor(1.0))


def test_linear_dtype_mismatch_is_a_clear_type_error():
    layer = nn.Linear(3, 2)                                     # float32
    with pytest.raises(TypeError) as info:
        layer(dn.zeros(4, 3, dtype=np.float64))
    message = str(info.value)
    assert "float64" in message and "float32" in message and "Linear(in_features=3" in message


def test_linear_rejects_non_tensor_input_and_bad_sizes():
    with pytest.raises(TypeError, match="Tensor"):
        nn.Linear(3, 2)(np.zeros((1, 3), dtype=np.float32))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            nn.Linear(bad, 2)


@pytest.mark.parametrize("n_in, n_out", [(1, 5), (4, 3), (400, 300)])
def test_linear_default_init_is_uniform_within_one_over_sqrt_in(n_in, n_out):
    dn.manual_seed(0)
    layer = nn.Linear(n_in, n_out)
    bound = 1 / math.sqrt(n_in)
    for p in (layer.weight, layer.bias):
        assert np.all(np.abs(p.data) <= bound)
    if n_in * n_out > 10_000:                   # enough samples: the spread fills U(−bound, bound)
        w = layer.weight.data
        assert np.abs(w).max() > 0.99 * bound
        assert abs(w.mean()) < 0.01 * bound
        assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_linear_init_is_reproducible_under_manual_seed():
    dn.manual_seed(123)
    a = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
    dn.manual_seed(123)
    b = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
    dn.manual_seed(124)
    c = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)
        assert not np.array_equal(pa.data, pc.data)


def test_parameter_requires_floating_data_and_copies_tensors():
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter(np.arange(3))
    source = dn.tensor([1.0, 2.0])
    p = nn.Parameter(source)
    p.data[0] = 5.0
    assert source.data[0] == 1.0 and p.requires_grad
