"""The hiring report a board reads: what it holds, in English or Chinese.

``build_report`` collects the sections from the store (aggregates in SQL, see
``data.queries.reports``): pipeline summary and funnel, time to hire, source-channel and country
mix, per-role shortlists of the latest match run with their explanations, the active models and
the latest bias audit. ``HiringReport.tables()`` lays every section out as a plain table
(columns with a kind, rows of values) that every exporter in ``analytics.exporters`` writes the
same way, so the formats cannot disagree.

Contact details (name, e-mail, phone) are read from the store only when ``mask_contacts`` is
False; the front end decides that from ``data.store.users.can(role, "contacts")``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from analytics.fairness import (
    AuditResult,
    describe_origin,
    describe_subject,
    dimension_name,
    excluded_text,
    group_name,
)
from analytics.filters import Filters
from data.errors import InputError
from data.queries import reports as rq
from data.reference import labels

Lang = Literal["en", "zh"]
ColumnKind = Literal["text", "int", "float", "pct", "score", "auto"]


@dataclass
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass
class Table:
    """One section laid out for export: a key (file/sheet name), a title, columns, rows."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str | None = None


@dataclass
class HiringReport:
    """Everything in a hiring report, as plain data (no SQL objects)."""

    lang: Lang
    start: dt.date
    end: dt.date
    role_keys: tuple[str, ...]
    masked: bool
    generated_at: dt.datetime
    status: dict[str, int]
    funnel: list[tuple[str, int]]
    hires: int
    hire_days_q: list[float | None]  # 25th, 50th, 75th percentile days to hire
    channels: list[tuple[str | None, int]]
    countries: list[tuple[str | None, int]]
    run: dict[str, Any]
    shortlists: list[dict[str, Any]]
    models: list[dict[str, Any]]
    audit: AuditResult | None
    audit_meta: dict[str, Any] = field(default_factory=dict)

    def t(self, key: str) -> str:
        """The label of ``key`` in the report's language (``report.<key>`` in the catalog)."""
        return labels.tr(self.lang, f"report.{key}")

    def stage_label(self, stage: str) -> str:
        return labels.stage_name(stage, self.lang)

    @property
    def time_to_hire(self) -> dict[str, float | int | None]:
        """Hires and median / 25th / 75th percentile days from application to hire."""
        p25, med, p75 = self.hire_days_q
        return {"n": self.hires, "median": med, "p25": p25, "p75": p75}

    def funnel_rows(self) -> list[tuple[str, int, float | None, float | None]]:
        """(stage, applications, conversion from previous, share of first), first stage with any."""
        rows = [(s, n) for s, n in self.funnel]
        first = next((n for _, n in rows if n), 0)
        out, prev = [], None
        for stage, n in rows:
            conv = (n / prev) if prev else None
            out.append((stage, n, conv, (n / first) if first else None))
            prev = n
        return out

    def tables(self) -> list[Table]:
        """Every section as a table, in report order."""
        t = self.t
        tth = self.time_to_hire
        roles = ", ".join(self.role_keys) if self.role_keys else t("all_roles")
        summary_rows: list[list[Any]] = [
            [t("period"), f"{self.start.isoformat()} – {self.end.isoformat()}"],
            [t("roles_filter"), roles],
            [t("applications"), self.status.get("applications", 0)],
            [t("candidates"), self.status.get("candidates", 0)],
            [t("hired"), self.status.get("hired", 0)],
            [t("rejected"), self.status.get("rejected", 0)],
            [t("active"), self.status.get("active", 0)],
            [t("withdrawn"), self.status.get("withdrawn", 0)],
            [t("median_days"), _round(tth["median"])],
            [t("contacts"), t("masked") if self.masked else t("shown")],
            [t("generated"), self.generated_at.strftime("%Y-%m-%d %H:%M UTC")],
        ]
        tables = [
            Table(
                "summary",
                t("summary"),
                [Column("metric", t("metric")), Column("value", t("value"), "auto")],
                summary_rows,
            )
        ]
        tables.append(
            Table(
                "funnel",
                t("funnel"),
                [
                    Column("stage", t("stage")),
                    Column("applications", t("applications"), "int"),
                    Column("conversion", t("conversion"), "pct"),
                    Column("of_first", t("of_first"), "pct"),
                ],
                [[self.stage_label(s), n, c, f] for s, n, c, f in self.funnel_rows()],
            )
        )
        tables.append(
            Table(
                "time_to_hire",
                t("time_to_hire"),
                [
                    Column("hires", t("hires"), "int"),
                    Column("median", t("median_days"), "float"),
                    Column("p25", t("p25_days"), "float"),
                    Column("p75", t("p75_days"), "float"),
                ],
                [[tth["n"], _round(tth["median"]), _round(tth["p25"]), _round(tth["p75"])]],
            )
        )
        for key, col, data, name in (
            ("channels", "channel", self.channels, labels.channel_name),
            ("countries", "country", self.countries, labels.country_name),
        ):
            total = sum(n for _, n in data) or 1
            tables.append(
                Table(
                    key,
                    t(key),
                    [
                        Column(col, t(col)),
                        Column("applications", t("applications"), "int"),
                        Column("share", t("share"), "pct"),
                    ],
                    [[name(k, self.lang), n, n / total] for k, n in data],
                )
            )
        tables.append(self._shortlist_table())
        tables.append(
            Table(
                "models",
                t("models"),
                [
                    Column("kind", t("kind")),
                    Column("version", t("version"), "int"),
                    Column("status", t("status")),
                    Column("promoted", t("promoted")),
                    Column("metric", t("metric")),
                    Column("value", t("value"), "auto"),
                ],
                [
                    [
                        labels.coded("model_kind.", m["kind"], self.lang),
                        m["version"],
                        labels.coded("model_status.", m["status"], self.lang),
                        m["promoted"],
                        labels.coded("metric.", k, self.lang) if k else "",
                        v,
                    ]
                    for m in self.models
                    for k, v in (sorted(m["metrics"].items()) or [("", "")])
                ],
                note=None if self.models else t("no_model"),
            )
        )
        tables.extend(self._audit_tables())
        return tables

    def _shortlist_table(self) -> Table:
        t = self.t
        cols = [
            Column("role", t("role")),
            Column("rank", t("rank"), "int"),
            Column("candidate", t("candidate")),
        ]
        if not self.masked:
            cols += [
                Column("name", t("name")),
                Column("email", t("email")),
                Column("phone", t("phone")),
            ]
        cols += [
            Column("resume", t("resume")),
            Column("score", t("score"), "score"),
            Column("matched", t("matched")),
            Column("missing", t("missing")),
            Column("evidence", t("evidence")),
        ]
        rows = []
        for r in self.shortlists:
            title = r["title_zh"] if self.lang == "zh" else r["title_en"]
            exp = r.get("explanation") or {}
            row: list[Any] = [title, r["rank"], r["pseudonym"] or ""]
            if not self.masked:
                row += [r["name"] or "", r["email"] or "", r["phone"] or ""]
            row += [
                r["resume_file"],
                r["score"],
                _skills(exp.get("matched_skills"), self.lang),
                _skills(
                    (exp.get("missing_skills") or exp.get("missing_required") or [])
                    + list(exp.get("missing_nice") or []),
                    self.lang,
                ),
                _evidence(exp, self.lang),
            ]
            rows.append(row)
        note = None
        if not self.run:
            note = t("no_run")
        else:
            note = f"{t('run')} {self.run['id']} ({self.run['encoder']})"
        return Table("shortlists", t("shortlists"), cols, rows, note=note)

    def _audit_tables(self) -> list[Table]:
        t = self.t
        if self.audit is None:
            return [
                Table(
                    "audit",
                    t("audit"),
                    [Column("metric", t("metric")), Column("value", t("value"))],
                    [],
                    note=t("no_audit"),
                )
            ]
        a = self.audit
        rows: list[list[Any]] = [
            [t("audit_date"), a.audit_date],
            [t("audit_kind"), t(f"kind_{a.kind}")],
            [t("audited"), describe_subject(a, self.lang)],
            [t("source"), describe_origin(a, self.lang)],
            [t("passed"), t("yes") if a.passed else t("no")],
            [t("applications") if a.kind == "selection" else t("score"), a.n],
        ]
        if a.median is not None:
            rows.append([t("median_score"), round(a.median, 4)])
        rows += [[t("reasons"), r] for r in a.reason_texts(self.lang)]
        rows += [[t("warnings"), w] for w in a.warning_texts(self.lang)]
        groups = [
            [
                dimension_name(r.dimension, self.lang),
                group_name(r.dimension, r.group, self.lang),
                r.n,
                r.selected,
                r.rate,
                r.impact_ratio,
                r.p_value,
                t("yes") if r.flagged else "",
                excluded_text(r, self.lang, a.min_share),
            ]
            for r in a.rows
        ]
        return [
            Table(
                "audit",
                t("audit"),
                [Column("metric", t("metric")), Column("value", t("value"), "auto")],
                rows,
            ),
            Table(
                "audit_groups",
                t("audit_groups"),
                [
                    Column("dimension", t("dimension")),
                    Column("group", t("group")),
                    Column("n", labels.tr(self.lang, "audit.n"), "int"),
                    Column("selected", t("selected"), "int"),
                    Column("rate", t("rate"), "pct"),
                    Column("impact_ratio", t("impact_ratio"), "score"),
                    Column("p_value", t("p_value"), "score"),
                    Column("flagged", t("flagged")),
                    Column("excluded", t("excluded")),
                ],
                groups,
            ),
        ]


