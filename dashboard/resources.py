"""Shared resources (engine, taxonomy) and cached query results.

Only this module and ``app.py`` read settings. Engines are cached per URL with
``st.cache_resource`` (never mutated); query results with ``st.cache_data`` keyed by plain,
hashable arguments: the store URL, a frozen ``Filters`` and the language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from analytics import cultivation, kpis, pipeline, skills
from analytics.filters import Filters
from data.settings import Settings
from data.store.engine import check_schema, make_engine, session_scope, write_transaction
from data.store.models import Application

if TYPE_CHECKING:
    from ml.encoders import Encoder

TTL = 300
MAX = 64


def settings() -> Settings:
    """Read fresh each run (cheap): tests and operators point the app at a store via env."""
    return Settings()


def store_url() -> str:
    return settings().url


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    """One engine (connection pool) per store URL, shared by every session of this process
    (pool sizes from ``TALENTMAP_DB_*``, docs/deploy.md)."""
    return make_engine(url, **settings().engine_options())


def engine() -> Engine:
    return engine_for(store_url())


@contextmanager
def session() -> Iterator[Session]:
    with session_scope(engine()) as s:
        yield s


T = TypeVar("T")


def write(work: Callable[[Session], T]) -> T:
    """One short write transaction for a click (a decision, a stage move), retried when the
    store is busy or a concurrent click stored the same thing first (``work`` is an upsert):
    many recruiters at once never see "database is locked" or a duplicate-key traceback."""
    return write_transaction(engine(), work)


def sign_in(name: str, password: str, client: str) -> Any:
    """Check a sign-in (delayed and locked after repeated failures) in its own committed
    transaction, so the attempt and its audit row stay whatever the page does next."""
    from data.store.users import sign_in as check

    with session_scope(engine()) as s:
        return check(s, name, password, client)


def keep_session(name: str) -> str:
    """Open a kept sign-in for ``name`` (committed at once); returns the id for the cookie."""
    from data.store.sessions import open_session

    with session_scope(engine()) as s:
        return open_session(s, name)


def resume_session(token: str | None, client: str) -> Any:
    """The user of a live kept sign-in ``token``, audited as a sign-in; None otherwise."""
    from data.store.audit import record
    from data.store.sessions import resume_session as resume

    with session_scope(engine()) as s:
        user = resume(s, token)
        if user is None:
            return None
        record(
            s,
            user.name,
            "dashboard.login",
            target_type="user",
            target=user.name,
            detail={"client": client[:64], "via": "kept session"},
        )
        return user


def end_session(token: str | None, name: str) -> None:
    """Sign-out: the kept sign-in ends in the store (a copied cookie is worthless after)."""
    from data.store.audit import record
    from data.store.sessions import close_session

    with session_scope(engine()) as s:
        close_session(s, token)
        record(s, name, "dashboard.logout", target_type="user", target=name[:64])


def _read(url: str, fn: Callable[[Session], Any]) -> Any:
    with session_scope(engine_for(url)) as s:
        return fn(s)


@st.cache_data(ttl=30, max_entries=MAX, show_spinner=False)
def store_state(url: str) -> str:
    """``"no_schema"``, ``"empty"`` or ``"ready"`` (short ttl: a store filled by the CLI while
    the dashboard runs shows up within half a minute)."""
    from data.errors import SchemaError

    try:
        check_schema(engine_for(url))
    except SchemaError:
        return "no_schema"
    has = _read(url, lambda s: s.scalar(select(Application.id).limit(1)))
    return "ready" if has is not None else "empty"


@st.cache_data(ttl=30, max_entries=MAX, show_spinner=False)
def setup_counts(url: str) -> dict[str, int]:
    """Roles, resumes, candidates and stage events stored (the first-run guide's checklist)."""
    from data.queries.setup import setup_counts as count

    return _read(url, count)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def bounds(url: str) -> tuple[dt.date | None, dt.date | None]:
    lo, hi = _read(url, pipeline.data_bounds)
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    return as_date(lo), as_date(hi)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def filter_options(url: str) -> dict[str, list[str]]:
    return _read(url, pipeline.filter_options)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def role_titles(url: str, lang: str) -> dict[str, str]:
    from data.store.models import Role

    col = Role.title_zh if lang == "zh" else Role.title_en
    return dict(_read(url, lambda s: s.execute(select(Role.key, col)).all()))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def kpi_values(url: str, f: Filters) -> dict[str, kpis.Kpi]:
    return _read(url, lambda s: kpis.kpis(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def kpi_trend(url: str, f: Filters) -> pd.DataFrame:
    return _read(url, lambda s: kpis.kpi_trend(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def kpi_targets(url: str) -> dict[str, float]:
    from data.store.targets import targets

    return _read(url, targets)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def data_through(url: str) -> dt.date | None:
    from data.queries.metrics import data_through as through

    return _read(url, through)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def cultivation_headline(url: str, f: Filters, as_of: dt.date) -> dict[str, object]:
    return _read(url, lambda s: cultivation.headline(s, f, as_of=as_of))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def match_runs(url: str) -> list[dict[str, object]]:
    from data.queries.reports import match_runs as runs

    return _read(url, runs)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def stage_diversity(url: str, f: Filters, stage: str, lang: str = "en") -> pd.DataFrame:
    from analytics.fairness import audit_counts, named_groups
    from data.queries.audit import selection_counts

    def run(s: Session) -> pd.DataFrame:
        result = audit_counts(
            selection_counts(s, stage, f), kind="selection", audited=stage, source="dashboard"
        )
        return named_groups(result, lang)

    return _read(url, run)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def skill_count(url: str, f: Filters) -> int:
    return _read(url, lambda s: skills.skill_count(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def status_counts(url: str, f: Filters) -> dict[str, int]:
    return _read(url, lambda s: pipeline.status_counts(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def funnel(url: str, f: Filters) -> pd.DataFrame:
    return _read(url, lambda s: pipeline.funnel(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def time_in_stage(url: str, f: Filters) -> pd.DataFrame:
    return _read(url, lambda s: pipeline.time_in_stage(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def breakdown(url: str, f: Filters, by: str) -> pd.DataFrame:
    return _read(url, lambda s: pipeline.breakdown(s, f, by))  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def breakdowns(url: str, f: Filters) -> dict[str, pd.DataFrame]:
    return _read(url, lambda s: pipeline.breakdowns(s, f))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def compare(url: str, a: Filters, b: Filters, labels: tuple[str, str]) -> pd.DataFrame:
    return _read(url, lambda s: pipeline.compare_funnels(s, a, b, labels))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def matrix(url: str, f: Filters, lang: str, max_skills: int = 25) -> pd.DataFrame:
    return _read(
        url,
        lambda s: skills.role_skill_matrix(s, f, lang=lang, max_skills=max_skills),  # type: ignore[arg-type]
    )


_indexed: dict[tuple[str, str], tuple[int, int]] = {}


def refresh_supply_index(
    url: str,
    cache_dir: str,
    meta: tuple[int, int],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Bring the on-disk resume skill index up to date (a no-op when this process already
    did so for the same resume count and last id). Not cached: it may show progress."""
    if _indexed.get((url, cache_dir)) == meta:
        return
    _update_index(url, cache_dir, progress)
    _indexed[(url, cache_dir)] = meta


def _update_index(
    url: str, cache_dir: str, progress: Callable[[int, int], None] | None = None
) -> dict:
    from pathlib import Path

    return _read(
        url, lambda s: skills.refresh_supply_index(s, Path(cache_dir), url, progress=progress)
    )


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def supply_index(url: str, cache_dir: str, resume_count: int, max_id: int) -> dict:
    """The resume skill index, read from disk (updated first when stale); keyed by the resume
    table's size and last id so new resumes refresh it."""
    return _update_index(url, cache_dir)


def resume_meta(url: str) -> tuple[int, int]:
    from data.store.models import Resume

    n, hi = _read(
        url, lambda s: s.execute(select(func.count(Resume.id), func.max(Resume.id))).one()
    )
    return int(n or 0), int(hi or 0)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def gaps(
    url: str, f: Filters, lang: str, index_key: tuple[int, int], cache_dir: str
) -> pd.DataFrame:
    idx = supply_index(url, cache_dir, *index_key)
    sup, total = skills.skill_supply(idx, f)
    return _read(
        url, lambda s: skills.skill_gaps(s, skills.skill_demand(s, f), sup, total, lang=lang)
    )  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def role_profile(url: str, key: str, lang: str) -> dict:
    return _read(url, lambda s: skills.role_profile(s, key, lang=lang))  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def document_map(url: str) -> pd.DataFrame:
    return _read(url, skills.document_map)


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def programmes(url: str, f: Filters, lang: str) -> pd.DataFrame:
    return _read(url, lambda s: cultivation.programme_summary(s, f, lang=lang))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def cohorts(url: str, f: Filters, lang: str, as_of: dt.date) -> pd.DataFrame:
    return _read(url, lambda s: cultivation.cohort_retention(s, f, as_of=as_of, lang=lang))


@st.cache_data(ttl=TTL, max_entries=MAX, show_spinner=False)
def enrolment_trend(url: str, f: Filters) -> pd.DataFrame:
    return _read(url, lambda s: cultivation.enrolment_trend(s, f))


def clear_caches() -> None:
    """After a write from the dashboard, drop cached query results."""
    st.cache_data.clear()


@st.cache_resource(show_spinner=False)
def encoder(name: str) -> Encoder:
    """The sentence encoder (loaded once per process, shared read-only by every session);
    one-time files (minilm's int8 ONNX export on CPU) are made in the data directory."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ml.encoders import get_encoder

    return get_encoder(name, cache_dir=settings().encoders_dir)


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def stored_resumes(url: str, limit: int = 500) -> list[tuple[int, str]]:
    """The newest stored resumes as ``(id, label)``; labels carry no contact details."""
    from data.queries.resumes import list_resumes

    rows = _read(url, lambda s: list_resumes(s, limit=limit))
    return [(r.id, f"{r.candidate or '—'} · {r.file_name}") for r in rows]


def serving(session: Session, kind: str, actor: str) -> Any:
    """The served model of ``kind`` with its fallback notice (``analytics.promotion.serving``)."""
    from analytics.promotion import serving as _serving

    return _serving(session, kind, actor=actor)


def active_pair_scorer(session: Session, actor: str) -> tuple[Any, int | None]:
    """The active, verified pair scorer (or ``(None, None)``: the matcher's own weights).

    When a damaged artefact made an older version serve, the page shows the notice."""
    served = serving(session, "pair_scorer", actor)
    if served.notice is not None:
        from dashboard.i18n import t

        n = served.notice
        st.warning(t("model.fallback", broken=n.broken, serving=n.serving, error=n.error))
    return served.model, served.version_id


def role_ids(session: Session) -> dict[str, int]:
    from data.store.models import Role

    return dict(session.execute(select(Role.key, Role.id)).all())


def pseudonyms(session: Session, resume_ids: list[int]) -> dict[int, str]:
    from data.store.models import Candidate, Resume

    if not resume_ids:
        return {}
    return dict(
        session.execute(
            select(Resume.id, Candidate.pseudonym)
            .join(Candidate, Candidate.id == Resume.candidate_id)
            .where(Resume.id.in_(resume_ids))
        ).all()
    )
