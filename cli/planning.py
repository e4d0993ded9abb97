"""Workforce-planning commands: plan, forecast, pay, mobility, retention-curves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import authorise, engine, guarded, settings
from cli.output import OutputFormat, json_default, table
from cli.store import _progress
from data.errors import InputError
from data.store.engine import session_scope

plan_app = typer.Typer(help="The headcount plan (requisitions).", no_args_is_help=True)
pay_app = typer.Typer(help="Pay against the market and bands.", no_args_is_help=True)
mobility_app = typer.Typer(help="International mobility and channel costs.", no_args_is_help=True)


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date; use YYYY-MM-DD", field=name) from None


def _emit(
    rows: list[dict[str, Any]], fmt: OutputFormat, extra: dict[str, Any] | None = None
) -> None:
    if fmt == OutputFormat.json:
        payload: Any = {**(extra or {}), "rows": rows} if extra is not None else rows
        typer.echo(json.dumps(payload, default=json_default, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("(nothing to show)")
        return
    headers = list(rows[0])
    typer.echo(table(headers, [[r[h] for h in headers] for r in rows]))


def _import(kind: str, file: Path, action: str) -> None:
    from data.ingest.planning import import_table

    who = authorise("write", action)
    with session_scope(engine()) as s:
        r = import_table(s, file, kind, actor=who.name)
    linked = f"; {r.linked} applications linked" if kind == "plan" else ""
    typer.echo(f"{r.file}: {r.created} new, {r.updated} updated{linked}")


FORMATS_DOC = "Formats: docs/planning-formats.md. Every bad row is named (file, row, field) and then nothing is stored."


@plan_app.command(
    "import",
    help="Import requisitions from CSV or YAML (role, location, quarter or target_start, headcount, status). "
    + FORMATS_DOC,
)
@guarded
def plan_import(file: Annotated[Path, typer.Argument(help="CSV or YAML file")]) -> None:
    _import("plan", file, "import the headcount plan")


@plan_app.command("list")
@guarded
def plan_list(
    status: Annotated[str | None, typer.Option(help="only this status")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """List requisitions with their hires so far."""
    from data.queries.planning import requisitions

    authorise("read", "read the headcount plan")
    with session_scope(engine()) as s:
        df = requisitions(s)
    if status:
        df = df[df["status"] == status]
    cols = [
        "key",
        "role",
        "location",
        "quarter",
        "headcount",
        "target_start",
        "status",
        "hires",
        "active",
    ]
    _emit(df[cols].to_dict("records") if len(df) else [], fmt)


def _pairs(values: list[str], name: str, cast: type) -> tuple[tuple[str, Any], ...]:
    out = []
    for v in values:
        key, sep, num = v.partition("=")
        try:
            if not sep or not key:
                raise ValueError
            out.append((key.strip(), cast(num.replace("%", "")) / (100 if "%" in num else 1)))
        except ValueError:
            raise InputError(f"{v!r}: write KEY=NUMBER, e.g. screening=+10%", field=name) from None
    return tuple(out)


@guarded
def forecast(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="forecast as of this day (YYYY-MM-DD; default: latest activity)"
        ),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    sims: Annotated[int, typer.Option(help="Monte Carlo simulations")] = 2000,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same numbers)")] = 0,
    conversion: Annotated[
        list[str], typer.Option(help="scenario: STAGE=+10% (pass probability)")
    ] = [],  # noqa: B006
    channel_share: Annotated[
        list[str], typer.Option(help="scenario: CHANNEL=+20% (share of new applicants)")
    ] = [],  # noqa: B006
    visa_days: Annotated[
        list[str], typer.Option(help="scenario: COUNTRY=+30 (visa lead days)")
    ] = [],  # noqa: B006
) -> None:
    """Hiring forecast of every open requisition: expected hires by its target start, 80 %
    interval, probability of filling it, applicants a week needed, and which estimates were
    the group's own or pooled."""
    from analytics.forecast import STAYS, Scenario, as_frame, run_forecast

    if sims < 100:
        raise InputError("--sims must be at least 100", field="sims")
    conv = _pairs(conversion, "conversion", float)
    for stage, _ in conv:
        if stage not in STAYS:
            raise InputError(
                f"unknown stage {stage!r}: use one of {', '.join(STAYS)}", field="conversion"
            )
    scenario = Scenario(
        conv,
        _pairs(channel_share, "channel_share", float),
        tuple((k, int(v)) for k, v in _pairs(visa_days, "visa_days", float)),
    )
    authorise("read", "forecast hiring")
    with session_scope(engine()) as s, _progress("requisitions") as update:
        results, model = run_forecast(
            s, as_of=_date(as_of, "as_of"), sims=sims, seed=seed, scenario=scenario, progress=update
        )
    df = as_frame(results)
    extra = {
        "as_of": model.as_of.date(),
        "sims": sims,
        "seed": seed,
        "scenario": {
            "conversion": dict(conv),
            "channel_share": dict(scenario.channel_share),
            "visa_days": dict(scenario.visa_days),
        },
    }
    _emit(
        df.to_dict("records") if len(df) else [], fmt, extra if fmt == OutputFormat.json else None
    )


