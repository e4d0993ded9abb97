"""Training, evaluation and the model registry: ``talentmap train|evaluate|models``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from cli.context import authorise, engine, guarded, load_encoder, settings
from data.errors import ModelError, NotFoundError
from data.store.engine import session_scope
from data.store.models import ModelVersion

train_app = typer.Typer(
    help="Train models (a candidate is registered; promote it to serve).", no_args_is_help=True
)
models_app = typer.Typer(
    help="The model registry: list, show, promote, roll back.", no_args_is_help=True
)


class Format(str, Enum):
    table = "table"
    json = "json"


class KindOpt(str, Enum):
    classifier = "classifier"
    pair_scorer = "pair_scorer"
    encoder = "encoder"


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per stage, on stderr (JSON on stdout stays clean)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def update(stage: str, done: int, total: int) -> None:
            key = stage.split(":")[0] if stage.startswith("fold") else stage
            if key not in tasks:
                tasks[key] = bar.add_task(stage, total=total)
            bar.update(tasks[key], completed=done, total=total, description=stage)

        yield update


def _emit(data: dict[str, Any], fmt: Format, table: Callable[[dict[str, Any]], None]) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        table(data)


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100 * float(x):.1f}%"


def _classifier_table(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(
        title=f"classifier v{r['version']} ({r['status']}) — {r['rows']} rows, "
        f"{r['classes']} classes, {r['folds']}-fold CV; registered: {r.get('model', 'head')}"
    )
    for col in ("model", "macro-F1", "accuracy", "top-3 accuracy", ""):
        t.add_column(col)
    selection = r.get("selection") or {}
    rows = dict(selection.get("candidates") or {})
    rows.update({n: b for n, b in r["baselines"].items() if n not in rows})
    for name, b in rows.items():
        t.add_row(
            name.replace("_", " "),
            *(
                f"{_pct(b[k])} ± {_pct(b['std'][k])}"
                for k in ("macro_f1", "accuracy", "top3_accuracy")
            ),
            "winner (registered)"
            if name == selection.get("winner")
            else ("candidate" if name in (selection.get("candidates") or {}) else "baseline"),
        )
    Console().print(t)
    typer.echo(
        f"test split {r['test']['split_hash'][:12]}: macro-F1 {_pct(r['test']['macro_f1'])}"
        + (
            f"; active v{r['active']['version']}: {_pct(r['active'].get('macro_f1'))}"
            if r.get("active")
            else ""
        )
    )
    typer.echo(
        f"Registered as a candidate. Promote it with `talentmap models promote {r['version']}`."
    )


@train_app.command("classifier")
@guarded
def train_classifier_cmd(
    data: Annotated[Path, typer.Option("--data", help="labelled CSV file (plain or .gz)")],
    text_column: Annotated[str, typer.Option(help="column holding the resume text")] = "text",
    label_column: Annotated[str, typer.Option(help="column holding the role family")] = "label",
    fold_column: Annotated[
        str | None,
        typer.Option(help="column of fixed fold numbers to use instead of computed folds"),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="cross-validation folds")] = 5,
    encoder: Annotated[
        str | None,
        typer.Option(help="encoder: minilm, muse, or a sentence-transformers model/folder"),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, help="maximum training epochs")] = 80,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Train the role classifier on a labelled CSV: cross-validate the torch head, the stacked
    head and TF-IDF + linear SVM on the same folds, register the best (mean macro-F1) as a
    candidate and print all of them."""
    from ml.training import read_labelled_csv, train_classifier

    who = authorise("models", "train models")
    s = settings()
    labelled = read_labelled_csv(
        data,
        text_column=text_column,
        label_column=label_column,
        fold_column=fold_column,
        min_per_class=2,
    )
    enc = load_encoder(encoder)
    with _progress() as progress, session_scope(engine()) as session:
        report = train_classifier(
            session,
            labelled,
            encoder=enc,
            models_dir=s.models_dir,
            actor=who.name,
            k=folds,
            params={"epochs": epochs},
            cache_dir=s.cache_dir,
            progress=progress,
        )
    _emit(report, fmt, _classifier_table)


