"""How `trace` groups a Sequential's modules into the sheets' layers, and its one-line errors."""

import numpy as np
import pytest

from deltanet import nn
from deltanet.inspect import trace
from deltanet.inspect.trace import layers_of
from deltanet.models import cnn


def names(model):
    return [layer.name for layer in layers_of(model)]


def test_the_library_cnn_groups_into_six_layers():
    """Unflatten/Flatten/Dropout fold into the next layer; pooling layers stand alone."""
    assert names(cnn()) == ["Unflatten → Conv2d → ReLU", "MaxPool2d", "Conv2d → ReLU", "MaxPool2d",
                            "Flatten → Linear → ReLU", "Dropout → Linear"]


def test_nested_sequentials_are_expanded():
    flat = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.Tanh()), nn.Linear(3, 1))
    assert names(nested) == names(flat) == ["Linear → Tanh", "Linear"]


def test_trailing_reshape_is_a_layer_of_its_own(float64):
    model = nn.Sequential(nn.Linear(2, 4), nn.Unflatten(1, (2, 2)), nn.Flatten())
    assert names(model) == ["Linear", "Unflatten → Flatten"]


def test_bare_activation_layers_and_output_cost(float64):
    """Sigmoid first: z¹ = x, a¹ = σ(x); Softmax after ReLU: z³ = a²; with no loss C = the single output."""
    model = nn.Sequential(nn.Sigmoid(), nn.Linear(2, 3), nn.ReLU(), nn.Softmax(dim=-1), nn.Linear(3, 1))
    x = np.array([0.5, -1.0])
    t = trace(model, x)
    assert [layer.name for layer in t.layers] == ["Sigmoid", "Linear → ReLU", "Softmax", "Linear"]
    np.testing.assert_array_equal(t.layers[0].z, x)
    np.testing.assert_allclose(t.layers[0].a, 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_array_equal(t.layers[2].z, t.layers[1].a)
    assert t.layers[0].grad_weight is None and t.layers[2].grad_bias is None
    assert t.cost == t.output.item() and t.target is None
    np.testing.assert_array_equal(t.layers[-1].delta, [1.0])          # ∂C/∂zᴸ = 1 when C = zᴸ


def test_a_model_that_is_not_a_sequential_is_refused():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, x):
            return self.fc(x)

    with pytest.raises(TypeError, match=r"expected an nn\.Sequential .* got Net"):
        trace(Net(), [1.0, 2.0])
    with pytest.raises(ValueError, match="no layers"):
        trace(nn.Sequential(), [1.0])


@pytest.mark.parametrize("x, message", [
    (np.zeros((2, 3)), r"one example .* got shape \(2, 3\)"),
    (3.0, r"one example .* got shape \(\)"),
    (np.array(["a", "b", "c"]), "must hold numbers"),
])
def test_x_must_be_one_example(x, message, float64):
    model = nn.Sequential(nn.Linear(3, 1))
    with pytest.raises((ValueError, TypeError), match=message):
        trace(model, x)


def test_an_image_without_its_batch_axis_is_refused(float64):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(32, 2))
    with pytest.raises(ValueError, match=r"batch axis .* \(1, C, H, W\)"):
        trace(model, np.zeros((1, 6, 6)), 0, nn.CrossEntropyLoss())


def test_target_and_loss_errors(float64):
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    x = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"y must be a class index or a target with the output's 2 value\(s\), "
                                         r"got shape \(3,\)"):
        trace(model, x, [1.0, 0.0, 0.0], nn.QuadraticLoss())
    with pytest.raises(ValueError, match="pass y and loss together"):
        trace(model, x, [1.0, 0.0])
    with pytest.raises(ValueError, match=r"the cost must be one number, got shape \(1, 2\) \(the network's output"):
        trace(model, x)
    with pytest.raises(ValueError, match="reduction='mean'"):
        trace(model, x, [1.0, 0.0], nn.MSELoss(reduction="none"))


def test_a_batch_of_one_gives_the_same_trace_as_a_vector(float64):
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2))
    x = np.array([0.1, -0.2, 0.3])
    one, batch = trace(model, x, 1, nn.CrossEntropyLoss()), trace(model, x[None], [1], nn.CrossEntropyLoss())
    assert one.cost == batch.cost
    for a, b in zip(one.layers, batch.layers):
        np.testing.assert_array_equal(a.delta, b.delta)
        np.testing.assert_array_equal(a.grad_weight, b.grad_weight)
