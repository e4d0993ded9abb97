"""Bias audits of hiring stages and match scores (NYC Local Law 144, EEOC four-fifths rule).

Two audits, one result shape:

- **selection**: for a pass/fail stage, each group's *selection rate* (share passed) and its
  *impact ratio* to the most selected group;
- **scoring**: for a score (a match score, a model's output), each group's *scoring rate* —
  the share of the group scoring strictly above the median of the WHOLE sample, as the DCWP
  rules define it — and its impact ratio to the group with the highest scoring rate.

Groups are taken by sex, by ethnicity and intersectionally (sex × ethnicity). The unknown
category (missing, "unknown", "prefer not to say", …) is counted and shown but never enters a
ratio. A group under ``min_share`` (2 %) of the known sample is shown and excluded from ratios
with that reason. Ratios under 0.8 are flagged. Each group gets Fisher's exact test (two-sided)
against the most selected group and a small-sample warning when its count is under 30 or a
cell of that 2×2 table expects fewer than 5.

**Pass rule** (used by the model promotion gate, ``audit_model``): an audit passes when

1. the sample is not empty;
2. sex and ethnicity are each known for at least ``min_known_share`` (50 %) of the sample
   (without that we cannot tell whether the model is fair, so we refuse to say it is);
3. each of sex and ethnicity has at least two known groups that enter the ratios (one group
   cannot be compared with anything);
4. no group that enters the ratios — by sex, by ethnicity or intersectionally — has an impact
   ratio under 0.8.

``passed`` is False and ``reasons`` says which rule failed, in words a board can read.

**Findings are data.** What an audit stores (``AuditResult.to_dict``, the ``BiasAudit.result``
column) is codes and numbers: ``findings`` (``{"code": "low_known", "dimension": "sex",
"known": 46, "n": 100, "min_share": 0.5}``), group values as stored (``Female``, ``unknown``),
``excluded`` as a code (``unknown``, ``small_share``), what was audited and from which data as
``subject`` and ``origin`` dicts. The words are rendered per language when shown
(``reason_texts(lang)``, ``group_name``, ``describe_subject``, …) from the label catalog
(``audit.reason.*`` in ``data/reference/locale``), so the dashboard, the reports and the CLI say
the same thing in English or Chinese. ``reasons``/``warnings``/``flags`` are the English
renderings, kept for logs and the promotion gate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from scipy.stats import fisher_exact
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.filters import Filters
from data.errors import InputError, NotFoundError
from data.queries import audit as q
from data.reference import labels
from data.store.audit import record
from data.store.models import BiasAudit, MatchRun, ModelVersion

UNKNOWN = "unknown"
"""The label every missing or declined demographic answer is shown under."""

_UNKNOWN_VALUES = {
    "",
    "unknown",
    "na",
    "n/a",
    "none",
    "null",
    "prefer_not_to_say",
    "prefer not to say",
    "declined",
    "decline",
    "not_disclosed",
    "undisclosed",
}

IMPACT_THRESHOLD = 0.8
MIN_SHARE = 0.02
MIN_KNOWN_SHARE = 0.5
SMALL_GROUP_N = 30
SMALL_EXPECTED = 5.0

Dimension = Literal["sex", "ethnicity", "intersectional"]
AuditKind = Literal["selection", "scoring"]


@dataclass
class GroupRow:
    """One group's line in an audit table."""

    dimension: str  # sex | ethnicity | intersectional
    group: str  # the values joined with " × " as stored ("Female × Asian")
    n: int
    selected: int  # passed the stage, or scored above the median
    rate: float  # selection rate or scoring rate
    share: float  # of the sample (known and unknown)
    impact_ratio: float | None = None  # None: not in the ratios (see excluded)
    excluded: str | None = None  # why not in the ratios: "unknown" | "small_share" (a code)
    flagged: bool = False  # impact ratio under 0.8
    p_value: float | None = None  # Fisher's exact test against the most selected group
    small_sample: bool = False
    reference: bool = False  # the most selected group of its dimension


