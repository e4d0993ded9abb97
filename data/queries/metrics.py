"""The metric layer: every KPI TalentMap shows, defined once.

Each KPI has a key, a name and a definition in English and Chinese (:data:`METRICS`), and its
SQL below (SQLAlchemy Core, aggregated in the database, filtered by :mod:`data.queries.filters`
only). The Overview, International and Cultivation pages, every report format and the bias
audit's population read these functions, so the same filters give the same numbers everywhere.

The definitions that had drifted apart, and why we keep these:

- **Period.** Applications, the funnel, conversion and time in stage are about the
  applications *made* in the period (``applied_at``). Hires, time to hire and offers are about
  what *happened* in the period: hires whose hire date falls in it, offers made in it. A board
  asks "how many did we hire this quarter, and how long did those hires take?"; counting hires
  by application date instead would keep changing last quarter's number for months.
- **Time to hire.** For the hires of the period: calendar days from the application's day to
  the hire day; the median (and quartiles, linear interpolation like numpy's default).
- **Funnel.** Each application of the period counts once, at the furthest stage it reached
  (its latest stage by its stage events or its current stage), and in every stage before it:
  cumulative, so a stage never holds more applications than the one before it, and an
  application imported with only its current stage still counts. Conversion is a stage's
  count over the previous stage's count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, case, distinct, func, or_, select, union_all
from sqlalchemy.orm import Session

from data.queries.filters import (
    applications_in,
    calendar_days,
    day_start,
    days_between,
    dialect,
    in_period,
    month_of,
    scope,
    weighted_quantile,
    whole_days,
)
from data.reference.stages import STAGES
from data.store.models import Application, Candidate, Role, StageEvent

Lang = Literal["en", "zh"]
Unit = Literal["count", "days", "share"]
HOME_COUNTRY = "CN"
RETENTION_HORIZONS: tuple[int, ...] = (90, 180, 365)


@dataclass(frozen=True)
class Metric:
    """One KPI: its key, unit, direction, and its name and definition in both languages."""

    key: str
    unit: Unit
    higher_is_better: bool
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def definition(self, lang: str) -> str:
        return self.definition_zh if lang == "zh" else self.definition_en


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "open_roles",
            "count",
            True,
            "Open roles",
            "在招岗位",
            "Roles open and opened on or before the period's end (headcount not summed).",
            "截至期末已开放且仍在招聘的岗位数（不按编制人数累加）。",
        ),
        Metric(
            "applications",
            "count",
            True,
            "Applications",
            "申请数",
            "Applications made in the period (by application date), within the filters.",
            "统计期间内提交的申请数（按申请日期），受筛选条件约束。",
        ),
        Metric(
            "in_pipeline",
            "count",
            True,
            "Candidates in pipeline",
            "招聘流程中的候选人",
            "Distinct candidates with an application open at the period's end (applied on or "
            "before it and not closed by then).",
            "期末仍有进行中申请的候选人数（去重；期末前申请且当时尚未关闭）。",
        ),
        Metric(
            "hires",
            "count",
            True,
            "Hires",
            "录用人数",
            "Applications whose hire date falls in the period, whenever they applied.",
            "录用日期落在统计期间内的申请数（不论何时申请）。",
        ),
        Metric(
            "time_to_hire",
            "days",
            False,
            "Time to hire",
            "招聘周期",
            "Median calendar days from application to hire, over the hires of the period "
            "(hire date in the period).",
            "统计期间内录用者（录用日期在期间内）从申请到录用的自然日数中位数。",
        ),
        Metric(
            "offer_acceptance",
            "share",
            True,
            "Offer acceptance",
            "录用通知接受率",
            "Accepted share of the offers made in the period that have been answered.",
            "统计期间内发出且已答复的录用通知中被接受的比例。",
        ),
        Metric(
            "international_share",
            "share",
            True,
            "International share",
            "国际候选人占比",
            "Share of the period's applications from candidates whose country is known and is "
            "not the home country.",
            "统计期间内的申请中，国家已知且非本国的候选人所占比例。",
        ),
        Metric(
            "conversion",
            "share",
            True,
            "Conversion per stage (funnel)",
            "各阶段转化率（漏斗）",
            "Each application of the period counts once at the furthest stage it reached and in "
            "every stage before it; conversion is a stage's count over the previous stage's.",
            "统计期间内的每份申请按其到达的最远阶段计一次，并计入此前每个阶段（累计）；"
            "转化率为该阶段人数除以上一阶段人数。",
        ),
        Metric(
            "time_in_stage",
            "days",
            False,
            "Time in stage",
            "阶段停留时间",
            "Days from entering a stage to the application's next stage event, for the "
            "period's applications (stays still open are not counted).",
            "统计期间内的申请从进入某阶段到下一次阶段变动的天数（尚未结束的停留不计）。",
        ),
        Metric(
            "retention",
            "share",
            True,
            "Retention",
            "留任率",
            "Of the hires old enough to be measured (hired at least N days before the data's "
            "last day), the share still employed N days after their hire.",
            "在录用已满 N 天（截至数据最后一天）的人员中，录用 N 天后仍在职的比例。",
        ),
        Metric(
            "skill_gap",
            "share",
            False,
            "Skill gap",
            "技能缺口",
            "Demand share minus supply share: the share of open positions needing the skill "
            "(headcount × importance over the open headcount) minus the share of resumes "
            "naming it. Positive: scarcer in the candidate pool than in the openings.",
            "需求占比减供给占比：需要该技能的在招职位占比（编制人数 × 重要度 ÷ 在招总编制）"
            "减去提及该技能的简历占比。为正表示人才库中比岗位需求更稀缺。",
        ),
    )
}
KPI_KEYS: tuple[str, ...] = (
    "open_roles",
    "in_pipeline",
    "hires",
    "time_to_hire",
    "offer_acceptance",
    "international_share",
)


def metric(key: str) -> Metric:
    """The metric of ``key``; ``KeyError`` names the known keys."""
    try:
        return METRICS[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(METRICS)}") from None


def definitions(keys: Sequence[str], lang: str) -> list[tuple[str, str]]:
    """``(name, definition)`` of each metric, in ``lang`` (report footnotes)."""
    return [(metric(k).name(lang), metric(k).definition(lang)) for k in keys]


# --- counts ---------------------------------------------------------------------------------


def applications(session: Session, f: Any) -> int:
    """Applications made in the period."""
    stmt = scope(select(func.count(Application.id)).where(*in_period(Application.applied_at, f)), f)
    return int(session.scalar(stmt) or 0)


def status_counts(session: Session, f: Any) -> dict[str, int]:
    """The period's applications per status, plus ``applications`` and ``candidates``
    (distinct candidates who applied in the period)."""
    rows = session.execute(
        scope(
            select(Application.status, func.count(Application.id))
            .where(*in_period(Application.applied_at, f))
            .group_by(Application.status),
            f,
        )
    ).all()
    out = {str(s): int(n) for s, n in rows}
    out["applications"] = sum(int(n) for _, n in rows)
    out["candidates"] = int(
        session.scalar(
            scope(
                select(func.count(distinct(Application.candidate_id))).where(
                    *in_period(Application.applied_at, f)
                ),
                f,
            )
        )
        or 0
    )
    return out


def _period_end(f: Any) -> dt.datetime | None:
    end = getattr(f, "end", None)
    return day_start(end + dt.timedelta(days=1)) if end else None


def open_roles(session: Session, f: Any) -> int:
    end = _period_end(f)
    stmt = select(func.count(Role.id)).where(Role.is_open.is_(True))
    if roles := getattr(f, "roles", ()):
        stmt = stmt.where(Role.key.in_(roles))
    if end is not None:
        stmt = stmt.where(or_(Role.opened_at.is_(None), Role.opened_at < end.date()))
    return int(session.scalar(stmt) or 0)


def in_pipeline(session: Session, f: Any) -> int:
    end = _period_end(f)
    stmt = select(func.count(distinct(Application.candidate_id)))
    if end is not None:
        applied = func.coalesce(Application.applied_at, Application.applied_at)  # see in_period
        stmt = stmt.where(
            applied < end, or_(Application.closed_at.is_(None), Application.closed_at >= end)
        )
    else:
        stmt = stmt.where(Application.status == "active")
    return int(session.scalar(scope(stmt, f)) or 0)


# --- hires and time to hire -----------------------------------------------------------------


def hire_days(session: Session, f: Any) -> list[tuple[int, int]]:
    """Histogram ``(days, hires)`` of the period's hires: calendar days application → hire."""
    days = calendar_days(Application.hired_at, Application.applied_at, dialect(session))
    days_l = days.label("days")
    rows = session.execute(
        scope(
            select(days_l, func.count())
            .where(Application.hired_at.is_not(None), *in_period(Application.hired_at, f))
            .group_by(days),
            f,
        )
    ).all()
    return [(int(d), int(n)) for d, n in rows]