@train_app.command("pair-scorer")
@guarded
def train_pair_scorer_cmd(
    encoder: Annotated[str | None, typer.Option(help="encoder for the matcher features")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Train the pair scorer on every stored advance/reject decision (matcher features),
    calibrated; registers a candidate and reports how many labels were new."""
    from data.errors import InputError
    from data.store.model_versions import count_feedback
    from ml.training import train_pair_scorer

    who = authorise("models", "train models")
    s = settings()
    with session_scope(engine()) as session:
        if not count_feedback(session):
            raise InputError(
                "no recruiter feedback is stored yet: record advance/reject "
                "decisions in the dashboard or import them from CSV first"
            )
    enc = load_encoder(encoder)
    with _progress() as progress, session_scope(engine()) as session:
        report = train_pair_scorer(
            session, models_dir=s.models_dir, actor=who.name, encoder=enc, progress=progress
        )

    def table(r: dict[str, Any]) -> None:
        t = r["test"]
        typer.echo(
            f"pair_scorer v{r['version']} ({r['status']}): {r['labels']} labels, "
            f"{r['new_labels']} new"
        )
        typer.echo(
            f"test: ROC AUC {t.get('roc_auc') or float('nan'):.3f}, accuracy "
            f"{_pct(t['accuracy'])}, ECE {t['ece']:.3f}, Brier {t['brier']:.3f}"
        )
        for b in t["reliability"]:
            typer.echo(
                f"  {b['lo']:.1f}–{b['hi']:.1f}: predicted {b['mean_predicted']:.2f}, "
                f"advanced {b['fraction_positive']:.2f} (n={b['count']})"
            )

    _emit(report, fmt, table)


def _find(session: Session, kind: str, version: int | None) -> ModelVersion:
    from data.store import model_versions as q
    from ml import registry

    if version is None:
        mv = registry.active(session, kind)
        if mv is None:
            raise NotFoundError(f"no {kind} model is active: give --version")
        return mv
    return q.get_version(session, kind, version)


def evaluate_cmd(
    version: Annotated[int | None, typer.Option(help="version to score (default: active)")] = None,
    kind: Annotated[KindOpt, typer.Option(help="model kind")] = KindOpt.classifier,
    data: Annotated[
        Path | None,
        typer.Option(help="labelled CSV (classifier): its held-out test split is scored"),
    ] = None,
    text_column: Annotated[str, typer.Option(help="text column of --data")] = "text",
    label_column: Annotated[str, typer.Option(help="label column of --data")] = "label",
    fold_column: Annotated[str | None, typer.Option(help="fixed fold column of --data")] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="folds (as used for training)")] = 5,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Score a model version on a test split and store the result, so versions scored on the
    same split can be compared by the promotion gate. Without --data, show stored scores."""
    from ml.training import evaluate_classifier, read_labelled_csv

    s = settings()
    if data is None:
        authorise("read", "show model scores")
        with session_scope(engine()) as session:
            mv = _find(session, kind.value, version)
            result = {
                "kind": mv.kind,
                "version": mv.version,
                "evaluations": (mv.metrics or {}).get("evaluations", {}),
            }
    else:
        if kind is not KindOpt.classifier:
            raise ModelError(
                "--data scores classifiers; pair scorers are scored on feedback "
                "by `talentmap train pair-scorer`"
            )
        who = authorise("models", "evaluate models")
        labelled = read_labelled_csv(
            data, text_column=text_column, label_column=label_column, fold_column=fold_column
        )
        with session_scope(engine()) as session:
            mv = _find(session, kind.value, version)
            enc_name = (mv.params or {}).get("encoder") or s.encoder
            result = evaluate_classifier(
                session,
                mv,
                labelled,
                encoder=load_encoder(enc_name),
                actor=who.name,
                k=folds,
                cache_dir=s.cache_dir,
            )

    def table(r: dict[str, Any]) -> None:
        if "evaluations" in r:
            typer.echo(f"{r['kind']} v{r['version']}: scored on {len(r['evaluations'])} split(s)")
            for split, m in r["evaluations"].items():
                typer.echo(
                    f"  {split[:12]}: "
                    + ", ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float))
                )
        else:
            typer.echo(
                f"{r['kind']} v{r['version']} on split {r['split_hash'][:12]} "
                f"({r['n']} rows): macro-F1 {_pct(r['macro_f1'])}, accuracy "
                f"{_pct(r['accuracy'])}, top-3 {_pct(r['top3_accuracy'])}"
            )

    _emit(result, fmt, table)


def _row(mv: ModelVersion) -> dict[str, Any]:
    m = mv.metrics or {}
    primary = m.get("primary_metric", "macro_f1")
    split = m.get("test_split")
    score = (m.get("evaluations") or {}).get(split, {}).get(primary) if split else None
    return {
        "kind": mv.kind,
        "version": mv.version,
        "status": mv.status,
        "primary_metric": primary,
        "test_score": score,
        "created_by": mv.created_by,
        "created_at": mv.created_at,
        "promoted_at": mv.promoted_at,
        "checksum": mv.checksum,
        "data_hash": mv.data_hash,
    }


@models_app.command("list")
@guarded
def models_list(
    kind: Annotated[KindOpt | None, typer.Option(help="only this kind")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """List every registered model version with its status and test score."""
    from data.store import model_versions as q

    authorise("read", "list models")
    with session_scope(engine()) as session:
        rows = [_row(mv) for mv in q.list_versions(session, kind.value if kind else None)]
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        typer.echo("No models yet: train one with `talentmap train classifier --data FILE.csv`.")
        return
    from rich.console import Console
    from rich.table import Table

    t = Table()
    for col in ("kind", "version", "status", "test score", "by", "created"):
        t.add_column(col)
    for r in rows:
        score = "—" if r["test_score"] is None else f"{r['primary_metric']} {r['test_score']:.4f}"
        t.add_row(
            r["kind"],
            str(r["version"]),
            r["status"],
            score,
            r["created_by"],
            str(r["created_at"])[:19],
        )
    Console().print(t)


@models_app.command("show")
@guarded
def models_show(
    version: Annotated[int, typer.Argument(help="version number")],
    kind: Annotated[KindOpt, typer.Option(help="model kind")] = KindOpt.classifier,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.json,
) -> None:
    """Show one version: parameters, metrics, checksum, data hash, library versions."""
    from data.store import model_versions as q

    authorise("read", "show models")
    with session_scope(engine()) as session:
        mv = q.get_version(session, kind.value, version)
        data = {
            **_row(mv),
            "params": mv.params,
            "metrics": mv.metrics,
            "lib_versions": mv.lib_versions,
            "artefact_path": mv.artefact_path,
        }
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        for k, v in data.items():
            if k not in ("params", "metrics"):
                typer.echo(f"{k}: {v}")
        cv = (data["metrics"] or {}).get("cv") or {}
        for k, v in cv.items():
            typer.echo(f"cv {k}: {v['mean']:.4f} ± {v['std']:.4f}")


@models_app.command("promote")
@guarded
def models_promote(
    version: Annotated[int, typer.Argument(help="version number to make active")],
    kind: Annotated[KindOpt, typer.Option(help="model kind")] = KindOpt.classifier,
) -> None:
    """Make a candidate active through the promotion gate (analytics.promotion): it must beat
    the active model on the same test split, be calibrated (pair scorers: ECE <= 0.05, the
    reliability curve is shown) and pass the bias audit; otherwise print every reason."""
    from functools import partial

    from analytics import promotion
    from data.errors import PromotionRefused
    from ml.encoders import get_encoder

    who = authorise("models", "promote models")
    s = settings()
    refused: PromotionRefused | None = None
    outcome = None
    with _progress() as progress, session_scope(engine()) as session:
        try:
            outcome = promotion.promote_version(
                session,
                kind.value,
                version,
                actor=who.name,
                encoder_for=partial(get_encoder, cache_dir=s.encoders_dir),
                cache_dir=s.data_dir / "cache",
                progress=progress,
            )
        except PromotionRefused as err:
            refused = err  # keep the refusal's audit row: commit, then report
    if refused is not None:
        raise refused
    assert outcome is not None
    for w in outcome.warnings:
        typer.echo(f"warning: {w}", err=True)
    for line in promotion.reliability_lines(outcome.reliability):
        typer.echo(f"  reliability {line}", err=True)
    typer.echo(f"{kind.value} v{version} is now active.")


@models_app.command("rollback")
@guarded
def models_rollback(
    kind: Annotated[KindOpt, typer.Argument(help="classifier, pair_scorer or encoder")],
) -> None:
    """Retire the active model of KIND and serve the previously active version again."""
    from ml import registry

    who = authorise("models", "roll back models")
    with session_scope(engine()) as session:
        mv = registry.rollback(session, kind.value, actor=who.name)
        version = mv.version
    typer.echo(f"{kind.value} v{version} is active again.")


def register(app: typer.Typer) -> None:
    """Add ``train``, ``evaluate`` and ``models`` to ``app``."""
    app.add_typer(train_app, name="train")
    app.add_typer(models_app, name="models")
    app.command("evaluate")(guarded(evaluate_cmd))
