"""Reverse mode: backpropagation over the recorded graph, iteratively (no recursion, any depth)."""

from __future__ import annotations

import numpy as np

from deltanet.tensor import Tensor


def _topological_order(roots) -> list:
    """Tensors reachable from `roots` through grad-requiring links, each after all tensors it depends on."""
    order, visited = [], set()
    stack = [(root, False) for root in roots]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        ctx = tensor._ctx
        if ctx is not None:
            for parent, needed in zip(ctx.parents, ctx.needs_input_grad):
                if needed and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def _seed_gradient(root: Tensor, grad) -> np.ndarray:
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad and has no graph; "
                           "did you forget requires_grad=True on an input, or compute it under no_grad()?")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward: grad can be implied only for a scalar output, this one has shape "
                               f"{root.shape}; pass grad= (a tensor of that shape), or reduce it first (.sum())")
        return np.ones_like(root.data)
    grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.dtype)
    if grad.shape != root.shape:
        raise RuntimeError(f"backward: grad has shape {grad.shape} but the output has shape {root.shape}")
    return grad


def run_backward(roots, grads, retain_graph: bool = False, inputs=None):
    """Push each root's gradient back through the graph (chain rule, reverse topological order).

    With `inputs=None` gradients of leaves (and of tensors that `retain_grad()`) are accumulated
    into `.grad`; otherwise nothing is accumulated and ∂/∂input for each input is returned.
    """
    grads_in = {}
    borrowed = set()  # arrays we do not own (the caller's seed, pass-through views): copy before storing
    for root, grad in zip(roots, grads):
        seed = _seed_gradient(root, grad)
        borrowed.add(id(seed))
        grads_in[id(root)] = seed if id(root) not in grads_in else grads_in[id(root)] + seed
    wanted = None if inputs is None else {id(x): None for x in inputs}

    for tensor in reversed(_topological_order(roots)):
        g = grads_in.pop(id(tensor), None)
        if g is None:
            continue
        ctx = tensor._ctx
        if wanted is not None:
            if id(tensor) in wanted:
                wanted[id(tensor)] = g
        elif ctx is None or tensor._retains_grad:
            _accumulate(tensor, g, id(g) in borrowed)
        if ctx is None:
            continue
        if ctx.released:
            raise RuntimeError(f"backward through {ctx.fn.__name__} a second time: its saved values were freed "
                               "by the first backward; call the first backward(retain_graph=True) if you "
                               "need to backpropagate through this graph twice")
        parent_grads = ctx.fn.backward(ctx, g)
        if not isinstance(parent_grads, tuple):
            parent_grads = (parent_grads,)
        for parent, needed, pg in zip(ctx.parents, ctx.needs_input_grad, parent_grads):
            if not needed or pg is None:
                continue
            if pg.shape != parent.data.shape:
                raise RuntimeError(f"internal error: {ctx.fn.__name__}.backward returned a gradient of shape "
                                   f"{pg.shape} for an input of shape {parent.data.shape}")
            if pg.dtype != parent.data.dtype:
                pg = pg.astype(parent.data.dtype)
            if pg is g or pg.base is not None:
                borrowed.add(id(pg))
            key = id(parent)
            previous = grads_in.get(key)
            grads_in[key] = pg if previous is None else previous + pg
        if not retain_graph:
            ctx.release()

    if wanted is not None:
        return [wanted[id(x)] for x in inputs]
    return None


def _accumulate(tensor: Tensor, g: np.ndarray, borrowed: bool) -> None:
    """tensor.grad += g, never writing into an array someone else holds."""
    if tensor.grad is None:
        tensor.grad = Tensor(g.copy() if borrowed or not g.flags.writeable else g)
    else:
        tensor.grad.data = tensor.grad.data + g


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """`root.backward(grad)`: accumulate ∂root/∂x into x.grad for every leaf x that requires grad."""
    run_backward([root], [grad], retain_graph)
