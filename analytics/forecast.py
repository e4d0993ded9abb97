"""Hiring forecast per open requisition: expected hires by its target start, an 80 % interval,
the probability of filling it, and the applicants a week needed at the top of the funnel.

The model, learned from the pipeline history up to ``as_of`` (nothing later is looked at):

- The pipeline is a chain of stays: needs analysis → sourcing → screening → interview → offer
  → start. Each stay ends in a pass (the next stage) or an exit (rejection or withdrawal);
  the offer stay passes when the candidate accepts and starts.
- Pass probability of each stay: pooled log-odds plus a role-family, a country and a channel
  effect, each shrunk towards zero by ``n / (n + SHRINK)`` (``n`` = that group's stays), so a
  group with little data falls back to the pooled estimate; a group counts as *own estimate*
  when its weight is at least one half (``n >= SHRINK``), else *pooled*. Durations: the pooled
  empirical distribution of each stay, scaled by the same three shrunk speed factors (ratios
  of group to pooled median).
- Someone already ``d`` days into a stay passes with ``p·S_pass(d) / (p·S_pass(d) +
  (1-p)·S_exit(d))`` and their remaining time is drawn from the passing stays longer than ``d``
  (time in stage matters: an old stay is less likely to pass).
- Monte Carlo over candidates with a seeded ``numpy.random.Generator`` (reproducible); new
  applicants arrive as a Poisson process at the requisition's recent rate, and their hires by
  the target date are Poisson by thinning (``rate · ∫ F``, with ``F`` the simulated chance that
  a new applicant has started within ``h`` days).

Scenarios change the model, not the data: a stage's pass probability ±x %, a channel's share
of new applicants +y %, a country's visa lead time +z days (cross-border hires only; the
mobility table gives the base lead time and the costs of the expected hires). Demographic
fields are never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

STAYS: tuple[str, ...] = ("needs_analysis", "sourcing", "screening", "interview", "offer")
SHRINK = 40.0
"""Prior weight (in stays) of the pooled estimate: a group with n stays gets n / (n + 40)."""
FACTORS: tuple[str, ...] = ("family", "country", "channel", "border")
"""Groups estimated separately; ``border`` = a cross-border hire (candidate's country is not the
requisition's), which is what visa and relocation lead times hang on."""
LOOKBACK_DAYS = 540
SETTLE_DAYS = {"needs_analysis": 60, "sourcing": 60, "screening": 60, "interview": 90, "offer": 200}
"""Stays entered at least this long before ``as_of`` are complete enough to learn from."""
ARRIVAL_WINDOW_DAYS = 28
CURVE_DAYS = 400  # new-applicant start curves are simulated this far once per family/country
SIMS = 2000


@dataclass(frozen=True)
class Scenario:
    """What-if changes: ``conversion`` {stage: +0.1 = 10 % more likely to pass}, ``channel_share``
    {channel: +0.2 = 20 % larger share of new applicants}, ``visa_days`` {country: +30}."""

    conversion: tuple[tuple[str, float], ...] = ()
    channel_share: tuple[tuple[str, float], ...] = ()
    visa_days: tuple[tuple[str, int], ...] = ()

    @property
    def is_base(self) -> bool:
        return not (self.conversion or self.channel_share or self.visa_days)


@dataclass
class StayModel:
    stage: str
    n: int
    p_pool: float
    logit_pool: float
    effects: dict[
        str, dict[str, tuple[float, float, int]]
    ]  # factor -> level -> (logit, log-speed, n)
    pass_days: np.ndarray  # sorted pooled durations of passing stays (days)
    exit_days: np.ndarray  # sorted pooled durations of exits


@dataclass
class ForecastModel:
    as_of: dt.datetime
    stays: dict[str, StayModel]
    lead_days: dict[str, int] = field(default_factory=dict)  # mobility lead time by country
    cost_usd: dict[str, float] = field(default_factory=dict)  # visa + relocation by country
    channel_cost_usd: dict[str, float] = field(default_factory=dict)

    def estimate_level(self, factor: str, level: str) -> str:
        """``own`` when the group has data enough (n >= SHRINK) in the pass model of the
        screening stay (the widest selective stage), else ``pooled``."""
        eff = self.stays["screening"].effects.get(factor, {}).get(level)
        return "own" if eff is not None and eff[2] >= SHRINK else "pooled"


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def stays_table(history: pd.DataFrame, as_of: dt.datetime) -> pd.DataFrame:
    """One row per stay known at ``as_of``: stage, entered, ended (NaT if still open), passed,
    and the application's family, country, channel."""
    h = history
    cut = pd.Timestamp(as_of)

    def known(col: str) -> pd.Series:
        v = h[col]
        return v.where(v <= cut)

    entries = {
        "needs_analysis": h["applied_at"].where(h["applied_at"] <= cut),
        "sourcing": known("t_sourcing"),
        "screening": known("t_screening"),
        "interview": known("t_interview"),
        "offer": known("offer_at"),
    }
    start = known("hired_at")
    failed = known("t_fail")
    closed = h["closed_at"].where(
        (h["closed_at"] <= cut) & h["hired_at"].isna() & (h["status"] != "active")
    )
    end_bad = failed.fillna(closed)
    nexts = [
        entries["sourcing"],
        entries["screening"],
        entries["interview"],
        entries["offer"],
        start,
    ]
    frames = []
    for stage, nxt in zip(STAYS, nexts, strict=True):
        ent = entries[stage]
        m = ent.notna()
        sub = pd.DataFrame(
            {
                "app": h["id"][m],
                "requisition_id": h["requisition_id"][m],
                "stage": stage,
                "entered": ent[m],
                "family": h["family"][m].fillna("?"),
                "country": h["country"][m].fillna("?"),
                "channel": h["channel"][m].fillna("?"),
                "border": h["border"][m] if "border" in h else "no",
            }
        )
        passed = nxt[m].notna()
        bad = end_bad[m].notna() & ~passed & (end_bad[m] >= ent[m])
        sub["passed"] = passed
        sub["ended"] = nxt[m].where(passed, end_bad[m].where(bad))
        frames.append(sub)
    out = pd.concat(frames, ignore_index=True)
    out["days"] = (out["ended"].fillna(cut) - out["entered"]).dt.total_seconds() / 86400.0
    out["open"] = out["ended"].isna()
    return out


def fit(
    history: pd.DataFrame,
    as_of: dt.datetime,
    *,
    mobility: pd.DataFrame | None = None,
    channel_costs: pd.DataFrame | None = None,
    fx: dict[str, float] | None = None,
) -> tuple[ForecastModel, pd.DataFrame]:
    """Learn the stay models from ``history`` (``data.queries.planning.pipeline_history``) as
    of ``as_of``; returns the model and the stays table (whose open stays are the pipeline)."""
    stays = stays_table(history, as_of)
    cut = pd.Timestamp(as_of)
    models: dict[str, StayModel] = {}
    for stage in STAYS:
        s = stays[(stays["stage"] == stage)]
        settled = s[s["entered"] <= cut - pd.Timedelta(days=SETTLE_DAYS[stage])]
        settled = settled[settled["entered"] >= cut - pd.Timedelta(days=LOOKBACK_DAYS)]
        n = len(settled)
        passes = settled["passed"].to_numpy()
        p_pool = float(passes.mean()) if n else 0.5
        lp = _logit(p_pool)
        pass_days = np.sort(settled.loc[settled["passed"], "days"].to_numpy(dtype=float))
        exit_days = np.sort(
            settled.loc[~settled["passed"] & ~settled["open"], "days"].to_numpy(dtype=float)
        )
        med_pool = float(np.median(pass_days)) if len(pass_days) else 1.0
        effects: dict[str, dict[str, tuple[float, float, int]]] = {}
        for fac in FACTORS:
            grp = settled.groupby(fac)
            eff = {}
            for level, g in grp:
                k = len(g)
                w = k / (k + SHRINK)
                pg = (g["passed"].sum() + 0.5) / (k + 1.0)
                d = g.loc[g["passed"], "days"]
                speed = (
                    float(np.log(max(d.median(), 0.25) / max(med_pool, 0.25))) if len(d) else 0.0
                )
                kd = len(d)
                eff[str(level)] = (w * (_logit(pg) - lp), kd / (kd + SHRINK) * speed, k)
            effects[fac] = eff
        models[stage] = StayModel(stage, n, p_pool, lp, effects, pass_days, exit_days)
    model = ForecastModel(as_of=as_of, stays=models)
    rates = fx or {"USD": 1.0}
    if mobility is not None and not mobility.empty:
        for r in mobility.itertuples(index=False):
            model.lead_days[r.country] = int(r.lead_time_days)
            model.cost_usd[r.country] = (r.visa_cost + r.relocation_cost) / rates.get(
                r.currency, 1.0
            )
    if channel_costs is not None and not channel_costs.empty:
        for r in channel_costs.itertuples(index=False):
            model.channel_cost_usd[r.channel] = r.cost_per_hire / rates.get(r.currency, 1.0)
    return model, stays


def _effects(
    m: StayModel, fam: np.ndarray, cty: np.ndarray, ch: np.ndarray, border: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(logit of pass, log speed) per candidate from the shrunk factor effects."""
    logit = np.full(len(fam), m.logit_pool)
    speed = np.zeros(len(fam))
    for fac, values in (("family", fam), ("country", cty), ("channel", ch), ("border", border)):
        eff = m.effects.get(fac, {})
        lut_l = {k: v[0] for k, v in eff.items()}
        lut_s = {k: v[1] for k, v in eff.items()}
        logit += np.array([lut_l.get(v, 0.0) for v in values])
        speed += np.array([lut_s.get(v, 0.0) for v in values])
    return logit, speed


def _surv(sorted_days: np.ndarray, x: np.ndarray) -> np.ndarray:
    if len(sorted_days) == 0:
        return np.ones_like(x)
    return 1.0 - np.searchsorted(sorted_days, x, side="right") / len(sorted_days)


def simulate_paths(
    model: ForecastModel,
    stage_idx: np.ndarray,
    elapsed: np.ndarray,
    fam: np.ndarray,
    cty: np.ndarray,
    ch: np.ndarray,
    cross_border: np.ndarray,
    sims: int,
    rng: np.random.Generator,
    scenario: Scenario = Scenario(),
) -> np.ndarray:
    """Days from ``as_of`` until each candidate starts, per simulation (``inf`` = never):
    an array of shape (candidates, sims)."""
    n = len(stage_idx)
    total = np.zeros((n, sims))
    alive = np.ones((n, sims), dtype=bool)
    conv = dict(scenario.conversion)
    visa_extra = dict(scenario.visa_days)
    border = np.where(cross_border, "yes", "no")
    for k, stage in enumerate(STAYS):
        m = model.stays[stage]
        here = stage_idx <= k
        if not here.any():
            continue
        idx = np.flatnonzero(here)
        logit, speed = _effects(m, fam[idx], cty[idx], ch[idx], border[idx])
        p = 1.0 / (1.0 + np.exp(-logit))
        if stage in conv:
            p = np.clip(p * (1.0 + conv[stage]), 0.0, 1.0)
        scale = np.exp(speed)
        # elapsed time counts only in the stay the candidate is in now
        e = np.where(stage_idx[idx] == k, elapsed[idx], 0.0) / scale
        sp = _surv(m.pass_days, e)
        se = _surv(m.exit_days, e)
        p_now = np.where(e > 0, p * sp / np.maximum(p * sp + (1 - p) * se, 1e-12), p)
        p_now = np.where((e > 0) & (sp == 0), 0.0, p_now)  # older than any stay that passed
        u = rng.random((len(idx), sims))
        passes = u < p_now[:, None]
        nd = len(m.pass_days)
        if nd == 0:
            dur = np.full((len(idx), sims), np.inf)
        else:
            lo = np.searchsorted(m.pass_days, e, side="right")
            lo = np.minimum(lo, nd - 1)
            pick = lo[:, None] + (rng.random((len(idx), sims)) * (nd - lo)[:, None]).astype(int)
            pick = np.minimum(pick, nd - 1)
            dur = (np.maximum(m.pass_days[pick] - e[:, None], 0.0)) * scale[:, None]
        if stage == "offer":
            lead = np.array(
                [
                    visa_extra.get(c, 0) if cb else 0
                    for c, cb in zip(cty[idx], cross_border[idx], strict=True)
                ],
                dtype=float,
            )
            dur = dur + lead[:, None]
        a = alive[idx] & passes
        alive[idx] = a
        total[idx] = np.where(a, total[idx] + dur, np.inf)
    total[~alive] = np.inf
    return total


@dataclass
class ReqForecast:
    requisition_id: int
    key: str
    headcount: int
    target_start: dt.date
    hired: int
    in_pipeline: int
    expected: float
    low: int
    high: int
    p_fill: float
    expected_new: float
    arrivals_per_week: float
    needed_per_week: float | None
    expected_cost_usd: float
    estimates: dict[str, str]
    samples: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def _fresh_curve(
    model: ForecastModel,
    mix: pd.DataFrame,
    horizon: int,
    rng: np.random.Generator,
    scenario: Scenario,
    n: int = 1500,
) -> np.ndarray:
    """F(h) for h = 0..horizon days: the chance a new applicant (drawn from ``mix``) has
    started within h days."""
    if horizon <= 0:
        return np.zeros(1)
    weights = mix["weight"].to_numpy(dtype=float).copy()
    shares = dict(scenario.channel_share)
    if shares:
        weights *= np.array([1.0 + shares.get(c, 0.0) for c in mix["channel"]])
    weights = weights / weights.sum()
    pick = rng.choice(len(mix), size=n, p=weights)
    sub = mix.iloc[pick]
    t = simulate_paths(
        model,
        np.zeros(n, dtype=int),
        np.zeros(n),
        sub["family"].to_numpy(),
        sub["country"].to_numpy(),
        sub["channel"].to_numpy(),
        sub["cross_border"].to_numpy(dtype=bool),
        1,
        rng,
        scenario,
    )[:, 0]
    t = t[np.isfinite(t)]
    grid = np.arange(horizon + 1)
    return np.searchsorted(np.sort(t), grid, side="right") / n


def forecast(
    model: ForecastModel,
    stays: pd.DataFrame,
    reqs: pd.DataFrame,
    history: pd.DataFrame,
    *,
    sims: int = SIMS,
    seed: int = 0,
    scenario: Scenario = Scenario(),
    progress: Callable[[int, int], None] | None = None,
) -> list[ReqForecast]:
    """The forecast of each requisition in ``reqs`` (``data.queries.planning.requisitions``
    rows: id, key, family, country, headcount, target_start) whose target start is after
    ``as_of``."""
    rng = np.random.default_rng(seed)
    cut = pd.Timestamp(model.as_of)
    open_stays = stays[stays["open"] & stays["requisition_id"].notna()]
    hired_by = history[(history["hired_at"] <= cut) & history["requisition_id"].notna()]
    hired_n = hired_by.groupby("requisition_id").size().to_dict()
    recent = history[
        (history["applied_at"] > cut - pd.Timedelta(days=ARRIVAL_WINDOW_DAYS))
        & (history["applied_at"] <= cut)
        & history["requisition_id"].notna()
    ]
    arrivals = recent.groupby("requisition_id").size().to_dict()
    stage_pos = {s: i for i, s in enumerate(STAYS)}
    by_req = {k: g for k, g in open_stays.groupby("requisition_id")}
    pooled_mix = (
        history[history["applied_at"] > cut - pd.Timedelta(days=180)]
        .loc[lambda d: d["applied_at"] <= cut]
        .groupby(["family", "country", "channel"])
        .size()
        .rename("weight")
        .reset_index()
    )
    out: list[ReqForecast] = []
    todo = reqs[pd.to_datetime(reqs["target_start"]) > cut]
    curve_cache: dict[tuple[str, str, int], np.ndarray] = {}
    for i, r in enumerate(todo.itertuples(index=False)):
        target = pd.Timestamp(r.target_start) + pd.Timedelta(hours=23, minutes=59)
        horizon = (target - cut).total_seconds() / 86400.0
        g = by_req.get(r.id)
        cost = 0.0
        if g is not None and len(g):
            cross = g["country"].to_numpy() != r.country
            t = simulate_paths(
                model,
                g["stage"].map(stage_pos).to_numpy(),
                (cut - g["entered"]).dt.total_seconds().to_numpy() / 86400.0,
                g["family"].to_numpy(),
                g["country"].to_numpy(),
                g["channel"].to_numpy(),
                cross,
                sims,
                rng,
                scenario,
            )
            hit = t <= horizon
            counts = hit.sum(axis=0)
            per_hire_cost = np.array(
                [
                    (model.cost_usd.get(c, 0.0) if cb else 0.0)
                    + model.channel_cost_usd.get(ch, 0.0)
                    for c, cb, ch in zip(g["country"], cross, g["channel"], strict=True)
                ]
            )
            cost = float((hit * per_hire_cost[:, None]).sum(axis=0).mean())
            ctys, chs = g["country"].to_numpy(), g["channel"].to_numpy()
        else:
            counts = np.zeros(sims, dtype=int)
            ctys = chs = np.array([], dtype=object)
        lam = arrivals.get(r.id, 0) / ARRIVAL_WINDOW_DAYS
        mix = pooled_mix[pooled_mix["family"] == r.family].copy()
        if mix.empty:
            mix = pooled_mix.copy()
        mix["cross_border"] = mix["country"] != r.country
        hz = int(max(horizon, 0))
        ck = (r.family, r.country)
        if ck not in curve_cache or len(curve_cache[ck]) <= hz:
            curve_cache[ck] = _fresh_curve(model, mix, max(hz, CURVE_DAYS), rng, scenario)
        curve = curve_cache[ck][: hz + 1]
        integral = float(curve.sum())  # ∫_0^H F(H - t) dt = ∫_0^H F(s) ds, daily steps
        new_mean = lam * integral
        new = rng.poisson(new_mean, sims) if new_mean > 0 else np.zeros(sims, dtype=int)
        already = int(hired_n.get(r.id, 0))
        total = already + counts + new
        expected = float(total.mean())
        gap = r.headcount - expected
        needed = None
        if integral > 0:
            needed = max(0.0, gap) * 7.0 / integral + lam * 7.0 if gap > 0 else lam * 7.0
        est = {
            "family": model.estimate_level("family", r.family),
            "country": _share_label(model, "country", ctys),
            "channel": _share_label(model, "channel", chs),
        }
        out.append(
            ReqForecast(
                requisition_id=int(r.id),
                key=r.key,
                headcount=int(r.headcount),
                target_start=pd.Timestamp(r.target_start).date(),
                hired=already,
                in_pipeline=0 if g is None else len(g),
                expected=expected,
                low=int(np.quantile(total, 0.1, method="inverted_cdf")),
                high=int(np.quantile(total, 0.9, method="inverted_cdf")),
                p_fill=float((total >= r.headcount).mean()),
                expected_new=new_mean,
                arrivals_per_week=lam * 7,
                needed_per_week=needed,
                expected_cost_usd=cost,
                estimates=est,
                samples=total,
            )
        )
        if progress:
            progress(i + 1, len(todo))
    return out


def _share_label(model: ForecastModel, factor: str, values: np.ndarray) -> str:
    """``own`` / ``pooled`` / ``mixed (k of n own)`` for the candidates of a requisition."""
    if len(values) == 0:
        return "pooled"
    own = sum(model.estimate_level(factor, str(v)) == "own" for v in values)
    if own == len(values):
        return "own"
    if own == 0:
        return "pooled"
    return f"mixed ({own}/{len(values)} own)"


def as_frame(results: list[ReqForecast]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for f in results:
        rows.append(
            {
                "requisition": f.key,
                "headcount": f.headcount,
                "target_start": f.target_start,
                "hired": f.hired,
                "in_pipeline": f.in_pipeline,
                "expected": round(f.expected, 2),
                "low_80": f.low,
                "high_80": f.high,
                "p_fill": round(f.p_fill, 3),
                "arrivals_per_week": round(f.arrivals_per_week, 2),
                "needed_per_week": None
                if f.needed_per_week is None
                else round(f.needed_per_week, 2),
                "expected_cost_usd": round(f.expected_cost_usd),
                "estimate_family": f.estimates["family"],
                "estimate_country": f.estimates["country"],
                "estimate_channel": f.estimates["channel"],
            }
        )
    return pd.DataFrame(rows)


def with_border(history: pd.DataFrame, reqs: pd.DataFrame) -> pd.DataFrame:
    """``history`` with ``border``: "yes" where the candidate's country is not the country of
    the requisition the application is linked to."""
    where = history["requisition_id"].map(dict(zip(reqs["id"], reqs["country"], strict=True)))
    cross = where.notna() & (history["country"] != where)
    return history.assign(border=np.where(cross, "yes", "no"))


def run_forecast(
    session: Any,
    *,
    as_of: dt.date | None = None,
    sims: int = SIMS,
    seed: int = 0,
    scenario: Scenario = Scenario(),
    statuses: tuple[str, ...] = ("open",),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[ReqForecast], ForecastModel]:
    """Read the store, fit as of ``as_of`` (default: the latest activity) and forecast every
    requisition with a status in ``statuses`` and a target start after ``as_of``."""
    from data.queries import planning as q

    day = as_of or q.latest_activity(session) or dt.date.today()
    cut = dt.datetime.combine(day, dt.time(23, 59, 59))
    history = q.pipeline_history(session, since=cut - dt.timedelta(days=LOOKBACK_DAYS + 200))
    history = history[history["applied_at"] <= pd.Timestamp(cut)]
    reqs = q.requisitions(session)
    history = with_border(history, reqs)
    model, stays = fit(
        history,
        cut,
        mobility=q.mobility_costs(session),
        channel_costs=q.channel_costs(session),
        fx=q.fx_rates(session),
    )
    if statuses:
        reqs = reqs[reqs["status"].isin(statuses)]
    return forecast(
        model, stays, reqs, history, sims=sims, seed=seed, scenario=scenario, progress=progress
    ), model


def mobility_summary(session: Any) -> pd.DataFrame:
    """Per source country: hires, cross-border share, median days from offer to start, visa +
    relocation cost (US dollars, from the mobility table) and lead time."""
    from data.queries import planning as q

    h = q.pipeline_history(session)
    reqs = q.requisitions(session)[["id", "country"]].rename(
        columns={"id": "requisition_id", "country": "location_country"}
    )
    h = h[h["hired_at"].notna()].merge(reqs, on="requisition_id", how="left")
    h["days_to_start"] = (h["hired_at"] - h["offer_at"]).dt.total_seconds() / 86400.0
    h["cross_border"] = h["country"] != h["location_country"]
    fx = q.fx_rates(session)
    mob = q.mobility_costs(session)
    ch = q.channel_costs(session)
    per_c = (
        h.groupby("country")
        .agg(
            hires=("id", "size"),
            cross_border=("cross_border", "mean"),
            days_to_start=("days_to_start", "median"),
        )
        .reset_index()
    )
    if not mob.empty:
        mob = mob.assign(
            mobility_cost_usd=(mob["visa_cost"] + mob["relocation_cost"])
            / mob["currency"].map(lambda c: fx.get(c, 1.0))
        )[["country", "mobility_cost_usd", "lead_time_days"]]
        per_c = per_c.merge(mob, on="country", how="left")
    per_ch = (
        h.groupby("channel")
        .agg(hires=("id", "size"), days_to_start=("days_to_start", "median"))
        .reset_index()
    )
    if not ch.empty:
        ch = ch.assign(
            channel_cost_usd=ch["cost_per_hire"] / ch["currency"].map(lambda c: fx.get(c, 1.0))
        )[["channel", "channel_cost_usd"]]
        per_ch = per_ch.merge(ch, on="channel", how="left")
    # cost per hire by country: mobility when cross-border plus the hire's channel cost
    if not mob.empty and not ch.empty:
        h = h.merge(mob[["country", "mobility_cost_usd"]], on="country", how="left").merge(
            ch, on="channel", how="left"
        )
        h["cost"] = h["mobility_cost_usd"].fillna(0) * h["cross_border"] + h[
            "channel_cost_usd"
        ].fillna(0)
        per_c = per_c.merge(
            h.groupby("country")["cost"].mean().rename("cost_per_hire_usd").reset_index(),
            on="country",
            how="left",
        )
        per_ch = per_ch.merge(
            h.groupby("channel")["cost"].mean().rename("cost_per_hire_usd").reset_index(),
            on="channel",
            how="left",
        )
    return per_c.sort_values("hires", ascending=False), per_ch.sort_values("hires", ascending=False)


def fan(results: list[ReqForecast]) -> pd.DataFrame:
    """Cumulative plan (headcount) and forecast fills by target start: the expected fills
    (hires capped at each requisition's headcount) with 10th–90th percentile bands, summed
    over requisitions simulation by simulation (so the band is the portfolio's, not a sum of
    per-requisition bands)."""
    if not results:
        return pd.DataFrame(columns=["target_start", "plan", "expected", "low", "high"])
    order = sorted(results, key=lambda f: f.target_start)
    sims = min(len(f.samples) for f in order)
    running = np.zeros(sims)
    plan = 0
    rows = []
    for day in sorted({f.target_start for f in order}):
        for f in (f for f in order if f.target_start == day):
            running = running + np.minimum(f.samples[:sims], f.headcount)
            plan += f.headcount
        rows.append(
            {
                "target_start": day,
                "plan": plan,
                "expected": float(running.mean()),
                "low": float(np.quantile(running, 0.1)),
                "high": float(np.quantile(running, 0.9)),
            }
        )
    return pd.DataFrame(rows)
