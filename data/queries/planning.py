"""Reads for workforce planning: the headcount plan, the pipeline history the hiring forecast
learns from, offers with pay, pay bands and surveys, FX, mobility and channel costs, and hires
for retention curves. Aggregates are computed in SQL; rows come back as DataFrames.

Demographic fields are never read here: forecasts and retention splits must not use them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import String, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from data.store.models import (
    Application,
    Candidate,
    ChannelCost,
    Enrolment,
    FxRate,
    MobilityCost,
    Offer,
    PayBand,
    PaySurveyRow,
    Programme,
    Requisition,
    Role,
    StageEvent,
)

PRE_HIRE: tuple[str, ...] = ("needs_analysis", "sourcing", "screening", "interview")
"""Stages before the offer, in order; a pass from the last one is an offer."""


def _frame(session: Session, stmt: Any) -> pd.DataFrame:
    result = session.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def requisitions(session: Session, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every requisition with its role, the hires linked to it (all, and by its target start)
    and the applications still open (as stored now)."""
    hired = func.sum(case((Application.hired_at.is_not(None), 1), else_=0))
    by_target = func.sum(
        case(
            (
                Application.hired_at.is_not(None)
                & (func.date(Application.hired_at) <= Requisition.target_start),
                1,
            ),
            else_=0,
        )
    )
    active = func.sum(case((Application.status == "active", 1), else_=0))
    stmt = (
        select(
            Requisition.id,
            Requisition.key,
            Role.key.label("role"),
            Role.title_en,
            Role.title_zh,
            Role.family,
            Role.level,
            Requisition.location,
            Requisition.country,
            Requisition.quarter,
            Requisition.headcount,
            Requisition.target_start,
            Requisition.status,
            Requisition.opened_at,
            Requisition.source,
            func.coalesce(hired, 0).label("hires"),
            func.coalesce(by_target, 0).label("hires_by_target"),
            func.coalesce(active, 0).label("active"),
            func.count(Application.id).label("applications"),
        )
        .join(Role, Role.id == Requisition.role_id)
        .outerjoin(Application, Application.requisition_id == Requisition.id)
        .group_by(Requisition.id, Role.id)
        .order_by(Requisition.target_start, Role.key, Requisition.location)
    )
    df = _frame(session, stmt)
    if not df.empty:
        df["target_start"] = pd.to_datetime(df["target_start"]).dt.date
    return df


def pipeline_history(
    session: Session, *, since: dt.datetime | None = None, role_ids: list[int] | None = None
) -> pd.DataFrame:
    """One row per application applied since ``since``: its requisition, role family, the
    candidate's country and channel, and when it entered each stage before the offer, failed,
    was offered, closed and started. Computed in SQL from the stage events."""

    # times come back as the database gives them (text on SQLite) and are parsed by pandas in
    # one vectorised pass: per-row datetime conversion was most of the read at 100k candidates
    def raw(col: Any, name: str) -> Any:
        return type_coerce(col, String).label(name)

    def entered(stage: str) -> Any:
        return raw(
            func.min(
                case(
                    ((StageEvent.to_stage == stage) & (StageEvent.outcome == "pass"), StageEvent.at)
                )
            ),
            f"t_{stage}",
        )

    fail = raw(
        func.min(
            case(
                (
                    (StageEvent.outcome == "fail") & StageEvent.from_stage.in_(PRE_HIRE),
                    StageEvent.at,
                )
            )
        ),
        "t_fail",
    )
    stmt = (
        select(
            Application.id,
            Application.requisition_id,
            Application.role_id,
            Role.family,
            Candidate.country,
            Candidate.source_channel.label("channel"),
            raw(Application.applied_at, "applied_at"),
            Application.status,
            raw(Application.closed_at, "closed_at"),
            raw(Application.offer_at, "offer_at"),
            Application.offer_accepted,
            raw(Application.hired_at, "hired_at"),
            *(entered(s) for s in PRE_HIRE[1:]),
            fail,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Role, Role.id == Application.role_id)
        .outerjoin(
            StageEvent,
            (StageEvent.application_id == Application.id) & StageEvent.from_stage.in_(PRE_HIRE),
        )
        .group_by(Application.id, Role.family, Candidate.country, Candidate.source_channel)
        .order_by(Application.id)  # a fixed order: the simulation draws follow it
    )
    if since is not None:
        stmt = stmt.where(Application.applied_at >= since)
    if role_ids is not None:
        stmt = stmt.where(Application.role_id.in_(role_ids))
    df = _frame(session, stmt)
    for col in ("applied_at", "closed_at", "offer_at", "hired_at", "t_fail") + tuple(
        f"t_{s}" for s in PRE_HIRE[1:]
    ):
        df[col] = pd.to_datetime(df[col], format="ISO8601")
    return df


