"""AppTest drives every page of the dashboard on a seeded store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store.engine import session_scope
from data.store.users import add_user

CORE = [
    "app_pages/overview.py",
    "app_pages/roles_skills.py",
    "app_pages/international.py",
    "app_pages/cultivation.py",
]
ALL = CORE + [
    "app_pages/candidates.py",
    "app_pages/matching.py",
    "app_pages/model_lab.py",
    "app_pages/documents.py",
    "app_pages/reports.py",
    "app_pages/admin.py",
]


def _table_with(at, column: str):
    """The first dataframe showing ``column`` (AppTest does not expose dataframe keys)."""
    for df in at.dataframe:
        if any(column in str(c) for c in df.value.columns):
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_every_page_renders(seeded_store, make_app):
    engine, _ = seeded_store
    at = make_app(engine).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    for page in ALL:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page


def test_filter_change_changes_numbers_and_survives_page_change(seeded_store, make_app):
    engine, _ = seeded_store
    at = make_app(engine).run()
    before = _metrics(at)
    at.multiselect(key="w_countries_en").select("US").run()
    after = _metrics(at)
    assert after["International share"] == "100.0%"
    assert after != before
    at.switch_page("app_pages/international.py").run()
    assert at.multiselect(key="w_countries_en").value == ["US"]
    table = _table_with(at, "Country")
    assert list(table.iloc[:, 0]) == ["United States"]
    at.switch_page("app_pages/overview.py").run()
    assert _metrics(at) == after


def test_date_range_filter_changes_numbers(seeded_sqlite, make_app):
    import datetime as dt

    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    full = _metrics(at)
    at.date_input(key="w_dates_en").set_value((dt.date(2025, 1, 1), dt.date(2025, 3, 31))).run()
    assert not at.exception
    assert _metrics(at)["Hires"] != full["Hires"] or _metrics(at) != full


def test_language_switch_changes_labels(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    at = make_app(engine, lang="en").run()
    at.multiselect(key="w_countries_en").select("US").run()
    en_metrics = _metrics(at)
    en = set(en_metrics)
    assert "Open roles" in en
    at.session_state["lang"] = "zh"
    at.run()
    zh_metrics = _metrics(at)
    zh = set(zh_metrics)
    assert "在招岗位" in zh and not (en & zh)
    # the filters survive the switch, and the numbers stay the same
    assert at.multiselect(key="w_countries_zh").value == ["US"]
    assert zh_metrics["国际候选人占比"] == en_metrics["International share"] == "100.0%"
    assert at.title[0].value == "总览"
    at.switch_page("app_pages/international.py").run()
    assert not at.exception
    assert at.title[0].value == "国际招聘管道"


def test_compare_two_countries(seeded_sqlite, make_app):
    engine, seeded = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/international.py").run()
    at.selectbox(key="w_intl_country_a_en").select("US").run()
    at.selectbox(key="w_intl_country_b_en").select("DE").run()
    table = _table_with(at, "United States")
    assert not at.exception
    cols = list(table.columns)
    assert any("United States" in c for c in cols) and any("Germany" in c for c in cols)
    at.radio(key="w_intl_mode_en").set_value("periods").run()
    assert not at.exception


def test_empty_store_says_what_to_do(engine, make_app):
    at = make_app(engine).run()
    assert not at.exception
    # the Overview is the first-run guide (tests/dashboard/test_first_run.py) ...
    assert any("talentmap demo" in c.value for c in at.code)
    # ... and the other pages say what to do above their empty charts
    at.switch_page("app_pages/roles_skills.py").run()
    assert not at.exception
    assert any("talentmap demo" in w.value for w in at.warning)


def test_missing_schema_says_run_init(tmp_path, make_app):
    from data.store.engine import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'blank.sqlite'}")
    at = make_app(eng).run()
    assert not at.exception
    assert any("talentmap init" in e.value for e in at.error)


def test_login_required_once_users_exist_and_viewer_is_read_only(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "vera", "viewer", "pw-vera")
    at = make_app(engine).run()
    assert not at.metric  # nothing before sign-in
    at.text_input(key="login_name").input("vera")
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert any("Wrong user name or password" in e.value for e in at.error)
    at.text_input(key="login_password").input("pw-vera")
    at.button[0].click().run()
    assert not at.exception
    assert _metrics(at)
    # a viewer gets no writing page: they are not even registered in the navigation
    for page in ("app_pages/matching.py",):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    assert "vera (viewer)" in " ".join(c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("page", CORE)
def test_core_pages_in_chinese(seeded_sqlite, make_app, page):
    engine, _ = seeded_sqlite
    at = make_app(engine, lang="zh").run()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_roles_page_profile_follows_the_picked_role(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/roles_skills.py").run()
    at.selectbox(key="w_roles_pick_en").select("ml_engineer").run()
    assert not at.exception
    profile = _table_with(at, "Importance")
    assert list(profile["Skill"]) == ["Python", "PyTorch", "Natural language processing"]
    at.selectbox(key="w_roles_pick_en").select("hr_partner").run()
    assert list(_table_with(at, "Importance")["Skill"]) == ["Communication", "Mandarin"]
    gaps = _table_with(at, "Gap")
    assert len(gaps) > 0


def test_cultivation_numbers_follow_the_country_filter(seeded_sqlite, make_app):
    engine, seeded = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/cultivation.py").run()
    enrolled_all = _table_with(at, "Enrolled")["Enrolled"].sum()
    at.multiselect(key="w_countries_en").select("US").run()
    assert not at.exception
    enrolled_us = _table_with(at, "Enrolled")["Enrolled"].sum()
    us_cands = {a.candidate_id for a in seeded.apps if a.country == "US"}
    assert enrolled_us == sum(1 for _, c, _ in seeded.enrolments if c in us_cands)
    assert 0 < enrolled_us < enrolled_all


def test_an_internal_error_shows_a_message_not_a_traceback(seeded_sqlite, make_app, monkeypatch):
    from dashboard import resources

    engine, _ = seeded_sqlite
    at = make_app(engine)
    monkeypatch.delenv("TALENTMAP_DASHBOARD_RAISE")
    at.run()

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(resources, "funnel", broken)
    at.switch_page("app_pages/international.py").run()
    assert not at.exception
    assert any("internal error" in e.value for e in at.error)
    assert not any("boom" in e.value for e in at.error)


def test_region_filter_scopes_like_its_countries(seeded_store):
    """A region filter selects exactly the applications of that region's countries, in the
    KPIs, the funnel, the breakdowns and the cultivation tables (both databases)."""
    from analytics import cultivation, kpis, pipeline
    from analytics.filters import Filters

    engine, seeded = seeded_store
    asia = {"CN", "IN", "SG"}
    by_region, by_country = Filters(regions=("Asia",)), Filters(countries=tuple(sorted(asia)))
    with session_scope(engine) as s:
        fr, fc = pipeline.funnel(s, by_region), pipeline.funnel(s, by_country)
        assert fr.equals(fc) and fr["reached"].iloc[0] == sum(
            1 for a in seeded.apps if a.country in asia
        )
        assert not fr.equals(pipeline.funnel(s, Filters()))
        assert set(pipeline.breakdown(s, by_region, "country")["key"]) == asia
        assert {k: v.value for k, v in kpis.kpis(s, by_region).items()} == {
            k: v.value for k, v in kpis.kpis(s, by_country).items()
        }
        assert (
            cultivation.programme_summary(s, by_region)["enrolled"].sum()
            == cultivation.programme_summary(s, by_country)["enrolled"].sum()
        )
        both = Filters(regions=("Asia",), countries=("US",))  # both apply: nothing left
        assert pipeline.funnel(s, both).empty
    assert hash(by_region) != hash(by_country)
    assert by_region.previous_period().regions == ("Asia",)


def test_region_filter_and_channel_names_in_the_dashboard(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/international.py").run()
    channels = set(_table_with(at, "Channel")["Channel"])
    assert channels == {"Referral", "LinkedIn", "Campus", "Job board"}
    at.multiselect(key="w_regions_en").select("Asia").run()
    assert not at.exception
    assert set(_table_with(at, "Country")["Country"]) == {"China", "India", "Singapore"}
    at.switch_page("app_pages/overview.py").run()
    assert at.multiselect(key="w_regions_en").value == ["Asia"]
    at.session_state["lang"] = "zh"
    at.switch_page("app_pages/international.py").run()
    assert set(_table_with(at, "渠道")["渠道"]) == {"内部推荐", "领英", "校园招聘", "招聘网站"}
    options = at.multiselect(key="w_channels_zh").options
    assert "领英" in options and "linkedin" not in options


def test_clicking_the_selected_language_keeps_it(seeded_sqlite, make_app):
    """A segmented control clears when its selected option is clicked again; the page must
    keep its language instead of failing."""
    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    at.segmented_control(key="lang").set_value(None).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    at.segmented_control(key="lang").set_value("zh").run()
    at.segmented_control(key="lang").set_value(None).run()
    assert not at.exception
    assert at.title[0].value == "总览"


def test_tables_show_missing_values_as_a_dash_and_keep_counts_numeric(seeded_sqlite, make_app):
    engine, seeded = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/international.py").run()
    funnel = _table_with(at, "Conversion")
    assert funnel["Conversion"].iloc[0] == "—"  # the first stage has no previous stage
    assert all(str(v).endswith("%") for v in funnel["Conversion"].iloc[1:])
    countries = _table_with(at, "Country")
    assert countries["Applications"].sum() == len(seeded.apps)


def test_sign_ins_and_failures_are_audited_and_a_locked_account_says_so(engine, make_app):
    """Issue 15: a successful sign-in's audit row was rolled back by ``st.rerun()`` inside the
    session; failures left no row at all. Both databases: the row must be committed."""
    import datetime as dt

    from sqlalchemy import select

    from data.store.models import AuditLog, LoginAttempt

    with session_scope(engine) as s:
        add_user(s, "vera", "viewer", "pw-vera")
    at = make_app(engine).run()
    at.text_input(key="login_name").input("vera")
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    at.text_input(key="login_password").input("pw-vera")
    at.button[0].click().run()
    assert not at.exception
    assert "vera (viewer)" in " ".join(c.value for c in at.sidebar.caption)
    with session_scope(engine) as s:
        rows = [(a.actor, a.action) for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert rows == [("vera", "dashboard.login_failed"), ("vera", "dashboard.login")]
    # five recent failures (as left by other sessions) lock the account, in any new session
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(engine) as s:
        s.add_all(
            LoginAttempt(at=now, user_name="vera", client="elsewhere", ok=False) for _ in range(5)
        )
    at = make_app(engine).run()
    at.text_input(key="login_name").input("vera")
    at.text_input(key="login_password").input("pw-vera")
    at.button[0].click().run()
    assert any("locked until" in e.value for e in at.error)
    assert "vera (viewer)" not in " ".join(c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    "last,first",
    [
        # worked by hand: a year back from the last day, then on to the next 1st
        (dt.date(2026, 6, 29), dt.date(2025, 7, 1)),  # was 2025-06-30: a one-day June
        (dt.date(2026, 6, 30), dt.date(2025, 7, 1)),  # 364 days back is 2025-07-01 itself
        (dt.date(2026, 12, 31), dt.date(2026, 1, 1)),
        (dt.date(2025, 1, 15), dt.date(2024, 2, 1)),
        (dt.date(2024, 3, 1), dt.date(2023, 4, 1)),  # across a leap day
    ],
)
def test_the_default_period_opens_on_the_first_of_a_month(last, first):
    from dashboard.state import window_start

    assert window_start(last) == first
    assert (last - first).days < 366


def test_a_retention_horizon_no_hire_has_reached_says_so(seeded_sqlite, make_app):
    """Cultivation's retention cards: a horizon that no hire of the period has reached yet
    says so under its dash; one with a value carries no such line."""
    import datetime as dt

    engine, seeded = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/cultivation.py").run()
    end = max(a.hired_at for a in seeded.apps if a.hired_at).date()
    start = end - dt.timedelta(days=100)
    at.date_input(key="w_dates_en").set_value((start, end)).run()
    assert not at.exception, at.exception
    hires = [a for a in seeded.apps if a.hired_at and start <= a.hired_at.date() <= end]
    assert hires  # the seed hires in its last 100 days
    cards = {m.label: m for m in at.metric}
    for h in (180, 365):  # a hire at most 100 days old cannot have been retained h days
        card = cards[f"Retention at {h} days"]
        assert card.value == "—"
        assert card.delta == f"no hire {h} days in yet"
    full = make_app(engine).run()
    full.switch_page("app_pages/cultivation.py").run()
    for m in full.metric:
        if m.label.startswith("Retention at") and m.value != "—":
            assert not m.delta  # a value needs no explanation
