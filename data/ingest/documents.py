"""Strategy documents → roles, duties, skills, strategies, pipelines and diagrams, with provenance.

HR teams write their talent strategy in Markdown or plain text, Chinese or English, often with a
mermaid flowchart of their hiring pipeline. This module

1. reads such a file safely (``read_document``: UTF-8 with or without BOM, GB18030/GBK as the
   fallback; binary, empty and undecodable files are refused with a message naming the file);
2. extracts what it says (``extract_document``, pure, no database): every item carries the line
   span it came from, so a reader can check it against the source;
3. stores it (``import_documents``): one ``documents`` row per file path, its ``extractions``,
   pipelines with ordered stages, roles (``source="document"``) and their skills. A file is
   stored once per content hash, a changed file replaces its earlier extraction, and each file
   is one transaction: a bad file stores nothing and the others still import.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from data.errors import InputError, NotFoundError
from data.reference.stages import find_strategy, stage_label
from data.store.audit import record
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Document,
    Extraction,
    Pipeline,
    PipelineStage,
    Role,
    RoleSkill,
)
from data.text.mermaid import Diagram, analyse, find_diagrams

SUFFIXES = (".md", ".markdown", ".txt")
EMBED_THRESHOLD = 0.93
"""Cosine similarity above which a phrase is taken to name a taxonomy skill. Measured with the
multilingual encoder on the seed documents: true matches score 0.97-0.99 (医学图像分析 →
medical imaging, 评估模型 → model evaluation), the best wrong ones 0.80-0.91 (模型优化 → LLM
inference, 模型构建 → BIM)."""

EmbedFn = Callable[[list[str]], np.ndarray]
Progress = Callable[[int, int, str], None]
Language = Literal["zh", "en", "mixed"]


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentText:
    """A decoded document: its text split into lines (line ``n`` is ``lines[n - 1]``)."""

    path: Path
    text: str
    lines: list[str]
    encoding: str
    language: Language
    sha256: str
    title: str | None


_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP/Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Office file",
    b"\x7fELF": "a program",
}


def read_document(path: str | Path) -> DocumentText:
    """Read and decode one .md/.txt strategy document.

    Raises ``InputError`` naming the file when it is missing, not .md/.txt, empty, binary, or
    in an encoding other than UTF-8 (BOM optional), UTF-16 with a BOM, or GB18030/GBK.
    """
    p = Path(path)
    name = str(p)
    if not p.is_file():
        raise InputError("file not found; pass an existing .md or .txt file or a folder", file=name)
    if p.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"unsupported file type {p.suffix or '(none)'!r}; TalentMap reads "
            "strategy documents saved as .md or .txt",
            file=name,
        )
    if len(name) > 500:  # the store keeps the path (at most 500 characters) as its identity
        raise InputError(
            f"the path is {len(name)} characters long; move the file to a "
            "folder with a path under 500 characters",
            file=p.name,
        )
    raw = p.read_bytes()
    if not raw.strip():
        raise InputError(
            "the file is empty; write the strategy into it and import it again", file=name, line=1
        )
    text, encoding = _decode(raw, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _control_line(text)
    if bad is not None:
        raise InputError(
            "binary content (control characters) in a text file; save the document "
            "as plain UTF-8 text",
            file=name,
            line=bad,
        )
    if not text.strip():
        raise InputError(
            "the file is empty; write the strategy into it and import it again", file=name, line=1
        )
    lines = text.split("\n")
    return DocumentText(
        path=p,
        text=text,
        lines=lines,
        encoding=encoding,
        language=detect_language(text),
        sha256=hashlib.sha256(raw).hexdigest(),
        title=_title(lines),
    )


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise InputError(
                f"binary file ({what}), not text; export the document as .md or .txt",
                file=name,
                line=1,
            )
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise _undecodable(name, raw, err.start) from None
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[2:].decode(enc), "utf-16"
            except UnicodeDecodeError as err:
                raise _undecodable(name, raw, err.start + 2) from None
    if b"\x00" in raw:
        if _looks_utf16(raw):
            raise InputError(
                "unknown encoding (it looks like UTF-16 without a byte-order mark); "
                "save it as UTF-8",
                file=name,
                line=1,
            )
        k = raw.index(b"\x00")
        raise InputError(
            "binary file (it contains NUL bytes), not text; export the document as .md or .txt",
            file=name,
            line=raw.count(b"\n", 0, k) + 1,
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_err:
        if _mostly_utf8(raw):
            raise InputError(
                "damaged UTF-8 text (an invalid byte among valid UTF-8); fix that "
                "line or save the file as UTF-8 again",
                file=name,
                line=raw.count(b"\n", 0, utf8_err.start) + 1,
            ) from None
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise _undecodable(name, raw, utf8_err.start) from None
        if not _plausible_chinese(text):
            raise _undecodable(name, raw, utf8_err.start) from None
        return text, "gb18030"


def _mostly_utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8 but for a few damaged bytes (then GB18030 would only turn
    them into plausible-looking nonsense)."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= 10 and bad * 20 <= good


def _undecodable(name: str, raw: bytes, offset: int) -> InputError:
    return InputError(
        "unknown encoding: neither UTF-8 nor GB18030/GBK; save it as UTF-8",
        file=name,
        line=raw.count(b"\n", 0, offset) + 1,
    )


def _looks_utf16(raw: bytes) -> bool:
    """Whether NUL-holding bytes read as UTF-16 text (Chinese or ASCII) in either byte order."""
    if len(raw) % 2:
        return False
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        ok = sum(
            1
            for ch in text
            if (" " <= ch <= "~")
            or ch in "\n\r\t"
            or "\u4e00" <= ch <= "\u9fff"
            or "\u3000" <= ch <= "\u303f"
            or "\uff00" <= ch <= "\uffef"
        )
        if ok >= 0.9 * len(text):
            return True
    return False


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes many byte strings; accept only text that reads as CJK or ASCII."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    common = sum(
        1
        for ch in non_ascii
        if "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’—…·"
    )
    return common / len(non_ascii) >= 0.9


def _control_line(text: str) -> int | None:
    for k, line in enumerate(text.split("\n")):
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\f\v" for ch in line):
            return k + 1
    return None


_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> Language:
    """``zh``, ``en`` or ``mixed``, from the share of Chinese characters against English words
    outside code blocks (one English word weighs as much as two Chinese characters)."""
    prose = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    cjk = len(_CJK_RE.findall(prose))
    latin = len(_LATIN_WORD_RE.findall(prose)) * 2
    if cjk + latin == 0:
        return "en"
    share = cjk / (cjk + latin)
    return "zh" if share >= 0.7 else "en" if share <= 0.1 else "mixed"


def _title(lines: list[str]) -> str | None:
    """The first Markdown heading among the first lines, else the first line of text."""
    first = [line for line in lines if line.strip()][:5]
    for line in first:
        m = re.match(r"^\s*#{1,6}\s+(.+)", line)
        if m:
            return _strip_markup(m.group(1))[:500] or None
    return _strip_markup(first[0])[:500] or None if first else None


# --- what the text says: line structure ----------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    raw: str
    kind: Literal["heading", "item", "para"]
    text: str  # markup removed
    term: str | None = None  # the "term" of "term: description" items and bold-led lines
    body: str = ""  # the description after the term


_HEADING_RE = re.compile(r"^\s*#{1,6}\s+(.*)$")
_NUMBERED_HEADING_RE = re.compile(r"^\s*\d+(?:\.\d+)+\.?\s+(\S.*)$")
_ITEM_RE = re.compile(r"^\s*(?:[-*+•·]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*(.*)$")
_BOLD_TERM_RE = re.compile(r"^\*\*(.+?)\*\*\s*[:：]?\s*(.*)$")
_COLON_TERM_RE = re.compile(r"^([^:：。，,；;]{1,40}?)\s*[:：]\s*(.*)$")


def _strip_markup(text: str) -> str:
    text = re.sub(r"\*\*|__|`", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _structure(doc: DocumentText, skip: set[int]) -> list[_Line]:
    out: list[_Line] = []
    for k, raw in enumerate(doc.lines, start=1):
        if k in skip or not raw.strip():
            continue
        m = _HEADING_RE.match(raw)
        if m:
            out.append(_Line(k, raw, "heading", _strip_markup(_strip_number(m.group(1)))))
            continue
        stripped = raw.strip()
        bold_line = re.fullmatch(r"\*\*(.+?)\*\*", stripped)
        if bold_line:
            out.append(_Line(k, raw, "heading", _strip_markup(_strip_number(bold_line.group(1)))))
            continue
        m = _NUMBERED_HEADING_RE.match(raw)
        if m and len(m.group(1)) <= 40 and not re.search(r"[:：]", m.group(1)):
            out.append(_Line(k, raw, "heading", _strip_markup(m.group(1))))
            continue
        m = _ITEM_RE.match(raw)
        if m and m.group(1).strip():
            term, body = _split_term(m.group(1))
            out.append(_Line(k, raw, "item", _strip_markup(m.group(1)), term, body))
            continue
        term, body = _split_term(stripped) if stripped.startswith("**") else (None, "")
        out.append(_Line(k, raw, "para", _strip_markup(stripped), term, body))
    return out


def _strip_number(text: str) -> str:
    return re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+[、.])\s*", "", text).strip()


def _split_term(text: str) -> tuple[str | None, str]:
    text = text.strip()
    m = _BOLD_TERM_RE.match(text)
    if m:
        term = _strip_markup(m.group(1)).rstrip(":：").strip()
        return (term or None), _strip_markup(m.group(2))
    m = _COLON_TERM_RE.match(_strip_markup(text))
    if m and not re.search(r"https?$", m.group(1)):
        return m.group(1).strip(), m.group(2).strip()
    return None, _strip_markup(text)


def _skipped_lines(lines: list[str], diagrams: list[Diagram]) -> set[int]:
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


# --- extracted items -----------------------------------------------------------------------


@dataclass
class Item:
    """One extracted item with its provenance (1-based inclusive line span)."""

    kind: Literal["role", "skill", "strategy", "pipeline", "diagram", "duty"]
    label: str
    line_start: int
    line_end: int
    canonical_key: str | None = None
    category: str | None = None
    text: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class RoleFound:
    """A role the document names, where it is defined (or first named) and its duties."""

    key: str
    title_en: str
    title_zh: str
    family: str
    item: Item
    duties: list[Item] = field(default_factory=list)
    skills: set[str] = field(default_factory=set)
    nice: set[str] = field(default_factory=set)
    """Nice-to-have skills (a job posting's 优先 / preferred items)."""
    pay: dict[str, Any] | None = None
    level: str | None = None

    @property
    def defined(self) -> bool:
        return bool(self.duties)


@dataclass
class PipelineFound:
    """A mermaid block that reads as an ordered process."""

    name: str
    stages: list[tuple[str, str | None]]  # (label, canonical stage key or None)
    item: Item


@dataclass
class Extracted:
    """Everything read from one document (no database involved)."""

    document: DocumentText
    roles: list[RoleFound] = field(default_factory=list)
    skills: list[Item] = field(default_factory=list)
    strategies: list[Item] = field(default_factory=list)
    pipelines: list[PipelineFound] = field(default_factory=list)
    diagrams: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def items(self) -> list[Item]:
        """Every item, in document order."""
        out: list[Item] = [p.item for p in self.pipelines] + self.diagrams + self.skills
        out += self.strategies
        for r in self.roles:
            out += [r.item, *r.duties]
        return sorted(out, key=lambda i: (i.line_start, i.kind))

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for i in self.items():
            c[i.kind] = c.get(i.kind, 0) + 1
        return c


# --- role titles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleTitle:
    """A job title in both languages, its role family and the other names it goes by."""

    key: str
    title_en: str
    title_zh: str
    family: str
    aliases: tuple[str, ...]


@functools.cache
def role_titles() -> tuple[RoleTitle, ...]:
    """The bilingual job-title table of ``data/reference/role_titles.yaml``."""
    path = Path(__file__).resolve().parents[1] / "reference" / "role_titles.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        RoleTitle(
            r["key"], r["title_en"], r["title_zh"], r["family"], tuple(r.get("aliases") or ())
        )
        for r in raw
    )


