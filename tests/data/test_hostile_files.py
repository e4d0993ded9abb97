"""Every hostile file of issue 15's findings, generated here, against the importers: each is
refused with a named error naming file, row and field (or read correctly), never a traceback,
and nothing is stored. Both databases where the store is involved."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data.errors import ImportErrors, InputError, TalentMapError
from data.ingest.people import import_candidates, import_events
from data.ingest.roles import read_roles
from data.store.engine import session_scope
from data.store.models import Candidate, Role
from data.text import safe_yaml
from data.text.csv_rows import read_table

PEOPLE = "external_id,name,email,country,source_channel,role,applied_at\n"


def write(tmp: Path, name: str, data: bytes | str) -> Path:
    p = tmp / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def messages(err: BaseException) -> str:
    return str(err)


def test_doubled_quotes_are_rfc4180_in_roles_csv(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "roles.csv",
        'title_en,description,required_skills\n"LLM engineer","Builds ""RAG"" systems; ships",python\n',
    )
    (role,) = read_roles(p)
    assert role.description == 'Builds "RAG" systems; ships'


def test_latin1_roles_are_not_gb18030_mojibake(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "roles.csv",
        "title_en,description,required_skills\nDéveloppeur,Café à Zürich,python\n".encode(
            "latin-1"
        ),
    )
    try:  # refused with a clear message, or read right: never GB18030 mojibake
        (role,) = read_roles(p)
    except InputError as err:
        assert "roles.csv" in str(err) and "UTF-8" in str(err)
    else:
        assert (role.title_en, role.description) == ("Développeur", "Café à Zürich")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title_en,headcount\nX,100000000000000000000000000000\n", "headcount.*outside"),
        ("title_en,headcount\nX,12abc\n", "headcount.*not a positive whole number"),
        ("title_en,title_en\nX,Y\n", "appears twice"),
        ("title_en,bonus\nX,1\n", "unknown column 'bonus'"),
        ("title_en\nX,extra\n", "row 2.*2 cells but the header has 1"),
        ("title_en\n" + "x" * 200_000 + "\n", "row 2, field 'title_en'.*characters"),
    ],
    ids=["headcount-1e29", "headcount-text", "duplicate-header", "unknown", "extra-cell", "long"],
)
def test_roles_csv_refusals_name_row_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises((InputError, ImportErrors), match=expected):
        read_roles(write(tmp_path, "roles.csv", text))


def test_billion_laughs_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for n in "bcdefghi":
        bomb += f"{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = n
    with pytest.raises(InputError, match="expand to more than"):
        read_roles(write(tmp_path, "bomb.yaml", bomb))
    with pytest.raises(InputError, match="nested more than 50 levels"):
        read_roles(write(tmp_path, "deep.yaml", "[" * 20_000 + "]" * 20_000))


def test_special_files_and_gzip_bombs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a file"):
        read_roles(Path("/dev/zero").with_name("zero")) if False else None
        import os

        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        read_roles(fifo)
    with pytest.raises(InputError, match="MB, more than the limit"):
        big = tmp_path / "big.csv"
        with big.open("wb") as fh:
            fh.truncate(30_000_000)
        read_roles(big)
    # a gzip bomb as training data: refused before it is inflated past the limit
    from ml.training import read_labelled_csv

    bomb = tmp_path / "labelled.csv.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(b"text,label\n")
        chunk = b"a" * 1_000_000
        for _ in range(60):
            fh.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(TalentMapError, match="MB once decompressed"):
        read_labelled_csv(bomb)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("X-1,Ann,ann@example.com,DE,referral,ml_engineer,9999-01-01", "applied_at"),
        ("X-1,Ann,ann@example.com,DE,referral,ml_engineer,1800-01-01", "applied_at"),
        ("X-1,An\x00n,ann@example.com,DE,referral,ml_engineer,2025-01-01", "name"),
    ],
    ids=["year-9999", "year-1800", "nul"],
)
def test_candidate_rows_refused_with_row_and_field(engine, tmp_path, row, field) -> None:
    p = write(tmp_path, "people.csv", PEOPLE + row + "\n")
    with (
        pytest.raises(ImportErrors, match=f"people.csv, row 2, field '{field}'"),
        session_scope(engine) as s,
    ):
        import_candidates(s, p, actor="admin")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 0


def test_an_event_dated_9999_is_refused(engine, tmp_path) -> None:
    with session_scope(engine) as s:
        import_candidates(
            s,
            write(
                tmp_path,
                "p.csv",
                PEOPLE + "X-1,Ann,a@example.com,DE,referral,ml_engineer,2025-01-01\n",
            ),
            actor="admin",
        )
    ev = write(
        tmp_path,
        "e.csv",
        "external_id,role,to_stage,at,outcome\nX-1,ml_engineer,hired,9999-12-31,pass\n",
    )
    with (
        pytest.raises(ImportErrors, match="e.csv, row 2, field 'at': date 9999-12-31"),
        session_scope(engine) as s,
    ):
        import_events(s, ev, actor="admin")


CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(["title_en", "headcount", "x", "", "title_zh", '"']), max_size=4
    ),
    rows=st.lists(st.lists(CELLS, max_size=5), max_size=4),
    raw_tail=st.binary(max_size=40),
)
def test_fuzz_every_reader_raises_only_named_errors(tmp_path_factory, header, rows, raw_tail):
    """Hypothesis over the CSV, role (CSV and YAML) and training readers: any input ends in a
    result or a ``TalentMapError``, never another exception."""
    from ml.training import read_labelled_csv

    tmp = tmp_path_factory.mktemp("fuzz")
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    data = text.encode("utf-8") + raw_tail
    for name, reader in (
        ("r.csv", read_roles),
        ("r.yaml", read_roles),
        ("l.csv", read_labelled_csv),
        (
            "t.csv",
            lambda p: read_table(p.read_bytes(), p.name, columns=["title_en", "headcount"]),
        ),
    ):
        with contextlib.suppress(TalentMapError):
            reader(write(tmp, name, data))


def test_fuzz_yaml_structures(tmp_path) -> None:
    for text in ("&a [*a]", "a: *b", "- !!python/object:os.system ls", "{" * 60 + "}" * 60):
        with pytest.raises(InputError):
            safe_yaml.load(text, "x.yaml")


def test_roles_import_twice_keeps_one_copy(engine, tmp_path) -> None:
    from data.ingest.roles import import_roles

    p = write(tmp_path, "roles.csv", "title_en,required_skills\nML engineer,python\n")
    for _ in range(2):
        with session_scope(engine) as s:
            import_roles(s, p, actor="admin")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Role)) == 1
