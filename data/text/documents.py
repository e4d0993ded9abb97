"""Strategy documents → roles, duties, skills, strategies, pipelines and diagrams, with provenance.

HR teams write their talent strategy in Markdown or plain text, Chinese or English, often with a
mermaid flowchart of their hiring pipeline. This module

1. reads such a file safely (``read_document``, through the one decoder of
   ``data.text.decoding``; binary, empty and undecodable files are refused with a message
   naming the file and line);
2. extracts what it says (``extract_document``, pure, no database): every item carries the line
   span it came from, so a reader can check it against the source.

Storing the result is ``data.ingest.documents``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from data.errors import InputError
from data.reference.stages import find_strategy, stage_label
from data.text.decoding import Encoding, decode_text
from data.text.files import MAX_UPLOAD_MB, read_file
from data.text.language import Language, detect_language
from data.text.markdown import (
    Line,
    document_title,
    nearest_heading,
    skipped_lines,
    strip_markup,
    structure,
)
from data.text.mermaid import Diagram, analyse, find_diagrams
from data.text.role_titles import RoleTitle, find_role_titles

SUFFIXES = (".md", ".markdown", ".txt")
EMBED_THRESHOLD = 0.93
"""Cosine similarity above which a phrase is taken to name a taxonomy skill. Measured with the
multilingual encoder on the seed documents: true matches score 0.97-0.99 (医学图像分析 →
medical imaging, 评估模型 → model evaluation), the best wrong ones 0.80-0.91 (模型优化 → LLM
inference, 模型构建 → BIM)."""

EmbedFn = Callable[[list[str]], np.ndarray]

_FIX = "save it as UTF-8 text (.md or .txt)"


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentText:
    """A decoded document: its text split into lines (line ``n`` is ``lines[n - 1]``)."""

    path: Path
    text: str
    lines: list[str]
    encoding: Encoding
    language: Language
    sha256: str
    title: str | None


def read_document(
    path: str | Path, *, max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
) -> DocumentText:
    """Read and decode one .md/.txt strategy document.

    Raises ``InputError`` naming the file when it is missing, not .md/.txt, empty, binary, or
    in an encoding ``data.text.decoding`` cannot read.
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
    raw = read_file(p, max_bytes=max_bytes, file=name)
    if not raw.strip():
        raise InputError(
            "the file is empty; write the strategy into it and import it again", file=name, line=1
        )
    decoded = decode_text(raw, name, fix=_FIX)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(
            "the file is empty; write the strategy into it and import it again", file=name, line=1
        )
    lines = text.split("\n")
    return DocumentText(
        path=p,
        text=text,
        lines=lines,
        encoding=decoded.encoding,
        language=detect_language(text),
        sha256=hashlib.sha256(raw).hexdigest(),
        title=document_title(lines, p.name),
    )


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
    skip = skipped_lines(doc.lines, diagrams)
    lines = structure(doc.lines, skip)
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
    from data.text.postings import looks_like_posting, read_posting

    if not looks_like_posting(doc.text):
        return None
    draft = read_posting(doc.text, taxonomy)
    if not draft.title or not draft.required:
        return None
    titles = [t for t in find_role_titles(draft.title) if t[2] - t[1] >= len(draft.title) - 2]
    known = titles[0][0] if titles else None
    slug = re.sub(r"[^\w]+", "_", unicodedata.normalize("NFKC", draft.title).lower()).strip("_")
    key = known.key if known else slug[:80]
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
                    "subgraph": n.subgraph,
                }
                for n in d.nodes.values()
            ],
            "edges": [
                {
                    "source": e.source,
                    "target": e.target,
                    "label": e.label,
                    "line": e.line,
                    "arrow": e.arrow,
                }
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
        heading = nearest_heading(doc.lines, d.line_start)
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


def _read_roles_and_strategies(lines: list[Line], out: Extracted) -> None:
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
    ln: Line,
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


def _duty_item(role: RoleFound, duty: str, ln: Line) -> Item:
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
    candidate: str, ln: Line, context: str | None, challenge: bool, out: Extracted
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
    surface = candidate if candidate in ln.raw else strip_markup(candidate)
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
    lines: list[Line],
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
    lines: list[Line],
    taxonomy: Any,
    found: dict[str, Item],
    embed_fn: EmbedFn,
    threshold: float,
    vectors: SkillVectors | None,
) -> list[Item]:
    """Skills named by list-item terms and headings that no alias matched."""
    phrases: dict[str, Line] = {}
    for ln in lines:
        phrase = ln.term if ln.term else ln.text if ln.kind == "heading" else None
        if not phrase:
            continue
        phrase = strip_markup(phrase).strip(" :：")
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
