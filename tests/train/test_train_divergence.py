"""The NaN guard: when a huge learning rate drives the loss to inf/NaN, `fit` stops with
`TrainingDiverged` naming the epoch and batch, and the checkpoint on disk is the last good one."""

import re
import warnings

import numpy as np
import pytest
from train_helpers import blob_loaders

import deltanet as dn
from deltanet import nn
from deltanet.train import Callback, Checkpoint, Trainer, TrainingDiverged, fit, load_checkpoint

BLOW_UP_AT = 3          # epoch whose learning rate becomes huge


class HugeLearningRateFrom(Callback):
    """Sets every group's lr to 1e30 at the start of epoch `epoch` (the first ones train normally)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, trainer):
        if trainer.epoch + 1 == self.epoch:
            for group in trainer.optimizer.param_groups:
                group["lr"] = 1e30


def relu_run():
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 3))
    train, val = blob_loaders(batch_size=16)
    return model, dn.optim.SGD(model.parameters(), lr=0.05), train, val


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_a_huge_learning_rate_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.npz"
    model, optimizer, train, val = relu_run()
    with pytest.raises(TrainingDiverged) as error:
        fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=10,
            callbacks=[HugeLearningRateFrom(BLOW_UP_AT), Checkpoint(path)])
    message = str(error.value)
    found = re.match(r"epoch (\d+), batch (\d+): the loss is (nan|inf|-inf)", message)
    assert found, message
    assert int(found[1]) == BLOW_UP_AT
    assert 2 <= int(found[2]) <= len(train)       # batch 1 of the epoch still had the good weights
    assert "learning rate" in message

    # on disk: the checkpoint after the last complete epoch, loadable, all weights finite
    assert dn.io.info(path)["metadata"]["epoch"] == BLOW_UP_AT - 1
    fresh, fresh_optimizer, fresh_train, fresh_val = relu_run()
    trainer = Trainer(fresh, nn.CrossEntropyLoss(), fresh_optimizer, fresh_train, fresh_val)
    load_checkpoint(path, trainer)
    assert trainer.epoch == BLOW_UP_AT - 1
    assert [r["epoch"] for r in trainer.history.records] == [1, 2]
    assert all(np.isfinite(r["train_loss"]) for r in trainer.history.records)
    for name, p in fresh.named_parameters():
        assert np.all(np.isfinite(p.data)), name
    assert fresh_optimizer.param_groups[0]["lr"] == 0.05
    # and training can go on from it (with a sane learning rate)
    trainer.fit(4)
    assert len(trainer.history) == 4 and np.isfinite(trainer.history.last["train_loss"])


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_a_nan_loss_on_the_very_first_batch_names_epoch_1_batch_1():
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3))
    with dn.no_grad():
        model[0].weight.data[0, 0] = np.nan
    train, _ = blob_loaders()
    with pytest.raises(TrainingDiverged, match=r"^epoch 1, batch 1: the loss is nan"):
        fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train, epochs=2)


def test_divergence_is_reported_by_the_guard_alone_without_numpy_warnings():
    """The guard is the one clear message: NumPy's overflow/invalid RuntimeWarnings on the way to the
    non-finite loss (in the forward pass, the loss or the update) should not leak out as well."""
    model, optimizer, train, val = relu_run()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TrainingDiverged):
            fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=10, callbacks=[HugeLearningRateFrom(1)])
    leaked = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
    assert not leaked, "\n".join(leaked)


class BlowUpLastStepOf(Callback):
    """Scales the gradients of the last batch of epoch `epoch` by 1e30: the weights stay finite but huge,
    so that epoch's training loss was fine while its validation loss is not."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_after_backward(self, trainer):
        if trainer.epoch + 1 == self.epoch and trainer.batch + 1 == len(trainer.train_loader):
            for p in trainer.model.parameters():
                p.grad.data *= 1e30


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_an_epoch_whose_validation_loss_is_not_finite_is_not_checkpointed_as_good(tmp_path):
    """Without a guard on the validation loss, epoch 2 is recorded (val_loss = inf, which history.json
    writes as the non-JSON token Infinity) and checkpointed as the "last good" one, with weights ~1e28."""
    path = tmp_path / "checkpoint.npz"
    model, optimizer, train, val = relu_run()
    with pytest.raises(TrainingDiverged, match=r"^epoch (2|3)\b"):
        fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=10,
            callbacks=[BlowUpLastStepOf(2), Checkpoint(path)])
    records = dn.io.info(path)["metadata"]["history"]
    assert all(np.isfinite(r["val_loss"]) and np.isfinite(r["train_loss"]) for r in records), records
    assert [r["epoch"] for r in records] == [1]
