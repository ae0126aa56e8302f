"""Real-time recurrent learning (RTRL): the exact gradient of the loss so far, at every time step,
by carrying the sensitivities ∂h_t/∂θ forward instead of backpropagating through time.

For a cell h_t = F(x_t, h_{t−1}; θ) the chain rule run forwards (seed sheet 003, Q5.2, eq. 5.1) is

    ∂h_t/∂θ = ∂F/∂θ|_immediate + ∂F/∂h_{t−1} · ∂h_{t−1}/∂θ,          ∇_θ L_t = ∂L_t/∂h_t · ∂h_t/∂θ,

so after every step the gradient of Σ_{τ≤t} L_τ is complete and the weights may be updated at once (online
learning; the carried sensitivities then become slightly stale, which is RTRL's usual approximation).
The LSTM carries ∂c_t/∂θ as well. Sensitivities are one array S of shape (B, |h|, |θ|) — every parameter
direction at once — so a step of a vanilla RNN costs O(B·|h|²·|θ|) = O(|h|⁴) operations and holds
O(|h|·|θ|) = O(|h|³) numbers, against BPTT's O(|h|²) per step and O(T·|h|) memory (benchmarks/rtrl_cost.py).

Two ways to push S forward:
  method="exact"  explicit per-cell Jacobian recurrences in NumPy for RNNCell, LSTMCell and GRUCell;
  method="jvp"    any cell module: one forward-mode pass (`dn.autograd.jvp`) per parameter direction,
                  tangents = (∂h_{t−1}/∂θ_p, e_p) — slow, but needs nothing but the cell's forward.

    rtrl = RTRL(cell)                       # nn.RNNCell / nn.LSTMCell / nn.GRUCell
    rtrl.reset(batch_size)
    for x_t, y_t in sequence:
        h = rtrl.step(x_t)                  # h_t, a leaf tensor that requires grad
        loss = loss_fn(readout(h), y_t)
        rtrl.backward(loss)                 # readout grads as usual; cell grads += ∂L_t/∂h_t · ∂h_t/∂θ
        optimizer.step(); optimizer.zero_grad()   # online — or hold the updates back to the end
"""

from __future__ import annotations

import numpy as np

from deltanet.autograd import jvp, no_grad
from deltanet.nn.rnn import GRUCell, LSTMCell, RNNCell
from deltanet.ops.rnn import _sigmoid
from deltanet.tensor import Tensor


def _col(v):
    """(B, H) → (B, H, 1): a per-unit factor that scales every parameter's sensitivity."""
    return v[:, :, None]


