"""``docs import`` of a job posting: its own role only; passing mentions create no roles."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from data.ingest.documents import import_documents
from data.store.engine import session_scope
from data.store.models import Extraction, Role, RoleSkill, Skill
from tests.data.test_postings import BOSS_POSTING

COLLEAGUES = "3、与产品经理、数据工程师、前端工程师紧密合作；\n"


def test_a_posting_yields_its_own_role_not_its_colleagues(engine: Engine, tmp_path: Path) -> None:
    text = BOSS_POSTING.replace(
        "2、跟踪NLP领域前沿技术动态。\n", "2、跟踪NLP领域前沿技术动态。\n" + COLLEAGUES
    )
    path = tmp_path / "posting.md"
    path.write_text(text, encoding="utf-8")
    report = import_documents(engine, [path], actor="tester")
    assert report.ok, report.failed
    with session_scope(engine) as s:
        (role,) = s.scalars(select(Role)).all()
        assert role.title_zh == "大模型应用算法工程师" and role.is_open
        assert role.pay is not None and role.pay["text"] == "40-70K·15薪"
        rows = s.execute(
            select(Skill.key, RoleSkill.required)
            .join(RoleSkill, RoleSkill.skill_id == Skill.id)
            .where(RoleSkill.role_id == role.id)
        ).all()
        required = {k for k, r in rows if r}
        nice = {k for k, r in rows if not r}
        assert {"python", "pytorch", "vllm"} <= required
        assert "langgraph" in nice and not required & nice


def test_passing_mentions_create_no_empty_closed_roles(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "memo.md"
    path.write_text(
        "# 团队周报\n\n本周产品经理与数据科学家讨论了明年的招聘计划。\n", encoding="utf-8"
    )
    report = import_documents(engine, [path], actor="tester")
    assert report.ok, report.failed
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Role)) == 0
        mentions = s.scalars(select(Extraction).where(Extraction.kind == "role")).all()
        assert mentions and all(m.role_id is None for m in mentions)
