"""Fused recurrences: the loop over time of one RNN / LSTM / GRU layer (one direction) as one primitive.

For the RNN and GRU, the input projection x_t W_ihᵀ + b of all time steps is one `linear` before the
loop (one big GEMM, rules of its own); what is left is inherently sequential — h_t depends on h_{t−1} —
and is written here in NumPy, with its forward value, its VJP (backpropagation through time) and its JVP
(the forward-mode recurrence) side by side. Their tensors are time-major: xp is (T, B, G·H) with G = 1, 3
gates. `LSTMLayer` takes the input x (T, B, I) itself; its steps are feature-major and its output is
(2, T, H, B). h0, c0 are (B, H); W_hh is (G·H, H).

These are the fused versions of the cells composed from primitives in `deltanet.nn.rnn` (the tests check
both against each other and against PyTorch); they exist because one primitive per layer replaces
~15 primitives per time step, which is where a NumPy library spends its time on small recurrent cells.

Notation (torch's, gates in torch's order):
  RNN   h_t = f(a_t),   a_t = xp_t + W_hh h_{t−1}                         f = tanh or relu
  LSTM  [i f g o]_t = [σ σ tanh σ](xp_t + W_hh h_{t−1}),  c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙tanh(c_t)
  GRU   r, z = σ(xp_r + W_hr h + b_hr), σ(xp_z + W_hz h + b_hz),  n = tanh(xp_n + r⊙(W_hn h + b_hn)),
        h_t = (1 − z)⊙n + z⊙h_{t−1}
"""

from __future__ import annotations

import numpy as np

from deltanet.autograd.function import Function
from deltanet.ops._util import weight_grad


def _sigmoid(z, out=None):
    """σ(z) = 1/(1 + e⁻ᶻ), in place into `out` when given (e⁻ᶻ overflowing to inf gives the right 0)."""
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _previous(first, seq):
    """[first, seq_0, …, seq_{T−2}]: the state entering each step, (T, B, H)."""
    prev = np.empty_like(seq)
    prev[0] = first
    prev[1:] = seq[:-1]
    return prev


def _flat(a):
    return a.reshape(-1, a.shape[-1])


def _check(name, xp, h0, w_hh, gates):
    """T, B, H of a recurrence's operands xp (T, B, G·H), h0 (B, H), W_hh (G·H, H), or a clear error."""
    if xp.ndim != 3 or h0.ndim != 2 or w_hh.ndim != 2:
        raise ValueError(f"{name}: expected xp (T, B, {gates}H), h0 (B, H), W_hh ({gates}H, H); "
                         f"got {xp.shape}, {h0.shape}, {w_hh.shape}")
    T, B, GH = xp.shape
    H = h0.shape[1]
    if T == 0 or h0.shape[0] != B or GH != gates * H or w_hh.shape != (gates * H, H):
        raise ValueError(f"{name}: shapes do not fit: xp {xp.shape}, h0 {h0.shape}, W_hh {w_hh.shape} "
                         f"(need T ≥ 1, xp (T, B, {gates}·H), h0 (B, H), W_hh ({gates}·H, H))")
    if len({xp.dtype, h0.dtype, w_hh.dtype}) > 1:
        raise TypeError(f"{name}: operands must share one dtype, got {xp.dtype}, {h0.dtype}, {w_hh.dtype}")
    return T, B, H


