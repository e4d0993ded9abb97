"""The hiring report a board reads: what it holds, in English or Chinese.

``build_report`` collects the sections from the store. Every number comes from the metric
layer (``data.queries.metrics``) with the report's own filters, the same functions the
dashboard pages call, so the report and the pages agree; the bias audit is computed for the
report's own period and filters (not the latest stored audit). ``HiringReport.tables()`` lays
every section out as a plain table (columns with a kind, rows of values) that every exporter in
``analytics.exporters`` writes the same way, so the formats cannot disagree.

A report has two parts: the **summary** a manager reads in ten minutes (headline numbers with
their definitions, funnel, time to hire, channels, top countries, the audit's verdict, the top
of each shortlist, the active models' headline metrics) and an **appendix** of the sections the
user picks (:data:`APPENDIX_SECTIONS`).

Contact details (name, e-mail, phone) are read from the store only when the user asks for
them (``include_contacts``); the front end checks the user may see them
(``data.store.users.can(role, "contacts")``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from analytics.fairness import AuditResult, audit_counts
from analytics.filters import Filters
from data.errors import InputError
from data.queries import audit as aq
from data.queries import metrics as mq
from data.queries import reports as rq
from data.reference import labels
from data.reference.stages import STAGES, stage_label

Lang = Literal["en", "zh"]
ColumnKind = Literal["text", "int", "float", "pct", "score", "pvalue", "auto"]
Part = Literal["summary", "appendix"]

APPENDIX_SECTIONS: tuple[str, ...] = (
    "shortlists",
    "countries",
    "time_in_stage",
    "audit_intersectional",
    "models_metrics",
)
"""Sections the user may add after the summary (the report's appendix)."""
DEFAULT_APPENDIX: tuple[str, ...] = ("shortlists", "countries")
SHORTLIST_COLUMNS: tuple[str, ...] = (
    "candidate",
    "country",
    "resume",
    "score",
    "matched",
    "missing",
    "evidence",
)
"""Shortlist columns the user may pick (role and rank are always there; contacts when asked)."""
DEFAULT_SHORTLIST_COLUMNS: tuple[str, ...] = ("candidate", "score", "matched", "missing")
SUMMARY_TOP = 3
TOP_COUNTRIES = 10
HEADLINE_METRICS: tuple[str, ...] = (
    "applications",
    "in_pipeline",
    "hires",
    "time_to_hire",
    "offer_acceptance",
    "international_share",
    "conversion",
)

STAGE_LABELS: dict[str, dict[str, str]] = {
    lang: {k: stage_label(k, lang) for k in STAGES}  # type: ignore[arg-type]
    for lang in ("en", "zh")
}

MODEL_METRICS: tuple[str, ...] = (
    "macro_f1",
    "accuracy",
    "macro_precision",
    "macro_recall",
    "roc_auc",
    "auc",
    "ndcg@10",
    "ndcg_at_10",
    "ndcg",
    "mrr",
    "recall@10",
    "recall_at_10",
    "precision@10",
    "map",
    "brier",
    "ece",
    "top3_accuracy",
    "n",
    "log_loss",
    "n_train",
    "n_test",
    "train_size",
    "test_size",
)
"""The model metrics a board sees, by their human names (catalog ``report.metric.<key>``);
others stay in the appendix."""


class Share(float):
    """A fraction shown as a percentage in a mixed-unit ("auto") column."""


@dataclass
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"
    width: float = 1.0  # relative width in HTML/PDF (a wide text column gets more)
    nowrap: bool = False  # HTML/PDF: never break (pseudonyms, phone numbers)


@dataclass
class Table:
    """One section laid out for export: a key (file/sheet name), a title, columns, rows;
    ``part`` says whether it is in the summary or the appendix, ``wide`` that it needs a
    landscape page in the PDF; ``chart`` names the figure drawn above it."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str | None = None
    part: Part = "summary"
    wide: bool = False
    group_col: str | None = None  # HTML/PDF: this column's value heads a group of rows


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
    extra: list[Table] = field(default_factory=list)  # sections built elsewhere (compensation)
    filters: Filters = field(default_factory=Filters)
    kpis: dict[str, float | None] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    appendix: tuple[str, ...] = DEFAULT_APPENDIX
    shortlist_columns: tuple[str, ...] = DEFAULT_SHORTLIST_COLUMNS
    time_in_stage: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    skill_names: dict[str, str] = field(default_factory=dict)

    def t(self, key: str) -> str:
        """The label of ``key`` in the report's language (the catalog's ``report.`` strings)."""
        return labels.tr(self.lang, f"report.{key}")

    def stage_label(self, stage: str) -> str:
        return STAGE_LABELS[self.lang].get(stage, stage)

    def channel_label(self, key: str | None) -> str:
        if not key:
            return self.t("unknown")
        return labels.channel_name(key, self.lang)

    def country_label(self, code: str | None) -> str:
        if not code:
            return self.t("unknown")
        from data.reference import load_countries

        c = load_countries().get(code)
        if c is None:
            return code
        return c.name_zh if self.lang == "zh" else c.name_en

    @property
    def time_to_hire(self) -> dict[str, float | int | None]:
        """Hires and median / 25th / 75th percentile days from application to hire."""
        p25, med, p75 = self.hire_days_q
        return {"n": self.hires, "median": med, "p25": p25, "p75": p75}

    def funnel_rows(self) -> list[tuple[str, int, float | None, float | None]]:
        """(stage, applications, conversion from previous, share of first), first stage with any."""
        first = next((n for _, n in self.funnel if n), 0)
        out, prev = [], None
        for stage, n in self.funnel:
            out.append((stage, n, (n / prev) if prev else None, (n / first) if first else None))
            prev = n
        return out

    def metric_name(self, key: str) -> str:
        return mq.metric(key).name(self.lang)

    # --- the tables ------------------------------------------------------------------------

    def tables(self) -> list[Table]:
        """Every section as a table, in report order: the summary, then the chosen appendix."""
        out = self._summary_tables()
        out += [tb for tb in self._appendix_tables() if tb.key in self.appendix]
        return out

    def scope_text(self) -> str:
        t = self.t
        f = self.filters
        parts = [f"{t('period')}: {self.start.isoformat()} – {self.end.isoformat()}"]
        parts.append(f"{t('roles_filter')}: {', '.join(self.role_keys) or t('all_roles')}")
        if f.countries:
            names = ", ".join(self.country_label(c) for c in f.countries)
            parts.append(f"{t('countries_filter')}: {names}")
        if f.regions:
            parts.append(f"{t('regions_filter')}: {', '.join(f.regions)}")
        if f.channels:
            names = ", ".join(self.channel_label(c) for c in f.channels)
            parts.append(f"{t('channels_filter')}: {names}")
        return " · ".join(parts)

    def _summary_tables(self) -> list[Table]:
        t = self.t
        tth = self.time_to_hire
        k = self.kpis
        rows_f = self.funnel_rows()
        conv = rows_f[-1][3] if len(rows_f) > 1 else None
        headline: list[list[Any]] = [
            [self.metric_name("applications"), self.status.get("applications", 0)],
            [t("candidates"), self.status.get("candidates", 0)],
            [self.metric_name("in_pipeline"), _int(k.get("in_pipeline"))],
            [self.metric_name("hires"), tth["n"]],
            [f"{self.metric_name('time_to_hire')} · {t('median_days')}", _round(tth["median"])],
            [self.metric_name("offer_acceptance"), _share(k.get("offer_acceptance"))],
            [self.metric_name("international_share"), _share(k.get("international_share"))],
        ]
        if conv is not None and rows_f:
            last = self.stage_label(rows_f[-1][0])
            first = self.stage_label(rows_f[0][0])
            headline.append([f"{self.metric_name('conversion')} · {first} → {last}", _share(conv)])
        headline += [
            [f"{t('status_now')}: {t(k)}", self.status.get(k, 0)]
            for k in ("active", "hired", "rejected", "withdrawn")
        ]
        headline += [
            [t("contacts"), t("masked") if self.masked else t("shown")],
        ]
        tables = [
            Table(
                "summary",
                t("headline"),
                [Column("metric", t("metric"), width=3.0), Column("value", t("value"), "auto")],
                headline,
            ),
            Table(
                "funnel",
                t("funnel"),
                [
                    Column("stage", t("stage"), width=1.6),
                    Column("applications", t("applications"), "int"),
                    Column("conversion", t("conversion"), "pct"),
                    Column("of_first", t("of_first"), "pct"),
                ],
                [[self.stage_label(s), n, c, f] for s, n, c, f in rows_f],
            ),
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
            ),
            self._mix_table("channels", "channel", self.channels, self.channel_label),
            self._mix_table(
                "top_countries", "country", self.countries, self.country_label, TOP_COUNTRIES
            ),
        ]
        tables += self._audit_tables()
        tables.append(self._shortlist_table(summary=True))
        tables.append(self._models_table())
        tables.append(
            Table(
                "definitions",
                t("definitions"),
                [
                    Column("metric", t("metric"), width=1.0),
                    Column("definition", t("definitions"), width=4.0),
                ],
                [[name, text] for name, text in self.footnotes()],
            )
        )
        tables.extend(self.extra)
        return tables

    def _mix_table(
        self,
        key: str,
        col: str,
        data: list[tuple[str | None, int]],
        name: Any,
        top: int | None = None,
        part: Part = "summary",
    ) -> Table:
        t = self.t
        total = sum(n for _, n in data) or 1
        rows = [[name(k), n, n / total] for k, n in data]
        if top is not None and len(rows) > top:
            rest = sum(r[1] for r in rows[top:])
            rows = rows[:top] + [[t("other"), rest, rest / total]]
        return Table(
            key,
            t(key),
            [
                Column(col, t(col), width=2.0),
                Column("applications", t("applications"), "int"),
                Column("share", t("share"), "pct"),
            ],
            rows,
            part=part,
        )

    def _appendix_tables(self) -> list[Table]:
        t = self.t
        out = [
            self._shortlist_table(summary=False),
            self._mix_table(
                "countries", "country", self.countries, self.country_label, part="appendix"
            ),
        ]
        tis_rows = []
        from data.queries.filters import weighted_quantile

        for stage in STAGES:
            hist = self.time_in_stage.get(stage)
            if not hist:
                continue
            vals = [float(v) for v, _ in hist]
            cnts = [c for _, c in hist]
            tis_rows.append(
                [
                    self.stage_label(stage),
                    sum(cnts),
                    _round(weighted_quantile(vals, cnts, 0.5)),
                    _round(weighted_quantile(vals, cnts, 0.9)),
                ]
            )
        out.append(
            Table(
                "time_in_stage",
                t("time_in_stage"),
                [
                    Column("stage", t("stage"), width=1.6),
                    Column("n", t("n"), "int"),
                    Column("median", t("median"), "float"),
                    Column("p90", t("p90"), "float"),
                ],
                tis_rows,
                part="appendix",
            )
        )
        if self.audit is not None:
            out.append(self._groups_table(("intersectional",), "audit_intersectional", "appendix"))
        out.append(self._models_table(full=True))
        return out

    def _shortlist_table(self, *, summary: bool) -> Table:
        """The full shortlists (appendix: one row per candidate, the chosen columns, contacts
        when asked) or their summary (one row per role: the top candidate, the skills that
        matched, and the runners-up), which fits a page for a board."""
        t = self.t
        multi_run = len({r.get("run_id") for r in self.shortlists}) > 1

        def role_title(r: dict[str, Any]) -> str:
            title = str(r["title_zh"] if self.lang == "zh" else r["title_en"])
            return f"{title} · {t('run')} {r.get('run_id')}" if multi_run else title

        if not self.runs:
            note = t("no_run")
        else:
            from ml.provenance import describe_scorer

            note = f"{t('runs')}: " + ", ".join(
                f"{r['id']} ({r['created_at']:%Y-%m-%d}; {t('scored_by')}: "
                f"{describe_scorer(r.get('scorer'), self.lang)})"
                for r in self.runs
            )
            if not self.masked and not summary:
                note += f" · {t('contacts_note')}"
        if summary:
            groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
            for r in self.shortlists:
                if r["rank"] <= SUMMARY_TOP:
                    groups.setdefault((r.get("run_id"), r["role_key"]), []).append(r)
            rows: list[list[Any]] = []
            for members in groups.values():
                members.sort(key=lambda r: r["rank"])
                best = members[0]
                exp = best.get("explanation") or {}
                rest = " · ".join(
                    f"#{r['rank']} {r['pseudonym'] or ''} ({r['score']:.3f})" for r in members[1:]
                )
                rows.append(
                    [
                        role_title(best),
                        best["pseudonym"] or "",
                        best["score"],
                        _skills(exp.get("matched_skills"), self.skill_names),
                        rest,
                    ]
                )
            return Table(
                "shortlist_summary",
                t("shortlist_summary").format(n=SUMMARY_TOP),
                [
                    Column("role", t("role"), width=1.6),
                    Column("candidate", t("top_candidate"), width=1.5, nowrap=True),
                    Column("score", t("score"), "score", 0.6),
                    Column("matched", t("matched"), width=2.2),
                    Column("runners_up", t("runners_up"), width=2.2),
                ],
                rows,
                note=note,
            )
        widths = {
            "candidate": 1.4,
            "evidence": 3.5,
            "matched": 3.1,
            "missing": 2.7,
            "resume": 1.6,
            "score": 0.55,
            "name": 1.3,
            "email": 1.9,
            "phone": 1.25,
        }
        kinds: dict[str, ColumnKind] = {"score": "score"}
        cols = [Column("role", t("role"), width=1.6), Column("rank", t("rank"), "int", 0.45)]
        keys = [c for c in SHORTLIST_COLUMNS if c in self.shortlist_columns]
        if not self.masked:
            keys = keys[:1] + ["name", "email", "phone"] + keys[1:]
        cols += [
            Column(k, t(k), kinds.get(k, "text"), widths.get(k, 1.0), k in ("candidate", "phone"))
            for k in keys
        ]
        rows = []
        for r in self.shortlists:
            exp = r.get("explanation") or {}
            values = {
                "candidate": r["pseudonym"] or "",
                "country": self.country_label(r.get("country")),
                "name": r.get("name") or "",
                "email": r.get("email") or "",
                "phone": r.get("phone") or "",
                "resume": r["resume_file"],
                "score": r["score"],
                "matched": _skills(exp.get("matched_skills"), self.skill_names),
                "missing": _skills(
                    (exp.get("missing_skills") or exp.get("missing_required") or [])
                    + list(exp.get("missing_nice") or []),
                    self.skill_names,
                ),
                "evidence": _evidence(exp),
            }
            rows.append([role_title(r), r["rank"], *(values[k] for k in keys)])
        return Table(
            "shortlists",
            t("shortlists"),
            cols,
            rows,
            note=note,
            part="appendix",
            wide=sum(c.width for c in cols) > 9,
            group_col="role",
        )

    def _models_table(self, *, full: bool = False) -> Table:
        t = self.t
        rows = []
        for m in self.models:
            metrics = m["metrics"]
            if full:
                items = [(k, v) for k, v in sorted(metrics.items())]
            else:
                items = [(k, metrics[k]) for k in MODEL_METRICS if k in metrics]
                seen: set[str] = set()
                items = [
                    (k, v)
                    for k, v in items
                    if not (
                        _metric_label(k, self.lang) in seen or seen.add(_metric_label(k, self.lang))
                    )
                ][:4]
            kind = m["kind"].replace("_", " ")
            for k, v in items or [("", "")]:
                rows.append(
                    [kind, m["version"], m["promoted"], _metric_label(k, self.lang) if k else "", v]
                )
        return Table(
            "models_metrics" if full else "models",
            t("models_metrics") if full else t("models"),
            [
                Column("kind", t("kind"), width=1.4),
                Column("version", t("version"), "int", 0.6),
                Column("promoted", t("promoted")),
                Column("metric", t("metric"), width=1.8),
                Column("value", t("value"), "auto"),
            ],
            rows,
            note=None if self.models else t("no_model"),
            part="appendix" if full else "summary",
        )

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
        meta = self.audit_meta
        rows: list[list[Any]] = [
            [t("audit_kind"), t(f"kind_{a.kind}")],
            [t("audited"), self.stage_label(a.audited) if a.audited in STAGES else a.audited],
            [t("passed"), t("yes") if a.passed else t("no")],
        ]
        if "reached" in meta:
            rows.append([t("reached"), meta["reached"]])
        rows.append([t("decided") if a.kind == "selection" else t("score"), a.n])
        if a.median is not None:
            rows.append([t("median_score"), round(a.median, 4)])
        reasons, warnings = a.reason_texts(self.lang), a.warning_texts(self.lang)
        rows += [[t("reasons"), r] for r in reasons]
        rows += [[t("warnings"), w] for w in warnings]
        return [
            Table(
                "audit",
                t("audit"),
                [
                    Column("metric", t("metric"), width=1.2),
                    Column("value", t("value"), "auto", 3.5),
                ],
                rows,
                note=t("audit_scope"),
            ),
            self._groups_table(("sex", "ethnicity"), "audit_groups", "summary"),
        ]

    def _groups_table(self, dims: tuple[str, ...], key: str, part: Part) -> Table:
        t = self.t
        assert self.audit is not None
        from analytics.fairness import excluded_text, group_name

        groups = [
            [
                t(f"dim_{r.dimension}"),
                group_name(r.dimension, r.group, self.lang),
                r.n,
                r.selected,
                r.rate,
                r.impact_ratio,
                r.p_value,
                t("yes") if r.flagged else "",
                excluded_text(r, self.lang, self.audit.min_share) if r.excluded else "",
            ]
            for r in self.audit.rows
            if r.dimension in dims
        ]
        return Table(
            key,
            t("audit_groups") if key == "audit_groups" else t(key),
            [
                Column("dimension", t("dimension"), width=0.9),
                Column("group", t("group"), width=1.6),
                Column("n", "n", "int", 0.6),
                Column("selected", t("selected"), "int", 0.9),
                Column("rate", t("rate"), "pct", 0.7),
                Column("impact_ratio", t("impact_ratio"), "score", 0.7),
                Column("p_value", t("p_value"), "pvalue", 0.9),
                Column("flagged", t("flagged"), width=0.6),
                Column("excluded", t("excluded"), width=1.6),
            ],
            groups,
            part=part,
        )

    def footnotes(self) -> list[tuple[str, str]]:
        """The definitions of the metrics the report shows (name, definition)."""
        keys = [*HEADLINE_METRICS]
        if "time_in_stage" in self.appendix:
            keys.append("time_in_stage")
        return mq.definitions(keys, self.lang)


def _metric_label(key: str, lang: str) -> str:
    if key in MODEL_METRICS:
        return labels.tr(lang, f"report.metric.{key}")
    return key.replace("_", " ").replace(".", " · ")


def _share(x: float | None) -> Share | None:
    return None if x is None else Share(x)


def _int(x: float | None) -> int | None:
    return None if x is None else int(x)


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


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(float(x), digits)


def _skills(values: Any, names: dict[str, str] | None = None) -> str:
    """Skill names from an explanation list (plain keys, or ``{key, name, …}`` dicts), in the
    report's language when ``names`` (key → name) knows the key."""
    if not values:
        return ""
    if isinstance(values, str):
        return values
    names = names or {}

    def one(v: Any) -> str:
        if isinstance(v, dict):
            key = v.get("key")
            return str(names.get(str(key)) or v.get("name") or key)
        return names.get(str(v), str(v))

    return ", ".join(one(v) for v in values)


