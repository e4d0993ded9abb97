"""``talentmap docs import|list|show`` on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.docs import docs_app
from data.store.engine import session_scope
from data.store.models import AuditLog, Document, Embedding, Extraction, Pipeline
from data.text.taxonomy import load_taxonomy

GOOD = """# 招聘策略
- 数据科学家: 负责分析用户数据，并评估模型效果。

graph LR
A[需求分析] --> B[简历筛选] --> C[面试] --> D[入职]

## 如何培养人才
1. **跨文化培训**：每年两次。
"""


def _count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_every_docs_command_has_help() -> None:
    for command in docs_app.registered_commands:
        assert command.callback is not None and (command.callback.__doc__ or "").strip()


def test_import_list_show_the_seeds(cli, seeds_dir: Path) -> None:
    result = cli("docs", "import", "--no-embed", seeds_dir)
    assert result.exit_code == 0, result.output
    assert result.output.count("imported: ") == 5
    assert "5 imported, 0 replaced, 0 unchanged, 0 failed" in result.output

    again = cli("docs", "import", "--no-embed", seeds_dir / "002_538f5b10459867a4.txt")
    assert again.exit_code == 0 and "unchanged: " in again.output
    assert _count(cli.engine, Document) == 5

    listed = json.loads(cli("docs", "list", "--format", "json").output)
    assert sorted(d["file_name"] for d in listed) == sorted(p.name for p in seeds_dir.glob("*.txt"))
    seed = next(d for d in listed if d["file_name"] == "002_538f5b10459867a4.txt")
    assert seed["counts"]["pipeline"] == 1 and seed["counts"]["role"] >= 5
    table = cli("docs", "list").output
    assert "002_538f5b10459867a4.txt" in table and "pipeline" in table.splitlines()[0]

    shown = cli("docs", "show", seed["id"])
    assert shown.exit_code == 0
    assert "人才需求分析[needs_analysis] → 人才招聘[sourcing]" in shown.output
    assert "24-32" in shown.output  # the pipeline's line span
    items = json.loads(
        cli("docs", "show", seed["id"], "--kind", "duty", "--format", "json").output
    )["items"]
    assert len(items) == 10 and all(i["kind"] == "duty" and i["line_start"] >= 6 for i in items)


def test_show_unknown_document(cli) -> None:
    result = cli("docs", "show", "4242")
    assert result.exit_code == 3 and "no document with id 4242" in result.output


def test_bad_files_fail_but_the_good_one_imports(cli, tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02\x03\x04\x05\x06")
    (tmp_path / "cycle.md").write_text(
        "# 流程\n```mermaid\nflowchart TD\nA[招聘] --> B[面试]\nB --> C[入职] --> A\n```\n",
        encoding="utf-8",
    )
    result = cli("docs", "import", "--no-embed", tmp_path)
    assert result.exit_code == 2
    assert f"imported: {tmp_path / 'good.md'}" in result.output
    assert f"failed: {tmp_path / 'empty.txt'}, line 1: the file is empty" in result.output
    assert f"{tmp_path / 'binary.md'}, line 1: binary file" in result.output
    assert f"{tmp_path / 'cycle.md'}, line 4: this flowchart has no clear order" in result.output
    assert "1 imported, 0 replaced, 0 unchanged, 3 failed" in result.output
    with session_scope(cli.engine) as s:
        assert s.scalars(select(Document.file_name)).all() == ["good.md"]
        [pipe] = s.scalars(select(Pipeline)).all()
        assert [st.canonical_key for st in pipe.stages] == [
            "needs_analysis",
            "screening",
            "interview",
            "onboarding",
        ]
        strategy = s.scalar(select(Extraction).where(Extraction.kind == "strategy"))
        assert (strategy.canonical_key, strategy.category) == (
            "cross_cultural_training",
            "cultivation",
        )


def test_changed_file_is_replaced(cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(GOOD, encoding="utf-8")
    assert cli("docs", "import", "--no-embed", path).exit_code == 0
    path.write_text(GOOD.replace("数据科学家", "算法工程师"), encoding="utf-8")
    result = cli("docs", "import", "--no-embed", path)
    assert result.exit_code == 0 and f"replaced: {path}" in result.output
    with session_scope(cli.engine) as s:
        roles = s.scalars(select(Extraction.canonical_key).where(Extraction.kind == "role")).all()
        assert roles == ["algorithm_engineer"]
        assert s.scalar(select(func.count()).select_from(Document)) == 1


def test_viewers_may_read_but_not_import(cli, tmp_path: Path) -> None:
    assert cli("users", "add", "vera", "--role", "viewer").exit_code == 0
    path = tmp_path / "plan.md"
    path.write_text(GOOD, encoding="utf-8")
    result = cli("docs", "import", "--no-embed", path, user="vera")
    assert result.exit_code == 4
    assert _count(cli.engine, Document) == 0
    assert cli("docs", "list", user="vera").exit_code == 0


def test_import_is_audited_under_the_acting_user(cli, tmp_path: Path) -> None:
    assert cli("users", "add", "rita", "--role", "recruiter").exit_code == 0
    path = tmp_path / "plan.md"
    path.write_text(GOOD, encoding="utf-8")
    assert cli("docs", "import", "--no-embed", path, user="rita").exit_code == 0
    with session_scope(cli.engine) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "docs.import")).all()
        assert [(a.actor, a.target_type) for a in rows] == [("rita", "document")]


@pytest.mark.slow
def test_import_with_embedding_uses_the_cache(sqlite_cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(GOOD + "\n## 技能\n- 医学图像分析: 读片\n", encoding="utf-8")
    result = sqlite_cli("docs", "import", path)
    assert result.exit_code == 0, result.output
    with session_scope(sqlite_cli.engine) as s:
        skill = s.scalar(select(Extraction).where(Extraction.label == "医学图像分析"))
        by_alias = bool(load_taxonomy().find("医学图像分析"))
        assert skill is not None
        assert skill.payload["method"] == ("alias" if by_alias else "embedding")
        assert skill.skill_id is not None
        assert s.scalar(select(func.count()).select_from(Embedding)) > 0
