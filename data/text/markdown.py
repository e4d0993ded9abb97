"""Markdown structure of strategy documents: headings, list items, terms, and skipped blocks.

Pure text work on a document's lines (line ``n`` is ``lines[n - 1]``): which lines are
headings, list items or paragraphs, the "term: description" split of an item, which lines are
code, formulae or diagrams (not prose), a document's title and the heading nearest a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from data.text.mermaid import Diagram


@dataclass(frozen=True)
class Line:
    """One line of a document read as Markdown (``text`` without markup)."""

    number: int
    raw: str
    kind: Literal["heading", "item", "para"]
    text: str  # markup removed
    term: str | None = None  # the "term" of "term: description" items and bold-led lines
    body: str = ""  # the description after the term


HEADING_RE = re.compile(r"^\s*#{1,6}\s+(.*)$")
_NUMBEREDHEADING_RE = re.compile(r"^\s*\d+(?:\.\d+)+\.?\s+(\S.*)$")
_ITEM_RE = re.compile(r"^\s*(?:[-*+•·]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*(.*)$")
_BOLD_TERM_RE = re.compile(r"^\*\*(.+?)\*\*\s*[:：]?\s*(.*)$")
_COLON_TERM_RE = re.compile(r"^([^:：。，,；;]{1,40}?)\s*[:：]\s*(.*)$")


def strip_markup(text: str) -> str:
    """Text without bold, italic and code markers, spaces collapsed."""
    text = re.sub(r"\*\*|__|`", "", text)
    return re.sub(r"\s+", " ", text).strip()


def structure(lines: Sequence[str], skip: set[int]) -> list[Line]:
    """Each line that is not skipped or blank, as a heading, list item or paragraph."""
    out: list[Line] = []
    for k, raw in enumerate(lines, start=1):
        if k in skip or not raw.strip():
            continue
        m = HEADING_RE.match(raw)
        if m:
            out.append(Line(k, raw, "heading", strip_markup(strip_number(m.group(1)))))
            continue
        stripped = raw.strip()
        bold_line = re.fullmatch(r"\*\*(.+?)\*\*", stripped)
        if bold_line:
            out.append(Line(k, raw, "heading", strip_markup(strip_number(bold_line.group(1)))))
            continue
        m = _NUMBEREDHEADING_RE.match(raw)
        if m and len(m.group(1)) <= 40 and not re.search(r"[:：]", m.group(1)):
            out.append(Line(k, raw, "heading", strip_markup(m.group(1))))
            continue
        m = _ITEM_RE.match(raw)
        if m and m.group(1).strip():
            term, body = split_term(m.group(1))
            out.append(Line(k, raw, "item", strip_markup(m.group(1)), term, body))
            continue
        term, body = split_term(stripped) if stripped.startswith("**") else (None, "")
        out.append(Line(k, raw, "para", strip_markup(stripped), term, body))
    return out


def strip_number(text: str) -> str:
    """A heading without its section number ("2.1", "三、")."""
    return re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+[、.])\s*", "", text).strip()


def split_term(text: str) -> tuple[str | None, str]:
    """``(term, description)`` of "**term**: description" or "term: description"."""
    text = text.strip()
    m = _BOLD_TERM_RE.match(text)
    if m:
        term = strip_markup(m.group(1)).rstrip(":：").strip()
        return (term or None), strip_markup(m.group(2))
    m = _COLON_TERM_RE.match(strip_markup(text))
    if m and not re.search(r"https?$", m.group(1)):
        return m.group(1).strip(), m.group(2).strip()
    return None, strip_markup(text)


def skipped_lines(lines: Sequence[str], diagrams: Sequence[Diagram]) -> set[int]:
    """Line numbers that are code, formulae or diagrams: not prose to read roles from."""
    skip: set[int] = set()
    for d in diagrams:
        skip.update(range(d.line_start, d.line_end + 1))
    fence: str | None = None
    math = False
    for k, line in enumerate(lines, start=1):
        s = line.strip()
        if fence:
            skip.add(k)
            if s.startswith(fence) and not s.strip(fence[0]):
                fence = None
            continue
        m = re.match(r"^(`{3,}|~{3,})", s)
        if m:
            fence = m.group(1)
            skip.add(k)
            continue
        if math:
            skip.add(k)
            if s.endswith("$$"):  # "$$" alone or "\end{bmatrix}$$" closes the formula
                math = False
            continue
        if s.startswith("$$"):
            skip.add(k)
            math = s == "$$" or not s.endswith("$$")  # "$$ x = 1 $$" is one line
    return skip


def document_title(lines: Sequence[str]) -> str | None:
    """The first Markdown heading among the first lines, else the first line of text."""
    first = [line for line in lines if line.strip()][:5]
    for line in first:
        m = re.match(r"^\s*#{1,6}\s+(.+)", line)
        if m:
            return strip_markup(m.group(1))[:500] or None
    return strip_markup(first[0])[:500] or None if first else None


# --- what the text says: line structure ----------------------------------------------------


def nearest_heading(lines: Sequence[str], before: int) -> str | None:
    """The heading just above line ``before`` (a few short lines may sit between)."""
    for k in range(before - 1, max(0, before - 8), -1):
        s = lines[k - 1].strip()
        if not s:
            continue
        m = HEADING_RE.match(s) or _NUMBEREDHEADING_RE.match(s) or re.fullmatch(r"\*\*(.+)\*\*", s)
        if m:
            return strip_markup(strip_number(m.group(1)))[:150] or None
        if len(s) <= 40 and not s.startswith("```"):
            continue
        break
    return None
