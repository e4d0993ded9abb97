"""One label catalog for every front end: gettext catalogs compiled with Babel, plus the names
of the reference tables (stages, strategies, channels, regions, countries, skills) in English
and Chinese.

Why here: the dashboard, the CLI and the report builders in ``analytics/`` all show the same
words, so the catalog sits in the lowest layer they share. ``data/reference`` holds the bundled
tables and imports no store code, so it is usable without a database and from every layer.

The catalogs are ``data/reference/locale/{en,zh}/LC_MESSAGES/talentmap.po``. Their message ids
are stable *keys* (``nav.overview``, ``report.title``, ``audit.reason.low_known``), not English
source text: the call sites stay short (``t("nav.overview")``), an English wording can change
without touching code or the Chinese catalog, and a test checks that both catalogs hold the same
keys with the same ``{placeholders}``. The English catalog is therefore a real translation like
the Chinese one. Formatting is ``str.format`` with named fields.

The ``.po`` files are read with ``babel.messages.pofile`` and compiled to ``.mo`` in memory with
``babel.messages.mofile`` the first time a language is used (a few milliseconds for ~700
messages), then served through the standard library's ``gettext.GNUTranslations``; nothing is
written into the source tree. Add strings by editing both ``.po`` files (keep them sorted), or
put them in ``dashboard/i18n.py`` ``STRINGS`` and run ``scripts/strings_to_po.py``.

Lookups fall back from the language asked for to English, then to the key itself, so a missing
string shows as its key rather than breaking a page (the catalog test finds those).
"""

from __future__ import annotations

