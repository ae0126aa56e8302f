"""RNN / LSTM / GRU layers and cells against PyTorch in float64 (rtol 1e-10): outputs, final states and
every gradient (parameters, input, initial states) on many random configurations, both the fused
recurrences and the loops composed from primitives; forward-mode (JVP) against torch.func.jvp."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deltanet as dn

from conftest import assert_close, twin

KINDS = ("RNN", "RNN-relu", "LSTM", "GRU")


def random_config(seed: int) -> dict:
    r = np.random.default_rng(seed)
    kind = KINDS[seed % 4]
    return dict(kind=kind, input_size=int(r.integers(1, 7)), hidden_size=int(r.integers(1, 8)),
                num_layers=int(r.integers(1, 4)), bias=bool(r.random() < 0.8), batch_first=bool(r.random() < 0.5),
                bidirectional=bool(r.random() < 0.3), seq=int(r.integers(1, 21)), batch=int(r.integers(1, 5)),
                unbatched=bool(r.random() < 0.1), initial=bool(r.random() < 0.5))


def build(cfg):
    kwargs = dict(num_layers=cfg["num_layers"], bias=cfg["bias"], batch_first=cfg["batch_first"],
                  bidirectional=cfg["bidirectional"])
    kind = cfg["kind"]
    if kind.startswith("RNN"):
        kwargs["nonlinearity"] = "relu" if kind == "RNN-relu" else "tanh"
        kind = "RNN"
    return twin(kind, cfg["input_size"], cfg["hidden_size"], **kwargs)


def inputs(cfg, rng):
    """x and the initial state(s) (None when the config starts from zeros), as NumPy arrays."""
    T, B, I, H = cfg["seq"], cfg["batch"], cfg["input_size"], cfg["hidden_size"]
    layers = cfg["num_layers"] * (2 if cfg["bidirectional"] else 1)
    if cfg["unbatched"]:
        x, state_shape = rng.standard_normal((T, I)), (layers, H)
    else:
        x = rng.standard_normal((B, T, I) if cfg["batch_first"] else (T, B, I))
        state_shape = (layers, B, H)
    if not cfg["initial"]:
        return x, None
    states = [rng.standard_normal(state_shape) for _ in range(2 if cfg["kind"] == "LSTM" else 1)]
    return x, states


def run_both(cfg, fused=True, seed=0):
    """Forward both, backward a random weighting of every output, compare everything."""
    rng = np.random.default_rng(seed)
    ours, theirs = build(cfg)
    ours.fused = fused
    x, states = inputs(cfg, rng)
    x_d, x_t = dn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    s_d = None if states is None else [dn.tensor(s, requires_grad=True) for s in states]
    s_t = None if states is None else [torch.tensor(s, requires_grad=True) for s in states]
    lstm = cfg["kind"] == "LSTM"
    if lstm:
        out_d, (h_d, c_d) = ours(x_d, None if s_d is None else tuple(s_d))
        out_t, (h_t, c_t) = theirs(x_t, None if s_t is None else tuple(s_t))
        pairs = [(out_d, out_t, "output"), (h_d, h_t, "h_n"), (c_d, c_t, "c_n")]
    else:
        out_d, h_d = ours(x_d, None if s_d is None else s_d[0])
        out_t, h_t = theirs(x_t, None if s_t is None else s_t[0])
        pairs = [(out_d, out_t, "output"), (h_d, h_t, "h_n")]
    loss_d, loss_t = 0, 0
    for a, b, what in pairs:
        assert_close(a, b, f"{cfg} {what}")
        g = rng.standard_normal(tuple(b.shape))
        loss_d = loss_d + (a * dn.tensor(g)).sum()
        loss_t = loss_t + (b * torch.tensor(g)).sum()
    loss_d.backward()
    loss_t.backward()
    assert_close(x_d.grad, x_t.grad, f"{cfg} ∂/∂input")
    for k in range(0 if s_d is None else len(s_d)):
        assert_close(s_d[k].grad, s_t[k].grad, f"{cfg} ∂/∂initial state {k}")
    for name, p in theirs.named_parameters():
        assert_close(getattr(ours, name).grad, p.grad, f"{cfg} ∂/∂{name}")


@pytest.mark.parametrize("seed", range(120))
def test_fused_layers_match_torch(seed):
    run_both(random_config(seed), fused=True, seed=seed)


@pytest.mark.parametrize("input_size, hidden_size", [(2, 5), (5, 5), (9, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_lstm_narrow_and_wide_inputs_match_torch(input_size, hidden_size, bias):
    """The fused LSTM carries a narrow input (I ≤ H) inside each step's GEMM and projects a wide one first."""
    cfg = dict(kind="LSTM", input_size=input_size, hidden_size=hidden_size, num_layers=2, bias=bias,
               batch_first=True, bidirectional=False, seq=6, batch=3, unbatched=False, initial=True)
    run_both(cfg, fused=True, seed=input_size)


