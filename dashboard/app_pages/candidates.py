"""Candidates: search (pseudonym, name where allowed, skill, country, role, stage) and one
candidate's view — resume text, applications, stage history, scores, decisions — with the
stage-move control for users who may write."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import select

from dashboard import resources, state
from dashboard.i18n import country_formatter, country_name, formatter, lang, t
from data.errors import TalentMapError
from data.reference.stages import STAGES, stage_label
from data.store.models import Candidate, Role

user = state.require("read")
see_contacts = state.user_can("contacts")
st.title(t("nav.candidates"))
LANG = lang()  # bound now: widget labels are formatted outside the script run too
ANY = t("cand.any")
COUNTRY = country_formatter()
STATUS = formatter("cand.status.")
DECISION = formatter("match.")


def stage_name(key: str) -> str:
    return stage_label(key, LANG)


with resources.session() as s:
    roles = {r.key: (r.title_zh if LANG == "zh" else r.title_en) for r in s.scalars(select(Role))}
    countries = sorted(c for c in s.scalars(select(Candidate.country).distinct()) if c is not None)

c1, c2, c3 = st.columns(3)
text = c1.text_input(
    t("cand.search_name") if see_contacts else t("cand.search_pseudonym"), key="cand_text"
)
skill = c2.text_input(t("cand.skill"), key="cand_skill")
country = c3.selectbox(
    t("cand.country"),
    [None, *countries],
    format_func=lambda c: ANY if c is None else COUNTRY(c),
    key=state.widget_key("cand_country"),
)
c4, c5 = st.columns(2)
role = c4.selectbox(
    t("cand.role"),
    [None, *roles],
    format_func=lambda k: ANY if k is None else roles[k],
    key=state.widget_key("cand_role"),
)
stage = c5.selectbox(
    t("cand.stage"),
    [None, *STAGES],
    format_func=lambda k: ANY if k is None else stage_name(k),
    key=state.widget_key("cand_stage"),
)

from data.queries.candidates import MAX_RESULTS, candidate_view, search_candidates  # noqa: E402

with resources.session() as s:
    found = search_candidates(
        s,
        text=text,
        skill=skill,
        country=country,
        role=role,
        stage=stage,
        see_contacts=see_contacts,
    )


def _apps(apps: list[tuple[str, str, str]]) -> str:
    return "; ".join(
        f"{roles.get(k, k)} · {stage_name(cur)} · {STATUS(status)}" for k, cur, status in apps
    )


if not found:
    st.info(t("cand.none"))
    st.stop()
st.caption(t("cand.found", n=len(found), max=MAX_RESULTS))
table = pd.DataFrame(
    {
        t("cand.col.pseudonym"): [r["pseudonym"] for r in found],
        **({t("cand.col.name"): [r.get("name") or "—" for r in found]} if see_contacts else {}),
        t("cand.country"): [country_name(r["country"]) for r in found],
        t("cand.col.applications"): [_apps(r["applications"]) for r in found],
    }
)
st.dataframe(table, hide_index=True, width="stretch")

chosen = st.selectbox(
    t("cand.open"), [r["pseudonym"] for r in found], key=state.widget_key("cand_open")
)
with resources.session() as s:
    view = candidate_view(s, chosen, see_contacts=see_contacts)

st.subheader(view["pseudonym"])
st.caption(f"{country_name(view['country'])}")
if view["contact"]:
    ct = view["contact"]
    st.markdown(
        f"**{t('cand.contact')}**: "
        + " · ".join(str(v) for v in (ct["name"], ct["email"], ct["phone"]) if v)
    )

st.markdown(f"**{t('cand.applications')}**")
if view["applications"]:
    st.dataframe(
        pd.DataFrame(
            {
                t("cand.role"): [roles.get(a["role"], a["role"]) for a in view["applications"]],
                t("cand.stage"): [stage_name(a["stage"]) for a in view["applications"]],
                t("cand.col.status"): [STATUS(a["status"]) for a in view["applications"]],
                t("cand.col.applied"): [a["applied_at"].date() for a in view["applications"]],
            }
        ),
        hide_index=True,
    )
else:
    st.caption("—")

st.markdown(f"**{t('cand.history')}**")
if view["events"]:
    st.dataframe(
        pd.DataFrame(
            {
                t("cand.col.when"): [e["at"] for e in view["events"]],
                t("cand.role"): [roles.get(e["role"], e["role"]) for e in view["events"]],
                t("cand.col.from"): [
                    stage_name(e["from"]) if e["from"] else "—" for e in view["events"]
                ],
                t("cand.col.to"): [stage_name(e["to"]) for e in view["events"]],
                t("cand.col.outcome"): [
                    t(f"cand.outcome.{e['outcome']}") if e["outcome"] else "—"
                    for e in view["events"]
                ],
                t("cand.col.by"): [e["actor"] or "—" for e in view["events"]],
            }
        ),
        hide_index=True,
    )
else:
    st.caption("—")

st.markdown(f"**{t('cand.scores')}**")
if view["scores"]:
    st.dataframe(
        pd.DataFrame(
            {
                t("cand.col.run"): [m["run"] for m in view["scores"]],
                t("cand.role"): [roles.get(m["role"], m["role"]) for m in view["scores"]],
                t("cand.col.score"): [round(m["score"], 3) for m in view["scores"]],
                t("cand.col.rank"): [m["rank"] for m in view["scores"]],
            }
        ),
        hide_index=True,
    )
else:
    st.caption("—")

st.markdown(f"**{t('cand.decisions')}**")
if view["decisions"]:
    st.dataframe(
        pd.DataFrame(
            {
                t("cand.role"): [roles.get(d["role"], d["role"]) for d in view["decisions"]],
                t("cand.col.reviewer"): [d["reviewer"] for d in view["decisions"]],
                t("cand.col.decision"): [DECISION(d["decision"]) for d in view["decisions"]],
                t("cand.col.when"): [d["at"] for d in view["decisions"]],
                t("cand.col.note"): [d["note"] or "" for d in view["decisions"]],
            }
        ),
        hide_index=True,
    )
else:
    st.caption("—")

for r in view["resumes"]:
    with st.expander(t("cand.resume", file=r["file_name"])):
        st.text(r["text"])

st.markdown(f"**{t('cand.notes')}**")
if state.user_can("write"):
    from data.store.notes import MAX_NOTE_CHARS, add_note

    with st.form("cand_note_form", clear_on_submit=True):
        note = st.text_area(t("cand.note_new"), key="cand_note_text", max_chars=MAX_NOTE_CHARS)
        if st.form_submit_button(t("cand.note_add")):
            try:
                resources.write(lambda s: add_note(s, view["pseudonym"], note, author=user.name))
            except TalentMapError as err:
                state.show_error(err)
            else:
                st.session_state["cand_note_done"] = True
                st.rerun()  # the list below shows the new note
if st.session_state.pop("cand_note_done", False):
    st.success(t("cand.note_added"))
if view["notes"]:
    for n in view["notes"]:
        with st.container(border=True):
            st.caption(t("cand.note_by", author=n["author"], at=f"{n['at']:%Y-%m-%d %H:%M} UTC"))
            st.text(n["text"])  # plain text: a note is never rendered as Markdown or HTML
else:
    st.caption(t("cand.no_notes"))

if state.user_can("write") and view["applications"]:
    st.markdown(f"**{t('cand.move')}**")
    apps = {a["id"]: a for a in view["applications"]}
    m1, m2, m3 = st.columns([2, 2, 1])
    app_id = m1.selectbox(
        t("cand.role"),
        list(apps),
        # the role only: a label that changed with the stage would lose the choice on rerun
        format_func=lambda i: f"{roles.get(apps[i]['role'], apps[i]['role'])} (#{i})",
        key=state.widget_key("cand_move_app"),
    )
    to_stage = m2.selectbox(
        t("cand.move_to"),
        list(STAGES),
        format_func=stage_name,
        key=state.widget_key("cand_move_to"),
    )
    if m3.button(t("cand.move_button"), key="cand_move", type="primary"):
        from data.ingest.people import move_stage

        try:
            ev = resources.write(lambda s: move_stage(s, app_id, to_stage, actor=user.name))
            if ev is None:
                st.info(t("cand.move_same", stage=stage_name(to_stage)))
            else:
                st.success(t("cand.moved", candidate=view["pseudonym"], stage=stage_name(to_stage)))
                st.rerun()
        except TalentMapError as err:
            state.show_error(err)