@dataclass(frozen=True)
class TimeToHire:
    """The period's hires and the quartiles of their days from application to hire."""

    hires: int
    p25: float | None
    median: float | None
    p75: float | None

    @classmethod
    def from_histogram(cls, hist: Sequence[tuple[int, int]]) -> TimeToHire:
        vals = [float(d) for d, _ in hist]
        cnts = [n for _, n in hist]
        n = sum(cnts)
        if not n:
            return cls(0, None, None, None)
        q = [weighted_quantile(vals, cnts, p) for p in (0.25, 0.5, 0.75)]
        return cls(n, q[0], q[1], q[2])


def time_to_hire(session: Session, f: Any) -> TimeToHire:
    return TimeToHire.from_histogram(hire_days(session, f))


def offers(session: Session, f: Any) -> tuple[int, int]:
    """``(answered, accepted)`` offers made in the period."""
    answered, accepted = session.execute(
        scope(
            select(
                func.count(Application.offer_accepted),
                func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)),
            ).where(Application.offer_at.is_not(None), *in_period(Application.offer_at, f)),
            f,
        )
    ).one()
    return int(answered or 0), int(accepted or 0)


def international(session: Session, f: Any, home_country: str = HOME_COUNTRY) -> tuple[int, int]:
    """``(known, foreign)``: the period's applications with a known country, and from abroad."""
    known, foreign = session.execute(
        scope(
            select(
                func.count(Candidate.country),
                func.sum(case((Candidate.country != home_country, 1), else_=0)),
            )
            .select_from(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(*in_period(Application.applied_at, f)),
            f,
            joined=("candidates",),
        )
    ).one()
    return int(known or 0), int(foreign or 0)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def kpi_values(
    session: Session, f: Any, *, home_country: str = HOME_COUNTRY
) -> dict[str, float | None]:
    """The headline KPIs (:data:`KPI_KEYS`) plus ``applications`` for the period."""
    tth = time_to_hire(session, f)
    answered, accepted = offers(session, f)
    known, foreign = international(session, f, home_country)
    return {
        "open_roles": float(open_roles(session, f)),
        "applications": float(applications(session, f)),
        "in_pipeline": float(in_pipeline(session, f)),
        "hires": float(tth.hires),
        "time_to_hire": tth.median,
        "offer_acceptance": _ratio(accepted, answered),
        "international_share": _ratio(foreign, known),
    }


# --- the funnel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None  # over the previous stage's count
    of_first: float | None  # over the first stage's count


def _stage_index(col: Any) -> Any:
    return case({key: i for i, key in enumerate(STAGES)}, value=col, else_=-1)


def furthest_stage_counts(session: Session, f: Any) -> tuple[dict[int, int], int | None]:
    """Applications of the period per furthest stage reached (index into ``STAGES``; -1 for
    applications whose stages are none of the canonical ones), and the index of the first
    stage any of them entered (where the funnel starts)."""
    ids = applications_in(f)
    from_events = select(
        StageEvent.application_id.label("app"), _stage_index(StageEvent.to_stage).label("idx")
    ).where(StageEvent.application_id.in_(ids))
    from_current = select(
        Application.id.label("app"), _stage_index(Application.current_stage).label("idx")
    ).where(Application.id.in_(ids))
    reached = union_all(from_events, from_current).subquery()
    furthest = (
        select(reached.c.app, func.max(reached.c.idx).label("top"))
        .group_by(reached.c.app)
        .subquery()
    )
    rows = session.execute(select(furthest.c.top, func.count()).group_by(furthest.c.top)).all()
    first = session.scalar(select(func.min(reached.c.idx)).where(reached.c.idx >= 0))
    return {int(top): int(n) for top, n in rows}, (None if first is None else int(first))


def funnel_from_counts(per_top: dict[int, int], first: int | None) -> list[FunnelStep]:
    """Cumulative funnel from furthest-stage counts, from the first stage any application
    entered to the furthest one any reached."""
    reached_idx = [i for i, n in per_top.items() if i >= 0 and n]
    if not reached_idx or first is None:
        return []
    first_i, last_i = first, max(reached_idx)
    cum, running = {}, 0
    for i in range(last_i, -1, -1):
        running += per_top.get(i, 0)
        cum[i] = running
    steps, prev = [], None
    top = cum[first_i]
    for i in range(first_i, last_i + 1):
        n = cum[i]
        steps.append(FunnelStep(STAGES[i], n, _ratio(n, prev) if prev else None, _ratio(n, top)))
        prev = n
    return steps


def funnel(session: Session, f: Any) -> list[FunnelStep]:
    """The period's funnel (see the module docstring for the definition)."""
    return funnel_from_counts(*furthest_stage_counts(session, f))


def reached_stage(session: Session, f: Any, stage: str) -> int:
    """Applications of the period that reached ``stage`` (the funnel's count there)."""
    i = STAGES.index(stage)
    return sum(n for top, n in furthest_stage_counts(session, f)[0].items() if top >= i)


# --- time in stage --------------------------------------------------------------------------


def time_in_stage(session: Session, f: Any) -> dict[str, list[tuple[int, int]]]:
    """Per stage, a histogram ``(days, stays)`` of whole days from entering the stage to the
    application's next stage event (a window function over the period's applications)."""
    d = dialect(session)
    nxt = func.lead(StageEvent.at).over(
        partition_by=StageEvent.application_id, order_by=(StageEvent.at, StageEvent.id)
    )
    ev = (
        select(StageEvent.to_stage.label("stage"), StageEvent.at.label("at"), nxt.label("next_at"))
        .where(StageEvent.application_id.in_(applications_in(f)))
        # recurring check-ins after hire (same stage, no outcome) do not end a stay
        .where(
            or_(
                StageEvent.from_stage.is_(None),
                StageEvent.from_stage != StageEvent.to_stage,
                StageEvent.outcome.is_not(None),
            )
        )
    ).subquery()
    days = whole_days(ev.c.next_at, ev.c.at, d).label("days")
    hist = session.execute(
        select(ev.c.stage, days, func.count())
        .where(ev.c.next_at.is_not(None))
        .group_by(ev.c.stage, days)
    ).all()
    out: dict[str, list[tuple[int, int]]] = {}
    for stage, dd, n in hist:
        out.setdefault(str(stage), []).append((int(dd), int(n)))
    return out


# --- retention ------------------------------------------------------------------------------


def retention_columns(as_of: dt.date, horizons: Sequence[int], dialect_name: str) -> list[Any]:
    """``eligible_<h>`` and ``retained_<h>`` sums over hires (see ``retention``'s definition)."""
    asof = day_start(as_of)
    tenure = days_between(Application.left_at, Application.hired_at, dialect_name)
    cols: list[Any] = []
    for h in horizons:
        eligible = Application.hired_at <= asof - dt.timedelta(days=h)
        cols.append(func.sum(case((eligible, 1), else_=0)).label(f"eligible_{h}"))
        cols.append(
            func.sum(
                case((and_(eligible, or_(Application.left_at.is_(None), tenure >= h)), 1), else_=0)
            ).label(f"retained_{h}")
        )
    return cols


def retention(
    session: Session,
    f: Any,
    *,
    as_of: dt.date,
    horizons: Sequence[int] = RETENTION_HORIZONS,
) -> dict[int, tuple[int, int]]:
    """Per horizon ``h``: ``(eligible, retained)`` over the period's hires (hire date in it)."""
    row = session.execute(
        scope(
            select(*retention_columns(as_of, horizons, dialect(session))).where(
                Application.hired_at.is_not(None), *in_period(Application.hired_at, f)
            ),
            f,
        )
    ).one()
    vals = list(row)
    return {h: (int(vals[2 * i] or 0), int(vals[2 * i + 1] or 0)) for i, h in enumerate(horizons)}


# --- monthly trend --------------------------------------------------------------------------


def data_through(session: Session) -> dt.date | None:
    """The last day the store has data for (latest application, offer or hire)."""
    days = [
        session.scalar(select(func.max(c)))
        for c in (Application.applied_at, Application.hired_at, Application.offer_at)
    ]
    known = [d for d in days if d is not None]
    if not known:
        return None
    last = max(
        d if isinstance(d, dt.datetime) else dt.datetime.fromisoformat(str(d)) for d in known
    )
    return last.date()


def is_partial_month(month: str, start: dt.date | None, through: dt.date | None) -> bool:
    """Whether the period covers only part of ``month`` (``YYYY-MM``): it starts after the
    month's first day, or its data stops before the month's last day."""
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    last = dt.date(y, m, calendar.monthrange(y, m)[1])
    return bool((start is not None and start > first) or (through is not None and through < last))


def monthly(session: Session, f: Any, *, home_country: str = HOME_COUNTRY) -> list[dict[str, Any]]:
    """The KPIs per month of the period, each by its own date (applications by application
    date, hires and time to hire by hire date, offers by offer date). ``partial`` marks a
    month the period or the data covers only in part (the last one, typically): its counts
    are not comparable with a full month's."""
    d = dialect(session)
    m_app = month_of(Application.applied_at, d)
    apps = session.execute(
        scope(
            select(
                m_app.label("month"),
                func.count(Application.id),
                func.count(Candidate.country),
                func.sum(case((Candidate.country != home_country, 1), else_=0)),
            )
            .select_from(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(*in_period(Application.applied_at, f))
            .group_by(m_app),
            f,
            joined=("candidates",),
        )
    ).all()
    m_hire = month_of(Application.hired_at, d)
    days = calendar_days(Application.hired_at, Application.applied_at, d)
    hires = session.execute(
        scope(
            select(m_hire.label("month"), days.label("days"), func.count())
            .where(Application.hired_at.is_not(None), *in_period(Application.hired_at, f))
            .group_by(m_hire, days),
            f,
        )
    ).all()
    m_off = month_of(Application.offer_at, d)
    offer_rows = session.execute(
        scope(
            select(
                m_off.label("month"),
                func.count(Application.offer_accepted),
                func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)),
            )
            .where(Application.offer_at.is_not(None), *in_period(Application.offer_at, f))
            .group_by(m_off),
            f,
        )
    ).all()
    rows: dict[str, dict[str, int]] = {}
    zero = {"applications": 0, "hires": 0, "offers": 0, "accepted": 0, "known": 0, "foreign": 0}
    for m, n, known, foreign in apps:
        r = rows.setdefault(m, dict(zero))
        r["applications"], r["known"], r["foreign"] = int(n), int(known or 0), int(foreign or 0)
    hist: dict[str, list[tuple[int, int]]] = {}
    for m, dd, n in hires:
        rows.setdefault(m, dict(zero))["hires"] += int(n)
        hist.setdefault(m, []).append((int(dd), int(n)))
    for m, answered, accepted in offer_rows:
        r = rows.setdefault(m, dict(zero))
        r["offers"], r["accepted"] = int(answered or 0), int(accepted or 0)
    through = data_through(session)
    end = getattr(f, "end", None)
    if end is not None and (through is None or end < through):
        through = end
    out = []
    for m in sorted(rows):
        r = rows[m]
        out.append(
            {
                "month": m,
                "applications": r["applications"],
                "hires": r["hires"],
                "offers": r["offers"],
                "accepted": r["accepted"],
                "offer_acceptance": _ratio(r["accepted"], r["offers"]),
                "international_share": _ratio(r["foreign"], r["known"]),
                "time_to_hire": TimeToHire.from_histogram(hist.get(m, [])).median,
                "partial": is_partial_month(m, getattr(f, "start", None), through),
            }
        )
    return out


