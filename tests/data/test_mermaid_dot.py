"""Mermaid flowcharts drawn offline: the DOT written from a parsed diagram holds the same nodes,
labels, shapes and edges as the mermaid source. The DOT is read back with pydot (its own
parser), and the expected graphs of the seed documents are written here by hand."""

from __future__ import annotations

from pathlib import Path

import pydot
import pytest

from data.text.mermaid import diagram_dot, dot_quote, find_diagrams, parse_mermaid, to_dot


def _unquote(value: str | None) -> str:
    v = value or ""
    if v.startswith('"') and v.endswith('"'):
        v = v[1:-1]
    out, k = [], 0
    while k < len(v):  # DOT escapes: \" and \\ stand for themselves, \n for a line break
        if v[k] == "\\" and k + 1 < len(v):
            out.append({"n": "\n"}.get(v[k + 1], v[k + 1]))
            k += 2
        else:
            out.append(v[k])
            k += 1
    return "".join(out)


def read_dot(dot: str) -> tuple[dict[str, str], set[tuple[str, str]], dict[str, str]]:
    """(label -> shape, edges as (label, label), graph attributes) of a DOT text."""
    (graph,) = pydot.graph_from_dot_data(dot)
    nodes = {}
    names = {}
    for n in [*graph.get_nodes(), *(m for s in graph.get_subgraphs() for m in s.get_nodes())]:
        if n.get_name() in ("node", "edge", "graph"):
            continue
        label = _unquote(n.get_label())
        names[n.get_name()] = label
        nodes[label] = (n.get("shape") or "").strip('"')
    edges = {(names[e.get_source()], names[e.get_destination()]) for e in graph.get_edges()}
    attrs = {k: str(v).strip('"') for k, v in graph.get_attributes().items()}
    return nodes, edges, attrs


SEED_004 = [
    (  # the first two of its six blocks (lines 55-66 and 90-96), by hand from the file
        "TB",
        {"人工智能", "深度学习", "自然语言处理", "计算机视觉", "语音识别", "大模型", "国际合作"},
        {
            ("人工智能", "深度学习"),
            ("人工智能", "自然语言处理"),
            ("人工智能", "计算机视觉"),
            ("人工智能", "语音识别"),
            ("深度学习", "大模型"),
            ("自然语言处理", "大模型"),
            ("计算机视觉", "大模型"),
            ("语音识别", "大模型"),
            ("大模型", "国际合作"),
        },
    ),
    (
        "TB",
        {"数据准备", "模型初始化", "模型训练", "损失函数", "权重更新"},
        {
            ("数据准备", "模型初始化"),
            ("模型初始化", "模型训练"),
            ("模型训练", "损失函数"),
            ("模型训练", "权重更新"),
        },
    ),
]
CHAIN_002 = [
    "人才需求分析",
    "人才招聘",
    "人才筛选",
    "面试评估",
    "入职培训",
    "职业发展规划",
    "绩效考核与晋升",
    "薪酬福利调整",
    "人才留存",
]


def _seed_lines(seeds_dir: Path, prefix: str) -> list[str]:
    path = next(p for p in seeds_dir.iterdir() if p.name.startswith(prefix))
    return path.read_text(encoding="utf-8").splitlines()


def test_the_seed_flowcharts_draw_with_their_nodes_and_edges(seeds_dir: Path) -> None:
    diagrams = find_diagrams(_seed_lines(seeds_dir, "004_"))
    assert len(diagrams) == 6 and [d.line_start for d in diagrams[:2]] == [55, 90]
    for d, (rankdir, labels, edges) in zip(diagrams, SEED_004):
        nodes, drawn, attrs = read_dot(diagram_dot(d))
        assert set(nodes) == labels
        assert drawn == edges
        assert attrs["rankdir"] == rankdir
        assert set(nodes.values()) == {"box"}  # [text] is a rectangle


def test_a_bare_seed_pipeline_draws_as_its_chain_left_to_right(seeds_dir: Path) -> None:
    (d,) = find_diagrams(_seed_lines(seeds_dir, "002_"))
    nodes, edges, attrs = read_dot(diagram_dot(d))
    assert edges == set(zip(CHAIN_002, CHAIN_002[1:]))
    assert attrs["rankdir"] == "LR"
    # A[...] is a box, B{...} … I{...} are diamonds in the source
    assert nodes == {CHAIN_002[0]: "box", **{n: "diamond" for n in CHAIN_002[1:]}}


@pytest.mark.parametrize(
    "label",
    [
        'say "hi"',
        "back\\slash and \\N and \\l",
        "a {brace} ; semi -> arrow [x]",
        "<b>not html</b>",
        "two\nlines",
    ],
)
def test_labels_are_escaped_so_they_read_back_as_written(label: str) -> None:
    dot = to_dot(
        [{"id": "A", "label": label, "shape": "rect"}, {"id": "B", "label": "end"}],
        [{"source": "A", "target": "B", "label": label}],
    )
    nodes, edges, _ = read_dot(dot)
    assert edges == {(label, "end")}
    (graph,) = pydot.graph_from_dot_data(dot)
    (edge,) = graph.get_edges()
    assert _unquote(edge.get_label()) == label
    assert dot_quote(label).startswith('"') and dot_quote(label).endswith('"')


def test_odd_mermaid_ids_subgraphs_and_arrow_kinds() -> None:
    d = parse_mermaid(
        "flowchart RL\n"
        "  subgraph hiring [Hiring team]\n"
        "    node_1([Sourcing]) -.-> end_2[(Offer)]\n"
        "  end\n"
        "  end_2 --- 入职{{Onboard}}\n"
        "  入职 ==>|fast| z((Hired))\n"
    )
    dot = diagram_dot(d)
    (graph,) = pydot.graph_from_dot_data(dot)
    (cluster,) = graph.get_subgraphs()
    assert _unquote(cluster.get("label")) == "Hiring team"
    assert {_unquote(n.get_label()) for n in cluster.get_nodes()} == {"Sourcing", "Offer"}
    nodes, edges, attrs = read_dot(dot)
    assert attrs["rankdir"] == "RL"
    assert nodes == {
        "Sourcing": "box",
        "Offer": "cylinder",
        "Onboard": "hexagon",
        "Hired": "circle",
    }
    assert edges == {("Sourcing", "Offer"), ("Offer", "Onboard"), ("Onboard", "Hired")}
    dashed, plain, thick = (graph.get_edges()[k] for k in range(3))
    assert dashed.get("style") == "dashed"
    assert plain.get("dir") == "none"  # --- has no arrowhead
    assert thick.get("penwidth") == "2" and _unquote(thick.get("label")) == "fast"
