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

from cli.context import authorise, engine, guarded, load_encoder, settings
from data.store.engine import session_scope

RayAddress = Annotated[
    str | None,
    typer.Option(help="with --engine ray: the cluster address (default: a local cluster)"),
]
RayWorkers = Annotated[
    int | None,
    typer.Option(
        help="with --engine ray: how many Ray workers (each loads the model once and holds one "
        "CPU, or one GPU when the cluster has them); default 2",
    ),
]


def _worker_encoder(name: str | None) -> Any:
    """What a Ray worker calls to load the encoder (picklable; the same files as this process)."""
    from functools import partial

    from ml.encoders import get_encoder

    return partial(get_encoder, name or settings().encoder, cache_dir=settings().encoders_dir)


feedback_app = typer.Typer(
    help="Recruiter decisions (advance / reject) on matched resumes.", no_args_is_help=True
)


class MatchFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class By(str, Enum):
    role = "role"
    resume = "resume"


def rows_as_json(result: Any) -> list[dict[str, Any]]:
    """The JSON contract of ``talentmap match`` (see ``docs/match-json.md``)."""
    from ml.provenance import describe_scorer

    scorer = result.scorer
    described = describe_scorer(scorer, "en", direction=result.direction)
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
                "direction": result.direction,
                "scorer": scorer,
                "scored_by": described,
            }
        )
    return out


def _active_pair_scorer(session: Any, actor: str) -> tuple[Any, int | None]:
    """The active, checksum-verified pair scorer of the registry (or the default scorer),
    warning on stderr when a damaged artefact made an older version serve."""
    from analytics.promotion import serving

    served = serving(session, "pair_scorer", actor=actor)
    if served.notice is not None:
        typer.secho(f"warning: {served.notice.text()}", fg=typer.colors.YELLOW, err=True)
    return served.model, served.version_id


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
            "--weights-only",
            help="ignore any trained scorer (yours or the bundled default); use hand-set weights",
        ),
    ] = False,
    depth: Annotated[
        int,
        typer.Option(
            help="stage one: candidates per role passed from BM25 (and stored vectors) to the "
            "full re-ranking; 0 = score every resume",
            min=0,
        ),
    ] = 200,
    by: Annotated[
        By,
        typer.Option(
            "--by",
            help="role: the best resumes for each role; resume: the best roles for each "
            "candidate (internal mobility, referrals)",
        ),
    ] = By.role,
    resume: Annotated[
        list[int] | None,
        typer.Option(
            "--resume",
            help="with --by resume: resume id to place (repeat for several); default: every "
            "stored resume",
        ),
    ] = None,
    engine_kind: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local: this process; ray: encode and score shards on a Ray cluster "
            "(pip install 'talentmap[scale]')",
        ),
    ] = "local",
    address: RayAddress = None,
    workers: RayWorkers = None,
) -> None:
    """Rank stored resumes for each role (or, with --by resume, roles for each resume), store
    the run, and print the shortlists with what scored them.

    Texts already embedded by the encoder are read from the cache, so a second run over
    unchanged resumes encodes nothing. JSON output is a documented contract (docs/match-json.md).
    """
    from data.errors import InputError
    from ml.matcher import run_match
    from ml.mobility import run_match_by_resume
    from ml.provenance import describe_scorer

    if resume and by is not By.resume:
        raise InputError("--resume places one candidate: use it with --by resume", field="resume")

    from functools import partial

    _check_engine(engine_kind, by_resume=by is By.resume, workers=workers)
    who = authorise("write", "run a match")
    enc = load_encoder(encoder)
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
        with session_scope(engine()) as s:  # serving may audit a fallback: its own commit
            scorer, version_id = (None, None) if weights_only else _active_pair_scorer(s, who.name)
        kw: dict[str, Any] = {
            "role_keys": role or None,
            "top_k": top,
            "actor": who.name,
            "pair_scorer": scorer,
            "model_version_id": version_id,
            "progress": lambda done, total: bar.update(task, completed=done, total=total),
        }
        # ranking holds no write lock while it encodes; the run is stored in one short
        # transaction at the end, so imports beside a long match are not refused
        if by is By.resume:
            result = run_match_by_resume(
                engine(),
                enc,
                resume_ids=resume or None,
                index_dir=settings().data_dir / "index",
                **kw,
            )
        else:
            from ml.matcher import DEFAULT_WEIGHTS

            if engine_kind == "ray":
                from ml.distributed import WORKERS, match_with_ray

                runner: Any = partial(
                    match_with_ray,
                    engine(),
                    _worker_encoder(encoder),
                    address=address,
                    workers=workers or WORKERS,
                )
            else:
                runner = partial(run_match, engine(), enc)
            result = runner(
                weights=DEFAULT_WEIGHTS if weights_only else None,
                depth=depth or None,
                index_dir=settings().data_dir / "index",
                stage_progress=lambda stage, done, total: bar.update(
                    task, completed=done, total=total, description=stage
                ),
                **kw,
            )
    data = rows_as_json(result)
    if fmt is MatchFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    first = ["resume", "rank", "role"] if by is By.resume else ["role", "rank", "resume"]
    cols = [*first, "score", "matched_skills", "missing_skills"]
    flat = [
        [
            *(d[c] for c in first),
            f"{d['score']:.1f}",
            ", ".join(d["matched_skills"]),
            ", ".join(d["missing_skills"]),
        ]
        for d in data
    ]
    scored_by = describe_scorer(result.scorer, "en", direction=result.direction)
    if fmt is MatchFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols + ["run_id", "scored_by"])
        for row in flat:
            w.writerow(row + [result.run_id, scored_by])
        typer.echo(buf.getvalue(), nl=False)
        return
    from cli.output import table

    typer.echo(f"scored by: {scored_by}")
    typer.echo(table(cols, flat))
    stage = result.params.get("stage_one")
    kept = (
        f"stage one kept {stage['candidates']} candidates (depth {stage['depth'] or 'all'})"
        if stage
        else "every role scored"
    )
    typer.echo(
        f"\nrun {result.run_id}: {result.resumes_scored} resumes, "
        f"{len(result.params.get('roles') or [])} roles, encoder {result.encoder}, "
        f"{result.texts_encoded} new passages encoded; {kept}; scored by {scored_by}",
        err=True,
    )