# --- breakdowns -----------------------------------------------------------------------------

BREAKDOWN_COUNTS = ("applications", "candidates", "active", "offers", "accepted", "hires")


COUNT_COLUMNS: tuple[str, ...] = (
    "applications",
    "candidates",
    "active",
    "offers",
    "accepted",
    "hires",
)
"""The counts :func:`breakdown_cells` and :func:`role_breakdown` give per group."""


def _counts_by(
    session: Session,
    f: Any,
    dims: Sequence[Any],
    names: Sequence[str],
    join: tuple[Any, Any],
    joined: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """:data:`COUNT_COLUMNS` per group of ``dims`` (named ``names``), each by its metric's own
    date: the period's applications (distinct candidates, still-active applications), offers
    made in the period (made, accepted), hires whose hire date is in the period."""

    def grouped(*cols: Any, where: list[Any]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        stmt = (
            select(*dims, *cols).select_from(Application).join(*join).where(*where).group_by(*dims)
        )
        k = len(dims)
        return {tuple(r[:k]): tuple(r[k:]) for r in session.execute(scope(stmt, f, joined=joined))}

    apps = grouped(
        func.count(Application.id),
        func.count(distinct(Application.candidate_id)),
        func.sum(case((Application.status == "active", 1), else_=0)),
        where=in_period(Application.applied_at, f),
    )
    offer = grouped(
        func.count(Application.offer_at),
        func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)),
        where=[Application.offer_at.is_not(None), *in_period(Application.offer_at, f)],
    )
    hired = grouped(
        func.count(Application.id),
        where=[Application.hired_at.is_not(None), *in_period(Application.hired_at, f)],
    )
    out = []
    for key in sorted(set(apps) | set(offer) | set(hired), key=lambda k: tuple(str(x) for x in k)):
        values = (*apps.get(key, (0, 0, 0)), *offer.get(key, (0, 0)), *hired.get(key, (0,)))
        out.append(
            {
                **dict(zip(names, key, strict=True)),
                **{c: int(v or 0) for c, v in zip(COUNT_COLUMNS, values, strict=True)},
            }
        )
    return out


