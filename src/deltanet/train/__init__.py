"""`dn.train`: the training loop (`fit`), evaluation, callbacks and checkpoints."""

from deltanet.train.callbacks import EarlyStopping, GradNormLogger, ProgressBar
from deltanet.train.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from deltanet.train.history import History
from deltanet.train.loop import Callback, Trainer, TrainingDiverged, evaluate, fit
from deltanet.train.tbptt import TruncatedBPTT, detach_state

__all__ = ["Callback", "Checkpoint", "CheckpointError", "EarlyStopping", "GradNormLogger", "History",
           "ProgressBar", "Trainer", "TrainingDiverged", "evaluate", "fit", "load_checkpoint", "save_checkpoint",
           "TruncatedBPTT", "detach_state"]
