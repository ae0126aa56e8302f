"""Callbacks: EarlyStopping on scripted histories, GradNormLogger against norms computed by hand,
ProgressBar's plain-line output when the stream is not a terminal."""

import io
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest
from train_helpers import X_TRAIN, Y_TRAIN, blob_loaders

import deltanet as dn
from deltanet import nn
from deltanet.data import DataLoader, TensorDataset
from deltanet.train import Callback, EarlyStopping, GradNormLogger, ProgressBar, fit


class Recorder(Callback):
    """Keeps the epoch records as the callbacks before it left them."""

    def __init__(self):
        self.records = []

    def on_epoch_end(self, trainer, record):
        self.records.append(dict(record))

# ---- EarlyStopping: fed fake records, one epoch at a time ---------------------------------------------------


def stopped_after(callback, values, key="val_loss"):
    """Feed `values` as successive epoch records; the epoch (1-based) after which training stops, or None."""
    trainer = SimpleNamespace(stop=False)
    for epoch, value in enumerate(values, start=1):
        record = {"epoch": epoch, key: value}
        callback.on_epoch_end(trainer, record)
        if trainer.stop:
            assert record["stopped_early"] is True
            return epoch
        assert "stopped_early" not in record
    return None


@pytest.mark.parametrize("values, patience, expected", [
    ([1.0, 0.9, 0.95, 0.92, 0.91], 3, 5),          # best at epoch 2, then 3 epochs without improvement
    ([1.0, 0.9, 0.95, 0.92, 0.91], 4, None),       # not yet
    ([1.0, 0.9, 0.95, 0.85, 0.91, 0.9], 2, 6),     # the improvement at epoch 4 resets the count
    ([1.0, 1.0, 1.0], 1, 2),                       # equal is not better
    ([0.5], 1, None),
])
def test_early_stopping_counts_epochs_without_improvement(values, patience, expected):
    assert stopped_after(EarlyStopping("val_loss", patience=patience), values) == expected


def test_early_stopping_min_delta_ignores_tiny_improvements():
    # improvements of 0.005 < min_delta = 0.01 do not count
    assert stopped_after(EarlyStopping(patience=2, min_delta=0.01), [1.0, 0.995, 0.992, 0.5]) == 3
    assert stopped_after(EarlyStopping(patience=2, min_delta=0.001), [1.0, 0.995, 0.99, 0.985]) is None


def test_early_stopping_on_accuracy_maximises():
    callback = EarlyStopping("val_accuracy", patience=2)
    assert callback.mode == "max"
    assert stopped_after(callback, [0.5, 0.7, 0.6, 0.7, 0.8], "val_accuracy") == 4
    assert stopped_after(EarlyStopping("val_loss", patience=1, mode="max"), [0.1, 0.2, 0.3, 0.2]) == 4


def test_early_stopping_names_a_missing_metric():
    with pytest.raises(KeyError, match="val_loss.*validation loader"):
        EarlyStopping().on_epoch_end(SimpleNamespace(stop=False), {"epoch": 1, "train_loss": 0.3})
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def early_stopped_run():
    """With lr = 0 the validation loss is the same every epoch: best at epoch 1, stop after 1 + patience."""
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3))
    train, val = blob_loaders()
    recorder = Recorder()
    history = fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.0), train, val,
                  epochs=50, callbacks=[EarlyStopping("val_loss", patience=3), recorder])
    return history, recorder


def test_early_stopping_ends_fit_when_nothing_changes():
    history, recorder = early_stopped_run()
    assert history["epoch"] == [1, 2, 3, 4]
    assert len(set(history["val_loss"])) == 1
    assert recorder.records[-1]["stopped_early"] is True


def test_the_stopped_early_flag_reaches_the_history():
    """Callbacks annotate the epoch record (EarlyStopping: "stopped_early"; GradNormLogger: "grad_norms"),
    but `Trainer.fit` appends a *copy* of the record to the History before calling on_epoch_end, so the
    annotations never reach `history` (nor history.json or the checkpoint)."""
    history, _ = early_stopped_run()
    assert history.last.get("stopped_early") is True


# ---- GradNormLogger -----------------------------------------------------------------------------------------


