"""Importers of your own data into the store (CSV: candidates, stage events)."""
from data.importers.csv_import import (
    CANDIDATE_COLUMNS,
    EVENT_COLUMNS,
    ImportResult,
    import_candidates,
    import_events,
    new_pseudonym,
    parse_when,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "EVENT_COLUMNS",
    "ImportResult",
    "import_candidates",
    "import_events",
    "new_pseudonym",
    "parse_when",
]
