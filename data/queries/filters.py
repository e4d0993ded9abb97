"""The global filters and the one piece of code that applies them to SQL.

Every read that narrows applications, candidates, match scores or enrolments by the dashboard's
filters (period, roles, countries, regions, channels) goes through :func:`scope` /
:func:`in_period` / :func:`candidate_conditions` here: the metric layer, the report, the bias
audit, pipeline and cultivation analytics. Portable SQL pieces (days between two timestamps,
the month of a date) live here too, so SQLite and PostgreSQL give the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, Float, Integer, Select, cast, extract, func, select
from sqlalchemy import literal_column as _lit
from sqlalchemy.orm import Session

from data.store.models import Application, Candidate, Role

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Filters:
    """Date range (applications by ``applied_at``), roles (``Role.key``), countries (ISO-2),
    source channels, world regions (``Candidate.region``, as in ``data.reference.REGIONS``).
    Empty tuples mean "all"; countries and regions both apply when both are set. Hashable,
    so it can key ``st.cache_data``."""

    start: dt.date | None = None
    end: dt.date | None = None
    roles: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def previous_period(self) -> Filters:
        """The same-length period just before this one (for change-against-previous)."""
        if self.start is None or self.end is None:
            return self
        length = self.end - self.start
        return replace(
            self,
            start=self.start - length - dt.timedelta(days=1),
            end=self.start - dt.timedelta(days=1),
        )

    @property
    def narrows_candidates(self) -> bool:
        return bool(self.countries or self.regions or self.channels)


# --- portable SQL pieces --------------------------------------------------------------------


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def days_between(end: Any, start: Any, dialect_name: str) -> ColumnElement[Any]:
    """``end - start`` in (fractional) days."""
    if dialect_name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    # constants as literals: PostgreSQL matches GROUP BY expressions textually, and a bound
    # parameter renders differently in SELECT and GROUP BY
    return cast(extract("epoch", end - start), Float) / _lit("86400.0")


def whole_days(end: Any, start: Any, dialect_name: str) -> ColumnElement[Any]:
    """``end - start`` rounded to whole days (a histogram bucket)."""
    return cast(func.round(days_between(end, start, dialect_name)), Integer)


def calendar_days(end: Any, start: Any, dialect_name: str) -> ColumnElement[Any]:
    """Calendar days from the day of ``start`` to the day of ``end`` (an integer: applied on
    the 1st and hired on the 11th is 10 days, whatever the hours)."""
    if dialect_name == "sqlite":
        return cast(func.julianday(func.date(end)) - func.julianday(func.date(start)), Integer)
    return cast(cast(end, Date) - cast(start, Date), Integer)


def month_of(col: Any, dialect_name: str) -> ColumnElement[Any]:
    """``'YYYY-MM'`` of a date/datetime column."""
    if dialect_name == "sqlite":
        return func.strftime(_lit("'%Y-%m'"), col)
    return func.to_char(col, _lit("'YYYY-MM'"))


def day_start(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time.min)


# --- the filters ----------------------------------------------------------------------------


def in_period(col: Any, f: Any, *, use_index: bool = False) -> list[ColumnElement[bool]]:
    """Conditions keeping ``col`` inside the filter's date range (end day included).

    The column is wrapped (``coalesce(col, col)``) so the planner does not walk its index: a
    dashboard period covers a large share of the rows, and on SQLite a table scan then beats
    tens of thousands of index-to-row lookups several times over (measured on the 100k demo).
    ``use_index`` keeps the index for queries it covers (``SELECT id ... WHERE applied_at``).
    """
    if f is None:
        return []
    if not use_index:
        col = func.coalesce(col, col)
    conds: list[ColumnElement[bool]] = []
    start, end = getattr(f, "start", None), getattr(f, "end", None)
    if start is not None:
        conds.append(col >= day_start(start))
    if end is not None:
        conds.append(col < day_start(end + dt.timedelta(days=1)))
    return conds


def candidate_conditions(filters: Any) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``candidates`` for the country, region and channel filters."""
    if filters is None:
        return []
    conds: list[ColumnElement[bool]] = []
    if countries := getattr(filters, "countries", ()):
        conds.append(Candidate.country.in_(countries))
    if regions := getattr(filters, "regions", ()):
        conds.append(Candidate.region.in_(regions))
    if channels := getattr(filters, "channels", ()):
        conds.append(Candidate.source_channel.in_(channels))
    return conds


def role_conditions(filters: Any, role_col: Any = Application.role_id) -> list[ColumnElement[bool]]:
    """WHERE conditions keeping rows whose ``role_col`` (a role id) is one of the filter's roles."""
    roles = getattr(filters, "roles", ()) if filters is not None else ()
    if not roles:
        return []
    return [role_col.in_(select(Role.id).where(Role.key.in_(roles)))]


def scope(
    stmt: S,
    f: Any,
    *,
    joined: Sequence[str] = (),
    role_col: Any = Application.role_id,
    candidate_id: Any = Application.candidate_id,
) -> S:
    """Add the role/country/region/channel filters to a statement selecting from
    ``applications`` (or from another table: give its ``role_col`` and ``candidate_id``).

    ``role_col=None`` for tables without a role. ``joined`` names tables the statement already
    joins (``"candidates"``); the period is not
    applied here (each metric says which date it reads: see :func:`in_period`).
    """
    if f is None:
        return stmt
    cand = candidate_conditions(f)
    if cand and "candidates" not in joined:
        stmt = stmt.join(Candidate, Candidate.id == candidate_id)  # type: ignore[assignment]
    roles = role_conditions(f, role_col) if role_col is not None else []
    return stmt.where(*cand, *roles)  # type: ignore[return-value]


def applications_in(f: Any, *, use_index: bool = True) -> Select[int]:
    """``SELECT applications.id`` applied within the period and the other filters (used as
    ``IN (...)``: the database then scans stage events once instead of per application)."""
    return scope(
        select(Application.id).where(*in_period(Application.applied_at, f, use_index=use_index)),
        f,
    )


def weighted_quantile(values: Sequence[float], counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile of a histogram (values with counts), interpolated like numpy's
    default ``linear`` method on the expanded sample."""
    pairs = sorted((v, c) for v, c in zip(values, counts, strict=True) if c > 0)
    n = sum(c for _, c in pairs)
    if n == 0:
        return None
    pos = q * (n - 1)
    lo_i, frac = int(pos), pos - int(pos)

    def at(k: int) -> float:
        seen = 0
        for v, c in pairs:
            seen += c
            if k < seen:
                return float(v)
        return float(pairs[-1][0])

    lo = at(lo_i)
    if frac == 0:
        return lo
    return lo + (at(lo_i + 1) - lo) * frac
