"""`deltanet plot NAME`: the figures of the source sheets, each computed by the library and drawn by `dn.plot`.

    step-neuron           a sigmoid neuron σ(w(x − s)) turns into a step at s as w grows (sheet 004, fig. 4.1)
    bump                  two step neurons make a bump on (s₁, s₂): sigmoid and ReLU versions (fig. 4.3)
    approximation         Nielsen's f(x) = 0.2 + 0.4x² + 0.3x sin(15x) + 0.05 cos(50x), 10 and 50 pieces (fig. 4.5)
    tower                 a 2-D tower on (1, 2) × (−2, 0) (fig. 4.7)
    entropy               binary entropy H(p) and the cross-entropy C(a), minimal at a = y (ex. 3.1, fig. 3.1)
    activations           tanh, σ, ReLU and step with their derivatives, values at z = 0 marked (fig. 5.1)
    decision-boundaries   XOR, blobs and circles with and without a hidden layer, trained here
    softmax-temperature   softmax(z/T) as the temperature T goes to 0 (argmax) and to ∞ (uniform) (ex. 3.3)

Each figure function builds its data with the library (`dn.construct` networks, `dn.nn` activations and
losses, `dn.autograd` derivatives, small seeded training runs) in float64 and returns a matplotlib Figure;
`points` sets the samples per axis (tests use a coarse grid). `deltanet plot NAME --out PATH` writes the PNG
atomically and prints its path; `deltanet plot all` writes every figure; `deltanet plot --list` names them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.arguments import whole_number

DEFAULT_DIR = Path("runs/plots")


@contextlib.contextmanager
def _float64_seeded(seed: int):
    """Compute in float64 from a seeded generator; leave the caller's default dtype and generator as found."""
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    dn.set_default_dtype("float64")
    dn.manual_seed(seed)
    try:
        yield
    finally:
        dn.set_default_dtype(dtype)
        dn.set_rng_state(state)


def _output(model, X) -> np.ndarray:
    """a^L for the inputs X (rows), without a graph."""
    with dn.no_grad():
        return model(dn.tensor(np.asarray(X, dtype=np.float64))).numpy()


def _on_line(model, x) -> np.ndarray:
    """A 1-input, 1-output network's output at each point of x."""
    return _output(model, x[:, None])[:, 0]


def _on_grid(model, x1, x2) -> np.ndarray:
    """A 2-input network's outputs at every point (x1[j], x2[i]) of the grid, shape (len(x2), len(x1), outputs)."""
    grid1, grid2 = np.meshgrid(x1, x2)
    a = _output(model, np.stack([grid1.ravel(), grid2.ravel()], axis=1))
    return a.reshape(len(x2), len(x1), -1)


# ---------------------------------------------------------------------------------------------------------
# Step functions and universal approximation (sheet 004, chapter 4)


def step_neuron_figure(points: int = 1001):
    """σ(w(x − s)) = σ(wx + b) with b = −ws for w = 1, 5, 20, 100, 1000: the neuron becomes a step at s."""
    from deltanet import construct
    from deltanet.plot import Panel, function_panels

    s, x = 0.5, np.linspace(0.0, 1.0, points)
    curves = {f"w = {w:g}": _on_line(construct.step_neuron(s, w=w), x) for w in (1, 5, 20, 100, 1000)}
    step = dn.step(dn.tensor(x - s), at_zero=1.0).numpy()
    panel = Panel(x, curves, xlabel="input x", ylabel="a = σ(w(x − s))", title=f"one sigmoid neuron, s = {s:g}",
                  reference={"step at s": step})
    return function_panels([panel], "A sigmoid neuron steps at s = −b/w as the weight w grows",
                           panel_size=(7.0, 4.2))


def bump_figure(points: int = 1001):
    """Two step neurons at s₁ < s₂ and an output neuron h·a₁ − h·a₂ make a bump of height h on (s₁, s₂)
    (`construct.bump`), with sigmoid and with ReLU hidden neurons, sharp (w = 1000) and soft (w = 30)."""
    from deltanet import construct
    from deltanet.plot import Panel, function_panels

    s1, s2, h, x = 0.4, 0.6, 1.0, np.linspace(0.0, 1.0, points)
    ideal = np.where((x > s1) & (x < s2), h, 0.0)
    panels = [Panel(x, {f"w = {w:g}": _on_line(construct.bump(s1, s2, h, kind=kind, w=w), x) for w in (30, 1000)},
                    xlabel="input x", ylabel="network output", title=f"{kind_name} hidden neurons",
                    reference={f"{h:g} on (s₁, s₂)": ideal})
              for kind, kind_name in (("sigmoid", "sigmoid"), ("relu", "ReLU"))]
    return function_panels(panels, f"The bump (rectangle) function on (s₁, s₂) = ({s1:g}, {s2:g}), height h = {h:g}")


