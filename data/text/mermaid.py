"""Mermaid ``graph``/``flowchart`` blocks in strategy documents: finding, parsing, ordering.

Strategy documents draw the talent pipeline as a mermaid flowchart, either fenced
(```` ```mermaid ````) or pasted bare into plain text (a ``graph LR`` line followed by edge
lines). ``find_diagrams`` finds both kinds and parses them into ``Diagram`` objects with line
numbers; ``analyse`` decides what a diagram is:

- a **pipeline**: its nodes have one clear order (a chain, or a DAG whose branches the
  canonical stage order settles) and it is either stage-like or has at least three nodes;
- a **diagram** (e.g. a concept map): valid, but not an ordered process — stored as such;
- a stage-like flowchart **with no clear order** (a cycle, parallel branches, disconnected
  pieces): ``analyse`` reports the problem and the caller refuses the file.

Malformed blocks (unbalanced brackets, a dangling arrow, unknown syntax, an unclosed fence or
subgraph) raise ``InputError`` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from data.errors import InputError
from data.reference.stages import map_stage, stages

_HEADER_RE = re.compile(r"^\s*(graph|flowchart)(?:\s+(TD|TB|BT|RL|LR))?\s*;?\s*$", re.IGNORECASE)
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_KEYWORD_RE = re.compile(
    r"^\s*(%%|subgraph\b|end\s*;?\s*$|style\s|classDef\s|class\s|click\s|linkStyle\s|direction\s)"
)
_ID = r"[A-Za-z0-9_][\w.-]*?"
_STATEMENT_START_RE = re.compile(
    r"^\s*[A-Za-z0-9_][\w-]*\s*(\[|\(|\{|>|-{2,}|={2,}|-\.|&|:::|<-|~~~)"
)
_OTHER_DIAGRAMS = re.compile(
    r"^\s*(sequenceDiagram|classDiagram|stateDiagram|erDiagram|gantt|pie|journey|gitGraph|"
    r"mindmap|timeline|quadrantChart|requirementDiagram|C4\w*|sankey|xychart|block)",
    re.IGNORECASE,
)

# Node shapes, longest opener first: opener -> accepted closers.
_SHAPES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("(((", (")))",), "double_circle"),
    ("((", ("))",), "circle"),
    ("([", ("])",), "stadium"),
    ("[(", (")]",), "cylinder"),
    ("[[", ("]]",), "subroutine"),
    ("[/", ("/]", "\\]"), "parallelogram"),
    ("[\\", ("\\]", "/]"), "parallelogram_alt"),
    ("{{", ("}}",), "hexagon"),
    ("[", ("]",), "rect"),
    ("(", (")",), "round"),
    ("{", ("}",), "diamond"),
    (">", ("]",), "asymmetric"),
)
# Links: an arrow with an optional |label|, or text between two halves (A -- text --> B).
_ARROW = r"<?(?:-{2,}>|-{3,}|={2,}>|={3,}|-\.+->|-\.+-|-{2,}[ox]|={2,}[ox]|~{3,})"
_ARROW_RE = re.compile(rf"\s*({_ARROW})\s*(?:\|([^|]*)\|)?\s*")
_TEXT_LINK_RE = re.compile(
    r"\s*(--|==|-\.)\s*(?![->.=])([^|]+?)\s*(-{2,}>|-{3,}|={2,}>|={3,}|\.-+>|\.-+)\s*"
)


@dataclass
class Node:
    """One node: its id, display label, shape and the line where it is defined (1-based)."""

    id: str
    label: str
    shape: str
    line: int
    subgraph: str | None = None


@dataclass(frozen=True)
class Edge:
    """A link from ``source`` to ``target`` on ``line``; ``label`` is the text on the link."""

    source: str
    target: str
    line: int
    arrow: str = "-->"
    label: str | None = None


@dataclass
class Diagram:
    """A parsed graph/flowchart block and the lines it spans (1-based, inclusive)."""

    kind: str
    direction: str
    line_start: int
    line_end: int
    fenced: bool
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    subgraphs: dict[str, str] = field(default_factory=dict)  # id -> title

    @property
    def header_line(self) -> int:
        """The line of the ``graph``/``flowchart`` header."""
        return self.line_start + 1 if self.fenced else self.line_start

    def labels(self) -> list[str]:
        return [n.label for n in self.nodes.values()]


@dataclass(frozen=True)
class Analysis:
    """What a diagram is: a pipeline (with its order), a plain diagram, or unordered."""

    kind: Literal["pipeline", "diagram", "unordered"]
    order: tuple[str, ...] = ()
    stage_keys: dict[str, str | None] = field(default_factory=dict)
    problem: str | None = None
    problem_line: int | None = None
    notes: tuple[str, ...] = ()


# --- finding blocks ------------------------------------------------------------------------


def find_diagrams(lines: list[str], *, file: str | None = None) -> list[Diagram]:
    """Every graph/flowchart block in ``lines`` (fenced or bare), parsed, in document order.

    Other mermaid diagram types (sequence, gantt, …) and code fences of other languages are
    skipped. Raises ``InputError`` (with file and line) for a malformed block.
    """
    diagrams: list[Diagram] = []
    i, n = 0, len(lines)
    while i < n:
        fence = _FENCE_RE.match(lines[i])
        if fence:
            marker, lang = fence.group(1), fence.group(2).lower()
            close = _find_fence_end(lines, i, marker)
            if lang == "mermaid":
                if close is None:
                    raise InputError(
                        "the ```mermaid block opened here is never closed; add a closing ``` line",
                        file=file,
                        line=i + 1,
                    )
                body = lines[i + 1 : close]
                first = next(
                    (k for k, s in enumerate(body) if s.strip() and not s.strip().startswith("%%")),
                    None,
                )
                if first is not None and _HEADER_RE.match(body[first]):
                    diagrams.append(
                        _parse_block(
                            lines,
                            i + 1 + first,
                            close - 1,
                            fenced=True,
                            block_start=i,
                            block_end=close,
                            file=file,
                        )
                    )
                elif first is not None and not _OTHER_DIAGRAMS.match(body[first]):
                    raise InputError(
                        f"unknown mermaid diagram type {body[first].strip()[:40]!r}; expected "
                        "'graph LR', 'flowchart TD' or another mermaid diagram header",
                        file=file,
                        line=i + 2 + first,
                    )
            i = (close if close is not None else n - 1) + 1
            continue
        if _HEADER_RE.match(lines[i]):
            end = _bare_block_end(lines, i)
            diagrams.append(
                _parse_block(lines, i, end, fenced=False, block_start=i, block_end=end, file=file)
            )
            i = end + 1
            continue
        i += 1
    return diagrams


def _find_fence_end(lines: list[str], start: int, marker: str) -> int | None:
    for j in range(start + 1, len(lines)):
        s = lines[j].strip()
        if s.startswith(marker[0] * len(marker)) and not s.strip(marker[0]):
            return j
    return None


def _looks_like_statement(line: str) -> bool:
    return bool(_KEYWORD_RE.match(line) or _STATEMENT_START_RE.match(line))


def _bare_block_end(lines: list[str], header: int) -> int:
    """Index of the last line of a bare block: it runs while lines read as mermaid."""
    end = header
    for j in range(header + 1, len(lines)):
        s = lines[j]
        if not s.strip():
            continue
        if _FENCE_RE.match(s) or _HEADER_RE.match(s) or not _looks_like_statement(s):
            break
        end = j
    return end


# --- parsing statements --------------------------------------------------------------------


class _Parser:
    def __init__(self, diagram: Diagram, file: str | None) -> None:
        self.d = diagram
        self.file = file
        self.subgraph_stack: list[str] = []

    def fail(self, message: str, line: int) -> InputError:
        return InputError(f"malformed mermaid block: {message}", file=self.file, line=line)

    def statement(self, text: str, line: int) -> None:
        s = text.strip().rstrip(";").strip()
        if not s or s.startswith("%%"):
            return
        kw = s.split(None, 1)[0]
        if kw == "subgraph":
            self.open_subgraph(s[len(kw) :].strip(), line)
            return
        if kw == "end" and s == "end":
            if not self.subgraph_stack:
                raise self.fail("'end' without a matching 'subgraph'", line)
            self.subgraph_stack.pop()
            return
        if kw in ("style", "classDef", "class", "click", "linkStyle", "direction"):
            if len(s.split()) < 2:
                raise self.fail(f"'{kw}' needs arguments", line)
            return
        self.chain(s, line)

    def open_subgraph(self, rest: str, line: int) -> None:
        if not rest:
            raise self.fail("'subgraph' needs a name", line)
        m = re.match(r"^([\w-]+)\s*\[(.*)\]\s*$", rest)
        if m:
            sid, title = m.group(1), _clean_label(m.group(2))
        else:
            title = _clean_label(rest)
            sid = rest if re.fullmatch(r"[\w-]+", rest) else f"subgraph{len(self.d.subgraphs) + 1}"
        self.d.subgraphs[sid] = title
        self.subgraph_stack.append(sid)

    def chain(self, s: str, line: int) -> None:
        pos, groups, links = 0, [], []
        group, pos = self.node_group(s, pos, line)
        groups.append(group)
        while pos < len(s):
            link, pos = self.link(s, pos, line)
            if pos >= len(s) or not s[pos:].strip():
                raise self.fail(f"arrow '{link[0]}' points at nothing (dangling arrow)", line)
            group, pos = self.node_group(s, pos, line)
            links.append(link)
            groups.append(group)
        for (arrow, label), left, right in zip(links, groups, groups[1:]):
            for a in left:
                for b in right:
                    src, dst = (
                        (b, a) if arrow.startswith("<") and not arrow.endswith(">") else (a, b)
                    )
                    self.d.edges.append(Edge(src, dst, line, arrow, label))

    def node_group(self, s: str, pos: int, line: int) -> tuple[list[str], int]:
        ids: list[str] = []
        while True:
            node_id, pos = self.node(s, pos, line)
            ids.append(node_id)
            m = re.compile(r"\s*&\s*").match(s, pos)
            if not m:
                return ids, pos
            pos = m.end()

    def node(self, s: str, pos: int, line: int) -> tuple[str, int]:
        m = re.compile(r"\s*([A-Za-z0-9_\u4e00-\u9fff][\w\u4e00-\u9fff]*)").match(s, pos)
        if not m:
            found = s[pos:].strip()[:20] or "end of line"
            raise self.fail(f"expected a node id, found {found!r}", line)
        node_id, pos = m.group(1), m.end()
        if node_id in ("end", "subgraph", "graph", "flowchart"):
            raise self.fail(f"{node_id!r} is a keyword and cannot be a node id", line)
        label, shape = None, None
        for opener, closers, shape_name in _SHAPES:
            if s.startswith(opener, pos):
                label, pos = self.shape_text(s, pos + len(opener), opener, closers, node_id, line)
                shape = shape_name
                break
        cls = re.compile(r":::[\w-]+").match(s, pos)
        if cls:
            pos = cls.end()
        self.add_node(node_id, label, shape, line)
        return node_id, pos

    def shape_text(
        self, s: str, pos: int, opener: str, closers: tuple[str, ...], node_id: str, line: int
    ) -> tuple[str, int]:
        rest = s[pos:]
        if rest.lstrip().startswith('"'):
            q = pos + (len(rest) - len(rest.lstrip()))
            close_q = s.find('"', q + 1)
            if close_q < 0:
                raise self.fail(f"unclosed quote in the label of node {node_id}", line)
            text, after = s[q + 1 : close_q], close_q + 1
            after += len(s[after:]) - len(s[after:].lstrip())
            for c in closers:
                if s.startswith(c, after):
                    return _clean_label(text), after + len(c)
            raise self.fail(
                f"unbalanced brackets: node {node_id} opens {opener!r} but its "
                f"quoted label is not followed by {closers[0]!r}",
                line,
            )
        best = None
        for c in closers:
            k = s.find(c, pos)
            if k >= 0 and (best is None or k < best[0]):
                best = (k, c)
        if best is None:
            raise self.fail(
                f"unbalanced brackets: node {node_id} opens {opener!r} and never "
                f"closes it with {closers[0]!r}",
                line,
            )
        text = s[pos : best[0]]
        if opener[0] != ">" and opener[0] in text:
            raise self.fail(
                f"unbalanced brackets in the label of node {node_id}: "
                f"{text[:30]!r} (quote labels that contain brackets)",
                line,
            )
        if re.search(_ARROW, text):
            raise self.fail(
                f"unbalanced brackets: node {node_id} opens {opener!r} and an arrow "
                f"follows before {closers[0]!r}",
                line,
            )
        if not text.strip():
            raise self.fail(f"node {node_id} has an empty label", line)
        return _clean_label(text), best[0] + len(best[1])

    def link(self, s: str, pos: int, line: int) -> tuple[tuple[str, str | None], int]:
        m = _TEXT_LINK_RE.match(s, pos)
        if m:
            return (m.group(3), _clean_label(m.group(2))), m.end()
        m = _ARROW_RE.match(s, pos)
        if m:
            label = _clean_label(m.group(2)) if m.group(2) is not None else None
            return (m.group(1), label), m.end()
        found = s[pos:].strip()[:20]
        raise self.fail(
            f"unknown syntax {found!r}: expected an arrow such as -->, ---, -.->, "
            "==> or -->|label|",
            line,
        )

    def add_node(self, node_id: str, label: str | None, shape: str | None, line: int) -> None:
        node = self.d.nodes.get(node_id)
        sub = self.subgraph_stack[-1] if self.subgraph_stack else None
        if node is None:
            self.d.nodes[node_id] = Node(node_id, label or node_id, shape or "rect", line, sub)
        elif label is not None and node.label == node.id:
            node.label, node.shape, node.line = label, shape or node.shape, line


def _clean_label(text: str) -> str:
    text = re.sub(r"<br\s*/?>", " ", text.strip().strip('"'), flags=re.IGNORECASE)
    text = re.sub(r"#quot;", '"', text)
    return re.sub(r"\s+", " ", text).strip()


def _split_statements(text: str) -> list[str]:
    """Split a line on ';' outside quotes and brackets."""
    out, depth, quote, start = [], 0, False, 0
    for k, ch in enumerate(text):
        if ch == '"':
            quote = not quote
        elif not quote and ch in "[({":
            depth += 1
        elif not quote and ch in "])}":
            depth = max(0, depth - 1)
        elif not quote and depth == 0 and ch == ";":
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:])
    return out


def _parse_block(
    lines: list[str],
    header: int,
    last: int,
    *,
    fenced: bool,
    block_start: int,
    block_end: int,
    file: str | None,
) -> Diagram:
    """Parse lines ``header..last`` (0-based, inclusive); the span covers the fences too."""
    m = _HEADER_RE.match(lines[header])
    assert m is not None
    diagram = Diagram(
        kind=m.group(1).lower(),
        direction=(m.group(2) or "TD").upper(),
        line_start=block_start + 1,
        line_end=block_end + 1,
        fenced=fenced,
    )
    parser = _Parser(diagram, file)
    for k in range(header + 1, last + 1):
        raw = lines[k]
        code = raw.split("%%", 1)[0] if "%%" in raw and not raw.strip().startswith("%%") else raw
        for part in _split_statements(code):
            parser.statement(part, k + 1)
    if parser.subgraph_stack:
        raise parser.fail(
            f"subgraph {parser.subgraph_stack[-1]!r} is never closed with 'end'", diagram.line_end
        )
    if not diagram.nodes:
        raise InputError(
            "mermaid block has no nodes; draw at least one edge such as A --> B",
            file=file,
            line=diagram.header_line,
        )
    return diagram


def parse_mermaid(text: str, *, file: str | None = None, first_line: int = 1) -> Diagram:
    """Parse one graph/flowchart block given as text (header first); lines count from
    ``first_line``. Raises ``InputError`` when it is malformed or not a graph/flowchart."""
    lines = [""] * (first_line - 1) + text.splitlines()
    header = next(
        (k for k, s in enumerate(lines) if s.strip() and not s.strip().startswith("%%")), None
    )
    if header is None or not _HEADER_RE.match(lines[header]):
        raise InputError(
            "no mermaid graph/flowchart header; start the block with 'graph LR' or 'flowchart TD'",
            file=file,
            line=(header or first_line - 1) + 1,
        )
    last = max(k for k, s in enumerate(lines) if s.strip())
    return _parse_block(
        lines, header, last, fenced=False, block_start=header, block_end=last, file=file
    )


# --- deciding what a diagram is ------------------------------------------------------------


def analyse(diagram: Diagram) -> Analysis:
    """Decide whether ``diagram`` is a pipeline (and its stage order), a plain diagram, or a
    stage-like flowchart whose order is unclear (``kind == "unordered"`` with a ``problem``)."""
    keys = {nid: map_stage(n.label) for nid, n in diagram.nodes.items()}
    mapped = sum(1 for k in keys.values() if k)
    stage_like = mapped >= 2 and mapped * 2 >= len(keys)
    order, problem, problem_line, notes = _order(diagram, keys)
    if order is not None and (stage_like or len(order) >= 3):
        return Analysis("pipeline", tuple(order), keys, notes=tuple(notes))
    if order is None and stage_like:
        return Analysis("unordered", (), keys, problem, problem_line)
    return Analysis("diagram", tuple(order or ()), keys, problem, problem_line, tuple(notes))


def _order(
    diagram: Diagram, keys: dict[str, str | None]
) -> tuple[list[str] | None, str | None, int | None, list[str]]:
    """A single clear order of the nodes, or (None, problem, line) saying why there is none."""
    nodes = list(diagram.nodes)
    label = {nid: diagram.nodes[nid].label for nid in nodes}
    edges = [e for e in diagram.edges if e.source != e.target]
    if len(nodes) < 2 or not edges:
        return None, "it has no edges between different nodes", diagram.header_line, []
    pieces = _components(nodes, edges)
    if len(pieces) > 1:
        names = "; ".join(" / ".join(label[n] for n in p[:3]) for p in pieces[:3])
        return (
            None,
            f"it falls into {len(pieces)} disconnected pieces ({names}), so the "
            f"stages have no single order",
            diagram.header_line,
            [],
        )
    notes: list[str] = []
    succ: dict[str, list[Edge]] = {n: [] for n in nodes}
    for e in edges:
        succ[e.source].append(e)
    indeg = {n: 0 for n in nodes}
    for e in edges:
        indeg[e.target] += 1
    sources = [n for n in nodes if indeg[n] == 0]
    if len(sources) == 1:
        back = _back_edges(sources[0], succ)
        if back:
            for e in back:
                notes.append(
                    f"loop back from {label[e.source]} to {label[e.target]} "
                    f"(line {e.line}) ignored for the order"
                )
            edges = [e for e in edges if e not in back]
    elif not sources:
        cyc = _find_cycle(nodes, succ)
        text = " → ".join(label[n] for n in cyc)
        return (
            None,
            f"it is a cycle with no start ({text}), so the order of its stages is ambiguous",
            diagram.edges[0].line,
            [],
        )
    position = {s.key: s.position for s in stages()}
    indeg = {n: 0 for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for e in edges:
        indeg[e.target] += 1
        out[e.source].append(e.target)
    ready = [n for n in nodes if indeg[n] == 0]
    order: list[str] = []
    while ready:
        if len(ready) > 1:
            ks = [keys.get(n) for n in ready]
            if any(k is None for k in ks) or len(set(ks)) < len(ks):
                names = ", ".join(label[n] for n in ready)
                line = min(e.line for e in diagram.edges if e.target in ready or e.source in ready)
                return (
                    None,
                    f"branches {names} run in parallel with no order between them",
                    line,
                    [],
                )
            ready.sort(key=lambda n: position[keys[n]])  # type: ignore[index]
            notes.append(
                "parallel branches "
                + ", ".join(label[n] for n in ready)
                + " ordered by the canonical stages"
            )
        n = ready.pop(0)
        order.append(n)
        for m in out[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    if len(order) < len(nodes):
        rest = [n for n in nodes if n not in order]
        cyc = _find_cycle(rest, {n: [e for e in succ[n] if e.target in rest] for n in rest})
        text = " → ".join(label[n] for n in cyc)
        line = min(e.line for e in diagram.edges if e.source in rest and e.target in rest)
        return None, f"it has a cycle ({text}), so the order of its stages is ambiguous", line, []
    return order, None, None, notes


def _components(nodes: list[str], edges: list[Edge]) -> list[list[str]]:
    parent = {n: n for n in nodes}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for e in edges:
        parent[root(e.source)] = root(e.target)
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())


def _back_edges(start: str, succ: dict[str, list[Edge]]) -> list[Edge]:
    """Edges that close a loop when walking depth-first from ``start``."""
    state: dict[str, int] = {}
    back: list[Edge] = []
    stack: list[tuple[str, int]] = [(start, 0)]
    state[start] = 1
    while stack:
        node, k = stack.pop()
        if k < len(succ[node]):
            stack.append((node, k + 1))
            e = succ[node][k]
            if state.get(e.target) == 1:
                back.append(e)
            elif e.target not in state:
                state[e.target] = 1
                stack.append((e.target, 0))
        else:
            state[node] = 2
    return back


def _find_cycle(nodes: list[str], succ: dict[str, list[Edge]]) -> list[str]:
    """One cycle among ``nodes`` as a list of ids, first id repeated at the end."""
    for start in nodes:
        path, seen, node = [start], {start}, start
        while succ.get(node):
            node = succ[node][0].target
            if node in seen:
                return path[path.index(node) :] + [node]
            path.append(node)
            seen.add(node)
    return nodes[:1]


# --- drawing: mermaid flowchart -> Graphviz DOT --------------------------------------------
# Why our own converter: the diagram is already parsed (nodes, edges, subgraphs), so writing
# DOT from it is a few lines; a mermaid renderer would need a browser bundle or a CDN, and
# Graphviz is drawn by Streamlit's own frontend (st.graphviz_chart), offline.

_DOT_SHAPES: dict[str, str] = {
    "rect": "shape=box",
    "round": 'shape=box, style="rounded"',
    "stadium": 'shape=box, style="rounded"',
    "subroutine": "shape=box, peripheries=2",
    "cylinder": "shape=cylinder",
    "circle": "shape=circle",
    "double_circle": "shape=doublecircle",
    "diamond": "shape=diamond",
    "hexagon": "shape=hexagon",
    "parallelogram": "shape=parallelogram",
    "parallelogram_alt": "shape=parallelogram",
    "asymmetric": "shape=cds",
}
_RANKDIR = {"TD": "TB", "TB": "TB", "BT": "BT", "LR": "LR", "RL": "RL"}


def dot_quote(text: str) -> str:
    """``text`` as a DOT double-quoted string: backslashes and quotes escaped (so Graphviz's
    own escapes such as ``\\N`` or ``\\l`` stay literal text), line breaks kept as ``\\n``."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{body}"'


