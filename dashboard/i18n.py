"""The dashboard's view of the label catalog: the current language and locale-aware formats.

Every string lives in the gettext catalogs of ``data/reference/labels.py`` (shared with the
reports and the CLI). ``t(key)`` reads the language from ``st.session_state["lang"]``;
``tr(lang, key)`` takes it explicitly.

``STRINGS`` holds strings not yet moved into the catalogs (same shape as before: ``{"en":
{key: text}, "zh": {key: text}}``); they are served too, and
``python scripts/strings_to_po.py`` moves them into the ``.po`` files and empties the dict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st

from data.reference import labels
from data.text.language import in_language  # noqa: F401 - the pages' import

Lang = Literal["en", "zh"]
LANGS: dict[str, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
"""Strings waiting to be moved into the catalogs by ``scripts/strings_to_po.py``."""


def lang() -> Lang:
    """The language the user picked (Chinese by default)."""
    value = st.session_state.get("lang", "zh")
    return "en" if value == "en" else "zh"


def tr(language: str, key: str, **kwargs: object) -> str:
    """The string for ``key`` in ``language``, formatted with ``kwargs``."""
    pending = STRINGS.get(language, {}).get(key) or STRINGS["en"].get(key)
    if pending is None:
        return labels.tr(language, key, **kwargs)
    return pending.format(**kwargs) if kwargs else pending


def known(key: str) -> bool:
    """Whether ``key`` has a string (in the catalog or still pending in ``STRINGS``)."""
    return labels.has(key) or key in STRINGS["en"]


def t(key: str, **kwargs: object) -> str:
    """The string for ``key`` in the current language, formatted with ``kwargs``."""
    return tr(lang(), key, **kwargs)


def formatter(prefix: str) -> Callable[[str], str]:
    """A ``format_func`` for option keys (``prefix + key``), bound to the current language:
    Streamlit may call it outside the script run, where session state is not readable."""
    language = lang()
    return lambda v: tr(language, f"{prefix}{v}")


def _missing(x: float | None) -> bool:
    return x is None or x != x  # NaN from pandas counts as missing


def fmt_int(n: float | None) -> str:
    """A count: ``12,345`` in English, ``1.2万`` from ten thousand up in Chinese."""
    if _missing(n):
        return "—"
    if lang() == "zh" and abs(n) >= 10_000:
        return f"{n / 10_000:.1f}万"
    return f"{int(round(n)):,}"


def fmt_pct(x: float | None, *, signed: bool = False) -> str:
    """A share as a percentage (``45.3%``); ``signed`` for changes, in points."""
    if _missing(x):
        return "—"
    if signed:
        pts = x * 100
        return f"{pts:+.1f} pp" if lang() == "en" else f"{pts:+.1f} 个百分点"
    return f"{x * 100:.1f}%"


def fmt_days(d: float | None, *, signed: bool = False) -> str:
    if _missing(d):
        return "—"
    n = f"{d:+.1f}" if signed else f"{d:.1f}".removesuffix(".0")
    return t("unit.days", n=n)


def stage_name(key: str) -> str:
    """The canonical stage's label in the current language."""
    return labels.stage_name(key, lang())


def country_name(iso2: str | None, language: str | None = None) -> str:
    """A country's name in ``language`` (default: the current one)."""
    return labels.country_name(iso2, language or lang())


def country_formatter() -> Callable[[str], str]:
    """``country_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda code: country_name(code, language)


def channel_name(key: str | None, language: str | None = None) -> str:
    """A source channel's label (``linkedin`` → LinkedIn / 领英)."""
    return labels.channel_name(key, language or lang())


def level_name(key: str | None, language: str | None = None) -> str:
    """A seniority level's label (``senior`` → Senior / 高级; the user's own words as given)."""
    return labels.level_name(key, language or lang())


def region_name(key: str | None, language: str | None = None) -> str:
    """A world region's label (``East Asia`` → East Asia / 东亚)."""
    return labels.region_name(key, language or lang())


def skill_name(key: str | None, language: str | None = None) -> str:
    """A taxonomy skill's name (``ui_design`` → User Interface Design / 界面设计)."""
    return labels.skill_name(key, language or lang())


def channel_formatter() -> Callable[[str], str]:
    """``channel_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: channel_name(key, language)


def region_formatter() -> Callable[[str], str]:
    """``region_name`` bound to the current language (for ``format_func``)."""
    language = lang()
    return lambda key: region_name(key, language)


def skill(item: dict) -> str:
    """A skill of a stored match explanation (``{key, name, ...}``) named in the user's
    language: the name stored with the run is the language it was scored in."""
    key = item.get("key")
    name = labels.skill_name(key, lang()) if key else None
    return name if name and name != key else str(item.get("name") or key or "")
