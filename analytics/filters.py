"""The global filters every dashboard page and report applies (defined, and applied to SQL,
in ``data.queries.filters``)."""

from __future__ import annotations

from data.queries.filters import Filters

__all__ = ["Filters"]