def approximation_figure(points: int = 10_001):
    """Nielsen's f on [0, 1] approximated by sigmoid steps (`construct.approximate`) with 10 and 50 pieces;
    each max |f − f̂| is measured by `approximate` on the same `points` the figure draws."""
    from deltanet import construct
    from deltanet.plot import function_approximation

    approximations = {f"{n} pieces": construct.approximate(construct.nielsen_f, (0.0, 1.0), n, kind="sigmoid",
                                                           grid=points) for n in (10, 50)}
    first = next(iter(approximations.values()))
    return function_approximation(
        first.x[0], first.target, {name: a.output for name, a in approximations.items()},
        errors={name: a.max_error for name, a in approximations.items()},
        title="Nielsen's f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x) approximated by sigmoid step neurons",
        ylabel=r"$f(x)$,  $\hat{f}(x)$")


def tower_figure(points: int = 121):
    """The 2-D tower of sheet 004 (fig. 4.7): output ≈ 1 on (1, 2) × (−2, 0), ≈ 0 elsewhere (`construct.tower`)."""
    from deltanet import construct
    from deltanet.plot import tower_surface

    rect, h = [(1.0, 2.0), (-2.0, 0.0)], 1.0
    x1, x2 = np.linspace(0.0, 3.0, points), np.linspace(-3.0, 1.0, points)
    a = _on_grid(construct.tower(rect, h), x1, x2)[:, :, 0]
    return tower_surface(x1, x2, a, f"A tower function: {h:g} on (1, 2) × (−2, 0), built from step neurons",
                         xlabel="x", ylabel="y", zlabel="network output")


# ---------------------------------------------------------------------------------------------------------
# Costs and activations (sheet 004, chapters 3 and 5)


def entropy_figure(points: int = 999):
    """H(p) = −[p ln p + (1 − p) ln(1 − p)] and C(a) = −[y ln a + (1 − y) ln(1 − a)] for a few y, with the
    minimum of each C found on the grid — at a = y, where C(y) = H(y) (exercise 3.1)."""
    from deltanet.plot import Panel, function_panels

    a = np.linspace(0.0, 1.0, points + 2)[1:-1]             # the open interval (0, 1)
    tensor_a = dn.tensor(a)

    def cross_entropy(y):
        return nn.functional.binary_cross_entropy(tensor_a, dn.tensor(np.full_like(a, y)), reduction="none").numpy()

    entropy = nn.functional.binary_cross_entropy(tensor_a, tensor_a, reduction="none").numpy()
    costs = {y: cross_entropy(y) for y in (0.1, 0.5, 0.8)}
    minima = np.array([(a[np.argmin(c)], c.min()) for c in costs.values()])
    return function_panels([
        Panel(a, {"H(p)": entropy}, xlabel="p", ylabel="H(p)  (nats)",
              title="binary entropy H(p) = −[p ln p + (1 − p) ln(1 − p)]", legend="lower center",
              marks={f"maximum H(½) = ln 2 = {entropy.max():.4f}": (a[np.argmax(entropy)], entropy.max())}),
        Panel(a, {f"y = {y:g}": c for y, c in costs.items()}, xlabel="output a", ylabel="cost C(a)",
              title="cross-entropy of one output", ylim=(0.0, 4.0), legend="upper center",
              marks={"minimum on the grid: at a = y, C(y) = H(y)": (minima[:, 0], minima[:, 1])}),
    ], "Binary entropy, and the cross-entropy C(a) = −[y ln a + (1 − y) ln(1 − a)] is smallest at a = y",
        panel_size=(5.6, 4.0))


def _with_derivative(f, z):
    """(f(z), f′(z)) elementwise, f′ by reverse-mode autograd."""
    z = dn.tensor(z, requires_grad=True)
    a = f(z)
    (da,) = dn.autograd.grad(a.sum(), [z])
    return a.detach().numpy(), da.numpy()


