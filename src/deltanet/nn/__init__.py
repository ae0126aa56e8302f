"""`dn.nn`: layers, activations and losses with PyTorch names, parameter shapes and initialisations."""

from deltanet.nn import functional, init
from deltanet.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Sign, Softmax, Step, Tanh
from deltanet.nn.container import ModuleList, Sequential
from deltanet.nn.linear import Flatten, Identity, Linear
from deltanet.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, QuadraticLoss
from deltanet.nn.module import Module
from deltanet.nn.parameter import Parameter

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Flatten", "Identity", "LeakyReLU", "Linear",
           "LogSoftmax", "MSELoss", "Module", "ModuleList", "NLLLoss", "Parameter", "QuadraticLoss", "ReLU",
           "Sequential", "Sigmoid", "Sign", "Softmax", "Step", "Tanh", "functional", "init"]
