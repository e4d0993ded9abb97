"""The first-run guide: on a store with no roles, resumes or events, the Overview walks the
user through the first step instead of showing empty charts."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.i18n import fmt_int, t

DEMO = "talentmap demo --candidates 10000 --seed 7"


def _step(number: int, key: str, count: int, commands: list[str], doc: str | None) -> None:
    with st.container(border=True):
        done = "✅" if count else "⬜"
        st.markdown(f"{done} **{number}. {t(f'first.{key}')}**")
        st.write(t(f"first.{key}_text"))
        st.code("\n".join(commands), language="bash")
        if doc:
            st.caption(t("first.format", doc=doc))
        st.caption(t("first.stored", n=fmt_int(count)))


def show(counts: dict[str, int]) -> None:
    """Draw the guide for a store holding ``counts`` (``data.queries.setup.setup_counts``)."""
    st.subheader(t("first.title"))
    st.write(t("first.intro"))
    writer = state.user_can("write")
    if not writer:
        st.info(t("first.viewer"))
    with st.container(border=True):
        st.markdown(f"**{t('first.demo')}**")
        st.write(t("first.demo_text"))
        st.code(DEMO, language="bash")
    st.markdown(f"**{t('first.own')}**")
    _step(
        1,
        "roles",
        counts["roles"],
        ["talentmap roles import docs/examples/roles.csv"],
        "docs/roles-format.md",
    )
    if writer:
        st.page_link("app_pages/roles_skills.py", label=t("first.roles_link"), icon="➕")
    _step(2, "resumes", counts["resumes"], ["talentmap resumes import ./resumes/"], None)
    if state.user_can("decide"):
        st.page_link("app_pages/matching.py", label=t("first.resumes_link"), icon="📄")
    _step(
        3,
        "events",
        counts["candidates"] + counts["events"],
        [
            "talentmap import candidates people.csv",
            "talentmap import events stage_events.csv",
        ],
        "docs/import-formats.md",
    )
    st.caption(t("first.after"))
