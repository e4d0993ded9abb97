"""Matching page, other direction: pick a candidate, see the roles they fit best (internal
mobility, referrals), with the same explanations and the line saying what scored them."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import resources
from dashboard.i18n import lang, skill, t


def render(user: Any, cfg: Any, titles: dict[str, str]) -> None:
    """The by-resume view (UI only; the work is ``ml.mobility.match_by_resume``)."""
    url = resources.store_url()
    stored = resources.stored_resumes(url)
    if not stored:
        st.info(t("match.need_input"))
        return
    labels = dict(stored)
    pick = st.selectbox(
        t("match.candidate"),
        [r[0] for r in stored],
        format_func=labels.get,
        key="mob_resume",
    )
    top = st.slider(
        t("col.rank"), 1, max(1, len(titles)), min(5, max(1, len(titles))), key="mob_top"
    )
    if st.button(t("match.run_roles"), key="mob_run", type="primary"):
        from ml.mobility import run_match_by_resume

        bar = st.progress(0.0, text=t("match.embedding"))
        with resources.session() as s:
            scorer, version_id = resources.active_pair_scorer(s, user.name)
        # no write lock while encoding; the run is stored in one short transaction
        result = run_match_by_resume(
            resources.engine(),
            resources.encoder(cfg.encoder),
            resume_ids=[int(pick)],
            top_k=int(top),
            actor=user.name,
            pair_scorer=scorer,
            model_version_id=version_id,
            index_dir=cfg.data_dir / "index",
            progress=lambda d, n: bar.progress(min(d / max(n, 1), 1.0), text=t("match.embedding")),
        )
        bar.empty()
        st.session_state["mob_run_id"] = result.run_id
    run_id = st.session_state.get("mob_run_id")
    if run_id is None:
        return
    from ml.matcher import load_run
    from ml.provenance import describe_scorer

    with resources.session() as s:
        result = load_run(s, run_id)
        pseudonyms = resources.pseudonyms(s, [r.resume_id for r in result.rows])
    st.caption(
        t("match.scored_by", scorer=describe_scorer(result.scorer, lang(), direction="by_resume"))
    )
    for rid in dict.fromkeys(r.resume_id for r in result.rows):
        rows = result.for_resume(rid)
        who = f"{pseudonyms.get(rid, rows[0].resume)} ({rows[0].resume})"
        st.subheader(t("match.best_roles", who=who))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("col.rank"): r.rank,
                        t("col.role"): titles.get(r.role, r.role),
                        t("col.score"): round(r.score, 1),
                        t("col.matched"): "; ".join(
                            f"{skill(m)}: “{m['evidence']}”"
                            for m in r.explanation.get("matched_skills", [])
                        ),
                        t("col.missing"): ", ".join(
                            skill(m) for m in r.explanation.get("missing_required", [])
                        ),
                    }
                    for r in rows
                ]
            ),
            hide_index=True,
            key=f"mob_table_{rid}",
            column_config={
                t("col.score"): st.column_config.NumberColumn(format="%.1f", width="small"),
            },
        )
        for r in rows:
            with st.expander(
                f"{r.rank}. {titles.get(r.role, r.role)} · {r.score:.1f}", expanded=r.rank == 1
            ):
                c1, c2 = st.columns(2)
                matched = r.explanation.get("matched_skills", [])
                missing = r.explanation.get("missing_required", [])
                with c1:
                    st.markdown(f"**{t('col.matched')}**")
                    st.text("\n".join(f"✓ {skill(m)} — “{m['evidence']}”" for m in matched) or "—")
                with c2:
                    st.markdown(f"**{t('col.missing')}**")
                    st.text("\n".join(f"✗ {skill(m)}" for m in missing) or "—")