def _edge_style(arrow: str) -> str:
    attrs: list[str] = []
    if "~~~" in arrow:
        return "style=invis"
    if arrow.startswith("<") and arrow.endswith(">"):
        attrs.append("dir=both")
    elif not arrow.endswith((">", "o", "x")):
        attrs.append("dir=none")
    if "." in arrow:
        attrs.append("style=dashed")
    if "=" in arrow:
        attrs.append("penwidth=2")
    if arrow.endswith("o"):
        attrs.append("arrowhead=odot")
    elif arrow.endswith("x"):
        attrs.append("arrowhead=tee")
    return ", ".join(attrs)


def to_dot(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    direction: str = "TD",
    subgraphs: dict[str, str] | None = None,
    font: str = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif",
) -> str:
    """A Graphviz DOT digraph of a parsed flowchart, given as the stored payload's ``nodes``
    (``id``, ``label``, ``shape``, optional ``subgraph``) and ``edges`` (``source``,
    ``target``, optional ``label`` and ``arrow``). Node ids are renamed ``n0, n1, …`` so no
    mermaid id can break the DOT syntax; every label is quoted with ``dot_quote``."""
    ids = {str(n["id"]): f"n{k}" for k, n in enumerate(nodes)}
    for e in edges:  # an edge to a node the payload does not list still draws
        for end in (str(e["source"]), str(e["target"])):
            ids.setdefault(end, f"n{len(ids)}")
    out = [
        "digraph {",
        f"  rankdir={_RANKDIR.get(direction.upper(), 'TB')};",
        f"  node [fontname={dot_quote(font)}, fontsize=12];",
        f"  edge [fontname={dot_quote(font)}, fontsize=10];",
    ]
    listed = {str(n["id"]) for n in nodes}
    by_sub: dict[str | None, list[str]] = {}
    for n in nodes:
        nid = str(n["id"])
        shape = _DOT_SHAPES.get(str(n.get("shape") or "rect"), "shape=box")
        label = str(n.get("label") or nid)
        line = f"{ids[nid]} [label={dot_quote(label)}, {shape}];"
        by_sub.setdefault(n.get("subgraph"), []).append(line)
    for nid in ids:
        if nid not in listed:
            by_sub.setdefault(None, []).append(f"{ids[nid]} [label={dot_quote(nid)}, shape=box];")
    titles = subgraphs or {}
    for k, (sub, lines) in enumerate(by_sub.items()):
        if sub is None:
            out += [f"  {line}" for line in lines]
            continue
        out.append(f"  subgraph cluster_{k} {{")
        out.append(f"    label={dot_quote(titles.get(str(sub), str(sub)))};")
        out += [f"    {line}" for line in lines]
        out.append("  }")
    for e in edges:
        attrs = [a for a in (_edge_style(str(e.get("arrow") or "-->")),) if a]
        if e.get("label"):
            attrs.insert(0, f"label={dot_quote(str(e['label']))}")
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {ids[str(e['source'])]} -> {ids[str(e['target'])]}{tail};")
    out.append("}")
    return "\n".join(out)


def diagram_dot(diagram: Diagram) -> str:
    """``to_dot`` of a freshly parsed ``Diagram``."""
    return to_dot(
        [
            {"id": n.id, "label": n.label, "shape": n.shape, "subgraph": n.subgraph}
            for n in diagram.nodes.values()
        ],
        [
            {"source": e.source, "target": e.target, "label": e.label, "arrow": e.arrow}
            for e in diagram.edges
        ],
        direction=diagram.direction,
        subgraphs=diagram.subgraphs,
    )
