"""Retention curves: Kaplan–Meier survival of hires (time from start to leaving, censored at
``as_of`` for people still employed) by hire cohort, programme, country and role family, with
confidence bands and median tenure from ``lifelines``; and the 12-month retention difference of
programme participants against everyone else, with its interval.

The programme comparison is observational: people were not assigned to programmes at random
(the company chose whom to enrol), and someone can only enrol while still employed. To avoid
that immortal-time bias the comparison is a landmark analysis: hires still employed
``LANDMARK_DAYS`` after their start are split by whether they had enrolled by then, and both
groups are followed for 12 months from the landmark. Demographic fields are never read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from scipy.stats import norm

By = Literal["cohort", "programme", "country", "family"]
BY: tuple[str, ...] = ("cohort", "programme", "country", "family")
LANDMARK_DAYS = 180
NO_PROGRAMME = "(none)"
MIN_GROUP = 5


def durations(hires: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Tenure in days and whether the hire has left, for ``data.queries.planning.hires`` rows
    that started on or before ``as_of`` (leaving after ``as_of`` is not known yet)."""
    cut = pd.Timestamp(as_of) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    h = hires[hires["hired_at"] <= cut].copy()
    left = h["left_at"].where(h["left_at"] <= cut)
    end = left.fillna(cut)
    h["days"] = (end - h["hired_at"]).dt.total_seconds() / 86400.0
    h["left"] = left.notna()
    h["cohort"] = (
        h["hired_at"].dt.year.astype(str) + "H" + (1 + (h["hired_at"].dt.month > 6)).astype(str)
    )
    return h


def with_programmes(h: pd.DataFrame, enrol: pd.DataFrame) -> pd.DataFrame:
    """One row per hire and programme they enrolled in after starting (hires in none get
    ``NO_PROGRAMME``), so a hire in two programmes counts in both curves."""
    e = enrol[["candidate_id", "programme", "enrolled_at"]]
    m = h.merge(e, on="candidate_id", how="left")
    m = m[m["enrolled_at"].isna() | (m["enrolled_at"] >= m["hired_at"].dt.normalize())]
    got = set(m.loc[m["programme"].notna(), "id"])
    none = h[~h["id"].isin(got)].assign(programme=NO_PROGRAMME)
    return pd.concat([m[m["programme"].notna()], none], ignore_index=True)


@dataclass
class Curve:
    group: str
    n: int
    events: int
    timeline: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    median_days: float | None  # None while fewer than half have left
    retention_365: float


def km(days: np.ndarray, left: np.ndarray, label: str, alpha: float = 0.05) -> Curve:
    f = KaplanMeierFitter(alpha=alpha).fit(days, event_observed=left, label=label)
    sf = f.survival_function_[label]
    ci = f.confidence_interval_
    med = f.median_survival_time_
    return Curve(
        group=label,
        n=len(days),
        events=int(np.sum(left)),
        timeline=sf.index.to_numpy(dtype=float),
        survival=sf.to_numpy(dtype=float),
        lower=ci.iloc[:, 0].to_numpy(dtype=float),
        upper=ci.iloc[:, 1].to_numpy(dtype=float),
        median_days=None if not np.isfinite(med) else float(med),
        retention_365=float(f.predict(365.0)),
    )


def curves(
    hires: pd.DataFrame,
    enrol: pd.DataFrame,
    *,
    by: str,
    as_of: dt.date,
    min_group: int = MIN_GROUP,
) -> list[Curve]:
    """Kaplan–Meier curves of each group of ``by`` with at least ``min_group`` hires."""
    if by not in BY:
        from data.errors import InputError

        raise InputError(f"unknown split {by!r}: use one of {', '.join(BY)}", field="by")
    h = durations(hires, as_of)
    if by == "programme":
        h = with_programmes(h, enrol)
    out = []
    for level, g in h.groupby(by):
        if len(g) < min_group:
            continue
        out.append(km(g["days"].to_numpy(), g["left"].to_numpy(), str(level)))
    return sorted(out, key=lambda c: -c.n)