@dataclass
class AuditResult:
    """A whole audit: what was audited, when, from which data, per-group rows and the verdict.

    JSON-serialisable with ``to_dict``; ``from_dict`` reads a stored ``BiasAudit.result`` back.
    """

    kind: str  # selection | scoring
    audited: str  # the stage key, or what the scores are ("match run 3", "pair_scorer v2")
    source: str  # the data source, described
    audit_date: str  # ISO date-time (UTC) of the audit
    n: int
    known_sex: int
    known_ethnicity: int
    median: float | None = None  # scoring audits: the whole sample's median score
    rows: list[GroupRow] = field(default_factory=list)
    passed: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)  # codes and numbers
    subject: dict[str, Any] = field(default_factory=dict)  # {"stage": …} | {"run": …, "model": …}
    origin: dict[str, Any] = field(default_factory=dict)  # the data source, as a code
    min_share: float = MIN_SHARE

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditResult:
        """A stored result; one stored before findings were data (English ``reasons``) gets
        its findings rebuilt from its numbers."""
        rows = [GroupRow(**r) for r in data.get("rows", [])]
        for r in rows:
            r.excluded = _excluded_code(r.excluded)
        names = {f.name for f in dataclasses.fields(cls)}
        result = cls(**{k: v for k, v in data.items() if k in names and k != "rows"}, rows=rows)
        if "subject" not in data:
            result.subject = _legacy_subject(result.audited)
        if "findings" not in data:
            dims = [d for d in ("sex", "ethnicity") if any(r.dimension == d for r in rows)]
            result.findings = _findings(result, dims, MIN_KNOWN_SHARE)
        return result

    # English renderings (logs, the promotion gate); shown text uses the *_texts(lang) methods
    @property
    def reasons(self) -> list[str]:
        return self.reason_texts("en")

    @property
    def warnings(self) -> list[str]:
        return self.warning_texts("en")

    @property
    def flags(self) -> list[str]:
        return [finding_text(f, "en") for f in self.findings if f["code"] == "impact"]

    def reason_texts(self, lang: str) -> list[str]:
        """Why the audit failed, in ``lang`` (empty when it passed)."""
        return [finding_text(f, lang) for f in self.findings if f["code"] not in WARNING_CODES]

    def warning_texts(self, lang: str) -> list[str]:
        """Small-sample warnings, in ``lang``."""
        return [finding_text(f, lang) for f in self.findings if f["code"] in WARNING_CODES]

    def table(self, dimension: str | None = None) -> pd.DataFrame:
        """The per-group rows as a DataFrame (one dimension, or all)."""
        frame = pd.DataFrame([dataclasses.asdict(r) for r in self.rows])
        if dimension is not None and not frame.empty:
            frame = frame[frame["dimension"] == dimension].reset_index(drop=True)
        return frame


WARNING_CODES = frozenset({"small_sample"})


def _legacy_subject(audited: str) -> dict[str, Any]:
    """What a result stored before ``subject`` existed audited, read from its label."""
    import re

    from data.reference.stages import STAGES

    if audited in STAGES:
        return {"stage": audited}
    m = re.fullmatch(r"match run (\d+)(?: \((\w+) v(\d+)\))?", audited)
    if m:
        out: dict[str, Any] = {"run": int(m.group(1))}
        if m.group(2):
            out.update(model=m.group(2), version=int(m.group(3)))
        return out
    m = re.fullmatch(r"(\w+) v(\d+)(?:, match run (\d+))?", audited)
    if m:
        out = {"model": m.group(1), "version": int(m.group(2))}
        if m.group(3):
            out["run"] = int(m.group(3))
        return out
    return {}


def _excluded_code(value: str | None) -> str | None:
    """The code of a row's exclusion (results stored before it was a code held English)."""
    if value is None or value in ("unknown", "small_share"):
        return value
    return "unknown" if value.startswith("unknown") else "small_share"


# --- rendering (codes and numbers -> words in a language) --------------------------------


def dimension_name(dimension: str, lang: str) -> str:
    """``sex`` → Sex / 性别."""
    return labels.coded("audit.dim.", dimension, lang)


def _value_name(dimension: str, value: str, lang: str) -> str:
    if value == UNKNOWN:
        return labels.tr(lang, "audit.unknown_group")
    return labels.coded(f"{dimension}.", value, lang)


def group_name(dimension: str, group: str, lang: str) -> str:
    """A group's name: each stored value (``Female × Asian``) named in ``lang``."""
    values = group.split(" × ")
    dims = ["sex", "ethnicity"] if dimension == "intersectional" and len(values) == 2 else None
    return " × ".join(
        _value_name(dims[i] if dims else dimension, v, lang) for i, v in enumerate(values)
    )


