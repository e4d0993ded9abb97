"""The audit log is append-only because the database says so (issue 15: it was only a
convention): triggers refuse UPDATE and DELETE on SQLite and PostgreSQL (and TRUNCATE there),
whoever connects, through the ORM or raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from data.store.audit import record
from data.store.engine import session_scope
from data.store.models import AuditLog


@pytest.fixture
def logged(engine):
    with session_scope(engine) as s:
        record(s, "rita", "feedback.record", target_type="candidate", target="C-1")
        record(s, "ada", "candidate.erase", target_type="candidate", target="C-2")
    return engine


def rows(engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as s:
        return [
            (a.actor, a.action, a.target) for a in s.scalars(select(AuditLog).order_by(AuditLog.id))
        ]


STATEMENTS = {
    "orm-update": lambda s: s.execute(update(AuditLog).values(actor="mallory")),
    "orm-delete": lambda s: s.execute(delete(AuditLog).where(AuditLog.actor == "ada")),
    "sql-update": lambda s: s.execute(text("UPDATE audit_log SET target = NULL WHERE id = 1")),
    "sql-delete": lambda s: s.execute(text("DELETE FROM audit_log")),
    "object-change": lambda s: setattr(s.scalars(select(AuditLog)).first(), "action", "x"),
}


@pytest.mark.parametrize("change", list(STATEMENTS), ids=list(STATEMENTS))
def test_rows_cannot_be_changed_or_deleted(logged, change) -> None:
    before = rows(logged)
    with pytest.raises(DatabaseError, match="append-only"), session_scope(logged) as s:
        STATEMENTS[change](s)
        s.flush()
    assert rows(logged) == before


def test_truncate_is_refused_on_postgresql_and_inserts_still_work(logged) -> None:
    if logged.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), session_scope(logged) as s:
            s.execute(text("TRUNCATE audit_log"))
    with session_scope(logged) as s:
        record(s, "vera", "report.export")
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 3
