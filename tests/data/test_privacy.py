"""Erasure leaves no trace in the store or the data directory; retention anonymises; models
never read demographics."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from analytics.exporters import to_html, to_xlsx
from analytics.reports import build_report
from data.errors import NotFoundError
from data.store.engine import session_scope
from data.store.models import (
    AuditLog,
    Base,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    CandidateNote,
    Embedding,
    Enrolment,
    Feedback,
    MatchScore,
    Programme,
    Resume,
    StageEvent,
)
from data.store.privacy import TOMBSTONE, anonymise_rejected, erase_candidate, text_key
from tests.analytics.seed import END, START, seed_governance

REPO = Path(__file__).resolve().parents[2]
NAME = "Zelda Quixotewright"
EMAIL = "zelda.quixote@unique-mail.test"
EXT = "EXT-ZQ-777111"
PHONE = "+44 7700 900123"


@pytest.fixture
def seeded_store(engine):
    """``(engine, records)`` of ``tests.analytics.seed`` on both databases."""
    return engine, seed_governance(engine)


def _plant(engine, seeded, data_dir: Path) -> dict[str, object]:
    """A distinctive candidate, matched, scored, given feedback, enrolled, uploaded, exported."""
    text = f"{NAME}\nML engineer. Python, PyTorch.\nContact: {EMAIL}"
    passage = "ML engineer. Python, PyTorch."
    with session_scope(engine) as s:
        cand = Candidate(
            pseudonym="G-ZELDA", external_ref=EXT, country="GB", source_channel="referral"
        )
        cand.contact = CandidateContact(
            name=NAME, email=EMAIL, phone=PHONE, links=["https://github.com/zquixotewright"]
        )
        cand.demographics = CandidateDemographics(sex="female", ethnicity="White")
        s.add(cand)
        s.flush()
        res = Resume(
            candidate_id=cand.id,
            file_name=f"{NAME.replace(' ', '_')}_CV.pdf",
            sha256="ab" * 32,
            language="en",
            text=text,
        )
        s.add(res)
        s.flush()
        from data.store.models import Application, MatchRun

        app = Application(
            candidate_id=cand.id,
            role_id=seeded.roles["ml_engineer"],
            pipeline_id=1,
            current_stage="interview",
            status="active",
            applied_at=dt.datetime(2025, 3, 3),
        )
        s.add(app)
        s.flush()
        s.add(StageEvent(application_id=app.id, to_stage="screening", at=app.applied_at))
        run = s.get(MatchRun, seeded.run_id)
        score = MatchScore(
            run_id=run.id,
            resume_id=res.id,
            role_id=seeded.roles["ml_engineer"],
            score=0.999,
            rank=0,
            explanation={"evidence": [f"{NAME} built"]},
        )
        s.add(score)
        s.flush()
        s.add(
            Feedback(
                resume_id=res.id,
                role_id=seeded.roles["ml_engineer"],
                decision="advance",
                reviewer="rita",
                note=f"call {NAME} at {EMAIL}",
                match_score_id=score.id,
            )
        )
        prog = Programme(key="upskill", name_en="Upskill", name_zh="提升", kind="upskilling")
        s.add(prog)
        s.flush()
        s.add(
            Enrolment(programme_id=prog.id, candidate_id=cand.id, enrolled_at=dt.date(2025, 4, 1))
        )
        s.add(
            CandidateNote(
                candidate_id=cand.id,
                author="rita",
                at=dt.datetime(2025, 3, 4, 9, 30),
                text=f"{NAME} asked us to write to {EMAIL} after the interview",
            )
        )
        for t in (text, passage, "someone else's passage"):
            s.add(Embedding(model_id="minilm", text_hash=text_key(t), dim=2, vector=b"\x00" * 8))
        cid, pseudonym = cand.id, cand.pseudonym
    (data_dir / "uploads").mkdir(parents=True, exist_ok=True)
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    (data_dir / "uploads" / ("ab" * 32 + ".pdf")).write_bytes(f"%PDF {NAME}".encode())
    (data_dir / "cache" / "lookup.json").write_text(json.dumps({"who": EMAIL}))
    (data_dir / "cache" / "other.json").write_text(json.dumps({"who": "nobody"}))
    with session_scope(engine) as s:
        report = build_report(s, start=START, end=END, mask_contacts=False)
    to_xlsx(report, data_dir / "exports" / "report.xlsx")
    to_html(report, data_dir / "exports" / "report.html", charts=False)
    assert NAME in (data_dir / "exports" / "report.html").read_text()
    return {"id": cid, "pseudonym": pseudonym, "passage": passage}


def _files_holding(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            data = path.read_bytes()
            for needle in needles:
                if needle in data or needle.decode().encode("utf-16-le") in data:
                    found.append(f"{path}: {needle!r}")
    return found


def _pg_database_dir(engine) -> Path:
    """The folder of this database's files inside the PostgreSQL server's data directory."""
    with engine.connect() as c:
        data_dir = c.exec_driver_sql("SHOW data_directory").scalar()
        oid = c.exec_driver_sql(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).scalar()
    folder = Path(data_dir) / "base" / str(oid)
    assert folder.is_dir() and any(folder.iterdir()), folder
    return folder


def _rows_holding(session: Session, needles: list[str]) -> list[str]:
    hits = []
    for table in Base.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        for col in cols:
            expr = cast(col, Text()) if isinstance(col.type, JSON) else col
            cond = or_(*[expr.like(f"%{n}%") for n in needles])
            n = session.scalar(select(func.count()).select_from(table).where(cond))
            if n:
                hits.append(f"{table.name}.{col.name}: {n}")
    return hits


def test_erase_leaves_no_trace(seeded_store, tmp_path: Path) -> None:
    engine, seeded = seeded_store
    data_dir = tmp_path / "data"
    planted = _plant(engine, seeded, data_dir)
    with session_scope(engine) as s:
        before = s.scalar(select(func.count()).select_from(Candidate))
        s.add(
            AuditLog(
                actor="rita",
                action="feedback.add",
                target_type="candidate",
                target=planted["pseudonym"],
            )
        )

    def passages(text: str) -> list[str]:
        return [text_key(planted["passage"])] if planted["passage"] in text else []

    messages: list[str] = []
    report = erase_candidate(
        engine,
        planted["pseudonym"],
        actor="admin",
        data_dir=data_dir,
        passage_hashes=passages,
        progress=messages.append,
    )

    assert report.rows["candidates"] == 1 and report.rows["resumes"] == 1
    assert report.rows["embeddings"] == 2 and report.rows["match_scores"] == 1
    assert report.rows["feedback"] == 1 and report.rows["enrolments"] == 1
    assert report.rows["candidate_notes"] == 1  # the note named them: its bytes are gone too
    assert report.rows["applications"] == 1 and report.rows["stage_events"] == 1
    assert report.traces == [] and messages
    assert sorted(report.files_deleted) == sorted(
        [
            "cache/lookup.json",
            "exports/report.html",
            "exports/report.xlsx",
            f"uploads/{'ab' * 32}.pdf",
        ]
    )
    assert (data_dir / "cache" / "other.json").exists()

    needles = [NAME, EMAIL, EXT, "zquixotewright", "Zelda_Quixotewright"]
    with session_scope(engine) as s:
        assert _rows_holding(s, needles) == []
        assert s.scalar(select(func.count()).select_from(Candidate)) == before - 1
        assert s.scalar(select(func.count()).select_from(Embedding)) == 1  # the other passage
        erase_row = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.erase")).one()
        assert erase_row.target == planted["pseudonym"] and erase_row.actor == "admin"
        assert not any(n in json.dumps(erase_row.detail) for n in needles)
    # every byte under the test folder: data dir, SQLite file, -wal, -shm
    if engine.dialect.name == "sqlite":
        db = Path(engine.url.database)
        assert db.parent == tmp_path
    assert _files_holding(tmp_path, [n.encode() for n in needles]) == []
    if engine.dialect.name == "postgresql":
        # issue 15: plain VACUUM left the deleted rows' bytes in the table files. Every file of
        # this database on the server (tables, TOAST, indexes, catalogs; readable as root)
        assert _files_holding(_pg_database_dir(engine), [n.encode() for n in needles]) == []
    with session_scope(engine) as s, pytest.raises(NotFoundError, match="erased already"):
        from data.store.privacy import find_candidate

        find_candidate(s, planted["pseudonym"])


def test_erase_by_id_and_reports_model_traces(seeded_store, tmp_path: Path) -> None:
    engine, seeded = seeded_store
    person = seeded.people[10]
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    (models / "vocab.json").write_text(json.dumps([person.email]))
    report = erase_candidate(engine, person.id, actor="admin", data_dir=tmp_path / "data")
    assert report.pseudonym == person.pseudonym
    assert (
        report.traces == ["models/vocab.json still holds their data: retrain to forget them"]
        and (models / "vocab.json").exists()
    )
    with pytest.raises(NotFoundError):
        erase_candidate(engine, person.id, actor="admin", data_dir=None)


def test_anonymise_rejected_keeps_aggregates(seeded_store) -> None:
    engine, seeded = seeded_store
    as_of = dt.datetime(2025, 12, 31)
    days = 200
    cutoff = as_of - dt.timedelta(days=days)
    expected = [
        p
        for p in seeded.people
        if p.status == "rejected" and p.applied_at + dt.timedelta(days=5) < cutoff
    ]
    kept = [p for p in seeded.people if p not in expected]
    assert 0 < len(expected) < sum(1 for p in seeded.people if p.status == "rejected")
    victim = expected[0]
    with session_scope(engine) as s:
        res = s.get(Resume, victim.resume_id)
        s.add(Embedding(model_id="minilm", text_hash=text_key(res.text), dim=1, vector=b"\0" * 4))
        for p in (victim, kept[0]):  # a note on one anonymised and one kept candidate
            s.add(CandidateNote(candidate_id=p.id, author="rita", at=as_of, text=f"note {p.id}"))
    with session_scope(engine) as s:
        events_before = s.scalar(select(func.count()).select_from(StageEvent))
        n = anonymise_rejected(s, days, as_of=as_of, actor="admin")
    assert n == len(expected)
    with session_scope(engine) as s:
        gone = {p.id for p in expected}
        contacts = set(s.scalars(select(CandidateContact.candidate_id)))
        demo = set(s.scalars(select(CandidateDemographics.candidate_id)))
        assert not gone & contacts and not gone & demo
        assert {p.id for p in kept} <= contacts
        assert set(s.scalars(select(CandidateNote.candidate_id))) == {kept[0].id}
        res = s.get(Resume, victim.resume_id)
        assert res.text == TOMBSTONE and victim.resume_file not in res.file_name
        assert s.scalar(select(func.count()).select_from(Embedding)) == 0
        cand = s.get(Candidate, victim.id)
        assert cand.anonymised_at == as_of and cand.country == victim.country
        assert cand.source_channel == victim.channel and cand.external_ref is None
        assert s.scalar(select(func.count()).select_from(StageEvent)) == events_before
        exp = s.scalars(
            select(MatchScore.explanation).where(MatchScore.resume_id == victim.resume_id)
        ).all()
        assert exp and all(
            "Python at line" not in json.dumps(e) and "passage" not in json.dumps(e) for e in exp
        )
        assert all(e["matched_skills"][0]["key"] == "python" for e in exp)
        assert (
            s.scalars(select(AuditLog).where(AuditLog.action == "candidates.anonymise"))
            .one()
            .detail["count"]
            == n
        )
    with session_scope(engine) as s:
        assert anonymise_rejected(s, days, as_of=as_of, actor="admin") == 0  # idempotent


def test_models_never_read_demographics() -> None:
    """Demographic fields never reach a model's input: no module under ml/ touches them."""
    offenders = []
    for path in (REPO / "ml").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for needle in (
            "CandidateDemographics",
            "candidate_demographics",
            ".demographics",
            "ethnicity",
        ):
            if needle in source:
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert offenders == []


