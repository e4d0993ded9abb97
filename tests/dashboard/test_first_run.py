"""A first-run guide on an empty store (issue 18): no roles, resumes or events -> the Overview
walks through importing them, or loading the demo, in both languages."""

from __future__ import annotations

import pytest

from data.queries.setup import is_first_run, setup_counts
from data.reference import labels
from data.store.engine import session_scope
from data.store.models import Role
from tests.dashboard.rendered import page_texts
from tests.dashboard.seed import seed_store
from tests.dashboard.test_chinese import LANGUAGE_NAMES, english_or_raw

COMMANDS = {  # what a new user types, from the README's quick start
    "talentmap demo --candidates 10000 --seed 7",
    "talentmap roles import docs/examples/roles.csv",
    "talentmap resumes import ./resumes/",
    "talentmap import candidates people.csv\ntalentmap import events stage_events.csv",
}


def test_counts_on_an_empty_and_a_filled_store(engine):
    with session_scope(engine) as s:
        empty = setup_counts(s)
    assert empty == {"roles": 0, "resumes": 0, "candidates": 0, "events": 0}
    assert is_first_run(empty)
    seed_store(engine)
    with session_scope(engine) as s:
        filled = setup_counts(s)
    assert filled["roles"] == 3 and filled["candidates"] == 60 and filled["events"] > 0
    assert not is_first_run(filled)
    assert not is_first_run({"roles": 1, "resumes": 0, "candidates": 0, "events": 0})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_empty_store_opens_on_the_first_run_guide(sqlite_engine, make_app, lang):
    at = make_app(sqlite_engine, lang=lang).run()
    assert not at.exception, at.exception
    texts = page_texts(at)
    assert labels.tr(lang, "first.title") in texts
    for key in ("first.roles", "first.resumes", "first.events", "first.demo"):
        assert any(labels.tr(lang, key) in x for x in texts), key
    assert {c.value for c in at.code} == COMMANDS
    links = {p.proto.page for p in at.get("page_link")}
    assert links == {"roles_skills", "matching"}  # the url paths of those pages
    assert not at.metric  # no empty KPI cards
    assert labels.tr(lang, "err.empty") not in [w.value for w in at.warning]
    if lang == "zh":
        bad = english_or_raw(texts, allowed=LANGUAGE_NAMES | COMMANDS)
        assert not bad, bad


def test_the_guide_gives_way_once_something_is_stored(sqlite_engine, make_app):
    with session_scope(sqlite_engine) as s:
        s.add(
            Role(key="ml_engineer", title_en="ML engineer", title_zh="机器学习工程师", family="ai")
        )
    at = make_app(sqlite_engine, lang="en").run()
    assert not at.exception, at.exception
    assert labels.tr("en", "first.title") not in page_texts(at)
    assert at.metric  # the KPI cards