@pay_app.command("benchmark")
@guarded
def pay_benchmark(
    location: Annotated[
        list[str], typer.Option(help="location keys (default: every location with requisitions)")
    ] = [],  # noqa: B006
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    offers: Annotated[
        bool, typer.Option("--pockets", help="show offer compa-ratio pockets instead")
    ] = False,
) -> None:
    """Market median pay of each role per location (BLS OEWS May 2025 for US locations, imported
    surveys elsewhere), with the SOC code and the route that chose it; --pockets shows offers'
    compa-ratios to market and band by role, level and location, below-market ones flagged."""
    from analytics.compensation import benchmark_table, compensation_report, load_book
    from data.queries.planning import requisitions, roles_for_pay

    authorise("read", "read pay benchmarks")
    data_dir = settings().data_dir
    with session_scope(engine()) as s:
        if offers:
            rep = compensation_report(s, data_dir)
            rows = rep["pockets"].drop(columns=["source"]).round(3).to_dict("records")
            _emit(rows, fmt, {"citation": rep["citation"]} if fmt == OutputFormat.json else None)
            if fmt == OutputFormat.table:
                typer.echo(f"\nSource: {rep['citation']}")
            return
        book = load_book(s, data_dir)
        locs = location or sorted(set(requisitions(s)["location"]))
        df = benchmark_table(book, roles_for_pay(s), list(locs))
    _emit(df.to_dict("records"), fmt)


@pay_app.command("set-soc")
@guarded
def pay_set_soc(
    role: Annotated[str, typer.Argument(help="role key")],
    code: Annotated[
        str | None, typer.Argument(help="SOC code such as 15-1252; omit with --clear")
    ] = None,
    isco: Annotated[
        str | None, typer.Option(help="give an ISCO-08 unit group instead (e.g. 2512)")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="go back to the title route")] = False,
) -> None:
    """Override the SOC code a role is benchmarked with (the title route is shown by benchmark)."""
    from sqlalchemy import select

    from data.errors import NotFoundError
    from data.reference.pay import check_soc, isco_to_soc
    from data.store.audit import record
    from data.store.models import Role

    who = authorise("write", "set a role's SOC code")
    if isco and not code:
        code = isco_to_soc(isco)
        if code is None:
            raise InputError(
                f"ISCO group {isco!r} is not in data/reference/soc_routes.yaml: give the SOC code",
                field="isco",
            )
    if not clear and not code:
        raise InputError("give a SOC code, --isco GROUP or --clear", field="code")
    with session_scope(engine()) as s:
        row = s.scalar(select(Role).where(Role.key == role))
        if row is None:
            raise NotFoundError(f"no role {role!r}: see talentmap roles list")
        row.soc_code = None if clear else check_soc(code or "")
        record(
            s,
            who.name,
            "pay.set_soc",
            target_type="role",
            target=role,
            detail={"soc": row.soc_code},
        )
    typer.echo(f"{role}: SOC {'route from title' if clear else code}")