def offers(session: Session) -> pd.DataFrame:
    """Every offer with its pay, role, level, location (from the requisition), the candidate's
    country and channel, and whether it was accepted (None while open)."""
    stmt = (
        select(
            Offer.id,
            Offer.application_id,
            Role.id.label("role_id"),
            Role.key.label("role"),
            Role.title_en,
            Role.title_zh,
            Role.family,
            func.coalesce(Offer.level, Role.level, literal("")).label("level"),
            Requisition.location,
            Requisition.country.label("location_country"),
            Candidate.country,
            Candidate.source_channel.label("channel"),
            Offer.base_pay,
            Offer.currency,
            Offer.period,
            Offer.bonus,
            Application.offer_at,
            Application.offer_accepted,
        )
        .join(Application, Application.id == Offer.application_id)
        .join(Role, Role.id == Application.role_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Requisition, Requisition.id == Application.requisition_id)
        .order_by(Offer.id)
    )
    return _frame(session, stmt)


def pay_bands(session: Session) -> pd.DataFrame:
    stmt = select(
        PayBand.role_id,
        Role.key.label("role"),
        PayBand.level,
        PayBand.location,
        PayBand.currency,
        PayBand.minimum,
        PayBand.midpoint,
        PayBand.maximum,
    ).join(Role, Role.id == PayBand.role_id)
    return _frame(session, stmt)


def pay_surveys(session: Session) -> pd.DataFrame:
    stmt = select(
        PaySurveyRow.survey,
        PaySurveyRow.role_id,
        Role.key.label("role"),
        PaySurveyRow.level,
        PaySurveyRow.location,
        PaySurveyRow.currency,
        PaySurveyRow.period,
        PaySurveyRow.p25,
        PaySurveyRow.p50,
        PaySurveyRow.p75,
        PaySurveyRow.year,
    ).join(Role, Role.id == PaySurveyRow.role_id)
    return _frame(session, stmt)


def fx_rates(session: Session) -> dict[str, float]:
    """Units of each currency per US dollar (USD is always 1)."""
    rates = dict(session.execute(select(FxRate.currency, FxRate.per_usd)).tuples().all())
    rates.setdefault("USD", 1.0)
    return rates


def mobility_costs(session: Session) -> pd.DataFrame:
    return _frame(
        session,
        select(
            MobilityCost.country,
            MobilityCost.visa_cost,
            MobilityCost.relocation_cost,
            MobilityCost.currency,
            MobilityCost.lead_time_days,
        ).order_by(MobilityCost.country),
    )


def channel_costs(session: Session) -> pd.DataFrame:
    return _frame(
        session,
        select(ChannelCost.channel, ChannelCost.cost_per_hire, ChannelCost.currency).order_by(
            ChannelCost.channel
        ),
    )


def roles_for_pay(session: Session) -> pd.DataFrame:
    return _frame(
        session,
        select(
            Role.id, Role.key, Role.title_en, Role.title_zh, Role.family, Role.level, Role.soc_code
        ).order_by(Role.key),
    )


def hires(session: Session) -> pd.DataFrame:
    """Every hire: start, leave date (None while employed), role family, the candidate's
    country and channel, the requisition's location. Programmes come from ``enrolments``."""
    stmt = (
        select(
            Application.id,
            Application.candidate_id,
            Application.hired_at,
            Application.left_at,
            Role.key.label("role"),
            Role.family,
            Candidate.country,
            Candidate.source_channel.label("channel"),
            Requisition.location,
            Requisition.country.label("location_country"),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Role, Role.id == Application.role_id)
        .outerjoin(Requisition, Requisition.id == Application.requisition_id)
        .where(Application.hired_at.is_not(None))
        .order_by(Application.id)
    )
    df = _frame(session, stmt)
    df["hired_at"] = pd.to_datetime(df["hired_at"])
    df["left_at"] = pd.to_datetime(df["left_at"])
    return df


def enrolments(session: Session) -> pd.DataFrame:
    """(candidate, programme key, kind, enrolled_at) of every enrolment that was not dropped
    before it began."""
    stmt = select(
        Enrolment.candidate_id,
        Programme.key.label("programme"),
        Programme.kind,
        Programme.name_en,
        Programme.name_zh,
        Enrolment.enrolled_at,
        Enrolment.status,
    ).join(Programme, Programme.id == Enrolment.programme_id)
    df = _frame(session, stmt)
    df["enrolled_at"] = pd.to_datetime(df["enrolled_at"])
    return df


def latest_activity(session: Session) -> dt.date | None:
    """The day of the latest application or stage event (the store's "today")."""
    a = session.scalar(select(func.max(StageEvent.at)))
    b = session.scalar(select(func.max(Application.applied_at)))
    days = [v for v in (a, b) if v is not None]
    if not days:
        return None
    latest = max(pd.Timestamp(v) for v in days)
    day: dt.date = latest.date()
    return day