def test_grad_norm_logger_records_the_norm_of_every_parameter():
    """Full-batch training with lr = 0: every batch has the same gradient, so the epoch mean of the norms
    equals the norm of ∂C/∂w computed once by hand."""
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Sigmoid(), nn.Linear(8, 3))
    loss_fn = nn.CrossEntropyLoss()
    X, y = X_TRAIN[:60], Y_TRAIN[:60]
    loss_fn(model(dn.tensor(X)), dn.tensor(y)).backward()
    expected = {name: float(np.linalg.norm(p.grad.data)) for name, p in model.named_parameters()}
    model.zero_grad()

    loader = DataLoader(TensorDataset(X, y), batch_size=60)
    recorder = Recorder()
    fit(model, loss_fn, dn.optim.SGD(model.parameters(), lr=0.0), loader, epochs=2,
        callbacks=[GradNormLogger(every=1), recorder])
    for record in recorder.records:
        norms = record["grad_norms"]
        assert list(norms) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        for name, value in norms.items():
            assert math.isfinite(value) and value > 0
            assert value == pytest.approx(expected[name], rel=1e-5), name


def test_grad_norm_logger_samples_every_nth_batch_while_training():
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    train, _ = blob_loaders(batch_size=16)          # 15 batches per epoch
    logger, recorder = GradNormLogger(every=4), Recorder()
    fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train, epochs=3,
        callbacks=[logger, recorder])
    assert logger.samples == 4                      # batches 1, 5, 9 and 13 of 15
    for record in recorder.records:
        assert set(record["grad_norms"]) == {n for n, _ in model.named_parameters()}
        assert all(math.isfinite(v) and v > 0 for v in record["grad_norms"].values())
    # the network learns, so the gradients shrink
    assert recorder.records[-1]["grad_norms"]["2.weight"] < recorder.records[0]["grad_norms"]["2.weight"]


def test_gradient_norms_reach_the_history():
    """SPEC §1: history.json holds the per-epoch gradient norms. See test_the_stopped_early_flag_reaches_
    the_history for the cause (History.append copies the record before the callbacks annotate it)."""
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    train, _ = blob_loaders(batch_size=16)
    history = fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train, epochs=2,
                  callbacks=[GradNormLogger(every=4)])
    assert [sorted(r.get("grad_norms", {})) for r in history.records] == [
        ["0.bias", "0.weight", "2.bias", "2.weight"]] * 2


# ---- ProgressBar --------------------------------------------------------------------------------------------


def progress_run(stream, epochs=3, **options):
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3))
    train, val = blob_loaders(batch_size=80)        # 3 batches per epoch
    return fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train, val, epochs=epochs,
               callbacks=[ProgressBar(epochs, stream=stream, **options)])


def test_progress_bar_prints_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    history = progress_run(stream, interval=0.0)
    text = stream.getvalue()
    assert "\r" not in text and "\x1b" not in text     # no bar redraws, no escape codes
    lines = text.splitlines()
    batch_lines = [line for line in lines if line.startswith("  epoch")]
    summaries = [line for line in lines if line.startswith("epoch")]
    assert len(lines) == len(batch_lines) + len(summaries)
    assert [re.match(r"  epoch (\d)/3: batch (\d)/3 \(\d+%\), loss \d+\.\d{4}$", line).groups()
            for line in batch_lines] == [(str(e), str(b)) for e in (1, 2, 3) for b in (1, 2, 3)]
    assert len(summaries) == 3
    for line, record in zip(summaries, history.records):
        assert line.startswith(f"epoch {record['epoch']}/3  loss {record['train_loss']:.4f}  "
                               f"acc {100 * record['train_accuracy']:.2f}%  val loss {record['val_loss']:.4f}  "
                               f"val acc {100 * record['val_accuracy']:.2f}%  ")
        assert line.endswith(" s")


def test_progress_bar_throttles_batch_lines_and_summaries():
    stream = io.StringIO()
    progress_run(stream, epochs=6, interval=3600.0, summary_interval=3600.0)
    lines = stream.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["1/6", "6/6"]    # first and last epoch only


def test_progress_bar_draws_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress_run(stream, epochs=2)
    text = stream.getvalue()
    assert "\r" in text and "batch" in text           # tqdm's redraws
    assert "epoch 2/2  loss" in text
