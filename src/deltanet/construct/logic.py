"""Boolean functions as networks: XOR with 2 hidden units, any h: {0,1}^p → {0,1} with one hidden layer.

Inputs are bits x = (x1, …, xp), listed as in `dn.data.truth_table`: row i of a truth table is i in binary,
most-significant bit first (x1 is the leading bit), so the table of XOR is 0110.

XOR (seed sheets 000 and 002). With threshold units f(v) = 1 if v > 0 else 0 (`nn.Step(at_zero=0)`):

    'step':     a1 = f(x1 + x2 − ½)   (OR),   a2 = f(x1 + x2 − 3/2)   (AND),   y = f(a1 − a2 − ½)
    'relu':     a1 = ReLU(x1 + x2),  a2 = ReLU(x1 + x2 − 1),  y = f(a1 − 2 a2)      (sheet 000's 2-2-1 net)
    'sigmoid':  the 'step' net with every weight and bias times c = 100 and σ for f (sheet 004, Ex 1.2)

In the 'relu' net a1 − 2 a2 = 0, 1, 1, 0 exactly, so y relies on f(0) = 0: with g(0) = 1 it would fail at
00 and 11. (Sheet 000 prints b = (0, 1) for the hidden biases; that gives a1 − 2 a2 = −2, −3, −3, −4 and
fails; the working bias of the second unit is −1.)

Any boolean function (sheet 000, part 2) via its disjunctive normal form h = T1 ∨ … ∨ Tk, each term a
conjunction of literals, Tt = ∧_{i∈pos} xi ∧ ∧_{i∈neg} ¬xi. One hidden unit per term:

    z_t = Σ_{i∈pos} xi − Σ_{i∈neg} xi − |pos| + β,     β = 1 for ReLU units, β = ½ for step units

If the term holds, z_t = β; each violated literal lowers z_t by exactly 1, so otherwise z_t ≤ β − 1. Hence a
ReLU unit outputs exactly 1 or 0, and a step unit sees z = ±½, never 0, so its at_zero does not matter. The
output is one step unit y = f(Σ_t a_t − ½): 1 iff some term holds (an OR), exact 0/1. (Sheet 000 sets the
bias to 1 − p; that is right only for a term of p un-negated literals. The bias must be 1 − |pos|.)

`minimal_dnf` merges minterms by Quine–McCluskey: all prime implicants (cubes of true rows that cannot
be doubled), then a cover of the true rows — essential primes first, then an exact minimum cover of the
rest by branch and bound when it is small, else greedily the prime covering most uncovered rows, then
dropping redundant terms. Parity has only its 2^(p−1) minterms as primes, so it needs 2^(p−1) units; most
functions need far fewer than their minterm count. A constant false function
has no terms (one hidden unit that never fires keeps the layer non-empty); constant true is the empty
term (a unit that always fires).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from deltanet import nn
from deltanet.construct._common import Failure, choice, failures, linear
from deltanet.tensor import Tensor

MAX_P = 12          # inputs; minimisation keeps up to a 2^p × 2^p table of cubes (16 MB at p = 12)
SIGMOID_GAIN = 100.0
EXACT_PRIMES = 64     # exact minimum cover when at most this many primes touch the rows essentials leave
EXACT_NODES = 20_000
READING_ORDER = str.maketrans("10-", "012")   # terms listed x1 before ¬x1 before neither, x1 first


def inputs(p: int) -> np.ndarray:
    """All 2^p inputs, shape (2^p, p): row i is i in binary, most-significant bit first (x1 first)."""
    shifts = np.arange(p - 1, -1, -1)
    return ((np.arange(2**p)[:, None] >> shifts) & 1).astype(np.float64)


# ------------------------------------------------------------------------------------------------- XOR


def xor(kind: str = "step") -> nn.Sequential:
    """A 2-2-1 network computing x1 XOR x2 on {0,1}² (see the module docstring for the weights)."""
    choice(kind, ("step", "relu", "sigmoid"), "kind", "xor")
    if kind == "relu":
        return nn.Sequential(linear([[1, 1], [1, 1]], [0, -1]), nn.ReLU(),
                             linear([[1, -2]], [0]), nn.Step(at_zero=0.0))
    c = SIGMOID_GAIN if kind == "sigmoid" else 1.0
    f = nn.Sigmoid if kind == "sigmoid" else (lambda: nn.Step(at_zero=0.0))
    return nn.Sequential(linear(c * np.array([[1, 1], [1, 1]]), c * np.array([-0.5, -1.5])), f(),
                         linear(c * np.array([[1, -1]]), c * np.array([-0.5])), f())


def verify_xor(model: nn.Module, atol: float = 0.0) -> list[Failure]:
    """The inputs of {0,1}² where |model(x) − (x1 XOR x2)| > atol (empty: the model computes XOR)."""
    return verify_boolean(model, "0110", atol=atol)


# ------------------------------------------------------------------------------------ truth tables, DNF


def truth_values(truth_table, p: int | None = None) -> np.ndarray:
    """The 2^p outputs of h as a bool array (index = input row, as `inputs(p)`), from

    - a string of '0'/'1' ("0110"), a sequence or array of 0/1 of length 2^p (shape (2^p,) or (2^p, 1),
      e.g. the y of `dn.data.truth_table`), or a Tensor of those — p, if given, must match; or
    - a callable h(x1, …, xp) of p bits (ints) returning 0/1 or a bool — then p is required.
    """
    where = "truth table"
    if p is not None and (isinstance(p, bool) or not isinstance(p, int | np.integer) or not 1 <= p <= MAX_P):
        raise ValueError(f"{where}: p must be an integer from 1 to {MAX_P}, got {p!r}")
    if callable(truth_table) and not isinstance(truth_table, Tensor):
        if p is None:
            raise ValueError(f"{where}: a function h(x1, …, xp) needs the number of inputs p")
        values = [_bit(truth_table(*map(int, row)), row) for row in inputs(p)]
        return np.array(values, dtype=bool)
    if isinstance(truth_table, str):
        if not truth_table or set(truth_table) - {"0", "1"}:
            raise ValueError(f"{where}: a string must hold only the digits 0 and 1, got {truth_table!r}")
        values = np.array([c == "1" for c in truth_table])
    else:
        array = truth_table.numpy() if isinstance(truth_table, Tensor) else np.asarray(truth_table)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1 or array.dtype.kind not in "biuf" or not np.all((array == 0) | (array == 1)):
            raise ValueError(f"{where}: expected a sequence of 0/1 values (or shape (2^p, 1)), got "
                             f"{'shape ' + str(array.shape) if array.ndim != 1 else 'values other than 0/1'}")
        values = array.astype(bool)
    n = len(values)
    n_inputs = n.bit_length() - 1
    if n < 2 or n != 2**n_inputs or n_inputs > MAX_P:
        raise ValueError(f"{where}: the length must be 2^p for p = 1..{MAX_P} (2, 4, 8, …, {2**MAX_P}), got {n}")
    if p is not None and p != n_inputs:
        raise ValueError(f"{where}: p = {p} needs 2^p = {2**p} values, got {n}")
    return values


def _bit(value, row) -> bool:
    if value not in (0, 1):            # True/False, 0/1, 0.0/1.0, np.bool_
        raise ValueError(f"truth table: h{tuple(int(v) for v in row)} must be 0 or 1, got {value!r}")
    return bool(value)


@dataclass(frozen=True)
class DNF:
    """h = T1 ∨ … ∨ Tk over inputs x1..xp. Each term is a string of p characters: '1' for the literal xi,
    '0' for ¬xi, '-' where xi does not appear (Quine–McCluskey's notation)."""

    p: int
    terms: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.terms)

    def __str__(self) -> str:
        if not self.terms:
            return "0"
        literals = [[("x" if c == "1" else "¬x") + str(i + 1) for i, c in enumerate(t) if c != "-"]
                    for t in self.terms]
        if not all(literals):
            return "1"
        grouped = len(literals) > 1
        return " ∨ ".join(f"({' ∧ '.join(t)})" if grouped and len(t) > 1 else " ∧ ".join(t) for t in literals)

    def weights(self, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """W (k × p) and b (k) of the term units: w_ti = +1 for xi, −1 for ¬xi, 0 if absent; b_t = β − |pos|."""
        W = np.array([[{"1": 1.0, "0": -1.0, "-": 0.0}[c] for c in t] for t in self.terms]).reshape(-1, self.p)
        return W, beta - (W == 1).sum(axis=1)


def canonical_dnf(truth_table, p: int | None = None) -> DNF:
    """The DNF with one minterm (a term naming all p inputs) per true row."""
    values = truth_values(truth_table, p)
    p = len(values).bit_length() - 1
    return DNF(p, tuple(format(int(i), f"0{p}b") for i in np.flatnonzero(values)))


def minimal_dnf(truth_table, p: int | None = None) -> DNF:
    """A minimised DNF by Quine–McCluskey (prime implicants, then a cover of the true rows; see the module
    docstring). It has the fewest terms whenever the exact search runs to its end (at most EXACT_PRIMES primes left
    after the essential ones: every function of p ≤ 3 inputs, parity, most small cases); beyond that the
    greedy cover is small but not guaranteed minimum (minimum cover is NP-hard)."""
    values = truth_values(truth_table, p)
    p = len(values).bit_length() - 1
    primes = _prime_implicants(values)
    chosen = _cover(values, primes)
    terms = (_term(mask, value, p) for mask, value in chosen)
    return DNF(p, tuple(sorted(terms, key=lambda t: t.translate(READING_ORDER))))


def _term(mask: int, value: int, p: int) -> str:
    """The cube {value with the bits of mask free} as a term string; x1 is bit p−1."""
    return "".join("-" if mask >> (p - 1 - i) & 1 else str(value >> (p - 1 - i) & 1) for i in range(p))


def _prime_implicants(values: np.ndarray) -> list[tuple[int, int]]:
    """All prime implicants (mask, value) of h: cubes C = {value + any setting of the bits in mask} with h = 1
    on C, not contained in a larger such cube. `value` has 0 in the bits of mask.

    implicant[M][v] says whether the cube through v with free bits M lies in h⁻¹(1); it is built by
    doubling: implicant[M] = implicant[M − b] ∧ implicant[M − b](v with bit b flipped), b the lowest bit of M.
    Masks whose cubes all leave h⁻¹(1) are not stored (nor, then, any mask containing them).
    """
    n = len(values)
    v = np.arange(n)
    implicant = {0: values}
    for M in range(1, n):
        b = M & -M
        half = implicant.get(M ^ b)
        if half is not None and (cubes := half & half[v ^ b]).any():
            implicant[M] = cubes
    primes = []
    for M, cubes in implicant.items():
        extendable = np.zeros(n, dtype=bool)
        for b in _bits((n - 1) & ~M):
            extendable |= implicant.get(M | b, False)
        primes += [(M, int(value)) for value in np.flatnonzero(cubes & ~extendable & ((v & M) == 0))]
    return primes


def _members(mask: int, value: int) -> np.ndarray:
    """The rows of the cube (mask, value)."""
    rows = np.array([value])
    for i in range(mask.bit_length()):
        if mask >> i & 1:
            rows = np.concatenate([rows, rows | (1 << i)])
    return rows


def _cover(values: np.ndarray, primes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Primes covering every true row: the essential primes (sole cover of some row), then for the rows left
    an exact minimum cover by branch and bound when at most EXACT_PRIMES primes touch them (and the search
    ends within EXACT_NODES nodes), else greedily the prime covering most uncovered rows (larger cubes first);
    finally terms that the others already cover are dropped."""
    members = [_members(mask, value) for mask, value in primes]
    times = np.zeros(len(values), dtype=np.int64)          # how many primes (later: chosen terms) cover a row
    for rows in members:
        times[rows] += 1
    chosen = [i for i, rows in enumerate(members) if np.any(times[rows] == 1)]
    covered = np.zeros(len(values), dtype=bool)
    for i in chosen:
        covered[members[i]] = True
    left = np.flatnonzero(values & ~covered)
    touching = [i for i, rows in enumerate(members) if not covered[rows].all()]
    if len(touching) <= EXACT_PRIMES:
        position = np.full(len(values), -1)
        position[left] = np.arange(len(left))
        sets = [sum(1 << int(k) for k in position[members[i]] if k >= 0) for i in touching]
        chosen += [touching[k] for k in _minimum_cover(sets, (1 << len(left)) - 1)]
    else:
        chosen += _greedy_cover(members, covered, values)
    times[:] = 0
    for i in chosen:
        times[members[i]] += 1
    for i in reversed(list(chosen)):
        if np.all(times[members[i]] >= 2):
            chosen.remove(i)
            times[members[i]] -= 1
    return [primes[i] for i in chosen]


def _greedy_cover(members: list[np.ndarray], covered: np.ndarray, values: np.ndarray) -> list[int]:
    """Repeatedly the prime covering the most uncovered true rows (lazy priority queue; ties: larger cube)."""
    covered = covered.copy()
    chosen = []
    heap = [(-len(rows), -len(rows), i) for i, rows in enumerate(members)]
    heapq.heapify(heap)
    uncovered = int((values & ~covered).sum())
    while uncovered:
        _, size, i = heapq.heappop(heap)
        gain = int(np.count_nonzero(~covered[members[i]]))
        if gain == 0:
            continue
        if heap and (-gain, size, i) > heap[0]:            # stale priority: put it back with its true gain
            heapq.heappush(heap, (-gain, size, i))
            continue
        chosen.append(i)
        covered[members[i]] = True
        uncovered -= gain
    return chosen


def _minimum_cover(sets: list[int], full: int) -> list[int]:
    """Indices of fewest `sets` (bitsets) whose union is `full`: depth-first branch and bound, branching on
    the row with the fewest covering sets; falls back to the best found if the search runs out of nodes."""
    best = list(range(len(sets)))
    largest = max((s.bit_count() for s in sets), default=1)
    covering = {row: [i for i, s in enumerate(sets) if s & row] for row in _bits(full)}
    nodes = 0

    def search(covered: int, picked: list[int]) -> None:
        nonlocal best, nodes
        nodes += 1
        rest = full & ~covered
        if not rest:
            best = picked if len(picked) < len(best) else best
            return
        if nodes > EXACT_NODES or len(picked) + -(-rest.bit_count() // largest) >= len(best):
            return
        options = min((covering[row] for row in _bits(rest)), key=len)
        for i in sorted(options, key=lambda i: -(sets[i] & rest).bit_count()):
            search(covered | sets[i], [*picked, i])

    search(0, [])
    return best


def _bits(x: int):
    """The set bits of x, one int each."""
    while x:
        low = x & -x
        yield low
        x ^= low


# ----------------------------------------------------------------------------------- boolean networks


def boolean(truth_table, activation: str = "relu", minimise: bool = True, p: int | None = None) -> nn.Sequential:
    """One-hidden-layer network computing h: {0,1}^p → {0,1} exactly: one hidden unit per DNF term
    (ReLU or step, see the module docstring), output y = f(Σ_t a_t − ½) with a step unit f.

    `truth_table` as in `truth_values`; `minimise=False` uses one unit per true row (the canonical DNF)."""
    choice(activation, ("relu", "step"), "activation", "boolean")
    if not isinstance(minimise, bool):
        raise TypeError(f"boolean: minimise must be True or False, got {minimise!r}")
    dnf = (minimal_dnf if minimise else canonical_dnf)(truth_table, p)
    beta = 1.0 if activation == "relu" else 0.5
    W, b = dnf.weights(beta)
    if not len(dnf):                                        # h ≡ 0: one unit that never fires
        W, b = np.zeros((1, dnf.p)), np.array([-1.0])
    hidden = nn.ReLU() if activation == "relu" else nn.Step(at_zero=0.0)
    return nn.Sequential(linear(W, b), hidden, linear(np.ones((1, len(b))), [-0.5]), nn.Step(at_zero=0.0))


def verify_boolean(model: nn.Module, truth_table, p: int | None = None, atol: float = 0.0) -> list[Failure]:
    """The inputs x ∈ {0,1}^p where |model(x) − h(x)| > atol, all 2^p checked in one forward pass."""
    values = truth_values(truth_table, p)
    return failures(model, inputs(len(values).bit_length() - 1), values.astype(np.float64), atol, "verify_boolean")
