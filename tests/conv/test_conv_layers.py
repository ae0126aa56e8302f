"""The layers: PyTorch layouts, initialisation and state_dicts; clear errors; Dropout; Unflatten; summary
with output shapes; and dn.io round trips of a CNN."""

import json

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet.models import cnn

nn = dn.nn
F = dn.nn.functional


# ---- PyTorch layout, initialisation and state_dict -------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda m: m.Conv2d(3, 5, (3, 2), stride=(2, 1), padding=1),
    lambda m: m.Conv2d(2, 4, 3, padding="same", dilation=2, bias=False),
    lambda m: m.Conv1d(3, 2, 4, stride=3, padding=2),
])
def test_conv_layers_have_torch_parameter_shapes_and_repr_and_load_a_torch_state_dict(make):
    ours, theirs = make(nn), make(torch.nn).double()
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    ours.double().load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((2, ours.in_channels) + (9, 8)[:ours.dims])
    np.testing.assert_allclose(ours(dn.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_conv_init_is_torchs_uniform_within_one_over_root_fan_in():
    dn.manual_seed(0)
    layer = nn.Conv2d(20, 40, 5)
    bound = 1 / np.sqrt(20 * 5 * 5)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.9 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.02 * bound   # U(−a, a) has std a/√3
    assert layer.weight.data.flags.c_contiguous and layer.weight.dtype == np.float32


def test_layers_run_on_unbatched_inputs_as_torch():
    conv, pool = nn.Conv2d(2, 3, 3), nn.MaxPool2d(2)
    out = pool(conv(dn.randn(2, 8, 8)))
    assert out.shape == (3, 3, 3)
    assert nn.Conv1d(2, 3, 3)(dn.randn(2, 8)).shape == (3, 6)


def test_a_cnn_trains_on_a_batch_like_torch():
    """One SGD step of the whole LeNet-like model from the same weights: same loss and parameters."""
    dn.set_default_dtype(np.float64)
    model = cnn(dropout=0)
    ref = torch.nn.Sequential(torch.nn.Unflatten(1, (1, 28, 28)), torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(),
                              torch.nn.MaxPool2d(2), torch.nn.Conv2d(20, 40, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(640, 100), torch.nn.ReLU(),
                              torch.nn.Linear(100, 10)).double()
    model.load_state_dict(ref.state_dict())
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 784)), rng.integers(0, 10, 16)
    opt, opt_t = dn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), torch.optim.SGD(ref.parameters(), lr=0.1,
                                                                                             momentum=0.9)
    for _ in range(2):
        loss = nn.CrossEntropyLoss()(model(dn.tensor(x)), dn.tensor(y))
        loss_t = torch.nn.CrossEntropyLoss()(ref(torch.tensor(x)), torch.tensor(y))
        opt.zero_grad(), opt_t.zero_grad()
        loss.backward(), loss_t.backward()
        opt.step(), opt_t.step()
        np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-10)
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


# ---- clear errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, shape, words", [
    (lambda: nn.Conv2d(1, 20, 5), (28, 28), ["Conv2d(1, 20, kernel_size=(5, 5)", "(N, 1, H, W)", "(28, 28)", "2-D"]),
    (lambda: nn.Conv2d(1, 20, 5), (4, 3, 28, 28), ["Conv2d(1, 20", "expected 1 input channel", "(4, 3, 28, 28)"]),
    (lambda: nn.Conv1d(3, 2, 3), (2, 4, 10), ["Conv1d(3, 2", "expected 3 input channel", "(2, 4, 10)"]),
    (lambda: nn.Conv2d(1, 2, 5, padding=1), (1, 1, 2, 9), ["Conv2d(1, 2", "kernel size (5, 5)", "padded input (4, 11)"]),
    (lambda: nn.Conv1d(1, 2, 3, dilation=3), (1, 1, 6), ["dilated: (7,)", "padded input (6,)"]),
    (lambda: nn.MaxPool2d(3), (2, 5, 2, 9), ["MaxPool2d(kernel_size=(3, 3)", "kernel size (3, 3)", "padded input (2, 9)"]),
    (lambda: nn.MaxPool1d(2), (2, 5, 2, 9), ["MaxPool1d", "(N, C, L)", "(2, 5, 2, 9)"]),
    (lambda: nn.AvgPool2d(2), (5,), ["AvgPool2d", "(N, C, H, W)", "(5,)"]),
])
def test_wrong_inputs_name_the_layer_and_the_expected_and_given_shapes(layer, shape, words):
    with pytest.raises(ValueError) as error:
        layer()(dn.randn(*shape))
    for word in words:
        assert word in str(error.value), (word, str(error.value))


