"""Resume and role-profile commands: ``talentmap resumes import|list``, ``talentmap roles import|list``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli import output
from cli.context import authorise, engine, guarded, settings
from cli.output import OutputFormat
from data.errors import InputError
from data.ingest.resumes import ParseFailure, ResumeImportReport, import_resume_files
from data.ingest.roles import import_roles_file, list_roles
from data.queries.resumes import list_resumes
from data.store.engine import session_scope
from data.text.files import collect_files
from data.text.resume_files import Limits

resumes_app = typer.Typer(help="Import resume files and list stored resumes.", no_args_is_help=True)
roles_app = typer.Typer(
    help="Import role profiles (CSV or YAML) and list roles.", no_args_is_help=True
)


@resumes_app.command("import")
@guarded
def resumes_import(
    paths: Annotated[list[Path], typer.Argument(help="resume files or folders (read recursively)")],
) -> None:
    """Import resumes (PDF, DOCX, TXT, MD). Lists what was stored, what was a duplicate and
    what failed with the reason; exits 2 when some files failed (the good ones are stored)."""
    who = authorise("write", "import resumes")
    batch = collect_files(paths, what="resume files")
    files = batch.files
    if not files:
        reasons = "; ".join(map(str, batch.refused))
        raise InputError(f"no resume files to import ({reasons}): point at resume files")
    report = ResumeImportReport(failed=[ParseFailure(r.path, r.reason) for r in batch.refused])
    limits = Limits(max_bytes=settings().max_upload_bytes)
    with Progress(
        TextColumn("importing resumes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("import", total=len(files))
        # parsed outside any transaction, each file committed in its own short one: other
        # writers (a second import, a match, the dashboard) are never locked out for long
        part = import_resume_files(
            engine(),
            files,
            actor=who.name,
            progress=lambda done, _total: bar.update(task, completed=done),
            limits=limits,
        )
        report.stored += part.stored
        report.duplicates += part.duplicates
        report.failed += part.failed
    typer.echo(
        f"stored {len(report.stored)}, duplicates {len(report.duplicates)}, "
        f"failed {len(report.failed)} (of {len(files)} files)"
    )
    for name, existing in report.duplicates:
        typer.echo(f"duplicate: {name} (same file as resume {existing})")
    for failure in report.failed:
        typer.secho(f"failed: {failure.file_name}: {failure.reason}", fg=typer.colors.YELLOW)
    if report.failed:
        raise typer.Exit(code=2)


@resumes_app.command("list")
@guarded
def resumes_list(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
    limit: Annotated[int | None, typer.Option(help="show at most this many (newest first)")] = None,
) -> None:
    """List stored resumes, newest first (no contact details)."""
    authorise("read", "list resumes")
    with session_scope(engine()) as s:
        rows = list_resumes(s, limit=limit)
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps(
                [dataclasses.asdict(r) for r in rows],
                ensure_ascii=False,
                default=output.json_default,
                indent=2,
            )
        )
        return
    typer.echo(
        output.table(
            ["id", "file", "language", "pages", "chars", "candidate"],
            [(r.id, r.file_name, r.language, r.pages or "", r.chars, r.candidate) for r in rows],
        )
    )


@roles_app.command("import")
@guarded
def roles_import(
    file: Annotated[
        Path, typer.Argument(help="a .csv, .yaml or .yml file; see docs/roles-format.md")
    ],
) -> None:
    """Import role profiles from CSV or YAML. All-or-nothing: every bad row is listed and
    nothing is stored until the file is clean. Importing again updates roles by key."""
    who = authorise("write", "import roles")
    done = import_roles_file(engine(), file, actor=who.name, max_bytes=settings().max_upload_bytes)
    for notice in done.notices:
        typer.echo(f"note: {notice}")
    custom = sum(1 for sk in done.new_skills if sk.is_custom)
    extra = f"; {custom} new custom skill(s)" if custom else ""
    typer.echo(f"imported {len(done.ids)} role(s) from {file.name}{extra}")


def _skills(pairs: Sequence[tuple[str, float]]) -> str:
    return ", ".join(f"{k}:{w:g}" for k, w in pairs)


@roles_app.command("list")
@guarded
def roles_list(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
    open_only: Annotated[bool, typer.Option("--open", help="only open roles")] = False,
) -> None:
    """List roles with their weighted required and nice-to-have skills."""
    authorise("read", "list roles")
    with session_scope(engine()) as s:
        rows = list_roles(s, open_only=open_only)
    if fmt is OutputFormat.json:
        out = []
        for r in rows:
            d = dataclasses.asdict(r)
            d["required"] = [{"skill": k, "weight": w} for k, w in r.required]
            d["nice"] = [{"skill": k, "weight": w} for k, w in r.nice]
            out.append(d)
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    typer.echo(
        output.table(
            [
                "key",
                "title_en",
                "title_zh",
                "family",
                "level",
                "open",
                "source",
                "required",
                "nice",
            ],
            [
                (
                    r.key,
                    r.title_en,
                    r.title_zh,
                    r.family,
                    r.level or "",
                    "yes" if r.is_open else "no",
                    r.source,
                    _skills(r.required),
                    _skills(r.nice),
                )
                for r in rows
            ],
        )
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(resumes_app, name="resumes")
    app.add_typer(roles_app, name="roles")
