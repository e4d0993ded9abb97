"""The hiring report's shortlist says what scored it, in both languages."""

from __future__ import annotations

from analytics.reports import build_report
from data.store.engine import session_scope
from data.store.models import MatchRun
from ml.provenance import scorer_record
from tests.analytics.seed import END, START


def test_report_shortlist_names_its_scorer(seeded_store) -> None:
    engine, seeded = seeded_store
    with session_scope(engine) as s:
        run = s.get(MatchRun, seeded.run_id)
        run.scorer = scorer_record(
            encoder="st:all-MiniLM-L6-v2", kind="pair_scorer", version=2, stage_one_depth=200
        )
    notes = {}
    for lang in ("en", "zh"):
        with session_scope(engine) as s:
            report = build_report(s, start=START, end=END, lang=lang)
        notes[lang] = next(t for t in report.tables() if t.key == "shortlists").note
    assert (
        "scored by: your pair scorer v2 · encoder st:all-MiniLM-L6-v2 · stage one: top 200 per role"
        in notes["en"]
    )
    assert "评分来源: 贵司的配对评分模型 v2 · 编码器 st:all-MiniLM-L6-v2" in notes["zh"]
    assert "第一阶段：每个岗位召回前 200 名" in notes["zh"]