def _evidence(exp: dict[str, Any]) -> str:
    """Evidence of an explanation: each matched skill's snippet, else the stored evidence
    list, else the strongest passages."""
    parts = [
        f"{m.get('name') or m.get('key')}: {m['evidence']}"
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


def report_audit(
    session: Session, filters: Filters, *, stage: str = "screening"
) -> tuple[AuditResult, dict[str, Any]]:
    """The bias audit of ``stage`` for exactly the report's period and filters (computed, not
    stored), with the funnel's count of the applications that reached the stage."""
    aq.check_stage(stage)
    counts = aq.selection_counts(session, stage, filters)
    from analytics.fairness import _describe

    result = audit_counts(
        counts,
        kind="selection",
        audited=stage,
        source=f"applications and stage_events at '{stage}'{_describe(filters)}, "
        "candidate_demographics (self-reported)",
    )
    return result, {"reached": mq.reached_stage(session, filters, stage), "stage": stage}


def build_report(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    role_keys: tuple[str, ...] | list[str] | None = None,
    filters: Filters | None = None,
    include_contacts: bool = False,
    mask_contacts: bool | None = None,
    lang: Lang = "en",
    top: int = 10,
    run_ids: tuple[int, ...] | list[int] | None = None,
    appendix: tuple[str, ...] | list[str] = DEFAULT_APPENDIX,
    shortlist_columns: tuple[str, ...] | list[str] = DEFAULT_SHORTLIST_COLUMNS,
    audit_stage: str = "screening",
    now: dt.datetime | None = None,
    sections: Sequence[Callable[[Session, Lang], list[Table]]] = (),
) -> HiringReport:
    """Collect a hiring report for the period ``start`` to ``end`` (inclusive) and the other
    filters (``filters``' countries, regions and channels; ``role_keys``).

    ``run_ids``: the match runs whose shortlists to show (``None``: the latest run; ``()``:
    none). Contacts are read only with ``include_contacts`` (``mask_contacts=False`` is the
    older spelling of the same). ``appendix`` picks sections of :data:`APPENDIX_SECTIONS`.

    ``sections`` build further tables appended at the end (e.g.
    ``analytics.compensation.report_tables``).
    """
    if end < start:
        raise InputError(
            f"the period ends ({end}) before it starts ({start}): swap --from and --to", field="to"
        )
    if lang not in labels.LANGS:
        raise InputError(f"unknown language {lang!r}; use en or zh", field="lang")
    bad = [a for a in appendix if a not in APPENDIX_SECTIONS]
    if bad:
        raise InputError(
            f"unknown appendix section {bad[0]!r}; use one of {', '.join(APPENDIX_SECTIONS)}",
            field="appendix",
        )
    bad = [c for c in shortlist_columns if c not in SHORTLIST_COLUMNS]
    if bad:
        raise InputError(
            f"unknown shortlist column {bad[0]!r}; use one of {', '.join(SHORTLIST_COLUMNS)}",
            field="columns",
        )
    if mask_contacts is not None:
        include_contacts = not mask_contacts
    roles = tuple(role_keys or (filters.roles if filters else ()))
    base = filters or Filters()
    f = Filters(
        start=start,
        end=end,
        roles=roles,
        countries=base.countries,
        channels=base.channels,
        regions=base.regions,
    )
    if run_ids is None:
        latest = rq.latest_run_id(session)
        ids: tuple[int, ...] = (latest,) if latest is not None else ()
    else:
        ids = tuple(int(i) for i in run_ids)
    known_runs = {r["id"]: r for r in rq.match_runs(session, limit=10_000)}
    missing = [i for i in ids if i not in known_runs]
    if missing:
        raise InputError(
            f"no match run {missing[0]}: pick one of the runs `talentmap match` stored",
            field="run",
        )
    tth = mq.time_to_hire(session, f)
    audit, audit_meta = report_audit(session, f, stage=audit_stage)
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
    runs = [known_runs[i] for i in ids]
    return HiringReport(
        lang=lang,
        start=start,
        end=end,
        role_keys=roles,
        masked=not include_contacts,
        generated_at=(now or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
        status=mq.status_counts(session, f),
        funnel=[(s.stage, s.reached) for s in mq.funnel(session, f)],
        hires=tth.hires,
        hire_days_q=[tth.p25, tth.median, tth.p75],
        channels=mq.mix(session, "channel", f),
        countries=mq.mix(session, "country", f),
        run=rq.run_info(session, ids[0]) if ids else {},
        shortlists=rq.shortlists(
            session, ids, role_keys=roles, top=top, with_contacts=include_contacts
        )
        if ids
        else [],
        models=models,
        audit=audit,
        audit_meta=audit_meta,
        filters=f,
        kpis=mq.kpi_values(session, f),
        runs=runs,
        appendix=tuple(appendix),
        shortlist_columns=tuple(shortlist_columns),
        time_in_stage=mq.time_in_stage(session, f) if "time_in_stage" in appendix else {},
        skill_names=rq.skill_names(session, lang),
        extra=[table for build in sections for table in build(session, lang)],
    )


__all__ = [
    "APPENDIX_SECTIONS",
    "SHORTLIST_COLUMNS",
    "Column",
    "HiringReport",
    "Table",
    "build_report",
    "report_audit",
]