def activations_figure(points: int = 801):
    """tanh, σ, ReLU and the step with their derivatives (autograd); the values the sheets ask about at z = 0
    are marked: tanh′(0) = 1, σ′(0) = ¼, ReLU′(0) = 0 (the library's and PyTorch's choice), f(0) = 0."""
    from deltanet.plot import activation_curves

    z = np.linspace(-4.0, 4.0, points | 1)                  # odd: z = 0 is a grid point
    zero = len(z) // 2
    layers = {"tanh": nn.Tanh(), "σ": nn.Sigmoid(), "ReLU": nn.ReLU(), "step": nn.Step(at_zero=0.0)}
    curves = {name: _with_derivative(layer, z) for name, layer in layers.items()}
    marks = {"tanh": {f"tanh′(0) = {curves['tanh'][1][zero]:g}": (0.0, curves["tanh"][1][zero])},
             "σ": {f"σ′(0) = {curves['σ'][1][zero]:g}": (0.0, curves["σ"][1][zero])},
             "ReLU": {f"ReLU′(0) = {curves['ReLU'][1][zero]:g}": (0.0, curves["ReLU"][1][zero])},
             "step": {f"step(0) = {curves['step'][0][zero]:g}  (nn.Step(at_zero=0))": (0.0, curves["step"][0][zero])}}
    for name, jumps in (("ReLU", (1,)), ("step", (0, 1))):  # break the line where the curve jumps at 0
        curves[name] = tuple(np.where(z == 0, np.nan, c) if i in jumps else c for i, c in enumerate(curves[name]))
    return activation_curves(z, curves, marks, "Activation functions a = f(z) and their derivatives f′(z)",
                             ncols=2)


def softmax_temperature_figure(points: int = 301):
    """aⱼ = e^{zⱼ/T} / Σᵢ e^{zᵢ/T} (`nn.Softmax(temperature=T)`) for z = (2, 1, 0.1): one-hot on the largest zⱼ
    as T → 0 (the sheet's c = 1/T → ∞, exercise 3.3) and uniform 1/J as T → ∞."""
    from deltanet.plot import Panel, function_panels

    z = np.array([2.0, 1.0, 0.1])
    T = np.logspace(-1.5, 1.5, points)
    a = np.stack([nn.Softmax(dim=-1, temperature=t)(dn.tensor(z)).numpy() for t in T])
    panel = Panel(T, {f"a{'₁₂₃'[j]}  (z{'₁₂₃'[j]} = {z[j]:g})": a[:, j] for j in range(len(z))},
                  xlabel="temperature T = 1/c  (log scale)", ylabel="softmax output aⱼ",
                  title="logits z = (2, 1, 0.1)", reference={f"1/J = 1/{len(z)}": np.full_like(T, 1 / len(z))},
                  xscale="log", ylim=(0.0, 1.02))
    return function_panels([panel], "Softmax with temperature: argmax as T → 0, uniform as T → ∞",
                           panel_size=(7.0, 4.2))


# ---------------------------------------------------------------------------------------------------------
# Decision boundaries: what a hidden layer buys


def _datasets():
    """(name, X, labels) of the three toy problems, seeded."""
    X_xor, y_xor = dn.data.datasets.xor()
    X_blobs, y_blobs = dn.data.datasets.blobs(n=150, centers=[[-2.0, -1.5], [2.0, -1.0], [0.0, 2.0]], std=0.8, seed=0)
    X_circles, y_circles = dn.data.datasets.circles(n=200, noise=0.08, seed=0)
    return [("XOR", X_xor, y_xor[:, 0].astype(np.int64)), ("blobs", X_blobs, y_blobs),
            ("circles", X_circles, y_circles)]


def _train(model, X, labels, steps: int = 300, lr: float = 0.05) -> float:
    """Full-batch Adam on the cross-entropy C of softmax(z^L) with the labels; returns the final C."""
    loss = nn.CrossEntropyLoss()
    optimizer = dn.optim.Adam(model.parameters(), lr=lr)
    X, labels = dn.tensor(X), dn.tensor(labels)
    for _ in range(steps):
        optimizer.zero_grad()
        loss(model(X), labels).backward()
        optimizer.step()
    with dn.no_grad():
        return loss(model(X), labels).item()


def decision_boundaries_figure(points: int = 201):
    """Softmax regression (no hidden layer: a straight boundary) and one tanh hidden layer of 16 neurons,
    each trained with full-batch Adam for 300 steps on XOR, blobs and circles; training accuracy and final
    cost in the titles. Only the blobs are linearly separable."""
    from deltanet.plot import Boundary, decision_boundaries

    architectures = {"no hidden layer": lambda k: nn.Linear(2, k),
                     "one hidden layer (16 tanh)": lambda k: nn.Sequential(nn.Linear(2, 16), nn.Tanh(),
                                                                          nn.Linear(16, k))}
    panels = []
    for build in architectures.values():
        for name, X, labels in _datasets():
            model = build(int(labels.max()) + 1)
            cost = _train(model, X, labels)
            accuracy = np.mean(_output(model, X).argmax(axis=1) == labels)
            margin = 0.25 * (X.max(axis=0) - X.min(axis=0))
            low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
            x1, x2 = np.linspace(low[0], high[0], points), np.linspace(low[1], high[1], points)
            predicted = _on_grid(model, x1, x2).argmax(axis=2)
            title = f"{name}: accuracy {100 * accuracy:.0f}%, C = {cost:.2f}"
            panels.append(Boundary(x1, x2, predicted, X, labels, title))
    return decision_boundaries(
        panels, ncols=3, row_labels=list(architectures),
        title="Softmax classifiers trained on each data set (training accuracy, final cross-entropy C): without a "
              "hidden layer every boundary is a straight line\ntwo classes at C = ln 2 ≈ 0.69 means outputs of ½ "
              "everywhere: no better than chance")


