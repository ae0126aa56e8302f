"""`deltanet trace`: the chain network with its chain-rule factors, the XOR network, a saved model on one
example, every format, and one-line errors (ValueError, printed by the main CLI)."""

import argparse
import json

import numpy as np
import pytest

import deltanet as dn
from deltanet import nn
from deltanet.inspect import trace
from deltanet.inspect.cli import add_parser


def run(capsys, *argv) -> str:
    """stdout of `deltanet trace ARGV` (the handler's exit status must be 0)."""
    parser = argparse.ArgumentParser(prog="deltanet")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["trace", *map(str, argv)])
    capsys.readouterr()
    assert args.handler(args) == 0
    return capsys.readouterr().out


def test_chain_shows_the_factors_of_do_db1(capsys):
    out = run(capsys, "chain")
    assert out.startswith("Sheet 000, Q2 (1): x = 3 → three sigmoid neurons")
    assert "w = (100, 150, 200, 200), b = (-300, -75, -100, 10)" in out
    assert "C = a⁴ (the network's output) = 110" in out
    assert "chain rule: ∂o/∂b¹ = σ′(z¹) · w² · σ′(z²) · w³ · σ′(z³) · w⁴" in out
    assert "= 0.25 · 150 · 0.25 · 200 · 0.25 · 200\n" in out
    assert "                   = 93750\n" in out
    assert "engine (reverse mode): δ¹ = ∂C/∂b¹ = 93750" in out
    assert "  ∂C/∂b¹       (1,)    [93750]" in out
    assert "the sheet's answer: ∂o/∂b¹ = 93750, o = 110" in out


def test_chain_part_2_vanishes_and_flags_the_sheets_erratum(capsys):
    out = run(capsys, "chain", "--part", "2", "--digits", "4")
    assert "= 0.1398 · 0.5 · 0.07524 · 0.3 · 0.0845 · 0.6\n" in out
    assert "engine (reverse mode): δ¹ = ∂C/∂b¹ = 7.997e-05" in out
    assert "∂o/∂b¹ ≈ 0.000100, o ≈ 1.828 — an erratum" in out


def test_chain_json_and_markdown(capsys):
    document = json.loads(run(capsys, "chain", "--format", "json"))
    assert document["layers"][0]["grad_bias"] == [93750.0] and document["cost"] == 110.0
    assert [f["value"] for f in document["chain_rule"]["factors"]] == [0.25, 150.0, 0.25, 200.0, 0.25, 200.0]
    assert document["chain_rule"]["product"] == 93750.0
    out = run(capsys, "chain", "--format", "markdown")
    assert "| 1 | Linear → Sigmoid | [0] (1,) | [0.5] (1,) | [93750] (1,) | [[281250]] (1, 1) | [93750] (1,) |" in out
    assert "| product | 93750 |" in out and "| w³ | 200 |" in out


def test_xor_traces_the_sheets_network(capsys):
    out = run(capsys, "xor", "--input", "0", "1")
    assert "dn.construct.xor(kind='relu')) on x = (0, 1), y = x₁ XOR x₂ = 1" in out
    assert "layer 1: Linear → ReLU" in out and "a² = step(z²)" in out
    assert "every δ is 0" in out and "C = QuadraticLoss(a², y) = 0\n" in out
    document = json.loads(run(capsys, "xor", "--kind", "sigmoid", "--input", "1", "1", "--format", "json"))
    assert document["input"] == [1.0, 1.0] and document["target"] == [0.0]
    assert document["output"][0] < 1e-20 and 0 < document["layers"][1]["delta"][0] < 1e-40   # saturated σ


@pytest.fixture
def saved(tmp_path, float64):
    """A 2-3-2 tanh network saved as `deltanet train xor` would, with its settings in the metadata."""
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
    path = tmp_path / "model.npz"
    dn.io.save(model, path, metadata={"settings": {"dataset": "xor", "loss": "ce", "encoding": "onehot"}})
    return model, path


def test_a_saved_model_on_one_example(capsys, saved):
    model, path = saved
    document = json.loads(run(capsys, "--model", path.parent, "--example", "2", "--format", "json"))
    expected = trace(model, [1.0, 0.0], 1, nn.CrossEntropyLoss())          # example 2 of xor: 10 → 1
    assert document["cost"] == expected.cost and document["input"] == [1.0, 0.0] and document["target"] == 1
    for row, layer in zip(document["layers"], expected.layers):
        np.testing.assert_array_equal(row["delta"], layer.delta)
        np.testing.assert_array_equal(row["grad_weight"], layer.grad_weight)
    out = run(capsys, "--model", path, "--example", "3", "--loss", "quadratic", "--digits", "3")
    predicted = int(np.argmax(model(dn.tensor([[1.0, 1.0]])).data))
    assert out.startswith(f"{path}: example 3 of xor test, label 0, predicted {predicted}\n")
    assert "C = QuadraticLoss(a², y) = " in out


def test_a_saved_model_without_settings_needs_a_dataset(capsys, tmp_path, float64):
    path = tmp_path / "bare.npz"
    dn.io.save(nn.Sequential(nn.Linear(2, 2)), path)
    with pytest.raises(ValueError, match="does not say which data set it was trained on; pass --dataset"):
        run(capsys, "--model", path)
    assert "example 0 of xor test" in run(capsys, "--model", path, "--dataset", "xor")


@pytest.mark.parametrize("argv, message", [
    ((), "name a network .* or give --model PATH"),
    (("chain", "--model", "m.npz"), "name a network .* or give --model PATH"),
    (("chain", "--example", "3"), "--example applies to --model only"),
    (("xor", "--part", "2"), "--part applies to chain only"),
    (("--model", "m.npz", "--input", "0", "0"), "--input applies to xor only"),
    (("--model", "missing.npz"), "no model file at missing.npz"),
])
def test_bad_requests_are_one_clear_error(capsys, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        run(capsys, *argv)


def test_example_out_of_range(capsys, saved):
    with pytest.raises(ValueError, match=r"--example 4 is out of range: xor test has 4 examples \(0 … 3\)"):
        run(capsys, "--model", saved[1], "--example", "4")


@pytest.mark.parametrize("argv", [("chain", "--format", "html"), ("chain", "--digits", "0"),
                                  ("xor", "--input", "2", "0"), ("--model", "m.npz", "--example", "-1")])
def test_argparse_refuses_bad_values(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, *argv)
    assert exit_.value.code == 2
