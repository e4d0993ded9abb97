"""Mermaid graph/flowchart blocks: finding them (fenced or bare), parsing, deciding the order."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.errors import InputError
from data.text.mermaid import analyse, find_diagrams, parse_mermaid


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines()


def test_node_shapes_quotes_and_arrow_kinds() -> None:
    d = parse_mermaid(
        """flowchart LR
    A[需求分析] --> B{人才招聘}
    B -.-> C(简历筛选)
    C ==> D((面试))
    D -->|通过| E>入职]
    E --- F["Career (development)"]
    F -- 年度 --> G[[绩效评估与晋升]]
    G --> H{{薪酬福利}} --> I([人才保留])
"""
    )
    assert d.kind == "flowchart" and d.direction == "LR"
    assert [n.label for n in d.nodes.values()] == [
        "需求分析",
        "人才招聘",
        "简历筛选",
        "面试",
        "入职",
        "Career (development)",
        "绩效评估与晋升",
        "薪酬福利",
        "人才保留",
    ]
    assert d.nodes["B"].shape == "diamond" and d.nodes["D"].shape == "circle"
    assert d.nodes["E"].shape == "asymmetric"
    assert [(e.source, e.target) for e in d.edges] == [
        ("A", "B"),
        ("B", "C"),
        ("C", "D"),
        ("D", "E"),
        ("E", "F"),
        ("F", "G"),
        ("G", "H"),
        ("H", "I"),
    ]
    assert d.edges[3].label == "通过" and d.edges[5].label == "年度"
    assert d.edges[1].arrow == "-.->" and d.edges[2].arrow == "==>"
    assert d.nodes["A"].line == 2 and d.edges[-1].line == 8


def test_ampersand_subgraph_comments_and_styles() -> None:
    d = parse_mermaid(
        """graph TD
%% a comment line
subgraph hiring [招聘阶段]
  A[Sourcing] & B[Referral] --> C[Screening]  %% trailing comment
end
C --> D[Interview]; D --> E[Onboarding]
style A fill:#f9f
classDef hot fill:#f00
class D hot
"""
    )
    assert [(e.source, e.target) for e in d.edges] == [
        ("A", "C"),
        ("B", "C"),
        ("C", "D"),
        ("D", "E"),
    ]
    assert d.subgraphs == {"hiring": "招聘阶段"}
    assert d.nodes["A"].subgraph == "hiring" and d.nodes["D"].subgraph is None


def test_bare_block_ends_where_prose_starts(seeds_dir: Path) -> None:
    lines = (seeds_dir / "002_538f5b10459867a4.txt").read_text(encoding="utf-8").splitlines()
    [d] = find_diagrams(lines)
    assert not d.fenced
    assert (d.line_start, d.line_end) == (24, 32)
    assert lines[d.line_start - 1].startswith("graph LR")
    assert lines[d.line_end].startswith("3.")  # the first line after the block is prose


def test_fenced_blocks_and_other_code_are_told_apart() -> None:
    lines = _lines("""
# Plan
```python
graph = build()   # not mermaid
```
```mermaid
sequenceDiagram
  A->>B: hello
```
```mermaid
graph LR
A[需求分析] --> B[招聘]
```
""")
    [d] = find_diagrams(lines)
    assert d.fenced and (d.line_start, d.line_end) == (9, 12)
    assert d.header_line == 10


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("graph LR\nA[需求分析 --> B[招聘]", 2, "unbalanced brackets"),
        ("graph LR\nA[需求分析] --> B[招聘\nB --> C[面试]", 2, "unbalanced brackets"),
        ("graph LR\nA[需求分析] --> B[招聘]\nB -->", 3, "dangling arrow"),
        ("graph LR\nA[需求分析] --> B[招聘]\nB ~> C", 3, "unknown syntax"),
        ('graph LR\nA["需求分析] --> B', 2, "unclosed quote"),
        ("graph LR\nsubgraph one\nA --> B", 3, "never closed"),
        ("graph LR\nA --> B\nend", 3, "without a matching"),
    ],
    ids=["unbalanced", "unclosed-label", "dangling", "unknown-arrow", "quote", "subgraph", "end"],
)
def test_malformed_blocks_name_file_and_line(body: str, line: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        parse_mermaid(body, file="plan.md")
    assert err.value.file == "plan.md" and err.value.line == line
    assert f"plan.md, line {line}" in str(err.value)


def test_unclosed_fence_and_unknown_diagram_type() -> None:
    with pytest.raises(InputError, match="never closed") as err:
        find_diagrams(_lines("intro\n```mermaid\ngraph LR\nA --> B\n"), file="x.md")
    assert err.value.line == 2
    with pytest.raises(InputError, match="unknown mermaid diagram type") as err:
        find_diagrams(_lines("```mermaid\ngrahp LR\nA --> B\n```"), file="x.md")
    assert err.value.line == 2


def test_seed_pipeline_is_ordered_onto_the_nine_stages(seeds_dir: Path) -> None:
    lines = (seeds_dir / "002_538f5b10459867a4.txt").read_text(encoding="utf-8").splitlines()
    [d] = find_diagrams(lines)
    a = analyse(d)
    assert a.kind == "pipeline"
    assert [a.stage_keys[n] for n in a.order] == [
        "needs_analysis",
        "sourcing",
        "screening",
        "interview",
        "onboarding",
        "development",
        "review_promotion",
        "compensation",
        "retention",
    ]


def test_seed_concept_map_is_a_diagram_not_a_pipeline(seeds_dir: Path) -> None:
    lines = (seeds_dir / "000_d1bb547922d350f8.txt").read_text(encoding="utf-8").splitlines()
    [d] = find_diagrams(lines)
    assert len(d.nodes) == 13 and len(d.edges) == 10
    assert analyse(d).kind == "diagram"


def test_order_written_out_of_sequence_is_topological() -> None:
    d = parse_mermaid("graph LR\nC[面试] --> D[入职]\nA[需求分析] --> B[招聘]\nB --> C")
    a = analyse(d)
    assert a.kind == "pipeline" and list(a.order) == ["A", "B", "C", "D"]


def test_branches_settled_by_canonical_stage_order() -> None:
    d = parse_mermaid(
        "graph TD\nA[需求分析] --> B[面试]\nA --> C[简历筛选]\nB --> D[入职]\nC --> D"
    )
    a = analyse(d)
    assert a.kind == "pipeline" and list(a.order) == ["A", "C", "B", "D"]
    assert a.notes


def test_loop_back_to_an_earlier_stage_keeps_the_order() -> None:
    d = parse_mermaid("graph LR\nA[需求分析] --> B[招聘] --> C[面试] --> D[入职]\nC --> B")
    a = analyse(d)
    assert a.kind == "pipeline" and list(a.order) == ["A", "B", "C", "D"]
    assert "loop back" in a.notes[0]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("graph LR\nA[招聘] --> B[面试] --> C[入职] --> A", "cycle"),
        ("graph LR\nA[需求分析] --> B[招聘]\nC[面试] --> D[入职]", "disconnected"),
        ("graph LR\nA[需求分析] --> B[招聘]\nA --> C[人才招募]", "parallel"),
    ],
    ids=["cycle", "disconnected", "parallel-same-stage"],
)
def test_stage_flowchart_without_clear_order(body: str, problem: str) -> None:
    a = analyse(parse_mermaid(body))
    assert a.kind == "unordered"
    assert problem in (a.problem or "")
    assert a.problem_line is not None and a.problem_line >= 1
