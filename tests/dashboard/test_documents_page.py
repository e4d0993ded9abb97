"""The Documents page draws each extracted pipeline and diagram with Streamlit's bundled
Graphviz renderer (no CDN), from the stored parse of the document."""

from __future__ import annotations

from pathlib import Path

import pydot
import pytest

from data.ingest.documents import import_documents
from data.store.engine import session_scope
from tests.data.test_mermaid_dot import CHAIN_002, read_dot


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_documents_page_draws_a_seed_pipeline(engine, make_app, seeds_dir: Path, lang):
    seed = next(p for p in seeds_dir.iterdir() if p.name.startswith("002_"))
    with session_scope(engine) as s:
        import_documents(s, [seed], actor="admin")
    at = make_app(engine, lang=lang).run()
    at.switch_page("app_pages/documents.py").run()
    assert not at.exception, at.exception
    charts = at.get("graphviz_chart")
    assert len(charts) == 1
    dot = charts[0].proto.spec
    assert "http" not in dot  # nothing to fetch: labels, shapes and fonts are in the DOT
    nodes, edges, _ = read_dot(dot)
    assert edges == set(zip(CHAIN_002, CHAIN_002[1:]))
    assert pydot.graph_from_dot_data(dot)  # valid DOT
