"""`dn.plot` drawing functions: they take arrays and put exactly those arrays on the axes (curves, marks,
legends, titles), write a PNG when given a path, and refuse mismatched shapes with a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from deltanet.plot import (
    Boundary,
    Panel,
    activation_curves,
    decision_boundaries,
    decision_boundary,
    function_approximation,
    function_panels,
    tower_surface,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _legend(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_function_panels_draws_reference_then_curves_then_marks():
    x = np.linspace(0.0, 1.0, 11)
    panel = Panel(x, {"x²": x**2}, xlabel="input x", ylabel="a", title="squares", reference={"x": x},
                  marks={"minimum": (0.0, 0.0)}, styles={"x²": {"linestyle": ":"}}, ylim=(0.0, 2.0))
    figure = function_panels([panel], "suptitle")
    (ax,) = figure.axes
    reference, curve, mark = ax.lines
    np.testing.assert_array_equal(reference.get_ydata(), x)
    assert reference.get_linestyle() == "--"
    np.testing.assert_array_equal(curve.get_ydata(), x**2)
    assert curve.get_linestyle() == ":"
    np.testing.assert_array_equal(mark.get_xydata(), [[0.0, 0.0]])
    assert _legend(ax) == ["x", "x²", "minimum"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("input x", "a", "squares")
    assert ax.get_ylim() == (0.0, 2.0)
    assert figure.get_suptitle() == "suptitle"


def test_function_panels_lays_out_rows_and_hides_spare_axes():
    x = np.linspace(-1.0, 1.0, 5)
    figure = function_panels([Panel(x, {str(i): i * x}) for i in range(3)], ncols=2)
    assert len(figure.axes) == 4
    assert [ax.get_visible() for ax in figure.axes] == [True, True, True, False]


def test_function_panels_rejects_a_curve_of_the_wrong_length_naming_it():
    x = np.linspace(0.0, 1.0, 5)
    with pytest.raises(ValueError, match=r"curve 'bad' has shape \(4,\), x has shape \(5,\)"):
        function_panels([Panel(x, {"bad": np.zeros(4)})])
    with pytest.raises(ValueError, match="at least one Panel"):
        function_panels([])


def test_activation_curves_draw_f_and_its_derivative_per_panel_with_marks():
    z = np.linspace(-2.0, 2.0, 5)
    a, da = np.tanh(z), 1 - np.tanh(z) ** 2
    figure = activation_curves(z, {"tanh": (a, da)}, {"tanh": {"tanh′(0) = 1": (0.0, 1.0)}})
    (ax,) = figure.axes
    f, f_prime, mark = ax.lines
    np.testing.assert_array_equal(f.get_ydata(), a)
    np.testing.assert_array_equal(f_prime.get_ydata(), da)
    assert _legend(ax) == ["tanh(z)", "tanh′(z)", "tanh′(0) = 1"]
    assert ax.get_xlabel() == "z" and ax.get_title() == "tanh"


def test_function_approximation_puts_the_measured_error_in_the_legend(tmp_path):
    x = np.linspace(0.0, 1.0, 21)
    path = tmp_path / "approx.png"
    figure = function_approximation(x, x**2, {"4 pieces": np.round(4 * x**2) / 4, "exact": x**2},
                                    errors={"4 pieces": 0.125}, path=path)
    first, second = figure.axes
    assert _legend(first) == ["target f(x)", r"network $\hat{f}(x)$, max $|f - \hat{f}|$ = 0.125"]
    assert _legend(second) == ["target f(x)", r"network $\hat{f}(x)$"]
    assert [ax.get_title() for ax in figure.axes] == ["4 pieces", "exact"]
    assert path.read_bytes().startswith(PNG_MAGIC)


def test_tower_surface_draws_the_grid_as_surface_and_heat_map(tmp_path):
    x1, x2 = np.linspace(0.0, 3.0, 7), np.linspace(-3.0, 1.0, 5)
    a = np.outer(x2 < 0, x1 > 1).astype(float)               # a[i, j] at (x1[j], x2[i])
    figure = tower_surface(x1, x2, a, "tower", path=tmp_path / "tower.png")
    surface, heat, colorbar = figure.axes
    assert surface.name == "3d"
    np.testing.assert_array_equal(heat.collections[0].get_array().reshape(a.shape), a)
    assert colorbar.get_ylabel() == "output"
    assert (tmp_path / "tower.png").stat().st_size > 5_000


def test_tower_surface_rejects_a_transposed_grid():
    with pytest.raises(ValueError, match=r"shape \(len\(x2\), len\(x1\)\) = \(5, 7\).*got a of shape \(7, 5\)"):
        tower_surface(np.arange(7.0), np.arange(5.0), np.zeros((7, 5)))


def _boundary(title="") -> Boundary:
    x1, x2 = np.linspace(-1.0, 1.0, 9), np.linspace(-1.0, 1.0, 7)
    labels = (np.meshgrid(x1, x2)[0] > 0).astype(int)          # class 1 right of x₁ = 0
    X = np.array([[-0.5, 0.0], [0.5, 0.2], [0.6, -0.4]])
    return Boundary(x1, x2, labels, X, np.array([0, 1, 1]), title)


def test_decision_boundaries_draw_regions_boundary_and_points_per_class():
    figure = decision_boundaries([_boundary("a"), _boundary("b")], ncols=1, row_labels=["top", "bottom"])
    top, bottom = figure.axes
    assert [top.get_title(), bottom.get_title()] == ["a", "b"]
    assert top.get_ylabel().startswith("top") and bottom.get_ylabel().startswith("bottom")
    points = [c for c in top.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in points] == ["class 0", "class 1"]
    np.testing.assert_array_equal(points[1].get_offsets(), [[0.5, 0.2], [0.6, -0.4]])
    assert top.get_xlim() == (-1.0, 1.0)


def test_decision_boundary_single_panel_writes_a_png(tmp_path):
    b = _boundary("one")
    figure = decision_boundary(b.x1, b.x2, b.labels, b.X, b.y, "one", path=tmp_path / "b.png")
    assert [ax.get_title() for ax in figure.axes] == ["one"]
    assert (tmp_path / "b.png").read_bytes().startswith(PNG_MAGIC)


def test_decision_boundaries_reject_bad_shapes_and_row_labels():
    b = _boundary()
    with pytest.raises(ValueError, match=r"labels must have shape \(len\(x2\), len\(x1\)\) = \(7, 9\)"):
        decision_boundary(b.x1, b.x2, b.labels.T, b.X, b.y)
    with pytest.raises(ValueError, match=r"X of shape \(n, 2\) and y of shape \(n,\)"):
        decision_boundary(b.x1, b.x2, b.labels, b.X, b.y[:2])
    with pytest.raises(ValueError, match="2 rows need 2 row_labels, got 1"):
        decision_boundaries([b, b], ncols=1, row_labels=["only one"])