def _flatten(metrics: dict[str, Any], prefix: str = "", limit: int = 40) -> dict[str, Any]:
    """Scalar metrics, nested ones as dotted keys (``cv.macro_f1.mean``); lists are skipped
    (confusion matrices, per-class reports belong in ``talentmap models show``)."""
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float, str)):
            out[name] = round(value, 4) if isinstance(value, float) else value
        elif isinstance(value, dict) and prefix.count(".") < 2:
            out.update(_flatten(value, f"{name}.", limit))
        if len(out) >= limit:
            break
    return dict(list(out.items())[:limit])


def _trim_zeros(funnel: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Drop the empty stages after the last one any application reached."""
    last = max((i for i, (_, n) in enumerate(funnel) if n), default=-1)
    return funnel[: last + 1]


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(float(x), digits)


def _skill(v: Any, lang: str) -> str:
    """A skill of an explanation (a key, or a ``{key, name, …}`` dict) named in ``lang``."""
    if isinstance(v, dict):
        key = v.get("key")
        name = labels.skill_name(key, lang) if key else None
        return str(name if name and name != key else v.get("name") or key)
    return labels.skill_name(str(v), lang)


def _skills(values: Any, lang: str = "en") -> str:
    """Skill names from an explanation list (plain keys, or ``{key, name, …}`` dicts)."""
    if not values:
        return ""
    if isinstance(values, str):
        return values
    return ("、" if lang == "zh" else ", ").join(_skill(v, lang) for v in values)


def _evidence(exp: dict[str, Any], lang: str = "en") -> str:
    """Evidence of an explanation: each matched skill's snippet, else the stored evidence
    list, else the strongest passages."""
    parts = [
        f"{_skill(m, lang)}: {m['evidence']}"
        for m in exp.get("matched_skills") or []
        if isinstance(m, dict) and m.get("evidence")
    ]
    if not parts:
        ev = exp.get("evidence") or []
        if isinstance(ev, dict):
            parts = [f"{k}: {v}" for k, v in ev.items()]
        else:
            parts = [str(e) for e in ([ev] if isinstance(ev, str) else ev)]
    if not parts:
        parts = [
            str(p.get("text", ""))
            for p in exp.get("strongest_passages") or []
            if isinstance(p, dict)
        ]
    return " | ".join(parts)


def build_report(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    role_keys: tuple[str, ...] | list[str] | None = None,
    mask_contacts: bool = True,
    lang: Lang = "en",
    top: int = 10,
    now: dt.datetime | None = None,
) -> HiringReport:
    """Collect a hiring report for applications made from ``start`` to ``end`` (inclusive)."""
    if end < start:
        raise InputError(
            f"the period ends ({end}) before it starts ({start}): swap --from and --to", field="to"
        )
    if lang not in labels.LANGS:
        raise InputError(f"unknown language {lang!r}; use en or zh", field="lang")
    roles = tuple(role_keys or ())
    filters = Filters(start=start, end=end, roles=roles)
    run_id = rq.latest_run_id(session)
    hires, quantiles = rq.hire_quantiles(session, filters)
    audit_row = rq.latest_bias_audit(session)
    models = [
        {
            "kind": m.kind,
            "version": m.version,
            "status": m.status,
            "promoted": m.promoted_at.strftime("%Y-%m-%d") if m.promoted_at else "",
            "metrics": _flatten(m.metrics or {}),
        }
        for m in rq.active_models(session)
    ]
    return HiringReport(
        lang=lang,
        start=start,
        end=end,
        role_keys=roles,
        masked=mask_contacts,
        generated_at=(now or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
        status=rq.status_counts(session, filters),
        funnel=_trim_zeros(rq.funnel_counts(session, filters)),
        hires=hires,
        hire_days_q=quantiles,
        channels=rq.mix(session, "channel", filters),
        countries=rq.mix(session, "country", filters),
        run=rq.run_info(session, run_id) if run_id else {},
        shortlists=rq.shortlists(
            session, run_id, role_keys=roles, top=top, with_contacts=not mask_contacts
        )
        if run_id
        else [],
        models=models,
        audit=AuditResult.from_dict(audit_row.result) if audit_row else None,
        audit_meta={"id": audit_row.id, "actor": audit_row.actor} if audit_row else {},
    )


__all__ = ["Column", "HiringReport", "Table", "build_report"]
