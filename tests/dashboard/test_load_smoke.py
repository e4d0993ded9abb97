"""The load test's harness in miniature (issue 15/17): two real dashboard sessions (AppTest of
dashboard/app.py, each in its own spawned process, signed in through the form) and the four
writer processes for ten seconds, on both databases. The store is then counted against what
each process says it wrote: nothing lost, nothing doubled, no page raised. The full runs
(20 and 50 users, minutes) are ``python -m benchmarks.load_test``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from benchmarks.load_test import WRITERS, prepare, run


@pytest.mark.slow
def test_two_sessions_and_four_writers_lose_nothing(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    cfg = prepare(url, tmp_path, users=2, candidates=120)
    cfg["match_every"] = 4
    result = run(cfg, 2, WRITERS, 10)
    assert result["errors"] == []
    assert result["processes_missing"] == 0
    assert result["page_views"] >= 2  # both signed in and drew pages
    ops = result["writer_ops"]
    assert ops["resumes"] >= 1 and ops["feedback"] >= 1 and ops["stages"] >= 1
    checks = result["checks"]
    assert checks["resumes"]["stored"] == checks["resumes"]["written"] > 0
    assert checks["resumes"]["duplicates"] == 0  # repeats of a file stored once
    assert checks["feedback_import"]["stored"] == checks["feedback_import"]["expected"] == 20
    assert checks["stage_moves"]["writer_stored"] == checks["stage_moves"]["writer_made"] > 0
    assert checks["match_runs"]["stored"] == checks["match_runs"]["made"]
    assert (result["lost_rows"], result["duplicated_rows"]) == (0, 0)
