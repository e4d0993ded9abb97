"""Role × skill matrix, demand vs supply gaps and the incremental resume skill index."""

from __future__ import annotations

import json

import pytest

from analytics import skills
from analytics.filters import Filters
from data.errors import NotFoundError
from data.store.engine import session_scope
from data.store.models import Candidate, Resume
from tests.dashboard.seed import ROLES, SKILLS, seed_store


def keys_in(text: str) -> set[str]:
    low = text.lower()
    return {k for k in ("python", "pytorch", "sql", "nlp") if k in low}


@pytest.fixture
def store(engine):
    return engine, seed_store(engine)


def test_matrix_holds_importance_per_role_and_skill(store):
    engine, _ = store
    with session_scope(engine) as s:
        m = skills.role_skill_matrix(s, Filters())
        zh = skills.role_skill_matrix(s, Filters(roles=("ml_engineer",)), lang="zh")
        top2 = skills.role_skill_matrix(s, Filters(), max_skills=2)
        top2_zh = skills.role_skill_matrix(s, Filters(), max_skills=2, lang="zh")
    # chosen by demand (open roles' headcount x importance), plus every role's top skill
    demand: dict[str, float] = {}
    for _key, _en, _zh, wanted, heads in ROLES:
        if _key != "hr_partner":  # the closed role
            for k, w in wanted.items():
                demand[k] = demand.get(k, 0.0) + heads * w
    by_demand = sorted(demand, key=lambda k: (-demand[k], k))
    tops = {max(r[3], key=r[3].get) for r in ROLES}
    keep = [k for k in sorted(set(by_demand[:2]) | tops, key=lambda k: (-demand.get(k, 0), k))]
    en_name = {k: en for k, en, *_ in SKILLS}
    zh_name = {k: zh for k, _, zh, *_ in SKILLS}
    assert list(top2.columns) == [en_name[k] for k in keep]
    assert "Communication" in top2.columns  # the HR role's top skill, past the count
    assert list(top2_zh.columns) == [zh_name[k] for k in keep]  # same skills in Chinese
    assert m.loc["ML Engineer", "PyTorch"] == pytest.approx(0.9)
    assert m.loc["HR Business Partner", "Python"] == 0
    assert list(zh.index) == ["机器学习工程师"]
    assert "自然语言处理" in zh.columns


def test_supply_index_counts_and_updates_incrementally(store, tmp_path):
    engine, seeded = store
    path = tmp_path / "supply.json"
    with session_scope(engine) as s:
        idx = skills.update_supply_index(s, keys_in, path)
    sup, total = skills.skill_supply(idx, Filters())
    assert total == len(seeded.resumes)
    expect = {
        k: sum(k in keys_in(t) for t in seeded.resumes.values())
        for k in ("python", "pytorch", "sql", "nlp")
    }
    assert dict(zip(sup["skill"], sup["resumes"], strict=True)) == {
        k: v for k, v in expect.items() if v
    }
    # one more resume: only it is read
    with session_scope(engine) as s:
        c = Candidate(pseudonym="C-new", country="US", source_channel="referral")
        s.add(c)
        s.flush()
        s.add(
            Resume(
                candidate_id=c.id,
                file_name="n.txt",
                sha256="n" * 64,
                language="en",
                text="SQL and more SQL",
            )
        )
    seen: list[str] = []

    def spy(text: str) -> set[str]:
        seen.append(text)
        return keys_in(text)

    with session_scope(engine) as s:
        idx2 = skills.update_supply_index(s, spy, path)
    assert seen == ["SQL and more SQL"]
    us, us_total = skills.skill_supply(idx2, Filters(countries=("US",)))
    assert us_total == sum(a.country == "US" for a in seeded.apps) + 1
    assert json.loads(path.read_text())["count"] == len(seeded.resumes) + 1
    # a changed taxonomy rebuilds from scratch
    seen.clear()
    with session_scope(engine) as s:
        skills.update_supply_index(s, spy, path, fingerprint="v2")
    assert len(seen) == len(seeded.resumes) + 1


def test_gaps_biggest_first(store, tmp_path):
    engine, _ = store
    with session_scope(engine) as s:
        idx = skills.update_supply_index(s, keys_in, tmp_path / "i.json")
        sup, total = skills.skill_supply(idx, Filters())
        demand = skills.skill_demand(s, Filters())
        gaps = skills.skill_gaps(s, demand, sup, total)
    assert list(gaps["gap"]) == sorted(gaps["gap"], reverse=True)
    # communication is asked for (data scientist) but no resume names it under keys_in
    by = gaps.set_index("skill")
    open_heads = sum(r[4] for r in ROLES if r[0] != "hr_partner")
    assert by.loc["communication", "resumes"] == 0
    # demand share: open positions needing it (headcount x importance) over open headcount
    assert by.loc["communication", "gap"] == pytest.approx(2 * 0.5 / open_heads)
    row = gaps.set_index("skill").loc["python"]
    assert row["supply_share"] == pytest.approx(row["resumes"] / total)  # resumes naming it
    assert row["gap"] == pytest.approx((3 * 1.0 + 2 * 0.9) / open_heads - row["resumes"] / total)
    open_roles = [r for r in ROLES if r[0] != "hr_partner"]
    py = demand.set_index("skill").loc["python"]
    assert py["roles"] == sum("python" in r[3] for r in open_roles)
    assert py["demand"] == pytest.approx(sum(r[4] * r[3].get("python", 0) for r in open_roles))


def test_role_profile_and_unknown_role(store):
    engine, _ = store
    with session_scope(engine) as s:
        prof = skills.role_profile(s, "ml_engineer")
        assert list(prof["skills"]["key"]) == ["python", "pytorch", "nlp"]
        with pytest.raises(NotFoundError, match="no role with key 'nope'"):
            skills.role_profile(s, "nope")


def test_document_map_empty_without_documents(store):
    engine, _ = store
    with session_scope(engine) as s:
        assert skills.document_map(s).empty
