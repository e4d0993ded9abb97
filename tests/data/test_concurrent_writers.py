"""Concurrent writers never lose work (issue 15): every kind of writer at once, in threads
with their own connections, on SQLite and PostgreSQL: two resume imports of the same folder,
two feedback imports of the same file, two candidate imports, two event imports, two role
imports, two document imports, a match, and dashboard-style clicks (decisions and stage
moves, through the dashboard's ``resources.write`` path: one short retried transaction each).
Counted afterwards: no lost row, no duplicate, no error (before: "database is locked", an
IntegrityError traceback, events stored twice)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from data.ingest.documents import import_documents
from data.ingest.feedback import import_feedback_file, record_feedback
from data.ingest.people import import_candidates_file, import_events_file, move_stage
from data.ingest.resumes import import_resume_files
from data.ingest.roles import import_roles_file
from data.store.engine import session_scope, write_transaction
from data.store.models import (
    Application,
    Candidate,
    Document,
    Extraction,
    Feedback,
    MatchRun,
    MatchScore,
    Resume,
    Role,
    RoleSkill,
    StageEvent,
)
from ml.matcher import run_match
from tests.ml.conftest import CountingEncoder

RESUME = "Data scientist. Python, SQL, PyTorch, statistics. Reference {i}.\n"
DOC = """# 招聘策略

## 岗位
- 算法工程师: 负责推荐模型的研发，并优化线上效果。

## 如何吸引人才
1. **薪酬福利**：提供有竞争力的薪酬。
"""


def test_writers_at_once_converge(engine, tmp_path: Path) -> None:
    folder = tmp_path / "cvs"
    folder.mkdir()
    for i in range(12):
        (folder / f"cv{i}.txt").write_text(RESUME.format(i=i), encoding="utf-8")
    files = sorted(folder.iterdir())
    with session_scope(engine) as s:
        s.add(Role(key="ds", title_en="Data scientist", title_zh="数据科学家", family="ai"))
    import_resume_files(engine, files[:2], actor="admin")  # two resumes to decide on first
    fb = tmp_path / "fb.csv"
    fb.write_text(
        "resume,role,decision,reviewer\ncv0.txt,ds,advance,Rita\ncv1.txt,ds,reject,Rita\n",
        encoding="utf-8",
    )
    people = tmp_path / "people.csv"
    people.write_text(
        "external_id,name,email,country,source_channel\n"
        + "".join(f"X-{i},Person {i},p{i}@example.com,DE,referral\n" for i in range(30)),
        encoding="utf-8",
    )
    applicants = tmp_path / "applicants.csv"
    applicants.write_text(
        "external_id,name,role\n" + "".join(f"E-{i},E {i},ds\n" for i in range(20)),
        encoding="utf-8",
    )
    import_candidates_file(engine, applicants, actor="admin")  # 20 applications for events
    events = tmp_path / "events.csv"
    events.write_text(
        "external_id,role,to_stage,at\n"
        + "".join(f"E-{i},ds,screening,2025-03-{1 + i % 28:02d}\n" for i in range(1, 20)),
        encoding="utf-8",
    )
    roles = tmp_path / "roles.csv"
    roles.write_text(
        "key,title_en,title_zh,family,required_skills\n"
        "mle,ML engineer,机器学习工程师,ai,pytorch:1; python:0.8\n"
        "da,Data analyst,数据分析师,ai,sql:1; statistics:0.5\n",
        encoding="utf-8",
    )
    doc = tmp_path / "strategy.md"
    doc.write_text(DOC, encoding="utf-8")
    with session_scope(engine) as s:
        rid = s.scalar(select(Resume.id).where(Resume.file_name == "cv0.txt"))
        role_id = s.scalar(select(Role.id).where(Role.key == "ds"))
        moved = s.scalar(
            select(Application.id)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Candidate.external_ref == "E-0")
        )
    errors: list[BaseException] = []
    start = threading.Barrier(22)

    def run(fn) -> None:
        start.wait()
        try:
            fn()
        except BaseException as err:
            errors.append(err)

    jobs = [
        lambda: import_resume_files(engine, files, actor="a"),
        lambda: import_resume_files(engine, list(reversed(files)), actor="b"),
        lambda: import_feedback_file(engine, fb, actor="rita"),
        lambda: import_feedback_file(engine, fb, actor="rita"),
        lambda: import_candidates_file(engine, people, actor="a"),
        lambda: import_candidates_file(engine, people, actor="b"),
        lambda: import_events_file(engine, events, actor="a"),
        lambda: import_events_file(engine, events, actor="b"),
        lambda: import_roles_file(engine, roles, actor="a"),
        lambda: import_roles_file(engine, roles, actor="b"),
        lambda: import_documents(engine, [doc], actor="a"),
        lambda: import_documents(engine, [doc], actor="b"),
        lambda: run_match(engine, CountingEncoder(), actor="m", role_keys=["ds"], depth=None),
    ]
    # dashboard clicks: five of one reviewer on one pair, four moves of one application
    jobs += [
        lambda: write_transaction(
            engine, lambda s: record_feedback(s, rid, role_id, "advance", "Dora", actor="dora")
        )
        for _ in range(5)
    ]
    jobs += [
        lambda: write_transaction(engine, lambda s: move_stage(s, moved, "interview", actor="ivy"))
        for _ in range(4)
    ]
    assert len(jobs) == 22
    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    with session_scope(engine) as s:

        def n(model, *where) -> int:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        assert n(Resume) == 12  # no loss, no copy
        assert s.scalar(select(func.count(func.distinct(Resume.sha256)))) == 12
        assert n(Feedback, Feedback.import_key.is_not(None)) == 2  # each imported decision once
        assert n(Feedback, Feedback.reviewer == "Dora") == 1  # five clicks: one decision
        assert n(Candidate, Candidate.external_ref.like("X-%")) == 30
        assert n(Candidate, Candidate.external_ref.like("E-%")) == 20
        assert n(Application) == 20
        # 19 imported screening events once each, and one move of E-0 (the other three
        # clicks found it already at interview)
        assert n(StageEvent, StageEvent.to_stage == "screening") == 19
        assert n(StageEvent, StageEvent.application_id == moved) == 1
        assert n(StageEvent) == 20
        # the imported roles, the one stored first, and the one the document defines
        assert sorted(s.scalars(select(Role.key))) == ["algorithm_engineer", "da", "ds", "mle"]
        imported = select(Role.id).where(Role.key.in_(["mle", "da"]))
        assert n(RoleSkill, RoleSkill.role_id.in_(imported)) == 4
        assert n(Document) == 1
        rows = s.execute(select(Extraction.kind, Extraction.label, Extraction.line_start)).all()
        assert rows and len(rows) == len(set(rows))
        assert n(MatchRun) == 1
        assert n(MatchScore) >= 2  # the match saw at least the two resumes stored before
