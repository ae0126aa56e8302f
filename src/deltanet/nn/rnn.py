"""Recurrent layers with PyTorch's names, layouts, gate order and initialisation.

    RNN   h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),   f = tanh (default) or relu
    LSTM  i = σ(W_ii x + b_ii + W_hi h + b_hi)   (the sheets' "save" gate)
          f = σ(W_if x + b_if + W_hf h + b_hf)   ("rem": what to keep of c_{t−1})
          g = tanh(W_ig x + b_ig + W_hg h + b_hg) (the candidate ltm'_t)
          o = σ(W_io x + b_io + W_ho h + b_ho)   ("focus")
          c_t = f⊙c_{t−1} + i⊙g   (ltm_t),   h_t = o⊙tanh(c_t)   (wm_t)
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),   h_t = (1 − z)⊙n + z⊙h_{t−1}

`weight_ih` stacks the gates' input weights in that order ((4H, I) for the LSTM: W_ii, W_if, W_ig, W_io),
`weight_hh` their recurrent weights ((4H, H)); every parameter starts ~ U(−1/√H, 1/√H), as torch.

The layers (`RNN`, `LSTM`, `GRU`) project the whole input sequence at once (x W_ihᵀ for all T steps; the
fused LSTM layer does it inside, each step feature-major, see `deltanet.ops.rnn.LSTMLayer`) and then loop
over time. With `fused = True` (the default) that loop is one primitive per layer
and direction (`deltanet.ops.rnn`, NumPy recurrences with their own VJP and JVP); with `fused = False`
it is composed from the primitives linear, sigmoid, tanh, mul, add, getitem and stack, as the cells are —
slower, but every step is visible to autograd (the tests check the two against each other and torch).
"""

from __future__ import annotations

import math

import numpy as np

from deltanet import ops
from deltanet.nn import init
from deltanet.nn.functional import dropout as _dropout
from deltanet.nn.module import Module
from deltanet.nn.parameter import Parameter
from deltanet.ops import rnn as _fused
from deltanet.tensor import Tensor, get_default_dtype

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one step, composed from primitives ---------------------------------------------------------------


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), f = tanh or relu."""
    a = ops.linear(x, w_ih, b_ih) + ops.linear(h, w_hh, b_hh)
    return ops.tanh(a) if nonlinearity == "tanh" else ops.relu(a)


def lstm_update(gates, c):
    """(h', c') from the gate pre-activations [a_i a_f a_g a_o] (…, 4H) and the cell state c (…, H)."""
    H = c.shape[-1]
    i = ops.sigmoid(gates[..., :H])
    f = ops.sigmoid(gates[..., H:2 * H])
    g = ops.tanh(gates[..., 2 * H:3 * H])
    o = ops.sigmoid(gates[..., 3 * H:])
    c = f * c + i * g
    return o * ops.tanh(c), c


def lstm_cell(x, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') = one LSTM step from x and hx = (h, c)."""
    h, c = hx
    return lstm_update(ops.linear(x, w_ih, b_ih) + ops.linear(h, w_hh, b_hh), c)


