"""The label catalog: both languages hold the same keys and placeholders, the compiled catalog
serves what the .po files say, and reference names come in both languages."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from data.reference import labels

CJK = re.compile(r"[\u4e00-\u9fff]")


def _po(lang: str) -> dict[str, str]:
    """The catalog read straight from the .po file (not through the loader)."""
    with labels.po_path(lang).open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


EN, ZH = _po("en"), _po("zh")


def test_both_languages_have_the_same_keys():
    assert set(EN) == set(ZH)
    assert len(EN) > 300
    assert all(EN.values()) and all(ZH.values()), "a key without text"


@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_agree(key):
    assert _fields(EN[key]) == _fields(ZH[key])


def test_every_chinese_string_is_chinese():
    not_chinese = {k: v for k, v in ZH.items() if not CJK.search(v)}
    assert not not_chinese


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_compiled_catalog_serves_the_po_file(lang):
    po = _po(lang)
    assert labels.keys(lang) == set(po)
    for key, text in po.items():
        assert labels.lookup(lang, key) == text


def test_formatting_fallback_and_unknown_keys():
    assert labels.tr("en", "unit.days", n=3) == EN["unit.days"].replace("{n}", "3")
    assert labels.tr("zh", "unit.days", n=3) == ZH["unit.days"].replace("{n}", "3")
    assert labels.tr("fr", "nav.overview") == EN["nav.overview"]  # unknown language: English
    assert labels.tr("zh", "no.such.key") == "no.such.key"
    assert not labels.has("no.such.key")


def test_the_conversion_script_moves_a_dict_into_the_catalogs(tmp_path, monkeypatch):
    import importlib.util
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "strings_to_po", root / "scripts/strings_to_po.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    locale = tmp_path / "locale"
    shutil.copytree(labels.LOCALE_DIR, locale)
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    monkeypatch.setattr(mod, "LOCALE", locale)
    src = tmp_path / "page.py"
    src.write_text(
        'X = 1\nSTRINGS: dict = {\n    "en": {"new.key": "{n} rows", "nav.overview": "Home"},\n'
        '    "zh": {"new.key": "{n} 行", "nav.overview": "首页"},\n}\nY = 2\n',
        encoding="utf-8",
    )
    assert mod.main(["page.py:STRINGS"]) == 0
    assert src.read_text(encoding="utf-8") == 'X = 1\nSTRINGS: dict = {"en": {}, "zh": {}}\nY = 2\n'
    with (locale / "zh/LC_MESSAGES/talentmap.po").open("rb") as fh:
        zh = {m.id: m.string for m in read_po(fh) if m.id}
    assert zh["new.key"] == "{n} 行" and zh["nav.overview"] == "首页"
    assert len(zh) == len(ZH) + 1
    assert mod.main(["page.py:STRINGS", "--check"]) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reference_names_in_both_languages(lang):
    from data.reference import SOURCE_CHANNELS
    from data.reference.stages import STAGES, stage_label, strategy_labels

    for key in STAGES:
        assert labels.stage_name(key, lang) == stage_label(key, lang)
    for s in strategy_labels():
        assert labels.strategy_name(s.key, lang) == getattr(s, lang)
    for key in SOURCE_CHANNELS:
        name = labels.channel_name(key, lang)
        assert name != key and "_" not in name
    assert (
        labels.skill_name("ui_design", lang)
        == {"en": "User Interface Design", "zh": "界面设计"}[lang]
    )
    assert labels.channel_name(None, lang) == labels.country_name("", lang) == labels.unknown(lang)
    assert labels.channel_name("carrier_pigeon", lang) == "carrier_pigeon"


def test_every_error_code_raised_has_a_text_in_both_languages():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "data"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'\bcode="([\w.]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) >= 10
    missing = {c for c in codes if f"error.{c}" not in EN or f"error.{c}" not in ZH}
    assert not missing


def test_error_text_falls_back_to_the_english_message():
    assert labels.error_text("resume.empty", {}, "x", "zh") == ZH["error.resume.empty"]
    assert labels.error_text("no.such", {}, "the message", "zh") == "the message"
    assert labels.error_text(None, None, "the message", "zh") == "the message"
    mb = labels.error_text("resume.too_large", {"mb": 30.0, "limit": 20.0}, "x", "zh")
    assert "30.0 MB" in mb and "20.0 MB" in mb
