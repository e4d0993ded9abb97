"""YAML from users, read with limits (issue 15: a "billion laughs" file took 3.1 GB and then a
traceback; 20,000-deep nesting raised RecursionError).

PyYAML's composer and constructor recurse once per nesting level, and aliases let a few
hundred bytes stand for billions of nodes once anything walks the result. ``load`` first reads
the event stream (PyYAML's parser is iterative, so depth costs nothing there) and refuses,
naming file and line, more than ``max_depth`` levels or ``max_aliases`` aliases; it then
composes the node graph, where aliases are shared, and refuses a document that would expand
to more than ``max_nodes`` nodes, before constructing any Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

from data.errors import InputError

MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_NODES = 200_000


def load(
    text: str,
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
) -> tuple[Any, yaml.Node | None]:
    """``(data, root node)`` of one YAML document (safe tags only), within the limits."""
    try:
        depth = aliases = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise _refuse(
                        f"nested more than {max_depth} levels deep: is this the right file?",
                        file,
                        event,
                    )
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > max_aliases:
                    raise _refuse(
                        f"more than {max_aliases} aliases (*name): write the values out",
                        file,
                        event,
                    )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None and _expanded_size(node, max_nodes) > max_nodes:
            raise _refuse(
                f"its aliases expand to more than {max_nodes:,} values: write the values out",
                file,
                node,
            )
        loader = yaml.SafeLoader("")
        try:
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(err, 'problem', None) or err}): check indentation "
            "and quotes",
            file=file,
            line=mark.line + 1 if mark else None,
        ) from None
    return data, node


def _refuse(message: str, file: str, at: Any) -> InputError:
    mark = getattr(at, "start_mark", None)
    return InputError(message, file=file, line=mark.line + 1 if mark else None)


def _expanded_size(root: yaml.Node, cap: int) -> int:
    """How many nodes the graph stands for once aliases are expanded (stops past ``cap``);
    iterative, each shared node's size computed once."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in size:
            continue
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = min(cap + 1, 1 + sum(size.get(id(c), 0) for c in children))
            continue
        if key in on_path:  # a recursive alias
            return cap + 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
