"""Conditions for the global filters, shared by every query that narrows candidates.

Filters are duck-typed (``analytics.filters.Filters``-shaped: ``countries``, ``regions``,
``channels``), since data/ imports nothing above it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from data.store.models import Candidate


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