@pytest.mark.parametrize("seed", range(1000, 1032))
def test_composite_layers_match_torch(seed):
    """The loops built from linear/sigmoid/tanh/mul/add/getitem/stack (every step a visible primitive)."""
    cfg = random_config(seed)
    cfg["seq"] = min(cfg["seq"], 8)
    run_both(cfg, fused=False, seed=seed)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_float32_matches_torch_to_1e5(kind):
    dn.set_default_dtype(np.float32)
    theirs = getattr(torch.nn, kind)(5, 16, num_layers=2, batch_first=True)
    ours = getattr(dn.nn, kind)(5, 16, num_layers=2, batch_first=True)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 28, 5)).astype(np.float32)
    xd, xt = dn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_d, out_t = ours(xd)[0], theirs(xt)[0]
    assert out_d.dtype == np.float32
    assert_close(out_d, out_t, "float32 output", rtol=1e-5, atol=1e-6)
    out_d.sum().backward()
    out_t.sum().backward()
    assert_close(xd.grad, xt.grad, "float32 ∂/∂x", rtol=1e-4, atol=1e-5)
    for name, p in theirs.named_parameters():
        assert getattr(ours, name).grad.dtype == np.float32
        assert_close(getattr(ours, name).grad, p.grad, name, rtol=1e-4, atol=1e-5)


# ---- cells ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(36))
def test_cells_match_torch(seed):
    r = np.random.default_rng(seed)
    kind = ("RNNCell", "LSTMCell", "GRUCell")[seed % 3]
    I, H, B = int(r.integers(1, 7)), int(r.integers(1, 8)), int(r.integers(1, 5))
    kwargs = {"bias": bool(r.random() < 0.8)}
    if kind == "RNNCell":
        kwargs["nonlinearity"] = "relu" if r.random() < 0.5 else "tanh"
    ours, theirs = twin(kind, I, H, **kwargs)
    unbatched, zero_state = r.random() < 0.25, r.random() < 0.25
    shape = () if unbatched else (B,)
    x = r.standard_normal(shape + (I,))
    states = [r.standard_normal(shape + (H,)) for _ in range(2 if kind == "LSTMCell" else 1)]
    xd, xt = dn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sd = [dn.tensor(s, requires_grad=True) for s in states]
    st = [torch.tensor(s, requires_grad=True) for s in states]
    if zero_state:
        out_d, out_t = ours(xd), theirs(xt)
    elif kind == "LSTMCell":
        out_d, out_t = ours(xd, tuple(sd)), theirs(xt, tuple(st))
    else:
        out_d, out_t = ours(xd, sd[0]), theirs(xt, st[0])
    out_d = out_d if isinstance(out_d, tuple) else (out_d,)
    out_t = out_t if isinstance(out_t, tuple) else (out_t,)
    loss_d = loss_t = 0
    for a, b in zip(out_d, out_t, strict=True):
        assert_close(a, b, f"{kind} value")
        g = r.standard_normal(tuple(b.shape))
        loss_d, loss_t = loss_d + (a * dn.tensor(g)).sum(), loss_t + (b * torch.tensor(g)).sum()
    loss_d.backward()
    loss_t.backward()
    assert_close(xd.grad, xt.grad, f"{kind} ∂/∂x")
    if not zero_state:
        for a, b in zip(sd, st, strict=True):
            assert_close(a.grad, b.grad, f"{kind} ∂/∂state")
    for name, p in theirs.named_parameters():
        assert_close(getattr(ours, name).grad, p.grad, f"{kind} ∂/∂{name}")


