"""`dn.nn`: layers, activations and losses with PyTorch names, parameter shapes and initialisations."""

from deltanet.nn import functional, init
from deltanet.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Sign, Softmax, Step, Tanh
from deltanet.nn.container import ModuleList, Sequential
from deltanet.nn.conv import Conv1d, Conv2d, Unflatten
from deltanet.nn.dropout import Dropout
from deltanet.nn.linear import Flatten, Identity, Linear
from deltanet.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, QuadraticLoss
from deltanet.nn.module import Module
from deltanet.nn.parameter import Parameter
from deltanet.nn.pooling import AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d

__all__ = ["AvgPool1d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "Conv1d", "Conv2d", "CrossEntropyLoss",
           "Dropout", "Flatten", "Identity", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool1d", "MaxPool2d",
           "Module", "ModuleList", "NLLLoss", "Parameter", "QuadraticLoss", "ReLU", "Sequential", "Sigmoid", "Sign",
           "Softmax", "Step", "Tanh", "Unflatten", "functional", "init"]

# recurrent layers (nn/rnn.py)
from deltanet.nn.rnn import GRU, LSTM, RNN, GRUCell, LastStep, LSTMCell, RNNCell, RNNOutput  # noqa: E402

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "LastStep", "RNN", "RNNCell", "RNNOutput"]
