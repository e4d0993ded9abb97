"""Canonical labels: the nine pipeline stages and the talent-strategy labels, in two languages.

Strategy documents name stages and strategies in their own words ("人才招聘", "招聘渠道",
"薪资和福利", "salary and benefits"). These functions map such free labels onto one canonical
key, so pipelines and strategies read from different documents can be compared and shown in
either language. The tables live in ``data/reference/stages.yaml`` and
``data/reference/strategies.yaml``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

REFERENCE = Path(__file__).resolve().parent

STAGES: tuple[str, ...] = (
    "needs_analysis",
    "sourcing",
    "screening",
    "interview",
    "onboarding",
    "development",
    "review_promotion",
    "compensation",
    "retention",
)
"""The nine canonical pipeline stages, in order."""

Lang = Literal["en", "zh"]
STRATEGY_CATEGORIES: tuple[str, ...] = (
    "attraction",
    "retention",
    "cultivation",
    "internationalisation",
    "compliance_ethics",
)


@dataclass(frozen=True)
class StageLabel:
    """One canonical stage with its labels in both languages."""

    key: str
    en: str
    zh: str
    position: int


@dataclass(frozen=True)
class StrategyLabel:
    """One canonical strategy label and its default category."""

    key: str
    en: str
    zh: str
    category: str


def normalise(text: str) -> str:
    """Fold width and case, drop markup and whitespace so synonyms compare equal."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[*_`#>\[\]{}()\"'“”‘’]", "", text)
    return re.sub(r"\s+", " ", text).strip(" :：,，.。;；-–—")


class _SynonymIndex:
    """Finds the canonical key whose synonym best matches a free label.

    An exact (normalised) synonym wins; otherwise the longest synonym found inside the label,
    ties going to the one found first. Latin synonyms match on word boundaries only, so "pay"
    does not match "payroll".
    """

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[int, re.Pattern[str], str]] = []
        for key, words in synonyms.items():
            for word in words:
                norm = normalise(word)
                if not norm:
                    continue
                self.exact.setdefault(norm, key)
                if norm.isascii():
                    pattern = re.compile(rf"(?<![a-z0-9]){re.escape(norm)}(?![a-z0-9])")
                else:
                    pattern = re.compile(re.escape(norm))
                self.patterns.append((len(norm), pattern, key))
        self.patterns.sort(key=lambda p: -p[0])

    def lookup(self, text: str) -> str | None:
        hit = self.find(text)
        return hit[0] if hit else None

    def find(self, text: str) -> tuple[str, int, int] | None:
        """``(key, start, end)`` of the best synonym in the normalised ``text``, or None."""
        norm = normalise(text)
        if not norm:
            return None
        if norm in self.exact:
            return self.exact[norm], 0, len(norm)
        best: tuple[int, int, str, int] | None = None  # (-length, start, key, end)
        for length, pattern, key in self.patterns:
            if best is not None and length < -best[0]:
                break
            m = pattern.search(norm)
            if m and (best is None or (-length, m.start()) < (best[0], best[1])):
                best = (-length, m.start(), key, m.end())
        return (best[2], best[1], best[3]) if best else None


@functools.cache
def _stage_table() -> tuple[dict[str, StageLabel], _SynonymIndex]:
    raw = yaml.safe_load((REFERENCE / "stages.yaml").read_text(encoding="utf-8"))
    if tuple(raw) != STAGES:
        raise RuntimeError("data/reference/stages.yaml must list the keys of STAGES, in order")
    labels = {
        key: StageLabel(key, entry["en"], entry["zh"], i)
        for i, (key, entry) in enumerate(raw.items())
    }
    synonyms = {
        key: [
            entry["en"],
            entry["zh"],
            *entry["synonyms"].get("zh", []),
            *entry["synonyms"].get("en", []),
        ]
        for key, entry in raw.items()
    }
    return labels, _SynonymIndex(synonyms)


def stages() -> list[StageLabel]:
    """The nine canonical stages, in pipeline order."""
    return list(_stage_table()[0].values())


def stage_label(key: str, lang: Lang = "en") -> str:
    """The display label of canonical stage ``key`` in ``lang`` ("en" or "zh")."""
    labels = _stage_table()[0]
    if key not in labels:
        raise KeyError(f"unknown stage {key!r}; expected one of {', '.join(STAGES)}")
    if lang not in ("en", "zh"):
        raise ValueError(f"unknown language {lang!r}; expected 'en' or 'zh'")
    return str(getattr(labels[key], lang))


def map_stage(text: str) -> str | None:
    """The canonical stage key a free label means ("人才招聘" → "sourcing"), or None."""
    return _stage_table()[1].lookup(text)


@functools.cache
def _strategy_table() -> tuple[dict[str, StrategyLabel], dict[str, dict[str, str]], _SynonymIndex]:
    raw = yaml.safe_load((REFERENCE / "strategies.yaml").read_text(encoding="utf-8"))
    categories: dict[str, dict[str, str]] = raw["categories"]
    if tuple(categories) != STRATEGY_CATEGORIES:
        raise RuntimeError("data/reference/strategies.yaml: categories differ from the code's")
    labels: dict[str, StrategyLabel] = {}
    synonyms: dict[str, list[str]] = {}
    for key, entry in raw["strategies"].items():
        if entry["category"] not in categories:
            raise RuntimeError(f"strategy {key!r} has unknown category {entry['category']!r}")
        labels[key] = StrategyLabel(key, entry["en"], entry["zh"], entry["category"])
        synonyms[key] = [
            entry["en"],
            entry["zh"],
            *entry["synonyms"].get("zh", []),
            *entry["synonyms"].get("en", []),
        ]
    return labels, categories, _SynonymIndex(synonyms)


def strategy_labels() -> list[StrategyLabel]:
    """Every canonical strategy label."""
    return list(_strategy_table()[0].values())


def canonical_strategy(label: str) -> StrategyLabel | None:
    """The canonical strategy a free label means ("薪资和福利" → salary_benefits), or None."""
    labels, _, index = _strategy_table()
    key = index.lookup(label)
    return labels[key] if key else None


def find_strategy(text: str) -> tuple[StrategyLabel, int, int] | None:
    """The best canonical strategy named in ``text`` with its span in ``normalise(text)``."""
    labels, _, index = _strategy_table()
    hit = index.find(text)
    return (labels[hit[0]], hit[1], hit[2]) if hit else None


def category_label(category: str, lang: Lang = "en") -> str:
    """The display label of a strategy category in ``lang``."""
    categories = _strategy_table()[1]
    if category not in categories:
        raise KeyError(
            f"unknown category {category!r}; expected one of {', '.join(STRATEGY_CATEGORIES)}"
        )
    return categories[category][lang]
