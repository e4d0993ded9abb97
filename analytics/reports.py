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

from analytics.fairness import AuditResult
from analytics.filters import Filters
from data.errors import InputError
from data.queries import reports as rq

Lang = Literal["en", "zh"]
ColumnKind = Literal["text", "int", "float", "pct", "score", "auto"]

STAGE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "needs_analysis": "Needs analysis",
        "sourcing": "Sourcing",
        "screening": "Screening",
        "interview": "Interview",
        "onboarding": "Onboarding",
        "development": "Development",
        "review_promotion": "Review & promotion",
        "compensation": "Compensation",
        "retention": "Retention",
    },
    "zh": {
        "needs_analysis": "需求分析",
        "sourcing": "人才寻源",
        "screening": "简历筛选",
        "interview": "面试",
        "onboarding": "入职",
        "development": "培养发展",
        "review_promotion": "考核晋升",
        "compensation": "薪酬激励",
        "retention": "人才保留",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Hiring report",
        "period": "Period",
        "generated": "Generated",
        "roles_filter": "Roles",
        "all_roles": "all roles",
        "contacts": "Contact details",
        "masked": "masked",
        "shown": "shown",
        "summary": "Pipeline summary",
        "funnel": "Funnel",
        "time_to_hire": "Time to hire",
        "channels": "Source channels",
        "countries": "Countries",
        "shortlists": "Shortlists",
        "models": "Active models",
        "audit": "Bias audit",
        "audit_groups": "Bias audit by group",
        "metric": "Metric",
        "value": "Value",
        "stage": "Stage",
        "applications": "Applications",
        "candidates": "Candidates",
        "hired": "Hired",
        "rejected": "Rejected",
        "active": "Active",
        "withdrawn": "Withdrawn",
        "conversion": "Conversion from previous stage",
        "of_first": "Share of first stage",
        "hires": "Hires",
        "median_days": "Median (days)",
        "p25_days": "25th percentile (days)",
        "p75_days": "75th percentile (days)",
        "channel": "Channel",
        "country": "Country",
        "share": "Share",
        "role": "Role",
        "rank": "Rank",
        "candidate": "Candidate",
        "name": "Name",
        "email": "E-mail",
        "phone": "Phone",
        "resume": "Resume file",
        "score": "Score",
        "matched": "Matched skills",
        "missing": "Missing skills",
        "evidence": "Evidence",
        "kind": "Model",
        "version": "Version",
        "status": "Status",
        "promoted": "Promoted",
        "audit_date": "Audit date",
        "source": "Data source",
        "audited": "Audited",
        "audit_kind": "Audit type",
        "passed": "Passed",
        "reasons": "Reasons",
        "warnings": "Warnings",
        "median_score": "Median score",
        "dimension": "Dimension",
        "group": "Group",
        "selected": "Selected / above median",
        "rate": "Rate",
        "impact_ratio": "Impact ratio",
        "p_value": "Fisher p-value",
        "flagged": "Under 0.8",
        "excluded": "Not in ratios because",
        "no_run": "No match run yet.",
        "no_audit": "No bias audit yet: run `talentmap audit`.",
        "no_model": "No active model: matching uses the zero-shot encoder.",
        "yes": "yes",
        "no": "no",
        "unknown": "unknown",
        "run": "Match run",
        "scored_by": "scored by",
        "none": "none",
        "funnel_chart": "Applications reaching each stage",
        "channels_chart": "Applications by channel",
        "countries_chart": "Applications by country",
        "audit_chart": "Impact ratio by group",
        "threshold": "four-fifths line",
        "dim_sex": "Sex",
        "dim_ethnicity": "Ethnicity",
        "dim_intersectional": "Sex × ethnicity",
        "kind_selection": "selection rate",
        "kind_scoring": "scoring rate",
    },
    "zh": {
        "title": "招聘报告",
        "period": "统计期间",
        "generated": "生成时间",
        "roles_filter": "岗位",
        "all_roles": "全部岗位",
        "contacts": "联系方式",
        "masked": "已脱敏",
        "shown": "已显示",
        "summary": "招聘概况",
        "funnel": "招聘漏斗",
        "time_to_hire": "招聘周期",
        "channels": "来源渠道",
        "countries": "国家/地区",
        "shortlists": "候选人短名单",
        "models": "在用模型",
        "audit": "偏差审计",
        "audit_groups": "分组偏差审计",
        "metric": "指标",
        "value": "数值",
        "stage": "阶段",
        "applications": "申请数",
        "candidates": "候选人数",
        "hired": "已录用",
        "rejected": "已拒绝",
        "active": "进行中",
        "withdrawn": "已撤回",
        "conversion": "较上一阶段转化率",
        "of_first": "占首阶段比例",
        "hires": "录用人数",
        "median_days": "中位数（天）",
        "p25_days": "第25百分位（天）",
        "p75_days": "第75百分位（天）",
        "channel": "渠道",
        "country": "国家/地区",
        "share": "占比",
        "role": "岗位",
        "rank": "排名",
        "candidate": "候选人",
        "name": "姓名",
        "email": "电子邮箱",
        "phone": "电话",
        "resume": "简历文件",
        "score": "匹配分",
        "matched": "已匹配技能",
        "missing": "欠缺技能",
        "evidence": "依据",
        "kind": "模型",
        "version": "版本",
        "status": "状态",
        "promoted": "上线时间",
        "audit_date": "审计日期",
        "source": "数据来源",
        "audited": "审计对象",
        "audit_kind": "审计类型",
        "passed": "是否通过",
        "reasons": "原因",
        "warnings": "提示",
        "median_score": "分数中位数",
        "dimension": "维度",
        "group": "群体",
        "selected": "通过/高于中位数人数",
        "rate": "比率",
        "impact_ratio": "影响比",
        "p_value": "Fisher 检验 p 值",
        "flagged": "低于0.8",
        "excluded": "未计入比值的原因",
        "no_run": "尚无匹配记录。",
        "no_audit": "尚无偏差审计：请运行 `talentmap audit`。",
        "no_model": "尚无在用模型：匹配使用零样本编码器。",
        "yes": "是",
        "no": "否",
        "unknown": "未知",
        "run": "匹配批次",
        "scored_by": "评分来源",
        "none": "无",
        "funnel_chart": "各阶段申请数",
        "channels_chart": "各渠道申请数",
        "countries_chart": "各国家/地区申请数",
        "audit_chart": "各群体影响比",
        "threshold": "五分之四线",
        "dim_sex": "性别",
        "dim_ethnicity": "族裔",
        "dim_intersectional": "性别 × 族裔",
        "kind_selection": "通过率",
        "kind_scoring": "得分率",
    },
}


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
        """The label of ``key`` in the report's language."""
        return LABELS[self.lang][key]

    def stage_label(self, stage: str) -> str:
        return STAGE_LABELS[self.lang].get(stage, stage)

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
        for key, col, data in (
            ("channels", "channel", self.channels),
            ("countries", "country", self.countries),
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
                    [[k or t("unknown"), n, n / total] for k, n in data],
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
                    [m["kind"], m["version"], m["status"], m["promoted"], k, v]
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
                _skills(exp.get("matched_skills")),
                _skills(
                    (exp.get("missing_skills") or exp.get("missing_required") or [])
                    + list(exp.get("missing_nice") or [])
                ),
                _evidence(exp),
            ]
            rows.append(row)
        note = None
        if not self.run:
            note = t("no_run")
        else:
            from ml.provenance import describe_scorer

            note = (
                f"{t('run')} {self.run['id']} ({self.run['encoder']}); "
                f"{t('scored_by')}: {describe_scorer(self.run.get('scorer'), self.lang)}"
            )
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
            [t("audited"), a.audited],
            [t("source"), a.source],
            [t("passed"), t("yes") if a.passed else t("no")],
            [t("applications") if a.kind == "selection" else t("score"), a.n],
        ]
        if a.median is not None:
            rows.append([t("median_score"), round(a.median, 4)])
        reasons, warnings = (a.reasons, a.warnings) if self.lang == "en" else _zh_findings(a)
        rows += [[t("reasons"), r] for r in reasons]
        rows += [[t("warnings"), w] for w in warnings]
        groups = [
            [
                t(f"dim_{r.dimension}"),
                r.group,
                r.n,
                r.selected,
                r.rate,
                r.impact_ratio,
                r.p_value,
                t("yes") if r.flagged else "",
                r.excluded or "",
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
                    Column("n", "n", "int"),
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


def _zh_findings(a: AuditResult) -> tuple[list[str], list[str]]:
    """The audit's reasons and warnings in Chinese, rebuilt from its numbers (the stored text
    is English)."""
    from analytics.fairness import IMPACT_THRESHOLD, MIN_KNOWN_SHARE, MIN_SHARE

    names = {"sex": "性别", "ethnicity": "族裔", "intersectional": "性别×族裔"}
    what = "通过率" if a.kind == "selection" else "得分率"
    reasons: list[str] = []
    if a.n == 0:
        reasons.append("样本为空，无法审计")
    for key, known in (("sex", a.known_sex), ("ethnicity", a.known_ethnicity)):
        if not any(r.dimension == key for r in a.rows) or not a.n:
            continue
        if known / a.n < MIN_KNOWN_SHARE:
            reasons.append(
                f"仅 {known / a.n:.0%} 的样本已知{names[key]}（{known}/{a.n}），审计至少"
                f"需要 {MIN_KNOWN_SHARE:.0%}：请先收集自愿填报的人口统计信息"
            )
        if sum(1 for r in a.rows if r.dimension == key and r.impact_ratio is not None) < 2:
            reasons.append(
                f"可比较的{names[key]}群体少于两个（须为已知且占样本至少 {MIN_SHARE:.0%}）"
            )
    from analytics.fairness import SIGNIFICANCE, SMALL_GROUP_N, fails

    ref = {r.dimension: r.rate for r in a.rows if r.reference}
    warnings: list[str] = []
    for r in a.rows:
        if r.flagged:
            msg = (
                f"{names[r.dimension]}群体“{r.group}”的影响比为 {r.impact_ratio:.2f}（低于 "
                f"{IMPACT_THRESHOLD}）：其{what}为 {r.rate:.1%}，参照群体为 "
                f"{ref.get(r.dimension, float('nan')):.1%}"
            )
            if r.p_value is not None:
                msg += f"，Fisher 检验 p = {r.p_value:.3g}"
            msg += f"，n = {r.n}"
            if fails(r):
                reasons.append(msg)
            else:
                why = (
                    f"不足 {SMALL_GROUP_N} 人"
                    if r.n < SMALL_GROUP_N
                    else f"差异不显著（p ≥ {SIGNIFICANCE}）"
                )
                warnings.append(f"{msg}：需关注的差距，但{why}，不判为不通过")
        if r.small_sample and r.excluded is None:
            warnings.append(
                f"小样本：{names[r.dimension]}群体“{r.group}”仅 {r.n} 人，影响比和 p 值不稳定"
            )
    return reasons, warnings


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


def _skills(values: Any) -> str:
    """Skill names from an explanation list (plain keys, or ``{key, name, …}`` dicts)."""
    if not values:
        return ""
    if isinstance(values, str):
        return values
    return ", ".join(
        str(v.get("name") or v.get("key")) if isinstance(v, dict) else str(v) for v in values
    )


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
    if lang not in LABELS:
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