@functools.cache
def _title_matcher() -> tuple[re.Pattern[str], dict[str, RoleTitle]]:
    forms: dict[str, RoleTitle] = {}
    for t in role_titles():
        for f in (t.title_zh, t.title_en, *t.aliases):
            forms.setdefault(_fold(f), t)
    alts = []
    for f in sorted(forms, key=len, reverse=True):
        esc = re.escape(f).replace(r"\ ", r"\s?")
        alts.append(rf"(?<![a-z0-9]){esc}(?![a-z0-9])" if f.isascii() else esc)
    return re.compile("|".join(alts), re.IGNORECASE), forms


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def find_role_titles(text: str) -> list[tuple[RoleTitle, int, int]]:
    """Job titles named in ``text`` as ``(title, start, end)``, longest first at each place."""
    pattern, forms = _title_matcher()
    out = []
    for m in pattern.finditer(text):
        key = re.sub(r"\s", "", _fold(m.group(0)))
        title = forms.get(_fold(m.group(0))) or next(
            (t for f, t in forms.items() if re.sub(r"\s", "", f) == key), None
        )
        if title:
            out.append((title, m.start(), m.end()))
    return out


_DUTY_SPLIT_RE = re.compile(r"\s*(?:[;；。]|[，,]\s*(?=并|同时|以及|and\b))\s*")


