"""The demo world: a deterministic, realistic AI company to explore TalentMap with.

``build_demo(engine, candidates=N, seed=S, as_of=D)`` writes, in one transaction:

- the skills of the bilingual taxonomy, the roles of ``data/reference/roles.yaml`` (bilingual
  titles, family, level, weighted required and nice-to-have skills, headcount, open/closed,
  ``opened_at``) and the programmes of ``programmes.yaml``;
- one canonical pipeline (``source="canonical"``) with the nine stages of ``STAGES``;
- N candidates from the countries of ``countries.csv`` (about 67, weighted towards China) and
  eight source channels, each with a contact (name in the candidate's script, e-mail, phone),
  self-reported sex and EEO-1 ethnicity (about 10% undisclosed each), and one resume written
  in Chinese, English or both, with contact details masked, from the skills of the role of the
  candidate's **first** application (so each resume's best role is known: the role of its
  candidate's earliest application, ``Candidate.created_at == Resume.created_at ==`` its
  ``applied_at``);
- one to four applications per candidate (``APPS_P``, mean 2.5; the further ones go to
  other roles, 60% of the same family, sent with the first or re-applied later, fitting the
  resume less well) through two years of stage events ending at ``as_of``: rejections,
  withdrawals, offers, hires, and for hires onboarding to retention, recurring lifecycle events
  (``RECURRING``: development check-ins, reviews, compensation reviews, retention check-ins)
  and leavers. Accepting an offer withdraws the candidate's other open applications at that
  moment and nothing later is applied for, so a candidate is hired at most once. About ten
  stage events per candidate: 100,000 candidates give about a million;
- enrolments of hires in programmes, recruiter feedback on a sample of resume x role pairs,
  and three demo users (see ``DEMO_USERS``).

The same (seed, as_of, N) gives identical rows on a fresh store. Nothing is encoded.

How stage events read (the convention ``data.queries.audit`` and ``analytics.pipeline`` use):

- the first event enters ``needs_analysis`` (``from_stage=None``, ``outcome=None``) at
  ``applied_at`` (the application is matched against the role's requisition);
- moving on from stage S to S+1 is one event ``from_stage=S, to_stage=S+1, outcome="pass"``;
- a rejection at S (before hire), or leaving the company during S (after hire, ``left_at``), is
  one event ``from_stage=S, to_stage=S, outcome="fail"``;
- a withdrawal, or a declined offer, writes no event: ``status="withdrawn"`` and ``closed_at``;
- a recurring post-hire activity at a stage S the employee has reached is one event
  ``from_stage=S, to_stage=S, outcome=None`` (neither a pass nor a fail for the audit; funnels
  count applications per stage, so they are not inflated). Each application counts once in the
  bias audit (``data.queries.audit`` counts applications, not candidates).

Planted disparity (the one the bias audit must flag, see ``PLANTED_DISPARITY``): at the
**screening** stage, candidates who self-report sex **Female** pass with 0.6 times the
probability of everyone else with the same channel and resume strength (on every
application), so Female's
screening selection rate is about 0.6 x Male's (impact ratio ~0.6 < 0.8). Nothing else
depends on sex or ethnicity: country and channel change sourcing response, offer acceptance,
durations and attrition, never a screening or interview decision, and demographics never
touch resume text (names live only in ``candidate_contacts``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import hashlib
import math
import random
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal

import numpy as np
from sqlalchemy import Date, DateTime, Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session

from data.demo import text as T
from data.errors import InputError, StoreNotEmpty
from data.ingest.people import canonical_pipeline
from data.reference import (
    EEO1_ETHNICITIES,
    SOURCE_CHANNELS,
    Country,
    RoleSpec,
    curated_countries,
    load_programmes,
    load_roles,
)
from data.store.audit import record
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    Enrolment,
    Feedback,
    MatchScore,
    Programme,
    Resume,
    Role,
    RoleSkill,
    StageEvent,
    User,
)
from data.store.pseudonyms import derived_pseudonym
from data.store.skills import sync_skills
from data.store.users import add_user
from data.text.contacts import EMAIL_TOKEN, NAME_TOKEN, PHONE_TOKEN
from data.text.taxonomy import Taxonomy, load_taxonomy

Mode = Literal["refuse", "if_empty", "replace"]
ProgressFn = Callable[[int, int], None]

DEMO_PREFIX = "demo:"
"""``Candidate.external_ref`` of every demo candidate starts with this (``--replace`` uses it)."""

CHUNK = 4000  # candidates generated and inserted per batch (fixed: part of determinism)

_EVENT_COLUMNS = ("application_id", "from_stage", "to_stage", "at", "actor", "outcome")

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "admin-demo"),
    ("recruiter", "recruiter", "recruiter-demo"),
    ("viewer", "viewer", "viewer-demo"),
)
"""(name, role, password) of the demo users; created only when no user of that name exists."""


@dataclass(frozen=True)
class PlantedDisparity:
    stage: str
    attribute: str
    group: str
    reference: str
    factor: float


PLANTED_DISPARITY = PlantedDisparity(
    stage="screening", attribute="sex", group="Female", reference="Male", factor=0.6
)

COUNTRY_WEIGHTS: dict[str, float] = {
    "CN": 30,
    "US": 7,
    "IN": 7,
    "SG": 3,
    "HK": 2,
    "TW": 2,
    "JP": 3,
    "KR": 3,
    "GB": 3,
    "DE": 3,
    "FR": 2,
    "CA": 3,
    "AU": 2,
    "RU": 2,
    "BR": 2,
    "MX": 1.2,
    "VN": 2,
    "ID": 1.2,
    "MY": 1.5,
    "TH": 1,
    "PK": 1,
    "BD": 0.8,
    "NG": 1.2,
    "EG": 0.8,
    "AE": 0.8,
    "IL": 1,
    "TR": 1,
    "PL": 1,
    "UA": 1,
    "NL": 1,
    "SE": 0.8,
    "ES": 1,
    "IT": 1,
    "CH": 0.7,
    "IE": 0.6,
    "PH": 1,
    "KE": 0.8,
    "ZA": 0.8,
    "AR": 0.8,
    "CL": 0.5,
    "CO": 0.6,
    "NZ": 0.5,
    "LK": 0.4,
    "NP": 0.3,
    "MO": 0.3,
    "MN": 0.2,
    "KZ": 0.4,
    "PE": 0.3,
    "UY": 0.2,
    "BE": 0.4,
    "AT": 0.4,
    "PT": 0.5,
    "NO": 0.3,
    "DK": 0.3,
    "FI": 0.4,
    "EE": 0.3,
    "CZ": 0.5,
    "HU": 0.4,
    "RO": 0.6,
    "GR": 0.4,
    "SA": 0.5,
    "QA": 0.3,
    "JO": 0.3,
    "IR": 0.5,
    "MA": 0.3,
    "GH": 0.6,
    "ET": 0.4,
}

# channel: (share of candidates, screening pass base, speed factor, offer acceptance)
CHANNELS: dict[str, tuple[float, float, float, float]] = {
    "referral": (0.14, 0.62, 0.70, 0.90),
    "linkedin": (0.22, 0.46, 1.00, 0.80),
    "job_board": (0.18, 0.32, 1.25, 0.78),
    "campus": (0.12, 0.40, 1.50, 0.88),
    "headhunter": (0.08, 0.56, 0.80, 0.72),
    "conference": (0.05, 0.50, 0.90, 0.82),
    "open_source": (0.07, 0.58, 0.90, 0.80),
    "company_website": (0.14, 0.38, 1.15, 0.80),
}
assert tuple(CHANNELS) == SOURCE_CHANNELS

# region: (speed factor, sourcing response factor, offer acceptance factor,
#          notice period in days, yearly attrition after hire)
REGIONS: dict[str, tuple[float, float, float, float, float]] = {
    "East Asia": (0.85, 1.00, 1.08, 30, 0.12),
    "Southeast Asia": (1.00, 0.97, 1.00, 30, 0.15),
    "South Asia": (1.15, 0.98, 1.05, 60, 0.20),
    "Central Asia": (1.20, 0.95, 0.95, 30, 0.15),
    "Europe": (1.30, 0.95, 0.88, 75, 0.10),
    "North America": (1.00, 0.94, 0.85, 21, 0.16),
    "Latin America": (1.15, 0.97, 0.97, 30, 0.14),
    "Middle East & Africa": (1.25, 0.96, 0.95, 45, 0.13),
    "Oceania": (1.10, 0.95, 0.90, 30, 0.12),
}

# self-reported ethnicity mixes (EEO-1 categories; the rest is undisclosed)
_ETH_MIX: dict[str, dict[str, float]] = {
    "asia": {"Asian": 0.86, "Two or More Races": 0.02, "White": 0.01},
    "west": {
        "White": 0.74,
        "Asian": 0.06,
        "Black or African American": 0.03,
        "Hispanic or Latino": 0.03,
        "Two or More Races": 0.03,
    },
    "north_america": {
        "White": 0.46,
        "Asian": 0.18,
        "Black or African American": 0.08,
        "Hispanic or Latino": 0.12,
        "Two or More Races": 0.04,
        "American Indian or Alaska Native": 0.01,
        "Native Hawaiian or Other Pacific Islander": 0.005,
    },
    "latam": {
        "Hispanic or Latino": 0.72,
        "White": 0.10,
        "Black or African American": 0.03,
        "Two or More Races": 0.04,
    },
    "mena": {
        "White": 0.80,
        "Two or More Races": 0.04,
        "Black or African American": 0.03,
        "Asian": 0.02,
    },
    "africa": {
        "Black or African American": 0.80,
        "White": 0.04,
        "Asian": 0.02,
        "Two or More Races": 0.03,
    },
    "oceania": {
        "White": 0.62,
        "Asian": 0.16,
        "Native Hawaiian or Other Pacific Islander": 0.05,
        "Two or More Races": 0.04,
        "Black or African American": 0.01,
    },
    "central_asia": {"Asian": 0.60, "White": 0.25, "Two or More Races": 0.04},
}
assert all(set(m) <= set(EEO1_ETHNICITIES) for m in _ETH_MIX.values())
_AFRICA = {"NG", "GH", "KE", "ET", "ZA"}


def _eth_group(c: Country) -> str:
    if c.iso2 in _AFRICA:
        return "africa"
    return {
        "East Asia": "asia",
        "Southeast Asia": "asia",
        "South Asia": "asia",
        "Central Asia": "central_asia",
        "Europe": "west",
        "North America": "north_america",
        "Latin America": "latam",
        "Middle East & Africa": "mena",
        "Oceania": "oceania",
    }[c.region or ""]  # the demo draws from curated markets, which all have a region


SEX_P = {"Female": 0.34, "Male": 0.56}  # rest undisclosed

# days: needs->sourcing, sourcing->screening, screening->interview, interview->offer,
#       offer->answer, then onboarding->development, development->review, review->compensation,
#       compensation->retention
_MEAN_DAYS = (3.0, 6.0, 8.0, 16.0, 5.0, 90.0, 60.0, 150.0, 30.0)

APPS_P = (0.22, 0.28, 0.28, 0.22)
"""Probability that a candidate sends 1, 2, 3 or 4 applications over the two years (mean 2.5)."""
SAME_FAMILY_P = 0.6  # a further application goes to a role of the first role's family
CONCURRENT_P = 0.35  # ... is sent within three weeks of the first (else a later re-application)
REAPPLY_MEAN_DAYS = 150.0
FIT_SAME_FAMILY, FIT_OTHER_FAMILY = 0.85, 0.65  # resume strength carried to a further role

# recurring post-hire activity once the employee has reached the stage: (stage, every n days,
# who writes it); one event ``from_stage=S, to_stage=S, outcome=None`` each time
RECURRING: tuple[tuple[str, int, str], ...] = (
    ("development", 91, "manager"),  # development-plan check-in, quarterly
    ("review_promotion", 182, "manager"),  # performance review, half-yearly
    ("compensation", 365, "hr"),  # compensation review, yearly
    ("retention", 91, "hr"),  # retention check-in, quarterly
)

ROLE_OPENED_LATE = {
    "ai_safety_researcher": 380,
    "llm_infra_engineer": 300,
    "solutions_architect": 220,
}
ROLE_CLOSED = {"hr_business_partner", "ai_product_designer"}


@dataclass
class DemoResult:
    """What ``build_demo`` did; ``skipped`` when ``mode="if_empty"`` met a non-empty store."""

    skipped: bool
    reason: str = ""
    seed: int = 0
    as_of: dt.date | None = None
    candidates: int = 0
    applications: int = 0
    stage_events: int = 0
    resumes: int = 0
    feedback: int = 0
    enrolments: int = 0
    hires: int = 0
    roles: int = 0
    programmes: int = 0
    countries: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


# --- store state ---------------------------------------------------------------------------


def store_contents(session: Session) -> dict[str, int]:
    """Counts of what the demo would write next to: candidates, applications, roles, programmes."""
    return {
        "candidates": session.scalar(select(func.count()).select_from(Candidate)) or 0,
        "applications": session.scalar(select(func.count()).select_from(Application)) or 0,
        "roles": session.scalar(select(func.count()).select_from(Role)) or 0,
        "programmes": session.scalar(select(func.count()).select_from(Programme)) or 0,
    }


def clear_demo(session: Session) -> int:
    """Delete the demo's content: demo candidates with everything hanging off them, demo
    roles and demo programmes nothing else uses. Returns the number of candidates removed.
    Imported candidates, documents, users and the audit log are kept."""
    demo_cands = select(Candidate.id).where(Candidate.external_ref.like(f"{DEMO_PREFIX}%"))
    demo_apps = select(Application.id).where(Application.candidate_id.in_(demo_cands))
    demo_resumes = select(Resume.id).where(Resume.candidate_id.in_(demo_cands))
    n = session.scalar(select(func.count()).select_from(demo_cands.subquery())) or 0
    session.execute(delete(StageEvent).where(StageEvent.application_id.in_(demo_apps)))
    session.execute(delete(Feedback).where(Feedback.resume_id.in_(demo_resumes)))
    session.execute(delete(MatchScore).where(MatchScore.resume_id.in_(demo_resumes)))
    session.execute(delete(Application).where(Application.candidate_id.in_(demo_cands)))
    session.execute(delete(Enrolment).where(Enrolment.candidate_id.in_(demo_cands)))
    session.execute(delete(Resume).where(Resume.candidate_id.in_(demo_cands)))
    session.execute(delete(CandidateContact).where(CandidateContact.candidate_id.in_(demo_cands)))
    session.execute(
        delete(CandidateDemographics).where(CandidateDemographics.candidate_id.in_(demo_cands))
    )
    session.execute(delete(Candidate).where(Candidate.external_ref.like(f"{DEMO_PREFIX}%")))
    used_roles = select(Application.role_id).distinct()
    session.execute(delete(Role).where(Role.source == "demo", Role.id.not_in(used_roles)))
    keys = [p.key for p in load_programmes()]
    used_prog = select(Enrolment.programme_id).distinct()
    session.execute(
        delete(Programme).where(Programme.key.in_(keys), Programme.id.not_in(used_prog))
    )
    session.expire_all()
    return n


# --- the builder ---------------------------------------------------------------------------


def build_demo(
    engine: Engine,
    *,
    candidates: int = 1000,
    seed: int = 7,
    as_of: dt.date | None = None,
    mode: Mode = "refuse",
    actor: str = "admin",
    progress: ProgressFn | None = None,
    taxonomy: Taxonomy | None = None,
) -> DemoResult:
    """Build the demo world in one transaction (all or nothing).

    ``mode``: ``"refuse"`` raises ``StoreNotEmpty`` when the store already holds candidates,
    applications, roles or programmes; ``"if_empty"`` then returns ``DemoResult(skipped=True)``
    and writes nothing; ``"replace"`` first deletes the previous demo content (``clear_demo``).
    ``progress(done, total)`` is called after each batch of candidates.
    """
    if candidates < 1:
        raise InputError(f"--candidates must be at least 1, got {candidates}", field="candidates")
    if mode not in ("refuse", "if_empty", "replace"):
        raise InputError(f"unknown mode {mode!r}; use refuse, if_empty or replace", field="mode")
    as_of = as_of or dt.date.today()
    tax = taxonomy or load_taxonomy()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with session_scope(engine) as session:
        contents = store_contents(session)
        if any(contents.values()):
            held = ", ".join(f"{v} {k}" for k, v in contents.items() if v)
            if mode == "if_empty":
                return DemoResult(
                    skipped=True,
                    reason=f"the store is not empty ({held}); left as it is",
                    seed=seed,
                    as_of=as_of,
                )
            if mode == "refuse":
                raise StoreNotEmpty(
                    f"the store already holds {held}: nothing was written. Use --replace to "
                    "rebuild the demo world (deletes demo content only) or --if-empty to skip"
                )
            clear_demo(session)
        t0 = time.perf_counter()
        world = _World(session, tax, seed=seed, as_of=as_of)
        timings["reference"] = time.perf_counter() - t0
        with _big_cache(session), _no_cyclic_gc():
            result = world.generate(candidates, progress=progress, timings=timings)
        record(
            session,
            actor,
            "demo.build",
            target_type="store",
            target="demo",
            detail={
                "seed": seed,
                "candidates": candidates,
                "as_of": as_of.isoformat(),
                "mode": mode,
                "stage_events": result.stage_events,
            },
        )
    result.seconds = time.perf_counter() - started
    result.timings = {k: round(v, 3) for k, v in timings.items()}
    return result


@contextmanager
def _big_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache of up to 256 MiB while the demo is written (the indexes on a
    million stage events no longer fit the default 2 MiB, and random index inserts then go to
    the file); the connection's own setting is restored afterwards. Durability is unchanged."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the rows are generated: the build makes
    millions of short-lived tuples and dicts without reference cycles, and the collector's
    repeated passes over them cost over a tenth of the build's CPU time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def _pick(rnd: random.Random, seq: Any) -> Any:
    """``rnd.choice`` without its overhead (the demo draws millions of them)."""
    return seq[int(rnd.random() * len(seq))]


def _int(rnd: random.Random, a: int, b: int) -> int:
    """``rnd.randint(a, b)`` without its overhead."""
    return a + int(rnd.random() * (b - a + 1))


def _years_en(years: int) -> str:
    return "1 year" if years == 1 else f"{years} years"


def _at(day: dt.date, minute_frac: float) -> dt.datetime:
    """A working-hours time (09:00-18:00) on ``day``."""
    return dt.datetime(day.year, day.month, day.day, 9) + dt.timedelta(
        minutes=int(minute_frac * 540)
    )


def _sqlite_stamp(d: dt.datetime) -> str:
    """A datetime as SQLAlchemy's SQLite ``DateTime`` stores it (microseconds always shown)."""
    return d.isoformat(" ", "microseconds")


