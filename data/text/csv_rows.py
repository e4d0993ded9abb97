"""Strict CSV reading shared by every CSV import (candidates, events, roles, feedback):
``read_table`` is the one reader; ``check_date`` and ``parse_int`` the range checks.

Python's csv reader, by default, lets a quote that is never closed swallow the rest of the
file into one cell, so a broken file imports "successfully" with fewer, damaged rows. Here the
reader is strict and any quoting error becomes an ``InputError`` naming the file, the row
(the header is row 1, as a spreadsheet shows it) and the line where the bad row starts.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from data.errors import InputError
from data.text.decoding import decode_text


def csv_rows(text: str, file: str, dialect: Any = csv.excel) -> Iterator[list[str]]:
    """The records of CSV ``text`` (the header first); raises ``InputError`` on bad quoting.

    Blank lines are yielded as empty records so that callers numbering records count them
    like a spreadsheet does.
    """
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    row = 0
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if "end of data" in str(err):
                message = (
                    "a quote opened in this row is never closed, so the rest of the "
                    "file would be read as one cell: close the quote or remove it"
                )
            else:
                message = (
                    f"badly quoted cell ({err}): a quote inside a quoted cell must be "
                    'doubled (""); close the quote or remove it'
                )
            raise InputError(message, file=file, row=row + 1, line=start_line) from None
        row += 1
        yield cells


# --- the one strict table reader -----------------------------------------------------------

MAX_CELL = 100_000
"""Characters in one cell; a longer one is refused naming its row and field (the csv module's
own limit was reported as a quoting error with no field)."""

FIX = "save it as CSV UTF-8"

csv.field_size_limit(2**31 - 1)  # files are size-limited before reading; cells checked below

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


class ImplausibleDate(ValueError):
    """A date outside ``EARLIEST`` .. one year from today (a year 9999 is a typo, and would
    overflow date arithmetic in every report)."""


class OutOfRange(ValueError):
    """A whole number outside the range a field allows (a headcount of 10**29)."""


EARLIEST = dt.date(1950, 1, 1)


def latest_plausible(today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) + dt.timedelta(days=366)


def check_date(value: dt.date, *, today: dt.date | None = None) -> None:
    """Raise ``ImplausibleDate`` unless ``value`` lies between 1950 and a year from today."""
    day = value.date() if isinstance(value, dt.datetime) else value
    hi = latest_plausible(today)
    if not EARLIEST <= day <= hi:
        raise ImplausibleDate(
            f"date {value.isoformat()} is outside {EARLIEST.isoformat()} .. {hi.isoformat()}: "
            "check the year"
        )


def parse_int(value: str, *, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``; ``ValueError`` (``OutOfRange`` when it is a
    number, just too big or small) otherwise. Digits are checked before ``int()`` so a 5,000-
    digit cell costs nothing."""
    v = value.strip()
    digits = v[1:] if v[:1] in ("+", "-") else v
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{value[:40]!r} is not a whole number")
    if len(digits) > 30:
        raise OutOfRange(f"a {len(digits)}-digit number is outside {low} .. {high}")
    n = int(v)
    if not low <= n <= high:
        raise OutOfRange(f"{n} is outside {low} .. {high}")
    return n


def decode_csv(raw: bytes, file: str) -> str:
    """The text of a CSV file, decoded as every importer decodes (``decoding.decode_text``),
    except that NUL characters are kept so the table reader can name their row and field."""
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # the encodings decided without a BOM are ASCII-compatible: a NUL byte is a NUL there
        encoding = decode_text(raw.replace(b"\x00", b""), file, fix=FIX).encoding
        return raw.decode(encoding)
    return decode_text(raw, file, fix=FIX).text


@dataclass
class Table:
    """A checked CSV table: its columns and ``(row number, {column: stripped value})``; the
    header is row 1. ``errors`` lists every bad header cell and row (nothing is stored then)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def read_table(
    raw: bytes,
    file: str,
    *,
    columns: Collection[str],
    required: Iterable[str] = (),
    delimiters: str = ",",
    max_chars: Mapping[str, int] | None = None,
) -> Table:
    """The one strict reader of every CSV import (candidates, events, roles, feedback).

    RFC 4180 quoting (``""`` inside a quoted cell is one quote; no dialect guessing); the
    delimiter is the first of ``delimiters`` the header uses. Refused, each naming file, row
    and field: unknown, duplicate and missing columns, rows with more cells than the header, NUL
    characters, cells over ``max_chars`` (default ``MAX_CELL``) characters.
    """
    text = decode_csv(raw, file)
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in delimiters if d in first), delimiters[0])
    if delimiter == "," and "," not in first:
        for d, name in _DELIMITERS.items():
            if d != "," and d in first:
                raise InputError(
                    f"the header is one cell with {name} in it: save the file as "
                    "comma-separated CSV (Excel: CSV UTF-8)",
                    file=file,
                    row=1,
                )
    dialect = _dialect(delimiter)
    reader = csv_rows(text, file, dialect)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InputError("the file is empty; the first row must name the columns", file=file, row=1)
    cols = [h.strip().lower() for h in header]
    table = Table(cols)
    err = table.errors
    known = list(columns)
    for col in required:
        if col not in cols:
            err.append(
                InputError(
                    f"missing column '{col}'; the header has: {', '.join(cols)}",
                    file=file,
                    row=1,
                    field=col,
                )
            )
    seen: set[str] = set()
    for k, col in enumerate(cols, start=1):
        if "\x00" in col:
            err.append(InputError("a NUL character in the header", file=file, row=1))
        elif not col:
            err.append(
                InputError(f"column {k} has no name: name it or delete it", file=file, row=1)
            )
        elif col not in known:
            err.append(
                InputError(
                    f"unknown column '{col[:60]}'; known columns: {', '.join(known)}",
                    file=file,
                    row=1,
                    field=col[:60],
                )
            )
        elif col in seen:
            err.append(InputError(f"column '{col}' appears twice", file=file, row=1, field=col))
        seen.add(col)
    limits = max_chars or {}
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) > len(cols):
            err.append(
                InputError(
                    f"{len(values)} cells but the header has {len(cols)} columns (a "
                    f"{'comma' if delimiter == ',' else 'delimiter'} inside a value needs quotes)",
                    file=file,
                    row=n,
                )
            )
            continue
        values = values + [""] * (len(cols) - len(values))
        row = {c: v.strip() for c, v in zip(cols, values, strict=True) if c}
        bad = False
        for col, value in row.items():
            limit = limits.get(col, MAX_CELL)
            if "\x00" in value:
                err.append(
                    InputError(
                        "contains a NUL character (a damaged or binary file?): remove it",
                        file=file,
                        row=n,
                        field=col,
                    )
                )
                bad = True
            elif len(value) > limit:
                err.append(
                    InputError(
                        f"{len(value)} characters, more than {limit}: shorten it",
                        file=file,
                        row=n,
                        field=col,
                    )
                )
                bad = True
        if not bad:
            table.rows.append((n, row))
    return table


def _dialect(delimiter: str) -> type[csv.Dialect]:
    class Rfc4180(csv.excel):
        pass

    Rfc4180.delimiter = delimiter
    return Rfc4180
