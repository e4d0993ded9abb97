"""Compensation: offers against the market (OEWS for US locations, imported surveys elsewhere)
and the company's bands, below-market pockets, acceptance by competitiveness, SOC routes."""

from __future__ import annotations

import streamlit as st

from analytics.compensation import BELOW_MARKET, benchmark_table, compensation_report, load_book
from dashboard import figures, resources, state, tables
from dashboard.i18n import lang, level_name, t
from data.errors import TalentMapError
from data.queries.planning import requisitions, roles_for_pay

user = state.require("read")
st.title(t("nav.compensation"))
lg = lang()
data_dir = resources.settings().data_dir

with resources.session() as s:
    rep = compensation_report(s, data_dir)
offers = rep["offers"]
if offers.empty:
    st.info(t("comp.empty"))
    st.stop()

from data.reference.pay import load_locations  # noqa: E402

titles = resources.role_titles(resources.store_url(), lang())
places = load_locations()


def role_name(key: str) -> str:
    return titles.get(key, key)


def place_name(key: str) -> str:
    """A location's name in the user's language (a free-text location as it was typed)."""
    loc = places.get(key)
    return key if loc is None else loc.name_zh if lang() == "zh" else loc.name_en


def named(df):  # type: ignore[no-untyped-def]
    """``df`` with role and location keys replaced by what a reader calls them."""
    out = df.copy()
    if "role" in out:
        out["role"] = out["role"].map(role_name)
    if "location" in out:
        out["location"] = out["location"].map(place_name)
    if "level" in out:
        out["level"] = out["level"].map(lambda v: level_name(v, lg))
    return out


pk = named(rep["pockets"])
below = pk[pk["below_market"].astype(bool)]
if below.empty:
    st.success(t("comp.none_below"))
else:
    st.warning(
        t(
            "comp.below",
            pockets="; ".join(
                f"{r.role} / {r.level} / {r.location} ({r.compa_market:.2f}, n={r.offers})"
                for r in below.itertuples()
            ),
        )
    )
st.subheader(t("comp.hist"))
st.plotly_chart(
    figures.histogram(
        offers["compa_market"].dropna(), t("comp.hist"), t("comp.hist_x"), marker=BELOW_MARKET
    ),
    key="comp_hist",
)
st.subheader(t("comp.pockets"))
tables.show(
    pk,
    {
        "role": t("col.role"),
        "level": t("col.level"),
        "location": t("col.location"),
        "offers": t("col.offers"),
        "compa_market": t("col.compa_market"),
        "compa_band": t("col.compa_band"),
        "acceptance": t("col.acceptance"),
        "below_market": t("col.below_market"),
    },
    counts=["offers"],
    percents=["acceptance"],
    ratios=["compa_market", "compa_band"],
    key="comp_pockets",
)
st.subheader(t("comp.acceptance"))
acc = rep["acceptance"].assign(bin=lambda d: d["bin"].astype(str))
st.plotly_chart(
    figures.bars(
        list(acc["bin"]),
        list(acc["acceptance"].fillna(0)),
        t("comp.acceptance"),
        t("col.acceptance"),
        percent=True,
    ),
    key="comp_acceptance",
)
tables.show(
    acc,
    {"bin": t("col.bin"), "offers": t("col.offers"), "acceptance": t("col.acceptance")},
    counts=["offers"],
    percents=["acceptance"],
    key="comp_acceptance_table",
)

st.subheader(t("comp.benchmark"))
with resources.session() as s:
    book = load_book(s, data_dir)
    roles = roles_for_pay(s)
    locs = sorted(set(requisitions(s)["location"]))
bench = named(benchmark_table(book, roles, locs, lang=lg))
tables.show(
    bench,
    {
        "role": t("col.role"),
        "location": t("col.location"),
        "soc": t("col.soc"),
        "route": t("col.route"),
        "median_local": t("col.median_local"),
        "currency": t("col.currency"),
        "median_usd": t("col.median_usd"),
        "source": t("col.source"),
    },
    counts=["median_local", "median_usd"],
    key="comp_benchmark",
)
st.caption(t("comp.citation", citation=rep["citation"]))

if state.user_can("write"):
    with st.form("soc_form"):
        st.write(t("comp.set_soc"))
        role = st.selectbox(
            t("comp.soc_role"), list(roles["key"]), format_func=role_name, key="soc_role"
        )
        code = st.text_input(t("comp.soc_code"), key="soc_code")
        if st.form_submit_button(t("comp.soc_save")):
            from sqlalchemy import select

            from data.reference.pay import check_soc
            from data.store.models import Role

            try:
                soc = check_soc(code) if code.strip() else None
                with resources.session() as s:
                    row = s.scalar(select(Role).where(Role.key == role))
                    row.soc_code = soc
                    state.audit(s, "pay.set_soc", target_type="role", target=role)
                    s.commit()
                st.success(t("comp.soc_saved", role=role_name(role), soc=soc or "—"))
            except TalentMapError as err:
                st.error(str(err))
