"""The Roles & skills page's role form: a posting becomes a draft, edited, then saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data.store.engine import session_scope
from data.store.models import Role, RoleSkill, Skill
from data.store.users import add_user
from tests.dashboard.seed import seed_store
from tests.data.test_postings import BOSS_POSTING


def _sign_in(at, name: str, password: str):
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_posting_draft_is_edited_then_saved(sqlite_engine, make_app, lang):
    seed_store(sqlite_engine, n_candidates=4)
    with session_scope(sqlite_engine) as s:
        add_user(s, "hana", "recruiter", "pw-hana")
    at = _sign_in(make_app(sqlite_engine, lang=lang), "hana", "pw-hana")
    at.switch_page("app_pages/roles_skills.py").run()
    assert not at.exception, at.exception
    at.text_area(key="rolesform_text").input(BOSS_POSTING)
    at.button(key="rolesform_read").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="rf_title").value == "大模型应用算法工程师"
    assert at.text_input(key="rf_pay").value == "40-70K·15薪"
    with session_scope(sqlite_engine) as s:  # nothing stored before the user saves
        assert s.scalars(select(Role).where(Role.source == "posting")).first() is None
    at.text_input(key="rf_title").input("大模型应用算法专家")
    at.button(key="rf_save").click().run()
    assert not at.exception, at.exception
    assert at.success and "大模型应用算法专家" in at.success[0].value
    with session_scope(sqlite_engine) as s:
        role = s.scalars(select(Role).where(Role.source == "posting")).one()
        assert role.title_zh == "大模型应用算法专家"
        assert role.pay["text"] == "40-70K·15薪"
        keys = set(
            s.scalars(
                select(Skill.key)
                .join(RoleSkill, RoleSkill.skill_id == Skill.id)
                .where(RoleSkill.role_id == role.id)
            )
        )
    assert {"python", "vllm", "langgraph"} <= keys


@pytest.mark.slow
def test_a_posting_without_skills_shows_an_error_and_saves_nothing(sqlite_engine, make_app):
    seed_store(sqlite_engine, n_candidates=4)
    with session_scope(sqlite_engine) as s:
        add_user(s, "hana", "recruiter", "pw-hana")
    at = _sign_in(make_app(sqlite_engine), "hana", "pw-hana")
    at.switch_page("app_pages/roles_skills.py").run()
    at.text_area(key="rolesform_text").input("Team lunch on Friday. Bring snacks.")
    at.button(key="rolesform_read").click().run()
    assert not at.exception
    assert any("no skills found" in e.value for e in at.error)
    with session_scope(sqlite_engine) as s:
        assert s.scalars(select(Role).where(Role.source == "posting")).first() is None
