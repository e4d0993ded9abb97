"""Engine, sessions and schema upgrades for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from data.errors import SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    max_overflow: int = 30,
    pool_timeout: float = 120,
    pool_recycle: int = 1800,
    pool_pre_ping: bool = True,
    statement_timeout_ms: int = 0,
) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and secure_delete.

    The pool settings apply to PostgreSQL (the front ends pass ``Settings.engine_options()``,
    i.e. ``TALENTMAP_DB_*``; see docs/deploy.md for sizing): each process keeps up to
    ``pool_size`` connections open and opens up to ``max_overflow`` more under load, waiting
    ``pool_timeout`` seconds for one before failing; connections older than ``pool_recycle``
    seconds are replaced (-1: never), ``pool_pre_ping`` tests each before use (a restarted
    server or a dropped idle connection costs a reconnect, not an error), and
    ``statement_timeout_ms`` (0: none) makes the server cancel any longer statement.
    Defaults: every dashboard session thread and writer may want a connection at once (a pool
    of 5 + 10 made the 20-session load test wait past the 30 s pool timeout).
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool = (
            {"pool_size": 10, "max_overflow": 30, "pool_timeout": 120}
            if path and path != ":memory:"
            else {}
        )
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        connect_args["application_name"] = "talentmap"
        if statement_timeout_ms:
            connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=pool_pre_ping,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=pool_recycle,
        connect_args=connect_args,
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: commit on success, roll back everything on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


T = TypeVar("T")

_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock (PostgreSQL)


def is_busy(err: BaseException) -> bool:
    """Whether ``err`` means another writer was in the way (worth trying again): SQLite's
    "database is locked" (a WAL snapshot that went stale, or a busy timeout), PostgreSQL's
    serialization failure or deadlock."""
    orig = getattr(err, "orig", err)
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


def write_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = 8,
    base_delay: float = 0.05,
    sleep: Callable[[float], None] = time.sleep,
    exclusive: str | None = None,
) -> T:
    """Run ``work(session)`` in one short transaction, again (with jittered exponential backoff)
    when a concurrent writer got in the way: a busy/locked database, or a unique key that a
    concurrent import of the same thing stored first. ``work`` must therefore be an idempotent
    upsert: on the next attempt it finds what the other writer stored and skips it, so the
    same file imported twice at once converges to one copy, with no traceback. Keep parsing
    and encoding out of ``work``: the transaction holds the write lock until it ends.

    ``exclusive`` names a kind of write (``"import.events"``) whose transactions must not
    overlap, for upserts whose "is it stored already?" reads no unique key backs (stage
    events): the transaction takes the lock first (``lock_writes``), so those reads see what a
    concurrent import of the same file committed."""
    for attempt in range(attempts):
        try:
            with session_scope(engine) as session:
                if exclusive is not None:
                    lock_writes(session, exclusive)
                return work(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        except OperationalError as err:
            if attempt == attempts - 1 or not is_busy(err):
                raise
        sleep(min(base_delay * 2**attempt, 2.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def lock_writes(session: Session, name: str) -> None:
    """Serialise the write transactions of kind ``name``; call it before anything else in the
    transaction. SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock now, not at the
    first INSERT (the driver runs the reads before it outside any transaction, so two imports
    could both read "not stored yet"). PostgreSQL: a transaction-scoped advisory lock keyed by
    ``name``, released at commit or rollback."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:  # type: ignore[attr-defined]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (idempotent)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def is_current(engine: Engine) -> bool:
    """True when the store's schema is at the newest migration (``upgrade`` would do nothing)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == heads


def check_schema(engine: Engine) -> None:
    """Raise ``SchemaError`` when the store has not been initialised."""
    if "alembic_version" not in inspect(engine).get_table_names():
        raise SchemaError(
            f"the database at {engine.url.render_as_string(hide_password=True)} has no TalentMap "
            "schema: run `talentmap init` first"
        )