class RNNRecurrence(Function):
    """hs = [h_1 … h_T] with h_t = f(xp_t + h_{t−1} W_hhᵀ), f = tanh or relu.

    VJP (BPTT):  δ_t = ∂C/∂a_t = (∂C/∂h_t|direct + δ_{t+1} W_hh) ⊙ f'(a_t);  ∂C/∂xp_t = δ_t,
                 ∂C/∂W_hh = Σ_t δ_tᵀ h_{t−1},  ∂C/∂h_0 = δ_1 W_hh.
    JVP:         ḣ_t = f'(a_t) ⊙ (ẋp_t + ḣ_{t−1} W_hhᵀ + h_{t−1} Ẇ_hhᵀ).
    """

    @staticmethod
    def forward(ctx, xp, h0, w_hh, nonlinearity="tanh"):
        T, B, H = _check("rnn recurrence", xp, h0, w_hh, 1)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"rnn recurrence: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        w_t = w_hh.T
        hs = np.empty_like(xp)
        h = h0
        for t in range(T):
            a = np.matmul(h, w_t, out=hs[t])
            a += xp[t]
            if nonlinearity == "tanh":
                np.tanh(a, out=a)
            else:
                np.maximum(a, 0, out=a)
            h = a
        ctx.h0, ctx.w_hh, ctx.hs, ctx.tanh = h0, w_hh, hs, nonlinearity == "tanh"
        return hs

    @staticmethod
    def _derivative(ctx):
        hs = ctx.hs
        return 1 - hs * hs if ctx.tanh else (hs > 0).astype(hs.dtype)

    @staticmethod
    def backward(ctx, g):
        need_xp, need_h0, need_w = ctx.needs_input_grad
        w_hh, T = ctx.w_hh, g.shape[0]
        fprime = RNNRecurrence._derivative(ctx)
        delta = np.empty_like(g)            # δ_t = ∂C/∂a_t
        carry = None                        # δ_{t+1} W_hh: ∂C/∂h_t through the next step
        for t in range(T - 1, -1, -1):
            d = delta[t]
            if carry is None:
                np.multiply(g[t], fprime[t], out=d)
            else:
                np.add(g[t], carry, out=d)
                d *= fprime[t]
            if t or need_h0:
                carry = d @ w_hh
        gw = weight_grad(_flat(delta), _flat(_previous(ctx.h0, ctx.hs)), w_hh) if need_w else None
        return (delta if need_xp else None), (carry if need_h0 else None), gw

    @staticmethod
    def jvp(ctx, t_xp, t_h0, t_w):
        hs, w_t = ctx.hs, ctx.w_hh.T
        fprime = RNNRecurrence._derivative(ctx)
        drive = t_xp + _previous(ctx.h0, hs) @ t_w.T     # ẋp_t + h_{t−1} Ẇᵀ for every t in one GEMM
        out = np.empty_like(hs)
        h_dot = t_h0
        for t in range(hs.shape[0]):
            h_dot = np.multiply(drive[t] + h_dot @ w_t, fprime[t], out=out[t])
        return out


