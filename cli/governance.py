"""Governance commands: hiring reports, bias audits, erasure and retention.

- ``talentmap report``: the hiring report as XLSX, CSV (a ZIP of one CSV per section), HTML or
  PDF; contact details only with ``--include-contacts``, which only admins and recruiters may use.
- ``talentmap audit``: the bias audit of a pass/fail stage or of a match run's scores.
- ``talentmap erase``: remove one candidate from the store and the data directory (admins).
- ``talentmap retention``: anonymise candidates rejected more than N days ago (admins).

Every command that writes goes through ``authorise`` and leaves one audit-log row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from cli.context import authorise, engine, guarded, settings
from data.errors import InputError
from data.store.audit import record
from data.store.engine import session_scope
from data.store.users import require


class ReportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    html = "html"
    pdf = "pdf"


class Language(str, Enum):
    en = "en"
    zh = "zh"


class AuditFormat(str, Enum):
    table = "table"
    json = "json"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31", field=option
        ) from None


def _spinner() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    )


def _check_roles(session: object, roles: Iterable[str]) -> None:
    from sqlalchemy import select

    from data.store.models import Role

    wanted = list(roles)
    if not wanted:
        return
    known = set(session.scalars(select(Role.key)))  # type: ignore[attr-defined]
    unknown = [r for r in wanted if r not in known]
    if unknown:
        hint = ", ".join(sorted(known)[:20]) or "none yet: import roles first"
        raise InputError(f"unknown role(s) {', '.join(unknown)}; known roles: {hint}", field="role")


def _passage_keys(text: str) -> set[str]:
    """Embedding-cache keys of a resume's passages, as the encoders chunk it (best effort:
    the chunk sizes of the bundled encoders)."""
    from data.store.privacy import text_key
    from ml.encoders import chunk_text

    return {text_key(p) for size in (200, 228, 256) for p in chunk_text(text, max_tokens=size)}


@guarded
def report(
    start: Annotated[str, typer.Option("--from", help="first application day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="last application day, YYYY-MM-DD")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="role key to include (repeat for several; default all)"),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="file format")] = ReportFormat.xlsx,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="file to write (default: <data dir>/exports/report-FROM-TO.FORMAT)"
        ),
    ] = None,
    lang: Annotated[
        Language, typer.Option("--lang", help="language of titles and labels")
    ] = Language.en,
    show_contacts: Annotated[
        bool,
        typer.Option(
            "--include-contacts",
            "--show-contacts",
            help="include names, e-mails and phones in the shortlists (admins and recruiters)",
        ),
    ] = False,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="ISO-2 country to include (repeat; default all)"),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="world region to include (repeat; default all)"),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="source channel to include (repeat; default all)"),
    ] = None,
    run: Annotated[
        list[int] | None,
        typer.Option("--run", help="match run whose shortlists to show (repeat; default latest)"),
    ] = None,
    no_shortlists: Annotated[
        bool, typer.Option("--no-shortlists", help="leave the shortlists out")
    ] = False,
    appendix: Annotated[
        list[str] | None,
        typer.Option(
            "--appendix",
            help="appendix section (repeat): shortlists, countries, time_in_stage, "
            "audit_intersectional, models_metrics; default shortlists and countries",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help="shortlist column (repeat): candidate, country, resume, score, matched, "
            "missing, evidence; default candidate, score, matched, missing",
        ),
    ] = None,
    charts: Annotated[bool, typer.Option(help="draw charts in HTML and PDF")] = True,
) -> None:
    """Write the hiring report: a summary (headline numbers with their definitions, funnel,
    time to hire, channels, countries, the bias audit of this period and these filters, top
    shortlists, models) and the appendix you choose."""
    from functools import partial

    from analytics.compensation import report_tables
    from analytics.exporters import export
    from analytics.filters import Filters
    from analytics.reports import DEFAULT_APPENDIX, DEFAULT_SHORTLIST_COLUMNS, build_report

    who = authorise("read", "export a hiring report")
    if show_contacts:
        require(who.role, "contacts", action="export contact details (--show-contacts)")
    first, last = _date(start, "from"), _date(end, "to")
    assert first is not None and last is not None
    suffix = "zip" if fmt is ReportFormat.csv else fmt.value
    path = out or settings().exports_dir / f"report-{first}-{last}.{suffix}"
    roles = tuple(role or ())
    scope = Filters(
        countries=tuple(c.upper() for c in country or ()),
        regions=tuple(region or ()),
        channels=tuple(channel or ()),
    )
    with _spinner() as bar:
        bar.add_task("collecting the report", total=None)
        with session_scope(engine()) as s:
            _check_roles(s, roles)
            rep = build_report(
                s,
                start=first,
                end=last,
                role_keys=roles,
                filters=scope,
                include_contacts=show_contacts,
                lang=lang.value,
                sections=[partial(report_tables, data_dir=settings().data_dir)],
                run_ids=() if no_shortlists else (tuple(run) if run else None),
                appendix=tuple(appendix) if appendix is not None else DEFAULT_APPENDIX,
                shortlist_columns=tuple(column) if column else DEFAULT_SHORTLIST_COLUMNS,
            )
        bar.add_task(f"writing {fmt.value.upper()}", total=None)
        try:
            if fmt in (ReportFormat.html, ReportFormat.pdf):
                from analytics.exporters import to_html, to_pdf

                (to_html if fmt is ReportFormat.html else to_pdf)(rep, path, charts=charts)
            else:
                export(rep, path, fmt.value)
        except OSError as err:  # a file where a folder should be, no space, no permission
            blocker = next((p for p in path.parents if p.is_file()), None)
            why = f"{blocker} is a file, not a folder" if blocker else err.strerror or str(err)
            raise InputError(
                f"cannot write the report to {path} ({why}): choose another --out", field="out"
            ) from None
    with session_scope(engine()) as s:
        record(
            s,
            who.name,
            "report.export",
            target_type="report",
            target=fmt.value,
            detail={
                "from": str(first),
                "to": str(last),
                "roles": list(roles),
                "contacts": show_contacts,
                "lang": lang.value,
                "countries": list(scope.countries),
                "regions": list(scope.regions),
                "channels": list(scope.channels),
                "runs": list(run or ()),
            },
        )
    typer.echo(f"report written: {path}")


@guarded
def audit(
    stage: Annotated[
        str | None, typer.Option(help="pass/fail stage to audit (default screening)")
    ] = None,
    run: Annotated[int | None, typer.Option(help="audit the match scores of this run")] = None,
    model_version: Annotated[
        int | None,
        typer.Option("--model-version", help="audit the latest match run of this model version id"),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="applications from (stage)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="applications to (stage)")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="role key (repeat)")] = None,
    fmt: Annotated[AuditFormat, typer.Option("--format", help="table or json")] = AuditFormat.table,
    lang: Annotated[
        Language, typer.Option("--lang", help="language of the table and the findings")
    ] = Language.en,
) -> None:
    """Run a bias audit (selection or scoring rates, impact ratios) and store it."""
    from analytics.fairness import (
        describe_origin,
        describe_subject,
        dimension_name,
        excluded_text,
        group_name,
        kind_name,
        run_audit,
    )
    from analytics.filters import Filters
    from data.reference import labels

    if stage and (run is not None or model_version is not None):
        raise InputError(
            "audit either a stage (--stage) or scores (--run / --model-version), not both",
            field="stage",
        )
    who = authorise("write", "run a bias audit")
    filters = Filters(start=_date(start, "from"), end=_date(end, "to"), roles=tuple(role or ()))
    with session_scope(engine()) as s:
        _check_roles(s, filters.roles)
        row, result = run_audit(
            s,
            stage=stage or ("screening" if run is None and model_version is None else None),
            run_id=run,
            model_version_id=model_version,
            filters=filters,
            actor=who.name,
        )
        audit_id = row.id
    if fmt is AuditFormat.json:
        typer.echo(
            json.dumps({"audit_id": audit_id, **result.to_dict()}, ensure_ascii=False, indent=2)
        )
        return
    lg = lang.value

    def tr(key: str, **kw: object) -> str:
        return labels.tr(lg, key, **kw)

    console = Console(width=140)
    console.print(
        tr(
            "cli.audit.head",
            id=audit_id,
            kind=kind_name(result.kind, lg),
            subject=describe_subject(result, lg),
            n=result.n,
            date=result.audit_date,
        ),
        markup=False,
    )
    console.print(f"{tr('report.source')}: {describe_origin(result, lg)}", markup=False)
    if result.median is not None:
        console.print(f"{tr('report.median_score')}: {result.median:.4f}", markup=False)
    table = RichTable(
        *(
            tr(k)
            for k in (
                "audit.dimension",
                "audit.group",
                "audit.n",
                "audit.selected",
                "audit.rate",
                "audit.impact_ratio",
                "audit.p_value",
                "audit.flagged",
                "audit.excluded",
            )
        )
    )
    for r in result.rows:
        table.add_row(
            dimension_name(r.dimension, lg),
            group_name(r.dimension, r.group, lg),
            str(r.n),
            str(r.selected),
            f"{r.rate:.1%}",
            "" if r.impact_ratio is None else f"{r.impact_ratio:.3f}",
            "" if r.p_value is None else f"{r.p_value:.3g}",
            tr("audit.flag_yes") if r.flagged else "",
            excluded_text(r, lg, result.min_share)
            or (tr("cli.audit.small_sample") if r.small_sample else ""),
        )
    console.print(table)
    console.print(tr("cli.audit.passed" if result.passed else "cli.audit.failed"))
    for reason in result.reason_texts(lg) + result.warning_texts(lg):
        console.print(f"  - {reason}", markup=False)


@guarded
def erase(
    candidate: Annotated[
        str | None,
        typer.Option("--candidate", help="candidate id, pseudonym or external reference"),
    ] = None,
    compact_only: Annotated[
        bool,
        typer.Option(
            "--compact",
            help="only compact the database: rewrite the tables people live in; on "
            "PostgreSQL VACUUM FULL, CHECKPOINT and a WAL switch (needs a superuser)",
        ),
    ] = False,
) -> None:
    """Erase a candidate from every table, embedding, score, upload and cached export."""
    from data.store.privacy import compact, erase_candidate

    who = authorise("admin", "erase a candidate")
    eng = engine()
    if compact_only:
        notes = compact(eng)
        typer.echo("database compacted")
        for note in notes:
            typer.secho(f"warning: {note}", fg=typer.colors.YELLOW, err=True)
        return
    if not candidate:
        raise InputError(
            "say who to erase: --candidate ID, pseudonym or external reference", field="candidate"
        )
    with _spinner() as bar:
        task = bar.add_task("erasing", total=None)
        result = erase_candidate(
            eng,
            candidate,
            actor=who.name,
            data_dir=settings().data_dir,
            passage_hashes=_passage_keys,
            progress=lambda msg: bar.update(task, description=msg),
        )
    typer.echo(
        f"erased {result.pseudonym}: {result.total_rows} rows, {len(result.files_deleted)} files"
    )
    for trace in result.traces:
        typer.secho(f"warning: {trace}", fg=typer.colors.YELLOW, err=True)


@guarded
def retention(
    days: Annotated[int, typer.Option("--days", help="anonymise after this many days", min=0)],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="count days back from this date (default today)")
    ] = None,
) -> None:
    """Anonymise candidates whose applications were all rejected more than N days ago."""
    from data.store.privacy import anonymise_rejected, compact

    who = authorise("admin", "apply the retention policy")
    when = _date(as_of, "as-of")
    eng = engine()
    with _spinner() as bar:
        bar.add_task("anonymising", total=None)
        with session_scope(eng) as s:
            n = anonymise_rejected(
                s,
                days,
                as_of=when,
                actor=who.name,
                data_dir=settings().data_dir,
                passage_hashes=_passage_keys,
            )
        if n:
            compact(
                eng,
                tables=[
                    "candidate_contacts",
                    "candidate_demographics",
                    "resumes",
                    "embeddings",
                    "match_scores",
                    "feedback",
                ],
            )
    typer.echo(f"anonymised {n} candidate(s) rejected more than {days} days ago")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command()(report)
    app.command()(audit)
    app.command()(erase)
    app.command()(retention)
