"""Reference data shipped with TalentMap: countries, demo roles, programmes and code lists.

Countries: every ISO 3166-1 country (249, from ``pycountry``) is known, so an importer accepts
any of them. English names come from Babel's CLDR data (``babel.Locale("en").territories``:
"Bolivia", not pycountry's "Bolivia, Plurinational State of"), Chinese names from
``babel.Locale("zh").territories``, the calling code from ``phonenumbers``, the world region from
``regions.yaml`` (UN M49 regions grouped into TalentMap's nine, documented there).
``countries.csv`` is the curated table on top: the markets the demo draws from, with centroids
and the names naming policy needs (中国香港 / 中国澳门 / 中国台湾, "Hong Kong" rather than CLDR's
"Hong Kong SAR China"); where it has a country, its row wins. ISO numeric codes, as zero-padded
3-digit strings, are what world-map shapes (Natural Earth / ``world-atlas``) use as feature ids.

The code lists here (EEO-1 categories, sexes, source channels) are the ones the importers
validate against and the bias audit groups by.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REFERENCE_DIR = Path(__file__).resolve().parent

EEO1_ETHNICITIES: tuple[str, ...] = (
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Other Pacific Islander",
    "Asian",
    "American Indian or Alaska Native",
    "Two or More Races",
)
"""Race/ethnicity categories of the US EEO-1 report (self-reported; ``None`` = not disclosed)."""

SEXES: tuple[str, ...] = ("Female", "Male")
"""Self-reported sex as the EEO-1 report records it (``None`` = not disclosed)."""


def _yaml(name: str) -> Any:
    return yaml.safe_load((REFERENCE_DIR / name).read_text(encoding="utf-8"))


SOURCE_CHANNELS: tuple[str, ...] = (
    "referral",
    "linkedin",
    "job_board",
    "campus",
    "headhunter",
    "conference",
    "open_source",
    "company_website",
)
"""Where a candidate came from (``Candidate.source_channel``); names in ``channels.yaml``."""

REGIONS: tuple[str, ...] = tuple(_yaml("regions.yaml"))
"""The world regions (``Candidate.region``) in report order; names in ``regions.yaml``."""


@lru_cache(maxsize=1)
def reference_names() -> dict[str, dict[str, tuple[str, str]]]:
    """Display names (English, Chinese) of the coded reference values, by kind: ``channel``
    (source channels), ``region`` (world regions), ``sex`` and ``ethnicity`` (demographics)."""

    def pairs(raw: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {str(k): (str(v["en"]), str(v["zh"])) for k, v in raw.items()}

    demographics = _yaml("demographics.yaml")
    return {
        "channel": pairs(_yaml("channels.yaml")),
        "region": pairs(_yaml("regions.yaml")),
        "sex": pairs(demographics["sex"]),
        "ethnicity": pairs(demographics["ethnicity"]),
    }


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    numeric: str  # ISO 3166-1 numeric, zero-padded to 3 digits ("036")
    name_en: str
    name_zh: str
    region: str | None  # one of REGIONS; None for Antarctica
    lat: float | None  # centroid, curated countries only
    lon: float | None
    calling_code: str  # "" where there is none (Antarctica)
    curated: bool = False  # a row of countries.csv (the demo's markets)


@dataclass(frozen=True)
class RoleSpec:
    """A role of ``roles.yaml``: skills map taxonomy keys to importance weights (0..1)."""

    key: str
    title_en: str
    title_zh: str
    family: str
    level: str
    description: str
    required: dict[str, float]
    nice: dict[str, float]
    share: float = 1.0

    @property
    def skills(self) -> dict[str, float]:
        return {**self.required, **self.nice}


@dataclass(frozen=True)
class ProgrammeSpec:
    key: str
    name_en: str
    name_zh: str
    kind: str
    description: str
    audience: str = "any"
    weeks: int = 8
    extra: dict[str, object] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_countries() -> dict[str, Country]:
    """Every ISO 3166-1 country keyed by alpha-2 code: the curated ones of ``countries.csv``
    first, in file order, then the rest by code."""
    import phonenumbers
    import pycountry
    from babel import Locale

    out: dict[str, Country] = {}
    with (REFERENCE_DIR / "countries.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["iso2"]] = Country(
                iso2=row["iso2"],
                iso3=row["iso3"],
                numeric=row["numeric"].zfill(3),
                name_en=row["name_en"],
                name_zh=row["name_zh"],
                region=row["region"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                calling_code=row["calling_code"],
                curated=True,
            )
    region_of = {
        code: region for region, v in _yaml("regions.yaml").items() for code in v["countries"]
    }
    en, zh = Locale("en").territories, Locale("zh").territories
    for pc in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = pc.alpha_2
        if code in out:
            continue
        calling = phonenumbers.country_code_for_region(code)
        out[code] = Country(
            iso2=code,
            iso3=pc.alpha_3,
            numeric=pc.numeric.zfill(3),
            name_en=en.get(code) or getattr(pc, "common_name", None) or pc.name,
            name_zh=zh.get(code) or en.get(code) or pc.name,
            region=region_of.get(code),
            lat=None,
            lon=None,
            calling_code=str(calling) if calling else "",
        )
    return out


def curated_countries() -> list[Country]:
    """The countries of ``countries.csv`` (the demo's markets), in file order."""
    return [c for c in load_countries().values() if c.curated]


@lru_cache(maxsize=1)
def _country_index() -> dict[str, Country]:
    import pycountry
    from babel import Locale

    countries = load_countries()
    index: dict[str, Country] = {}
    for c in countries.values():
        for name in (c.iso2, c.iso3, c.numeric, c.numeric.lstrip("0"), c.name_en, c.name_zh):
            index.setdefault(name.casefold(), c)
    # every other name a file may use: pycountry's official and common names, CLDR's names
    en, zh = Locale("en").territories, Locale("zh").territories
    for pc in pycountry.countries:
        c = countries[pc.alpha_2]
        for attr in ("name", "official_name", "common_name"):
            other = getattr(pc, attr, None)
            if other:
                index.setdefault(str(other).casefold(), c)
        for names in (en, zh):
            if names.get(pc.alpha_2):
                index.setdefault(names[pc.alpha_2].casefold(), c)
    aliases = {
        "usa": "US",
        "united states of america": "US",
        "uk": "GB",
        "great britain": "GB",
        "england": "GB",
        "korea": "KR",
        "republic of korea": "KR",
        "turkey": "TR",
        "czech republic": "CZ",
        "russian federation": "RU",
        "viet nam": "VN",
        "uae": "AE",
        "prc": "CN",
        "mainland china": "CN",
        "中国大陆": "CN",
        "台湾": "TW",
        "香港": "HK",
        "澳门": "MO",
    }
    for alias, iso2 in aliases.items():
        index[alias] = countries[iso2]
    return index


def resolve_country(text: str) -> Country | None:
    """The country named by an ISO 3166-1 alpha-2/alpha-3/numeric code or an English/Chinese
    name (ISO, CLDR or curated), else None."""
    return _country_index().get(text.strip().casefold())


@lru_cache(maxsize=1)
def load_roles() -> tuple[RoleSpec, ...]:
    """The demo company's roles from ``roles.yaml``, in file order."""
    raw = yaml.safe_load((REFERENCE_DIR / "roles.yaml").read_text(encoding="utf-8"))
    return tuple(
        RoleSpec(
            key=r["key"],
            title_en=r["title_en"],
            title_zh=r["title_zh"],
            family=r["family"],
            level=r["level"],
            description=r["description"].strip(),
            required={k: float(v) for k, v in (r.get("required") or {}).items()},
            nice={k: float(v) for k, v in (r.get("nice") or {}).items()},
            share=float(r.get("share", 1.0)),
        )
        for r in raw
    )


@lru_cache(maxsize=1)
def load_programmes() -> tuple[ProgrammeSpec, ...]:
    """Cultivation programmes from ``programmes.yaml``, in file order."""
    raw = yaml.safe_load((REFERENCE_DIR / "programmes.yaml").read_text(encoding="utf-8"))
    known = {"key", "name_en", "name_zh", "kind", "description", "audience", "weeks"}
    return tuple(
        ProgrammeSpec(
            key=p["key"],
            name_en=p["name_en"],
            name_zh=p["name_zh"],
            kind=p["kind"],
            description=p["description"].strip(),
            audience=p.get("audience", "any"),
            weeks=int(p.get("weeks", 8)),
            extra={k: v for k, v in p.items() if k not in known},
        )
        for p in raw
    )
