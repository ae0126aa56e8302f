"""A character-level language model: the probability of each next character given all before it.

    x_t = one-hot of character t (V)  →  h_t = LSTM/GRU/RNN(x_t, h_{t−1})  →  z_t = W h_t + b  (V logits)
    p(c_{t+1} = c | c_1 … c_t) = softmax(z_t)_c

The cost is the cross-entropy C = −(1/N) Σ_t ln p(c_{t+1}) in nats per character; C / ln 2 is in bits per
character — what the text would cost to compress with the model's predictions. A model that knows only the
character frequencies needs the unigram entropy H = −Σ_c p_c log₂ p_c; one that reads the context needs less.

Training follows char-rnn: the text is one long stream, cut into B parallel tracks (`data.text.tracks`);
each epoch walks along all of them at once in windows of k characters (truncated BPTT, `TruncatedBPTT`):
the recurrent state leaving a window enters the next, detached, so the forward pass sees the whole track
while ∂C/∂θ reaches back at most k steps; Adam takes one step per window. Sampling feeds each drawn
character back in: c_{t+1} ~ softmax(z_t / T), T the temperature (T → 0: always the likeliest, greedy).

    text = load_corpus("python-docs")
    result = train_char_lm(text, hidden=256, epochs=5)
    print(sample(result["model"], result["vocabulary"], 300, prime="def ", temperature=0.8))

`deltanet train text` runs this from the command line and `deltanet sample RUN_DIR` (registered by
`add_parser`) generates text from a saved run.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from deltanet import io, nn
from deltanet.arguments import number, whole_number
from deltanet.autograd import no_grad
from deltanet.data.encode import one_hot
from deltanet.data.text import Vocabulary, split, tracks, unigram_entropy
from deltanet.nn import functional as F
from deltanet.optim import Adam
from deltanet.random import manual_seed
from deltanet.tensor import Tensor
from deltanet.train.history import History
from deltanet.train.loop import TrainingDiverged
from deltanet.train.sequences import _recurrent
from deltanet.train.tbptt import TruncatedBPTT, windows

CHUNK_WINDOWS = 16   # windows per TruncatedBPTT.run call: how often the progress report can come


def char_lm(vocab_size: int, hidden: int = 256, num_layers: int = 1, kind: str = "lstm") -> nn.Sequential:
    """One-hot characters (B, T, V) → `kind` recurrent layer(s) (batch_first) → every step's h_t →
    Linear(hidden, V) logits (B, T, V). Deltanet layers only, so `dn.io.save` can describe it."""
    return nn.Sequential(_recurrent(kind, vocab_size, hidden, num_layers), nn.RNNOutput(),
                         nn.Linear(hidden, vocab_size))


def forward(model: nn.Sequential, ids, state=None):
    """Logits z (B, k, V) for the characters `ids` (B, k) starting from `state` (None: zeros), and the
    recurrent state after them — the model of `char_lm` run with a state carried in and out."""
    recurrent, readout = model[0], model[-1]
    x = Tensor(one_hot(ids, readout.out_features, readout.weight.dtype))
    h, state = recurrent(x, state)
    return readout(h), state


def train_epoch(model, optimizer, x: np.ndarray, y: np.ndarray, bptt: int, clip: float | None = None,
                progress=None) -> float:
    """One pass along the tracks x → y (B, L) in windows of `bptt` characters, the state carried from
    window to window and detached at each boundary, one optimizer step per window. Each window's cost is
    C_w = (1/(B·k)) Σ −ln p(y) over its B·k characters (a shorter last window counts in proportion to its
    length). `progress(fraction_done, mean_cost)` is called after every CHUNK_WINDOWS windows.
    Returns the mean cost per character in nats."""
    batch, length = x.shape
    vocab = model[-1].out_features
    cross_entropy = nn.CrossEntropyLoss(reduction="sum")

    def window_cost(z, target):
        return cross_entropy(z.reshape(-1, vocab), target.reshape(-1)) / (batch * bptt)

    tbptt = TruncatedBPTT(lambda ids, state: forward(model, ids, state), window_cost, k=bptt,
                          optimizer=optimizer, average_over_time=False, clip_norm=clip)
    model.train()
    state, total = None, 0.0
    for chunk in windows(length, bptt * CHUNK_WINDOWS):
        cost, state = tbptt.run(x[:, chunk], y[:, chunk], state)
        total += cost
        if progress is not None:
            progress(chunk.stop / length, total * bptt / chunk.stop)
    return total * bptt / length


def score(model, x: np.ndarray, y: np.ndarray, bptt: int) -> dict:
    """How well the model predicts y from x along the tracks (B, L), the state carried, no graph:
    {"loss": mean −ln p(y) in nats, "bits_per_char": loss / ln 2, "accuracy": the fraction of characters
    that are the model's likeliest}."""
    vocab = model[-1].out_features
    cross_entropy = nn.CrossEntropyLoss(reduction="sum")
    was_training = model.training
    model.eval()
    state, total, correct = None, 0.0, 0
    with no_grad():
        for window in windows(x.shape[1], bptt):
            z, state = forward(model, x[:, window], state)
            target = y[:, window]
            total += cross_entropy(z.reshape(-1, vocab), Tensor(target.reshape(-1))).item()
            correct += int((z.data.argmax(axis=-1) == target).sum())
    model.train(was_training)
    loss = total / y.size
    return {"loss": loss, "bits_per_char": loss / math.log(2), "accuracy": correct / y.size}


def _progress_lines(log, label: str, interval: float):
    """A progress(fraction_done, mean_cost) callback that logs a line at most every `interval` seconds."""
    last = time.perf_counter()

    def progress(done, cost):
        nonlocal last
        if time.perf_counter() - last >= interval:
            last = time.perf_counter()
            log(f"  {label}: {100 * done:.0f}% of the text, {cost / math.log(2):.3f} bits/char")

    return progress


def train_char_lm(text: str, kind: str = "lstm", hidden: int = 256, num_layers: int = 1, epochs: int = 5,
                  bptt: int = 64, batch: int = 16, lr: float = 3e-3, clip: float | None = 5.0,
                  validation: float = 0.1, seed: int = 0, log=print, interval: float = 10.0) -> dict:
    """Train `char_lm` on `text` (its last `validation` fraction held out) with Adam and truncated BPTT.

    Logs the unigram baseline, a progress line every `interval` seconds and the bits per character after
    every epoch (when `log` is given). Returns {model, vocabulary, history (per epoch: train_loss and
    val_loss in nats, train_bpc, val_bpc, val_accuracy, time), unigram_bits, val_bits, seconds, settings}."""
    manual_seed(seed)
    vocabulary = Vocabulary(text)
    train_ids, val_ids = split(vocabulary.encode(text), validation)
    x, y = tracks(train_ids, batch)
    x_val, y_val = tracks(val_ids, min(batch, len(val_ids) - 1))
    model = char_lm(len(vocabulary), hidden, num_layers, kind)
    optimizer = Adam(model.parameters(), lr=lr)
    unigram = unigram_entropy(train_ids)
    if log:
        log(f"text: {len(text):,} characters, {len(vocabulary)} distinct; {len(train_ids):,} for training in "
            f"{batch} tracks of {x.shape[1]:,}, {len(val_ids):,} for validation; unigram entropy {unigram:.3f} "
            f"bits/char")
    history, start = History(), time.perf_counter()
    for epoch in range(1, epochs + 1):
        begun = time.perf_counter()
        progress = _progress_lines(log, f"epoch {epoch}/{epochs}", interval) if log else None
        train_loss = train_epoch(model, optimizer, x, y, bptt, clip, progress)
        if not math.isfinite(train_loss):
            raise TrainingDiverged(f"text: the cost became {train_loss} in epoch {epoch}; try a smaller lr")
        val = score(model, x_val, y_val, bptt)
        history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val["loss"],
                        "train_bpc": train_loss / math.log(2), "val_bpc": val["bits_per_char"],
                        "val_accuracy": val["accuracy"], "time": time.perf_counter() - begun})
        if log:
            log(f"epoch {epoch}/{epochs}: training {train_loss / math.log(2):.3f} bits/char, validation "
                f"{val['bits_per_char']:.3f} bits/char ({val['loss']:.4f} nats), next character right "
                f"{100 * val['accuracy']:.1f}%, {history.last['time']:.0f} s")
    settings = dict(kind=kind, hidden=hidden, num_layers=num_layers, epochs=epochs, bptt=bptt, batch=batch, lr=lr,
                    clip=clip, validation=validation, seed=seed)
    return {"model": model, "vocabulary": vocabulary, "history": history, "unigram_bits": unigram,
            "val_bits": history.last["val_bpc"], "seconds": time.perf_counter() - start, "settings": settings}