# ---- forward mode ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_jvp_matches_torch_func_jvp(kind, fused):
    """Tangents on the input, the initial state(s) and every parameter at once."""
    rng = np.random.default_rng(7)
    T, B, I, H = 6, 3, 4, 5
    ours, theirs = twin(kind, I, H, num_layers=2, bidirectional=kind == "GRU", batch_first=kind == "RNN")
    ours.fused = fused
    layers = 4 if kind == "GRU" else 2
    x = rng.standard_normal((B, T, I) if kind == "RNN" else (T, B, I))
    states = [rng.standard_normal((layers, B, H)) for _ in range(2 if kind == "LSTM" else 1)]
    names = [n for n, _ in theirs.named_parameters()]
    primal_arrays = [x, *states, *[p.detach().numpy().copy() for p in theirs.parameters()]]
    tangents = [rng.standard_normal(a.shape) for a in primal_arrays]
    n_state = len(states)

    def ours_fn(x, *rest):
        hx = tuple(rest[:n_state]) if kind == "LSTM" else rest[0]
        out, h = ours(x, hx)
        return (out, *h) if kind == "LSTM" else (out, h)

    params = [getattr(ours, n) for n in names]
    primals_d = [dn.tensor(x), *[dn.tensor(s) for s in states], *params]
    outs_d, tans_d = dn.autograd.jvp(ours_fn, primals_d, tangents)

    def torch_fn(x, *rest):
        hx = tuple(rest[:n_state]) if kind == "LSTM" else rest[0]
        weights = dict(zip(names, rest[n_state:], strict=True))
        out, h = torch.func.functional_call(theirs, weights, (x, hx))
        return (out, *h) if kind == "LSTM" else (out, h)

    outs_t, tans_t = torch.func.jvp(torch_fn, tuple(torch.tensor(a) for a in primal_arrays),
                                    tuple(torch.tensor(t) for t in tangents))
    for a, b in zip(outs_d, outs_t, strict=True):
        assert_close(a, b, "jvp primal")
    for a, b in zip(tans_d, tans_t, strict=True):
        assert_close(a, b, f"{kind} JVP")


# ---- the fused primitives on their own: against the composite, and finite differences --------------------


@pytest.mark.parametrize("kind", ["RNN", "RNN-relu", "LSTM", "GRU"])
def test_fused_recurrences_pass_gradcheck(kind):
    from deltanet.ops import rnn as fused

    rng = np.random.default_rng(3)
    T, B, H = 4, 2, 3
    gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
    xp = dn.tensor(rng.standard_normal((T, B, gates * H)) + 0.1, requires_grad=True)  # relu: away from 0
    h0 = dn.tensor(rng.standard_normal((B, H)), requires_grad=True)
    w = dn.tensor(rng.standard_normal((gates * H, H)) * 0.5, requires_grad=True)
    if kind == "LSTM":  # the whole layer: input x (T, B, I), W_ih, W_hh and the bias
        c0 = dn.tensor(rng.standard_normal((B, H)), requires_grad=True)
        x = dn.tensor(rng.standard_normal((T, B, 2)), requires_grad=True)
        w_ih = dn.tensor(rng.standard_normal((gates * H, 2)) * 0.5, requires_grad=True)
        b = dn.tensor(rng.standard_normal(gates * H) * 0.5, requires_grad=True)
        fn, args = fused.LSTMLayer.apply, (x, h0, c0, w_ih, w, b)
    elif kind == "GRU":
        b = dn.tensor(rng.standard_normal(3 * H), requires_grad=True)
        fn, args = fused.GRURecurrence.apply, (xp, h0, w, b)
    else:
        def fn(*a):
            return fused.RNNRecurrence.apply(*a, nonlinearity="relu" if kind == "RNN-relu" else "tanh")
        args = (xp, h0, w)
    assert dn.autograd.gradcheck(fn, args)


# ---- API details ---------------------------------------------------------------------------------------------


def test_parameter_names_shapes_and_order_are_torchs():
    for kind, kwargs in [("RNN", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}), ("GRU", {"bias": False})]:
        ours, theirs = twin(kind, 3, 4, **kwargs)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    for kind in ("RNNCell", "LSTMCell", "GRUCell"):
        ours, theirs = twin(kind, 3, 4)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]


