"""Documents: upload strategy documents and see what was extracted, with provenance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import resources, state, uploads
from dashboard.i18n import known, lang, t
from data.reference import labels
from data.text.markup import md_plain

state.require("read")
st.title(t("nav.documents"))
cfg = resources.settings()

if state.user_can("write"):
    files = uploads.file_uploader(
        t("docs.upload"), types=["md", "txt"], multiple=True, key="docs_upload"
    )
    if st.button(t("docs.import"), key="docs_import", disabled=not files):
        from data.ingest.documents import import_documents

        user = state.require("write")
        folder = cfg.uploads_dir / "documents"  # a stable path: a re-upload replaces
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for f in files or []:
            p = folder / Path(f.name).name
            p.write_bytes(f.getvalue())
            paths.append(p)
        bar = st.progress(0.0)
        with resources.session() as s:
            report = import_documents(
                s,
                paths,
                actor=user.name,
                progress=lambda d, n, *_: bar.progress(d / max(n, 1)),
                max_bytes=cfg.max_upload_bytes,
            )
        bar.empty()
        done = len(report.imported) + len(report.replaced) + len(report.unchanged)
        st.success(t("docs.imported", n=done))
        for name, why in report.failed:
            state.show_error(f"{Path(str(name)).name}: {why}")
        resources.clear_caches()

from data.queries.documents import document_detail, list_documents  # noqa: E402

with resources.session() as s:
    docs = list_documents(s)
if not docs:
    st.info(t("roles.no_docs"))
    st.stop()
st.subheader(t("docs.list"))
st.dataframe(
    pd.DataFrame(
        [
            {
                t("col.document"): d.file_name,
                t("col.title"): d.title or "",
                t("col.language"): t(f"language.{d.language}")
                if known(f"language.{d.language}")
                else d.language,
                **{t(f"kind.{k}") if known(f"kind.{k}") else k: n for k, n in d.counts.items()},
            }
            for d in docs
        ]
    ),
    hide_index=True,
    key="docs_table",
)
names = {d.id: d.file_name for d in docs}
doc_id = st.selectbox(t("docs.pick"), list(names), format_func=names.get, key="docs_pick")
with resources.session() as s:
    _, items = document_detail(s, doc_id)
    rows = [
        {
            t("col.kind"): t(f"kind.{e.kind}") if known(f"kind.{e.kind}") else e.kind,
            t("col.label"): e.label,
            t("col.key"): labels.canonical_name(e.kind, e.canonical_key, lang()),
            t("col.lines"): f"{e.line_start}–{e.line_end}",
            t("col.text"): e.text,
        }
        for e in items
    ]
    drawings = [
        (e.kind, e.label, e.line_start, e.line_end, dict(e.payload or {}))
        for e in items
        if e.kind in ("pipeline", "diagram") and (e.payload or {}).get("nodes")
    ]
if drawings:
    from data.text.mermaid import to_dot

    st.subheader(t("docs.drawings"))
    for kind, label, start, end, payload in drawings:
        st.markdown(f"**{md_plain(label)}**")
        st.caption(t("docs.drawing_from", kind=t(f"kind.{kind}"), start=start, end=end))
        # drawn by Streamlit's bundled Graphviz renderer: no script or font from a CDN
        st.graphviz_chart(
            to_dot(
                payload["nodes"],
                payload.get("edges") or [],
                direction=str(payload.get("direction") or "TD"),
                subgraphs=payload.get("subgraphs") or {},
            ),
            width="stretch",
        )
st.subheader(t("docs.extracted"))
kinds = sorted({r[t("col.kind")] for r in rows})
show = st.multiselect(
    t("col.kind"),
    kinds,
    default=kinds,
    key=state.widget_key("docs_kinds"),
    placeholder=t("pick.placeholder"),
)
st.dataframe(
    pd.DataFrame([r for r in rows if r[t("col.kind")] in show]), hide_index=True, key="docs_items"
)  # plain text cells, never HTML