def sample(model, vocabulary: Vocabulary, length: int = 300, prime: str | None = None, temperature: float = 1.0,
           seed: int = 0) -> str:
    """`prime` followed by `length` generated characters. The prime (default a newline, or the vocabulary's
    first character if it has none) sets the state; then each next character is drawn from
    p = softmax(z / T) of the logits z after the last one (T < 1 sharpens p, T > 1 flattens it), with a
    generator seeded by `seed`; T = 0 takes the likeliest character every time (greedy, the limit T → 0)."""
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"sample: length must be a whole number ≥ 0, got {length!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or \
            not 0 <= temperature < math.inf:
        raise ValueError(f"sample: temperature must be a finite number ≥ 0, got {temperature!r}")
    if model[-1].out_features != len(vocabulary):
        raise ValueError(f"sample: the model predicts {model[-1].out_features} characters, the vocabulary "
                         f"has {len(vocabulary)}")
    if prime is None:
        prime = "\n" if "\n" in vocabulary.chars else vocabulary.chars[0]
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"sample: prime must be a non-empty str (the text to continue), got {prime!r}")
    rng = np.random.default_rng(seed)
    was_training = model.training
    model.eval()
    drawn = []
    with no_grad():
        z, state = forward(model, vocabulary.encode(prime)[None, :])
        for _ in range(length):
            logits = z[0, -1]
            if temperature == 0:
                c = int(logits.data.argmax())
            else:
                p = F.softmax(logits, dim=-1, temperature=temperature).data.astype(np.float64)
                c = int(rng.choice(len(p), p=p / p.sum()))
            drawn.append(c)
            z, state = forward(model, np.array([[c]]), state)
    model.train(was_training)
    return prime + vocabulary.decode(drawn)


