"""Compensation against the market and the company's own bands.

- **SOC route** (``soc_route``): a role's US SOC 2018 code is the user's override
  (``Role.soc_code``) when set, else the first title rule of ``data/reference/soc_routes.yaml``
  that matches the role's cleaned title (``ml.titles.clean_title``), English then Chinese.
  Every figure shows the route it took.
- **Market median** (``market_for``): for a US location with an OEWS area, the BLS OEWS May
  2025 annual median of that SOC in that area (national when the area publishes none); for other
  locations, the median of an imported pay survey for the role (level-specific row first), made
  yearly from its period. Converted to US dollars with the FX table.
- **Compa-ratios** (``offer_table``): yearly base pay of each offer (monthly x 12, hourly x
  2,080) over the market median, and over the band midpoint of its role, level and location.
- **Pockets** (``pockets``): role x level x location groups whose median market compa-ratio is
  below ``BELOW_MARKET`` with at least ``MIN_OFFERS`` offers; and acceptance by competitiveness.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.reference import labels
from data.reference.pay import (
    NATIONAL_AREA,
    OEWS_CITATION,
    PERIODS,
    OewsTable,
    load_locations,
    oews_database,
    soc_rules,
)
from ml.titles import clean_title

BELOW_MARKET = 0.90
MIN_OFFERS = 8
COMPA_BINS = (0.0, 0.85, 0.95, 1.05, 1.15, np.inf)
COMPA_LABELS = ("< 0.85", "0.85–0.95", "0.95–1.05", "1.05–1.15", ">= 1.15")


@dataclass(frozen=True)
class SocRoute:
    """How a role reached its SOC code: ``kind`` override | title_rule | none; a title rule
    names what it stands for (``why`` / ``why_zh``) and the cleaned title it matched."""

    role: str
    soc: str | None
    kind: str
    why: str = ""
    why_zh: str = ""
    title: str = ""

    def describe(self, lang: str = "en") -> str:
        """The route in ``lang``: who chose the code, or which title rule did and on what."""
        if self.kind != "title_rule":
            return labels.tr(lang, f"pay.route.{self.kind}")
        why = self.why_zh if lang == "zh" and self.why_zh else self.why
        return labels.tr(lang, "pay.route.title_rule", why=why, title=self.title)

    @property
    def route(self) -> str:
        """The route in English (``override``, ``title rule: <why> (<title>)``, ``none``)."""
        return self.describe("en")


def soc_route(role: dict[str, Any]) -> SocRoute:
    if role.get("soc_code"):
        return SocRoute(role["key"], role["soc_code"], "override")
    for title in (role.get("title_en") or "", role.get("title_zh") or ""):
        cleaned = clean_title(title) if title else ""
        for rule in soc_rules():
            if cleaned and rule.pattern.search(cleaned):
                return SocRoute(
                    role["key"], rule.soc, "title_rule", rule.why, rule.why_zh, title=cleaned
                )
    return SocRoute(role["key"], None, "none")


@dataclass(frozen=True)
class Market:
    """A market median (or why there is none): ``kind`` oews | survey | no_soc | no_median |
    no_survey | no_survey_row; ``detail`` the OEWS occupation and area, or the survey's name;
    ``route`` how the role reached its SOC code (OEWS figures)."""

    median_usd: float | None
    median_local: float | None
    currency: str | None
    kind: str
    soc: str | None = None
    area: str | None = None
    detail: str = ""
    route: SocRoute | None = None

    def describe(self, lang: str = "en") -> str:
        """Where the figure comes from (or why there is none), in ``lang``."""
        text = labels.tr(lang, f"pay.source.{self.kind}", detail=self.detail, soc=self.soc or "")
        if self.kind == "oews" and self.route is not None:
            text += f" ({self.route.describe(lang)})"
        return text

    @property
    def source(self) -> str:
        """Where the figure comes from, in English (what the CLI and the offers table show)."""
        return self.describe("en")


class MarketBook:
    """Market medians for (role, level, location), from OEWS and the imported surveys."""

    def __init__(
        self,
        roles: pd.DataFrame,
        surveys: pd.DataFrame,
        fx: dict[str, float],
        oews: OewsTable | None,
    ) -> None:
        self.routes = {r["key"]: soc_route(r) for r in roles.to_dict("records")}
        self.role_ids = dict(zip(roles["key"], roles["id"], strict=True))
        self.surveys = surveys
        self.fx = fx
        self.oews = oews
        self._cache: dict[tuple[str, str, str], Market] = {}

    def usd(self, amount: float | None, currency: str | None) -> float | None:
        if amount is None or currency is None or currency not in self.fx:
            return None
        return float(amount) / self.fx[currency]

    def market(self, role: str, level: str, location: str | None) -> Market:
        key = (role, level or "", location or "")
        if key not in self._cache:
            self._cache[key] = self._market(*key)
        return self._cache[key]

    def _market(self, role: str, level: str, location: str) -> Market:
        loc = load_locations().get(location)
        route = self.routes.get(role)
        if loc is not None and loc.oews_area and self.oews is not None:
            soc = route.soc if route else None
            if soc is None:
                return Market(None, None, None, "no_soc")
            for area in (loc.oews_area, NATIONAL_AREA):
                w = self.oews.wage(soc, area)
                if w is not None and w.annual["median"] is not None:
                    med = float(w.annual["median"])
                    detail = f"{w.occupation}, {w.area_name}"
                    return Market(med, med, "USD", "oews", soc, area, detail, route)
            return Market(None, None, None, "no_median", soc)
        s = self.surveys
        if s.empty:
            return Market(None, None, None, "no_survey")
        rows = s[(s["role"] == role) & (s["location"] == location)]
        exact = rows[rows["level"] == level]
        pick = exact if not exact.empty else rows[rows["level"] == ""]
        if pick.empty:
            return Market(None, None, None, "no_survey_row")
        r = pick.iloc[0]
        yearly = float(r["p50"]) * PERIODS[r["period"]]
        return Market(
            self.usd(yearly, r["currency"]),
            yearly,
            r["currency"],
            "survey",
            detail=str(r["survey"]),
        )


def yearly_base(base: pd.Series, period: pd.Series) -> pd.Series:
    return base * period.map(PERIODS)


def offer_table(offers: pd.DataFrame, bands: pd.DataFrame, book: MarketBook) -> pd.DataFrame:
    """Each offer with its yearly base (local and USD), the market median, the band midpoint,
    and the two compa-ratios (None where a figure is missing)."""
    if offers.empty:
        return offers.assign(
            base_yearly=[], base_usd=[], market_usd=[], compa_market=[], compa_band=[], source=[]
        )
    df = offers.copy()
    df["level"] = df["level"].fillna("")
    df["base_yearly"] = yearly_base(df["base_pay"], df["period"])
    df["base_usd"] = [
        book.usd(a, c) for a, c in zip(df["base_yearly"], df["currency"], strict=True)
    ]
    markets = [
        book.market(r, lv, loc)
        for r, lv, loc in zip(df["role"], df["level"], df["location"], strict=True)
    ]
    df["market_usd"] = [m.median_usd for m in markets]
    df["source"] = [m.source for m in markets]
    df["compa_market"] = df["base_usd"] / df["market_usd"]
    if not bands.empty:
        b = bands.copy()
        specific = df.merge(b, on=["role", "level", "location"], how="left", suffixes=("", "_band"))
        generic = df.merge(
            b[b["level"] == ""].drop(columns=["level"]),
            on=["role", "location"],
            how="left",
            suffixes=("", "_band"),
        )
        mid = specific["midpoint"].fillna(generic["midpoint"])
        cur = specific["currency_band"].fillna(generic["currency_band"])
        mid_usd = [book.usd(m, c) if pd.notna(m) else None for m, c in zip(mid, cur, strict=True)]
        df["band_mid_usd"] = pd.to_numeric(pd.Series(mid_usd, index=df.index), errors="coerce")
        df["compa_band"] = df["base_usd"] / df["band_mid_usd"]
    else:
        df["band_mid_usd"] = np.nan
        df["compa_band"] = np.nan
    for col in ("base_usd", "market_usd", "compa_market", "compa_band"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def pockets(table: pd.DataFrame, *, threshold: float = BELOW_MARKET) -> pd.DataFrame:
    """Role x level x location groups: offers, median compa-ratios, acceptance, and whether
    the group is below market (median market compa-ratio under ``threshold``, enough offers)."""
    t = table[table["compa_market"].notna()]
    if t.empty:
        return pd.DataFrame(
            columns=[
                "role",
                "level",
                "location",
                "offers",
                "compa_market",
                "compa_band",
                "acceptance",
                "below_market",
                "source",
            ]
        )
    answered = t["offer_accepted"].notna()
    g = t.assign(accepted=t["offer_accepted"].where(answered).astype(float)).groupby(
        ["role", "level", "location"], dropna=False
    )
    out = g.agg(
        offers=("id", "size"),
        compa_market=("compa_market", "median"),
        compa_band=("compa_band", "median"),
        acceptance=("accepted", "mean"),
        source=("source", "first"),
    ).reset_index()
    out["below_market"] = (out["compa_market"] < threshold) & (out["offers"] >= MIN_OFFERS)
    return out.sort_values("compa_market").reset_index(drop=True)


def acceptance_by_competitiveness(table: pd.DataFrame) -> pd.DataFrame:
    """Acceptance rate of answered offers in bins of the market compa-ratio."""
    t = table[table["compa_market"].notna() & table["offer_accepted"].notna()]
    bins = pd.cut(t["compa_market"], COMPA_BINS, labels=COMPA_LABELS, right=False)
    g = t.assign(bin=bins, accepted=t["offer_accepted"].astype(float)).groupby(
        "bin", observed=False
    )
    out = g.agg(offers=("id", "size"), acceptance=("accepted", "mean")).reset_index()
    return out


def benchmark_table(
    book: MarketBook, roles: pd.DataFrame, locations: list[str], *, lang: str = "en"
) -> pd.DataFrame:
    """Market median of every role at each location, with its source and SOC route (worded
    in ``lang``)."""
    rows = []
    for r in roles.to_dict("records"):
        route = book.routes[r["key"]]
        for loc in locations:
            m = book.market(r["key"], r.get("level") or "", loc)
            rows.append(
                {
                    "role": r["key"],
                    "location": loc,
                    "soc": route.soc,
                    "route": route.describe(lang),
                    "median_local": None if m.median_local is None else round(m.median_local),
                    "currency": m.currency,
                    "median_usd": None if m.median_usd is None else round(m.median_usd),
                    "source": m.describe(lang),
                }
            )
    return pd.DataFrame(rows)


def load_book(session: Any, data_dir: Path | None) -> MarketBook:
    """The market book of the store; OEWS is unpacked into ``data_dir`` on first use."""
    from data.queries import planning as q

    oews = OewsTable(oews_database(data_dir)) if data_dir is not None else None
    return MarketBook(q.roles_for_pay(session), q.pay_surveys(session), q.fx_rates(session), oews)


def compensation_report(session: Any, data_dir: Path | None) -> dict[str, Any]:
    """Everything the Compensation page, the CLI and the hiring report show."""
    from data.queries import planning as q

    book = load_book(session, data_dir)
    table = offer_table(q.offers(session), q.pay_bands(session), book)
    return {
        "offers": table,
        "pockets": pockets(table),
        "acceptance": acceptance_by_competitiveness(table),
        "citation": OEWS_CITATION,
        "missing_fx": sorted(set(table["currency"]) - set(book.fx)) if len(table) else [],
    }


def report_section(session: Any, data_dir: Path | None) -> dict[str, Any]:
    """The compensation section of the hiring report (``analytics.reports`` includes it):
    a title key, the below-market pockets and acceptance by competitiveness, with the source."""
    rep = compensation_report(session, data_dir)
    p = rep["pockets"]
    return {
        "key": "compensation",
        "pockets": p[
            [
                "role",
                "level",
                "location",
                "offers",
                "compa_market",
                "compa_band",
                "acceptance",
                "below_market",
            ]
        ].round(3),
        "acceptance": rep["acceptance"].round(3),
        "below_market": p[p["below_market"].astype(bool)][["role", "level", "location"]].to_dict(
            "records"
        ),
        "citation": rep["citation"],
    }


def report_tables(session: Any, lang: str, *, data_dir: Path | None) -> list[Any]:
    """The compensation section of the hiring report as ``analytics.reports.Table`` rows; pass
    ``functools.partial(report_tables, data_dir=...)`` in ``build_report(sections=...)``."""
    from analytics.reports import Column, Table

    sec = report_section(session, data_dir)
    from data.reference import labels

    def lab(key: str) -> str:
        return labels.tr(lang, f"report.pay.{key}")

    p = sec["pockets"]
    below = ", ".join(f"{b['role']} / {b['level']} / {b['location']}" for b in sec["below_market"])
    note = lab("note").format(
        t=BELOW_MARKET, n=MIN_OFFERS, below=below or lab("none"), cite=sec["citation"]
    )
    pockets_table = Table(
        "compensation",
        lab("title"),
        [
            Column("role", lab("role")),
            Column("level", lab("level")),
            Column("location", lab("location")),
            Column("offers", lab("offers"), "int"),
            Column("compa_market", lab("compa_market"), "float"),
            Column("compa_band", lab("compa_band"), "float"),
            Column("acceptance", lab("acceptance"), "pct"),
            Column("below", lab("below")),
        ],
        [
            [
                r.role,
                r.level,
                r.location,
                int(r.offers),
                None if pd.isna(r.compa_market) else float(r.compa_market),
                None if pd.isna(r.compa_band) else float(r.compa_band),
                None if pd.isna(r.acceptance) else float(r.acceptance),
                lab("yes") if r.below_market else "",
            ]
            for r in p.itertuples()
        ],
        note=note,
    )
    a = sec["acceptance"]
    acceptance_table = Table(
        "compensation_acceptance",
        lab("acc_title"),
        [
            Column("bin", lab("bin")),
            Column("offers", lab("offers"), "int"),
            Column("acceptance", lab("acceptance"), "pct"),
        ],
        [
            [str(r.bin), int(r.offers), None if pd.isna(r.acceptance) else float(r.acceptance)]
            for r in a.itertuples()
        ],
    )
    return [pockets_table, acceptance_table]