def curve_table(cs: list[Curve]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "group": c.group,
                "hires": c.n,
                "left": c.events,
                "retention_365": round(c.retention_365, 4),
                "median_tenure_days": None if c.median_days is None else round(c.median_days, 1),
            }
            for c in cs
        ]
    )


def greenwood(days: np.ndarray, left: np.ndarray, t: float) -> tuple[float, float]:
    """Kaplan–Meier S(t) and its Greenwood variance (the same estimator lifelines uses)."""
    order = np.argsort(days, kind="stable")
    d, e = days[order], left[order]
    s, var_sum = 1.0, 0.0
    for time in np.unique(d[e.astype(bool)]):
        if time > t:
            break
        at_risk = np.sum(d >= time)
        deaths = np.sum((d == time) & e.astype(bool))
        s *= 1.0 - deaths / at_risk
        if at_risk > deaths:
            var_sum += deaths / (at_risk * (at_risk - deaths))
    return s, s * s * var_sum


@dataclass
class ProgrammeEffect:
    programme: str
    participants: int
    others: int
    retention_participants: float
    retention_others: float
    difference: float
    low: float
    high: float
    note: str


OBSERVATIONAL_NOTE = (
    "Observational, not causal: people were not enrolled at random, so the difference may "
    "reflect who was chosen, not what the programme did. Landmark analysis: only hires still "
    f"employed {LANDMARK_DAYS} days after starting are compared, split by whether they had "
    "enrolled by then, and followed for 12 months from that day."
)


def programme_effect(
    hires: pd.DataFrame,
    enrol: pd.DataFrame,
    *,
    as_of: dt.date,
    programme: str | None = None,
    confidence: float = 0.95,
) -> ProgrammeEffect:
    """12-month retention (from the landmark) of participants minus non-participants, with
    a normal-approximation interval from the two Greenwood variances."""
    h = durations(hires, as_of)
    h = h[h["days"] >= LANDMARK_DAYS]
    h = h[~(h["left"] & (h["days"] <= LANDMARK_DAYS))]
    e = enrol if programme is None else enrol[enrol["programme"] == programme]
    e = e.merge(h[["id", "candidate_id", "hired_at"]], on="candidate_id")
    early = e[
        (e["enrolled_at"] >= e["hired_at"].dt.normalize())
        & (e["enrolled_at"] <= e["hired_at"] + pd.Timedelta(days=LANDMARK_DAYS))
    ]
    part = h["id"].isin(set(early["id"]))
    rest = h["days"].to_numpy() - LANDMARK_DAYS
    left = h["left"].to_numpy()
    s1, v1 = greenwood(rest[part.to_numpy()], left[part.to_numpy()], 365.0)
    s0, v0 = greenwood(rest[~part.to_numpy()], left[~part.to_numpy()], 365.0)
    z = float(norm.ppf(0.5 + confidence / 2))
    diff = s1 - s0
    se = float(np.sqrt(v1 + v0))
    return ProgrammeEffect(
        programme=programme or "any",
        participants=int(part.sum()),
        others=int((~part).sum()),
        retention_participants=s1,
        retention_others=s0,
        difference=diff,
        low=diff - z * se,
        high=diff + z * se,
        note=OBSERVATIONAL_NOTE,
    )


def retention_report(session: Any, *, by: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """What the CLI and the dashboard show: the curves of ``by`` and the programme effect."""
    from data.queries import planning as q

    day = as_of or q.latest_activity(session) or dt.date.today()
    hires = q.hires(session)
    enrol = q.enrolments(session)
    cs = curves(hires, enrol, by=by, as_of=day)
    effect = programme_effect(hires, enrol, as_of=day) if len(hires) else None
    return {"as_of": day, "by": by, "curves": cs, "effect": effect}
