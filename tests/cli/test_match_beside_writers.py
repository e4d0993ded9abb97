"""A match does not hold the write lock while it encodes (issue 15: a 2-minute `talentmap
match` made every import during it fail with "database is locked"). The match runs in a
thread with an encoder that stops in the middle of its work until a resumes import, started
meanwhile, has finished; the import must store every file, and the match its run."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, event, func, select

import ml.encoders
from data.ingest.resumes import import_resume_files
from data.store.engine import make_engine, session_scope
from data.store.models import MatchRun, MatchScore, Resume
from tests.ml.conftest import CountingEncoder, seed_matching_store


class PausingEncoder(CountingEncoder):
    """Encodes as CountingEncoder; its second call (after the first vectors were cached)
    says it is encoding and waits until ``release`` is set (or a minute passed)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.encoding, self.release = threading.Event(), threading.Event()

    def encode(self, texts: Sequence[str], **kw: Any) -> np.ndarray:
        self.calls += 1
        if self.calls == 2:
            self.encoding.set()
            self.release.wait(60)
        return super().encode(texts, **kw)


def _impatient(engine: Engine) -> Engine:
    """A second engine on the same store whose SQLite connections give up on a lock after
    0.2 s instead of 30 s (the import's retries then end in seconds, not minutes)."""
    if engine.dialect.name != "sqlite":
        return engine
    other = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(
        other, "connect", lambda conn, _rec: conn.execute("PRAGMA busy_timeout=200")
    )  # after make_engine's own pragmas
    return other


@pytest.mark.parametrize("by", ["role", "resume"])
def test_resumes_import_during_a_match_is_stored(
    cli, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by: str
) -> None:
    enc = PausingEncoder()
    monkeypatch.setattr(ml.encoders, "get_encoder", lambda name="minilm", **_kw: enc)
    with session_scope(engine) as s:
        seed_matching_store(s)
    folder = tmp_path / "new"
    folder.mkdir()
    for i in range(6):
        (folder / f"cv{i}.txt").write_text(f"Engineer {i}. Python, SQL, PyTorch.\n", "utf-8")
    outcome: dict[str, Any] = {}

    def run_match() -> None:
        outcome["match"] = cli("match", "--by", by, "--format", "json")

    matcher = threading.Thread(target=run_match)
    matcher.start()
    assert enc.encoding.wait(60), "the match never reached its encoder"
    writer = _impatient(engine)
    try:
        report = import_resume_files(writer, sorted(folder.iterdir()), actor="admin")
    except Exception as err:  # "database is locked" before the fix
        outcome["import"] = err
    finally:
        enc.release.set()
        matcher.join(120)
        if writer is not engine:
            writer.dispose()
    assert "import" not in outcome, outcome["import"]
    assert not report.failed and len(report.stored) == 6
    assert outcome["match"].exit_code == 0, outcome["match"].output
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Resume)) == 5 + 6
        assert s.scalar(select(func.count()).select_from(MatchRun)) == 1
        assert s.scalar(select(func.count()).select_from(MatchScore)) > 0


def test_a_resume_stored_while_the_match_lists_its_pool(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import committing between the match listing its pool and reading the lexical index
    failed the match ("the lexical index does not cover the pool"); the index is the pool."""
    import ml.matcher as matcher

    with session_scope(engine) as s:
        seed_matching_store(s)
    extra = tmp_path / "late.txt"
    extra.write_text("Machine learning engineer. PyTorch, Python, Kubernetes.\n", "utf-8")
    real = matcher._resume_ids

    def listed_then_another_import(session: Any, resume_ids: Any) -> list[int]:
        ids = real(session, resume_ids)
        import_resume_files(engine, [extra], actor="admin")  # another writer, committed
        return ids

    monkeypatch.setattr(matcher, "_resume_ids", listed_then_another_import)
    result = matcher.run_match(engine, CountingEncoder(), actor="m", depth=None)
    assert result.resumes_scored == 5 + 1
    assert any(r.resume == "late.txt" for r in result.rows)
