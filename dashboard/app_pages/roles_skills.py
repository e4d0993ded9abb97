"""Roles and skills: the role × skill matrix, demand against supply (biggest gaps first), a
role's profile, and what the strategy documents say, with provenance."""

from __future__ import annotations

import streamlit as st

from dashboard import figures, resources, role_form, state
from dashboard.i18n import fmt_pct, in_language, known, lang, t
from data.reference import labels
from data.text.markup import md_plain

state.require("read")
st.title(t("nav.roles"))
url = resources.store_url()
f = state.filters()
lg = lang()

total_skills = resources.skill_count(url, f)
if total_skills:
    count = st.slider(
        t("roles.matrix_count"),
        min_value=1,
        max_value=total_skills,
        value=min(25, total_skills),
        key="roles_matrix_count",
        help=t("roles.matrix_note"),
    )
    m = resources.matrix(url, f, lg, count)
    if not m.empty:
        st.plotly_chart(
            figures.heatmap(m, t("roles.matrix"), t("col.importance")), key="roles_matrix"
        )
        st.caption(t("roles.matrix_note"))

st.subheader(t("roles.gaps"))
st.caption(t("roles.gap_note"))
cache_dir = str(resources.settings().cache_dir.resolve())
meta = resources.resume_meta(url)
bar = st.empty()
resources.refresh_supply_index(  # the first view after a big import reads every resume once
    url,
    cache_dir,
    meta,
    progress=lambda done, total: bar.progress(
        min(done / max(total, 1), 1.0), text=t("roles.indexing")
    ),
)
bar.empty()
g = resources.gaps(url, f, lg, meta, cache_dir)
if not g.empty:
    top = g.head(15)
    st.plotly_chart(
        figures.demand_supply(
            top["name"].tolist(),
            top["demand_share"].tolist(),
            top["supply_share"].tolist(),
            t("roles.gap_chart"),
            (t("col.demand_share"), t("col.supply_share")),
        ),
        key="roles_gaps_chart",
    )
    st.dataframe(
        g.assign(
            demand_share=g["demand_share"].map(fmt_pct),
            supply_share=g["supply_share"].map(fmt_pct),
            coverage=g["coverage"].map(fmt_pct),
            gap=g["gap"].map(lambda x: fmt_pct(x, signed=True)),
        )[["name", "roles", "resumes", "coverage", "demand_share", "supply_share", "gap"]].rename(
            columns={
                "name": t("col.skill"),
                "roles": t("col.roles"),
                "resumes": t("col.resumes"),
                "coverage": t("col.coverage"),
                "demand_share": t("col.demand_share"),
                "supply_share": t("col.supply_share"),
                "gap": t("col.gap"),
            }
        ),
        hide_index=True,
        key="roles_gaps_table",
    )

st.subheader(t("roles.profile"))
titles = resources.role_titles(url, lg)
keys = list(f.roles) or sorted(titles, key=lambda k: titles[k])
if keys:
    key = st.selectbox(
        t("roles.pick"), keys, format_func=titles.get, key=state.widget_key("roles_pick")
    )
    prof = resources.role_profile(url, key, lg)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("col.status"), t("roles.open") if prof["is_open"] else t("roles.closed"))
    c2.metric(t("roles.headcount"), prof["headcount"])
    c3.metric(t("roles.skills"), len(prof["skills"]))
    if prof["description"]:
        st.text(in_language(prof["description"], lg))  # plain text, never HTML
    st.dataframe(
        prof["skills"][["skill", "importance", "required"]].rename(
            columns={
                "skill": t("col.skill"),
                "importance": t("col.importance"),
                "required": t("col.required"),
            }
        ),
        hide_index=True,
        key="roles_profile_table",
    )

role_form.show()

st.subheader(t("roles.docmap"))
docs = resources.document_map(url)
if docs.empty:
    st.info(t("roles.no_docs"))
else:
    for kind, part in docs.groupby("kind", sort=False):
        label = t(f"kind.{kind}") if known(f"kind.{kind}") else kind
        with st.expander(f"{md_plain(label)} ({len(part)})"):
            st.dataframe(
                part.assign(
                    lines=part["line_start"].astype(str) + "–" + part["line_end"].astype(str),
                    canonical_key=[
                        labels.canonical_name(str(kind), k, lg) for k in part["canonical_key"]
                    ],
                )[["label", "canonical_key", "document", "lines", "text"]].rename(
                    columns={
                        "label": t("col.label"),
                        "canonical_key": t("col.key"),
                        "document": t("col.document"),
                        "lines": t("col.lines"),
                        "text": t("col.text"),
                    }
                ),
                hide_index=True,
                key=f"roles_doc_{kind}",
            )
