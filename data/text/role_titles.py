"""Job titles in documents: the bilingual title table and finding its titles in text."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import yaml

from data.reference import REFERENCE_DIR


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
    path = REFERENCE_DIR / "role_titles.yaml"
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
