"""Strict CSV reading shared by every CSV import (candidates, events, roles, feedback).

Python's csv reader, by default, lets a quote that is never closed swallow the rest of the
file into one cell, so a broken file imports "successfully" with fewer, damaged rows. Here the
reader is strict and any quoting error becomes an ``InputError`` naming the file, the row
(the header is row 1, as a spreadsheet shows it) and the line where the bad row starts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from data.errors import InputError


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