def excluded_text(row: GroupRow, lang: str, min_share: float = MIN_SHARE) -> str:
    """Why ``row`` is not in the ratios, in ``lang`` ("" when it is)."""
    code = _excluded_code(row.excluded)
    if code is None:
        return ""
    return labels.tr(lang, f"audit.excluded.{code}", min_share=min_share)


def model_name(kind: str, lang: str) -> str:
    """A model kind's name (``pair_scorer`` → Shortlist scorer / 短名单评分模型)."""
    return labels.coded("model_kind.", kind, lang)


def kind_name(kind: str, lang: str) -> str:
    """``selection`` → selection rate / 通过率."""
    return labels.coded("audit.kind.", kind, lang)


def finding_text(f: dict[str, Any], lang: str) -> str:
    """One stored finding in words."""
    params = dict(f)
    code = params.pop("code")
    if "dimension" in params:
        params["dimension"] = dimension_name(params["dimension"], lang)
        if "group" in params:
            params["group"] = group_name(f["dimension"], params["group"], lang)
    if "kind" in params:
        params["kind"] = kind_name(params["kind"], lang)
    if "model" in params:
        params["model"] = model_name(params["model"], lang)
    text = labels.tr(lang, f"audit.reason.{code}", **params)
    if code == "impact" and f.get("p_value") is not None:
        text += labels.tr(lang, "audit.reason.impact_p", p_value=f["p_value"])
    return text


def named_groups(result: AuditResult, lang: str) -> pd.DataFrame:
    """The per-group table with codes named in ``lang`` (dimension, group, why excluded);
    numbers stay numbers for the front end to format."""
    frame = result.table()
    if frame.empty:
        return frame
    return frame.assign(
        dimension=[dimension_name(r.dimension, lang) for r in result.rows],
        group=[group_name(r.dimension, r.group, lang) for r in result.rows],
        excluded=[excluded_text(r, lang, result.min_share) for r in result.rows],
    )


def describe_subject(result: AuditResult, lang: str) -> str:
    """What was audited, in words ("Screening", "match run 3 (pair_scorer v2)")."""
    s = result.subject
    if "stage" in s:
        return labels.stage_name(s["stage"], lang)
    model = (
        labels.tr(
            lang, "audit.subject.model", model=model_name(s["model"], lang), version=s["version"]
        )
        if "model" in s
        else ""
    )
    if "run" in s:
        text = labels.tr(lang, "audit.subject.run", run=s["run"])
        return f"{text} ({model})" if model else text
    return model or result.audited


def describe_origin(result: AuditResult, lang: str) -> str:
    """The data source, in words."""
    o = dict(result.origin)
    code = o.pop("code", None)
    if code is None:
        return result.source
    if code == "stage_events":
        o["stage"] = labels.stage_name(o["stage"], lang)
        scope = _describe_scope(o.pop("filters", {}), lang)
        return labels.tr(lang, "audit.origin.stage_events", **o) + scope
    if "model" in o:
        o["model"] = model_name(o["model"], lang)
    return labels.tr(lang, f"audit.origin.{code}", **o)


def _describe_scope(filters: dict[str, Any], lang: str) -> str:
    parts = []
    if filters.get("start") or filters.get("end"):
        parts.append(
            labels.tr(
                lang,
                "audit.scope.dates",
                start=filters.get("start") or "…",
                end=filters.get("end") or "…",
            )
        )
    names = {
        "roles": lambda v: v,
        "countries": lambda v: labels.country_name(v, lang),
        "regions": lambda v: labels.region_name(v, lang),
        "channels": lambda v: labels.channel_name(v, lang),
    }
    for name, fmt in names.items():
        values = filters.get(name) or []
        if values:
            sep = "、" if lang == "zh" else ", "
            parts.append(
                labels.tr(lang, f"filters.{name}") + " " + sep.join(fmt(v) for v in values)
            )
    if not parts:
        return ""
    return (" (" if lang != "zh" else "（") + "; ".join(parts) + (")" if lang != "zh" else "）")


# --- pure computations -------------------------------------------------------------------


