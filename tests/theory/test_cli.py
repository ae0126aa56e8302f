"""`deltanet theory [NAME]`: lists the demos, prints a report, accepts Python-style names, refuses unknown
names and a --seed for a demo without randomness."""

from __future__ import annotations

import argparse

import pytest

from deltanet.theory import DEMOS, SUMMARIES
from deltanet.theory.cli import add_parser


def run(capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="deltanet")
    add_parser(parser.add_subparsers(dest="command", required=True))
    capsys.readouterr()
    try:
        args = parser.parse_args(["theory", *argv])
        status = args.handler(args)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_registry():
    assert list(DEMOS) == list(SUMMARIES) == [
        "perceptron-scaling", "sigmoid-to-perceptron", "softmax-temperature", "binary-entropy",
        "cross-entropy-minimum", "xor-separability", "relu-eventually-linear", "chain-products"]


def test_no_name_lists_the_demos(capsys):
    status, out, _ = run(capsys)
    assert status == 0
    for name in DEMOS:
        assert name in out


def test_a_demo_prints_its_report(capsys):
    status, out, _ = run(capsys, "xor-separability")
    assert status == 0 and "14 of 16 are linearly separable" in out


def test_python_names_are_accepted(capsys):
    status, out, _ = run(capsys, "chain_products")
    assert status == 0 and "93750" in out


def test_seed_reaches_the_demo(capsys):
    _, first, _ = run(capsys, "sigmoid-to-perceptron", "--seed", "1")
    _, again, _ = run(capsys, "sigmoid-to-perceptron", "--seed", "1")
    _, default, _ = run(capsys, "sigmoid-to-perceptron")
    assert first == again != default


def test_unknown_name_is_a_usage_error(capsys):
    status, _, err = run(capsys, "xor")
    assert status == 2 and "invalid choice: 'xor'" in err and "xor-separability" in err


def test_bad_seed_is_a_usage_error(capsys):
    status, _, err = run(capsys, "perceptron-scaling", "--seed", "-1")
    assert status == 2 and "≥ 0" in err


def test_seed_for_a_deterministic_demo_is_refused(capsys):
    with pytest.raises(ValueError, match="--seed applies only to"):
        run(capsys, "softmax-temperature", "--seed", "3")


def test_registered_on_the_main_cli(capsys):
    from deltanet.cli import build_parser
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    if "theory" not in commands.choices:
        pytest.skip("deltanet.cli does not call deltanet.theory.cli.add_parser yet")
    from deltanet.cli import main
    assert main(["theory", "binary-entropy"]) == 0
    assert "ln 2" in capsys.readouterr().out