import functools
import gettext
import io
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
DOMAIN = "talentmap"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def po_path(lang: str) -> Path:
    """The catalog source of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _language(lang: str | None) -> Lang:
    return "zh" if lang == "zh" else "en"


@functools.cache
def _compiled(lang: Lang) -> tuple[gettext.GNUTranslations, frozenset[str]]:
    """The catalog of ``lang`` compiled to ``.mo`` (in memory) and loaded by ``gettext``."""
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    translations = gettext.GNUTranslations(buf)
    keys = frozenset(str(m.id) for m in catalog if m.id and m.string)
    return translations, keys


def keys(lang: str = "en") -> frozenset[str]:
    """Every key the catalog of ``lang`` translates."""
    return _compiled(_language(lang))[1]


def has(key: str) -> bool:
    """Whether ``key`` has a text: in the catalog (in English, which every key must have) or
    as a reference name (``channel.linkedin``, ``country.LT``)."""
    return key in keys("en") or reference_name(key, "en") is not None


def reference_name(key: str, lang: str) -> str | None:
    """The name of a coded reference value written as a catalog key: ``channel.<key>``,
    ``region.<key>``, ``sex.<value>``, ``ethnicity.<value>``, ``country.<ISO code>``,
    ``stage.<key>``, ``strategy.<key>``, ``skill.<key>``, ``role.<key>``; None for anything else. The names live in the reference tables, not in the
    ``.po`` files, so each has one home."""
    kind, _, code = key.partition(".")
    if not code:
        return None
    zh = _language(lang) == "zh"
    if kind in ("channel", "region", "sex", "ethnicity"):
        from data.reference import reference_names

        table = reference_names()[kind]
        pair = table.get(code)
        if pair is None and kind in ("sex", "ethnicity"):  # audits of frames: "female"
            pair = next((v for k, v in table.items() if k.casefold() == code.casefold()), None)
        return None if pair is None else pair[zh]
    if kind == "country":
        from data.reference import load_countries

        c = load_countries().get(code)
        return None if c is None else (c.name_zh if zh else c.name_en)
    if kind == "stage":
        from data.reference.stages import stages

        s = next((s for s in stages() if s.key == code), None)
        return None if s is None else (s.zh if zh else s.en)
    if kind == "strategy":
        from data.reference.stages import strategy_labels

        g = next((g for g in strategy_labels() if g.key == code), None)
        return None if g is None else (g.zh if zh else g.en)
    if kind == "skill":
        names = _skill_names().get(code)
        return None if names is None else names[zh]
    if kind == "role":
        names = _role_titles().get(code)
        return None if names is None else names[zh]
    return None


@functools.cache
def _role_titles() -> dict[str, tuple[str, str]]:
    """Role titles of ``roles.yaml`` (the demo's roles) and ``role_titles.yaml``."""
    import yaml

    out: dict[str, tuple[str, str]] = {}
    for name in ("role_titles.yaml", "roles.yaml"):
        for r in yaml.safe_load((LOCALE_DIR.parent / name).read_text(encoding="utf-8")):
            out.setdefault(str(r["key"]), (str(r["title_en"]), str(r["title_zh"])))
    return out


def error_text(
    code: str | None, params: dict[str, object] | None, fallback: str, lang: str | None
) -> str:
    """A problem named by ``code`` (``InputError.code``) in ``lang``, from ``error.<code>``;
    ``fallback`` (the English message) when the catalog has no text for it."""
    if code is None or lookup(_language(lang), f"error.{code}") is None:
        return fallback
    try:
        return tr(lang, f"error.{code}", **(params or {}))
    except (KeyError, ValueError, IndexError):  # params that do not fit the text
        return fallback


def canonical_name(kind: str, key: str | None, lang: str | None) -> str:
    """The name of what a document item maps onto (``kind`` role, skill, strategy, pipeline or
    stage), in ``lang``; "" when it maps onto nothing."""
    if _missing(key):
        return ""
    prefix = {"pipeline": "stage", "diagram": "stage", "duty": "role"}.get(kind, kind)
    return coded(f"{prefix}.", key, lang)


def lookup(lang: str, key: str) -> str | None:
    """The raw (unformatted) text of ``key`` in ``lang``, English if ``lang`` lacks it, else
    a reference name, else None."""
    for language in dict.fromkeys((_language(lang), "en")):
        translations, known = _compiled(language)  # type: ignore[arg-type]
        if key in known:
            return translations.gettext(key)
    return reference_name(key, lang)


def tr(lang: str | None, key: str, **kwargs: object) -> str:
    """The string for ``key`` in ``lang`` ("en"/"zh"), formatted with ``kwargs``; the key
    itself when no catalog has it."""
    text = lookup(_language(lang), key)
    if text is None:
        return key
    return text.format(**kwargs) if kwargs else text


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names of ``text`` (``"{n} days"`` → ``{"n"}``)."""
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }


# --- reference names ---------------------------------------------------------------------------


def unknown(lang: str | None) -> str:
    """What a missing value (no country, no channel) shows as."""
    return tr(lang, "unknown")


def _missing(key: object) -> bool:
    return key is None or key == "" or key == "?" or key != key  # NaN from pandas


def coded(prefix: str, key: str | None, lang: str | None) -> str:
    """The catalog name of a stored code (``prefix + key``): an unknown code shows as itself,
    a missing one (None, "", "?") as "Unknown"."""
    if _missing(key):
        return unknown(lang)
    text = lookup(_language(lang), f"{prefix}{key}")
    return text if text is not None else str(key)


def channel_name(key: str | None, lang: str | None) -> str:
    """A source channel's name (``linkedin`` → LinkedIn / 领英)."""
    return coded("channel.", key, lang)


def level_name(key: str | None, lang: str | None) -> str:
    """A seniority level's name (``mid`` → Mid-level / 中级); levels are the user's own words,
    so an unknown one shows as given and none as blank (a band for every level)."""
    text = "" if key is None else str(key).strip()
    if text in ("", "nan"):
        return ""
    found = lookup(_language(lang), f"level.{text.lower()}")
    return found if found is not None else text


def region_name(key: str | None, lang: str | None) -> str:
    """A world region's name (``East Asia`` → East Asia / 东亚)."""
    return coded("region.", key, lang)


def country_name(code: str | None, lang: str | None) -> str:
    """A country's name from any ISO 3166-1 code or name (``CN`` → China / 中国); an unknown
    one shows as given."""
    if _missing(code):
        return unknown(lang)
    from data.reference import resolve_country

    c = resolve_country(str(code))
    if c is None:
        return str(code)
    return c.name_zh if _language(lang) == "zh" else c.name_en


def stage_name(key: str | None, lang: str | None) -> str:
    """A canonical pipeline stage's name (``sourcing`` → Sourcing / 人才搜寻)."""
    return coded("stage.", key, lang)


def strategy_name(key: str | None, lang: str | None) -> str:
    """A canonical strategy's name (``salary_benefits`` → Salary and benefits / 薪酬福利)."""
    return coded("strategy.", key, lang)


@functools.cache
def _skill_names() -> dict[str, tuple[str, str]]:
    import yaml

    raw = yaml.safe_load((LOCALE_DIR.parent / "skills.yaml").read_text(encoding="utf-8"))
    items = raw["skills"] if isinstance(raw, dict) else raw
    return {str(s["key"]): (str(s["name_en"]), str(s["name_zh"])) for s in items}


def skill_name(key: str | None, lang: str | None) -> str:
    """A taxonomy skill's name from ``skills.yaml`` (``ui_design`` → User Interface Design /
    界面设计); an unknown key shows as itself."""
    return coded("skill.", key, lang)


def skill_names(keys_: Iterable[str], lang: str | None) -> list[str]:
    """``skill_name`` of each key."""
    return [skill_name(k, lang) for k in keys_]


__all__ = [
    "LANGS",
    "LOCALE_DIR",
    "Lang",
    "canonical_name",
    "channel_name",
    "coded",
    "country_name",
    "error_text",
    "has",
    "keys",
    "lookup",
    "placeholders",
    "po_path",
    "reference_name",
    "region_name",
    "skill_name",
    "skill_names",
    "stage_name",
    "strategy_name",
    "tr",
    "unknown",
]
