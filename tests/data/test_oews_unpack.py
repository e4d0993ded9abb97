"""The OEWS wage table is unpacked into the data directory on first use; several dashboard
processes share that directory (docs/deploy.md), so first uses at once must all succeed and
leave one complete copy (the load test found all but the first failing: one shared
".partial" file name)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from importlib import resources
from pathlib import Path

from data.reference.pay import OEWS_FILE, OEWS_PACKAGE, oews_database


def test_unpacking_at_once_from_several_threads_gives_one_complete_copy(tmp_path: Path) -> None:
    n = 4
    barrier = threading.Barrier(n)
    got: list[Path] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        barrier.wait()
        try:
            got.append(oews_database(tmp_path))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=first_use) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(got)) == 1 and len(got) == n
    with resources.as_file(resources.files(OEWS_PACKAGE) / "data" / OEWS_FILE) as src:
        expected = hashlib.sha256(gzip.decompress(src.read_bytes())).hexdigest()
    assert hashlib.sha256(got[0].read_bytes()).hexdigest() == expected
    assert [p.name for p in got[0].parent.iterdir()] == [got[0].name]  # no temporary left
