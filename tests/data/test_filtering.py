"""The region filter narrows every candidate query alike: analytics, the audit, the report."""

from __future__ import annotations

import pandas as pd

from analytics import pipeline
from analytics.filters import Filters
from data.queries.audit import selection_counts
from data.store.engine import session_scope
from tests.dashboard.seed import seed_store

ASIA = Filters(regions=("Asia",))
ASIA_BY_COUNTRY = Filters(countries=("CN", "IN", "SG"))  # the seed's Asian countries


def test_region_filter_equals_its_countries_in_the_audit(engine) -> None:
    seed_store(engine)
    with session_scope(engine) as s:
        by_region = selection_counts(s, "screening", ASIA)
        by_country = selection_counts(s, "screening", ASIA_BY_COUNTRY)
        everyone = selection_counts(s, "screening", Filters())
    assert by_region["n"].sum() > 0
    assert by_region["n"].sum() < everyone["n"].sum()
    pd.testing.assert_frame_equal(by_region, by_country)


def test_region_filter_equals_its_countries_in_the_funnel(engine) -> None:
    seed_store(engine)
    with session_scope(engine) as s:
        by_region = pipeline.funnel(s, ASIA)
        by_country = pipeline.funnel(s, ASIA_BY_COUNTRY)
    pd.testing.assert_frame_equal(by_region, by_country)
