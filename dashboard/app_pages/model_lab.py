"""Model lab: train or retrain (with progress), metrics, confusion matrix, reliability curve,
versions side by side, promote or roll back with the gate's reasons shown."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import figures, resources, state, tables, uploads
from dashboard.i18n import formatter, known, t
from data.errors import PromotionRefused, TalentMapError
from data.text.markup import hide_paths, md_plain

state.require("read")
st.title(t("nav.model_lab"))
cfg = resources.settings()
may_train = state.user_can("models")
KINDS = ["pair_scorer", "classifier"]
kind = st.radio(
    t("lab.kind"),
    KINDS,
    index=KINDS.index(str(state.stored("lab_kind", KINDS[0]))),  # kept across a language change
    horizontal=True,
    key=state.widget_key("lab_kind"),
    format_func=formatter("lab.kind_"),
    on_change=state.remember,
    args=("lab_kind",),
)


def _train(kind: str, labelled_file: Any) -> None:
    from ml import training

    user = state.require("models")
    bar = st.progress(0.0, text=t("lab.training"))

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{t('lab.training')} {stage}")

    enc = resources.encoder(cfg.encoder)
    cfg.ensure_dirs()
    with resources.session() as s:
        if kind == "pair_scorer":
            report = training.train_pair_scorer(
                s, models_dir=cfg.models_dir, actor=user.name, encoder=enc, progress=progress
            )
        else:
            tmp = Path(tempfile.mkdtemp(prefix="labelled-", dir=cfg.uploads_dir))
            try:
                path = tmp / Path(labelled_file.name).name
                path.write_bytes(labelled_file.getvalue())
                data = training.read_labelled_csv(path)
                report = training.train_classifier(
                    s,
                    data,
                    encoder=enc,
                    models_dir=cfg.models_dir,
                    actor=user.name,
                    cache_dir=cfg.cache_dir,
                    progress=progress,
                )
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    bar.empty()
    st.session_state["lab_trained"] = report["version"]
    resources.clear_caches()


if may_train:
    with st.expander(t("lab.train"), expanded=True):
        labelled = None
        if kind == "classifier":
            labelled = uploads.file_uploader(t("lab.labelled"), types=["csv"], key="lab_csv")
        if st.button(
            t("lab.train_button"),
            key="lab_train",
            type="primary",
            disabled=kind == "classifier" and labelled is None,
        ):
            try:
                _train(kind, labelled)
            except TalentMapError as err:
                state.show_error(err)
    if "lab_trained" in st.session_state:
        st.success(t("lab.trained", version=st.session_state["lab_trained"]))


def _rows(kind: str) -> list[dict[str, Any]]:
    from data.store.model_versions import list_versions

    with resources.session() as s:
        return [
            {
                "id": mv.id,
                "version": mv.version,
                "status": mv.status,
                "created_by": mv.created_by,
                "created_at": mv.created_at,
                "promoted_at": mv.promoted_at,
                "metrics": mv.metrics or {},
            }
            for mv in list_versions(s, kind)
        ]


def _test(m: dict[str, Any]) -> dict[str, Any]:
    split = m.get("test_split")
    own = (m.get("evaluations") or {}).get(split, {}) if split else {}
    return {**own, **(m.get("test") or {})}


def _confusion(test: dict[str, Any]) -> tuple[list[list[int]], list[str]] | None:
    if test.get("confusion_matrix"):
        cm = test["confusion_matrix"]
        return cm, [str(c) for c in test.get("labels") or range(len(cm))]
    bins = test.get("reliability")
    if not bins:
        return None
    # pair scorer: the reliability bins hold counts and positive rates; 0.5 is a bin edge
    tp = fp = fn = tn = 0
    for b in bins:
        pos = round(b["count"] * b["fraction_positive"])
        neg = b["count"] - pos
        if b["lo"] >= 0.5:
            tp, fp = tp + pos, fp + neg
        else:
            fn, tn = fn + pos, tn + neg
    return [[tn, fp], [fn, tp]], [t("match.reject"), t("match.advance")]


def _metric_or_status(prefix: str, key: str) -> str:
    """A metric's or a model status's name in the user's language (unknown keys as stored)."""
    return t(f"{prefix}{key}") if known(f"{prefix}{key}") else key


versions = _rows(kind)
if kind == "pair_scorer" and not any(v["status"] == "active" for v in versions):
    # what scores every shortlist until a scorer trained here is promoted
    from ml.default_scorer import load_default_scorer

    default = load_default_scorer()
    st.subheader(t("lab.default_title", version=default.version))
    st.write(
        t(
            "lab.default_body",
            pairs=f"{int(default.meta.get('pairs', 0)):,}",
            resumes=int(default.meta.get("positives", 0)),
            cap=f"{default.cap:.2f}",
            hash=default.data_hash[:12],
        )
    )
    tables.show(
        pd.DataFrame(
            {
                "feature": [t(f"feature.{f}") for f in default.feature_names],
                "weight": [round(float(c), 3) for c in default.coef],
            }
        ),
        {"feature": t("col.feature"), "weight": t("col.weight")},
        ratios=["weight"],
        key="lab_default_weights",
    )
st.subheader(t("lab.versions"))
if any(v["status"] == "active" for v in versions):
    with resources.session() as s:
        notice = resources.serving(
            s, kind, (state.current_user() or state.User("-", "")).name
        ).notice
    if notice is not None:
        st.warning(
            t("model.fallback", broken=notice.broken, serving=notice.serving, error=notice.error)
        )