def _duties(body: str) -> list[str]:
    parts = []
    for piece in _DUTY_SPLIT_RE.split(body):
        piece = re.sub(r"^(?:并|同时|以及|and)\s*", "", piece.strip()).strip(" ，,。.")
        if len(piece) >= 2:
            parts.append(piece)
    return parts


# --- extraction ----------------------------------------------------------------------------


_CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "attraction": ("吸引", "招揽", "attract", "recruit"),
    "retention": ("留住", "保留", "留存", "留任", "retain", "retention"),
    "cultivation": ("培养", "培训", "cultivat", "training", "develop talent"),
}
_CHALLENGE_WORDS = ("挑战", "问题", "风险", "难点", "challenge", "risk")


def _context(text: str) -> tuple[str | None, bool]:
    """The strategy category a heading or intro sentence sets (if exactly one) and whether it
    introduces challenges rather than strategies."""
    low = text.casefold()
    cats = [c for c, words in _CONTEXT_WORDS.items() if any(w in low for w in words)]
    challenge = any(w in low for w in _CHALLENGE_WORDS) and "策略" not in low
    return (cats[0] if len(cats) == 1 else None), challenge


def extract_document(
    doc: DocumentText,
    *,
    taxonomy: Any | None = None,
    embed_fn: EmbedFn | None = None,
    embed_threshold: float = EMBED_THRESHOLD,
    skill_vectors: Any | None = None,
) -> Extracted:
    """Read roles, duties, skills, strategies, pipelines and diagrams from ``doc``.

    ``taxonomy`` is a ``data.text.taxonomy.Taxonomy`` (skills are matched by name and alias);
    ``embed_fn`` (optional) embeds phrases the aliases miss and matches them to skill names
    above ``embed_threshold``. Raises ``InputError`` (file and line) for a malformed mermaid
    block or a stage flowchart whose order is unclear.
    """
    file = str(doc.path)
    out = Extracted(document=doc)
    diagrams = find_diagrams(doc.lines, file=file)
    _read_diagrams(doc, diagrams, out)
    skip = _skipped_lines(doc.lines, diagrams)
    lines = _structure(doc, skip)
    _read_roles_and_strategies(lines, out)
    if taxonomy is not None:
        _read_skills(lines, taxonomy, out, embed_fn, embed_threshold, skill_vectors)
        posting = _posting_role(doc, taxonomy)
        if posting is not None:  # a job posting: its own role, not the colleagues it names
            out.roles = [posting]
            out.notes.append(f"read as a job posting: the role {posting.item.label!r}")
    return out


