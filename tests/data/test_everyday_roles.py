"""25 everyday role profiles (IT and non-IT), written from public job descriptions: every one
imports as written, with every skill the user named kept."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, select

from data.ingest.roles import import_roles_checked, list_roles
from data.store.engine import session_scope
from data.store.models import Role, Skill

FILE = Path(__file__).resolve().parent / "fixtures" / "everyday_roles.yaml"


def _written() -> list[dict]:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))["roles"]


def _norm(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name).casefold()


def test_all_25_everyday_roles_import_as_written(engine: Engine) -> None:
    written = _written()
    assert len(written) == 25
    with session_scope(engine) as s:
        done = import_roles_checked(s, FILE, actor="hr")
        assert len(done.ids) == 25
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Role)) == 25
        stored = {r.title_en or r.title_zh: r for r in list_roles(s)}
        names = {
            k: [n.casefold() for n in (nm, *(al or []))]
            for k, nm, al in s.execute(select(Skill.key, Skill.name_en, Skill.aliases))
        }
        zh = dict(s.execute(select(Skill.key, Skill.name_zh)).all())
    merged = {(n.row, n.line) for n in done.notices if "name the same skill" in str(n)}
    assert not merged, [str(n) for n in done.notices if "name the same skill" in str(n)]
    for rec in written:
        role = stored[rec.get("title_en") or rec["title_zh"]]
        for fld, got in (("required_skills", role.required), ("nice_skills", role.nice)):
            # as many skills as the user wrote: none dropped, none merged away
            assert len(got) == len(rec[fld]), (rec.get("title_en"), fld)
    # the names HR wrote that the curated core lacked are kept in their own words
    custom = {k for k in names if k.startswith("custom_")}
    assert custom, "expected some custom skills among 25 everyday roles"
    for key in custom:
        assert names[key][0] == zh[key].casefold()  # a custom skill's name is the user's words
    assert any(n.startswith("esco_") for n in names)  # English names found in ESCO
    # the electrical engineer's "transformers" is not the deep-learning architecture
    ee = stored["Electrical Engineer"]
    assert "transformer" not in {k for k, _w in ee.required}
    assert any("'transformers' is kept as your own skill" in str(n) for n in done.notices)
