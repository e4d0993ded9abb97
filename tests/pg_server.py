"""A throwaway PostgreSQL server in a temporary folder (tests and benchmarks).

``initdb`` + ``pg_ctl`` as the ``postgres`` user when running as root (PostgreSQL refuses to
run as root), listening on 127.0.0.1 only, on a free port; stopped and removed on exit, even
when the body fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def running_postgres(*, durable: bool = False, options: str = "") -> Iterator[str]:
    """Start a server; yield its base URL (``postgresql+psycopg://postgres@127.0.0.1:PORT``,
    add ``/DBNAME``). ``durable=False`` turns fsync off (tests: speed over crash safety);
    ``options`` adds ``-c name=value`` settings (e.g. ``-c max_connections=200``)."""
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        raise RuntimeError("PostgreSQL's initdb/pg_ctl are not on PATH: install postgresql")
    root = Path(tempfile.mkdtemp(prefix="tm-pg-"))
    root.chmod(0o777)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    data = root / "data"
    fast = "" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        subprocess.run(
            as_postgres(
                ["initdb", "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"]
                + ["--locale=C"]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            as_postgres(
                ["pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-o"]
                + [f"-p {port} -c listen_addresses=127.0.0.1 -k {root}{fast} {options}", "start"]
            ),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        if data.exists():
            subprocess.run(
                as_postgres(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