def test_erase_reports_a_store_it_could_not_compact(seeded_store, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from data.store import privacy

    engine, seeded = seeded_store

    def locked(*_a, **_k):
        raise OperationalError("VACUUM", {}, Exception("database is locked"))

    monkeypatch.setattr(privacy, "compact", locked)
    report = erase_candidate(engine, seeded.people[3].pseudonym, actor="admin", data_dir=None)
    assert report.rows["candidates"] == 1  # the rows are gone, committed
    assert len(report.traces) == 1 and "talentmap erase --compact" in report.traces[0]
    with session_scope(engine) as s:
        assert s.get(Candidate, seeded.people[3].id) is None


def test_demographics_and_contacts_do_not_change_a_match(sqlite_engine) -> None:
    """Two people with the same resume text but different sex, ethnicity and name get the same
    scores, and no demographic value or name reaches the encoder."""
    from ml.matcher import match
    from tests.ml.conftest import RESUMES, CountingEncoder, seed_matching_store

    encoder = CountingEncoder()
    _lang, text = RESUMES["ml_en.txt"]
    with session_scope(sqlite_engine) as s:
        seed_matching_store(s)
        ids = []
        for k, (sex, eth, name) in enumerate(
            [("female", "Black or African American", "Ama Owusu"), ("male", "White", "John Smith")]
        ):
            cand = Candidate(pseudonym=f"T-{k}", country="GB")
            cand.contact = CandidateContact(name=name, email=f"{k}@x.test")
            cand.demographics = CandidateDemographics(sex=sex, ethnicity=eth)
            s.add(cand)
            s.flush()
            res = Resume(
                candidate_id=cand.id,
                file_name=f"twin{k}.txt",
                sha256=f"{k + 7:x}" * 64,
                language="en",
                text=text,
            )
            s.add(res)
            s.flush()
            ids.append(res.id)
        result = match(s, encoder, resume_ids=ids, actor="t", top_k=5)
    by_resume: dict[str, dict[int, float]] = {}
    for row in result.rows:
        by_resume.setdefault(row.role, {})[row.resume_id] = row.score
    assert by_resume and all(len(set(v.values())) == 1 and len(v) == 2 for v in by_resume.values())
    seen = " ".join(encoder.encoded)
    for leaked in ("female", "Black", "Ama Owusu", "John Smith", "@x.test"):
        assert leaked not in seen
