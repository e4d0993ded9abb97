"""The same file imported twice at once converges to one copy with no traceback (issue 15:
an IntegrityError traceback on SQLite and PostgreSQL). Two threads, each with its own
connections, start the same import together; afterwards each thing is stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from data.ingest.documents import import_documents
from data.ingest.people import import_candidates_file, import_events_file
from data.ingest.resumes import import_resume_files
from data.ingest.roles import import_roles_file
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Candidate,
    Document,
    Extraction,
    Resume,
    Role,
    RoleSkill,
    StageEvent,
)


def twice_at_once(job: Callable[[], Any]) -> list[Any]:
    """Run ``job`` in two threads released together; returns both results (errors raised)."""
    start = threading.Barrier(2)
    results: list[Any] = [None, None]
    errors: list[BaseException] = []

    def run(k: int) -> None:
        start.wait()
        try:
            results[k] = job()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    return results


def count(engine: Engine, model: Any) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


ROLES = (
    "key,title_en,title_zh,family,required_skills,nice_skills\n"
    'ds,Data scientist,数据科学家,ai,"python:0.9; sql:0.5",docker\n'
    "mle,ML engineer,机器学习工程师,ai,pytorch:1; python:0.8,\n"
)


@pytest.mark.parametrize("stored_before", [False, True], ids=["new", "update"])
def test_roles(engine: Engine, tmp_path: Path, stored_before: bool) -> None:
    path = tmp_path / "roles.csv"
    path.write_text(ROLES, encoding="utf-8")
    if stored_before:  # both imports replace the skills of existing roles
        import_roles_file(engine, path, actor="admin")
    twice_at_once(lambda: import_roles_file(engine, path, actor="admin"))
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Role.key))) == ["ds", "mle"]
    assert count(engine, RoleSkill) == 5


def test_candidates_and_events(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        s.add(Role(key="ds", title_en="Data scientist", title_zh="数据科学家", family="ai"))
    people = tmp_path / "people.csv"
    people.write_text(
        "external_id,name,country,role\n" + "".join(f"P-{i},P {i},DE,ds\n" for i in range(30)),
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "external_id,role,to_stage,at\n"
        + "".join(f"P-{i},ds,screening,2025-03-{1 + i % 28:02d}\n" for i in range(30))
        + "".join(f"Q-{i},ds,interview,2025-04-{1 + i % 28:02d}\n" for i in range(10)),
        encoding="utf-8",
    )
    more = tmp_path / "more.csv"  # ten people without a role: their events open applications
    more.write_text(
        "external_id,name\n" + "".join(f"Q-{i},Q {i}\n" for i in range(10)), encoding="utf-8"
    )
    results = twice_at_once(lambda: import_candidates_file(engine, people, actor="a"))
    assert sorted(r.created for r in results) == [0, 30]  # one stored them, one found them
    import_candidates_file(engine, more, actor="a")
    results = twice_at_once(lambda: import_events_file(engine, events, actor="a"))
    assert sorted(r.created for r in results) == [0, 40]
    assert sorted(r.applications_created for r in results) == [0, 10]
    assert count(engine, Candidate) == 40
    assert count(engine, Application) == 40
    assert count(engine, StageEvent) == 40


DOC = """# 招聘策略

## 岗位
- 算法工程师: 负责推荐模型的研发，并优化线上效果。

## 流程
```mermaid
flowchart LR
  A[需求分析] --> B[招聘] --> C[面试] --> D[入职]
```

## 如何吸引人才
1. **薪酬福利**：提供有竞争力的薪酬。
"""


def test_documents(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "strategy.md"
    path.write_text(DOC, encoding="utf-8")
    reports = twice_at_once(lambda: import_documents(engine, [path]))
    assert all(r.ok for r in reports)
    assert sorted(len(r.imported) for r in reports) == [0, 1]
    assert sorted(len(r.unchanged) for r in reports) == [0, 1]
    assert count(engine, Document) == 1
    with session_scope(engine) as s:
        rows = s.execute(select(Extraction.kind, Extraction.label, Extraction.line_start)).all()
    assert rows and len(rows) == len(set(rows))  # each extracted item once
    again = import_documents(engine, [path])  # and as many as one import alone stores
    assert len(again.unchanged) == 1 and count(engine, Extraction) == len(rows)


def test_resumes(engine: Engine, tmp_path: Path) -> None:
    files = []
    for i in range(8):
        files.append(tmp_path / f"cv{i}.txt")
        files[-1].write_text(f"Data engineer {i}. Python, Spark, SQL.\n", encoding="utf-8")
    reports = twice_at_once(lambda: import_resume_files(engine, files, actor="a"))
    assert sum(len(r.stored) for r in reports) == 8
    assert sum(len(r.duplicates) for r in reports) == 8
    assert not any(r.failed for r in reports)
    assert count(engine, Resume) == 8