def normalise_category(value: object) -> str:
    """A demographic answer as a group label; missing or declined answers become ``unknown``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    text = str(value).strip()
    return UNKNOWN if text.lower() in _UNKNOWN_VALUES else text


def _counts_from_frame(df: pd.DataFrame, hit: pd.Series, groups: Sequence[str]) -> pd.DataFrame:
    """Aggregate a per-person frame to one row per demographic cell: columns groups + n, selected."""
    missing = [g for g in groups if g not in df.columns]
    if missing:
        raise InputError(
            f"the audit needs demographic column(s) {missing}; the frame has {list(df.columns)}",
            field=missing[0],
        )
    cells = pd.DataFrame({g: df[g].map(normalise_category) for g in groups})
    cells["n"] = 1
    cells["selected"] = hit.astype(bool).astype(int).to_numpy()
    return cells.groupby(list(groups), as_index=False)[["n", "selected"]].sum()


def audit_selection(
    df: pd.DataFrame,
    outcome_col: str,
    groups: Sequence[str] = ("sex", "ethnicity"),
    *,
    audited: str = "",
    source: str = "data frame",
    min_share: float = MIN_SHARE,
    min_known_share: float = MIN_KNOWN_SHARE,
) -> AuditResult:
    """Selection rates and impact ratios for a pass/fail outcome (one row per person).

    ``outcome_col`` holds booleans or 0/1 (1 = selected / passed).
    """
    if outcome_col not in df.columns:
        raise InputError(
            f"no outcome column {outcome_col!r}; the frame has {list(df.columns)}",
            field=outcome_col,
        )
    outcome = df[outcome_col]
    if outcome.isna().any():
        raise InputError(
            f"{int(outcome.isna().sum())} row(s) have no outcome; drop undecided "
            "applications before auditing",
            field=outcome_col,
        )
    counts = _counts_from_frame(df, outcome.astype(bool), groups)
    return audit_counts(
        counts,
        kind="selection",
        audited=audited or outcome_col,
        source=source,
        min_share=min_share,
        min_known_share=min_known_share,
    )


def audit_scores(
    df: pd.DataFrame,
    score_col: str,
    groups: Sequence[str] = ("sex", "ethnicity"),
    *,
    audited: str = "",
    source: str = "data frame",
    min_share: float = MIN_SHARE,
    min_known_share: float = MIN_KNOWN_SHARE,
) -> AuditResult:
    """Scoring rates (share strictly above the whole sample's median) and their impact ratios."""
    if score_col not in df.columns:
        raise InputError(
            f"no score column {score_col!r}; the frame has {list(df.columns)}", field=score_col
        )
    scores = pd.to_numeric(df[score_col], errors="coerce")
    if scores.isna().any():
        raise InputError(
            f"{int(scores.isna().sum())} row(s) have no numeric score", field=score_col
        )
    median = float(scores.median()) if len(scores) else None
    above = scores > median if median is not None else scores.astype(bool)
    counts = _counts_from_frame(df, above, groups)
    return audit_counts(
        counts,
        kind="scoring",
        audited=audited or score_col,
        source=source,
        median=median,
        min_share=min_share,
        min_known_share=min_known_share,
    )


def audit_counts(
    counts: pd.DataFrame,
    *,
    kind: AuditKind,
    audited: str,
    source: str,
    median: float | None = None,
    min_share: float = MIN_SHARE,
    min_known_share: float = MIN_KNOWN_SHARE,
    audit_date: dt.datetime | None = None,
) -> AuditResult:
    """The audit from pre-aggregated cells (what SQL returns): columns ``sex`` and/or
    ``ethnicity``, ``n`` (people in the cell) and ``selected`` (passed, or scored above median).
    """
    for col in ("n", "selected"):
        if col not in counts.columns:
            raise InputError(f"aggregated counts need a {col!r} column", field=col)
    dims = [d for d in ("sex", "ethnicity") if d in counts.columns]
    if not dims:
        raise InputError("the audit needs a 'sex' or 'ethnicity' column", field="sex")
    cells = counts.copy()
    for d in dims:
        cells[d] = cells[d].map(normalise_category)
    n_total = int(cells["n"].sum())
    when = (audit_date or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    result = AuditResult(
        kind=kind,
        audited=audited,
        source=source,
        audit_date=when.isoformat(),
        n=n_total,
        known_sex=int(cells.loc[cells["sex"] != UNKNOWN, "n"].sum()) if "sex" in dims else 0,
        known_ethnicity=int(cells.loc[cells["ethnicity"] != UNKNOWN, "n"].sum())
        if "ethnicity" in dims
        else 0,
        median=median,
        min_share=min_share,
    )
    plans: list[tuple[str, list[str]]] = [(d, [d]) for d in dims]
    if len(dims) == 2:
        plans.append(("intersectional", dims))
    for dimension, cols in plans:
        result.rows.extend(_dimension_rows(cells, dimension, cols, n_total, min_share))
    _judge(result, dims, min_known_share)
    return result


def _dimension_rows(
    cells: pd.DataFrame, dimension: str, cols: list[str], n_total: int, min_share: float
) -> list[GroupRow]:
    grouped = cells.groupby(cols, as_index=False)[["n", "selected"]].sum()
    rows: list[GroupRow] = []
    for rec in grouped.itertuples(index=False):
        values = [getattr(rec, c) for c in cols]
        label = " × ".join(values)
        n, k = int(rec.n), int(rec.selected)
        row = GroupRow(
            dimension=dimension,
            group=label,
            n=n,
            selected=k,
            rate=k / n if n else 0.0,
            share=n / n_total if n_total else 0.0,
        )
        if UNKNOWN in values:
            row.excluded = "unknown"
        elif row.share < min_share:
            row.excluded = "small_share"
        rows.append(row)
    eligible = [r for r in rows if r.excluded is None and r.n > 0]
    if not eligible:
        return rows
    best = max(eligible, key=lambda r: (r.rate, r.n))
    best.reference = True
    for r in rows:
        if r.n == 0:
            continue
        table = [[r.selected, r.n - r.selected], [best.selected, best.n - best.selected]]
        if r is not best:
            r.p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
        r.small_sample = r.n < SMALL_GROUP_N or _min_expected(table) < SMALL_EXPECTED
        if r.excluded is None:
            r.impact_ratio = r.rate / best.rate if best.rate > 0 else 1.0
            r.flagged = r.impact_ratio < IMPACT_THRESHOLD
    return rows


def _min_expected(table: list[list[int]]) -> float:
    total = sum(map(sum, table))
    if total == 0:
        return 0.0
    rows = [sum(r) for r in table]
    cols = [table[0][j] + table[1][j] for j in range(2)]
    return min(rows[i] * cols[j] / total for i in range(2) for j in range(2))


def _judge(result: AuditResult, dims: Iterable[str], min_known_share: float) -> None:
    result.findings = _findings(result, dims, min_known_share)
    result.passed = not result.reasons


def _findings(
    result: AuditResult, dims: Iterable[str], min_known_share: float
) -> list[dict[str, Any]]:
    """The audit's findings as codes and numbers (see the module's pass rule)."""
    out: list[dict[str, Any]] = []
    if result.n == 0:
        out.append({"code": "empty"})
    for dim in dims:
        known = result.known_sex if dim == "sex" else result.known_ethnicity
        share = known / result.n if result.n else 0.0
        if result.n and share < min_known_share:
            out.append(
                {
                    "code": "low_known",
                    "dimension": dim,
                    "known": known,
                    "n": result.n,
                    "share": share,
                    "min_share": min_known_share,
                }
            )
        eligible = [r for r in result.rows if r.dimension == dim and r.impact_ratio is not None]
        if result.n and len(eligible) < 2:
            out.append({"code": "few_groups", "dimension": dim, "min_share": result.min_share})
    warnings = []
    for r in result.rows:
        if r.flagged:
            out.append(
                {
                    "code": "impact",
                    "dimension": r.dimension,
                    "group": r.group,
                    "ratio": r.impact_ratio,
                    "threshold": IMPACT_THRESHOLD,
                    "kind": result.kind,
                    "rate": r.rate,
                    "reference_rate": _reference_rate(result, r.dimension),
                    "p_value": r.p_value,
                }
            )
        if r.small_sample and r.excluded is None:
            warnings.append(
                {"code": "small_sample", "dimension": r.dimension, "group": r.group, "n": r.n}
            )
    return out + warnings


def _reference_rate(result: AuditResult, dimension: str) -> float:
    for r in result.rows:
        if r.dimension == dimension and r.reference:
            return r.rate
    return float("nan")


# --- audits of the store -----------------------------------------------------------------


@dataclass
class ModelAuditOutcome:
    """What the promotion gate reads: ``passed``, ``reasons``, the stored audit and its result."""

    passed: bool
    reasons: list[str]
    audit_id: int | None
    result: AuditResult


def run_audit(
    session: Session,
    *,
    stage: str | None = "screening",
    run_id: int | None = None,
    model_version_id: int | None = None,
    filters: Filters | None = None,
    actor: str,
    source: str | None = None,
    min_share: float = MIN_SHARE,
) -> tuple[BiasAudit, AuditResult]:
    """Audit a pass/fail stage (default ``screening``) or the match scores of a run (``run_id``),
    or the latest run of a model version (``model_version_id``); store it as a ``BiasAudit``
    row with one audit-log row, in the caller's transaction.
    """
    filters = filters or Filters()
    mv: ModelVersion | None = None
    if model_version_id is not None:
        mv = session.get(ModelVersion, model_version_id)
        if mv is None:
            raise NotFoundError(
                f"no model version with id {model_version_id}: see `talentmap models list`"
            )
        run_id = _latest_run_of(session, mv)
        if run_id is None:
            raise NotFoundError(
                f"{mv.kind} v{mv.version} has no match run to audit: run "
                "`talentmap match` with it first"
            )
    if run_id is not None:
        run = session.get(MatchRun, run_id)
        if run is None:
            raise NotFoundError(f"no match run {run_id}: run `talentmap match` first")
        counts, median = q.score_counts(session, run_id, filters)
        label = f"match run {run_id}" + (f" ({mv.kind} v{mv.version})" if mv else "")
        result = audit_counts(
            counts,
            kind="scoring",
            audited=label,
            median=median,
            source=source
            or f"match_scores of run {run_id}, candidate_demographics (self-reported)",
            min_share=min_share,
        )
        result.subject = {
            "run": run_id,
            **({"model": mv.kind, "version": mv.version} if mv else {}),
        }
        if source is None:
            result.origin = {"code": "match_scores", "run": run_id}
        if mv is None and run.model_version_id is not None:
            mv = session.get(ModelVersion, run.model_version_id)
    else:
        if not stage:
            raise InputError(
                "say what to audit: a stage (--stage) or a match run (--run)", field="stage"
            )
        q.check_stage(stage)
        counts = q.selection_counts(session, stage, filters)
        result = audit_counts(
            counts,
            kind="selection",
            audited=stage,
            source=source
            or f"applications and stage_events at '{stage}'"
            f"{_describe(filters)}, candidate_demographics (self-reported)",
            min_share=min_share,
        )
        result.subject = {"stage": stage}
        if source is None:
            result.origin = {"code": "stage_events", "stage": stage, "filters": _scope(filters)}
    row = store_audit(session, result, actor=actor, model_version=mv)
    return row, result


def store_audit(
    session: Session, result: AuditResult, *, actor: str, model_version: ModelVersion | None = None
) -> BiasAudit:
    """Save an audit result as a ``BiasAudit`` row plus one audit-log row."""
    row = BiasAudit(
        actor=actor,
        kind=result.kind,
        source=result.source[:200],
        passed=result.passed,
        result=result.to_dict(),
        model_version_id=model_version.id if model_version else None,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "audit.run",
        target_type="bias_audit",
        target=str(row.id),
        model_version=f"{model_version.kind} v{model_version.version}" if model_version else None,
        detail={
            "kind": result.kind,
            "audited": result.audited,
            "passed": result.passed,
            "n": result.n,
            "flags": len(result.flags),
        },
    )
    return row


def audit_model(
    session: Session,
    model_version: ModelVersion | int,
    *,
    scores: pd.DataFrame | None = None,
    scorer: Callable[[pd.DataFrame], Sequence[float]] | None = None,
    score_col: str = "score",
    actor: str = "system",
    store: bool = True,
) -> ModelAuditOutcome:
    """The bias audit the promotion gate calls: audit a model version's scores by group.

    What is audited, first that applies:

    1. ``scores``: the model's outputs on a sample, a ``score`` column plus either
       ``sex``/``ethnicity`` columns or a ``resume_id`` column (demographics are looked up);
    2. ``scorer``: a function the caller gives that scores ``(resume_id, role_id)`` pairs with
       the model (a challenger has no match run of its own); it is called on the pairs of the
       latest match run in the store and must return one score per pair;
    3. the scores of the model's own latest match run.

    The audit FAILS (``passed`` False, with reasons) when there is nothing to audit, when
    demographics are too sparse (see the module's pass rule) or when a group's impact ratio is
    under 0.8.
    """
    mv = (
        model_version
        if isinstance(model_version, ModelVersion)
        else session.get(ModelVersion, model_version)
    )
    if mv is None:
        raise NotFoundError(f"no model version {model_version!r}: see `talentmap models list`")
    label = f"{mv.kind} v{mv.version}"
    if scores is None and scorer is not None:
        sample_run = session.scalar(
            select(MatchRun.id).order_by(MatchRun.created_at.desc(), MatchRun.id.desc()).limit(1)
        )
        if sample_run is not None:
            pairs = q.run_pairs(session, sample_run)
            values = list(scorer(pairs))
            if len(values) != len(pairs):
                raise InputError(
                    f"the scorer returned {len(values)} scores for {len(pairs)} "
                    "pairs: return one score per (resume_id, role_id) row",
                    field="scorer",
                )
            scores = pairs.assign(**{score_col: values})
    if scores is not None:
        frame = scores
        if "resume_id" in frame.columns and not {"sex", "ethnicity"} <= set(frame.columns):
            demo = q.demographics_for_resumes(session, frame["resume_id"].tolist())
            frame = frame.merge(demo, on="resume_id", how="left")
        result = audit_scores(
            frame,
            score_col,
            audited=label,
            source=f"scores passed in for {label} ({len(frame)} rows), "
            "candidate_demographics (self-reported)",
        )
        result.subject = {"model": mv.kind, "version": mv.version}
        result.origin = {
            "code": "scores_in",
            "model": mv.kind,
            "version": mv.version,
            "rows": len(frame),
        }
    else:
        run_id = _latest_run_of(session, mv)
        if run_id is None:
            result = audit_counts(
                pd.DataFrame({"sex": [], "ethnicity": [], "n": [], "selected": []}),
                kind="scoring",
                audited=label,
                source="no match run",
            )
            result.subject = {"model": mv.kind, "version": mv.version}
            result.origin = {"code": "none"}
            result.findings.insert(0, {"code": "no_run", "model": mv.kind, "version": mv.version})
            result.passed = False
        else:
            counts, median = q.score_counts(session, run_id, Filters())
            result = audit_counts(
                counts,
                kind="scoring",
                audited=f"{label}, match run {run_id}",
                median=median,
                source=f"match_scores of run {run_id}, candidate_demographics (self-reported)",
            )
            result.subject = {"model": mv.kind, "version": mv.version, "run": run_id}
            result.origin = {"code": "match_scores", "run": run_id}
    audit_id = store_audit(session, result, actor=actor, model_version=mv).id if store else None
    return ModelAuditOutcome(result.passed, list(result.reasons), audit_id, result)


def latest_audit(session: Session) -> tuple[BiasAudit, AuditResult] | None:
    """The most recent stored audit, or None."""
    row = session.scalar(
        select(BiasAudit).order_by(BiasAudit.at.desc(), BiasAudit.id.desc()).limit(1)
    )
    return None if row is None else (row, AuditResult.from_dict(row.result))


def _latest_run_of(session: Session, mv: ModelVersion) -> int | None:
    return session.scalar(
        select(MatchRun.id)
        .where(MatchRun.model_version_id == mv.id)
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(1)
    )


def _scope(filters: Filters) -> dict[str, Any]:
    """The filters of an audit as plain data (dates as ISO strings, codes as stored)."""
    out: dict[str, Any] = {}
    if filters.start:
        out["start"] = filters.start.isoformat()
    if filters.end:
        out["end"] = filters.end.isoformat()
    for name in ("roles", "countries", "regions", "channels"):
        values = getattr(filters, name)
        if values:
            out[name] = list(values)
    return out


def _describe(filters: Filters) -> str:
    parts = []
    if filters.start or filters.end:
        parts.append(f"applied {filters.start or '…'} to {filters.end or '…'}")
    for name in ("roles", "countries", "regions", "channels"):
        values = getattr(filters, name)
        if values:
            parts.append(f"{name} {', '.join(values)}")
    return f" ({'; '.join(parts)})" if parts else ""