def _check_engine(kind: str, *, by_resume: bool = False, workers: int | None = None) -> None:
    """``--engine`` is local or ray; ray needs the scale extra (says how to install it);
    ``--workers`` is Ray's and at least 1."""
    from data.errors import InputError

    if kind not in ("local", "ray"):
        raise InputError(f"--engine must be 'local' or 'ray', got {kind!r}", field="engine")
    if workers is not None and kind != "ray":
        raise InputError("--workers sets Ray's workers: add --engine ray", field="workers")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", field="workers")
    if kind == "ray":
        if by_resume:
            raise InputError(
                "--engine ray ranks resumes for roles: drop --by resume", field="engine"
            )
        from ml.distributed import require_ray

        require_ray()


@guarded
def embed(
    encoder: Annotated[
        str | None,
        typer.Option(help="encoder to embed with (default: TALENTMAP_ENCODER)"),
    ] = None,
    engine_kind: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local: this process; ray: encode on a Ray cluster "
            "(pip install 'talentmap[scale]')",
        ),
    ] = "local",
    address: RayAddress = None,
    workers: RayWorkers = None,
) -> None:
    """Encode every stored resume (only passages not cached yet) and store the pool's vectors.

    Afterwards stage one of `talentmap match` also retrieves candidates by meaning, and stage
    two reads every vector from the cache.
    """
    from ml.embed import embed_pool

    _check_engine(engine_kind, workers=workers)
    authorise("write", "embed resumes")
    enc = load_encoder(encoder)
    if engine_kind == "ray":
        from ml.distributed import WORKERS, embed_with_ray

        with Progress(
            TextColumn("embedding resumes on Ray"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("embed", total=None)
            n, _encoded = embed_with_ray(
                engine(),
                _worker_encoder(encoder),
                settings().data_dir / "index",
                address=address,
                workers=workers or WORKERS,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        typer.echo(f"{n} resumes embedded with {enc.model_id} (Ray)")
        return
    console = Console(stderr=True)
    with (
        session_scope(engine()) as s,
        Progress(
            TextColumn("embedding resumes"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("embed", total=None)
        n = embed_pool(
            s,
            enc,
            settings().data_dir / "index",
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    typer.echo(f"{n} resumes embedded with {enc.model_id}")


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
    from data.ingest.feedback import import_feedback_file

    who = authorise("decide", "import feedback")
    n = import_feedback_file(engine(), file, actor=who.name, max_bytes=settings().max_upload_bytes)
    typer.echo(f"{n} decision(s) imported from {file.name}")


def register(app: typer.Typer) -> None:
    """Add ``match`` and ``feedback`` to ``app``."""
    app.command()(match)
    app.command()(embed)
    app.add_typer(feedback_app, name="feedback")
