"""Imports read and check their file before the write transaction begins (issue 15: parsing
inside the transaction held the write lock for the whole read, and every retry read the file
again). Driven through the CLI, as a user runs them, while another connection holds a write
lock for a while, and with the first attempt to store finding the database busy (what SQLite
reports when a writer's snapshot went stale): the import waits, retries, succeeds and stores
every row once; the file is opened once, before the transaction that stores its rows begins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import OperationalError

import data.ingest.people as people
import data.ingest.roles as roles
from data.store.engine import session_scope
from data.store.models import Candidate, Role, RoleSkill, StageEvent


@contextmanager
def held_write_lock(engine: Engine, table: str) -> Iterator[None]:
    """Another connection holds a write lock on ``table`` (the whole database on SQLite)
    until the block's work has started and a moment has passed."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            taken.set()
            done.wait(0.5)  # released while the import waits (well inside its retry budget)
            conn.commit()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        done.set()
        holder.join(30)


@contextmanager
def recorded(module: Any, table: str) -> Iterator[list[tuple[str, int]]]:
    """Records, in order: each time ``module`` opens the import file ("read"), each
    transaction begin ("begin", connection) and each INSERT into ``table`` ("insert", conn)."""
    log: list[tuple[str, int]] = []
    real = module.read_file

    def read_file(path: Path, **kw: Any) -> bytes:
        log.append(("read", 0))
        return real(path, **kw)

    def begin(conn: Any) -> None:
        log.append(("begin", id(conn)))

    def execute(conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            log.append(("insert", id(conn)))
            if sum(what == "insert" for what, _c in log) == 1:  # the first attempt: busy
                raise OperationalError(statement, {}, Exception("database is locked"))

    module.read_file = read_file
    event.listen(Engine, "begin", begin)
    event.listen(Engine, "before_cursor_execute", execute)
    try:
        yield log
    finally:
        module.read_file = real
        event.remove(Engine, "begin", begin)
        event.remove(Engine, "before_cursor_execute", execute)


def assert_read_before_transaction(log: list[tuple[str, int]]) -> None:
    reads = [n for n, (what, _c) in enumerate(log) if what == "read"]
    assert len(reads) == 1, log  # read once, not again on a retry
    inserts = [n for n, (what, _c) in enumerate(log) if what == "insert"]
    assert len(inserts) >= 2, log  # the busy first attempt was retried
    for first_insert in inserts:
        conn = log[first_insert][1]
        tx_begin = max(
            n for n, (what, c) in enumerate(log[:first_insert]) if what == "begin" and c == conn
        )
        assert reads[0] < tx_begin, log


ROLES = (
    "key,title_en,title_zh,family,required_skills,nice_skills\n"
    'ds,Data scientist,数据科学家,ai,"python:0.9; sql:0.5",docker\n'
    "mle,ML engineer,机器学习工程师,ai,pytorch:1; python:0.8,\n"
)


def test_roles_import_reads_before_its_transaction_and_waits_out_a_lock(
    cli, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "roles.csv"
    path.write_text(ROLES, encoding="utf-8")
    with recorded(roles, "roles") as log, held_write_lock(engine, "roles"):
        r = cli("roles", "import", str(path))
    assert r.exit_code == 0, r.output
    assert_read_before_transaction(log)
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Role.key))) == ["ds", "mle"]
        assert s.scalar(select(func.count()).select_from(RoleSkill)) == 5


PEOPLE = "external_id,name,country,role\n" + "".join(f"P-{i},Person {i},DE,ds\n" for i in range(40))
EVENTS = "external_id,role,to_stage,at\n" + "".join(
    f"P-{i},ds,screening,2025-03-{1 + i % 28:02d}\n" for i in range(40)
)


@pytest.mark.parametrize("kind", ["candidates", "events"])
def test_people_imports_read_before_their_transaction_and_wait_out_a_lock(
    cli, engine: Engine, tmp_path: Path, kind: str
) -> None:
    with session_scope(engine) as s:
        s.add(Role(key="ds", title_en="Data scientist", title_zh="数据科学家", family="ai"))
    files = {"candidates": tmp_path / "people.csv", "events": tmp_path / "events.csv"}
    files["candidates"].write_text(PEOPLE, encoding="utf-8")
    files["events"].write_text(EVENTS, encoding="utf-8")
    if kind == "events":
        assert cli("import", "candidates", str(files["candidates"])).exit_code == 0
    table = {"candidates": "candidates", "events": "stage_events"}[kind]
    with recorded(people, table) as log, held_write_lock(engine, table):
        r = cli("import", kind, str(files[kind]))
    assert r.exit_code == 0, r.output
    assert_read_before_transaction(log)
    with session_scope(engine) as s:
        model = {"candidates": Candidate, "events": StageEvent}[kind]
        assert s.scalar(select(func.count()).select_from(model)) == 40
