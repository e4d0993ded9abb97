"""Candidate search and view: each criterion narrows, names only for users who may see them."""

from __future__ import annotations

import datetime as dt

import pytest

from data.errors import NotFoundError
from data.ingest.feedback import record_feedback
from data.ingest.people import canonical_pipeline, move_stage
from data.queries.candidates import candidate_view, search_candidates
from data.store.engine import session_scope
from data.store.models import Application, Candidate, CandidateContact, Resume, Role, Skill

PEOPLE = [
    # pseudonym, name, country, resume text, role, stage
    ("C-AAAA", "Wang Fang", "CN", "Python and PyTorch for NLP", "ml", "interview"),
    ("C-BBBB", "Jane Roe", "DE", "Excel and sales; 沟通能力", "sales", "screening"),
    ("C-CCCC", "John Wang", "DE", "Deep learning with pytorch", "ml", "screening"),
]


def _seed(s) -> dict[str, int]:
    roles = {
        "ml": Role(key="ml", title_en="ML", title_zh="机器学习", family="ai"),
        "sales": Role(key="sales", title_en="Sales", title_zh="销售", family="biz"),
    }
    s.add_all(roles.values())
    s.add(
        Skill(key="pytorch", name_en="PyTorch", name_zh="PyTorch", category="ml", aliases=["torch"])
    )
    s.flush()
    pipeline = canonical_pipeline(s)
    apps = {}
    for i, (pseudonym, name, country, text, role, stage) in enumerate(PEOPLE):
        c = Candidate(pseudonym=pseudonym, country=country)
        s.add(c)
        s.flush()
        s.add(CandidateContact(candidate_id=c.id, name=name, email=f"p{i}@example.com"))
        s.add(
            Resume(
                candidate_id=c.id,
                file_name=f"{i}.txt",
                sha256=f"{i:064d}",
                language="en",
                text=text,
            )
        )
        a = Application(
            candidate_id=c.id,
            role_id=roles[role].id,
            pipeline_id=pipeline,
            current_stage=stage,
            status="active",
            applied_at=dt.datetime(2026, 1, 1),
        )
        s.add(a)
        s.flush()
        apps[pseudonym] = a.id
    return apps


def _found(s, **kw) -> list[str]:
    return [r["pseudonym"] for r in search_candidates(s, **kw)]


def test_each_criterion_narrows_the_search(engine):
    with session_scope(engine) as s:
        _seed(s)
    with session_scope(engine) as s:
        assert _found(s) == ["C-AAAA", "C-BBBB", "C-CCCC"]
        assert _found(s, text="bbb") == ["C-BBBB"]
        # a stored skill is found by its names and aliases, in any case
        assert _found(s, skill="pytorch") == ["C-AAAA", "C-CCCC"]
        assert _found(s, skill="沟通能力") == ["C-BBBB"]
        assert _found(s, country="de") == ["C-BBBB", "C-CCCC"]
        assert _found(s, role="ml") == ["C-AAAA", "C-CCCC"]
        assert _found(s, role="ml", stage="screening") == ["C-CCCC"]
        assert _found(s, role="sales", stage="interview") == []
        assert _found(s, text="%") == []  # wildcards are literal


def test_names_are_searched_and_shown_only_for_users_who_may_see_contacts(engine):
    with session_scope(engine) as s:
        _seed(s)
    with session_scope(engine) as s:
        assert _found(s, text="wang") == []
        rows = search_candidates(s, text="wang", see_contacts=True)
        assert [(r["pseudonym"], r["name"]) for r in rows] == [
            ("C-AAAA", "Wang Fang"),
            ("C-CCCC", "John Wang"),
        ]
        assert "name" not in search_candidates(s)[0]
        assert candidate_view(s, "C-AAAA")["contact"] is None
        assert candidate_view(s, "C-AAAA", see_contacts=True)["contact"]["name"] == "Wang Fang"


def test_the_view_shows_applications_history_and_decisions(engine):
    with session_scope(engine) as s:
        apps = _seed(s)
    with session_scope(engine) as s:
        move_stage(s, apps["C-CCCC"], "interview", actor="li", at=dt.datetime(2026, 2, 1))
        resume_id = s.get(Application, apps["C-CCCC"]).candidate_id
        rid = s.query(Resume.id).filter(Resume.candidate_id == resume_id).scalar()
        role_id = s.get(Application, apps["C-CCCC"]).role_id
        record_feedback(s, rid, role_id, "advance", "Li", actor="li")
        record_feedback(s, rid, role_id, "reject", "Li", actor="li")
    with session_scope(engine) as s:
        v = candidate_view(s, "C-CCCC")
        assert [(a["role"], a["stage"]) for a in v["applications"]] == [("ml", "interview")]
        assert [(e["from"], e["to"], e["actor"]) for e in v["events"]] == [
            ("screening", "interview", "li")
        ]
        assert [(d["reviewer"], d["decision"]) for d in v["decisions"]] == [("Li", "reject")]
        assert v["resumes"][0]["text"] == "Deep learning with pytorch"
        with pytest.raises(NotFoundError):
            candidate_view(s, "C-ZZZZ")
