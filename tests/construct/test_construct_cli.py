"""`deltanet construct xor|boolean|approx|tower`: each prints its verification summary (and a figure with
--plot) and exits 0 when the construction holds, 1 when it fails."""

import argparse
import re
import subprocess
import sys

import pytest

from deltanet.construct.cli import add_parser


def run(argv, capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="deltanet")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status = args.handler(args)
    return status, capsys.readouterr().out


def test_xor_prints_the_weights_and_the_verdict_of_each_kind(capsys):
    status, out = run(["construct", "xor"], capsys)
    assert status == 0
    assert "hidden  W = [[1, 1], [1, 1]]  b = [0, -1]" in out                  # sheet 000's net, corrected
    assert "output  W = [[1, -2]]  b = [0]" in out
    assert out.count("exact on all 4 inputs") == 2 and "within 1e-12 on all 4 inputs" in out
    assert "x = (1, 1)  →  0\n" in out


def test_boolean_prints_the_dnf_the_unit_count_and_exactness(capsys):
    status, out = run(["construct", "boolean", "--table", "0110"], capsys)
    assert status == 0
    assert out.splitlines()[0] == "h = (x1 ∧ ¬x2) ∨ (¬x1 ∧ x2)"
    assert "2 terms" in out and "2 inputs → 2 hidden ReLU units" in out
    assert out.rstrip().endswith("exact on all 4 inputs")


def test_boolean_parity_with_step_units_and_without_minimising(capsys):
    parity4 = "0110100110010110"
    status, out = run(["construct", "boolean", "--table", parity4, "--activation", "step"], capsys)
    assert status == 0 and "4 inputs → 8 hidden step units" in out and "exact on all 16 inputs" in out
    status, out = run(["construct", "boolean", "--table", "0111", "--no-minimise"], capsys)
    assert status == 0 and "canonical DNF" in out and "3 hidden ReLU units" in out
    status, out = run(["construct", "boolean", "--table", "0111"], capsys)
    assert out.splitlines()[0] == "h = x1 ∨ x2" and "2 hidden ReLU units" in out


def test_boolean_refuses_a_bad_table(capsys):
    with pytest.raises(ValueError, match="length must be 2\\^p"):
        run(["construct", "boolean", "--table", "011"], capsys)


def test_approx_prints_max_errors_that_shrink(capsys):
    status, out = run(["construct", "approx", "--pieces", "10", "50"], capsys)
    assert status == 0
    assert "transition zones included" in out
    rows = {int(m[1]): float(m[2]) for m in re.finditer(r"^\s+(\d+)\s+\d+\s+\S+\s+([\d.]+)\s+[\d.]+$", out, re.M)}
    assert set(rows) == {10, 50} and rows[50] < rows[10] / 3
    assert "the error shrinks as the pieces grow" in out


def test_approx_2d_relu(capsys):
    status, out = run(["construct", "approx", "--dim", "2", "--kind", "relu", "--pieces", "3", "6"], capsys)
    assert status == 0 and "pieces per axis" in out and "40,401 points" in out


def test_approx_and_tower_plots(tmp_path, capsys):
    path = tmp_path / "approx.png"
    status, out = run(["construct", "approx", "--pieces", "4", "8", "--plot", str(path)], capsys)
    assert status == 0 and path.stat().st_size > 10_000 and f"figure: {path}" in out
    path = tmp_path / "tower.png"
    status, out = run(["construct", "tower", "--plot", str(path)], capsys)
    assert status == 0 and path.stat().st_size > 10_000


def test_tower_checks_its_probe_points(capsys):
    status, out = run(["construct", "tower"], capsys)
    assert status == 0 and "(1, 2) × (-2, 0)" in out and "within 1e-06 on all 13 probe points" in out
    status, out = run(["construct", "tower", "--rect", "0", "1", "0", "1", "0", "1", "--kind", "relu"], capsys)
    assert status == 0 and "12 relu step units, 2 threshold units" in out
    status, out = run(["construct", "tower", "--rect", "0", "1", "0", "1", "--w", "5"], capsys)
    assert status == 1 and "FAILS on" in out and "x = (0.5, 0.5)" in out


def test_tower_refuses_an_odd_rect_and_plots_of_3_dimensions(tmp_path, capsys):
    with pytest.raises(ValueError, match="pairs LO HI"):
        run(["construct", "tower", "--rect", "0", "1", "2"], capsys)
    with pytest.raises(ValueError, match="1 or 2 dimensions"):
        run(["construct", "tower", "--rect", "0", "1", "0", "1", "0", "1", "--plot", str(tmp_path / "t.png")], capsys)


def test_bad_options_are_argparse_errors(capsys):
    for argv in (["construct", "approx", "--pieces", "1"], ["construct", "xor", "--kind", "tanh"],
                 ["construct", "boolean"]):
        with pytest.raises(SystemExit) as exit_info:
            run(argv, capsys)
        assert exit_info.value.code == 2


def test_the_deltanet_command_when_construct_is_registered(capsys):
    from deltanet import cli

    try:
        cli.build_parser().parse_args(["construct", "xor"])
    except SystemExit:
        pytest.skip("deltanet.cli does not register `construct` yet")
    assert cli.main(["construct", "boolean", "--table", "0110"]) == 0
    assert "exact on all 4 inputs" in capsys.readouterr().out


def test_importing_construct_loads_no_matplotlib():
    code = "import deltanet.construct, sys; print('matplotlib' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