class LSTMLayer(Function):
    """One LSTM layer, one direction: Y = stack([h_1 … h_T], [c_1 … c_T]) of shape (2, T, H, B) from the
    input x (T, B, I), h0 and c0 (B, H), W_ih (4H, I), W_hh (4H, H) and b = b_ih + b_hh (4H,) or None.

    With gate pre-activations a_t = W_ih x_t + W_hh h_{t−1} + b = [a_i a_f a_g a_o] (torch's gate order),
    i, f, o = σ(·), g = tanh(·):   c_t = f⊙c_{t−1} + i⊙g,   h_t = o⊙tanh(c_t).
    VJP: with ĥ_t = ∂C/∂h_t (direct + from step t+1) and ĉ_t = ∂C/∂c_t|direct + ĉ_{t+1}⊙f_{t+1} +
         ĥ_t⊙o⊙(1 − tanh²c_t):   δo = ĥ⊙tanh c ⊙ o(1−o),  δi = ĉ⊙g ⊙ i(1−i),  δf = ĉ⊙c_{t−1} ⊙ f(1−f),
         δg = ĉ⊙i ⊙ (1−g²);  h-carry = W_hhᵀ δ_t;  ∂C/∂x_t = W_ihᵀ δ_t,
         ∂C/∂W_ih = Σ_t δ_t x_tᵀ,  ∂C/∂W_hh = Σ_t δ_t h_{t−1}ᵀ,  ∂C/∂b = Σ_t δ_t (sums over the batch too).
    JVP: the same chain forward: ȧ = W_ih ẋ + Ẇ_ih x + W_hh ḣ_{t−1} + Ẇ_hh h_{t−1} + ḃ,
         ċ = ḟ c + f ċ + i̇ g + i ġ,  ḣ = ȯ tanh c + o(1−tanh²c)ċ.

    Speed (measured): each step is feature-major and one GEMM, [W_hh W_ih b] (4H, H+I+1) by
    z_t = [h_{t−1}; x_t; 1] (H+I+1, B), whose output rows are the four gates' pre-activations as
    contiguous (H, B) blocks; every per-step operand is one contiguous block. A wide input (I > H) is
    projected for all steps first instead (W_ih x_t, one batched matmul, added per step): carrying it in
    z_t cost 1.24× the time for I = 784, H = 32. Against torch's layout (a projection x W_ihᵀ + b for all
    steps, then four per-gate GEMMs h W_hhᵀ per step into (B, 4H)), a training step of an LSTM(28→128),
    batch 64, took 0.68× the time with two BLAS threads and 0.96× with one (alternated in one process).
    After the loop, ∂C/∂[W_hh W_ih b] = Σ_t δ_t z_tᵀ is one GEMM of δ as a (4H, T·B) matrix. The gate
    rows are reordered to [o i f g] with the three sigmoid gates negated once, so σ(a) = 1/(1 + e^(−a))
    is exp, +1, reciprocal in place on one (3H, B) block.
    """

    ORDER = (3, 0, 1, 2)   # internal gate k is torch's gate ORDER[k]: [o i f g] from [i f g o]

    @staticmethod
    def _gate_rows(a, negate_sigmoid_gates=False):
        """(4H, …) with rows in torch's gate order → (4, H, …) in [o i f g] order (a copy), optionally with
        the three sigmoid gates negated. Used on W_hh, W_ih, b and, in the JVP, on the drives."""
        H = a.shape[0] // 4
        blocks = a.reshape(4, H, *a.shape[1:])
        out = np.empty(blocks.shape, dtype=a.dtype)
        for k, torch_gate in enumerate(LSTMLayer.ORDER):
            if negate_sigmoid_gates and k < 3:
                np.negative(blocks[torch_gate], out=out[k])
            else:
                out[k] = blocks[torch_gate]
        return out

    @staticmethod
    def _check(x, h0, c0, w_ih, w_hh, b):
        """T, B, I, H, or a clear error naming every operand's shape."""
        operands = {"x": x, "h0": h0, "c0": c0, "W_ih": w_ih, "W_hh": w_hh, "b": b}

        def given():
            return ", ".join(f"{k} {v.shape}" for k, v in operands.items() if v is not None)

        if x.ndim != 3 or w_hh.ndim != 2:
            raise ValueError(f"lstm layer: expected x (T, B, I) and W_hh (4H, H); got {given()}")
        (T, B, I), H = x.shape, w_hh.shape[1]
        shapes = {"h0": (B, H), "c0": (B, H), "W_ih": (4 * H, I), "W_hh": (4 * H, H), "b": (4 * H,)}
        if T == 0 or any(operands[k] is not None and operands[k].shape != v for k, v in shapes.items()):
            raise ValueError(f"lstm layer: shapes do not fit: {given()} (need T ≥ 1, x (T, B, I), h0 and c0 "
                             "(B, H), W_ih (4·H, I), W_hh (4·H, H), b (4·H,))")
        if len({v.dtype for v in operands.values() if v is not None}) > 1:
            raise TypeError("lstm layer: operands must share one dtype, got "
                            + ", ".join(f"{k} {v.dtype}" for k, v in operands.items() if v is not None))
        return T, B, I, H

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b=None):
        T, B, I, H = LSTMLayer._check(x, h0, c0, w_ih, w_hh, b)
        # rows [o i f g], negated for the sigmoid gates: the GEMMs give −a_o, −a_i, −a_f, a_g
        w_hh_q, w_ih_q = (LSTMLayer._gate_rows(w, negate_sigmoid_gates=True) for w in (w_hh, w_ih))
        wide = I > H      # a wide input is projected for all steps first; a narrow one rides in z_t
        blocks = [w_hh_q] + ([] if wide else [w_ih_q])
        if b is not None:
            blocks.append(LSTMLayer._gate_rows(b, negate_sigmoid_gates=True)[..., None])
        w = np.concatenate(blocks, axis=-1).reshape(4 * H, -1)
        z = np.empty((T, w.shape[1], B), dtype=x.dtype)   # z_t = [h_{t−1}; x_t (narrow); 1 (bias)]
        z[0, :H] = h0.T
        if not wide:
            z[:, H:H + I] = x.transpose(0, 2, 1)
        if b is not None:
            z[:, -1] = 1
        xq = np.matmul(w_ih_q.reshape(4 * H, I), x.transpose(0, 2, 1)) if wide else None    # (T, 4H, B)
        acts = np.empty((T, 4, H, B), dtype=x.dtype)    # [o i f g] after their nonlinearities
        y = np.empty((2, T, H, B), dtype=x.dtype)       # y[0] = h_t, y[1] = c_t
        tanh_c = np.empty((T, H, B), dtype=x.dtype)
        ig = np.empty((H, B), dtype=x.dtype)
        c = c0.T
        with np.errstate(over="ignore"):
            for t in range(T):
                a = acts[t]                             # (4, H, B): four (H, B) gate blocks
                np.matmul(w, z[t], out=a.reshape(4 * H, B))
                if wide:
                    a += xq[t].reshape(4, H, B)
                s = a[:3]
                np.exp(s, out=s)
                s += 1
                np.reciprocal(s, out=s)                 # o, i, f
                np.tanh(a[3], out=a[3])                 # g
                c_new = np.multiply(a[2], c, out=y[1, t])               # f⊙c_{t−1}
                c_new += np.multiply(a[1], a[3], out=ig)                # + i⊙g
                np.tanh(c_new, out=tanh_c[t])
                h = np.multiply(a[0], tanh_c[t], out=y[0, t])           # o⊙tanh(c_t)
                if t + 1 < T:
                    z[t + 1, :H] = h
                c = c_new
        ctx.x, ctx.z, ctx.wide, ctx.h0, ctx.c0, ctx.w_ih, ctx.w_hh = x, z, wide, h0, c0, w_ih, w_hh
        ctx.acts, ctx.y, ctx.tanh_c = acts, y, tanh_c
        return y

    @staticmethod
    def backward(ctx, gy):
        need_x, need_h0, need_c0, need_w_ih, need_w_hh, need_b = (ctx.needs_input_grad + (False,))[:6]
        acts, y, tanh_c = ctx.acts, ctx.y, ctx.tanh_c
        T, H, B = tanh_c.shape
        w_t = ctx.w_hh.T                                # (H, 4H) for the carry W_hhᵀ δ_t
        direct_h = gy[0].any(axis=(1, 2))               # steps where ∂C/∂h_t, ∂C/∂c_t have a direct part
        direct_c = gy[1].any(axis=(1, 2))
        delta = np.empty((T, 4 * H, B), dtype=acts.dtype)   # ∂C/∂a_t, rows in torch's order [i f g o]
        dh = dc = None
        for t in range(T - 1, -1, -1):                  # everything per step on contiguous (H, B) blocks
            a = acts[t]
            o, i, f, g = a[0], a[1], a[2], a[3]
            s_prime = a[:3] * (1 - a[:3])               # σ' of o, i, f
            tc = tanh_c[t]
            if dh is None:
                dh = gy[0, t]
            elif direct_h[t]:
                dh = dh + gy[0, t]
            dct = 1 - tc * tc                           # ĉ = ĥ⊙o⊙(1 − tanh²c) + direct + ĉ_{t+1}⊙f_{t+1}
            dct *= o
            dct *= dh
            if direct_c[t]:
                dct += gy[1, t]
            if dc is not None:
                dct += dc
            d = delta[t]
            c_prev = y[1, t - 1] if t else ctx.c0.T
            np.multiply(dct * g, s_prime[1], out=d[:H])                     # δi
            np.multiply(dct * c_prev, s_prime[2], out=d[H:2 * H])           # δf
            dg = g * g                                                      # δg
            np.subtract(1, dg, out=dg)
            dg *= i
            np.multiply(dg, dct, out=d[2 * H:3 * H])
            np.multiply(dh * tc, s_prime[0], out=d[3 * H:])                 # δo
            dc = dct * f
            if t or need_h0:
                dh = w_t @ d
        gx = np.matmul(delta.transpose(0, 2, 1), ctx.w_ih) if need_x else None       # (T, B, I)
        g_ih = g_hh = gb = None
        if need_w_ih or need_w_hh or need_b:  # Σ_t δ_t z_tᵀ: one GEMM of δ and z as (·, T·B) matrices
            K, I = ctx.z.shape[1], ctx.x.shape[2]
            rows = np.ascontiguousarray(delta.transpose(1, 0, 2)).reshape(4 * H, T * B)
            zs = np.ascontiguousarray(ctx.z.transpose(1, 0, 2)).reshape(K, T * B)
            g = rows @ zs.T                                                 # (4H, K): [∂W_hh (∂W_ih) (∂b)]
            g_hh, gb = g[:, :H], (g[:, -1] if need_b else None)
            if need_w_ih and ctx.wide:                                      # Σ_t δ_t x_tᵀ, one GEMM
                g_ih = weight_grad(rows.T, np.ascontiguousarray(ctx.x).reshape(T * B, I), ctx.w_ih)
            elif need_w_ih:                                                 # x_t rode in z_t
                g_ih = g[:, H:H + I]
        return (gx, (dh.T if need_h0 else None), (dc.T if need_c0 else None), g_ih if need_w_ih else None,
                g_hh if need_w_hh else None, gb)

    @staticmethod
    def jvp(ctx, t_x, t_h0, t_c0, t_w_ih, t_w_hh, t_b=None):
        acts, y, tanh_c = ctx.acts, ctx.y, ctx.tanh_c
        T, H, B = tanh_c.shape
        w = LSTMLayer._gate_rows(ctx.w_hh).reshape(4 * H, H)                    # [o i f g]
        h_prev, c_prev = _previous(ctx.h0.T, y[0]), _previous(ctx.c0.T, y[1])
        # W_ih ẋ_t + Ẇ_ih x_t + Ẇ_hh h_{t−1} (+ ḃ) for all t, (T, 4H, B)
        drive = ctx.w_ih @ t_x.transpose(0, 2, 1) + t_w_ih @ ctx.x.transpose(0, 2, 1) + t_w_hh @ h_prev
        if t_b is not None:
            drive += t_b[:, None]
        drive = LSTMLayer._gate_rows(drive.transpose(1, 0, 2))                 # (4, H, T, B), [o i f g]
        dact = acts * (1 - acts)                                     # σ' for o, i, f …
        dact[:, 3] = 1 - acts[:, 3] * acts[:, 3]                     # … tanh' for g
        out = np.empty_like(y)
        h_dot, c_dot = t_h0.T, t_c0.T
        for t in range(T):
            a_dot = (drive[:, :, t] + (w @ h_dot).reshape(4, H, B)) * dact[t]     # [ȯ i̇ ḟ ġ]
            o, i, f, g = acts[t]
            do, di, df, dg = a_dot
            c_dot = np.add(df * c_prev[t] + f * c_dot, di * g + i * dg, out=out[1, t])
            tc = tanh_c[t]
            h_dot = np.add(do * tc, o * (1 - tc * tc) * c_dot, out=out[0, t])
        return out


