"""The demo world: reference data, determinism, realism, privacy and the planted disparity."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data.demo import world as demo
from data.demo.world import DEMO_USERS, PLANTED_DISPARITY, build_demo
from data.errors import InputError, StoreNotEmpty
from data.queries.audit import selection_counts
from data.reference import (
    EEO1_ETHNICITIES,
    REGIONS,
    SOURCE_CHANNELS,
    load_countries,
    load_programmes,
    load_roles,
    resolve_country,
)
from data.reference.stages import STAGES
from data.store import users
from data.store.engine import session_scope
from data.store.models import (
    Application,
    AuditLog,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    Enrolment,
    Feedback,
    Pipeline,
    PipelineStage,
    Programme,
    Resume,
    Role,
    RoleSkill,
    StageEvent,
    User,
)
from data.store.users import verify_password
from data.text.taxonomy import load_taxonomy
from tests.conftest import DBS, _new_engine

AS_OF = dt.date(2026, 6, 30)
WORLD_N = 1000
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# --- reference data ------------------------------------------------------------------------


def test_every_role_skill_is_in_the_taxonomy() -> None:
    tax = load_taxonomy()
    roles = load_roles()
    assert len(roles) >= 14
    missing = {(r.key, k) for r in roles for k in r.skills if k not in tax.by_key}
    assert not missing, f"roles.yaml names skills the taxonomy lacks: {sorted(missing)}"
    for r in roles:
        assert r.required and r.title_zh and r.title_en and r.description
        assert all(0 < w <= 1 for w in r.skills.values())


def test_roles_include_those_the_strategy_documents_name() -> None:
    titles = {r.title_zh for r in load_roles()}
    for zh in ("深度学习专家", "机器学习工程师", "数据科学家", "软件工程师", "产品经理"):
        assert zh in titles


def test_countries_reference_is_complete_and_consistent() -> None:
    countries = load_countries()
    assert len(countries) >= 60
    rows = [c for c in countries.values() if c.curated]
    for field in ("iso2", "iso3", "numeric", "name_en", "name_zh"):
        values = [getattr(c, field) for c in rows]
        assert len(set(values)) == len(values), f"duplicate {field}"
    for c in rows:
        assert re.fullmatch(r"[A-Z]{2}", c.iso2) and re.fullmatch(r"[A-Z]{3}", c.iso3)
        assert re.fullmatch(r"\d{3}", c.numeric)
        assert c.region in REGIONS
        assert c.lat is not None and c.lon is not None
        assert -90 <= c.lat <= 90 and -180 <= c.lon <= 180
    assert countries["BR"].numeric == "076" and countries["CN"].iso3 == "CHN"


@pytest.mark.parametrize(
    "text,iso2",
    [("DE", "DE"), ("deu", "DE"), ("Germany", "DE"), ("德国", "DE"), ("USA", "US"), ("840", "US")],
)
def test_resolve_country_accepts_codes_and_names(text: str, iso2: str) -> None:
    c = resolve_country(text)
    assert c is not None and c.iso2 == iso2


def test_resolve_country_rejects_unknown() -> None:
    assert resolve_country("Atlantis") is None


def test_programmes_are_bilingual() -> None:
    progs = load_programmes()
    kinds = {p.kind for p in progs}
    assert {"cross_cultural", "upskilling", "exchange", "leadership"} <= kinds
    assert all(p.name_zh and p.name_en for p in progs)


# --- the demo world ------------------------------------------------------------------------


def world_digest(session: Session) -> str:
    """A hash of every demo row, keyed by natural keys (not surrogate ids)."""
    h = hashlib.sha256()
    c, a, r = Candidate, Application, Role
    queries = [
        select(
            c.pseudonym, c.external_ref, c.country, c.region, c.source_channel, c.created_at
        ).order_by(c.pseudonym),
        select(c.pseudonym, CandidateContact.name, CandidateContact.email, CandidateContact.phone)
        .join(CandidateContact)
        .order_by(c.pseudonym),
        select(c.pseudonym, CandidateDemographics.sex, CandidateDemographics.ethnicity)
        .join(CandidateDemographics)
        .order_by(c.pseudonym),
        select(c.pseudonym, Resume.sha256, Resume.language, Resume.file_name)
        .join(Resume, Resume.candidate_id == c.id)
        .order_by(c.pseudonym),
        select(
            c.pseudonym,
            r.key,
            a.current_stage,
            a.status,
            a.applied_at,
            a.closed_at,
            a.offer_at,
            a.offer_accepted,
            a.hired_at,
            a.left_at,
        )
        .join(a, a.candidate_id == c.id)
        .join(r, r.id == a.role_id)
        .order_by(c.pseudonym),
        select(
            c.pseudonym,
            StageEvent.from_stage,
            StageEvent.to_stage,
            StageEvent.at,
            StageEvent.actor,
            StageEvent.outcome,
        )
        .join(a, a.candidate_id == c.id)
        .join(StageEvent, StageEvent.application_id == a.id)
        .order_by(c.pseudonym, StageEvent.at, StageEvent.to_stage),
        select(c.pseudonym, r.key, Feedback.decision, Feedback.reviewer, Feedback.at)
        .join(Resume, Resume.candidate_id == c.id)
        .join(Feedback, Feedback.resume_id == Resume.id)
        .join(r, r.id == Feedback.role_id)
        .order_by(c.pseudonym, r.key),
        select(
            c.pseudonym,
            Programme.key,
            Enrolment.enrolled_at,
            Enrolment.completed_at,
            Enrolment.status,
        )
        .join(Enrolment, Enrolment.candidate_id == c.id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .order_by(c.pseudonym, Programme.key),
        select(r.key, r.headcount, r.is_open, r.opened_at).order_by(r.key),
    ]
    for q in queries:
        for row in session.execute(q):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_same_seed_same_world_and_another_seed_another(engine: Engine) -> None:
    build_demo(engine, candidates=120, seed=3, as_of=AS_OF)
    with session_scope(engine) as s:
        first = world_digest(s)
    build_demo(engine, candidates=120, seed=3, as_of=AS_OF, mode="replace")
    with session_scope(engine) as s:
        again = world_digest(s)
        assert s.scalar(select(func.count()).select_from(Candidate)) == 120
    build_demo(engine, candidates=120, seed=4, as_of=AS_OF, mode="replace")
    with session_scope(engine) as s:
        other = world_digest(s)
    assert first == again
    assert other != first


@pytest.fixture(scope="module", params=DBS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One demo world per database, shared (read-only) by the tests of this module. 1,000
    candidates (about 2,500 applications): a candidate's applications share sex and resume
    strength, so smaller worlds leave the screening impact ratio too noisy to test."""
    stores = _new_engine(request.param, request, tmp_path_factory.mktemp("world"))
    engine = next(stores)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "_hasher", FAST_HASHER)
        result = build_demo(engine, candidates=WORLD_N, seed=11, as_of=AS_OF)
    assert not result.skipped and result.candidates == WORLD_N
    yield engine
    stores.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Demo users are argon2-hashed; cheap parameters keep these tests fast."""
    monkeypatch.setattr(users, "_hasher", FAST_HASHER)


def test_demo_world_is_a_realistic_company(world: Engine) -> None:
    with session_scope(world) as s:
        n = s.scalar(select(func.count()).select_from(Candidate))
        assert n == WORLD_N
        assert s.scalar(select(func.count(func.distinct(Candidate.country)))) >= 20
        channels = set(s.scalars(select(Candidate.source_channel).distinct()))
        assert len(channels) >= 6 and channels <= set(SOURCE_CHANNELS)
        # roles with weighted skills, some closed, all named in two languages
        assert s.scalar(select(func.count()).select_from(Role)) >= 14
        assert s.scalar(select(func.count()).select_from(RoleSkill)) >= 14 * 4
        assert s.scalar(select(func.count()).where(Role.is_open.is_(False))) >= 1
        # one canonical pipeline with the nine stages in order
        pipes = s.scalars(select(Pipeline).where(Pipeline.source == "canonical")).all()
        assert len(pipes) == 1
        stages = s.execute(
            select(PipelineStage.position, PipelineStage.canonical_key)
            .where(PipelineStage.pipeline_id == pipes[0].id)
            .order_by(PipelineStage.position)
        ).all()
        assert [k for _, k in stages] == list(STAGES)
        # one resume per candidate; one to four applications each, about 2.5 on average
        assert s.scalar(select(func.count()).select_from(Resume)) == n
        assert s.scalar(select(func.count(func.distinct(Resume.sha256)))) == n
        apps = s.scalar(select(func.count()).select_from(Application))
        assert 2.1 * n <= apps <= 2.8 * n
        per_cand = s.execute(
            select(Application.candidate_id, func.count()).group_by(Application.candidate_id)
        ).all()
        assert len(per_cand) == n and {k for _, k in per_cand} == {1, 2, 3, 4}
        # about ten stage events per candidate (a million at 100,000 candidates)
        assert 8 * n <= s.scalar(select(func.count()).select_from(StageEvent)) <= 12 * n
        langs = set(s.scalars(select(Resume.language).distinct()))
        assert langs == {"en", "zh", "mixed"}
        statuses = dict(
            s.execute(select(Application.status, func.count()).group_by(Application.status)).all()
        )
        assert set(statuses) == {"active", "hired", "rejected", "withdrawn"}
        assert statuses["rejected"] > statuses["hired"] > 0
        assert s.scalar(select(func.count()).where(Application.left_at.is_not(None))) > 0
        assert s.scalar(select(func.count()).where(Application.offer_accepted.is_(False))) > 0
        # events: every application starts at needs analysis; nothing after as_of
        starts = s.scalar(
            select(func.count()).where(
                StageEvent.from_stage.is_(None), StageEvent.to_stage == STAGES[0]
            )
        )
        assert starts == apps
        last = s.scalar(select(func.max(StageEvent.at)))
        assert last.date() <= AS_OF
        assert s.scalar(select(func.min(Application.applied_at))).date() >= AS_OF - dt.timedelta(
            days=800
        )
        reached = set(s.scalars(select(StageEvent.to_stage).distinct()))
        assert reached == set(STAGES)
        outcomes = set(s.scalars(select(StageEvent.outcome).distinct()))
        assert outcomes == {None, "pass", "fail"}
        # hires enrol in programmes; feedback always names a reviewer
        assert s.scalar(select(func.count()).select_from(Enrolment)) > 0
        fb = s.execute(select(Feedback.decision, Feedback.reviewer)).all()
        assert len(fb) >= 40
        assert {d for d, _ in fb} == {"advance", "reject"}
        assert all(r and r.strip() for _, r in fb)
        # demographics: EEO-1 categories plus undisclosed
        demo_rows = s.execute(
            select(CandidateDemographics.sex, CandidateDemographics.ethnicity)
        ).all()
        assert {x for x, _ in demo_rows} == {"Female", "Male", None}
        eth = {e for _, e in demo_rows}
        assert None in eth and eth - {None} <= set(EEO1_ETHNICITIES) and len(eth) >= 5
        # demo users with documented passwords, and one audit row
        for name, role, password in DEMO_USERS:
            user = s.scalar(select(User).where(User.name == name))
            assert user.role == role and verify_password(user, password)
        assert s.scalar(select(func.count()).where(AuditLog.action == "demo.build")) == 1


def test_durations_and_conversion_differ_by_channel_and_country(world: Engine) -> None:
    with session_scope(world) as s:
        rows = s.execute(
            select(
                Candidate.source_channel, Candidate.region, Application.applied_at, StageEvent.at
            )
            .join(Application, Application.candidate_id == Candidate.id)
            .join(StageEvent, StageEvent.application_id == Application.id)
            .where(StageEvent.to_stage == "screening")
        ).all()
        cells = s.execute(
            select(Candidate.source_channel, StageEvent.outcome, func.count())
            .join(Application, Application.candidate_id == Candidate.id)
            .join(StageEvent, StageEvent.application_id == Application.id)
            .where(StageEvent.from_stage == "screening")
            .group_by(Candidate.source_channel, StageEvent.outcome)
        ).all()
    by_channel: dict[str, list[float]] = {}
    by_region: dict[str, list[float]] = {}
    for ch, region, applied, at in rows:
        days = (at - applied).total_seconds() / 86400
        by_channel.setdefault(ch, []).append(days)
        by_region.setdefault(region, []).append(days)
    mean = {k: sum(v) / len(v) for k, v in {**by_channel, **by_region}.items()}
    # screening starts sooner for referrals than for campus hires, in East Asia than in Europe
    assert mean["referral"] < mean["campus"]
    assert mean["East Asia"] < mean["Europe"]
    passed: dict[str, list[int]] = {}
    for ch, outcome, n in cells:
        passed.setdefault(ch, [0, 0])[outcome == "pass"] += n
    rate = {ch: p / (f + p) for ch, (f, p) in passed.items()}
    assert rate["referral"] > rate["job_board"]


def test_planted_disparity_is_measurable_at_screening(world: Engine) -> None:
    with session_scope(world) as s:
        cells = selection_counts(s, PLANTED_DISPARITY.stage)
    by_sex = cells.groupby(cells["sex"].fillna("unknown"))[["n", "selected"]].sum()
    rate = by_sex["selected"] / by_sex["n"]
    ratio = rate[PLANTED_DISPARITY.group] / rate[PLANTED_DISPARITY.reference]
    assert ratio < 0.8, f"screening impact ratio Female/Male is {ratio:.2f}"
    assert by_sex.loc["unknown", "n"] > 0


def _applications_by_candidate(s: Session) -> dict[int, list[tuple]]:  # type: ignore[type-arg]
    rows = s.execute(
        select(
            Application.candidate_id,
            Application.id,
            Role.key,
            Application.applied_at,
            Application.status,
            Application.closed_at,
            Application.hired_at,
            Application.offer_accepted,
        )
        .join(Role, Role.id == Application.role_id)
        .order_by(Application.candidate_id, Application.applied_at, Application.id)
    ).all()
    out: dict[int, list[tuple]] = {}  # type: ignore[type-arg]
    for r in rows:
        out.setdefault(r[0], []).append(tuple(r[1:]))
    return out


def test_each_resume_is_written_for_the_first_application(world: Engine) -> None:
    """The resume's best role is known: it is the role of the candidate's earliest application
    (further applications go to other roles, often of another family, and come later)."""
    tax = load_taxonomy()
    roles = {r.key: r for r in load_roles()}
    with session_scope(world) as s:
        apps = _applications_by_candidate(s)
        resumes = dict(s.execute(select(Resume.candidate_id, Resume.text)).all())
        created = dict(s.execute(select(Candidate.id, Candidate.created_at)).all())

    def coverage(text: str, role: str) -> float:
        keys = list(roles[role].required)
        hit = sum(
            tax.by_key[k].name_en.lower() in text.lower() or tax.by_key[k].name_zh in text
            for k in keys
        )
        return hit / len(keys)

    better = compared = 0
    for cid, rows in apps.items():
        first_id, first_role, first_at = rows[0][:3]
        assert first_id == min(r[0] for r in rows)  # ids follow the order of application
        assert created[cid] == first_at
        assert len({r[1] for r in rows}) == len(rows)  # never the same role twice
        others = [r[1] for r in rows[1:] if roles[r[1]].family != roles[first_role].family]
        for other in others:
            compared += 1
            better += coverage(resumes[cid], first_role) > coverage(resumes[cid], other)
    assert compared > 200
    assert better / compared > 0.85, f"first role fits better in {better}/{compared}"


def test_a_candidate_is_hired_at_most_once(world: Engine) -> None:
    """Accepting an offer withdraws every other open application of that candidate at that
    moment, and nothing later is applied for: no second hire, nothing open beside a hire."""
    with session_scope(world) as s:
        apps = _applications_by_candidate(s)
        last_event = dict(
            s.execute(
                select(StageEvent.application_id, func.max(StageEvent.at)).group_by(
                    StageEvent.application_id
                )
            ).all()
        )
    hired_candidates = 0
    multi = 0
    for rows in apps.values():
        hires = [r for r in rows if r[5] is not None]
        assert len(hires) <= 1
        accepted = [r for r in rows if r[6]]
        assert len(accepted) <= 1
        if not hires:
            continue
        hired_candidates += 1
        hire = hires[0]
        for r in rows:
            if r is hire:
                continue
            multi += 1
            assert r[2] < hire[5]  # applied before starting
            assert r[3] in ("rejected", "withdrawn") and r[4] is not None and r[4] < hire[5]
            assert last_event[r[0]] <= r[4]
    assert hired_candidates >= 50 and multi >= 50


def test_hires_have_recurring_lifecycle_events(world: Engine) -> None:
    """After hire, development check-ins, reviews, compensation reviews and retention check-ins
    recur as ``S -> S`` events with no outcome, only at stages the employee has reached, and
    stop when the employee leaves."""
    recurring = {stage for stage, _, _ in demo.RECURRING}
    with session_scope(world) as s:
        rows = s.execute(
            select(
                StageEvent.application_id,
                StageEvent.from_stage,
                StageEvent.to_stage,
                StageEvent.at,
                StageEvent.outcome,
                Application.hired_at,
                Application.left_at,
            )
            .join(Application, Application.id == StageEvent.application_id)
            .order_by(StageEvent.application_id, StageEvent.at, StageEvent.id)
        ).all()
    entered: dict[tuple[int, str], dt.datetime] = {}
    per_app: dict[int, int] = {}
    for app_id, frm, to, at, outcome, hired_at, left_at in rows:
        if frm == to and outcome is None:
            assert to in recurring and hired_at is not None
            assert entered[(app_id, to)] < at and (left_at is None or at < left_at)
            per_app[app_id] = per_app.get(app_id, 0) + 1
        elif frm != to:
            entered[(app_id, to)] = at
    assert {to for (_, to) in entered} >= recurring
    assert len(per_app) >= 30 and max(per_app.values()) >= 5


def test_bulk_written_times_compare_like_orm_written_ones(world: Engine) -> None:
    """Rows go in through the driver on SQLite: their times and dates must still read back as
    datetimes and dates and match bound parameters exactly (SQLAlchemy's storage format)."""
    with session_scope(world) as s:
        at = s.scalar(select(StageEvent.at).order_by(StageEvent.id).limit(1))
        applied = s.scalar(select(Application.applied_at).order_by(Application.id).limit(1))
        enrolled = s.scalar(select(Enrolment.enrolled_at).order_by(Enrolment.id).limit(1))
        assert type(at) is dt.datetime and type(applied) is dt.datetime
        assert type(enrolled) is dt.date
        assert s.scalar(select(func.count()).where(StageEvent.at == at)) >= 1
        assert s.scalar(select(func.count()).where(Application.applied_at == applied)) >= 1
        assert s.scalar(select(func.count()).where(Enrolment.enrolled_at == enrolled)) >= 1
        later = s.scalar(select(func.count()).where(StageEvent.at > at))
        not_before = s.scalar(select(func.count()).where(StageEvent.at >= at))
        assert not_before == later + s.scalar(select(func.count()).where(StageEvent.at == at))
        hired = s.scalar(select(func.count()).where(Application.offer_accepted.is_(True)))
        assert hired and hired >= s.scalar(
            select(func.count()).where(Application.hired_at.is_not(None))
        )


def test_resumes_carry_no_contact_details(world: Engine) -> None:
    with session_scope(world) as s:
        rows = s.execute(
            select(
                Resume.text, CandidateContact.name, CandidateContact.email, CandidateContact.phone
            ).join(CandidateContact, CandidateContact.candidate_id == Resume.candidate_id)
        ).all()
    assert rows
    for text, name, email, phone in rows:
        assert name and email and phone
        assert name not in text and email not in text and email.split("@")[0] not in text
        assert phone not in text and re.sub(r"\D", "", phone)[-8:] not in re.sub(r"\D", "", text)
        assert "[EMAIL]" in text and "[PHONE]" in text and "[NAME]" in text


def test_demographics_never_change_resume_text(
    engine: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(engine, candidates=150, seed=5, as_of=AS_OF)
    with session_scope(engine) as s:
        before = s.execute(
            select(Candidate.pseudonym, Resume.text)
            .join(Resume, Resume.candidate_id == Candidate.id)
            .order_by(Candidate.pseudonym)
        ).all()
        sexes_before = s.scalars(select(CandidateDemographics.sex)).all()
    monkeypatch.setattr(demo, "SEX_P", {"Female": 0.9, "Male": 0.05})
    monkeypatch.setattr(demo, "_ETH_MIX", {k: {"Two or More Races": 0.5} for k in demo._ETH_MIX})
    build_demo(engine, candidates=150, seed=5, as_of=AS_OF, mode="replace")
    with session_scope(engine) as s:
        after = s.execute(
            select(Candidate.pseudonym, Resume.text)
            .join(Resume, Resume.candidate_id == Candidate.id)
            .order_by(Candidate.pseudonym)
        ).all()
        sexes_after = s.scalars(select(CandidateDemographics.sex)).all()
    assert sexes_before != sexes_after  # the demographics did change...
    assert before == after  # ...and not one resume did


def test_demo_refuses_a_non_empty_store_and_if_empty_skips(engine: Engine) -> None:
    build_demo(engine, candidates=30, seed=1, as_of=AS_OF)
    with pytest.raises(StoreNotEmpty, match="--replace"):
        build_demo(engine, candidates=30, seed=2, as_of=AS_OF)
    skipped = build_demo(engine, candidates=30, seed=2, as_of=AS_OF, mode="if_empty")
    assert skipped.skipped and "not empty" in skipped.reason
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 30
        assert s.scalar(select(func.count()).where(AuditLog.action == "demo.build")) == 1


def test_replace_keeps_imported_candidates(engine: Engine) -> None:
    build_demo(engine, candidates=30, seed=1, as_of=AS_OF)
    with session_scope(engine) as s:
        s.add(Candidate(pseudonym="Pmine", external_ref="ats-1", country="DE"))
    build_demo(engine, candidates=20, seed=1, as_of=AS_OF, mode="replace")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 21
        assert s.scalar(select(Candidate.country).where(Candidate.external_ref == "ats-1")) == "DE"


def test_demo_rejects_bad_arguments(engine: Engine) -> None:
    with pytest.raises(InputError, match="at least 1"):
        build_demo(engine, candidates=0)
