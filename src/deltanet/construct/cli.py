"""`deltanet construct xor|boolean|approx|tower`: build a network by hand, print it and check it.

    deltanet construct xor [--kind step|relu|sigmoid|all]
    deltanet construct boolean --table 0110 [--activation relu|step] [--no-minimise]
    deltanet construct approx [--pieces 10 50] [--kind sigmoid|relu] [--dim 1|2] [--plot PATH]
    deltanet construct tower [--rect 1 2 -2 0] [--height 1] [--kind sigmoid|relu] [--w 1000] [--plot PATH]

Each prints a verification summary and exits with status 0 when the construction holds, 1 when it fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from deltanet.arguments import whole_number
from deltanet.construct import approx, logic
from deltanet.construct._common import forward

XOR_UNITS = {"step": "threshold units f(v) = 1 if v > 0 else 0", "relu": "ReLU hidden units, threshold output f",
             "sigmoid": f"sigmoid units, the step net's weights × {logic.SIGMOID_GAIN:g}"}
XOR_ATOL = {"step": 0.0, "relu": 0.0, "sigmoid": 1e-12}
EXAMPLE_2D = "f(x1, x2) = 0.5 + 0.3·sin(2πx1)·cos(πx2) on [0, 1]²"


def example_2d(x1, x2):
    return 0.5 + 0.3 * np.sin(2 * np.pi * x1) * np.cos(np.pi * x2)


def _array(a) -> str:
    """A vector or matrix on one line, numbers in %g: [[1, 1], [1, 1]]."""
    a = np.asarray(a)
    return "[" + ", ".join(_array(row) if a.ndim > 1 else f"{row:g}" for row in a) + "]"


def _verdict(failures: list, n: int, atol: float, points: str = "inputs") -> str:
    if not failures:
        return f"exact on all {n} {points}" if atol == 0 else f"within {atol:g} on all {n} {points}"
    shown = "; ".join(f"x = ({', '.join(f'{v:.6g}' for v in f.x)}): {f.output:.6g} (should be {f.target:g})"
                      for f in failures[:5])
    return f"FAILS on {len(failures)} of {n} {points}: {shown}" + (" …" if len(failures) > 5 else "")


def command_xor(args) -> int:
    status = 0
    for kind in ("step", "relu", "sigmoid") if args.kind == "all" else (args.kind,):
        model = logic.xor(kind)
        hidden, output = model[0], model[2]
        print(f"XOR, {kind}: {XOR_UNITS[kind]}")
        print(f"  hidden  W = {_array(hidden.weight.numpy())}  b = {_array(hidden.bias.numpy())}")
        print(f"  output  W = {_array(output.weight.numpy())}  b = {_array(output.bias.numpy())}")
        X = logic.inputs(2)
        for x, y in zip(X, forward(model, X).ravel()):
            print(f"  x = ({x[0]:.0f}, {x[1]:.0f})  →  {y:.6g}")
        failures = logic.verify_xor(model, atol=XOR_ATOL[kind])
        print(f"  {_verdict(failures, 4, XOR_ATOL[kind])}\n")
        status |= bool(failures)
    return int(status)


def command_boolean(args) -> int:
    values = logic.truth_values(args.table)
    p = len(values).bit_length() - 1
    dnf = (logic.minimal_dnf if args.minimise else logic.canonical_dnf)(values)
    model = logic.boolean(values, activation=args.activation, minimise=args.minimise)
    units = model[0].out_features
    what = "minimised DNF (Quine–McCluskey)" if args.minimise else "canonical DNF (one minterm per true row)"
    print(f"h = {dnf}")
    print(f"{what}: {len(dnf)} term{'s' * (len(dnf) != 1)}; {int(values.sum())} of {2**p} rows true")
    note = "" if len(dnf) else " (h ≡ 0: a unit that never fires)"
    print(f"network: {p} inputs → {units} hidden {'ReLU' if args.activation == 'relu' else 'step'} "
          f"unit{'s' * (units != 1)}{note} → 1 step output unit")
    failures = logic.verify_boolean(model, values)
    print(_verdict(failures, 2**p, 0.0))
    return int(bool(failures))


def command_approx(args) -> int:
    pieces = args.pieces or ([10, 50] if args.dim == 1 else [5, 20])
    f, domain, title = (approx.nielsen_f, (0.0, 1.0), "f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x) on [0, 1]") \
        if args.dim == 1 else (example_2d, ((0.0, 1.0), (0.0, 1.0)), EXAMPLE_2D)
    results = [approx.approximate(f, domain, n, kind=args.kind) for n in pieces]
    grid = results[0].target.size
    print(f"{title}; {args.kind} step units")
    print(f"max |f − f̂| over a grid of {grid:,} points, transition zones included "
          f"(staircase: the cell values f(centre) themselves, the limit of steep steps)")
    print(f"{'pieces' + (' per axis' if args.dim == 2 else ''):>16} {'hidden units':>13} {'w':>10} "
          f"{'max error':>10} {'staircase':>10}")
    for r in results:
        print(f"{r.n_pieces:>16} {r.hidden_units:>13} {r.w:>10.4g} {r.max_error:>10.4f} {r.staircase_error:>10.4f}")
    shrinking = all(b.max_error < a.max_error for a, b in zip(results, results[1:]))
    if len(results) > 1:
        print("the error shrinks as the pieces grow" if shrinking else "the error does NOT shrink with more pieces")
    if args.plot:
        _plot_approximations(results, title, args.plot)
    return int(not shrinking)


def _plot_approximations(results, title: str, path: Path) -> None:
    if len(results[0].x) == 1:
        from deltanet.plot import function_approximation

        function_approximation(results[0].x[0], results[0].target,
                               {f"{r.n_pieces} pieces": r.output for r in results},
                               {f"{r.n_pieces} pieces": r.max_error for r in results}, title=title, path=path)
    else:
        from deltanet.plot import tower_surface

        last = results[-1]
        tower_surface(*last.x, last.output, title=f"{title}: {last.n_pieces}² cells, max error "
                      f"{last.max_error:.3g}", path=path, xlabel="x1", ylabel="x2", zlabel="f̂(x1, x2)")
    print(f"figure: {path}")


def command_tower(args) -> int:
    if len(args.rect) % 2:
        raise ValueError(f"construct tower: --rect takes pairs LO HI, one per coordinate, got {len(args.rect)} numbers")
    rect = list(zip(args.rect[::2], args.rect[1::2]))
    model = approx.tower(rect, args.height, kind=args.kind, w=args.w)
    m = len(rect)
    box = " × ".join(f"({lo:g}, {hi:g})" for lo, hi in rect)
    steps, thresholds = (2, 1) if args.kind == "sigmoid" else (4, 2)
    print(f"tower of height {args.height:g} on {box}: {steps * m} {args.kind} step units, {thresholds} threshold "
          f"unit{'s' * (thresholds > 1)} on Σ I_d − {m} + ½, identity output; w = {args.w:g}")
    X, _ = approx.tower_probes(rect, args.height)
    failures = approx.verify_tower(model, rect, args.height)
    print(f"probes: the centre and 2^{m} inset corners (value {args.height:g}), {2 * m} with one coordinate just "
          f"outside and {m + 2} far away (value 0)")
    print(_verdict(failures, len(X), 1e-6, "probe points"))
    if args.plot:
        _plot_tower(model, rect, args.height, box, args.plot)
    return int(bool(failures))


def _plot_tower(model, rect, h: float, box: str, path: Path) -> None:
    axes = [np.linspace(lo - (hi - lo) / 2, hi + (hi - lo) / 2, 101) for lo, hi in rect]
    if len(rect) == 1:
        from deltanet.plot import function_approximation

        x = axes[0]
        ideal = np.where((x > rect[0][0]) & (x < rect[0][1]), h, 0.0)
        function_approximation(x, ideal, {"tower": forward(model, x[:, None]).ravel()}, title=f"tower on {box}",
                               path=path)
    elif len(rect) == 2:
        from deltanet.plot import tower_surface

        grid = np.meshgrid(*axes)
        a = forward(model, np.stack([g.ravel() for g in grid], axis=1)).reshape(grid[0].shape)
        tower_surface(*axes, a, title=f"tower on {box}", path=path, xlabel="x1", ylabel="x2")
    else:
        raise ValueError(f"construct tower: --plot draws towers in 1 or 2 dimensions, this one has {len(rect)}")
    print(f"figure: {path}")


def add_parser(commands) -> None:
    """Register `deltanet construct` on the CLI's subcommands."""
    parser = commands.add_parser(
        "construct", help="hand-built networks (XOR, boolean functions, towers, approximators), verified",
        description="Build a network by hand, print it and check it on every input it claims.")
    what = parser.add_subparsers(dest="construction", metavar="WHAT", required=True)

    xor = what.add_parser("xor", help="the 2-2-1 XOR networks of the sheets (step, ReLU, sigmoid)")
    xor.add_argument("--kind", choices=("step", "relu", "sigmoid", "all"), default="all")
    xor.set_defaults(handler=command_xor)

    boolean = what.add_parser("boolean", help="any h: {0,1}^p → {0,1} as one hidden layer, one unit per DNF term")
    boolean.add_argument("--table", required=True,
                         help="the outputs on the 2^p inputs 0…0, 0…01, …, 1…1 (x1 most significant), e.g. 0110")
    boolean.add_argument("--activation", choices=("relu", "step"), default="relu", help="hidden units (default relu)")
    boolean.add_argument("--no-minimise", dest="minimise", action="store_false",
                         help="one unit per true row instead of a Quine–McCluskey minimised DNF")
    boolean.set_defaults(handler=command_boolean)

    approximation = what.add_parser("approx", help="universal approximation with step units; max errors")
    approximation.add_argument("--pieces", type=whole_number(2), nargs="+",
                               help="pieces (per axis), default 10 50 (1-D) or 5 20 (2-D)")
    approximation.add_argument("--kind", choices=approx.KINDS, default="sigmoid")
    approximation.add_argument("--dim", type=int, choices=(1, 2), default=1,
                               help="1: Nielsen's f on [0, 1]; 2: " + EXAMPLE_2D)
    approximation.add_argument("--plot", type=Path, help="write a figure of the approximations here")
    approximation.set_defaults(handler=command_approx)

    tower = what.add_parser("tower", help="an m-dimensional tower h·1[x ∈ box], checked at probe points")
    tower.add_argument("--rect", type=float, nargs="+", default=[1.0, 2.0, -2.0, 0.0], metavar="LO HI",
                       help="the box, one LO HI pair per coordinate (default 1 2 -2 0, seed 004's figure)")
    tower.add_argument("--height", type=float, default=1.0, help="h (default 1)")
    tower.add_argument("--kind", choices=approx.KINDS, default="sigmoid")
    tower.add_argument("--w", type=float, default=1000.0, help="steepness of the step units (default 1000)")
    tower.add_argument("--plot", type=Path, help="write a figure of the tower here (1 or 2 dimensions)")
    tower.set_defaults(handler=command_tower)