@pytest.mark.parametrize("make, words", [
    (lambda: nn.Conv2d(1, 2, 3, stride=0), ["Conv2d", "stride must be positive", "0"]),
    (lambda: nn.Conv1d(1, 2, 3, stride=-1), ["Conv1d", "stride must be positive"]),
    (lambda: nn.MaxPool2d(2, stride=(1, 0)), ["MaxPool2d", "stride must be positive", "(1, 0)"]),
    (lambda: nn.Conv2d(1, 2, 0), ["Conv2d", "kernel_size must be positive"]),
    (lambda: nn.Conv2d(0, 2, 3), ["Conv2d", "in_channels must be a positive integer"]),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), ["Conv2d", "padding must be non-negative"]),
    (lambda: nn.Conv2d(1, 2, 3, stride=2, padding="same"), ["padding='same' needs stride 1"]),
    (lambda: nn.Conv2d(1, 2, 3, padding="full"), ["padding must be 'valid', 'same'"]),
    (lambda: nn.MaxPool2d(2, padding=2), ["MaxPool2d", "at most half the kernel size"]),
    (lambda: nn.Conv2d(1, 2, 3, groups=2), ["groups=1"]),
    (lambda: nn.Dropout(1.5), ["Dropout", "[0, 1]", "1.5"]),
    (lambda: nn.Unflatten(1, (0, 3)), ["Unflatten", "positive ints"]),
])
def test_bad_arguments_are_rejected_with_a_clear_message(make, words):
    with pytest.raises((ValueError, TypeError)) as error:
        make()
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_functional_forms_check_too():
    x, w = dn.randn(1, 2, 5, 5), dn.randn(3, 2, 3, 3)
    with pytest.raises(ValueError, match="conv2d: stride must be positive"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match=r"conv2d: expected input of shape \(N, 2, H, W\) with 2 channel"):
        F.conv2d(dn.randn(1, 3, 5, 5), w)
    with pytest.raises(TypeError, match="same dtype"):
        F.conv2d(x.double(), w)
    with pytest.raises(ValueError, match="max_pool2d: kernel size"):
        F.max_pool2d(x, 6)
    with pytest.raises(ValueError, match=r"cannot split dim 1 of an input of shape \(2, 100\) into \(1, 28, 28\)"):
        nn.Unflatten(1, (1, 28, 28))(dn.randn(2, 100))


# ---- Dropout ---------------------------------------------------------------------------------------------

def test_dropout_zeroes_a_fraction_p_and_scales_the_rest_in_training_only():
    dn.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = dn.ones(200, 500, requires_grad=True)
    y = layer(x)
    kept = y.data != 0
    assert abs(1 - kept.mean() - 0.25) < 0.01
    np.testing.assert_array_equal(y.data[kept], np.float32(1 / 0.75))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)         # ∂/∂x of Σ x·mask = mask
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.0) is x and not F.dropout(x, 1.0).data.any()


def test_dropout_draws_from_the_library_generator_so_runs_repeat():
    x = dn.ones(4, 10)
    dn.manual_seed(3)
    a = F.dropout(x, 0.5).data
    dn.manual_seed(3)
    b = F.dropout(x, 0.5).data
    c = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_in_forward_mode_uses_the_same_mask():
    dn.manual_seed(1)
    x = dn.randn(3, 7).double()
    state = dn.get_rng_state()
    y = F.dropout(x, 0.4)
    dn.set_rng_state(state)
    _, tangent = dn.autograd.jvp(lambda x: F.dropout(x, 0.4), (x,), (np.ones((3, 7)),))
    np.testing.assert_allclose(tangent.data, (y.data != 0) / 0.6)


# ---- summary, io --------------------------------------------------------------------------------------------

def test_summary_shows_output_shapes_and_parameter_counts_and_leaves_the_model_as_it_was():
    model = cnn()
    text = model.summary(input_shape=(784,))
    for row in ["(-1, 20, 24, 24)  weight (20, 1, 5, 5), bias (20,)   520", "(-1, 40, 4, 4)",
                "(-1, 640)", "weight (40, 20, 5, 5), bias (40,)  20,040", "total parameters: 85,670"]:
        assert row in text, row
    assert model.training and "forward" not in model[1].__dict__
    assert "output shape" not in model.summary()


def test_io_round_trip_of_a_cnn(tmp_path):
    dn.manual_seed(0)
    model = nn.Sequential(nn.Unflatten(1, (2, 9, 10)), nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)),
                          nn.ReLU(), nn.MaxPool2d(2, padding=1), nn.AvgPool2d(2, stride=1, count_include_pad=False),
                          nn.Flatten(), nn.Dropout(0.3), nn.Linear(3 * 2 * 4, 4))
    seq = nn.Sequential(nn.Unflatten(1, (1, 12)), nn.Conv1d(1, 2, 3, padding="same"), nn.MaxPool1d(2),
                        nn.AvgPool1d(3, stride=2, padding=1), nn.Flatten())
    for m, n_in in ((model, 180), (seq, 12)):
        path = dn.io.save(m, tmp_path / "m.npz")
        loaded = dn.io.load(path)
        assert repr(loaded) == repr(m)
        tree = json.loads(json.dumps(dn.io.architecture(m)))          # tuples come back from JSON as lists
        assert dn.io.architecture(loaded) == tree
        x = dn.randn(5, n_in)
        m.eval(), loaded.eval()
        # (equal to rounding only: dn.io.load gives Linear a C-ordered weight, a different GEMM layout)
        np.testing.assert_allclose(loaded(x).data, m(x).data, rtol=1e-5, atol=1e-7)
        for (name, p), q in zip(m.named_parameters(), loaded.parameters()):
            np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def test_io_round_trip_of_the_default_cnn_and_its_architecture_file(tmp_path):
    dn.manual_seed(0)
    model = cnn()
    dn.io.save_architecture(model, tmp_path / "model.json")
    rebuilt = dn.io.load_architecture(tmp_path / "model.json")
    assert repr(rebuilt) == repr(model) and rebuilt.num_parameters() == 85_670
    dn.io.save(model, tmp_path / "model.npz")
    x = dn.rand(3, 784)
    np.testing.assert_allclose(dn.io.load(tmp_path / "model.npz").eval()(x).data, model.eval()(x).data, rtol=1e-5,
                               atol=1e-7)