# ---- run directories and `deltanet sample` --------------------------------------------------------------


def save_run(result: dict, run_dir, corpus: str) -> Path:
    """Write a run directory: model.npz (weights, architecture; metadata: the vocabulary, the corpus, the
    training settings and results), model.json, history.json and curves.png. Returns run_dir."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    model, settings = result["model"], result["settings"]
    metadata = {"task": "text", "corpus": corpus, "vocabulary": result["vocabulary"].chars, "training": settings,
                "unigram_bits": result["unigram_bits"], "val_bits": result["val_bits"]}
    io.save(model, run_dir / "model.npz", metadata=metadata)
    io.save_architecture(model, run_dir / "model.json")
    (run_dir / "history.json").write_text(result["history"].to_json())
    from deltanet.plot import training_curves

    title = (f"{corpus} — {settings['kind'].upper()} {settings['num_layers']}×{settings['hidden']} — validation "
             f"{result['val_bits']:.3f} bits/char (unigram {result['unigram_bits']:.3f})")
    training_curves(result["history"].records, title, run_dir / "curves.png")
    return run_dir


def load_run(path) -> tuple[nn.Sequential, Vocabulary]:
    """(model, vocabulary) of a run directory (or its model.npz) written by `save_run`."""
    path = Path(path)
    path = path / "model.npz" if path.is_dir() else path
    if not path.exists():
        raise ValueError(f"sample: no model file at {path} (expected a run directory of `deltanet train text`)")
    metadata = io.info(path).get("metadata", {})
    if metadata.get("task") != "text" or not isinstance(metadata.get("vocabulary"), str):
        raise ValueError(f"sample: {path} is not a character-level language model (it has no vocabulary; "
                         "train one with `deltanet train text`)")
    return io.load(path), Vocabulary(metadata["vocabulary"])


def command_sample(args) -> int:
    """`deltanet sample RUN_DIR`: generate text from a saved character-level language model."""
    model, vocabulary = load_run(args.path)
    print(sample(model, vocabulary, args.chars, args.prime, args.temperature, args.seed))
    return 0


def add_parser(commands) -> None:
    """Register `deltanet sample` on the CLI's subcommands."""
    parser = commands.add_parser("sample", help="generate text from a character-level language model",
                                 description="Continue a prime with characters drawn one at a time from "
                                             "softmax(z / T) of a model trained by `deltanet train text`.")
    parser.add_argument("path", type=Path, help="a run directory of `deltanet train text` (or its model.npz)")
    parser.add_argument("--chars", type=whole_number(0), default=500, help="how many characters to generate")
    parser.add_argument("--temperature", type=number(), default=0.8,
                        help="T in softmax(z / T): below 1 safer, above 1 wilder; 0 = greedy (default 0.8)")
    parser.add_argument("--prime", help="the text to continue (default a newline)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    parser.set_defaults(handler=command_sample)

