"""Strategy-document commands: ``talentmap docs import|list|show``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine

from cli import output
from cli.context import authorise, engine, guarded, settings
from cli.output import OutputFormat
from data.errors import ModelError
from data.ingest.documents import import_documents
from data.queries.documents import document_detail, list_documents
from data.store.engine import session_scope
from data.text.documents import SUFFIXES
from data.text.files import collect_files

docs_app = typer.Typer(
    help="Import talent-strategy documents (.md/.txt, Chinese or English) and see what was read "
    "from them: roles, duties, skills, strategies, pipelines and diagrams.",
    no_args_is_help=True,
)

KIND_ORDER = ("pipeline", "diagram", "role", "duty", "strategy", "skill")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[k]} {k}" for k in KIND_ORDER if counts.get(k)) or "nothing"


def _embedder(eng: Engine) -> Callable[[list[str]], np.ndarray]:
    """Phrases → vectors with the multilingual encoder, through the store's embedding cache
    (skill names are encoded once, ever; each call commits its new vectors)."""
    from ml.embed import embed_texts
    from ml.encoders import get_encoder

    try:
        encoder = get_encoder("muse")
    except Exception as err:  # a missing or broken model must not hide the import itself
        raise ModelError(
            f"could not load the multilingual encoder 'muse' ({err}); run again "
            "with --no-embed to match skills by name and alias only"
        ) from err

    def embed(texts: list[str]) -> np.ndarray:
        with session_scope(eng) as s:
            return embed_texts(s, encoder, texts)

    return embed


@docs_app.command("import")
@guarded
def docs_import(
    paths: Annotated[list[Path], typer.Argument(help="strategy documents or folders of .md/.txt")],
    embed: Annotated[
        bool,
        typer.Option(
            "--embed/--no-embed",
            help="also match skills by embedding similarity (multilingual encoder)",
        ),
    ] = True,
) -> None:
    """Import strategy documents. Each file is stored on its own: a bad file is reported with
    its line and stores nothing, the others still import; exits 2 when any file failed.
    Importing an unchanged file again changes nothing; a changed file replaces its old
    extraction."""
    who = authorise("write", "import strategy documents")
    files = collect_files(paths, suffixes=SUFFIXES).files
    embed_fn = _embedder(engine()) if embed and files else None
    with Progress(
        TextColumn("importing documents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("import", total=max(len(files), 1))
        report = import_documents(
            engine(),
            paths,
            embed_fn=embed_fn,
            actor=who.name,
            progress=lambda done, total, _f: bar.update(task, completed=done, total=total),
            max_bytes=settings().max_upload_bytes,
        )
    for r in report.imported:
        typer.echo(f"imported: {r.file} → document {r.document_id}: {_counts(r.counts)}")
    for r in report.replaced:
        typer.echo(f"replaced: {r.file} → document {r.document_id}: {_counts(r.counts)}")
    for r in report.unchanged:
        typer.echo(f"unchanged: {r.file} (already stored as document {r.document_id})")
    for r in report.imported + report.replaced:
        for note in r.notes:
            typer.secho(f"note: {r.file}: {note}", fg=typer.colors.CYAN)
    for _, message in report.failed:
        typer.secho(f"failed: {message}", fg=typer.colors.YELLOW)
    typer.echo(
        f"{len(report.imported)} imported, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed"
    )
    if report.failed:
        raise typer.Exit(code=2)


@docs_app.command("list")
@guarded
def docs_list(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
) -> None:
    """List stored documents with what was extracted from each."""
    authorise("read", "list strategy documents")
    with session_scope(engine()) as s:
        rows = list_documents(s)
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": d.id,
                        "file_name": d.file_name,
                        "path": d.path,
                        "language": d.language,
                        "encoding": d.encoding,
                        "title": d.title,
                        "sha256": d.sha256,
                        "imported_at": d.imported_at.isoformat() if d.imported_at else None,
                        "counts": d.counts,
                    }
                    for d in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not rows:
        typer.echo("no documents yet: run `talentmap docs import PATH`")
        return
    typer.echo(
        output.table(
            ["id", "file", "lang", "title", *KIND_ORDER],
            [
                (
                    d.id,
                    d.file_name,
                    d.language,
                    (d.title or "")[:30],
                    *(d.counts.get(k, 0) for k in KIND_ORDER),
                )
                for d in rows
            ],
        )
    )


@docs_app.command("show")
@guarded
def docs_show(
    document_id: Annotated[int, typer.Argument(help="the document id (see `docs list`)")],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="only these kinds: pipeline, diagram, role, duty, strategy, skill"
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
) -> None:
    """Show what was read from one document, each item with the lines it came from."""
    authorise("read", "show a strategy document")
    with session_scope(engine()) as s:
        doc, items = document_detail(s, document_id)
        if kind:
            items = [i for i in items if i.kind in kind]
        data = [
            {
                "kind": i.kind,
                "label": i.label,
                "canonical_key": i.canonical_key,
                "category": i.category,
                "line_start": i.line_start,
                "line_end": i.line_end,
                "role_id": i.role_id,
                "skill_id": i.skill_id,
                "pipeline_id": i.pipeline_id,
                "payload": i.payload,
            }
            for i in items
        ]
        header = f"document {doc.id}: {doc.file_name} ({doc.language}, {doc.encoding})"
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"id": document_id, "items": data}, ensure_ascii=False, indent=2))
        return
    typer.echo(header)
    typer.echo(
        output.table(
            ["lines", "kind", "label", "key", "category"],
            [
                (
                    f"{d['line_start']}-{d['line_end']}"
                    if d["line_end"] != d["line_start"]
                    else str(d["line_start"]),
                    d["kind"],
                    d["label"][:60],
                    d["canonical_key"] or "",
                    d["category"] or "",
                )
                for d in data
            ],
        )
    )
    for d in data:
        if d["kind"] == "pipeline" and d["payload"]:
            stages = " → ".join(
                f"{st['label']}[{st['stage'] or '-'}]" for st in d["payload"].get("stages", [])
            )
            typer.echo(f"pipeline (lines {d['line_start']}-{d['line_end']}): {stages}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(docs_app, name="docs")