class RTRL:
    """Online exact gradients for one recurrent cell (see the module docstring)."""

    def __init__(self, cell, method: str = "exact", paired_state: bool | None = None):
        if method not in ("exact", "jvp"):
            raise ValueError(f"RTRL: method must be 'exact' or 'jvp', got {method!r}")
        if method == "exact" and not isinstance(cell, (RNNCell, LSTMCell, GRUCell)):
            raise TypeError(f"RTRL: method='exact' knows RNNCell, LSTMCell and GRUCell, got "
                            f"{type(cell).__name__}; use method='jvp' for other cells")
        self.cell, self.method = cell, method
        # the state is a pair (h, c) for an LSTM cell; a custom cell (method="jvp") says so with paired_state
        self.lstm = isinstance(cell, LSTMCell) if paired_state is None else bool(paired_state)
        self.names, self.params = zip(*cell.named_parameters(), strict=True)
        sizes = [p.data.size for p in self.params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.num_params = int(self.offsets[-1])                 # |θ|
        self.reset(1)

    # ---- state -------------------------------------------------------------------------------------
    def reset(self, batch_size: int = 1, state=None) -> None:
        """Start new sequences: state zeros (or given), sensitivities ∂h_0/∂θ = 0."""
        H, dtype = self.cell.hidden_size, self.params[0].dtype
        self.batch_size = int(batch_size)
        zeros = np.zeros((self.batch_size, H), dtype=dtype)
        if state is None:
            self.h, self.c = zeros, zeros.copy()
        elif self.lstm:
            self.h, self.c = (np.array(s.data if isinstance(s, Tensor) else s, dtype=dtype) for s in state)
        else:
            self.h, self.c = np.array(state.data if isinstance(state, Tensor) else state, dtype=dtype), None
        self.S_h = np.zeros((self.batch_size, H, self.num_params), dtype=dtype)     # ∂h_t/∂θ
        self.S_c = np.zeros_like(self.S_h) if self.lstm else None                    # ∂c_t/∂θ (LSTM)
        self.h_leaf = None
        self.steps = 0

    @property
    def sensitivity_size(self) -> int:
        """Numbers held in the sensitivities: B·|h|·|θ| (twice that for the LSTM)."""
        return self.S_h.size * (2 if self.lstm else 1)

    def step(self, x) -> Tensor:
        """Advance one step on x_t (B, I); returns h_t as a leaf tensor that requires grad."""
        x = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=self.params[0].dtype)
        if x.ndim != 2 or x.shape != (self.batch_size, self.cell.input_size):
            raise ValueError(f"RTRL.step: expected x of shape ({self.batch_size}, {self.cell.input_size}) "
                             f"(call reset(batch_size) first), got {x.shape}")
        if self.method == "jvp":
            self._step_jvp(x)
        elif isinstance(self.cell, LSTMCell):
            self._step_lstm(x)
        elif isinstance(self.cell, GRUCell):
            self._step_gru(x)
        else:
            self._step_rnn(x)
        self.steps += 1
        self.h_leaf = Tensor(self.h.copy(), requires_grad=True)
        return self.h_leaf

    def backward(self, loss) -> None:
        """loss.backward() (grads of everything after h_t, e.g. a read-out), then add the cell's share
        ∇_θ L_t = ∂L_t/∂h_t · ∂h_t/∂θ into each cell parameter's .grad."""
        if self.h_leaf is None:
            raise RuntimeError("RTRL.backward: call step() first")
        loss.backward()
        if self.h_leaf.grad is None:
            return
        g = self.h_leaf.grad.data.reshape(1, -1)                   # ∂L_t/∂h_t, (1, B·H)
        flat = (g @ self.S_h.reshape(-1, self.num_params))[0]      # (|θ|,)
        for param, start, stop in zip(self.params, self.offsets[:-1], self.offsets[1:], strict=True):
            part = flat[start:stop].reshape(param.shape).astype(param.dtype, copy=False)
            if param.grad is None:
                param.grad = Tensor(part.copy())
            else:
                param.grad.data = param.grad.data + part
        self.h_leaf.grad = None

    # ---- explicit recurrences ------------------------------------------------------------------------
    def _weights(self):
        cell = self.cell
        b_ih = None if cell.bias_ih is None else cell.bias_ih.data
        b_hh = None if cell.bias_hh is None else cell.bias_hh.data
        return cell.weight_ih.data, cell.weight_hh.data, b_ih, b_hh

    def _immediate(self, dA, name: str, values) -> None:
        """Add ∂a/∂θ|_immediate of the pre-activations a = W x + b (or W h + b) for parameter `name` into
        dA (B, G·H, |θ|): ∂a_j/∂W[r, c] = [j = r]·values_c, ∂a_j/∂b[r] = [j = r]."""
        k = self.names.index(name)
        start, stop = self.offsets[k], self.offsets[k + 1]
        rows = np.arange(dA.shape[1])
        if values is None:          # a bias: identity
            dA[:, rows, start + rows] += 1
        else:                       # a weight (G·H, n) flattened row-major: block j holds `values` at row j
            block = dA[:, :, start:stop].reshape(dA.shape[0], dA.shape[1], dA.shape[1], -1)
            block[:, rows, rows, :] += values[:, None, :]

    def _pre_activation_sensitivities(self, x, h_prev, w_hh, with_hh=True, with_ih=True):
        """∂a_t/∂θ for a = x W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh: the recurrent part W_hh·S_{t−1} plus the
        immediate parts (select the input or the recurrent half with with_ih / with_hh)."""
        B, G = x.shape[0], w_hh.shape[0]
        dA = np.matmul(w_hh, self.S_h) if with_hh else np.zeros((B, G, self.num_params), dtype=x.dtype)
        if with_ih:
            self._immediate(dA, "weight_ih", x)
            if self.cell.bias_ih is not None:
                self._immediate(dA, "bias_ih", None)
        if with_hh:
            self._immediate(dA, "weight_hh", h_prev)
            if self.cell.bias_hh is not None:
                self._immediate(dA, "bias_hh", None)
        return dA

    def _step_rnn(self, x):
        """h_t = f(a_t):  S_h ← f'(a_t) ⊙ (W_hh S_h + ∂a/∂θ|_immediate)."""
        w_ih, w_hh, b_ih, b_hh = self._weights()
        a = x @ w_ih.T + self.h @ w_hh.T
        if b_ih is not None:
            a += b_ih + b_hh
        h = np.tanh(a) if self.cell.nonlinearity == "tanh" else np.maximum(a, 0)
        fprime = 1 - h * h if self.cell.nonlinearity == "tanh" else (a > 0).astype(a.dtype)
        dA = self._pre_activation_sensitivities(x, self.h, w_hh)
        self.S_h = dA * fprime[:, :, None]
        self.h = h

    def _step_lstm(self, x):
        """S_c ← f S_c + c_{t−1} S_f + g S_i + i S_g,  S_h ← o(1 − tanh²c) S_c + tanh(c) S_o, with the gate
        sensitivities S_i = i(1−i)·∂a_i/∂θ etc. (torch's gate order i, f, g, o)."""
        w_ih, w_hh, b_ih, b_hh = self._weights()
        H = self.cell.hidden_size
        a = x @ w_ih.T + self.h @ w_hh.T
        if b_ih is not None:
            a += b_ih + b_hh
        with np.errstate(over="ignore"):
            i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 3 * H:])
        g = np.tanh(a[:, 2 * H:3 * H])
        c = f * self.c + i * g
        tc = np.tanh(c)
        dA = self._pre_activation_sensitivities(x, self.h, w_hh)
        dA *= np.concatenate([i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)], axis=1)[:, :, None]
        S_i, S_f, S_g, S_o = (dA[:, k * H:(k + 1) * H] for k in range(4))
        self.S_c = _col(f) * self.S_c + _col(self.c) * S_f + _col(g) * S_i + _col(i) * S_g
        self.S_h = _col(o * (1 - tc * tc)) * self.S_c + _col(tc) * S_o
        self.h, self.c = o * tc, c

    def _step_gru(self, x):
        """With gi = x W_ihᵀ + b_ih, gh = h W_hhᵀ + b_hh:  S_r = r(1−r)(∂gi_r + ∂gh_r),  S_z likewise,
        S_n = (1−n²)(∂gi_n + gh_n S_r + r ∂gh_n),  S_h ← (1−z) S_n + (h_{t−1} − n) S_z + z S_h."""
        w_ih, w_hh, b_ih, b_hh = self._weights()
        H = self.cell.hidden_size
        gi, gh = x @ w_ih.T, self.h @ w_hh.T
        if b_ih is not None:
            gi, gh = gi + b_ih, gh + b_hh
        with np.errstate(over="ignore"):
            r, z = _sigmoid(gi[:, :H] + gh[:, :H]), _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        dGi = self._pre_activation_sensitivities(x, self.h, w_hh, with_hh=False)
        dGh = self._pre_activation_sensitivities(x, self.h, w_hh, with_ih=False)
        S_r = _col(r * (1 - r)) * (dGi[:, :H] + dGh[:, :H])
        S_z = _col(z * (1 - z)) * (dGi[:, H:2 * H] + dGh[:, H:2 * H])
        S_n = _col(1 - n * n) * (dGi[:, 2 * H:] + _col(gh[:, 2 * H:]) * S_r + _col(r) * dGh[:, 2 * H:])
        self.S_h = _col(1 - z) * S_n + _col(self.h - n) * S_z + _col(z) * self.S_h
        self.h = n + z * (self.h - n)

    # ---- forward mode, one parameter direction at a time -----------------------------------------------
    def _step_jvp(self, x):
        """∂h_t/∂θ_p for every p by `dn.autograd.jvp` of the cell with tangents (∂state_{t−1}/∂θ_p, e_p)."""
        x_t = Tensor(x)
        states = (Tensor(self.h), Tensor(self.c)) if self.lstm else (Tensor(self.h),)
        primals = (*states, *self.params)

        def cell_step(*args):
            state = tuple(args[:len(states)])
            out = self.cell(x_t, state if self.lstm else state[0])
            return out if self.lstm else (out,)

        new_S = [np.empty_like(self.S_h) for _ in states]
        zeros = [np.zeros_like(p.data) for p in self.params]
        values = None
        with no_grad():
            for p in range(self.num_params):
                k = int(np.searchsorted(self.offsets, p, side="right") - 1)
                unit = list(zeros)
                unit[k] = np.zeros(self.params[k].shape, dtype=self.params[k].dtype)   # C order, as θ is flattened
                unit[k].flat[p - self.offsets[k]] = 1             # e_p: the direction of parameter p
                state_tangents = [self.S_h[:, :, p]] + ([self.S_c[:, :, p]] if self.lstm else [])
                values, tangents = jvp(cell_step, primals, (*state_tangents, *unit))
                for S, t in zip(new_S, tangents, strict=True):
                    S[:, :, p] = t.data
        self.S_h = new_S[0]
        if self.lstm:
            self.S_c = new_S[1]
        self.h = values[0].data.copy()
        if self.lstm:
            self.c = values[1].data.copy()
