"""Every ISO 3166-1 country is known, named in both languages and importable."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pycountry
import pytest
import yaml
from babel import Locale
from sqlalchemy import Engine, select

from data.errors import ImportErrors
from data.ingest.people import import_candidates
from data.reference import (
    REFERENCE_DIR,
    REGIONS,
    curated_countries,
    labels,
    load_countries,
    resolve_country,
)
from data.store.engine import session_scope
from data.store.models import Candidate

ISO = sorted(pycountry.countries, key=lambda c: c.alpha_2)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_iso_country_is_known_once() -> None:
    countries = load_countries()
    assert set(countries) == {c.alpha_2 for c in ISO}
    assert len(ISO) == 249
    for field in ("iso3", "numeric", "name_en", "name_zh"):
        values = [getattr(c, field) for c in countries.values()]
        assert len(set(values)) == len(values), f"duplicate {field}"
    for pc in ISO:
        c = countries[pc.alpha_2]
        assert (c.iso3, c.numeric) == (pc.alpha_3, pc.numeric)


def test_names_in_both_languages_and_curated_names_win() -> None:
    zh = Locale("zh").territories
    curated = {c.iso2: c for c in curated_countries()}
    with (REFERENCE_DIR / "countries.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["iso2"]: r for r in csv.DictReader(fh)}
    assert set(curated) == set(rows)
    for c in load_countries().values():
        assert CJK.search(c.name_zh), c
        assert not CJK.search(c.name_en), c
        expected = rows[c.iso2]["name_zh"] if c.iso2 in rows else zh[c.iso2]
        assert c.name_zh == expected
    # naming policy: the curated table, not CLDR, names these
    assert [load_countries()[k].name_zh for k in ("TW", "HK", "MO")] == [
        "中国台湾",
        "中国香港",
        "中国澳门",
    ]
    assert load_countries()["HK"].name_en == "Hong Kong"
    assert labels.country_name("LT", "zh") == "立陶宛"
    assert labels.country_name("ISL", "en") == "Iceland"


def test_every_country_but_antarctica_has_a_region_agreeing_with_the_curated_table() -> None:
    raw = yaml.safe_load((REFERENCE_DIR / "regions.yaml").read_text(encoding="utf-8"))
    listed = [code for v in raw.values() for code in v["countries"]]
    assert len(listed) == len(set(listed)), "a country in two regions"
    assert set(listed) == {c.alpha_2 for c in ISO} - {"AQ"}
    for c in load_countries().values():
        if c.iso2 == "AQ":
            assert c.region is None
        else:
            assert c.region in REGIONS, c
    for c in curated_countries():
        assert c.iso2 in raw[c.region]["countries"], c
    # spot checks against UN M49 (hand-looked-up)
    regions = {k: load_countries()[k].region for k in ("LT", "IS", "SK", "HR", "BO", "FJ", "UZ")}
    assert regions == {
        "LT": "Europe",
        "IS": "Europe",
        "SK": "Europe",
        "HR": "Europe",
        "BO": "Latin America",
        "FJ": "Oceania",
        "UZ": "Central Asia",
    }


@pytest.mark.parametrize(
    "form",
    [
        lambda pc: pc.alpha_2,
        lambda pc: pc.alpha_3.lower(),
        lambda pc: pc.numeric,
        lambda pc: pc.name,
        lambda pc: Locale("zh").territories[pc.alpha_2],
        lambda pc: Locale("en").territories[pc.alpha_2].upper(),
    ],
    ids=["alpha2", "alpha3", "numeric", "iso_name", "zh_name", "cldr_name"],
)
def test_every_form_of_every_country_resolves(form) -> None:
    wrong = {
        pc.alpha_2: form(pc)
        for pc in ISO
        if getattr(resolve_country(form(pc)), "iso2", None) != pc.alpha_2
    }
    assert not wrong


def test_candidates_from_every_iso_country_import(engine: Engine, tmp_path: Path) -> None:
    forms = (
        lambda pc: pc.alpha_2,
        lambda pc: pc.alpha_3,
        lambda pc: pc.name,
        lambda pc: Locale("zh").territories[pc.alpha_2],
    )
    lines = ["external_id,country,source_channel"]
    for i, pc in enumerate(ISO):
        value = forms[i % len(forms)](pc).replace('"', '""')
        lines.append(f'iso-{pc.alpha_2},"{value}",referral')
    path = tmp_path / "world.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(engine) as s:
        result = import_candidates(s, path, actor="test")
    assert result.created == len(ISO)
    with session_scope(engine) as s:
        stored = {c.external_ref: (c.country, c.region) for c in s.scalars(select(Candidate))}
    for pc in ISO:
        country, region = stored[f"iso-{pc.alpha_2}"]
        assert country == pc.alpha_2
        assert region == (None if pc.alpha_2 == "AQ" else load_countries()[pc.alpha_2].region)


def test_an_unknown_country_is_refused_with_a_hint(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("external_id,country\nx-1,Atlantis\n", encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(ImportErrors, match="Atlantis.*Chinese name"):
        import_candidates(s, path, actor="test")