class GRURecurrence(Function):
    """hs = [h_1 … h_T] from xp = x W_ihᵀ + b_ih (T, B, 3H), h0, W_hh (3H, H), b_hh (3H,) (torch's GRU).

    Per step, with gh = h_{t−1} W_hhᵀ + b_hh = [gh_r gh_z gh_n]:
      r = σ(xp_r + gh_r),  z = σ(xp_z + gh_z),  n = tanh(xp_n + r⊙gh_n),  h_t = n + z⊙(h_{t−1} − n).
    VJP: ĥ = ∂C/∂h_t;  δn = ĥ(1−z)(1−n²),  δz = ĥ(h_{t−1}−n) z(1−z),  δr = δn⊙gh_n r(1−r);
         ∂C/∂xp_t = [δr δz δn],  ∂C/∂gh_t = [δr δz δn⊙r],  ∂C/∂h_{t−1} = ĥ⊙z + ∂C/∂gh_t W_hh.
    """

    @staticmethod
    def forward(ctx, xp, h0, w_hh, b_hh):
        T, B, H = _check("gru recurrence", xp, h0, w_hh, 3)
        if b_hh.shape != (3 * H,):
            raise ValueError(f"gru recurrence: b_hh must have shape ({3 * H},), got {b_hh.shape}")
        w_t = w_hh.T
        gh = np.empty_like(xp)              # h_{t−1} W_hhᵀ + b_hh
        acts = np.empty_like(xp)            # [r z n]
        hs = np.empty((T, B, H), dtype=xp.dtype)
        h = h0
        with np.errstate(over="ignore"):
            for t in range(T):
                u = np.matmul(h, w_t, out=gh[t])
                u += b_hh
                a = np.add(xp[t, :, :2 * H], u[:, :2 * H], out=acts[t, :, :2 * H])
                _sigmoid(a, out=a)
                n = np.multiply(a[:, :H], u[:, 2 * H:], out=acts[t, :, 2 * H:])
                n += xp[t, :, 2 * H:]
                np.tanh(n, out=n)
                h_new = np.subtract(h, n, out=hs[t])
                h_new *= a[:, H:2 * H]
                h_new += n
                h = h_new
        ctx.h0, ctx.w_hh, ctx.gh, ctx.acts, ctx.hs = h0, w_hh, gh, acts, hs
        return hs

    @staticmethod
    def backward(ctx, g):
        need_xp, need_h0, need_w, need_b = ctx.needs_input_grad
        acts, gh, hs, w_hh = ctx.acts, ctx.gh, ctx.hs, ctx.w_hh
        T, B, H = hs.shape
        h_prev = _previous(ctx.h0, hs)
        dxp = np.empty_like(acts)
        dgh = np.empty_like(acts)
        dh = None
        for t in range(T - 1, -1, -1):
            r, z, n = (acts[t, :, k * H:(k + 1) * H] for k in range(3))
            dh = g[t] if dh is None else dh + g[t]
            dn = np.multiply(dh * (1 - z), 1 - n * n, out=dxp[t, :, 2 * H:])
            np.multiply(dh * (h_prev[t] - n), z * (1 - z), out=dxp[t, :, H:2 * H])
            np.multiply(dn * gh[t, :, 2 * H:], r * (1 - r), out=dxp[t, :, :H])
            dgh[t, :, :2 * H] = dxp[t, :, :2 * H]
            np.multiply(dn, r, out=dgh[t, :, 2 * H:])
            if t or need_h0:
                dh = dh * z + dgh[t] @ w_hh
        gw = weight_grad(_flat(dgh), _flat(h_prev), w_hh) if need_w else None
        gb = _flat(dgh).sum(axis=0) if need_b else None
        return (dxp if need_xp else None), (dh if need_h0 else None), gw, gb

    @staticmethod
    def jvp(ctx, t_xp, t_h0, t_w, t_b):
        acts, gh, hs, w_t = ctx.acts, ctx.gh, ctx.hs, ctx.w_hh.T
        T, B, H = hs.shape
        h_prev = _previous(ctx.h0, hs)
        drive = h_prev @ t_w.T + t_b                       # (h_{t−1} Ẇᵀ + ḃ) for all t
        out = np.empty_like(hs)
        h_dot = t_h0
        for t in range(T):
            r, z, n = (acts[t, :, k * H:(k + 1) * H] for k in range(3))
            gh_dot = drive[t] + h_dot @ w_t
            r_dot = (t_xp[t, :, :H] + gh_dot[:, :H]) * r * (1 - r)
            z_dot = (t_xp[t, :, H:2 * H] + gh_dot[:, H:2 * H]) * z * (1 - z)
            n_dot = (t_xp[t, :, 2 * H:] + r_dot * gh[t, :, 2 * H:] + r * gh_dot[:, 2 * H:]) * (1 - n * n)
            h_dot = np.add(n_dot + z_dot * (h_prev[t] - n), z * (h_dot - n_dot), out=out[t])
        return out