if not versions:
    st.info(t("lab.no_versions"))
    st.stop()
PRIMARY = ("roc_auc", "accuracy", "ece", "brier", "macro_f1", "top3_accuracy", "n")
table = pd.DataFrame(
    [
        {
            t("col.version"): v["version"],
            t("col.status"): _metric_or_status("model_status.", v["status"]),
            **{
                _metric_or_status("metric.", k): _test(v["metrics"]).get(k)
                for k in PRIMARY
                if _test(v["metrics"]).get(k) is not None
            },
            t("col.created_by"): v["created_by"],
            t("col.created_at"): v["created_at"],
        }
        for v in versions
    ]
)
st.dataframe(table, hide_index=True, key="lab_versions_table")

labels = {
    v["version"]: f"v{v['version']} ({_metric_or_status('model_status.', v['status'])})"
    for v in versions
}
pick = st.multiselect(
    t("lab.compare"),
    list(labels),
    default=[v["version"] for v in versions[-2:]],
    format_func=labels.get,
    key="lab_pick",
    placeholder=t("pick.placeholder"),
)
chosen = [v for v in versions if v["version"] in pick]
if chosen:
    st.subheader(t("lab.metrics"))
    st.dataframe(
        pd.DataFrame(
            {
                labels[v["version"]]: {
                    _metric_or_status("metric.", k): val
                    for k, val in _test(v["metrics"]).items()
                    if isinstance(val, (int, float))
                }
                for v in chosen
            }
        ),
        key="lab_compare_table",
    )
    for v in chosen:
        sel = (v["metrics"].get("selection") or {}).get("candidates") or {}
        if sel:
            winner = v["metrics"]["selection"].get("winner")
            st.caption(f"{t('lab.selection')} · {labels[v['version']]}")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            t("col.model"): name.replace("_", " ")
                            + (f" ({t('lab.winner')})" if name == winner else ""),
                            **{
                                _metric_or_status("metric.", k): m[k]["mean"]
                                for k in ("macro_f1", "accuracy", "top3_accuracy")
                                if k in m
                            },
                        }
                        for name, m in sel.items()
                    ]
                ),
                hide_index=True,
                key=f"lab_selection_{v['version']}",
            )
    cols = st.columns(len(chosen))
    for col, v in zip(cols, chosen, strict=True):
        cm = _confusion(_test(v["metrics"]))
        if cm is not None:
            col.plotly_chart(
                figures.confusion(
                    cm[0],
                    cm[1],
                    f"{t('lab.confusion')} · {labels[v['version']]}",
                    (t("lab.predicted"), t("lab.actual")),
                ),
                key=f"lab_cm_{v['version']}",
            )
    curves = {
        labels[v["version"]]: (
            [b["mean_predicted"] for b in rel],
            [b["fraction_positive"] for b in rel],
        )
        for v in chosen
        if (rel := _test(v["metrics"]).get("reliability"))
    }
    if curves:
        st.plotly_chart(
            figures.reliability(
                curves, t("lab.reliability"), (t("lab.confidence"), t("lab.observed"))
            ),
            key="lab_reliability",
        )

if state.user_can("models"):
    c1, c2 = st.columns(2)
    candidates = [v for v in versions if v["status"] == "candidate"]
    with c1:
        if candidates:
            target = st.selectbox(
                t("lab.promote"),
                [v["version"] for v in candidates],
                format_func=labels.get,
                key="lab_promote_pick",
            )
            if st.button(t("lab.promote"), key="lab_promote"):
                from analytics import promotion

                user = state.require("models")
                mv_id = next(v["id"] for v in candidates if v["version"] == target)
                refused: PromotionRefused | None = None
                outcome = None
                bar = st.progress(0.0, text=t("lab.auditing"))

                def audit_progress(stage: str, done: int, total: int) -> None:
                    bar.progress(min(done / max(total, 1), 1.0), text=t("lab.auditing"))

                with resources.session() as s:
                    try:
                        outcome = promotion.promote(
                            s,
                            mv_id,
                            actor=user.name,
                            encoder_for=resources.encoder,
                            cache_dir=cfg.data_dir / "cache",
                            progress=audit_progress,
                        )
                    except PromotionRefused as err:
                        refused = err  # the refusal's audit row is committed
                bar.empty()
                if refused is not None:
                    st.error(
                        t("lab.refused")
                        + "\n\n"
                        + "\n".join(f"- {md_plain(hide_paths(r))}" for r in refused.reasons)
                    )
                else:
                    st.success(t("lab.promoted", version=target))
                    for w in outcome.warnings if outcome else []:
                        st.warning(w)
                    resources.clear_caches()
    with c2:
        if any(v["status"] == "active" for v in versions):
            if st.button(t("lab.rollback"), key="lab_rollback"):
                from ml import registry

                user = state.require("models")
                try:
                    with resources.session() as s:
                        mv = registry.rollback(s, kind, actor=user.name)
                        version = mv.version
                    st.success(t("lab.promoted", version=version))
                except PromotionRefused as err:
                    st.error(
                        t("lab.refused")
                        + "\n\n"
                        + "\n".join(f"- {md_plain(hide_paths(r))}" for r in err.reasons)
                    )
