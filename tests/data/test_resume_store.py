"""Storing parsed resumes: once per file, candidate with contacts, masked text, audit rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from data.ingest.resumes import import_resumes
from data.queries.resumes import list_resumes
from data.store.engine import session_scope
from data.store.models import AuditLog, Candidate, CandidateContact, Resume
from data.text.resume_files import Limits
from tests.data.resume_files import (
    EN_RESUME,
    ZH_RESUME,
    cfb_doc_bytes,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    slow_pdf_bytes,
)


def _batch(tmp_path: Path, benchmarks_dir: Path) -> list[Path]:
    en = make_docx(tmp_path / "jane.docx", EN_RESUME)
    zh = make_pdf(tmp_path / "zhang.pdf", ZH_RESUME, chinese=True)
    copy = tmp_path / "jane-copy.docx"
    copy.write_bytes(en.read_bytes())
    locked = make_encrypted_pdf(tmp_path / "locked.pdf", EN_RESUME)
    doc = tmp_path / "old.docx"
    doc.write_bytes(cfb_doc_bytes())
    scanned = benchmarks_dir / "livecareer_pdfs" / "BUSINESS-DEVELOPMENT" / "12632728.pdf"
    return [en, locked, zh, copy, scanned, doc]


def test_import_stores_good_files_and_reports_the_rest(
    engine: Engine, tmp_path: Path, benchmarks_dir: Path
) -> None:
    calls: list[tuple[int, int]] = []
    with session_scope(engine) as s:
        report = import_resumes(
            s,
            _batch(tmp_path, benchmarks_dir),
            actor="alice",
            progress=lambda done, total: calls.append((done, total)),
        )
    assert len(report.stored) == 2
    assert report.duplicates == [("jane-copy.docx", report.stored[0])]
    assert {f.file_name: f.reason for f in report.failed} == {
        "locked.pdf": "encrypted PDF: remove the password and upload again",
        "12632728.pdf": "no extractable text: needs OCR or manual review",
        "old.docx": "legacy Word .doc is not supported: save it as .docx or PDF",
    }
    assert report.processed == 6
    assert calls == [(i, 6) for i in range(1, 7)]

    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Resume)) == 2
        assert s.scalar(select(func.count()).select_from(Candidate)) == 2
        en = s.get(Resume, report.stored[0])
        zh = s.get(Resume, report.stored[1])
        assert (en.file_name, en.language, en.pages) == ("jane.docx", "en", None)
        assert (zh.file_name, zh.language, zh.pages) == ("zhang.pdf", "zh", 1)
        # what models see carries no contact details
        for text, secrets in (
            (en.text, ["jane.doe@example.com", "555-0134", "Jane Doe"]),
            (zh.text, ["138 1234 5678", "zhang.wei@example.cn", "张伟"]),
        ):
            assert not [x for x in secrets if x in text]
            assert "[EMAIL]" in text or "[PHONE]" in text
        cand = s.get(Candidate, en.candidate_id)
        assert cand.source_channel == "upload"
        assert len(cand.pseudonym) >= 12
        contact = s.get(CandidateContact, cand.id)
        assert (contact.name, contact.email, contact.phone) == (
            "Jane Doe",
            "jane.doe@example.com",
            "(415) 555-0134",
        )
        assert contact.links == ["linkedin.com/in/janedoe"]
        zh_contact = s.get(CandidateContact, zh.candidate_id)
        assert (zh_contact.name, zh_contact.email) == ("张伟", "zhang.wei@example.cn")

        audits = list(
            s.scalars(
                select(AuditLog).where(AuditLog.action == "resumes.import").order_by(AuditLog.id)
            )
        )
        pseudonyms = [s.get(Candidate, r.candidate_id).pseudonym for r in (en, zh)]
        assert [a.target for a in audits] == pseudonyms
        assert all(a.actor == "alice" and a.target_type == "candidate" for a in audits)
        # the detail names no person, file or row id: only what kind of file it was
        assert [a.detail for a in audits] == [
            {"kind": "docx", "language": "en", "pages": None},
            {"kind": "pdf", "language": "zh", "pages": 1},
        ]


def test_reimport_stores_nothing_twice(engine: Engine, tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx", ZH_RESUME)
    with session_scope(engine) as s:
        first = import_resumes(s, [path], actor="alice")
    renamed = tmp_path / "renamed.docx"
    renamed.write_bytes(path.read_bytes())
    with session_scope(engine) as s:
        second = import_resumes(s, [path, renamed], actor="alice")
    assert second.stored == []
    assert second.duplicates == [("a.docx", first.stored[0]), ("renamed.docx", first.stored[0])]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Resume)) == 1
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_a_slow_file_does_not_stop_the_batch(engine: Engine, tmp_path: Path) -> None:
    """A PDF needing many seconds of extraction hits a 2 s limit; the files after it are stored."""
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(slow_pdf_bytes(pages=200))
    good = make_docx(tmp_path / "good.docx", EN_RESUME)
    text = tmp_path / "good.md"
    text.write_text(ZH_RESUME, encoding="utf-8")
    with session_scope(engine) as s:
        report = import_resumes(
            s, [slow, good, text], actor="alice", limits=Limits(timeout_s=2, max_pages=1000)
        )
    assert [(f.file_name, f.reason.split(":")[0]) for f in report.failed] == [
        ("slow.pdf", "took longer than 2 s to read")
    ]
    assert len(report.stored) == 2
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Resume)) == 2


def test_page_limit_in_a_batch(engine: Engine, tmp_path: Path) -> None:
    long = make_pdf(tmp_path / "long.pdf", EN_RESUME, pages=3)
    good = make_pdf(tmp_path / "short.pdf", ZH_RESUME, chinese=True)
    with session_scope(engine) as s:
        report = import_resumes(s, [long, good], actor="alice", limits=Limits(max_pages=2))
    assert [f.file_name for f in report.failed] == ["long.pdf"]
    assert "3 pages, more than the limit of 2" in report.failed[0].reason
    assert len(report.stored) == 1


def test_list_resumes(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        import_resumes(
            s,
            [make_docx(tmp_path / "a.docx", EN_RESUME), make_docx(tmp_path / "b.docx", ZH_RESUME)],
            actor="alice",
        )
    with session_scope(engine) as s:
        rows = list_resumes(s)
        assert [r.file_name for r in rows] == ["b.docx", "a.docx"]
        assert [r.language for r in rows] == ["zh", "en"]
        assert all(r.chars > 50 and r.candidate for r in rows)
        assert [r.file_name for r in list_resumes(s, limit=1)] == ["b.docx"]


def test_uploads_in_memory_and_duplicates_are_not_parsed_again(
    engine: Engine, tmp_path: Path
) -> None:
    data = make_docx(tmp_path / "a.docx", EN_RESUME).read_bytes()
    with session_scope(engine) as s:
        first = import_resumes(s, [("cv.docx", data), ("empty.txt", b"")], actor="alice")
    assert [f.file_name for f in first.failed] == ["empty.txt"]
    (rid,) = first.stored
    with session_scope(engine) as s:
        assert s.get(Resume, rid).file_name == "cv.docx"
    # a zero time limit fails every parse: a known file is recognised before parsing
    with session_scope(engine) as s:
        again = import_resumes(s, [("same.docx", data)], actor="alice", limits=Limits(timeout_s=0))
    assert again.duplicates == [("same.docx", rid)] and again.failed == []
