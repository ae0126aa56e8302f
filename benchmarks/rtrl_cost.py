"""The cost of RTRL against BPTT as the hidden size |h| grows (seed sheet 003, Q5.2).

A vanilla tanh RNN cell with |x| = 4 inputs, batch 1, a cross-entropy read-out at each of T steps; the
same gradient (checked here) computed two ways:
  BPTT  the unrolled cell, one backward at the end:  O(|h|² + |h||x|) work per step, O(T·|h|) memory;
  RTRL  sensitivities S = ∂h_t/∂θ of shape (|h|, |θ|) carried forward (deltanet.rtrl, method="exact"):
        S ← f'(a_t) ⊙ (W_hh S + ∂a_t/∂θ|immediate) costs O(|h|²·|θ|) per step and S holds |h|·|θ| numbers;
        with |θ| = |h|² + |h||x| + 2|h| that is O(|h|⁴) time per step and O(|h|³) memory, independent of T.

    .venv/bin/python benchmarks/rtrl_cost.py [--hidden 8 16 32 64 128 256] [--steps 10]

Prints per hidden size: |θ|, seconds per step and peak memory (tracemalloc, NumPy allocations included)
of each method, and the log-log slopes between the two largest sizes (RTRL's time slope tends to 4).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import deltanet as dn
from deltanet.rtrl import RTRL

INPUTS, CLASSES = 4, 3


def measure(fn, repeats=3):
    """(best seconds over `repeats` runs, peak bytes of one traced run) of fn()."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(seconds), peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[8, 16, 32, 64, 128, 256])
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)
    dn.set_default_dtype(np.float64)
    T = args.steps
    rng = np.random.default_rng(0)
    xs, ys = rng.standard_normal((T, 1, INPUTS)), rng.integers(0, CLASSES, (T, 1))
    rows = []
    print(f"vanilla tanh RNN cell, |x| = {INPUTS}, batch 1, T = {T} steps, loss at every step, float64")
    print(f"{'|h|':>5} {'|θ|':>7} {'S = |h|·|θ|':>12} {'BPTT s/step':>12} {'RTRL s/step':>12} {'ratio':>7} "
          f"{'BPTT peak':>10} {'RTRL peak':>10}")
    for H in args.hidden:
        dn.manual_seed(0)
        cell, readout = dn.nn.RNNCell(INPUTS, H), dn.nn.Linear(H, CLASSES)

        def bptt(cell=cell, readout=readout):
            h, total = None, 0
            for x, y in zip(xs, ys, strict=True):
                h = cell(dn.tensor(x), h)
                total = total + dn.nn.functional.cross_entropy(readout(h), dn.tensor(y))
            total.backward()

        rtrl = RTRL(cell)

        def online(rtrl=rtrl, readout=readout):
            rtrl.reset(1)
            for x, y in zip(xs, ys, strict=True):
                rtrl.backward(dn.nn.functional.cross_entropy(readout(rtrl.step(x)), dn.tensor(y)))

        cell.zero_grad()
        bptt()
        reference = [p.grad.data.copy() for p in cell.parameters()]
        cell.zero_grad()
        online()
        for a, p in zip(reference, cell.parameters(), strict=True):   # the same gradient, two ways
            np.testing.assert_allclose(p.grad.data, a, rtol=1e-9, atol=1e-12)
        t_bptt, m_bptt = measure(bptt)
        t_rtrl, m_rtrl = measure(online, repeats=1 if H > 128 else 3)
        P = rtrl.num_params
        rows.append((H, t_bptt / T, t_rtrl / T, m_bptt, m_rtrl))
        print(f"{H:>5} {P:>7,} {H * P:>12,} {t_bptt / T:>12.2e} {t_rtrl / T:>12.2e} {t_rtrl / t_bptt:>7.0f} "
              f"{m_bptt / 2**20:>8.2f}MB {m_rtrl / 2**20:>8.2f}MB")
    if len(rows) >= 2:
        (h1, b1, r1, mb1, mr1), (h2, b2, r2, mb2, mr2) = rows[-2], rows[-1]
        k = np.log(h2 / h1)
        print(f"log-log slopes between |h| = {h1} and {h2}: time  BPTT {np.log(b2 / b1) / k:.1f}, "
              f"RTRL {np.log(r2 / r1) / k:.1f} (theory: 4 for large |h|);  memory  BPTT "
              f"{np.log(mb2 / mb1) / k:.1f}, RTRL {np.log(mr2 / mr1) / k:.1f} (theory: 3)")


if __name__ == "__main__":
    main()
