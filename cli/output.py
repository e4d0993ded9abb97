"""Shared output helpers for the commands: formats, aligned tables, JSON."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from rich.cells import cell_len


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain aligned columns, no truncation (a Chinese character counts two cells wide)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(cell_len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(v + " " * (w - cell_len(v)) for v, w in zip(r, widths, strict=True)).rstrip()
        for r in cells
    )


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for dates and datetimes."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
