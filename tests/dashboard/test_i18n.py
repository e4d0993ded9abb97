"""Both languages carry the same strings, and formats follow the language."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n


def test_nothing_is_left_outside_the_catalogs():
    """Strings added to ``STRINGS`` are moved with ``scripts/strings_to_po.py``."""
    assert i18n.STRINGS == {"en": {}, "zh": {}}


def test_every_key_used_in_the_dashboard_exists():
    from pathlib import Path

    root = Path(i18n.__file__).parent
    used = set()
    for p in [root / "app.py", *root.glob("app_pages/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", p.read_text(encoding="utf-8")))
    assert used, "no t() calls found"
    missing = {k for k in used if not i18n.known(k)}
    assert not missing, missing


def test_number_formats_differ_by_language(monkeypatch):
    import streamlit as st

    state: dict = {"lang": "en"}
    monkeypatch.setattr(st, "session_state", state)
    assert i18n.fmt_int(123456) == "123,456"
    assert i18n.fmt_days(12) == "12 days"
    state["lang"] = "zh"
    assert i18n.fmt_int(123456) == "12.3万"
    assert i18n.fmt_days(12) == "12 天"
    assert i18n.fmt_pct(0.4567) == "45.7%"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_channel_and_region_has_a_name(lang):
    from data.reference import REGIONS, SOURCE_CHANNELS, labels, load_countries

    regions = set(REGIONS) | {c.region for c in load_countries().values() if c.region}
    for key in SOURCE_CHANNELS:
        assert labels.reference_name(f"channel.{key}", lang), key
    for key in regions:
        assert labels.reference_name(f"region.{key}", lang), key
    zh = {i18n.channel_name(k, "zh") for k in SOURCE_CHANNELS}
    assert not any(re.search("[A-Za-z_]", name) for name in zh - {"领英"}), zh


def test_unknown_codes_show_as_themselves_and_missing_ones_as_unknown():
    assert i18n.channel_name("linkedin", "en") == "LinkedIn"
    assert i18n.channel_name("job_board", "zh") == "招聘网站"
    assert i18n.region_name("East Asia", "zh") == "东亚"
    assert i18n.channel_name("carrier_pigeon", "en") == "carrier_pigeon"
    assert i18n.region_name(None, "zh") == i18n.region_name("?", "zh") == "未知"


def test_model_lab_metrics_and_statuses_have_chinese_names():
    for key in ("roc_auc", "accuracy", "ece", "brier", "macro_f1", "top3_accuracy", "n"):
        zh = i18n.tr("zh", f"metric.{key}")
        assert zh != key and re.search(r"[\u4e00-\u9fff]", zh), key
    for status in ("candidate", "active", "retired"):
        assert re.search(r"[\u4e00-\u9fff]", i18n.tr("zh", f"model_status.{status}"))


@pytest.mark.parametrize(
    "text,en,zh",
    [
        # the demo's role descriptions: the English page showed the Chinese sentence too
        (
            "Designs how people work with AI features: flows, prototypes and usability tests. "
            "设计用户与 AI 功能交互的流程、原型与可用性测试。",
            "Designs how people work with AI features: flows, prototypes and usability tests.",
            "设计用户与 AI 功能交互的流程、原型与可用性测试。",
        ),
        ("Only English here. Two sentences.", None, None),
        ("只有中文。两句。", None, None),
        ("", None, None),
    ],
)
def test_in_language_keeps_the_sentences_of_the_language(text, en, zh):
    from dashboard.i18n import in_language

    assert in_language(text, "en") == (text if en is None else en)
    assert in_language(text, "zh") == (text if zh is None else zh)
