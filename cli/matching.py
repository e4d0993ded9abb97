"""Matching commands: ``talentmap match`` and ``talentmap feedback import``.

``talentmap match --format json`` prints the stable contract documented in
``docs/match-json.md``.
"""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import authorise, engine, guarded, settings
from data.store.engine import session_scope, write_transaction

feedback_app = typer.Typer(
    help="Recruiter decisions (advance / reject) on matched resumes.", no_args_is_help=True
)


class MatchFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def rows_as_json(result: Any) -> list[dict[str, Any]]:
    """The JSON contract of ``talentmap match`` (see ``docs/match-json.md``)."""
    out = []
    for r in result.rows:
        exp = r.explanation
        out.append(
            {
                "run_id": result.run_id,
                "role": r.role,
                "role_title": r.role_title,
                "resume": r.resume,
                "resume_id": r.resume_id,
                "rank": r.rank,
                "score": r.score,
                "matched_skills": r.matched_skills,
                "missing_skills": r.missing_skills,
                "evidence": {m["key"]: m["evidence"] for m in exp.get("matched_skills", [])},
                "strongest_passages": [p["text"] for p in exp.get("strongest_passages", [])],
                "features": exp.get("features", {}),
                "score_source": exp.get("score_source", "weights"),
                "encoder": result.encoder,
            }
        )
    return out


def _active_pair_scorer(session: Any, actor: str) -> tuple[Any, int | None]:
    """The active, checksum-verified pair scorer of the registry (or the hand-set weights)."""
    from ml.registry import load_active

    loaded = load_active(session, "pair_scorer", actor=actor)
    if loaded is None:
        return None, None
    if loaded.fell_back:
        typer.secho(
            f"warning: {loaded.problems[0]}; serving {loaded.version.kind} "
            f"v{loaded.version.version} instead",
            fg=typer.colors.YELLOW,
            err=True,
        )
    return loaded.model, loaded.version.id


@guarded
def match(
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="role key to match (repeat for several); default: every role"),
    ] = None,
    top: Annotated[int, typer.Option(help="shortlist length per role", min=1)] = 10,
    fmt: Annotated[
        MatchFormat, typer.Option("--format", help="table | csv | json")
    ] = MatchFormat.table,
    encoder: Annotated[
        str | None,
        typer.Option(
            help="'minilm', 'muse', or a sentence-transformers name or local folder "
            "(default: TALENTMAP_ENCODER)"
        ),
    ] = None,
    weights_only: Annotated[
        bool,
        typer.Option(
            "--weights-only", help="ignore an active trained pair scorer; use the hand-set weights"
        ),
    ] = False,
) -> None:
    """Rank stored resumes for each role, store the run, and print the shortlists.

    Texts already embedded by the encoder are read from the cache, so a second run over
    unchanged resumes encodes nothing. JSON output is a documented contract (docs/match-json.md).
    """
    from ml.encoders import get_encoder
    from ml.matcher import match as run_match

    who = authorise("write", "run a match")
    enc = get_encoder(encoder or settings().encoder)
    console = Console(stderr=True)
    with Progress(
        TextColumn("matching resumes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("match", total=None)
        _warm_cache(enc, lambda done, _t: bar.update(task, description=f"encoding ({done})"))

        def work(s: Any) -> Any:
            scorer, version_id = (None, None) if weights_only else _active_pair_scorer(s, who.name)
            return run_match(
                s,
                enc,
                role_keys=role or None,
                top_k=top,
                actor=who.name,
                pair_scorer=scorer,
                model_version_id=version_id,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )

        # everything is cached now, so the run is short; retried if another writer got in
        result = write_transaction(engine(), work)
    data = rows_as_json(result)
    if fmt is MatchFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    cols = ["role", "rank", "score", "resume", "matched_skills", "missing_skills"]
    flat = [
        [
            d["role"],
            d["rank"],
            f"{d['score']:.1f}",
            d["resume"],
            ", ".join(d["matched_skills"]),
            ", ".join(d["missing_skills"]),
        ]
        for d in data
    ]
    if fmt is MatchFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols + ["run_id"])
        for row in flat:
            w.writerow(row + [result.run_id])
        typer.echo(buf.getvalue(), nl=False)
        return
    from cli.output import table

    typer.echo(table(cols, flat))
    typer.echo(
        f"\nrun {result.run_id}: {result.resumes_scored} resumes, "
        f"{len(result.params['roles'])} roles, encoder {result.encoder}, "
        f"{result.texts_encoded} new passages encoded",
        err=True,
    )


def _warm_cache(enc: Any, progress: Any) -> None:
    """Encode uncached resume passages first, outside the match's transaction (which then
    only reads the cache): a long first match never holds the write lock while it encodes."""
    from sqlalchemy import select

    from data.store.models import Resume
    from ml.embed import warm_cache

    eng = engine()

    def blocks() -> Any:
        last = 0
        while True:
            with session_scope(eng) as s:
                rows = s.execute(
                    select(Resume.id, Resume.text)
                    .where(Resume.id > last)
                    .order_by(Resume.id)
                    .limit(256)
                ).all()
            if not rows:
                return
            last = rows[-1][0]
            yield [t for _i, t in rows]

    warm_cache(eng, enc, blocks(), progress=progress)


@feedback_app.command("import")
@guarded
def feedback_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns resume, role, decision, reviewer, note (note optional)"
        ),
    ],
) -> None:
    """Import recruiter decisions (advance / reject) from CSV: all rows or none.

    ``resume`` is a stored file name or sha256, ``role`` a role key; every decision needs a
    named reviewer. Bad rows are listed by row and field, and nothing is saved.
    """
    from data.ingest.feedback import import_feedback

    who = authorise("decide", "import feedback")
    n = write_transaction(engine(), lambda s: import_feedback(s, file, actor=who.name))
    typer.echo(f"{n} decision(s) imported from {file.name}")


def register(app: typer.Typer) -> None:
    """Add ``match`` and ``feedback`` to ``app``."""
    app.command()(match)
    app.add_typer(feedback_app, name="feedback")
