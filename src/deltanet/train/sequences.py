"""Sequence tasks for recurrent networks, each a model builder plus a training function.

- Row-MNIST: each 28×28 image read as 28 time steps of one 28-pixel row; LSTM → last state → Linear(10).
- The adding problem (Hochreiter & Schmidhuber 1997): sum the two marked values of a long sequence. The
  marks can be up to `length` steps before the answer, so the gradient must survive that many steps —
  the textbook case where an LSTM learns and a vanilla RNN does not (its error stays at the variance of
  the target, 1/6, what predicting the mean 1 gives).
- The embedded Reber grammar: predict the set of symbols that may come next; the second symbol (T or P)
  must be remembered to the end of the string.

The training functions return plain dicts of results (and print progress lines when `log` is given), so
the CLI, the tests and notebooks can share them.
"""

from __future__ import annotations

import time

import numpy as np

from deltanet import nn
from deltanet.autograd import no_grad
from deltanet.data import DataLoader, TensorDataset, datasets
from deltanet.nn import functional as F
from deltanet.optim import Adam
from deltanet.optim.clip import clip_grad_norm_
from deltanet.random import manual_seed
from deltanet.tensor import Tensor, get_default_dtype

RECURRENT = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def _recurrent(kind: str, input_size: int, hidden: int, num_layers: int = 1):
    if kind not in RECURRENT:
        raise ValueError(f"unknown recurrent layer {kind!r}; choose one of {', '.join(RECURRENT)}")
    return RECURRENT[kind](input_size, hidden, num_layers=num_layers, batch_first=True)


# ---- row-MNIST ------------------------------------------------------------------------------------------


def row_classifier(hidden: int = 128, kind: str = "lstm", steps: int = 28, features: int = 28,
                   classes: int = 10, num_layers: int = 1) -> nn.Sequential:
    """Flat images (N, steps·features) → (N, steps, features) rows → recurrent layer → its last state →
    Linear(hidden, classes) logits. All deltanet layers, so `dn.io.save` can describe it."""
    return nn.Sequential(nn.Unflatten(1, (steps, features)), _recurrent(kind, features, hidden, num_layers),
                         nn.LastStep(), nn.Linear(hidden, classes))


def train_row_mnist(epochs: int = 3, hidden: int = 128, kind: str = "lstm", batch: int = 64, lr: float = 1e-3,
                    seed: int = 0, n_train: int | None = None, callbacks=(), log=print) -> dict:
    """Train `row_classifier` on MNIST rows with Adam; returns {model, history, test_accuracy, seconds}."""
    from deltanet.train.callbacks import ProgressBar
    from deltanet.train.loop import evaluate, fit

    manual_seed(seed)
    X, y = datasets.mnist("train")
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    X_val, y_val = datasets.mnist("validation")
    model = row_classifier(hidden, kind)
    train_loader = DataLoader(TensorDataset(X, y), batch_size=batch, shuffle=True, seed=seed)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=1000)
    callbacks = list(callbacks) or ([ProgressBar(epochs)] if log else [])
    start = time.perf_counter()
    history = fit(model, nn.CrossEntropyLoss(), Adam(model.parameters(), lr=lr), train_loader, val_loader,
                  epochs=epochs, callbacks=callbacks)
    seconds = time.perf_counter() - start
    X_test, y_test = datasets.mnist("test")
    accuracy = evaluate(model, DataLoader(TensorDataset(X_test, y_test), batch_size=1000))["accuracy"]
    if log:
        log(f"row-MNIST {kind.upper()}({hidden}): test accuracy {100 * accuracy:.2f}% after {epochs} epochs, "
            f"{seconds:.0f} s of training")
    return {"model": model, "history": history, "test_accuracy": accuracy, "seconds": seconds}


# ---- the adding problem -------------------------------------------------------------------------------


def sequence_regressor(kind: str = "lstm", input_size: int = 2, hidden: int = 64, outputs: int = 1):
    """(N, T, input_size) → recurrent layer → last state → Linear(hidden, outputs)."""
    return nn.Sequential(_recurrent(kind, input_size, hidden), nn.LastStep(), nn.Linear(hidden, outputs))


ADDING_BASELINE = 1 / 6   # variance of the sum of two U(0, 1): the MSE of always answering 1


def train_adding(kind: str = "lstm", length: int = 50, hidden: int = 64, steps: int = 6000, batch: int = 64,
                 lr: float = 1e-3, clip: float = 1.0, seed: int = 0, eval_every: int = 100,
                 solved_below: float = 0.01, log=print) -> dict:
    """Adam on fresh random batches of the adding problem (sequences of `length` steps); every
    `eval_every` steps the MSE on 1,000 held-out sequences. Stops early once that MSE < `solved_below`
    (the usual criterion: well below the baseline 1/6). Returns {model, curve [(step, val_mse)],
    best_mse, solved, steps, seconds}."""
    manual_seed(seed)
    dtype = get_default_dtype()
    model = sequence_regressor(kind, 2, hidden)
    optimizer = Adam(model.parameters(), lr=lr)
    X_val, y_val = datasets.adding_problem(1000, length, seed=seed + 10_000)
    X_val, y_val = Tensor(X_val.astype(dtype)), Tensor(y_val.astype(dtype))
    rng = np.random.default_rng(seed)
    curve, start, step = [], time.perf_counter(), 0
    for step in range(1, steps + 1):
        X, y = datasets.adding_problem(batch, length, seed=int(rng.integers(2**31)))
        loss = F.mse_loss(model(Tensor(X.astype(dtype))), Tensor(y.astype(dtype)))
        optimizer.zero_grad()
        loss.backward()
        if clip:
            clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        if step % eval_every == 0 or step == steps:
            with no_grad():
                mse = F.mse_loss(model.eval()(X_val), y_val).item()
            model.train()
            curve.append((step, mse))
            if log:
                log(f"  adding T={length} {kind.upper()}({hidden}) step {step}: validation MSE {mse:.4f} "
                    f"(baseline {ADDING_BASELINE:.4f})")
            if mse < solved_below:
                break
    best = min(m for _, m in curve)
    return {"model": model, "curve": curve, "best_mse": best, "solved": best < solved_below, "steps": step,
            "seconds": time.perf_counter() - start}


