"""Every audit action id, target type and detail key the code writes has a name in both
languages, so the audit-log viewer shows no id in Chinese (or in English)."""

from __future__ import annotations

import pytest

from data.ingest.planning import _MODELS as PLANNING_KINDS
from data.queries.audit_log import action_label, detail_text, target_type_label
from data.reference import labels
from tests.audit_codes import audit_codes

CODES = audit_codes()
ACTIONS = sorted(CODES.actions | {p + k for p in CODES.prefixes for k in PLANNING_KINDS})


def test_the_source_scan_finds_the_known_writers():
    # a few action ids picked by hand from the writers, so the scan cannot silently find nothing
    assert {"feedback.change", "candidate.stage_move", "users.add", "docs.replace"} <= CODES.actions
    assert CODES.prefixes == {"planning.import_"}
    assert {"user", "file", "candidate"} <= CODES.target_types


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_action_id_has_a_name(lang):
    missing = [a for a in ACTIONS if f"log.action.{a}" not in labels.keys(lang)]
    assert not missing, missing
    assert all(action_label(a, lang) != a for a in ACTIONS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_target_type_and_detail_key_has_a_name(lang):
    keys = labels.keys(lang)
    assert not [t for t in CODES.target_types if f"log.target.{t}" not in keys]
    assert not [k for k in CODES.detail_keys if f"log.detail.{k}" not in keys]


def test_names_read_from_the_catalog_and_unknown_codes_show_as_themselves():
    assert action_label("users.add", "zh") == "添加用户"
    assert action_label("users.add", "en") == "User added"
    assert action_label("some.new_action", "zh") == "some.new_action"
    assert target_type_label("user", "zh") == "用户" and target_type_label(None, "zh") == ""


def test_a_detail_reads_as_named_pairs():
    detail = {"from": "viewer", "to": "recruiter", "rows": 3, "skills": ["python"]}
    assert detail_text(detail, "en") == 'from: viewer; to: recruiter; rows: 3; skills: ["python"]'
    assert detail_text(detail, "zh") == '原为：viewer；改为：recruiter；行数：3；技能：["python"]'
    assert detail_text(None, "zh") == "" and detail_text({}, "en") == ""
