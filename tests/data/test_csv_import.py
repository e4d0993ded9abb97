"""CSV imports: real bad files, all-or-nothing, idempotence, and a failure half-way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data.errors import ImportErrors, InputError
from data.ingest import people as csv_import
from data.ingest.people import import_candidates, import_events
from data.store.engine import session_scope
from data.store.models import (
    Application,
    AuditLog,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    Role,
    StageEvent,
)

GOOD_CANDIDATES = """external_id,name,email,phone,country,source_channel,sex,ethnicity,role,applied_at
ats-1,李雷,li.lei@example.com,+86 138 0000 0001,CN,referral,Male,Asian,ml_engineer,2025-01-03
ats-2,Jane Roe,jane@example.com,,United States,LinkedIn,female,,数据科学家,2025-02-01
ats-3,Ola Nordmann,ola@example.no,+47 400 00 000,NOR,job board,,White,,
ats-4,Amara Okafor,amara@example.ng,,Nigeria,campus,F,Black or African American,Software Engineer,2025-03-10
"""

GOOD_EVENTS = """external_id,role,to_stage,at,from_stage,actor,outcome
ats-1,ml_engineer,needs_analysis,2025-01-03,,li.na,
ats-1,ml_engineer,sourcing,2025-01-05,needs_analysis,li.na,pass
ats-1,ml_engineer,简历筛选,2025-01-09T10:30,sourcing,li.na,pass
ats-1,ml_engineer,Interview,2025-01-20,screening,wang.fang,pass
ats-1,ml_engineer,onboarding,2025-03-01,interview,hr.sun.li,pass
ats-2,data_scientist,sourcing,2025-02-02,needs_analysis,li.na,pass
ats-2,data_scientist,screening,2025-02-10,screening,li.na,fail
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a CSV import may touch (audit log excluded), for before/after comparisons."""
    tables = {
        "candidates": select(
            Candidate.id,
            Candidate.pseudonym,
            Candidate.external_ref,
            Candidate.country,
            Candidate.region,
            Candidate.source_channel,
        ),
        "contacts": select(
            CandidateContact.candidate_id,
            CandidateContact.name,
            CandidateContact.email,
            CandidateContact.phone,
        ),
        "demographics": select(
            CandidateDemographics.candidate_id,
            CandidateDemographics.sex,
            CandidateDemographics.ethnicity,
        ),
        "applications": select(
            Application.id,
            Application.candidate_id,
            Application.role_id,
            Application.current_stage,
            Application.status,
            Application.applied_at,
            Application.closed_at,
            Application.hired_at,
            Application.left_at,
        ),
        "events": select(
            StageEvent.id,
            StageEvent.application_id,
            StageEvent.from_stage,
            StageEvent.to_stage,
            StageEvent.at,
            StageEvent.actor,
            StageEvent.outcome,
        ),
        "roles": select(Role.id, Role.key),
    }
    return {name: sorted(tuple(r) for r in session.execute(q)) for name, q in tables.items()}


def test_import_candidates_stores_people_apart_and_opens_applications(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "people.csv", GOOD_CANDIDATES)
    with session_scope(engine) as s:
        result = import_candidates(s, path, actor="alice")
    assert (result.rows, result.created, result.applications_created) == (4, 4, 3)
    with session_scope(engine) as s:
        c = s.scalar(select(Candidate).where(Candidate.external_ref == "ats-2"))
        assert (c.country, c.region, c.source_channel) == ("US", "North America", "linkedin")
        assert c.contact.email == "jane@example.com" and c.demographics.sex == "Female"
        assert c.demographics.ethnicity is None
        assert c.pseudonym and "ats" not in c.pseudonym
        nor = s.scalar(select(Candidate).where(Candidate.external_ref == "ats-3"))
        assert nor.country == "NO" and nor.source_channel == "job_board"
        roles = set(s.scalars(select(Role.key).join(Application, Application.role_id == Role.id)))
        assert roles == {"ml_engineer", "data_scientist", "software_engineer"}
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "import.candidates")).all()
        assert len(audit) == 1 and audit[0].actor == "alice"
        assert audit[0].detail["rows"] == 4 and audit[0].detail["file"] == "people.csv"


def test_importing_the_same_files_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", GOOD_CANDIDATES)
    events = write(tmp_path, "events.csv", GOOD_EVENTS)
    with session_scope(engine) as s:
        import_candidates(s, people, actor="a")
        import_events(s, events, actor="a")
    with session_scope(engine) as s:
        before = snapshot(s)
    with session_scope(engine) as s:
        again_c = import_candidates(s, people, actor="a")
        again_e = import_events(s, events, actor="a")
    with session_scope(engine) as s:
        assert snapshot(s) == before
    assert (again_c.created, again_c.updated, again_c.unchanged) == (0, 0, 4)
    assert (again_e.created, again_e.updated, again_e.unchanged) == (0, 0, 7)


def test_import_events_moves_applications_along(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        import_candidates(s, write(tmp_path, "p.csv", GOOD_CANDIDATES), actor="a")
        result = import_events(s, write(tmp_path, "e.csv", GOOD_EVENTS), actor="a")
    assert result.created == 7
    with session_scope(engine) as s:
        rows = dict(
            s.execute(
                select(Candidate.external_ref, Application).join(
                    Application, Application.candidate_id == Candidate.id
                )
            ).all()
        )
        hired, rejected = rows["ats-1"], rows["ats-2"]
        assert (hired.status, hired.current_stage) == ("hired", "onboarding")
        assert hired.hired_at.isoformat().startswith("2025-03-01")
        assert (rejected.status, rejected.current_stage) == ("rejected", "screening")
        stages = s.scalars(
            select(StageEvent.to_stage)
            .where(StageEvent.application_id == hired.id)
            .order_by(StageEvent.at)
        ).all()
        assert stages == ["needs_analysis", "sourcing", "screening", "interview", "onboarding"]


def test_a_correction_updates_the_stored_row(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        import_candidates(s, write(tmp_path, "p.csv", GOOD_CANDIDATES), actor="a")
    fixed = GOOD_CANDIDATES.replace("jane@example.com", "jane.roe@example.com")
    with session_scope(engine) as s:
        r = import_candidates(s, write(tmp_path, "p2.csv", fixed), actor="a")
    assert (r.created, r.updated, r.unchanged) == (0, 1, 3)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 4
        assert (
            s.scalar(
                select(CandidateContact.email)
                .join(Candidate)
                .where(Candidate.external_ref == "ats-2")
            )
            == "jane.roe@example.com"
        )


BAD_CANDIDATES = """external_id,name,country,sex,ethnicity,applied_at
ok-1,Ann,DE,Female,White,2025-01-01
bad-2,Bob,Atlantis,Male,,2025-01-01
bad-3,Cy,FR,Male,,2025-13-45
ok-1,Dup,GB,,,
,Nobody,GB,,,
bad-6,Eve,IN,Female,Martian,
"""


def test_every_bad_candidate_row_is_reported_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "bad.csv", BAD_CANDIDATES)
    with pytest.raises(ImportErrors) as info, session_scope(engine) as s:
        import_candidates(s, path, actor="a")
    found = {(e.file, e.row, e.field) for e in info.value.errors}
    assert found == {
        ("bad.csv", 3, "country"),
        ("bad.csv", 4, "applied_at"),
        ("bad.csv", 5, "external_id"),
        ("bad.csv", 6, "external_id"),
        ("bad.csv", 7, "ethnicity"),
    }
    message = str(info.value)
    assert "bad.csv, row 3, field 'country'" in message and "nothing was imported" in message
    assert "first on row 2" in message
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


@pytest.mark.parametrize(
    "header,field",
    [
        ("name,email,country", "external_id"),
        ("external_id,name,contry", "contry"),
    ],
    ids=["missing-column", "unknown-column"],
)
def test_header_problems_name_row_one(
    engine: Engine, tmp_path: Path, header: str, field: str
) -> None:
    path = write(tmp_path, "h.csv", f"{header}\nx,y,z\n")
    with pytest.raises(ImportErrors) as info, session_scope(engine) as s:
        import_candidates(s, path, actor="a")
    assert [(e.row, e.field) for e in info.value.errors] == [(1, field)]


def test_empty_non_utf8_and_semicolon_files_are_refused(engine: Engine, tmp_path: Path) -> None:
    semicolons = write(tmp_path, "semi.csv", "external_id;name\n1;Ann\n")
    with pytest.raises(InputError, match="comma-separated") as info, session_scope(engine) as s:
        import_candidates(s, semicolons, actor="a")
    assert info.value.row == 1 and info.value.file == "semi.csv"
    empty = write(tmp_path, "empty.csv", "")
    latin = tmp_path / "latin.csv"  # not text in any encoding people save CSVs in
    latin.write_bytes(b"external_id,name\n1,\x80\xff\xfe\x81\n")
    with pytest.raises(InputError, match="empty"), session_scope(engine) as s:
        import_candidates(s, empty, actor="a")
    with pytest.raises(InputError, match="UTF-8"), session_scope(engine) as s:
        import_candidates(s, latin, actor="a")


def test_an_unclosed_quote_names_its_row_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    # Row 3 opens a quote it never closes: a lenient reader would swallow rows 3-5 into one
    # cell and import two people silently.
    bad = write(
        tmp_path,
        "quote.csv",
        "external_id,name,email\n"
        "ats-1,Ann,ann@example.com\n"
        'ats-2,"Bob,bob@example.com\n'
        "ats-3,Cy,cy@example.com\n"
        "ats-4,Di,di@example.com\n",
    )
    with session_scope(engine) as s:
        before = snapshot(s)
    with (
        pytest.raises(InputError, match="close the quote or remove it") as info,
        session_scope(engine) as s,
    ):
        import_candidates(s, bad, actor="a")
    assert (info.value.file, info.value.row, info.value.line) == ("quote.csv", 3, 3)
    events = write(
        tmp_path,
        "events.csv",
        "external_id,role,to_stage,at\n"
        'ats-1,ml_engineer,"screening,2025-01-09\nats-1,ml_engineer,interview,2025-01-12\n',
    )
    with pytest.raises(InputError, match="never closed") as info, session_scope(engine) as s:
        import_events(s, events, actor="a")
    assert (info.value.file, info.value.row) == ("events.csv", 2)
    with session_scope(engine) as s:
        assert snapshot(s) == before
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


BAD_EVENTS = """external_id,role,to_stage,at,outcome
ats-1,ml_engineer,screening,2025-01-09,pass
ats-1,ml_engineer,screening,yesterday,pass
ats-1,ml_engineer,coffee chat,2025-01-10,
ghost,ml_engineer,screening,2025-01-10,
ats-1,astronaut,screening,2025-01-10,
ats-1,ml_engineer,screening,2025-01-09,pass
ats-1,ml_engineer,interview,2025-01-12,maybe
"""


def test_every_bad_event_row_is_reported_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as s:
        import_candidates(s, write(tmp_path, "p.csv", GOOD_CANDIDATES), actor="a")
    with session_scope(engine) as s:
        before = snapshot(s)
    with pytest.raises(ImportErrors) as info, session_scope(engine) as s:
        import_events(s, write(tmp_path, "ev.csv", BAD_EVENTS), actor="a")
    found = {(e.row, e.field) for e in info.value.errors}
    assert found == {
        (3, "at"),
        (4, "to_stage"),
        (5, "external_id"),
        (6, "role"),
        (7, "at"),
        (8, "outcome"),
    }
    with session_scope(engine) as s:
        assert snapshot(s) == before


@pytest.mark.parametrize("kind", ["candidates", "events"])
def test_a_failure_half_way_leaves_the_store_exactly_as_it_was(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # a store with data in it, then a file that updates it and adds rows, killed at row 4
    with session_scope(engine) as s:
        import_candidates(s, write(tmp_path, "p.csv", GOOD_CANDIDATES), actor="a")
        import_events(
            s, write(tmp_path, "e.csv", "\n".join(GOOD_EVENTS.splitlines()[:2])), actor="a"
        )
    with session_scope(engine) as s:
        before = snapshot(s)
        audit_before = s.scalar(select(func.count()).select_from(AuditLog))
    if kind == "candidates":
        text = (
            GOOD_CANDIDATES.replace("Jane Roe", "Jane Changed")
            + "ats-5,New Person,new@example.com,,DE,referral,,,mlops_engineer,2025-04-01\n"
        )
        path, fn_name, run = (
            write(tmp_path, "more.csv", text),
            "_apply_candidate_row",
            import_candidates,
        )
    else:
        path, fn_name, run = (
            write(tmp_path, "more.csv", GOOD_EVENTS),
            "_apply_event_row",
            import_events,
        )
    original = getattr(csv_import, fn_name)
    calls = []

    def dies_at_row_4(session: Session, n: int, *args: Any, **kwargs: Any) -> None:
        calls.append(n)
        if n == 4:
            raise RuntimeError("power cut")
        original(session, n, *args, **kwargs)

    monkeypatch.setattr(csv_import, fn_name, dies_at_row_4)
    with pytest.raises(RuntimeError, match="power cut"), session_scope(engine) as s:
        run(s, path, actor="a")
    assert calls == [2, 3, 4]  # rows 2 and 3 were written before the failure
    with session_scope(engine) as s:
        assert snapshot(s) == before
        assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_before


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("cp1252", "José Müller"), ("gb18030", "张伟"), ("utf-16", "Zoë 李")],
    ids=["excel-western-windows", "excel-chinese-windows", "utf16-bom"],
)
def test_csv_saved_by_excel_in_a_legacy_encoding_is_read_right(
    engine: Engine, tmp_path: Path, encoding: str, name: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(f"external_id,name\nats-1,{name}\n".encode(encoding))
    with session_scope(engine) as s:
        import_candidates(s, path, actor="a")
    with session_scope(engine) as s:
        assert s.scalars(select(CandidateContact.name)).all() == [name]