def _posting_role(doc: DocumentText, taxonomy: Any) -> RoleFound | None:
    """The role a job posting describes, with its required and nice-to-have skills."""
    from data.ingest.roles import slugify
    from data.text.postings import looks_like_posting, read_posting

    if not looks_like_posting(doc.text):
        return None
    draft = read_posting(doc.text, taxonomy)
    if not draft.title or not draft.required:
        return None
    titles = [t for t in find_role_titles(draft.title) if t[2] - t[1] >= len(draft.title) - 2]
    known = titles[0][0] if titles else None
    key = known.key if known else slugify(draft.title)
    zh = any("\u4e00" <= c <= "\u9fff" for c in draft.title)
    title_en = known.title_en if known and zh else draft.title
    title_zh = draft.title if zh else (known.title_zh if known else draft.title)
    line = next((i for i, ln in enumerate(doc.lines, 1) if draft.title in ln), 1)
    item = Item(
        "role",
        draft.title[:500],
        line,
        line,
        canonical_key=key,
        category=known.family if known else "general",
        text=doc.lines[line - 1].strip() if doc.lines else draft.title,
        payload={
            "title_en": title_en,
            "title_zh": title_zh,
            "mention_only": False,
            "posting": True,
            "pay": draft.pay.to_json() if draft.pay else None,
            "nice_skills": [s.key for s in draft.nice],
        },
    )
    found = RoleFound(key, title_en, title_zh, item.category or "general", item)
    if draft.description:
        found.duties.append(
            Item(
                "duty",
                draft.description[:500],
                line,
                len(doc.lines) or line,
                canonical_key=key,
                text=draft.description,
                payload={"role": key},
            )
        )
    found.skills = {s.key for s in draft.required}
    found.nice = {s.key for s in draft.nice}
    found.pay = draft.pay.to_json() if draft.pay else None
    found.level = draft.level
    return found


def _nearest_heading(lines: list[str], before: int) -> str | None:
    for k in range(before - 1, max(0, before - 8), -1):
        s = lines[k - 1].strip()
        if not s:
            continue
        m = (
            _HEADING_RE.match(s)
            or _NUMBERED_HEADING_RE.match(s)
            or re.fullmatch(r"\*\*(.+)\*\*", s)
        )
        if m:
            return _strip_markup(_strip_number(m.group(1)))[:150] or None
        if len(s) <= 40 and not s.startswith("```"):
            continue
        break
    return None


def _read_diagrams(doc: DocumentText, diagrams: list[Diagram], out: Extracted) -> None:
    file = str(doc.path)
    for d in diagrams:
        a = analyse(d)
        block = "\n".join(doc.lines[d.line_start - 1 : d.line_end])
        payload: dict[str, Any] = {
            "direction": d.direction,
            "nodes": [
                {
                    "id": n.id,
                    "label": n.label,
                    "shape": n.shape,
                    "line": n.line,
                    "stage": a.stage_keys.get(n.id),
                }
                for n in d.nodes.values()
            ],
            "edges": [
                {"source": e.source, "target": e.target, "label": e.label, "line": e.line}
                for e in d.edges
            ],
            "subgraphs": d.subgraphs,
            "notes": list(a.notes),
        }
        if a.kind == "unordered":
            raise InputError(
                f"this flowchart has no clear order: {a.problem}. Draw the pipeline as one chain "
                "(A --> B --> C) or split unrelated parts into separate blocks",
                file=file,
                line=a.problem_line or d.header_line,
            )
        chain = " → ".join(d.nodes[n].label for n in a.order) if a.order else None
        heading = _nearest_heading(doc.lines, d.line_start)
        if a.kind == "pipeline":
            stages_ = [(d.nodes[n].label, a.stage_keys.get(n)) for n in a.order]
            name = heading or f"{stages_[0][0]} → {stages_[-1][0]}"
            payload["order"] = list(a.order)
            payload["stages"] = [
                {
                    "label": lbl,
                    "stage": key,
                    "stage_en": stage_label(key, "en") if key else None,
                    "stage_zh": stage_label(key, "zh") if key else None,
                }
                for lbl, key in stages_
            ]
            item = Item(
                "pipeline", name[:500], d.line_start, d.line_end, text=block, payload=payload
            )
            out.pipelines.append(PipelineFound(name[:200], stages_, item))
            out.notes += [f"line {d.line_start}: {n}" for n in a.notes]
        else:
            if a.order:
                payload["order"] = list(a.order)
            if a.problem:
                payload["why_not_a_pipeline"] = a.problem
            label = heading or chain or ", ".join(d.labels()[:4])
            out.diagrams.append(
                Item("diagram", label[:500], d.line_start, d.line_end, text=block, payload=payload)
            )


