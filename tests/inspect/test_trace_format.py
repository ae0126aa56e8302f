"""`Trace.format`: the text table in the sheets' symbols, the markdown table and JSON that round-trips."""

import json
import re

import numpy as np
import pytest

from deltanet import nn
from deltanet.inspect import trace
from deltanet.inspect.formatting import values


@pytest.fixture
def traced(float64):
    """3 → 12 (sigmoid) → 2 (sigmoid), quadratic cost: layer 1 has arrays of 12 and 36 values (summarised)."""
    model = nn.Sequential(nn.Linear(3, 12), nn.Sigmoid(), nn.Linear(12, 2), nn.Sigmoid())
    return trace(model, [0.5, -1.0, 2.0], [1.0, 0.0], nn.QuadraticLoss())


def test_text_uses_the_sheets_symbols_and_aligns_the_columns(traced):
    text = traced.format("text")
    lines = text.splitlines()
    assert lines[0] == f"C = QuadraticLoss(a², y) = {traced.cost:.6g}"
    for symbol in ("a⁰ = x", "layer 1: Linear → Sigmoid", "z¹", "a¹ = σ(z¹)", "δ¹ = ∂C/∂z¹", "∂C/∂W¹", "∂C/∂b¹",
                   "layer 2: Linear → Sigmoid", "a² = σ(z²)", "δ² = ∂C/∂z²", "∂C/∂W²", "∂C/∂b²"):
        assert symbol in text, symbol
    rows = [line for line in lines if line.startswith("  ")]
    assert len(rows) == 2 + 2 * 5
    assert len({re.search(r"\(\d", line).start() for line in rows}) == 1    # the shape column is aligned
    delta2 = next(line for line in rows if "δ²" in line)
    assert delta2.endswith(f"[{traced.layers[1].delta[0]:.6g}, {traced.layers[1].delta[1]:.6g}]")
    z1 = next(line for line in rows if line.lstrip().startswith("z¹"))
    assert "(12,)" in z1 and f"‖·‖ = {np.linalg.norm(traced.layers[0].z):.6g}" in z1 and z1.endswith(", …]")
    assert str(traced) == text


def test_full_prints_every_value_and_digits_sets_the_precision(traced):
    text = traced.format("text", full=True, digits=3)
    z1 = next(line for line in text.splitlines() if line.lstrip().startswith("z¹"))
    assert "‖·‖" not in text
    assert z1.split("(12,)")[1].strip() == "[" + ", ".join(f"{v:.3g}" for v in traced.layers[0].z) + "]"
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "∂C/∂W¹" in line)
    rows = lines[first:first + 12]                               # one row of W per line, under each other
    assert [line.rstrip(",]").rsplit("[", 1)[1] for line in rows] == \
        [", ".join(f"{v:.3g}" for v in row) for row in traced.layers[0].grad_weight]
    assert len({line.rindex("[") for line in rows}) == 1


def test_values_formats_numbers_without_minus_zero():
    assert values(np.array([-0.0, 1.0, 0.25, 93750.0, 1e-20])) == "[0, 1, 0.25, 93750, 1e-20]"
    assert values(np.arange(12.0), digits=2)       # √(0² + … + 11²) = √506 == "‖·‖ = 22, min 0, max 11, first 5: [0, 1, 2, 3, 4, …]"
    assert values(np.array(3)) == "3"


def test_markdown_is_one_table_row_per_layer(traced):
    lines = traced.format("markdown").splitlines()
    assert lines[0].startswith(f"C = QuadraticLoss(a², y) = {traced.cost:.6g}; a⁰ = x = [0.5, -1, 2] (3,)")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| l | layer | zˡ | aˡ | δˡ = ∂C/∂zˡ | ∂C/∂Wˡ | ∂C/∂bˡ |"
    assert len(table) == 2 + len(traced.layers)
    assert all(line.count(" | ") == 6 for line in table[2:])
    assert table[3].startswith("| 2 | Linear → Sigmoid | ")
    assert f"{traced.layers[1].delta[0]:.6g}" in table[3]


def test_json_round_trips_every_number(traced):
    document = json.loads(traced.format("json"))
    assert document["loss"] == "QuadraticLoss" and document["cost"] == traced.cost
    assert document["input"] == [0.5, -1.0, 2.0] and document["target"] == [1.0, 0.0]
    assert len(document["layers"]) == 2
    for row, layer in zip(document["layers"], traced.layers):
        assert row["l"] == layer.l and row["name"] == layer.name and row["activation"] == "Sigmoid"
        for key in ("z", "a", "delta", "grad_weight", "grad_bias"):
            np.testing.assert_array_equal(np.array(row[key]), getattr(layer, key))   # exact: repr round-trips


def test_json_of_a_layer_without_parameters_and_of_extra_parameters(float64):
    model = nn.Sequential(nn.RNN(2, 3, batch_first=True), nn.LastStep(), nn.Linear(3, 1))
    t = trace(model, np.ones((1, 4, 2)))
    document = json.loads(t.format("json"))
    assert document["target"] is None and document["loss"] == "output"
    assert document["layers"][1]["grad_weight"] is None
    assert sorted(document["layers"][0]["extra_grads"]) == ["bias_hh_l0", "bias_ih_l0", "weight_hh_l0",
                                                            "weight_ih_l0"]
    text = t.format("text")
    assert "∂C/∂weight_hh_l0" in text and text.startswith("C = a³ (the network's output) = ")
    assert "other ∂C/∂θ" in t.format("markdown")


def test_unknown_format_is_refused(traced):
    with pytest.raises(ValueError, match="fmt must be one of text, markdown, json, got 'html'"):
        traced.format("html")


def test_the_package_docstring_example_runs():
    import doctest

    import deltanet.inspect

    result = doctest.testmod(deltanet.inspect)
    assert result.attempted >= 5 and result.failed == 0
