"""A model's architecture as a JSON tree, and the model rebuilt from that tree.

A node is {"class": layer class name, "config": its get_config(), "children": {name: node}}. Only library
layers (the classes in `Module._registry`) can be described: a user's own Module subclass has code that no
JSON can hold. `Sequential` and `ModuleList` have an empty config and are rebuilt from their children;
every other layer is rebuilt as `cls(**config)` and must then have the recorded children.

    >>> import deltanet as dn
    >>> from deltanet.io import architecture, build
    >>> tree = architecture(dn.nn.Sequential(dn.nn.Linear(2, 3), dn.nn.Sigmoid()))
    >>> tree["children"]["0"]
    {'class': 'Linear', 'config': {'in_features': 2, 'out_features': 3, 'bias': True}, 'children': {}}
    >>> build(tree)
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Sigmoid()
    )
"""

from __future__ import annotations

from collections import OrderedDict

from deltanet.io._npz import normalise_json
from deltanet.nn.container import ModuleList, Sequential
from deltanet.nn.module import Module
from deltanet.random import get_rng_state, set_rng_state

CONTAINERS = (Sequential, ModuleList)  # built from their children, not from a config

NOT_LIBRARY = ("dn.io.save can only describe models built from deltanet layers; "
               "save the weights with save_state_dict instead")


def architecture(model: Module) -> dict:
    """The JSON-able tree {class, config, children} of a model built from deltanet layers.

    Raises TypeError naming the module path and class if any module is not a deltanet layer, or if a
    module object appears twice (shared modules cannot be described by a tree)."""
    if not isinstance(model, Module):
        raise TypeError(f"dn.io: expected a deltanet Module, got {type(model).__name__}")
    return _describe(model, "", strict=True, seen={})


def describe(model: Module) -> dict:
    """Like `architecture`, but a non-library module becomes {"class": "pkg.mod.Class", "custom": True, …}
    instead of an error (used to list the differences between a file and a given model)."""
    return _describe(model, "", strict=False, seen={})


def is_library_layer(module: Module) -> bool:
    cls = type(module)
    return Module._registry.get(cls.__name__) is cls


def _where(path: str) -> str:
    return repr(path) if path else "(the model itself)"


def _describe(module: Module, path: str, strict: bool, seen: dict) -> dict:
    cls = type(module)
    if id(module) in seen:
        if strict:
            raise TypeError(f"dn.io: the same {cls.__name__} object is used at {_where(seen[id(module)])} "
                            f"and at {_where(path)}; shared modules cannot be described as a tree "
                            f"(save the weights with save_state_dict instead)")
        return {"class": cls.__name__, "shared_with": seen[id(module)], "children": {}}
    seen[id(module)] = path
    children = {name: _describe(child, f"{path}.{name}" if path else name, strict, seen)
                for name, child in module.named_children()}
    if not is_library_layer(module):
        if strict:
            which = f"the module at {path!r}" if path else "the model itself"
            raise TypeError(f"dn.io: {which} is a {cls.__module__}.{cls.__qualname__}, not a deltanet layer. "
                            f"{NOT_LIBRARY}")
        return {"class": f"{cls.__module__}.{cls.__qualname__}", "custom": True, "children": children}
    config = {} if cls in CONTAINERS else module.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"dn.io: {cls.__name__}.get_config() at {_where(path)} returned a "
                        f"{type(config).__name__}, not a dict")
    config = normalise_json(config, f"dn.io: the config of the {cls.__name__} at {_where(path)}")
    return {"class": cls.__name__, "config": config, "children": children}


def build(tree: dict) -> Module:
    """A freshly initialised model from an architecture tree (weights from the library's generator, whose
    state is restored afterwards, so building does not change later random numbers).

    Raises ValueError saying which node is malformed, names an unknown class or cannot be constructed."""
    state = get_rng_state()
    try:
        model = _build(tree, "")
    finally:
        set_rng_state(state)
    differences = diff(tree, describe(model), ("the description", "the rebuilt model"))
    if differences:
        raise ValueError("the rebuilt model differs from its description (a layer's constructor or "
                         "get_config() disagree):\n  - " + "\n  - ".join(differences))
    return model