def _read_roles_and_strategies(lines: list[_Line], out: Extracted) -> None:
    roles: dict[str, RoleFound] = {}
    context: str | None = None
    challenge = False
    audience = False  # a "who should read this" section names readers, not roles
    heading_role: RoleFound | None = None
    for ln in lines:
        if ln.kind != "item":
            context, challenge = _context(ln.text)
            heading_role = None
        if ln.kind == "heading":
            audience = bool(re.search(r"读者|受众|audience|who should read", ln.text, re.I))
        if audience:
            continue
        # a role defined by a heading: its list items below are its duties
        if ln.kind == "heading":
            titles = find_role_titles(ln.text)
            if titles and len(ln.text) - (titles[0][2] - titles[0][1]) <= 8:
                heading_role = _role(roles, titles[0], ln, titles[0][0].title_en)
                continue
        if ln.kind == "item" and heading_role is not None:
            for duty in _duties(ln.text):
                heading_role.duties.append(_duty_item(heading_role, duty, ln))
            continue
        # "- 机器学习工程师: 负责…" — a role with its duties on one line
        if ln.term:
            titles = find_role_titles(ln.term)
            covered = sum(e - s for _, s, e in titles)
            if titles and len(ln.term) - covered <= 2 + 4 * len(titles):
                for hit in titles:  # "人力资源经理和培训师: 负责…" gives both the same duties
                    role = _role(roles, hit, ln, ln.term[hit[1] : hit[2]])
                    for duty in _duties(ln.body):
                        role.duties.append(_duty_item(role, duty, ln))
                continue
        # strategies: list items (or bold-led lines) whose term names one
        if ln.kind == "item" or ln.term:
            candidate = ln.term or (ln.text if len(ln.text) <= 40 else None)
            if candidate:
                _strategy(candidate, ln, context, challenge, out)
        # any other mention of a job title
        for title, start, end in find_role_titles(ln.text):
            if title.key not in roles:
                _role(roles, (title, start, end), ln, ln.text[start:end], mention=True)
    out.roles = list(roles.values())


def _role(
    roles: dict[str, RoleFound],
    hit: tuple[RoleTitle, int, int],
    ln: _Line,
    surface: str,
    *,
    mention: bool = False,
) -> RoleFound:
    title = hit[0]
    found = roles.get(title.key)
    if found is None or (not found.defined and not mention):
        label = _surface_title(ln.raw, title) or surface
        item = Item(
            "role",
            label,
            ln.number,
            ln.number,
            canonical_key=title.key,
            category=title.family,
            text=ln.raw.strip(),
            payload={
                "title_en": title.title_en,
                "title_zh": title.title_zh,
                "mention_only": mention,
            },
        )
        if found is None:
            found = RoleFound(title.key, title.title_en, title.title_zh, title.family, item)
            roles[title.key] = found
        else:
            found.item = item
    return found


def _surface_title(raw: str, title: RoleTitle) -> str | None:
    for t, s, e in find_role_titles(raw):
        if t.key == title.key:
            return raw[s:e]
    return None


def _duty_item(role: RoleFound, duty: str, ln: _Line) -> Item:
    role.item.payload.setdefault("duties", []).append(duty)
    role.item.payload["mention_only"] = False
    return Item(
        "duty",
        duty[:500],
        ln.number,
        ln.number,
        canonical_key=role.key,
        text=ln.raw.strip(),
        payload={"role": role.key},
    )


def _strategy(
    candidate: str, ln: _Line, context: str | None, challenge: bool, out: Extracted
) -> None:
    hit = find_strategy(candidate)
    if hit is None:
        return
    label, _, _ = hit
    if challenge and label.category != "compliance_ethics":
        return
    category = (
        context
        if context and label.category in ("attraction", "retention", "cultivation")
        else label.category
    )
    surface = candidate if candidate in ln.raw else _strip_markup(candidate)
    out.strategies.append(
        Item(
            "strategy",
            surface[:500],
            ln.number,
            ln.number,
            canonical_key=label.key,
            category=category,
            text=ln.text,
            payload={
                "en": label.en,
                "zh": label.zh,
                "default_category": label.category,
                "context_category": context,
            },
        )
    )


_GENERIC_PHRASES = re.compile(
    r"^(背景介绍|核心概念|总结|附录|参考资料|扩展阅读|优点|缺点|其中|示例|概述|目的和范围|预期读者|"
    r"introduction|summary|conclusion|appendix|references|overview|example)",
    re.IGNORECASE,
)