# ---------------------------------------------------------------------------------------------------------
# The registry and the command


@dataclass(frozen=True)
class NamedFigure:
    """A figure `deltanet plot NAME` writes: its name, one line on what it shows, and its figure function."""

    name: str
    description: str
    draw: Callable


FIGURES = {f.name: f for f in (
    NamedFigure("step-neuron", "σ(w(x − s)) for w = 1 … 1000: a sigmoid neuron becomes a step", step_neuron_figure),
    NamedFigure("bump", "the rectangle (bump) function of two step neurons, sigmoid and ReLU", bump_figure),
    NamedFigure("approximation", "Nielsen's f(x) from 10 and 50 pieces of sigmoid steps, max error in the legend",
                approximation_figure),
    NamedFigure("tower", "a 2-D tower function on (1, 2) × (−2, 0): surface and heat map", tower_figure),
    NamedFigure("entropy", "binary entropy H(p) and cross-entropy C(a) with its minimum at a = y", entropy_figure),
    NamedFigure("activations", "tanh, σ, ReLU, step and their derivatives, values at z = 0 marked",
                activations_figure),
    NamedFigure("decision-boundaries", "XOR, blobs, circles with and without a hidden layer (trained)",
                decision_boundaries_figure),
    NamedFigure("softmax-temperature", "softmax(z/T): argmax as T → 0, uniform as T → ∞",
                softmax_temperature_figure),
)}


def draw(name: str, points: int | None = None, seed: int = 0):
    """The matplotlib Figure called `name` (one of FIGURES), computed in float64 from `seed`;
    `points` overrides the figure's samples per axis."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose one of: {', '.join(FIGURES)} (or all)")
    if points is not None and (not isinstance(points, int) or points < 2):
        raise ValueError(f"points must be a whole number ≥ 2, got {points!r}")
    with _float64_seeded(seed):
        return FIGURES[name].draw() if points is None else FIGURES[name].draw(points=points)


def write(name: str, path=None, points: int | None = None) -> Path:
    """Draw the figure `name` and write it as a PNG to `path` (default runs/plots/NAME.png), atomically."""
    from deltanet.plot import save_figure

    return save_figure(draw(name, points), DEFAULT_DIR / f"{name}.png" if path is None else path)


def command_plot(args) -> int:
    """`deltanet plot NAME [--out PATH]`, `deltanet plot all [--out DIR]`, `deltanet plot --list`."""
    if args.list:
        for figure in FIGURES.values():
            print(f"{figure.name:22} {figure.description}")
        return 0
    if args.name is None:
        raise ValueError(f"plot: give a figure NAME ({', '.join(FIGURES)} or all), or --list to describe them")
    if args.name == "all":
        folder = DEFAULT_DIR if args.out is None else args.out
        for name in FIGURES:
            print(write(name, folder / f"{name}.png", args.points), flush=True)
    else:
        print(write(args.name, args.out, args.points))
    return 0


def add_parser(commands) -> None:
    """Register `deltanet plot` on the CLI's subcommands."""
    parser = commands.add_parser(
        "plot", help="draw the sheets' figures (step neurons, bumps, towers, entropy, activations, boundaries)",
        description="Compute a figure of the source sheets with the library and write it as a PNG. "
                    + " ".join(f"{f.name}: {f.description}." for f in FIGURES.values()))
    parser.add_argument("name", nargs="?", choices=(*FIGURES, "all"), metavar="NAME",
                        help=f"which figure: {', '.join(FIGURES)}, or all")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"the PNG to write (default {DEFAULT_DIR}/NAME.png); with all, the folder")
    parser.add_argument("--list", action="store_true", help="list the figures and what each shows")
    parser.add_argument("--points", type=whole_number(2), default=None,
                        help="samples per axis (default: each figure's own; fewer is faster and coarser)")
    parser.set_defaults(handler=command_plot)
