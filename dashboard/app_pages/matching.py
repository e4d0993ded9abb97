"""Matching: upload resumes or pick stored ones, pick roles, get ranked shortlists with
explanations, and record advance / reject decisions (the feedback the matcher learns from)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import resources, state
from dashboard.i18n import formatter, lang, skill, t
from dashboard.uploads import file_uploader
from data.errors import TalentMapError
from data.reference import labels
from data.text.markup import md_plain

user = state.require("decide")
st.title(t("nav.matching"))
url = resources.store_url()
cfg = resources.settings()
titles = resources.role_titles(url, lang())


def _import(files: list) -> None:
    """Store the uploaded files; remember the new resume ids and the failures."""
    from data.ingest.resumes import import_resume_files
    from data.text.resume_files import Limits

    cfg.ensure_dirs()
    tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=cfg.uploads_dir))
    try:
        paths = []
        for i, f in enumerate(files):
            # one folder per upload, so the store keeps the user's own file name
            p = tmp / f"{i:03d}" / Path(f.name).name
            p.parent.mkdir()
            p.write_bytes(f.getvalue())
            paths.append(p)
        bar = st.progress(0.0)
        # each file parsed with no transaction open, stored in its own short one
        report = import_resume_files(
            resources.engine(),
            paths,
            actor=user.name,
            progress=lambda d, n: bar.progress(d / max(n, 1)),
            limits=Limits(max_bytes=cfg.max_upload_bytes),
        )
        bar.empty()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the store keeps the (masked) text only
    ids = list(report.stored) + [rid for _, rid in report.duplicates]
    st.session_state["match_uploaded"] = ids
    st.session_state["match_failed"] = [
        {"file": f.file_name, "reason": f.reason, "code": f.code, "params": f.params}
        for f in report.failed
    ]
    resources.clear_caches()


def _step(m: dict) -> str:
    """The hierarchy step, e.g. " (Qwen → Large Language Models)", of a credited skill."""
    return f" ({m['step']})" if m.get("step") else ""


def _plain(text: str) -> str:
    """``text`` with markdown's special characters escaped (widget labels render markdown;
    without ``[]`` a ``(...)`` cannot form a link, so parentheses stay as they are)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>#!|~$:" else c for c in text)


direction = st.radio(
    t("match.direction"),
    ["by_role", "by_resume"],
    horizontal=True,
    key="match_direction",
    format_func=formatter("match.direction_"),
)
if direction == "by_resume":
    from dashboard import mobility_view

    mobility_view.render(user, cfg, titles)
    st.stop()

uploads = file_uploader(
    t("match.upload"), types=["pdf", "docx", "txt", "md"], multiple=True, key="match_upload"
)
stored = resources.stored_resumes(url)
picked = st.multiselect(
    t("match.stored"),
    options=[r[0] for r in stored],
    format_func=dict(stored).get,
    key="match_stored",
    placeholder=t("pick.placeholder"),
)
roles = st.multiselect(
    t("match.roles"),
    options=sorted(titles, key=titles.get),
    format_func=titles.get,
    key=state.widget_key("match_roles"),
    placeholder=t("pick.placeholder"),
)

if st.button(t("match.run"), key="match_run", type="primary"):
    if uploads:
        _import(uploads)
    ids = list(dict.fromkeys(st.session_state.get("match_uploaded", []) + list(picked)))
    if not ids or not roles:
        st.warning(t("match.need_input"))
    else:
        from ml.matcher import run_match

        bar = st.progress(0.0, text=t("match.embedding"))
        with resources.session() as s:
            scorer, version_id = resources.active_pair_scorer(s, user.name)
        # no write lock while encoding; the run is stored in one short transaction
        result = run_match(
            resources.engine(),
            resources.encoder(cfg.encoder),
            role_keys=roles,
            resume_ids=ids,
            top_k=min(20, len(ids)),
            actor=user.name,
            pair_scorer=scorer,
            model_version_id=version_id,
            progress=lambda d, n: bar.progress(min(d / max(n, 1), 1.0), text=t("match.embedding")),
        )
        bar.empty()
        st.session_state["match_run_id"] = result.run_id

