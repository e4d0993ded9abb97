"""Strategy documents and resumes go through the same reader as every CSV import (issue 15):
the size limit before reading, the one decoder (Latin-1 decoded as cp1252, never GB18030
mojibake), links and special files refused, every refusal naming the file (and the line).
The hostile files are real files written here: an over-size sparse file, a FIFO, a link to
/etc/passwd, NUL bytes, Latin-1 and GB18030 text. On both databases."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, select

from data.ingest.documents import import_documents
from data.ingest.resumes import import_resume_files
from data.store.engine import session_scope
from data.store.models import Document, Extraction, Resume

LATIN1_DOC = "# Stratégie de recrutement\n\nNous recrutons des ingénieurs Python à Zürich.\n"
CHINESE_DOC = "# 人才战略\n\n招聘算法工程师，熟悉Python和机器学习。\n"


def _hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "latin1.md").write_bytes(LATIN1_DOC.encode("latin-1"))
    (folder / "chinese.md").write_bytes(CHINESE_DOC.encode("gb18030"))
    (folder / "nul.md").write_bytes(b"# Plan\n\nline two\n\x00\x00\x00binary\n")
    with (folder / "huge.md").open("wb") as fh:
        fh.truncate(30 * 1024 * 1024)  # sparse: 30 MB that cost no disk
    os.mkfifo(folder / "pipe.md")  # reading it would block forever
    (folder / "passwd.md").symlink_to("/etc/passwd")
    return folder


def test_documents_folder_of_hostile_files(engine: Engine, tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    report = import_documents(engine, [folder], max_bytes=5 * 1024 * 1024)
    failed = dict(report.failed)
    assert sorted(Path(p).name for p in failed) == ["huge.md", "nul.md", "passwd.md", "pipe.md"]
    by_name = {Path(p).name: m for p, m in failed.items()}
    assert "huge.md" in by_name["huge.md"] and "more than the limit" in by_name["huge.md"]
    assert "nul.md" in by_name["nul.md"] and "line 4" in by_name["nul.md"]
    assert "outside the import folder" in by_name["passwd.md"]
    assert "named pipe" in by_name["pipe.md"]
    assert sorted(Path(r.file).name for r in report.imported) == ["chinese.md", "latin1.md"]
    with session_scope(engine) as s:
        docs = {d.file_name: d for d in s.scalars(select(Document))}
        assert (docs["latin1.md"].encoding, docs["latin1.md"].title) == (
            "cp1252",
            "Stratégie de recrutement",
        )
        assert (docs["chinese.md"].encoding, docs["chinese.md"].title) == ("gb18030", "人才战略")
        texts = " ".join(s.scalars(select(Extraction.text)))
        assert "root:" not in texts  # /etc/passwd was not read
        latin = " ".join(
            s.scalars(
                select(Extraction.label).where(Extraction.document_id == docs["latin1.md"].id)
            )
        )
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in latin)  # no GB18030 mojibake


def test_resumes_of_hostile_files(engine: Engine, tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path)
    (folder / "latin1.txt").write_bytes(
        "Ingénieur logiciel à Zürich.\nPython, SQL, Kubernetes; café crème.\n".encode("latin-1")
    )
    (folder / "nul.txt").write_bytes(b"Engineer\nPython\n\x00\x00\x00\x00binary\n")
    with (folder / "huge.txt").open("wb") as fh:
        fh.truncate(30 * 1024 * 1024)
    os.mkfifo(folder / "pipe.txt")
    names = ["latin1.txt", "nul.txt", "huge.txt", "pipe.txt"]
    report = import_resume_files(engine, [folder / n for n in names], actor="admin")
    failed = {f.file_name: f for f in report.failed}
    assert sorted(failed) == ["huge.txt", "nul.txt", "pipe.txt"]
    assert failed["huge.txt"].code == "file.too_large"
    assert "not a file" in failed["pipe.txt"].reason
    assert "line 3" in failed["nul.txt"].reason
    assert len(report.stored) == 1
    with session_scope(engine) as s:
        text = s.scalar(select(Resume.text))
    assert "Ingénieur logiciel à Zürich" in text and "café crème" in text