def breakdown_cells(session: Session, f: Any) -> list[dict[str, Any]]:
    """:data:`COUNT_COLUMNS` per (country, region, channel) cell. Summed over cells they equal
    the headline KPIs."""
    return _counts_by(
        session,
        f,
        (Candidate.country, Candidate.region, Candidate.source_channel),
        ("country", "region", "channel"),
        (Candidate, Candidate.id == Application.candidate_id),
        joined=("candidates",),
    )


def role_breakdown(session: Session, f: Any) -> list[dict[str, Any]]:
    """The same counts as :func:`breakdown_cells`, per role key."""
    return _counts_by(session, f, (Role.key,), ("key",), (Role, Role.id == Application.role_id))


def mix(session: Session, column: Literal["channel", "country"], f: Any) -> list[tuple[Any, int]]:
    """The period's applications per candidate channel or country, largest first."""
    col = {"channel": Candidate.source_channel, "country": Candidate.country}[column]
    stmt = (
        select(col, func.count(Application.id))
        .select_from(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(*in_period(Application.applied_at, f))
        .group_by(col)
        .order_by(func.count(Application.id).desc(), col)
    )
    return [(k, int(n)) for k, n in session.execute(scope(stmt, f, joined=("candidates",))).all()]


__all__ = [
    "KPI_KEYS",
    "METRICS",
    "FunnelStep",
    "Metric",
    "TimeToHire",
    "applications",
    "breakdown_cells",
    "definitions",
    "funnel",
    "hire_days",
    "kpi_values",
    "metric",
    "monthly",
    "retention",
    "status_counts",
    "time_in_stage",
    "time_to_hire",
]