class _World:
    """Reference rows plus the generator of candidates; one instance per build."""

    def __init__(self, session: Session, tax: Taxonomy, *, seed: int, as_of: dt.date) -> None:
        self.s = session
        self.conn = session.connection()
        self.tax = tax
        self.seed = seed
        self.as_of = as_of
        self.cutoff = dt.datetime.combine(as_of, dt.time(23, 59))
        self.start = as_of - dt.timedelta(days=730)
        self.countries = curated_countries()
        self.roles = list(load_roles())
        self.rng0 = np.random.default_rng([seed, 999_983])
        self.skill_ids = sync_skills(session, tax)
        self._users()
        self.role_ids, self.role_opened = self._roles()
        self.prog_ids = self._programmes()
        self.pipeline_id = canonical_pipeline(self.s)
        self.universe = sorted(
            {k for r in self.roles for k in r.skills}
            | {"git", "linux", "agile", "testing", "communication"}
        )
        self.display = {k: self._names(k) for k in self.tax.by_key}
        self.weights = {r.key: r.skills for r in self.roles}
        self.role_index = {rid: i for i, rid in enumerate(self.role_ids)}
        self.shares = [r.share for r in self.roles]
        self.family_roles: dict[str, list[int]] = {}
        for i, r in enumerate(self.roles):
            self.family_roles.setdefault(r.family, []).append(i)
        self.sqlite = self.conn.dialect.name == "sqlite"
        # event times as the SQLite driver gets them (SQLAlchemy's format), else as they are
        self.fmt: Callable[[dt.datetime], Any] = _sqlite_stamp if self.sqlite else (lambda d: d)

    # reference rows (ORM: a few dozen rows)
    def _users(self) -> None:
        for name, role, password in DEMO_USERS:
            if self.s.scalar(select(User.id).where(User.name == name)) is None:
                add_user(self.s, name, role, password)

    def _roles(self) -> tuple[list[int], list[dt.date]]:
        ids, opened = [], []
        for spec in self.roles:
            row = self.s.scalar(select(Role).where(Role.key == spec.key))
            late = ROLE_OPENED_LATE.get(spec.key)
            open_day = (
                self.as_of - dt.timedelta(days=late)
                if late
                else self.start - dt.timedelta(days=int(self.rng0.integers(5, 60)))
            )
            if row is None:
                row = Role(
                    key=spec.key,
                    title_en=spec.title_en,
                    title_zh=spec.title_zh,
                    family=spec.family,
                    level=spec.level,
                    description=spec.description,
                    is_open=spec.key not in ROLE_CLOSED,
                    headcount=max(1, int(round(spec.share * (0.5 + self.rng0.random())))),
                    opened_at=open_day,
                    source="demo",
                )
                for key, weight in spec.required.items():
                    row.skills.append(
                        RoleSkill(skill_id=self.skill_ids[key], importance=weight, required=True)
                    )
                for key, weight in spec.nice.items():
                    row.skills.append(
                        RoleSkill(skill_id=self.skill_ids[key], importance=weight, required=False)
                    )
                self.s.add(row)
                self.s.flush()
            ids.append(row.id)
            opened.append(row.opened_at or open_day)
        return ids, opened

    def _programmes(self) -> dict[str, int]:
        out = {}
        for p in load_programmes():
            row = self.s.scalar(select(Programme).where(Programme.key == p.key))
            if row is None:
                row = Programme(
                    key=p.key,
                    name_en=p.name_en,
                    name_zh=p.name_zh,
                    kind=p.kind,
                    description=p.description,
                )
                self.s.add(row)
                self.s.flush()
            out[p.key] = row.id
        return out

    def _names(self, key: str) -> tuple[str, str]:
        sd = self.tax.by_key[key]
        zh = sd.name_zh
        if zh.startswith(sd.name_en):  # "PyTorch框架": Chinese resumes write "PyTorch"
            zh = sd.name_en
        return sd.name_en, zh

    def _next_id(self, model: Any) -> int:
        return int(self.s.scalar(select(func.max(model.id))) or 0) + 1

    # the candidates
    def generate(
        self, n: int, *, progress: ProgressFn | None, timings: dict[str, float]
    ) -> DemoResult:
        cand_id0 = self._next_id(Candidate)
        next_aid = self._next_id(Application)
        res_id0 = self._next_id(Resume)
        seen: set[str] = set(self.s.scalars(select(Resume.sha256)))
        res = DemoResult(
            skipped=False,
            seed=self.seed,
            as_of=self.as_of,
            roles=len(self.roles),
            programmes=len(self.prog_ids),
        )
        countries_seen: set[str] = set()
        keep_role, keep_strength, keep_at = [], [], []
        gen_t = ins_t = 0.0
        for chunk_no, lo in enumerate(range(0, n, CHUNK)):
            size = min(CHUNK, n - lo)
            t0 = time.perf_counter()
            rows = self._chunk(chunk_no, size, cand_id0 + lo, next_aid, res_id0 + lo, seen)
            t1 = time.perf_counter()
            for table, batch in rows.items():
                if batch and table != "_keep":
                    self._insert(table, batch)
            ins_t += time.perf_counter() - t1
            gen_t += t1 - t0
            keep = rows["_keep"]
            keep_role.append(keep["role"])
            keep_strength.append(keep["strength"])
            keep_at.extend(keep["at"])
            countries_seen.update(keep["countries"])
            next_aid += len(rows[Application])
            res.candidates += size
            res.applications += len(rows[Application])
            res.stage_events += len(rows[StageEvent])
            res.enrolments += len(rows[Enrolment])
            res.hires += keep["hires"]
            if progress:
                progress(lo + size, n)
        t2 = time.perf_counter()
        fb = self._feedback(
            res_id0, np.concatenate(keep_role), np.concatenate(keep_strength), keep_at
        )
        if fb:
            self._insert(Feedback, fb)
        self._fix_sequences()
        timings["generate"] = gen_t
        timings["insert"] = ins_t + time.perf_counter() - t2
        res.resumes = res.candidates
        res.feedback = len(fb)
        res.countries = len(countries_seen)
        return res

    def _insert(self, model: type, rows: list[Any]) -> None:
        """Insert many rows at once: dicts, or tuples in ``_EVENT_COLUMNS`` order (events).

        On SQLite the rows go straight to the driver's ``executemany`` (dates and times written
        in SQLAlchemy's own SQLite format, so queries compare them exactly as if the ORM had
        written them): the per-row parameter processing of a Core insert costs more than the
        insert itself at a million rows. Other databases get a Core ``insert`` executemany."""
        table = model.__table__  # type: ignore[attr-defined]
        tuples = not isinstance(rows[0], dict)
        cols = list(_EVENT_COLUMNS) if tuples else list(rows[0])
        if not self.sqlite:
            if tuples:
                rows = [dict(zip(cols, r, strict=True)) for r in rows]
            self.conn.execute(insert(table), rows)
            return
        if not tuples:
            get = itemgetter(*cols)
            kinds = [table.c[c].type for c in cols]
            stamp = [i for i, k in enumerate(kinds) if isinstance(k, DateTime)]
            day = [
                i
                for i, k in enumerate(kinds)
                if isinstance(k, Date) and not isinstance(k, DateTime)
            ]
            params: list[Any] = []
            for r in rows:
                v = list(get(r))
                for i in stamp:
                    if v[i] is not None:
                        v[i] = v[i].isoformat(" ", "microseconds")
                for i in day:
                    if v[i] is not None:
                        v[i] = v[i].isoformat()
                params.append(tuple(v))
            rows = params
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.conn.exec_driver_sql(sql, rows)

    def _fix_sequences(self) -> None:
        if self.conn.dialect.name != "postgresql":
            return
        for table in ("candidates", "applications", "resumes"):
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )

    def _other_role(self, first: int, used: set[int], u_family: float, u_pick: float) -> int:
        """A further role for a candidate whose first role is ``first``: often of the same
        family, weighted by role share, never one the candidate already applied to."""
        pool = self.family_roles[self.roles[first].family] if u_family < SAME_FAMILY_P else []
        share = self.shares
        choices = [r for r in pool if r not in used] or [
            r for r in range(len(share)) if r not in used
        ]
        x = u_pick * sum([share[r] for r in choices])
        for r in choices:
            x -= share[r]
            if x < 0:
                return r
        return choices[-1]

    def _chunk(
        self, chunk_no: int, n: int, cid0: int, aid0: int, rid0: int, seen: set[str]
    ) -> dict[Any, Any]:
        lo_index = chunk_no * CHUNK
        rng = np.random.default_rng([self.seed, chunk_no])
        # separate streams, so that demographics (which steer contacts and outcomes) can never
        # shift the random numbers that write resume text
        rnd_res = random.Random(self.seed * 1_000_003 + chunk_no)
        rnd_con = random.Random(self.seed * 1_000_033 + chunk_no)
        rnd_misc = random.Random(self.seed * 1_000_037 + chunk_no)
        countries = self.countries
        cw = np.array([COUNTRY_WEIGHTS.get(c.iso2, 0.2) for c in countries])
        c_idx = rng.choice(len(countries), size=n, p=cw / cw.sum())
        ch_names = list(CHANNELS)
        ch_p = np.array([v[0] for v in CHANNELS.values()])
        ch_idx = rng.choice(len(ch_names), size=n, p=ch_p / ch_p.sum())
        rw = np.array([r.share for r in self.roles])
        r_idx = rng.choice(len(self.roles), size=n, p=rw / rw.sum())
        sex_u = rng.random(n)
        eth_u = rng.random(n)
        strength = rng.beta(2.2, 2.2, n)
        years_raw = rng.gamma(2.5, 2.4, n)
        applied_u = rng.random(n)
        # applications: a candidate's first one (the role the resume is written for) and the
        # further ones; the journey draws are per application slot
        k_apps = rng.choice(len(APPS_P), size=n, p=np.array(APPS_P) / sum(APPS_P)) + 1
        slots = int(k_apps.sum())
        first_slot = (np.cumsum(k_apps) - k_apps).tolist()
        minutes = rng.random((slots, 12))
        dec = rng.random((slots, 6))
        wdr = rng.random((slots, 5))
        dur = rng.gamma(2.0, 0.5, (slots, len(_MEAN_DAYS)))
        leave = rng.exponential(1.0, slots)
        further = rng.random((slots, 4))
        eth_p = {g: (list(m), np.cumsum(list(m.values())).tolist()) for g, m in _ETH_MIX.items()}
        keep = {"role": r_idx.copy(), "strength": strength.copy()}
        # plain Python lists: indexing them in the per-candidate loop is far cheaper than numpy
        c_idx, ch_idx, r_idx, sex_u, eth_u = (
            c_idx.tolist(),
            ch_idx.tolist(),
            r_idx.tolist(),
            sex_u.tolist(),
            eth_u.tolist(),
        )
        strength, years_raw, applied_u, leave = (
            strength.tolist(),
            years_raw.tolist(),
            applied_u.tolist(),
            leave.tolist(),
        )
        minutes, dec, wdr, dur = minutes.tolist(), dec.tolist(), wdr.tolist(), dur.tolist()
        k_apps, further = k_apps.tolist(), further.tolist()

        out: dict[Any, Any] = {
            Candidate: [],
            CandidateContact: [],
            CandidateDemographics: [],
            Resume: [],
            Application: [],
            StageEvent: [],
            Enrolment: [],
        }
        keep_at: list[dt.datetime] = []
        hires = 0
        next_aid = aid0
        countries_seen: set[str] = set()
        for i in range(n):
            country = countries[c_idx[i]]
            countries_seen.add(country.iso2)
            channel = ch_names[ch_idx[i]]
            spec = self.roles[r_idx[i]]
            cid, rid = cid0 + i, rid0 + i
            sex = (
                "Female"
                if sex_u[i] < SEX_P["Female"]
                else "Male"
                if sex_u[i] < SEX_P["Female"] + SEX_P["Male"]
                else None
            )
            cats, cum = eth_p[_eth_group(country)]
            j = bisect.bisect_right(cum, eth_u[i])
            ethnicity = cats[j] if j < len(cats) else None
            slot0 = first_slot[i]
            opened = self.role_opened[r_idx[i]]
            span = max(1, (self.as_of - opened).days - 1)
            applied = _at(opened + dt.timedelta(days=int(applied_u[i] * span)), minutes[slot0][0])
            years = int(min(25, years_raw[i]))
            if channel == "campus":
                years = min(years, 1)
            elif spec.level == "senior":
                years = max(years, 5)
            index = cid - cid0 + lo_index
            pseudonym = derived_pseudonym(self.seed, index)
            out[Candidate].append(
                {
                    "id": cid,
                    "pseudonym": pseudonym,
                    "external_ref": f"{DEMO_PREFIX}{self.seed}:{index}",
                    "country": country.iso2,
                    "region": country.region,
                    "source_channel": channel,
                    "created_at": applied,
                }
            )
            name, email, phone = self._contact(rnd_con, country, sex)
            out[CandidateContact].append(
                {"candidate_id": cid, "name": name, "email": email, "phone": phone, "links": None}
            )
            out[CandidateDemographics].append(
                {"candidate_id": cid, "sex": sex, "ethnicity": ethnicity}
            )
            text_, lang, digest = self._resume(
                rnd_res, country, spec, float(strength[i]), years, seen
            )
            ext = _pick(rnd_res, ("pdf", "pdf", "pdf", "docx", "docx", "txt"))
            out[Resume].append(
                {
                    "id": rid,
                    "candidate_id": cid,
                    "file_name": f"resume_{pseudonym}.{ext}",
                    "sha256": digest,
                    "language": lang,
                    "text": text_,
                    "pages": None if ext == "txt" else 1 + (years > 6),
                    "created_at": applied,
                }
            )
            apps = self._applications(
                cid,
                r_idx[i],
                applied,
                slot0,
                k_apps[i],
                further,
                country,
                channel,
                sex,
                strength[i],
                minutes,
                dec,
                wdr,
                dur,
                leave,
                next_aid,
            )
            next_aid += len(apps)
            for app, events in apps:
                out[Application].append(app)
                out[StageEvent].extend(events)
                if app["hired_at"] is not None:
                    hires += 1
                    out[Enrolment].extend(
                        self._enrol(
                            cid,
                            self.roles[self.role_index[app["role_id"]]],
                            country,
                            app["hired_at"],
                            app["left_at"],
                            rnd_misc,
                        )
                    )
            keep_at.append(applied)
        out["_keep"] = {**keep, "at": keep_at, "hires": hires, "countries": countries_seen}
        return out

    def _applications(
        self,
        cid: int,
        first_role: int,
        applied: dt.datetime,
        slot0: int,
        k: int,
        further: list[list[float]],
        country: Country,
        channel: str,
        sex: str | None,
        strength: float,
        minutes: list[list[float]],
        dec: list[list[float]],
        wdr: list[list[float]],
        dur: list[list[float]],
        leave: list[float],
        aid0: int,
    ) -> list[tuple[dict[str, Any], list[tuple[Any, ...]]]]:
        """One candidate's applications with their events, oldest first (the first is the role
        the resume was written for). Further roles are sent with the first or later; once the
        candidate accepts an offer, every other open application is withdrawn at that moment
        and nothing later is applied for, so a candidate is hired at most once."""
        plan = [(applied, first_role, 1.0, slot0)]
        used = {first_role}
        family = self.roles[first_role].family
        for s in range(slot0 + 1, slot0 + k):
            u_family, u_pick, u_when, u_gap = further[s]
            r = self._other_role(first_role, used, u_family, u_pick)
            used.add(r)
            remaining = (self.as_of - applied.date()).days
            gap = (
                u_gap * 21 if u_when < CONCURRENT_P else -REAPPLY_MEAN_DAYS * math.log(1.0 - u_gap)
            )
            if gap > remaining:
                gap = u_gap * remaining
            day = applied.date() + dt.timedelta(days=int(gap))
            opened = self.role_opened[r]
            if day < opened:
                span = max(1, (self.as_of - opened).days - 1)
                day = opened + dt.timedelta(days=int(u_gap * span))
            at = _at(day, minutes[s][0])
            if at <= applied:
                at = applied + dt.timedelta(minutes=1 + int(60 * minutes[s][0]))
            fit = FIT_SAME_FAMILY if self.roles[r].family == family else FIT_OTHER_FAMILY
            plan.append((at, r, fit, s))
        plan.sort()
        done: list[list[Any]] = []
        stop: dt.datetime | None = None
        for n_app, (at, r, fit, s) in enumerate(plan):
            if stop is not None and at > stop:
                break
            args = (
                aid0 + n_app,
                cid,
                r,
                country,
                channel,
                sex,
                strength * fit,
                at,
                minutes[s],
                dec[s],
                wdr[s],
                dur[s],
                leave[s],
            )
            app, events, accepted = self._journey(*args, stop=stop)
            if accepted is not None:  # the earliest acceptance so far: others end there
                stop = accepted
                for d in done:
                    prev = d[1]
                    if (
                        prev["closed_at"] is None
                        or prev["closed_at"] > stop
                        or prev["hired_at"] is not None
                    ):
                        d[1], d[2], _ = self._journey(*d[0], stop=stop)
            done.append([args, app, events])
        return [(app, events) for _, app, events in done]

    def _contact(
        self, rnd: random.Random, country: Country, sex: str | None
    ) -> tuple[str, str, str]:
        style = T.NAME_STYLE.get(country.iso2, "english")
        female = sex == "Female" or (sex is None and rnd.random() < 0.4)
        if style in T.NATIVE:
            fem, mal, fam = T.NATIVE[style]
            g = _pick(rnd, fem if female else mal)
            f = _pick(rnd, fam)
            if style in ("han", "korean"):
                name = f[0] + g[0]
            elif style == "japanese":
                name = f"{f[0]} {g[0]}"
            else:
                name = f"{g[0]} {f[0]}"
            roman_g, roman_f = g[1], f[1]
        else:
            fem_l, mal_l, fam_l = T.LATIN[style]
            g_s, f_s = _pick(rnd, fem_l if female else mal_l), _pick(rnd, fam_l)
            name = f"{g_s} {f_s}"
            roman_g, roman_f = _ascii(g_s), _ascii(f_s).replace(" ", "")
        domain = _pick(rnd, T.EMAIL_DOMAINS.get(country.iso2, T.DEFAULT_DOMAINS))
        if domain == "qq.com":
            email = f"{_int(rnd, 10_000_000, 2_999_999_999)}@qq.com"
        else:
            sep = _pick(rnd, (".", "_", ""))
            email = (
                f"{roman_g}{sep}{roman_f}{_int(rnd, 1, 99) if rnd.random() < 0.5 else ''}@{domain}"
            )
        d = f"{int(rnd.random() * 1e10):010d}"
        if country.iso2 == "CN":
            phone = f"+86 1{_pick(rnd, '3578')}{d[0]} {d[1:5]} {d[5:9]}"
        elif country.calling_code == "1":
            phone = f"+1 ({_int(rnd, 201, 989)}) {d[:3]}-{d[3:7]}"
        else:
            phone = f"+{country.calling_code} {d[:3]} {d[3:6]} {d[6:10]}"
        return name, email, phone

    def _resume(
        self,
        rnd: random.Random,
        country: Country,
        spec: RoleSpec,
        strength: float,
        years: int,
        seen: set[str],
    ) -> tuple[str, str, str]:
        iso = country.iso2
        u = rnd.random()
        if iso == "CN":
            lang = "zh" if u < 0.55 else "mixed" if u < 0.8 else "en"
        elif iso in ("TW", "HK", "MO"):
            lang = "zh" if u < 0.5 else "mixed" if u < 0.7 else "en"
        elif iso in ("SG", "MY"):
            lang = "mixed" if u < 0.2 else "en"
        else:
            lang = "mixed" if u < 0.03 else "en"
        skills = [k for k in spec.required if rnd.random() < 0.45 + 0.5 * strength]
        skills += [k for k in spec.nice if rnd.random() < 0.2 + 0.45 * strength]
        if len(skills) < 2:
            skills += [k for k in spec.required if k not in skills][: 2 - len(skills)]
        for _ in range(_int(rnd, 1, 3)):
            k = _pick(rnd, self.universe)
            if k not in skills:
                skills.append(k)
        rnd.shuffle(skills)
        weights = self.weights[spec.key]
        main = sorted(skills, key=lambda k: -weights.get(k, 0.0))
        level = "junior" if years < 3 else "senior" if years >= 7 else "mid"
        if rnd.random() < 0.6:
            title = (spec.title_en, spec.title_zh)
        else:
            title = _pick(rnd, T.TITLES[spec.family])
        family = spec.family
        n_jobs = 1 if years < 3 else 2 if years < 8 else 3
        end_year = self.as_of.year
        starts = sorted(
            rnd.sample(
                range(end_year - max(years, 1), end_year + 1), min(n_jobs, max(years, 1) + 1)
            ),
            reverse=True,
        )
        degree = (
            "phd"
            if family == "research" and rnd.random() < 0.65
            else "msc"
            if rnd.random() < 0.45
            else "bsc"
        )
        field_ = _pick(rnd, T.FIELDS[family])
        unis = T.UNIVERSITIES.get(iso)
        uni = (
            _pick(rnd, unis)
            if unis
            else (f"University of {country.name_en}", f"{country.name_zh}大学")
        )
        grad = end_year - years - (1 if rnd.random() < 0.3 else 0)
        jobs: list[Any] = []
        prev = None
        for st in starts:
            company = _pick(rnd, T.COMPANIES)
            bullets = []
            for _ in range(_int(rnd, 2, 3)):
                s1, s2 = _pick(rnd, main[:4]), _pick(rnd, skills)
                bullets.append(
                    (
                        _int(rnd, 0, len(T.BULLETS_EN) - 1),
                        _pick(rnd, T.THINGS[family]),
                        _pick(rnd, T.METRICS),
                        s1,
                        s2,
                        _int(rnd, 8, 65),
                        _int(rnd, 3, 12),
                        _int(rnd, 1, 40),
                    )
                )
            job_title = title if prev is None else _pick(rnd, T.TITLES[family])
            jobs.append((st, prev, company, bullets, job_title))
            prev = st
        interest = _int(rnd, 0, len(T.INTERESTS_EN) - 1)
        body_zh = lang in ("zh", "mixed") and (lang == "zh" or rnd.random() < 0.7)
        text_ = (self._resume_zh if body_zh else self._resume_en)(
            country, title, level, years, main, skills, jobs, degree, field_, uni, grad, interest
        )
        if lang == "mixed":
            top = ", ".join(self.display[k][0] for k in main[:3])
            if body_zh:
                text_ += (
                    f"\n\nSUMMARY (English)\n{T.SENIORITY_EN[level]} {title[0]} with "
                    f"{_years_en(years)} of experience in {top}."
                )
            else:
                text_ += (
                    f"\n\n个人简介（中文）\n{years}年{title[1]}经验，擅长"
                    + "、".join(self.display[k][1] for k in main[:3])
                    + "。"
                )
        k = 0
        digest = hashlib.sha256(text_.encode()).hexdigest()
        while digest in seen:  # rare: identical generated texts get one more distinct line
            k += 1
            extra = _pick(rnd, T.INTERESTS_EN)
            text_ += f"\n{extra} ({k})"
            digest = hashlib.sha256(text_.encode()).hexdigest()
        seen.add(digest)
        return text_, lang, digest

    def _resume_en(
        self,
        country: Country,
        title: tuple[str, str],
        level: str,
        years: int,
        main: list[str],
        skills: list[str],
        jobs: list[Any],
        degree: str,
        field_: tuple[str, str],
        uni: tuple[str, str],
        grad: int,
        interest: int,
    ) -> str:
        en = {k: self.display[k][0] for k in skills}
        lines = [
            title[0],
            f"Name: {NAME_TOKEN} | Email: {EMAIL_TOKEN} | Phone: {PHONE_TOKEN}",
            f"Location: {country.name_en}",
            "",
            "SUMMARY",
            f"{T.SENIORITY_EN[level]} {title[0]} with {_years_en(years)} of experience in "
            + (
                ", ".join(en[k] for k in main[:2]) + f" and {en[main[2]]}."
                if len(main) > 2
                else " and ".join(en[k] for k in main) + "."
            ),
            "",
            "SKILLS",
            ", ".join(en[k] for k in skills),
            "",
            "EXPERIENCE",
        ]
        for st, end, company, bullets, job_title in jobs:
            lines.append(
                f"{job_title[0]} | {company[0]} | {st}–{'Present' if end is None else end}"
            )
            for b, thing, metric, s1, s2, pct, k, m in bullets:
                lines.append(
                    "- "
                    + T.BULLETS_EN[b].format(
                        thing=thing[0], metric=metric[0], s1=en[s1], s2=en[s2], n=pct, k=k, m=m
                    )
                )
        lines += [
            "",
            "EDUCATION",
            f"{T.DEGREES[degree][0]} in {field_[0]}, {uni[0]}, {grad}",
            "",
            "INTERESTS",
            T.INTERESTS_EN[interest],
        ]
        return "\n".join(lines)

    def _resume_zh(
        self,
        country: Country,
        title: tuple[str, str],
        level: str,
        years: int,
        main: list[str],
        skills: list[str],
        jobs: list[Any],
        degree: str,
        field_: tuple[str, str],
        uni: tuple[str, str],
        grad: int,
        interest: int,
    ) -> str:
        zh = {k: self.display[k][1] for k in skills}
        lines = [
            title[1],
            f"姓名：{NAME_TOKEN}  邮箱：{EMAIL_TOKEN}  电话：{PHONE_TOKEN}",
            f"所在地：{country.name_zh}",
            "",
            "个人简介",
            f"{T.SENIORITY_ZH[level]}{title[1]}，{years}年相关经验，擅长"
            + "、".join(zh[k] for k in main[:3])
            + "。",
            "",
            "专业技能",
            "、".join(zh[k] for k in skills),
            "",
            "工作经历",
        ]
        for st, end, company, bullets, job_title in jobs:
            lines.append(f"{st}–{'至今' if end is None else end}  {company[1]}  {job_title[1]}")
            for b, thing, metric, s1, s2, pct, k, m in bullets:
                lines.append(
                    "· "
                    + T.BULLETS_ZH[b].format(
                        thing=thing[1], metric=metric[1], s1=zh[s1], s2=zh[s2], n=pct, k=k, m=m
                    )
                )
        lines += [
            "",
            "教育背景",
            f"{grad}年毕业  {uni[1]}  {field_[1]}  {T.DEGREES[degree][1]}",
            "",
            "兴趣爱好",
            T.INTERESTS_ZH[interest],
        ]
        return "\n".join(lines)

    def _journey(
        self,
        aid: int,
        cid: int,
        role_i: int,
        country: Country,
        channel: str,
        sex: str | None,
        strength: float,
        applied: dt.datetime,
        minutes: list[float],
        dec: list[float],
        wdr: list[float],
        dur: list[float],
        leave: float,
        *,
        stop: dt.datetime | None = None,
    ) -> tuple[dict[str, Any], list[tuple[Any, ...]], dt.datetime | None]:
        """One application's row, its stage events (tuples in ``_EVENT_COLUMNS`` order) and the
        moment its offer was accepted (None if it was not). Before acceptance nothing after
        ``stop`` happens (the candidate accepted another offer then: withdrawn at ``stop``)."""
        speed_r, respond_r, accept_r, notice, attrition = REGIONS[country.region or ""]
        _share, screen_base, speed_c, accept_c = CHANNELS[channel]
        speed = speed_r * speed_c
        recruiter = T.STAFF_RECRUITERS[(aid * 7) % len(T.STAFF_RECRUITERS)]
        manager = T.STAFF_MANAGERS[(aid * 5) % len(T.STAFF_MANAGERS)]
        hr = T.STAFF_HR[aid % len(T.STAFF_HR)]
        cutoff = self.cutoff
        # at ``stop`` itself another offer was accepted: that one wins a tie
        limit = cutoff if stop is None else min(stop - dt.timedelta(microseconds=1), cutoff)
        fmt = self.fmt
        events: list[tuple[Any, ...]] = []
        app: dict[str, Any] = {
            "id": aid,
            "candidate_id": cid,
            "role_id": self.role_ids[role_i],
            "pipeline_id": self.pipeline_id,
            "current_stage": "needs_analysis",
            "status": "active",
            "applied_at": applied,
            "closed_at": None,
            "offer_at": None,
            "offer_accepted": None,
            "hired_at": None,
            "left_at": None,
        }

        def ev(frm: str | None, to: str, at: dt.datetime, who: str, outcome: str | None) -> None:
            events.append((aid, frm, to, fmt(at), who, outcome))

        def later(t: dt.datetime, k: int, extra_days: float = 0.0) -> dt.datetime:
            days = max(1, int(round(_MEAN_DAYS[k] * dur[k] * speed + extra_days)))
            return _at(t.date() + dt.timedelta(days=days), minutes[1 + k])

        def halted() -> tuple[dict[str, Any], list[tuple[Any, ...]], None]:
            if stop is not None and stop < cutoff:  # took another offer: this one ends here
                app.update(status="withdrawn", closed_at=stop)
                if app["offer_at"] is not None:
                    app["offer_accepted"] = False
            return app, events, None

        ev(None, "needs_analysis", applied, manager, None)
        screen_p = screen_base * (0.55 + 0.9 * strength)
        if sex == PLANTED_DISPARITY.group:
            screen_p *= PLANTED_DISPARITY.factor
        # (stage, next stage, pass probability, withdrawal probability, actor)
        pre = (
            ("needs_analysis", "sourcing", 0.97, 0.0, manager),
            ("sourcing", "screening", 0.90 * respond_r, 0.05, recruiter),
            ("screening", "interview", screen_p, 0.03, recruiter),
        )
        t = applied
        for k, (stage, nxt, p_pass, p_wd, who) in enumerate(pre):
            t = later(t, k)
            if t > limit:
                return halted()
            if wdr[k] < p_wd:
                app.update(status="withdrawn", closed_at=t)
                return app, events, None
            if dec[k] < p_pass:
                ev(stage, nxt, t, who, "pass")
                app["current_stage"] = nxt
            else:
                ev(stage, stage, t, who, "fail")
                app.update(status="rejected", closed_at=t)
                return app, events, None
        t = later(t, 3)  # interviews, then the decision
        if t > limit:
            return halted()
        if wdr[3] < 0.05:
            app.update(status="withdrawn", closed_at=t)
            return app, events, None
        if dec[3] >= 0.22 + 0.5 * strength:
            ev("interview", "interview", t, manager, "fail")
            app.update(status="rejected", closed_at=t)
            return app, events, None
        app["offer_at"] = t
        t = later(t, 4)
        if t > limit:
            return halted()
        if dec[4] >= min(0.97, accept_c * accept_r):
            app.update(offer_accepted=False, status="withdrawn", closed_at=t)
            return app, events, None
        accepted = t
        app["offer_accepted"] = True
        visa = 0.0 if country.iso2 == "CN" else 25.0
        start = _at(t.date() + dt.timedelta(days=int(notice * (0.6 + 0.8 * dur[4]) + visa)), 0.0)
        if start > cutoff:
            return app, events, accepted
        app.update(hired_at=start, status="hired", current_stage="onboarding", closed_at=start)
        ev("interview", "onboarding", start, hr, "pass")
        leave_at = _at(start.date() + dt.timedelta(days=int(leave * 365 / attrition)), 0.5)
        end = min(leave_at, cutoff)
        t = start
        post = ("onboarding", "development", "review_promotion", "compensation", "retention")
        entered = {"onboarding": start}
        for k in range(4):
            nxt_t = later(t, 5 + k)
            if nxt_t >= end:
                break
            ev(post[k], post[k + 1], nxt_t, hr if k != 1 else manager, "pass")
            app["current_stage"] = post[k + 1]
            entered[post[k + 1]] = t = nxt_t
        for k, (stage, every, who) in enumerate(RECURRING):
            since = entered.get(stage)
            if since is None:
                continue
            step = every * (0.85 + 0.3 * minutes[10 + k % 2])
            staff = manager if who == "manager" else hr
            times = 1
            while True:
                at = _at(since.date() + dt.timedelta(days=int(step * times)), minutes[11 - k % 2])
                if at >= end:
                    break
                ev(stage, stage, at, staff, None)
                times += 1
        if leave_at <= cutoff:
            cur = app["current_stage"]
            ev(cur, cur, leave_at, hr, "fail")
            app["left_at"] = leave_at
        return app, events, accepted

    def _enrol(
        self,
        cid: int,
        spec: RoleSpec,
        country: Country,
        hired: dt.datetime,
        left: dt.datetime | None,
        rnd: random.Random,
    ) -> list[dict[str, Any]]:
        out = []
        engineering = spec.family in ("engineering", "research", "data")
        for p in load_programmes():
            chance = {
                "international": 0.7 if country.iso2 != "CN" else 0.0,
                "engineering": 0.3 if engineering else 0.0,
                "senior": 0.35 if spec.level == "senior" else 0.05,
                "any": 0.4,
            }.get(p.audience, 0.1)
            if rnd.random() >= chance:
                continue
            enrolled = hired.date() + dt.timedelta(days=rnd.randint(14, 150))
            if enrolled > self.as_of or (left and enrolled > left.date()):
                continue
            done = enrolled + dt.timedelta(days=p.weeks * 7 + rnd.randint(-7, 21))
            if left and done > left.date():
                status, completed = "dropped", None
            elif done > self.as_of:
                status, completed = "enrolled", None
            elif rnd.random() < 0.08:
                status, completed = "dropped", None
            else:
                status, completed = "completed", done
            out.append(
                {
                    "programme_id": self.prog_ids[p.key],
                    "candidate_id": cid,
                    "enrolled_at": enrolled,
                    "completed_at": completed,
                    "status": status,
                }
            )
        return out

    def _feedback(
        self, rid0: int, role_idx: np.ndarray, strength: np.ndarray, at: list[dt.datetime]
    ) -> list[dict[str, Any]]:
        n = len(role_idx)
        size = int(min(max(n // 5, min(n, 40)), 20_000))
        rng = np.random.default_rng([self.seed, 777])
        picks = rng.choice(n, size=size, replace=False)
        kind = rng.random(size)
        u = rng.random(size)
        other = rng.integers(0, len(self.roles), size)
        delay = rng.integers(1, 21, size)
        families = [r.family for r in self.roles]
        out = []
        for j, i in enumerate(picks):
            own = int(role_idx[i])
            if kind[j] < 0.6:
                r, p = own, 0.15 + 0.75 * float(strength[i])
            else:
                r = int(other[j]) if int(other[j]) != own else (own + 1) % len(self.roles)
                p = 0.08 + 0.3 * float(strength[i]) if families[r] == families[own] else 0.03
            when = min(at[i] + dt.timedelta(days=int(delay[j])), self.cutoff)
            out.append(
                {
                    "resume_id": rid0 + int(i),
                    "role_id": self.role_ids[r],
                    "decision": "advance" if u[j] < p else "reject",
                    "reviewer": T.STAFF_RECRUITERS[int(i) % len(T.STAFF_RECRUITERS)],
                    "at": when,
                    "note": None,
                    "match_score_id": None,
                    "used_in_model_version": None,
                }
            )
        return out
