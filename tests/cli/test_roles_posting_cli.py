"""``talentmap roles from-posting`` and importing roles with custom skills and notices."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import func, select

from data.store.engine import session_scope
from data.store.models import Role, Skill
from tests.data.test_postings import BOSS_POSTING


def test_from_posting_drafts_review_then_import(cli, engine, tmp_path: Path) -> None:
    posting = tmp_path / "posting.md"
    posting.write_text(BOSS_POSTING, encoding="utf-8")
    drafts = tmp_path / "drafts.yaml"
    result = cli("roles", "from-posting", str(posting), "--out", str(drafts), user="admin")
    assert result.exit_code == 0, result.output
    assert "40-70K·15薪" in result.output and "LangGraph" in result.output
    with session_scope(engine) as s:  # a draft is not a role until the user saves it
        assert s.scalar(select(func.count()).select_from(Role)) == 0
    data = yaml.safe_load(drafts.read_text(encoding="utf-8"))
    (rec,) = data["roles"]
    assert rec["title_zh"] == "大模型应用算法工程师" and rec["pay"] == "40-70K·15薪"
    assert {"skill": "LangGraph", "weight": 0.5} in rec["nice_skills"]
    # the user edits the draft: one more skill of their own, then imports it
    rec["required_skills"].append({"skill": "内部推理平台", "weight": 0.6})
    drafts.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli("roles", "import", str(drafts), user="admin")
    assert result.exit_code == 0, result.output
    assert "'内部推理平台' is not in the skill vocabulary" in result.output
    assert "1 new custom skill" in result.output
    with session_scope(engine) as s:
        role = s.scalars(select(Role)).one()
        assert role.pay["months"] == 15 and role.pay["low"] == 40_000
        assert s.scalar(select(func.count()).where(Skill.category == "custom")) == 1
    listed = json.loads(cli("roles", "list", "--format", "json", user="admin").output)
    assert listed[0]["pay"]["text"] == "40-70K·15薪"


def test_from_posting_save_stores_the_draft(cli, engine, tmp_path: Path) -> None:
    posting = tmp_path / "p.txt"
    posting.write_text(BOSS_POSTING, encoding="utf-8")
    result = cli("roles", "from-posting", str(posting), "--save", user="admin")
    assert result.exit_code == 0, result.output
    with session_scope(engine) as s:
        role = s.scalars(select(Role)).one()
        assert (role.title_zh, role.source) == ("大模型应用算法工程师", "posting")


def test_a_posting_without_skills_saves_nothing(cli, engine, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(BOSS_POSTING, encoding="utf-8")
    bad = tmp_path / "memo.txt"
    bad.write_text("Team lunch on Friday.\nBring snacks.\n", encoding="utf-8")
    result = cli("roles", "from-posting", str(good), str(bad), "--save", user="admin")
    assert result.exit_code == 2
    assert "memo.txt" in result.output and "no skills found" in result.output
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Role)) == 0


def test_roles_import_prints_merge_and_both_lists_notices(cli, tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text(
        "title_en,required_skills,nice_skills\nDBA,Postgres:0.9; PostgreSQL:0.5,postgres\n",
        encoding="utf-8",
    )
    result = cli("roles", "import", str(path), user="admin")
    assert result.exit_code == 0, result.output
    assert "'Postgres' and 'PostgreSQL' name the same skill" in result.output
    assert "'Postgres' is both required and nice to have: kept as required" in result.output
    assert "postgresql" not in result.output  # internal keys never shown