def _read_skills(
    lines: list[_Line],
    taxonomy: Any,
    out: Extracted,
    embed_fn: EmbedFn | None,
    threshold: float,
    skill_vectors: Any | None,
) -> None:
    found: dict[str, Item] = {}
    for ln in lines:
        for hit in taxonomy.find(ln.raw):
            item = found.get(hit.key)
            if item is None:
                sd = taxonomy.by_key[hit.key]
                found[hit.key] = Item(
                    "skill",
                    hit.surface,
                    ln.number,
                    ln.number,
                    canonical_key=hit.key,
                    category=sd.category,
                    text=ln.raw.strip(),
                    payload={
                        "name_en": sd.name_en,
                        "name_zh": sd.name_zh,
                        "method": "alias",
                        "lines": [ln.number],
                    },
                )
            elif ln.number not in item.payload["lines"] and len(item.payload["lines"]) < 100:
                item.payload["lines"].append(ln.number)
    if embed_fn is not None:
        for item in _embedding_skills(lines, taxonomy, found, embed_fn, threshold, skill_vectors):
            found.setdefault(item.canonical_key or "", item)
    out.skills = sorted(found.values(), key=lambda i: i.line_start)
    for role in out.roles:
        if role.defined:
            role.skills.update(taxonomy.keys_in(role.item.label))
        for duty in role.duties:
            role.skills.update(taxonomy.keys_in(duty.label))


@dataclass
class SkillVectors:
    """Taxonomy skill names embedded once per import run: row ``i`` names ``keys[i]``."""

    keys: list[str]
    matrix: np.ndarray


def embed_skill_names(taxonomy: Any, embed_fn: EmbedFn) -> SkillVectors:
    """Embed every skill's English and Chinese name (two rows per skill)."""
    keys, texts = [], []
    for sd in taxonomy.skills:
        for name in (sd.name_en, sd.name_zh):
            if name:
                keys.append(sd.key)
                texts.append(name)
    return SkillVectors(keys, _unit(np.asarray(embed_fn(texts), dtype=np.float32)))


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def _embedding_skills(
    lines: list[_Line],
    taxonomy: Any,
    found: dict[str, Item],
    embed_fn: EmbedFn,
    threshold: float,
    vectors: SkillVectors | None,
) -> list[Item]:
    """Skills named by list-item terms and headings that no alias matched."""
    phrases: dict[str, _Line] = {}
    for ln in lines:
        phrase = ln.term if ln.term else ln.text if ln.kind == "heading" else None
        if not phrase:
            continue
        phrase = _strip_markup(phrase).strip(" :：")
        if (
            not 2 <= len(phrase) <= 30
            or taxonomy.find(phrase)
            or _GENERIC_PHRASES.match(phrase)
            or find_strategy(phrase)
            or find_role_titles(phrase)
            or not re.search(r"[A-Za-z\u4e00-\u9fff]", phrase)
        ):
            continue
        phrases.setdefault(phrase, ln)
    if not phrases:
        return []
    vectors = vectors or embed_skill_names(taxonomy, embed_fn)
    texts = list(phrases)
    sims = _unit(np.asarray(embed_fn(texts), dtype=np.float32)) @ vectors.matrix.T
    items: list[Item] = []
    for i, phrase in enumerate(texts):
        j = int(np.argmax(sims[i]))
        score = float(sims[i, j])
        key = vectors.keys[j]
        if score < threshold or key in found:
            continue
        sd = taxonomy.by_key[key]
        ln = phrases[phrase]
        items.append(
            Item(
                "skill",
                phrase,
                ln.number,
                ln.number,
                canonical_key=key,
                category=sd.category,
                text=ln.raw.strip(),
                payload={
                    "name_en": sd.name_en,
                    "name_zh": sd.name_zh,
                    "method": "embedding",
                    "score": round(score, 4),
                    "lines": [ln.number],
                },
            )
        )
        found[key] = items[-1]
    return items


# --- storing -------------------------------------------------------------------------------