def gru_update(gi, gh, h):
    """h' from gi = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh (both (…, 3H)) and h: n + z⊙(h − n)."""
    H = h.shape[-1]
    r = ops.sigmoid(gi[..., :H] + gh[..., :H])
    z = ops.sigmoid(gi[..., H:2 * H] + gh[..., H:2 * H])
    n = ops.tanh(gi[..., 2 * H:] + r * gh[..., 2 * H:])
    return n + z * (h - n)


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = one GRU step (torch's: the reset gate multiplies W_hn h + b_hn)."""
    return gru_update(ops.linear(x, w_ih, b_ih), ops.linear(h, w_hh, b_hh), h)


# ---- shared checks ------------------------------------------------------------------------------------


def _positive_int(value, what: str, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name}: {what} must be a positive integer, got {value!r}")
    return int(value)


def _mode(kind: str, nonlinearity: str) -> str:
    if kind != "RNN":
        return kind
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_" + nonlinearity.upper()


def _check_tensor(name, what, value, dtype):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: expected {what} to be a Tensor, got {type(value).__name__}")
    if value.dtype != dtype:
        raise TypeError(f"{name}: {what} has dtype {value.dtype} but the weights are {dtype} "
                        f"(convert it with .float()/.double() or the model with .to(dtype))")


# ---- cells ----------------------------------------------------------------------------------------------


class _CellBase(Module):
    """weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh (G·H), all ~ U(−1/√H, 1/√H)."""

    kind = "RNN"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _positive_int(input_size, "input_size", name)
        self.hidden_size = _positive_int(hidden_size, "hidden_size", name)
        self.mode = _mode(self.kind, nonlinearity)
        self.nonlinearity = nonlinearity
        gates = _GATES[self.mode] * self.hidden_size
        dtype = np.dtype(dtype or get_default_dtype())
        # (out, in) as torch, stored column-major like Linear's weight: Wᵀ is then a contiguous GEMM operand
        self.weight_ih = Parameter(np.empty((gates, self.input_size), dtype=dtype, order="F"))
        self.weight_hh = Parameter(np.empty((gates, self.hidden_size), dtype=dtype, order="F"))
        self.bias_ih = Parameter(np.empty(gates, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(np.empty(gates, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _prepare(self, x, hx, n_states):
        """x as (B, I), the state(s) as (B, H) (zeros if hx is None), and whether x had no batch dim."""
        name = f"{type(self).__name__}({self.input_size}, {self.hidden_size})"
        _check_tensor(name, "the input", x, self.weight_ih.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (batch, {self.input_size}) or ({self.input_size},), "
                             f"got {tuple(x.shape)}")
        unbatched = x.ndim == 1
        if unbatched:
            x = ops.unsqueeze(x, 0)
        batch = x.shape[0]
        if hx is None:
            zeros = Tensor(np.zeros((batch, self.hidden_size), dtype=x.dtype))
            return x, [zeros] * n_states, unbatched
        if n_states > 1 and (not isinstance(hx, (tuple, list)) or len(hx) != n_states):
            raise ValueError(f"{name}: hx must be a pair (h, c), got {type(hx).__name__}")
        states = list(hx) if n_states > 1 else [hx]
        want = (self.hidden_size,) if unbatched else (batch, self.hidden_size)
        for k, s in enumerate(states):
            _check_tensor(name, "the hidden state", s, x.dtype)
            if tuple(s.shape) != want:
                raise ValueError(f"{name}: expected hidden state {k} of shape {want}, got {tuple(s.shape)}")
        if unbatched:
            states = [ops.unsqueeze(s, 0) for s in states]
        return x, states, unbatched

    def get_config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias_ih is not None}

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias_ih is None:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text


class RNNCell(_CellBase):
    """One step h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (f = tanh or relu); input (B, I) or (I,)."""

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._prepare(input, hx, 1)
        h = rnn_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)
        return ops.squeeze(h, 0) if unbatched else h

    def get_config(self) -> dict:
        return {**super().get_config(), "nonlinearity": self.nonlinearity}


class LSTMCell(_CellBase):
    """One LSTM step: (h', c') = LSTMCell(x, (h, c)); gates i, f, g, o stacked in that order."""

    kind = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=None):
        super().__init__(input_size, hidden_size, bias, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h, c), unbatched = self._prepare(input, hx, 2)
        h, c = lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (ops.squeeze(h, 0), ops.squeeze(c, 0)) if unbatched else (h, c)


class GRUCell(_CellBase):
    """One GRU step: h' = GRUCell(x, h); gates r, z, n stacked in that order."""

    kind = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=None):
        super().__init__(input_size, hidden_size, bias, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._prepare(input, hx, 1)
        h = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return ops.squeeze(h, 0) if unbatched else h


# ---- layers (whole sequences) ---------------------------------------------------------------------


class _RNNBase(Module):
    """Stacked, optionally bidirectional recurrent layers over whole sequences (torch's `nn.RNNBase`).

    Input (T, B, I), or (B, T, I) with batch_first=True, or (T, I) unbatched. Parameters per layer k and
    direction (suffix '' or '_reverse'): weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, in
    torch's order, so a torch state_dict loads as is.
    """

    kind = "RNN"
    fused = True  # one primitive per layer and direction for the loop over time (see the module docstring)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 nonlinearity: str = "tanh", dtype=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _positive_int(input_size, "input_size", name)
        self.hidden_size = _positive_int(hidden_size, "hidden_size", name)
        self.num_layers = _positive_int(num_layers, "num_layers", name)
        self.mode = _mode(self.kind, nonlinearity)
        self.nonlinearity = nonlinearity
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = float(dropout)
        dtype = np.dtype(dtype or get_default_dtype())
        gates = _GATES[self.mode] * self.hidden_size
        directions = 2 if self.bidirectional else 1
        self._flat_names = []
        for layer in range(self.num_layers):
            layer_in = self.input_size if layer == 0 else self.hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = [("weight_ih", (gates, layer_in)), ("weight_hh", (gates, self.hidden_size))]
                if self.bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                for stem, shape in shapes:
                    param_name = f"{stem}_l{layer}{suffix}"
                    setattr(self, param_name, Parameter(np.empty(shape, dtype=dtype, order="F")))
                    self._flat_names.append(param_name)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to do here (torch compacts cuDNN weights); kept so torch code runs unchanged."""

    @property
    def all_weights(self) -> list:
        """[[w_ih, w_hh, b_ih, b_hh] per layer and direction], as torch."""
        per = 4 if self.bias else 2
        params = [getattr(self, n) for n in self._flat_names]
        return [params[k:k + per] for k in range(0, len(params), per)]

    # ---- forward --------------------------------------------------------------------------------------
    def _name(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"

    def _check_input(self, x):
        dtype = self.weight_ih_l0.dtype
        _check_tensor(self._name(), "the input", x, dtype)
        layout = "(batch, seq, features)" if self.batch_first else "(seq, batch, features)"
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"{self._name()}: expected input of shape {layout} or (seq, features) with "
                             f"features = {self.input_size}, got {tuple(x.shape)}")
        seq = x.shape[1 if self.batch_first and x.ndim == 3 else 0]
        if seq == 0:
            raise ValueError(f"{self._name()}: the input sequence is empty (shape {tuple(x.shape)})")

    def _check_state(self, s, batch, unbatched, what):
        layers = self.num_layers * (2 if self.bidirectional else 1)
        want = (layers, self.hidden_size) if unbatched else (layers, batch, self.hidden_size)
        _check_tensor(self._name(), what, s, self.weight_ih_l0.dtype)
        if tuple(s.shape) != want:
            raise ValueError(f"{self._name()}: expected {what} of shape {want} "
                             f"(num_layers · directions, batch, hidden_size), got {tuple(s.shape)}")
        return ops.unsqueeze(s, 1) if unbatched else s

    def forward(self, input, hx=None):
        """output, h_n (LSTM: output, (h_n, c_n)); output holds the last layer's h_t for every t."""
        self._check_input(input)
        lstm = self.mode == "LSTM"
        unbatched = input.ndim == 2
        x = ops.unsqueeze(input, 1) if unbatched else ops.transpose(input, 0, 1) if self.batch_first else input
        batch = x.shape[1]
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise ValueError(f"{self._name()}: hx must be a pair (h_0, c_0)")
                hx = tuple(self._check_state(s, batch, unbatched, w) for s, w in zip(hx, ("h_0", "c_0")))
            else:
                hx = (self._check_state(hx, batch, unbatched, "h_0"),)
        directions = 2 if self.bidirectional else 1
        finals = ([], []) if lstm else ([],)
        weights = self.all_weights
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                if hx is None:
                    zero = Tensor(np.zeros((batch, self.hidden_size), dtype=x.dtype))
                    state0 = (zero,) * len(finals)
                else:
                    state0 = tuple(s[k] for s in hx)
                seq = x if d == 0 else x[::-1]
                out, state = self._run_direction(seq, state0, weights[k])
                outs.append(out if d == 0 else out[::-1])
                for final, s in zip(finals, state):
                    final.append(s)
            x = outs[0] if directions == 1 else ops.cat(outs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        states = tuple(ops.stack(final, 0) for final in finals)
        if unbatched:
            x, states = ops.squeeze(x, 1), tuple(ops.squeeze(s, 1) for s in states)
        elif self.batch_first:
            x = ops.transpose(x, 0, 1)
        return x, (states if lstm else states[0])

    def _run_direction(self, x, state0, params):
        """One layer, one direction over x (T, B, I): (outputs (T, B, H), final state tuple)."""
        w_ih, w_hh = params[0], params[1]
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        if self.mode == "GRU":
            xp = ops.linear(x, w_ih, b_ih)   # b_hh stays inside: r multiplies (W_hn h + b_hn)
            if self.fused:
                b = b_hh if b_hh is not None else Tensor(np.zeros(w_hh.shape[0], dtype=x.dtype))
                hs = _fused.GRURecurrence.apply(xp, state0[0], w_hh, b)
                return hs, (hs[-1],)
            h, outs = state0[0], []
            for t in range(x.shape[0]):
                h = gru_update(xp[t], ops.linear(h, w_hh, b_hh), h)
                outs.append(h)
            return ops.stack(outs, 0), (h,)
        if self.mode == "LSTM" and self.fused:
            b = b_ih + b_hh if self.bias else None        # steps feature-major: see ops.rnn.LSTMLayer
            y = ops.transpose(_fused.LSTMLayer.apply(x, state0[0], state0[1], w_ih, w_hh, b), 2, 3)
            return y[0], (y[0, -1], y[1, -1])             # views of (2, T, B, H)
        xp = ops.linear(x, w_ih, b_ih + b_hh if self.bias else None)  # both biases folded in once
        if self.mode == "LSTM":
            (h, c), outs = state0, []
            for t in range(x.shape[0]):
                h, c = lstm_update(xp[t] + ops.linear(h, w_hh), c)
                outs.append(h)
            return ops.stack(outs, 0), (h, c)
        if self.fused:
            hs = _fused.RNNRecurrence.apply(xp, state0[0], w_hh, nonlinearity=self.nonlinearity)
            return hs, (hs[-1],)
        h, outs = state0[0], []
        f = ops.tanh if self.nonlinearity == "tanh" else ops.relu
        for t in range(x.shape[0]):
            h = f(xp[t] + ops.linear(h, w_hh))
            outs.append(h)
        return ops.stack(outs, 0), (h,)

    # ---- description ----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "bias": self.bias, "batch_first": self.batch_first, "dropout": self.dropout,
                "bidirectional": self.bidirectional}

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        config = self.get_config()
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False,
                    "nonlinearity": "tanh"}
        for key, default in defaults.items():
            if key in config and config[key] != default:
                text += f", {key}={config[key]!r}"
        return text


class RNN(_RNNBase):
    """Elman RNN over sequences: h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), f = tanh or relu.
    Returns (output, h_n). Arguments in torch's order (nonlinearity is the fourth)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         nonlinearity, dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "nonlinearity": self.nonlinearity}


class LSTM(_RNNBase):
    """Long short-term memory over sequences; returns (output, (h_n, c_n)). Gates i, f, g, o (torch's order;
    the sheets call i, f, o save, rem, focus and c, h the long-term and working memories)."""

    kind = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype)


class GRU(_RNNBase):
    """Gated recurrent unit over sequences; returns (output, h_n). Gates r, z, n (torch's order)."""

    kind = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype)


class LastStep(Module):
    """The last time step of a recurrent layer's output, so `Sequential(LSTM(…, batch_first=True),
    LastStep(), Linear(H, 10))` classifies a sequence from its final state. Accepts the layer's
    (output, state) pair or a bare output tensor; `batch_first` says where the time axis is."""

    def __init__(self, batch_first: bool = True):
        super().__init__()
        self.batch_first = bool(batch_first)

    def forward(self, x):
        if isinstance(x, tuple):
            x = x[0]
        if not isinstance(x, Tensor) or x.ndim < 2:
            raise ValueError(f"LastStep: expected an output of shape (batch, seq, features) or "
                             f"(seq, batch, features), got {getattr(x, 'shape', type(x).__name__)}")
        return x[:, -1] if self.batch_first and x.ndim == 3 else x[-1]

    def get_config(self) -> dict:
        return {"batch_first": self.batch_first}


class RNNOutput(Module):
    """The output sequence (every step's h_t) of a recurrent layer's (output, state) pair, so that
    `Sequential(LSTM(…), RNNOutput(), Linear(H, C))` gives per-step logits."""

    def forward(self, x):
        return x[0] if isinstance(x, tuple) else x
