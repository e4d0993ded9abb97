"""Reference data shipped with TalentMap: countries, demo roles, programmes and code lists.

``countries.csv`` carries ISO 3166-1 alpha-2, alpha-3 and numeric codes (the numeric code, as a
zero-padded 3-digit string, is what world-map shapes such as Natural Earth / ``world-atlas``
use as feature ids), bilingual names, a world region, a centroid and the calling code.

The code lists here (EEO-1 categories, sexes, source channels) are the ones the importers
validate against and the bias audit groups by.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
"""Where a candidate came from (``Candidate.source_channel``)."""

REGIONS: tuple[str, ...] = (
    "East Asia",
    "Southeast Asia",
    "South Asia",
    "Central Asia",
    "Europe",
    "North America",
    "Latin America",
    "Middle East & Africa",
    "Oceania",
)


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    numeric: str  # ISO 3166-1 numeric, zero-padded to 3 digits ("036")
    name_en: str
    name_zh: str
    region: str
    lat: float
    lon: float
    calling_code: str


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
    """All reference countries keyed by ISO alpha-2 code, in file order."""
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
            )
    return out


@lru_cache(maxsize=1)
def _country_index() -> dict[str, Country]:
    index: dict[str, Country] = {}
    for c in load_countries().values():
        for name in (c.iso2, c.iso3, c.numeric, c.name_en, c.name_zh):
            index[name.casefold()] = c
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
    }
    for alias, iso2 in aliases.items():
        index[alias] = load_countries()[iso2]
    return index


def resolve_country(text: str) -> Country | None:
    """The country named by an ISO-2/ISO-3/numeric code or an English/Chinese name, else None."""
    return _country_index().get(text.strip().casefold())


def countries_by_numeric() -> dict[str, Country]:
    """Countries keyed by ISO numeric code (for joining world-map shapes)."""
    return {c.numeric: c for c in load_countries().values()}


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
