"""Checkpoints: a run stopped after 2 of 4 epochs and resumed in a "new process" (every object rebuilt
after reseeding the library differently) ends bit-for-bit where the uninterrupted run ends; checkpoints
for another model or optimizer are refused; a failed write leaves the previous checkpoint intact."""

import os

import numpy as np
import pytest
from train_helpers import assert_bit_identical, blob_run, params, without_time

import deltanet as dn
from deltanet import nn
from deltanet.train import Checkpoint, CheckpointError, Trainer, fit, load_checkpoint, save_checkpoint

LOSS = nn.CrossEntropyLoss()


def run(seed, epochs, checkpoint=None, resume=None):
    model, optimizer, scheduler, train, val = blob_run(seed)
    callbacks = [Checkpoint(checkpoint)] if checkpoint else []
    history = fit(model, LOSS, optimizer, train, val, epochs=epochs, callbacks=callbacks, scheduler=scheduler,
                  resume=resume)
    return model, optimizer, scheduler, history


def test_resume_after_two_of_four_epochs_is_bit_exact(tmp_path):
    path = tmp_path / "checkpoint.npz"
    full_model, full_optimizer, full_scheduler, full = run(seed=0, epochs=4)

    run(seed=0, epochs=2, checkpoint=path)
    assert dn.io.info(path)["metadata"]["epoch"] == 2
    saved = {k[len("model/"):]: v.data for k, v in dn.io.load_state_dict(path).items() if k.startswith("model/")}
    # the "restarted process": other seed, so other initial weights, shuffling seed and noise
    fresh_model = blob_run(seed=12345)[0]
    assert not np.array_equal(params(fresh_model)["0.weight"], saved["0.weight"])
    model, optimizer, scheduler, resumed = run(seed=12345, epochs=4, checkpoint=path, resume=path)

    assert_bit_identical(params(full_model), params(model))
    assert without_time(resumed.records) == without_time(full.records)   # losses, accuracies, lr: identical
    assert resumed["epoch"] == [1, 2, 3, 4]
    assert resumed["lr"] == [0.01, 0.005, 0.0025, 0.00125]
    assert scheduler.get_last_lr() == full_scheduler.get_last_lr()
    for index, state in full_optimizer.state_dict()["state"].items():       # Adam's moments and step count
        for name, value in state.items():
            other = optimizer.state_dict()["state"][index][name]
            assert np.array_equal(np.asarray(value), np.asarray(other)), (index, name)
    # and the checkpoint written by the resumed run is that of epoch 4
    assert dn.io.info(path)["metadata"]["epoch"] == 4


def test_resume_of_a_finished_run_trains_nothing(tmp_path):
    path = tmp_path / "checkpoint.npz"
    model, *_ , history = run(seed=0, epochs=2, checkpoint=path)
    again, *_ , resumed = run(seed=5, epochs=2, resume=path)
    assert_bit_identical(params(model), params(again))
    assert resumed.records == history.records                       # restored as saved, time included


def test_a_plain_weights_file_is_not_a_checkpoint(tmp_path):
    model, optimizer, scheduler, train, val = blob_run(0)
    dn.io.save_state_dict(model, tmp_path / "model.npz")
    trainer = Trainer(model, LOSS, optimizer, train, val, scheduler)
    with pytest.raises(CheckpointError, match="not a training checkpoint"):
        load_checkpoint(tmp_path / "model.npz", trainer)


def test_a_checkpoint_for_another_architecture_is_refused(tmp_path):
    path = tmp_path / "checkpoint.npz"
    run(seed=0, epochs=1, checkpoint=path)
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    train, val = blob_run(0)[3:]
    trainer = Trainer(model, LOSS, dn.optim.Adam(model.parameters()), train, val)
    before = params(model)
    with pytest.raises(CheckpointError, match="another architecture") as error:
        load_checkpoint(path, trainer)
    assert "out_features" in str(error.value) or "16" in str(error.value)
    assert_bit_identical(before, params(model))                     # nothing was half-loaded
    assert trainer.epoch == 0


def test_a_checkpoint_for_another_optimizer_is_refused(tmp_path):
    path = tmp_path / "checkpoint.npz"
    run(seed=0, epochs=1, checkpoint=path)
    model, _, _, train, val = blob_run(0)
    trainer = Trainer(model, LOSS, dn.optim.SGD(model.parameters(), lr=0.1), train, val)
    with pytest.raises(CheckpointError, match="Adam.*SGD"):
        load_checkpoint(path, trainer)


def test_a_failed_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.npz"
    model, optimizer, scheduler, train, val = blob_run(0)
    trainer = Trainer(model, LOSS, optimizer, train, val, scheduler)
    trainer.fit(1)
    save_checkpoint(path, trainer)
    good_bytes = path.read_bytes()
    trainer.fit(2)                                                  # the state moves on …

    import deltanet.io._npz as npz
    real_write_array = np.lib.format.write_array
    calls = []

    def write_some_then_fail(file, array, *args, **kwargs):        # … and the next write dies half-way
        calls.append(1)
        if len(calls) == 3:
            file.write(b"\0" * 100)
            raise OSError("disk full (simulated)")
        return real_write_array(file, array, *args, **kwargs)

    monkeypatch.setattr(npz.np.lib.format, "write_array", write_some_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, trainer)
    monkeypatch.undo()

    assert len(calls) == 3
    assert path.read_bytes() == good_bytes
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.npz"]        # no temporary file left behind
    fresh_model, fresh_optimizer, fresh_scheduler, fresh_train, fresh_val = blob_run(9)
    fresh = Trainer(fresh_model, LOSS, fresh_optimizer, fresh_train, fresh_val, fresh_scheduler)
    load_checkpoint(path, fresh)
    assert fresh.epoch == 1 and len(fresh.history) == 1


def test_checkpoint_callback_with_min_interval_still_saves_the_final_epoch(tmp_path):
    path = tmp_path / "checkpoint.npz"
    model, optimizer, scheduler, train, val = blob_run(0)
    fit(model, LOSS, optimizer, train, val, epochs=5, scheduler=scheduler,
        callbacks=[Checkpoint(path, min_interval=3600.0)])
    assert dn.io.info(path)["metadata"]["epoch"] == 5