def check_tree(node, path: str = "") -> None:
    """ValueError naming the first node that is not {'class': str, 'config': dict, 'children': dict}."""
    _check_node(node, path)
    for key, child in node.get("children", {}).items():
        check_tree(child, f"{path}.{key}" if path else key)


def _check_node(node, path: str) -> None:
    if not (isinstance(node, dict) and isinstance(node.get("class"), str)
            and isinstance(node.get("config", {}), dict) and isinstance(node.get("children", {}), dict)):
        raise ValueError(f"architecture node {_where(path)} is malformed (expected {{'class': str, "
                         f"'config': dict, 'children': dict}}, got {node!r:.200})")


def _build(node, path: str) -> Module:
    where = f"architecture node {_where(path)}"
    _check_node(node, path)
    name, config, children = node["class"], node.get("config", {}), node.get("children", {})
    cls = Module._registry.get(name)
    if cls is None:
        known = ", ".join(sorted(n for n in Module._registry if not n.startswith("_")))
        raise ValueError(f"{where}: unknown layer class {name!r} (this deltanet has: {known}); the file "
                         f"may come from a newer deltanet")
    if cls in CONTAINERS:
        if config:
            raise ValueError(f"{where}: a {name} takes no config, got {config!r}")
        modules = OrderedDict((key, _build(child, f"{path}.{key}" if path else key))
                              for key, child in children.items())
        numbered = list(modules) == [str(i) for i in range(len(modules))]
        if cls is ModuleList:
            if not numbered:
                raise ValueError(f"{where}: ModuleList children must be named '0', '1', …, "
                                 f"got {list(modules)}")
            return ModuleList(modules.values())
        return Sequential(*modules.values()) if numbered else Sequential(modules)
    try:
        return cls(**config)
    except Exception as error:  # a constructor may raise anything on bad arguments; report it with the node
        raise ValueError(f"{where}: {name}(**{config!r}) failed: {type(error).__name__}: {error}") from None


def format_node(node: dict) -> str:
    """`Linear(in_features=2, out_features=3, bias=True)`; custom classes are marked."""
    if node.get("custom"):
        return f"{node['class']} (not a deltanet layer)"
    if "shared_with" in node:
        return f"{node['class']} (the same object as {_where(node['shared_with'])})"
    args = ", ".join(f"{key}={value!r}" for key, value in node.get("config", {}).items())
    return f"{node['class']}({args})"


def diff(a: dict, b: dict, labels: tuple = ("the file", "the model"), path: str = "") -> list[str]:
    """Human-readable differences between two architecture trees (empty when they match)."""
    out = []
    if a.get("class") != b.get("class") or a.get("custom") != b.get("custom") or \
            a.get("config", {}) != b.get("config", {}) or ("shared_with" in a) != ("shared_with" in b):
        out.append(f"{_where(path)}: {labels[0]} has {format_node(a)}, {labels[1]} has {format_node(b)}")
        if a.get("class") != b.get("class"):
            return out
    children_a, children_b = a.get("children", {}), b.get("children", {})
    for name in children_a:
        child_path = f"{path}.{name}" if path else name
        if name not in children_b:
            out.append(f"{_where(child_path)}: only in {labels[0]}: {format_node(children_a[name])}")
        else:
            out += diff(children_a[name], children_b[name], labels, child_path)
    for name in children_b:
        if name not in children_a:
            child_path = f"{path}.{name}" if path else name
            out.append(f"{_where(child_path)}: only in {labels[1]}: {format_node(children_b[name])}")
    if set(children_a) == set(children_b) and list(children_a) != list(children_b):
        out.append(f"{_where(path)}: children in a different order: {labels[0]} {list(children_a)}, "
                   f"{labels[1]} {list(children_b)}")
    return out
