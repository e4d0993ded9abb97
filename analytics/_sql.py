"""Portable SQL pieces shared by the analytics modules (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Float, Integer, Select, cast, extract, func, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from analytics.filters import Filters
from data.queries.filters import candidate_conditions
from data.store.models import Application, Candidate, Role


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def days_between(end: ColumnElement, start: ColumnElement, dialect_name: str) -> ColumnElement:
    """``end - start`` in (fractional) days."""
    if dialect_name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    # constants as literals: PostgreSQL matches GROUP BY expressions textually, and a bound
    # parameter renders differently in SELECT and GROUP BY
    return cast(extract("epoch", end - start), Float) / literal_column("86400.0")


def whole_days(end: ColumnElement, start: ColumnElement, dialect_name: str) -> ColumnElement:
    """``end - start`` rounded to whole days (a histogram bucket)."""
    return cast(func.round(days_between(end, start, dialect_name)), Integer)


def month_of(col: ColumnElement, dialect_name: str) -> ColumnElement:
    """``'YYYY-MM'`` of a date/datetime column."""
    if dialect_name == "sqlite":
        return func.strftime(literal_column("'%Y-%m'"), col)
    return func.to_char(col, literal_column("'YYYY-MM'"))


def day_start(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time.min)


def in_period(col: ColumnElement, f: Filters, *, use_index: bool = False) -> list[ColumnElement]:
    """Conditions keeping ``col`` inside the filter's date range (end day included).

    The column is wrapped (``coalesce(col, col)``) so the planner does not walk its index: a
    dashboard period covers a large share of the rows, and on SQLite a table scan then beats
    tens of thousands of index-to-row lookups several times over (measured on the 100k demo).
    ``use_index`` keeps the index for queries it covers (``SELECT id ... WHERE applied_at``).
    """
    if not use_index:
        col = func.coalesce(col, col)
    conds: list[ColumnElement] = []
    if f.start is not None:
        conds.append(col >= day_start(f.start))
    if f.end is not None:
        conds.append(col < day_start(f.end + dt.timedelta(days=1)))
    return conds


def scope(stmt: Select, f: Filters, *, joined: Sequence[str] = ()) -> Select:
    """Add the role/country/region/channel filters to a statement selecting from ``applications``.

    ``joined`` names tables the statement already joins ("candidates", "roles").
    """
    if (f.countries or f.regions or f.channels) and "candidates" not in joined:
        stmt = stmt.join(Candidate, Candidate.id == Application.candidate_id)
    if f.roles and "roles" not in joined:
        stmt = stmt.join(Role, Role.id == Application.role_id)
    stmt = stmt.where(*candidate_conditions(f))
    if f.roles:
        stmt = stmt.where(Role.key.in_(f.roles))
    return stmt


def weighted_quantile(values: Sequence[float], counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile of a histogram (values with counts), lower-median convention
    interpolated like numpy's ``linear`` method on the expanded sample."""
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
