"""Markdown structure of strategy documents: headings, list items, terms, and skipped blocks.

Pure text work on a document's lines (line ``n`` is ``lines[n - 1]``): which lines are
headings, list items or paragraphs, the "term: description" split of an item, which lines are
code, formulae or diagrams (not prose), a document's title and the heading nearest a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
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


# Section headings every long report has (the outline these strategy write-ups follow):
# never a document's title, numbered or not. Chinese ones match as a prefix ("总结：未来…"),
# English ones as whole words ("Introduction", "Background and goals").
GENERIC_HEADINGS_ZH: tuple[str, ...] = (
    "背景介绍", "背景", "概述", "概要", "简介", "引言", "前言", "导言", "导读", "目录", "摘要",
    "核心概念与联系", "核心概念", "核心算法原理", "数学模型", "项目实践", "项目实战",
    "具体最佳实践", "实际应用场景", "应用场景", "工具和资源推荐", "工具与资源", "总结", "结论",
    "结语", "附录", "扩展阅读", "参考资料", "参考文献", "致谢", "作者简介",
)  # fmt: skip
GENERIC_HEADINGS_EN: tuple[str, ...] = (
    "introduction", "background", "overview", "contents", "table of contents", "toc",
    "summary", "executive summary", "abstract", "preface", "conclusion", "conclusions",
    "appendix", "references", "further reading", "acknowledgements", "about the author",
)  # fmt: skip
_FENCE_LINE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_TITLE_HEADING_RE = re.compile(r"^\s{0,3}#{1,2}\s+(.*?)\s*#*\s*$")
_NUMBERED_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.、)）]?|[一二三四五六七八九十]+[、.])\s*\S")


def _section_number_off(text: str) -> str:
    """A heading without a section number ("2.", "3.1", "三、"); a year ("2027 年…") stays."""
    return re.sub(
        r"^\s*(?:\d{1,2}(?:\.\d{1,2})*(?!\d)(?:[.、)）]\s*|\s+)|[一二三四五六七八九十]+[、.]\s*)(?=\S)",
        "",
        text,
    ).strip()


def is_generic_heading(text: str) -> bool:
    """Whether a heading names a standard section (背景介绍, 1. Introduction, 目录 …)."""
    s = _section_number_off(strip_markup(text)).strip(" :：-—–·.。").casefold()
    if not s:
        return True
    if any(s.startswith(g) for g in GENERIC_HEADINGS_ZH):
        return True
    return any(re.match(rf"{re.escape(g)}(?![a-z])", s) for g in GENERIC_HEADINGS_EN)


_CODE_LINE_RE = re.compile(
    r"^\s*(?:import\s|from\s+\S+\s+import\s|def\s|class\s|print\(|return\b|[\w.\[\]]+\s*=[^=]"
    r"|[\w.]+\(.*\)\s*$)|[;{}\[\]]\s*$"
)


def _in_bare_code(lines: Sequence[str], k: int) -> bool:
    """Whether ``# text`` on line ``k`` is a comment in code pasted without a fence: the
    nearest non-blank line above or below reads as code."""

    def near(step: int) -> str:
        j = k + step
        while 0 <= j < len(lines) and not lines[j].strip():
            j += step
        return lines[j] if 0 <= j < len(lines) else ""

    return any(_CODE_LINE_RE.search(near(step)) for step in (-1, 1))


def document_title(lines: Sequence[str], file_name: str | None = None) -> str | None:
    """A document's title: its first H1/H2 heading (outside code blocks) that is not a
    standard section such as "1. 背景介绍" or "Introduction" (``is_generic_heading``),
    shown without its section number; in a text without Markdown headings, its first line
    when that is short and not numbered; else the file name without its extension."""
    fence: str | None = None
    headings: list[str] = []
    any_heading = False
    previous = ""
    for k, line in enumerate(lines):
        m = _FENCE_LINE_RE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark[0] * len(mark)
            elif line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            previous = ""
            continue
        if fence is not None:
            continue
        if HEADING_RE.match(line) and not _in_bare_code(lines, k):
            any_heading = True
            h = _TITLE_HEADING_RE.match(line)
            if h:
                headings.append(h.group(1))
        elif re.fullmatch(r"\s{0,3}=+\s*", line) and previous.strip():
            headings.append(previous.strip())  # a Setext title: the line above "====="
            any_heading = True
        previous = line
    for text in headings:
        if not is_generic_heading(text):
            return _section_number_off(strip_markup(text))[:500] or None
    if not any_heading:
        first = next((ln.strip() for ln in lines if ln.strip()), "")
        if (
            first
            and len(first) <= 80
            and not _NUMBERED_RE.match(first)
            and not _CODE_LINE_RE.search(first)
            and not first.startswith((">", "-", "*", "|", "```", "~~~"))
            and not is_generic_heading(first)
        ):
            return strip_markup(first)[:500] or None
    if file_name:
        stem = PurePath(file_name).stem.strip()
        return stem[:500] or None
    return None


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
