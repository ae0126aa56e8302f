"""`deltanet plot NAME`: every named figure is computed by the library and written as a real PNG; the
numbers drawn are the library's (derivatives at 0, cross-entropy minima, trained accuracies, constructions);
bad names and options end in a clear error that lists the figures."""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

import numpy as np
import pytest

import deltanet as dn
from deltanet import figures

POINTS = 21            # samples per axis in the tests: coarse, fast
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(argv: list[str]) -> tuple[int, str]:
    """`deltanet ARGV` on a parser holding only the plot command: (exit status, stdout)."""
    parser = argparse.ArgumentParser(prog="deltanet")
    figures.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = args.handler(args)
    return status, stdout.getvalue()


@pytest.fixture(scope="module")
def plot_all(tmp_path_factory):
    out = tmp_path_factory.mktemp("plots")
    status, stdout = run(["plot", "all", "--out", str(out), "--points", str(POINTS)])
    return status, stdout, out


@pytest.fixture(scope="module")
def drawn():
    """figures.draw(name, POINTS), each drawn once for the module."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = figures.draw(name, points=POINTS)
        return cache[name]
    return get


def _legend(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _curve(ax, label: str) -> np.ndarray:
    (line,) = [line for line in ax.lines if line.get_label() == label]
    return line.get_xydata()


@pytest.mark.parametrize("name", list(figures.FIGURES))
def test_plot_all_writes_every_figure_as_a_png_and_prints_its_path(plot_all, name):
    status, stdout, out = plot_all
    path = out / f"{name}.png"
    assert status == 0
    assert str(path) in stdout.splitlines()
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000
    assert not list(out.glob(".*"))                          # no temporary files left behind


def test_plot_name_writes_to_the_default_path_or_to_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, stdout = run(["plot", "entropy", "--points", str(POINTS)])
    default = tmp_path / "runs" / "plots" / "entropy.png"
    assert status == 0 and stdout.strip() == "runs/plots/entropy.png"
    assert default.read_bytes().startswith(PNG_MAGIC)
    status, stdout = run(["plot", "entropy", "--out", "elsewhere/h.png", "--points", str(POINTS)])
    assert status == 0 and stdout.strip() == "elsewhere/h.png"
    assert (tmp_path / "elsewhere" / "h.png").stat().st_size > 20_000


def test_plot_list_names_and_describes_every_figure():
    status, stdout = run(["plot", "--list"])
    lines = stdout.splitlines()
    assert status == 0
    assert [line.split()[0] for line in lines] == list(figures.FIGURES)
    assert all(len(line.split()) > 3 for line in lines)


def test_an_unknown_name_is_refused_with_the_list_of_names(capsys):
    with pytest.raises(SystemExit) as exit:
        run(["plot", "towers"])
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'towers'" in error
    assert all(name in error for name in (*figures.FIGURES, "all"))
    with pytest.raises(ValueError, match="unknown figure 'towers'; choose one of: step-neuron, bump, .*softmax"):
        figures.draw("towers")


def test_no_name_and_bad_points_are_clear_errors(capsys):
    with pytest.raises(ValueError, match=r"give a figure NAME \(step-neuron, .* or all\), or --list"):
        run(["plot"])
    with pytest.raises(SystemExit):
        run(["plot", "bump", "--points", "1"])
    assert "expected a whole number ≥ 2, got '1'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="points must be a whole number ≥ 2, got 1.5"):
        figures.draw("bump", points=1.5)


def test_draw_leaves_the_default_dtype_and_the_generator_as_it_found_them():
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    figures.draw("softmax-temperature", points=POINTS)
    assert dn.get_default_dtype() == dtype
    assert dn.get_rng_state() == state


def test_importing_the_figures_registry_does_not_load_matplotlib():
    code = "import sys, deltanet.figures; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ---------------------------------------------------------------------------------------------------------
# What the figures show


def test_activations_mark_the_library_values_at_zero(drawn):
    legends = {ax.get_title(): _legend(ax) for ax in drawn("activations").axes}
    assert legends["tanh"][-1] == "tanh′(0) = 1"
    assert legends["σ"][-1] == "σ′(0) = 0.25"
    assert legends["ReLU"][-1] == "ReLU′(0) = 0"
    assert legends["step"][-1] == "step(0) = 0  (nn.Step(at_zero=0))"
    tanh = drawn("activations").axes[0]
    z, da = _curve(tanh, "tanh′(z)").T
    np.testing.assert_allclose(da, 1 - np.tanh(z) ** 2, rtol=1e-12)


def test_entropy_marks_the_cross_entropy_minimum_at_a_equals_y(drawn):
    entropy, costs = drawn("entropy").axes
    a, h = _curve(entropy, "H(p)").T
    np.testing.assert_allclose(h, -(a * np.log(a) + (1 - a) * np.log(1 - a)), rtol=1e-12)
    minima = _curve(costs, "minimum on the grid: at a = y, C(y) = H(y)")
    y = np.array([0.1, 0.5, 0.8])
    np.testing.assert_allclose(minima[:, 0], y, atol=1 / (POINTS + 1))
    np.testing.assert_allclose(minima[:, 1], -(y * np.log(y) + (1 - y) * np.log(1 - y)), atol=0.02)


def test_softmax_goes_one_hot_as_t_falls_and_uniform_as_t_grows(drawn):
    (ax,) = drawn("softmax-temperature").axes
    a = np.stack([_curve(ax, label)[:, 1] for label in _legend(ax)[1:]])
    np.testing.assert_allclose(a.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(a[:, 0], [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(a[:, -1], 1 / 3, atol=0.03)


def test_decision_boundaries_need_a_hidden_layer_for_xor_and_circles(drawn):
    titles = [ax.get_title() for ax in drawn("decision-boundaries").axes]
    accuracy = {title.split(":")[0] + str(i // 3): float(title.split("accuracy ")[1].split("%")[0])
                for i, title in enumerate(titles)}
    assert accuracy["XOR0"] <= 75 and accuracy["circles0"] < 75 and accuracy["blobs0"] >= 95
    assert accuracy["XOR1"] == accuracy["circles1"] == 100 and accuracy["blobs1"] >= 98


def test_step_neuron_is_a_step_for_large_w(drawn):
    (ax,) = drawn("step-neuron").axes
    x, a = _curve(ax, "w = 1000").T
    far = np.abs(x - 0.5) > 0.01
    np.testing.assert_allclose(a[far], (x[far] > 0.5).astype(float), atol=1e-4)
    x, a = _curve(ax, "w = 1").T
    assert 0.35 < a.min() and a.max() < 0.65                 # w = 1: nothing like a step


def test_bump_is_h_inside_and_zero_outside_for_both_kinds(drawn):
    for ax in drawn("bump").axes:
        x, a = _curve(ax, "w = 1000").T
        inside, outside = (x > 0.41) & (x < 0.59), (x < 0.39) | (x > 0.61)
        np.testing.assert_allclose(a[inside], 1.0, atol=1e-3)
        np.testing.assert_allclose(a[outside], 0.0, atol=1e-3)


def test_approximation_legends_hold_the_max_error_of_the_drawn_curves(drawn):
    errors = []
    for ax in drawn("approximation").axes:
        label = _legend(ax)[1]
        errors.append(float(label.split("= ")[1]))
        f, f_hat = _curve(ax, "target f(x)")[:, 1], _curve(ax, label)[:, 1]
        np.testing.assert_allclose(np.abs(f - f_hat).max(), errors[-1], rtol=5e-3)
    assert [ax.get_title() for ax in drawn("approximation").axes] == ["10 pieces", "50 pieces"]
    assert errors[1] < errors[0] < 0.5


def test_tower_is_one_on_the_rectangle_and_zero_elsewhere(drawn):
    heat = drawn("tower").axes[1]
    a = heat.collections[0].get_array().reshape(POINTS, POINTS)
    x1, x2 = np.linspace(0.0, 3.0, POINTS), np.linspace(-3.0, 1.0, POINTS)
    g1, g2 = np.meshgrid(x1, x2)
    inside = (g1 > 1.05) & (g1 < 1.95) & (g2 > -1.95) & (g2 < -0.05)
    outside = (g1 < 0.95) | (g1 > 2.05) | (g2 < -2.05) | (g2 > 0.05)
    np.testing.assert_allclose(a[inside], 1.0, atol=1e-3)
    np.testing.assert_allclose(a[outside], 0.0, atol=1e-3)