# ---- the embedded Reber grammar ----------------------------------------------------------------------------

REBER_SYMBOLS = "BTSXPVE"
# Reber's automaton: state → [(symbol, next state)], both choices equally likely; state 5 ends with E.
_REBER = {0: [("T", 1), ("P", 2)], 1: [("S", 1), ("X", 3)], 2: [("T", 2), ("V", 4)],
          3: [("X", 2), ("S", 5)], 4: [("P", 3), ("V", 5)]}


def reber_string(rng, embedded: bool = True) -> str:
    """One string of the (embedded) Reber grammar, e.g. 'BTBPVVETE'."""
    state, body = 0, "B"
    while state != 5:
        symbol, state = _REBER[state][rng.integers(2)]
        body += symbol
    body += "E"
    if not embedded:
        return body
    branch = "TP"[rng.integers(2)]
    return "B" + branch + body + branch + "E"


def _next_symbols(string: str, embedded: bool) -> list[str]:
    """For each prefix string[:k+1], the set of symbols that may follow (the prediction targets)."""
    allowed = []
    inner_start = 2 if embedded else 0
    inner_end = len(string) - 2 if embedded else len(string)
    for k in range(len(string) - 1):
        if embedded and k == 0:
            allowed.append("TP")
        elif embedded and k == 1:
            allowed.append("B")
        elif embedded and k == inner_end - 1:      # after the inner E: the remembered branch symbol
            allowed.append(string[1])
        elif embedded and k == inner_end:
            allowed.append("E")
        else:                                      # inside the Reber automaton: replay it to this point
            state, j = 0, inner_start + 1
            while j <= k:
                state = dict(_REBER[state])[string[j]]
                j += 1
            allowed.append("E" if state == 5 else "".join(s for s, _ in _REBER[state]))
    return allowed


def reber_sequences(n: int = 1000, embedded: bool = True, seed=None):
    """One-hot inputs X (n, T, 7) (T = longest string − 1, zero-padded), multi-hot targets Y (n, T, 7) —
    the symbols allowed next — and a mask (n, T) of real steps. Symbols in the order B T S X P V E."""
    rng = np.random.default_rng(seed)
    strings = [reber_string(rng, embedded) for _ in range(n)]
    T = max(len(s) for s in strings) - 1
    dtype = get_default_dtype()
    X, Y, mask = np.zeros((n, T, 7), dtype), np.zeros((n, T, 7), dtype), np.zeros((n, T), dtype)
    index = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    for i, string in enumerate(strings):
        for k, (symbol, allowed) in enumerate(zip(string[:-1], _next_symbols(string, embedded), strict=True)):
            X[i, k, index[symbol]] = 1
            Y[i, k, [index[a] for a in allowed]] = 1
            mask[i, k] = 1
    return X, Y, mask


def reber_tagger(kind: str = "lstm", hidden: int = 16):
    """(N, T, 7) → recurrent layer → Linear(hidden, 7) at every step (logits of the next symbols)."""
    return nn.Sequential(_recurrent(kind, 7, hidden), nn.RNNOutput(), nn.Linear(hidden, 7))


def train_reber(kind: str = "lstm", hidden: int = 16, epochs: int = 30, n_train: int = 2000, batch: int = 32,
                lr: float = 1e-2, seed: int = 0, log=print) -> dict:
    """Embedded Reber grammar: sigmoid outputs trained with masked binary cross-entropy to light up
    exactly the symbols allowed next. A test string counts as correct when, at every step, the outputs
    above 0.5 are exactly the allowed symbols. Returns {model, test_accuracy, epochs, seconds}."""
    manual_seed(seed)
    model = reber_tagger(kind, hidden)
    optimizer = Adam(model.parameters(), lr=lr)
    X, Y, M = reber_sequences(n_train, seed=seed)
    X_test, Y_test, M_test = reber_sequences(1000, seed=seed + 1)
    rng = np.random.default_rng(seed)
    start, accuracy = time.perf_counter(), 0.0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n_train)
        for i in range(0, n_train, batch):
            rows = order[i:i + batch]
            logits = model(Tensor(X[rows]))
            losses = F.binary_cross_entropy_with_logits(logits, Tensor(Y[rows]), reduction="none")
            loss = (losses.sum(dim=2) * Tensor(M[rows])).sum() / float(M[rows].sum())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with no_grad():
            predicted = model.eval()(Tensor(X_test)).data > 0
        model.train()
        right = np.all((predicted == (Y_test > 0.5)) | (M_test[:, :, None] == 0), axis=(1, 2))
        accuracy = float(right.mean())
        if log:
            log(f"  Reber {kind.upper()}({hidden}) epoch {epoch}: {100 * accuracy:.1f}% of test strings "
                f"predicted right at every step")
        if accuracy == 1.0:
            break
    return {"model": model, "test_accuracy": accuracy, "epochs": epoch, "seconds": time.perf_counter() - start}