@pay_app.command(
    "import-bands",
    help="Import pay bands (role, level, location, currency, period, minimum, midpoint, maximum). "
    + FORMATS_DOC,
)
@guarded
def pay_import_bands(file: Annotated[Path, typer.Argument(help="CSV or YAML file")]) -> None:
    _import("bands", file, "import pay bands")


@pay_app.command(
    "import-survey",
    help="Import a pay survey for markets OEWS does not cover (survey, role, level, location, currency, period, p25, p50, p75, year). "
    + FORMATS_DOC,
)
@guarded
def pay_import_survey(file: Annotated[Path, typer.Argument(help="CSV or YAML file")]) -> None:
    _import("survey", file, "import a pay survey")


@pay_app.command("import-fx", help="Import FX rates (currency, per_usd, as_of). " + FORMATS_DOC)
@guarded
def pay_import_fx(file: Annotated[Path, typer.Argument(help="CSV or YAML file")]) -> None:
    _import("fx", file, "import FX rates")


@mobility_app.command(
    "import",
    help="Import visa and relocation costs and lead times per source country (country, visa_cost, relocation_cost, currency, lead_time_days). "
    + FORMATS_DOC,
)
@guarded
def mobility_import(file: Annotated[Path, typer.Argument(help="CSV or YAML file")]) -> None:
    _import("mobility", file, "import mobility costs")


@mobility_app.command(
    "import-channels",
    help="Import cost per hire of each source channel (channel, cost_per_hire, currency). "
    + FORMATS_DOC,
)
@guarded
def mobility_import_channels(
    file: Annotated[Path, typer.Argument(help="CSV or YAML file")],
) -> None:
    _import("channels", file, "import channel costs")


@mobility_app.command("costs")
@guarded
def mobility_costs(
    by: Annotated[str, typer.Option(help="country or channel")] = "country",
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Cost per hire (US dollars: visa + relocation across borders, plus the channel's cost) and
    median days from offer to start, by source country or channel."""
    from analytics.forecast import mobility_summary

    if by not in ("country", "channel"):
        raise InputError("--by must be country or channel", field="by")
    authorise("read", "read mobility costs")
    with session_scope(engine()) as s:
        per_c, per_ch = mobility_summary(s)
    df = per_c if by == "country" else per_ch
    _emit(df.round(2).to_dict("records"), fmt)


@guarded
def retention_curves(
    by: Annotated[str, typer.Option(help="cohort, programme, country or family")] = "cohort",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: latest activity)")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Kaplan–Meier retention of hires by cohort, programme, country or role family (12-month
    retention, median tenure), and the 12-month retention difference of programme participants
    with its 95 % interval (observational)."""
    from analytics.retention import curve_table, retention_report

    authorise("read", "read retention curves")
    with session_scope(engine()) as s:
        rep = retention_report(s, by=by, as_of=_date(as_of, "as_of"))
    df = curve_table(rep["curves"])
    eff = rep["effect"]
    effect = (
        None
        if eff is None
        else {
            "programme": eff.programme,
            "participants": eff.participants,
            "others": eff.others,
            "retention_participants": round(eff.retention_participants, 4),
            "retention_others": round(eff.retention_others, 4),
            "difference": round(eff.difference, 4),
            "low_95": round(eff.low, 4),
            "high_95": round(eff.high, 4),
            "note": eff.note,
        }
    )
    if fmt == OutputFormat.json:
        _emit(
            df.to_dict("records"),
            fmt,
            {"as_of": rep["as_of"], "by": by, "programme_effect": effect},
        )
        return
    _emit(df.to_dict("records"), fmt)
    if effect:
        typer.echo(
            f"\nProgramme participants vs others, 12-month retention from day {180}: "
            f"{effect['retention_participants']:.1%} vs {effect['retention_others']:.1%}, difference "
            f"{effect['difference']:+.1%} (95% CI {effect['low_95']:+.1%} to {effect['high_95']:+.1%}; "
            f"n = {effect['participants']} / {effect['others']}).\n{effect['note']}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    app.add_typer(pay_app, name="pay")
    app.add_typer(mobility_app, name="mobility")
    app.command("forecast")(forecast)
    app.command("retention-curves")(retention_curves)
