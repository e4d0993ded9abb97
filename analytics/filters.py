"""The global filters every dashboard page and report applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


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