@dataclass
class DocumentResult:
    """What happened to one file."""

    file: str
    document_id: int
    status: Literal["imported", "unchanged", "replaced"]
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """Per-file outcome of ``import_documents``; ``failed`` holds ``(file, message)``."""

    imported: list[DocumentResult] = field(default_factory=list)
    unchanged: list[DocumentResult] = field(default_factory=list)
    replaced: list[DocumentResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The .md/.txt files named by ``paths`` (folders searched recursively, sorted), and a
    ``(path, message)`` for each path that does not exist or holds no such file."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                missing.append((str(p), f"{p}: no .md or .txt files in this folder"))
            files += found
        elif p.exists():
            files.append(p)
        else:
            missing.append((str(p), f"{p}: file not found; pass an existing file or folder"))
    seen: dict[Path, None] = {}
    for f in files:
        seen.setdefault(f.resolve(), None)
    return list(seen), missing


def import_documents(
    target: Session | Engine,
    paths: Sequence[str | Path],
    *,
    embed_fn: EmbedFn | None = None,
    progress: Progress | None = None,
    actor: str = "system",
    taxonomy: Any | None = None,
    embed_threshold: float = EMBED_THRESHOLD,
) -> ImportReport:
    """Import strategy documents (files or folders of .md/.txt) into the store.

    Each file is its own transaction (a savepoint when ``target`` is a Session): a file that
    fails stores nothing and is reported in ``failed``; the others still import. A file whose
    content is already stored is ``unchanged``; a changed file at a known path is ``replaced``.
    ``progress(done, total, file)`` is called after each file.
    """
    from data.store.skills import sync_skills
    from data.text.taxonomy import load_taxonomy

    tax = taxonomy if taxonomy is not None else load_taxonomy()
    files, missing = collect_files(paths)
    report = ImportReport(failed=list(missing))
    vectors: SkillVectors | None = None
    for n, path in enumerate(files, start=1):
        try:
            doc = read_document(path)
            with _transaction(target) as session:
                existing = session.scalar(select(Document).where(Document.path == str(path)))
                same = session.scalar(
                    select(Document)
                    .where(Document.sha256 == doc.sha256)
                    .order_by(Document.id)
                    .limit(1)
                )
                if same is not None and (existing is None or existing.id == same.id):
                    report.unchanged.append(
                        DocumentResult(
                            str(path), same.id, "unchanged", _stored_counts(session, same.id)
                        )
                    )
                else:
                    if embed_fn is not None and vectors is None:
                        vectors = embed_skill_names(tax, embed_fn)
                    extracted = extract_document(
                        doc,
                        taxonomy=tax,
                        embed_fn=embed_fn,
                        embed_threshold=embed_threshold,
                        skill_vectors=vectors,
                    )
                    skill_ids = sync_skills(session, tax)
                    result = _store(session, doc, extracted, existing, same, skill_ids, actor)
                    (report.replaced if result.status == "replaced" else report.imported).append(
                        result
                    )
        except InputError as err:
            message = str(err) if str(path) in str(err) else f"{path}: {err}"
            report.failed.append((str(path), message))
        if progress is not None:
            progress(n, len(files), str(path))
    return report


class _transaction:
    """A per-file transaction: a new session on an Engine, a savepoint on a Session."""

    def __init__(self, target: Session | Engine) -> None:
        self.target = target

    def __enter__(self) -> Session:
        if isinstance(self.target, Session):
            self._nested = self.target.begin_nested()
            return self.target
        self._scope = session_scope(self.target)
        return self._scope.__enter__()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if isinstance(self.target, Session):
            if exc_type is None:
                self._nested.commit()
            else:
                self._nested.rollback()
            return False
        return bool(self._scope.__exit__(exc_type, exc, tb))


def _store(
    session: Session,
    doc: DocumentText,
    ex: Extracted,
    existing: Document | None,
    duplicate: Document | None,
    skill_ids: dict[str, int],
    actor: str,
) -> DocumentResult:
    notes = list(ex.notes)
    status: Literal["imported", "replaced"] = "imported"
    if existing is not None:
        status = "replaced"
        notes += _clear(session, existing)
        if duplicate is not None:  # the new content is already stored at another path
            session.delete(existing)
            session.flush()
            record(
                session,
                actor,
                "docs.replace",
                target_type="document",
                target=str(duplicate.id),
                detail={"file": doc.path.name, "sha256": doc.sha256, "duplicate_of": duplicate.id},
            )
            return DocumentResult(
                str(doc.path),
                duplicate.id,
                status,
                _stored_counts(session, duplicate.id),
                notes + [f"same content as document {duplicate.id}"],
            )
        row = existing
        row.sha256, row.encoding, row.language = doc.sha256, doc.encoding, doc.language
        row.title, row.file_name = doc.title, doc.path.name
        row.imported_at = func.current_timestamp()
    else:
        row = Document(
            path=str(doc.path),
            file_name=doc.path.name,
            sha256=doc.sha256,
            encoding=doc.encoding,
            language=doc.language,
            title=doc.title,
        )
        session.add(row)
    session.flush()
    rows: list[Extraction] = []

    def add(item: Item, **links: int | None) -> Extraction:
        e = Extraction(
            document_id=row.id,
            kind=item.kind,
            label=item.label[:500],
            canonical_key=item.canonical_key,
            category=item.category,
            text=item.text,
            line_start=item.line_start,
            line_end=item.line_end,
            payload=item.payload or None,
            **links,
        )
        rows.append(e)
        session.add(e)
        return e

    for p in ex.pipelines:
        pipe = Pipeline(name=p.name, source="document", document_id=row.id)
        pipe.stages = [
            PipelineStage(position=i, label=label[:200], canonical_key=key)
            for i, (label, key) in enumerate(p.stages)
        ]
        session.add(pipe)
        session.flush()
        add(p.item, pipeline_id=pipe.id)
    for item in ex.diagrams:
        add(item)
    for item in ex.skills:
        add(item, skill_id=skill_ids.get(item.canonical_key or ""))
    for item in ex.strategies:
        add(item)
    for found in ex.roles:
        if not found.defined:
            # a passing mention creates no role; it links to one that already exists
            known = session.scalar(select(Role.id).where(Role.key == found.key))
            add(found.item, role_id=known)
            continue
        role = _upsert_role(session, found, skill_ids)
        add(found.item, role_id=role.id)
        for duty in found.duties:
            add(duty, role_id=role.id)
    session.flush()
    counts = ex.counts()
    record(
        session,
        actor,
        "docs.replace" if status == "replaced" else "docs.import",
        target_type="document",
        target=str(row.id),
        detail={"file": doc.path.name, "sha256": doc.sha256, "counts": counts},
    )
    return DocumentResult(str(doc.path), row.id, status, counts, notes)


def _clear(session: Session, doc: Document) -> list[str]:
    """Remove what an earlier version of ``doc`` stored (pipelines in use are kept, detached)."""
    notes: list[str] = []
    session.execute(delete(Extraction).where(Extraction.document_id == doc.id))
    for pipe in session.scalars(select(Pipeline).where(Pipeline.document_id == doc.id)):
        used = session.scalar(
            select(func.count(Application.id)).where(Application.pipeline_id == pipe.id)
        )
        if used:
            pipe.document_id = None
            notes.append(
                f"pipeline {pipe.id} ({pipe.name}) is used by {used} application(s): "
                "kept, no longer linked to the document"
            )
        else:
            session.delete(pipe)
    session.flush()
    return notes


def _upsert_role(session: Session, found: RoleFound, skill_ids: dict[str, int]) -> Role:
    role = session.scalar(select(Role).where(Role.key == found.key))
    if role is None:
        role = session.scalar(
            select(Role)
            .where(
                (Role.title_zh == found.title_zh)
                | (func.lower(Role.title_en) == found.title_en.lower())
            )
            .limit(1)
        )
    description = "；".join(d.label for d in found.duties)
    if role is None:
        role = Role(
            key=found.key,
            title_en=found.title_en,
            title_zh=found.title_zh,
            family=found.family,
            description=description,
            source="document",
            is_open=found.defined,
            level=found.level,
            pay=found.pay,
        )
        session.add(role)
        session.flush()
    elif role.source == "document" and description:
        role.description = description
        role.is_open = True
    if role.source == "document":
        have = {
            rs.skill_id
            for rs in session.scalars(select(RoleSkill).where(RoleSkill.role_id == role.id))
        }
        for key in sorted(found.skills):
            sid = skill_ids.get(key)
            if sid is not None and sid not in have:
                session.add(RoleSkill(role_id=role.id, skill_id=sid, importance=1.0, required=True))
                have.add(sid)
        for key in sorted(found.nice - found.skills):
            sid = skill_ids.get(key)
            if sid is not None and sid not in have:
                session.add(
                    RoleSkill(role_id=role.id, skill_id=sid, importance=0.5, required=False)
                )
                have.add(sid)
    return role


# --- reading the store ---------------------------------------------------------------------


def _stored_counts(session: Session, document_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Extraction.kind, func.count(Extraction.id))
        .where(Extraction.document_id == document_id)
        .group_by(Extraction.kind)
    )
    return {k: int(c) for k, c in rows}


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    file_name: str
    path: str
    language: str
    encoding: str
    title: str | None
    sha256: str
    imported_at: Any
    counts: dict[str, int]