failed = st.session_state.get("match_failed") or []
if failed:
    st.subheader(t("match.failed"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("col.file"): f["file"],
                    t("col.reason"): labels.error_text(
                        f.get("code"), f.get("params"), f["reason"], lang()
                    ),
                }
                for f in failed
            ]
        ),
        hide_index=True,
        key="match_failed_table",
    )

run_id = st.session_state.get("match_run_id")
if run_id is not None:
    from ml.matcher import load_run

    with resources.session() as s:
        result = load_run(s, run_id)
        role_ids = resources.role_ids(s)
        pseudonyms = resources.pseudonyms(s, [r.resume_id for r in result.rows])
    from ml.provenance import describe_scorer

    st.caption(t("match.scored_by", scorer=describe_scorer(result.scorer, lang())))
    for role_key in dict.fromkeys(r.role for r in result.rows):
        rows = result.for_role(role_key)
        st.subheader(t("match.shortlist", role=md_plain(titles.get(role_key, role_key))))
        table = pd.DataFrame(
            [
                {
                    t("col.rank"): r.rank,
                    t("col.candidate"): pseudonyms.get(r.resume_id, r.resume),
                    t("col.file"): r.resume,  # the uploaded file's name, so HR can tell who is who
                    t("col.score"): round(r.score, 1),
                    t("col.matched"): "; ".join(
                        f"{skill(m)}{_step(m)}: “{m['evidence']}”"
                        for m in r.explanation.get("matched_skills", [])
                    ),
                    t("col.missing"): ", ".join(
                        skill(m) for m in r.explanation.get("missing_required", [])
                    ),
                }
                for r in rows
            ]
        )
        st.dataframe(
            table,
            hide_index=True,
            key=f"match_table_{role_key}",  # text, never HTML
            column_config={
                t("col.score"): st.column_config.NumberColumn(format="%.1f", width="small"),
                t("col.rank"): st.column_config.NumberColumn(width="small"),
            },
        )
        if rows and not rows[0].explanation.get("matched_skills"):
            # ranked first on passage similarity alone: worth a look before trusting the order
            st.warning(
                t(
                    "match.top_no_skills",
                    who=md_plain(pseudonyms.get(rows[0].resume_id, rows[0].resume)),
                )
            )
        st.caption(t("match.decide_hint"))
        for r in rows:
            who = f"{pseudonyms.get(r.resume_id, r.resume)} ({r.resume})"
            matched = r.explanation.get("matched_skills", [])
            missing = r.explanation.get("missing_required", [])
            label = t(
                "match.row",
                rank=r.rank,
                who=md_plain(who),
                score=f"{r.score:.1f}",
                matched=len(matched),
                missing=len(missing),
            )
            with st.expander(label, expanded=r.rank == 1):
                c1, c2 = st.columns(2)
                with c1:
                    st.markdown(f"**{t('col.matched')}**")
                    # st.text: resume snippets are shown as plain text, never as markdown/HTML
                    st.text(
                        "\n".join(f"✓ {skill(m)}{_step(m)} — “{m['evidence']}”" for m in matched)
                        or "—"
                    )
                with c2:
                    st.markdown(f"**{t('col.missing')}**")
                    st.text("\n".join(f"✗ {skill(m)}" for m in missing) or "—")
                passages = r.explanation.get("strongest_passages") or []
                if passages:
                    st.markdown(f"**{t('match.passages')}**")
                    st.text("\n".join(f"{p['similarity']:.2f} · “{p['text']}”" for p in passages))
                b1, b2, _ = st.columns([1, 1, 4])
                for col, decision in ((b1, "advance"), (b2, "reject")):
                    if col.button(
                        t(f"match.{decision}"),
                        key=f"fb_{decision}_{role_key}_{r.resume_id}",
                        type="primary" if decision == "advance" else "secondary",
                    ):
                        from data.ingest.feedback import record_feedback

                        try:
                            resources.write(
                                lambda s, rid=r.resume_id, rk=role_key, d=decision: record_feedback(
                                    s, rid, role_ids[rk], d, reviewer=user.name, actor=user.name
                                )
                            )
                            st.success(
                                t(
                                    "match.recorded",
                                    decision=t(f"match.{decision}"),
                                    candidate=md_plain(who),
                                    reviewer=user.name,
                                )
                            )
                        except TalentMapError as err:
                            state.show_error(err)
