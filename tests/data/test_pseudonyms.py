"""One pseudonym format for every way a candidate enters the store: CSV import, resume
upload and the demo world."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select

from data.demo.world import build_demo
from data.ingest.people import import_candidates
from data.ingest.resumes import import_resumes
from data.store.engine import session_scope
from data.store.models import Candidate
from data.store.pseudonyms import PATTERN, derived_pseudonym, new_pseudonym
from tests.data.resume_files import EN_RESUME

AS_OF = dt.date(2026, 11, 25)


def test_every_importer_and_the_demo_use_the_one_format(engine: Engine, tmp_path: Path) -> None:
    build_demo(engine, candidates=20, seed=1, as_of=AS_OF)
    people = tmp_path / "people.csv"
    people.write_text("external_id,name\nats-1,Ann\nats-2,Bo\n", encoding="utf-8")
    with session_scope(engine) as s:
        import_candidates(s, people, actor="a")
        import_resumes(s, [("cv.txt", EN_RESUME.encode())], actor="a")
    with session_scope(engine) as s:
        rows = s.execute(select(Candidate.pseudonym, Candidate.source_channel)).all()
    channels = {channel for _, channel in rows}
    assert "upload" in channels and len(rows) >= 23
    bad = [p for p, _ in rows if not PATTERN.fullmatch(p)]
    assert not bad, f"pseudonyms in another format: {bad}"


def test_derived_pseudonyms_are_stable_and_random_ones_differ() -> None:
    assert derived_pseudonym(7, 1) == derived_pseudonym(7, 1) != derived_pseudonym(7, 2)
    assert PATTERN.fullmatch(derived_pseudonym(7, 1))
    drawn = {new_pseudonym() for _ in range(1000)}
    assert len(drawn) == 1000 and all(PATTERN.fullmatch(p) for p in drawn)