def list_documents(session: Session) -> list[DocumentSummary]:
    """Every stored document with its extraction counts per kind (one aggregate query)."""
    counts: dict[int, dict[str, int]] = {}
    for doc_id, kind, n in session.execute(
        select(Extraction.document_id, Extraction.kind, func.count(Extraction.id)).group_by(
            Extraction.document_id, Extraction.kind
        )
    ):
        counts.setdefault(doc_id, {})[kind] = int(n)
    return [
        DocumentSummary(
            d.id,
            d.file_name,
            d.path,
            d.language,
            d.encoding,
            d.title,
            d.sha256,
            d.imported_at,
            counts.get(d.id, {}),
        )
        for d in session.scalars(select(Document).order_by(Document.id))
    ]


def document_detail(session: Session, document_id: int) -> tuple[Document, list[Extraction]]:
    """A document and its extractions in document order; ``NotFoundError`` if there is none."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFoundError(f"no document with id {document_id}; see `talentmap docs list`")
    rows = list(
        session.scalars(
            select(Extraction)
            .where(Extraction.document_id == document_id)
            .order_by(Extraction.line_start, Extraction.id)
        )
    )
    return doc, rows


def document_pipelines(session: Session, document_id: int | None = None) -> list[Pipeline]:
    """Pipelines read from documents (all, or one document's), with their ordered stages."""
    q = select(Pipeline).where(Pipeline.source == "document").order_by(Pipeline.id)
    if document_id is not None:
        q = q.where(Pipeline.document_id == document_id)
    return list(session.scalars(q))


@dataclass(frozen=True)
class ExtractedSummary:
    """One canonical item across documents: how often it was read and from how many files."""

    kind: str
    canonical_key: str | None
    category: str | None
    mentions: int
    documents: int


def extraction_summary(session: Session, kind: str) -> list[ExtractedSummary]:
    """Items of ``kind`` (e.g. "strategy", "role", "skill") grouped by canonical key and
    category over all documents, most documents first (aggregated in SQL)."""
    n_docs = func.count(func.distinct(Extraction.document_id))
    rows = session.execute(
        select(Extraction.canonical_key, Extraction.category, func.count(Extraction.id), n_docs)
        .where(Extraction.kind == kind)
        .group_by(Extraction.canonical_key, Extraction.category)
        .order_by(n_docs.desc(), func.count(Extraction.id).desc(), Extraction.canonical_key)
    )
    return [ExtractedSummary(kind, key, cat, int(m), int(d)) for key, cat, m, d in rows]