def test_init_is_uniform_within_one_over_sqrt_hidden():
    dn.manual_seed(0)
    lstm = dn.nn.LSTM(10, 25, num_layers=2)
    bound = 1 / np.sqrt(25)
    values = np.concatenate([p.data.ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= bound
    assert abs(values.mean()) < 0.01 and abs(values.std() - bound / np.sqrt(3)) < 0.01  # U(−a, a): σ = a/√3


def test_torch_state_dict_loads_and_gives_the_same_function():
    theirs = torch.nn.LSTM(3, 6, num_layers=2, batch_first=True).double()
    ours = dn.nn.LSTM(3, 6, num_layers=2, batch_first=True)
    missing, unexpected = ours.load_state_dict(theirs.state_dict())
    assert missing == [] and unexpected == []
    x = np.random.default_rng(0).standard_normal((2, 9, 3))
    assert_close(ours(dn.tensor(x))[0], theirs(torch.tensor(x))[0], "output after load_state_dict")
    with pytest.raises(KeyError, match="missing keys"):
        dn.nn.LSTM(3, 6, num_layers=3).load_state_dict(theirs.state_dict())


def test_io_round_trip_of_a_sequence_classifier(tmp_path):
    model = dn.nn.Sequential(dn.nn.Unflatten(1, (7, 4)), dn.nn.LSTM(4, 5, num_layers=2, batch_first=True),
                             dn.nn.LastStep(), dn.nn.Linear(5, 3))
    for layer in (dn.nn.GRU(4, 3, bidirectional=True), dn.nn.RNN(4, 3, 2, "relu", dropout=0.25),
                  dn.nn.LSTMCell(4, 3), dn.nn.GRUCell(4, 3, bias=False), dn.nn.RNNCell(4, 3, nonlinearity="relu")):
        again = dn.io.load(dn.io.save(layer, tmp_path / f"{type(layer).__name__}.npz"))
        assert repr(again) == repr(layer) and again.get_config() == layer.get_config()
    loaded = dn.io.load(dn.io.save(model, tmp_path / "model.npz"))
    assert repr(loaded) == repr(model)
    x = dn.tensor(np.random.default_rng(0).random((3, 28)))
    np.testing.assert_array_equal(loaded(x).data, model(x).data)


def test_unbatched_input_and_default_state():
    ours, theirs = twin("GRU", 3, 4, num_layers=2)
    x = np.random.default_rng(1).standard_normal((6, 3))
    out_d, h_d = ours(dn.tensor(x))
    out_t, h_t = theirs(torch.tensor(x))
    assert out_d.shape == (6, 4) and h_d.shape == (2, 4)
    assert_close(out_d, out_t, "unbatched output")
    assert_close(h_d, h_t, "unbatched h_n")


def test_dropout_between_layers_only_in_training():
    dn.manual_seed(0)
    lstm = dn.nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = dn.tensor(np.random.default_rng(0).standard_normal((5, 2, 3)))
    lstm.eval()
    a, b = lstm(x)[0].data, lstm(x)[0].data
    np.testing.assert_array_equal(a, b)
    lstm.train()
    assert not np.allclose(lstm(x)[0].data, a)


@pytest.mark.parametrize("make, call, message", [
    (lambda: dn.nn.LSTM(3, 4), lambda m: m(dn.zeros(5, 2, 4)), "features = 3"),
    (lambda: dn.nn.GRU(3, 4, batch_first=True), lambda m: m(dn.zeros(2, 5)), r"\(seq, features\)"),
    (lambda: dn.nn.RNN(3, 4, 2), lambda m: m(dn.zeros(5, 2, 3), dn.zeros(1, 2, 4)), r"h_0 of shape \(2, 2, 4\)"),
    (lambda: dn.nn.LSTM(3, 4), lambda m: m(dn.zeros(5, 2, 3), dn.zeros(1, 2, 4)), "pair"),
    (lambda: dn.nn.LSTM(3, 4), lambda m: m(dn.zeros(5, 2, 3).float()), "dtype float32"),
    (lambda: dn.nn.LSTMCell(3, 4), lambda m: m(dn.zeros(2, 3), dn.zeros(2, 4)), "pair"),
    (lambda: dn.nn.GRUCell(3, 4), lambda m: m(dn.zeros(2, 3), dn.zeros(3, 4)), r"shape \(2, 4\)"),
    (lambda: dn.nn.RNN(3, 4, nonlinearity="sigmoid"), None, "'tanh' or 'relu'"),
    (lambda: dn.nn.LSTM(3, 0), None, "hidden_size must be a positive integer"),
])
def test_clear_errors(make, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(make())


@pytest.mark.parametrize("seed", range(2000, 2012))
def test_fused_equals_composite(seed):
    """The fused recurrence and the loop of primitives it replaces agree (values and all gradients)."""
    cfg = random_config(seed)
    ours, _ = build(cfg)
    x, states = inputs(cfg, np.random.default_rng(seed))
    results = []
    for fused in (True, False):
        ours.fused = fused
        ours.zero_grad()
        xd = dn.tensor(x, requires_grad=True)
        hx = None if states is None else tuple(dn.tensor(s) for s in states)
        out, h = ours(xd, hx if cfg["kind"] == "LSTM" or hx is None else hx[0])
        h = h if isinstance(h, tuple) else (h,)
        (out.sum() + sum((s * s).sum() for s in h)).backward()
        results.append([out.data, *[s.data for s in h], xd.grad.data, *[p.grad.data for p in ours.parameters()]])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)
