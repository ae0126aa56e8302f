"""Reverse mode: backpropagation over the recorded graph, iteratively (no recursion, any depth).

Every tensor made by a primitive gets a sequence number at creation, and a tensor is always made after
its inputs, so processing tensors in decreasing sequence number visits each one after every tensor that
used it: by then its gradient ∂C/∂t (the sum over all its uses) is complete. A heap gives that order.
"""

from __future__ import annotations

import heapq

import numpy as np

from deltanet.tensor import Tensor


def _seed_gradient(root: Tensor, grad) -> np.ndarray:
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad and has no graph; "
                           "did you forget requires_grad=True on an input, or compute it under no_grad()?")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward: grad can be implied only for a scalar output, this one has shape "
                               f"{root.shape}; pass grad= (a tensor of that shape), or reduce it first (.sum())")
        if root.data.ndim:
            return np.ones(root.data.shape, root.data.dtype)
        one = _ONE.get(root.data.dtype)
        if one is None:                        # a shared read-only 1 (seeds are borrowed: copied before kept)
            one = _ONE[root.data.dtype] = np.ones((), root.data.dtype)
            one.flags.writeable = False
        return one
    grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.dtype)
    if grad.shape != root.shape:
        raise RuntimeError(f"backward: grad has shape {grad.shape} but the output has shape {root.shape}")
    return grad


_ONE: dict = {}  # dtype → the read-only 0-d seed ∂C/∂C = 1


def run_backward(roots, grads, retain_graph: bool = False, inputs=None):
    """Push each root's gradient back through the graph (chain rule, reverse creation order).

    With `inputs=None`, gradients of leaves (and of tensors that `retain_grad()`) are accumulated into
    `.grad`; otherwise nothing is accumulated and the list of ∂/∂input (None if unused) is returned.
    """
    pending = {}      # id(tensor) → ∂C/∂tensor summed over the uses seen so far
    borrowed = set()  # ids of arrays we do not own (the caller's seed, views of it): copied before storing
    heap = []         # graph nodes waiting for their gradient to be complete, latest-made first
    wanted = None if inputs is None else {id(x): None for x in inputs}
    arrivals = []
    for root, grad in zip(roots, grads):
        seed = _seed_gradient(root, grad)
        borrowed.add(id(seed))
        arrivals.append((root, seed))

    while True:
        for tensor, g in arrivals:  # add each contribution to ∂C/∂tensor
            key = id(tensor)
            if tensor._ctx is None:  # a leaf: accumulate now
                if wanted is None:
                    _accumulate(tensor, g, id(g) in borrowed)
                elif key in wanted:
                    wanted[key] = g if wanted[key] is None else wanted[key] + g
            elif key in pending:
                pending[key] = pending[key] + g
            else:
                pending[key] = g
                heapq.heappush(heap, (-tensor._ctx.seq, tensor))
        if not heap:
            break
        _, tensor = heapq.heappop(heap)
        ctx = tensor._ctx
        g = pending.pop(id(tensor))
        if wanted is not None:
            if id(tensor) in wanted:
                wanted[id(tensor)] = g
        elif tensor._retains_grad:
            _accumulate(tensor, g, True)
        if ctx.released:
            raise RuntimeError(f"backward through {ctx.fn.__name__} a second time: its saved values were freed "
                               "by the first backward; call the first backward(retain_graph=True) if you "
                               "need to backpropagate through this graph twice")
        parent_grads = ctx.fn.backward(ctx, g)
        if type(parent_grads) is not tuple:
            parent_grads = (parent_grads,)
        arrivals = []
        for parent, needed, pg in zip(ctx.parents, ctx.needs_input_grad, parent_grads):
            if not needed or pg is None:
                continue
            data = parent.data
            if pg.shape != data.shape:
                raise RuntimeError(f"internal error: {ctx.fn.__name__}.backward returned a gradient of shape "
                                   f"{pg.shape} for an input of shape {data.shape}")
            if pg.dtype != data.dtype:
                pg = pg.astype(data.dtype)
            if pg is g or (pg.base is not None and pg.base is (g if g.base is None else g.base)):
                borrowed.add(id(pg))  # g passed through (or a view of it: same owner): not ours to hand out
            arrivals.append((parent, pg))
        if not retain_graph:
            ctx.release()

    if wanted is not None:
        return [wanted[id(x)] for x in inputs]
    return None


def _accumulate(tensor: Tensor, g: np.ndarray, borrowed: bool) -> None:
    """tensor.grad += g, never writing into an array someone else holds. A new .grad gets the memory
    layout of the tensor itself (e.g. a column-major weight's), so the optimizer's elementwise updates
    run over arrays of one layout."""
    if tensor.grad is None:
        data = tensor.data
        if borrowed or g.strides != data.strides or not g.flags.writeable:
            copy = np.empty_like(data)           # the tensor's own layout (C or column-major)
            np.copyto(copy, g)
            g = copy
        tensor.grad = Tensor(g)
    else:
        tensor.grad.data = tensor.grad.data + g


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """`root.backward(grad)`: accumulate ∂root/∂x into x.grad for every leaf x that requires grad."""
    run_backward([root], [grad], retain_graph)
