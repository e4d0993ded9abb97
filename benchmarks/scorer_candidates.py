"""Which model should the default pair scorer be? Every candidate, chosen on folds 0-1 only.

Issue 13, item 3. Candidates over TalentMap's pair features (``ml.matcher.FEATURE_NAMES``,
encoder minilm), all from scikit-learn or lightgbm:

* ``lr_v1``: the shipped recipe (logistic regression on the features kept by
  ``benchmarks.fit_default_scorer``, C=10);
* ``lr_all``: logistic regression on all ten features;
* ``lr_interactions``: logistic regression on all pairwise products of the ten features;
* ``lr_role_std``: + each encoder feature standardised within its role over the pool;
* ``lr_resume_rank``: + each feature's rank and z-score among the roles of the same resume;
* ``hgb``: ``HistGradientBoostingClassifier`` with every feature monotone increasing;
* ``lgbm_classifier`` / ``lgbm_ranker``: ``LGBMClassifier`` / ``LGBMRanker`` (LambdaMART,
  query = resume), monotone increasing;
* ``lgbm_ranker_ctx``: LambdaMART with the role-standardised and resume-rank features too.

Selection: grouped 5-fold cross-validation (a resume's 24 pairs stay together) on the tuning
sample of livecareer folds 0-1 (the same resumes ``fit_default_scorer`` uses), by MRR. Then every
candidate, refitted on the whole tuning sample, is reported on livecareer folds 2-4 (first line
removed), the held-out UpdatedResumeDataSet and the Chinese ``zh_hard`` set, with TF-IDF and
BM25 beside them. Those reports never feed back into the choice; the shipped default changes
only when the CV winner is also better on folds 2-4 and not worse on the second set.

Features are cached under ``var/bench/`` (git-ignored) so a rerun takes seconds.

    .venv/bin/python -m benchmarks.scorer_candidates --kaggle var/bench/UpdatedResumeDataSet.csv
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.livecareer_embed import EVAL_FOLDS, cache_engine, load_livecareer, stratified_order
from data.store.engine import session_scope
from ml.matcher import FEATURE_NAMES, score_pairs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = ROOT / "var" / "bench"
RESULTS = HERE / "results"
SHIPPED = "shipped default (ml/default_scorer.json)"
"""The product's score today, beside the refitted candidates."""
ENCODER_FEATURES = ("semantic_doc", "semantic_passage", "skill_evidence")
"""The features a pool-context candidate standardises within the role."""

Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]
"""fit(features (n, roles, F), truth (n,)) -> raw scorer of (n', roles, F) -> (n', roles)."""


# --- context features ------------------------------------------------------------------------


def role_std(F: np.ndarray) -> np.ndarray:
    """Encoder features standardised within each role over the pool (rows)."""
    cols = [FEATURE_NAMES.index(n) for n in ENCODER_FEATURES]
    x = F[:, :, cols]
    return (x - x.mean(axis=0, keepdims=True)) / (x.std(axis=0, keepdims=True) + 1e-6)


def resume_rank(F: np.ndarray) -> np.ndarray:
    """Each feature's rank (0 = best, scaled to 0..1) and z-score among one resume's roles."""
    r = F.shape[1]
    ranks = (-F).argsort(axis=1).argsort(axis=1).astype(np.float32) / max(r - 1, 1)
    z = (F - F.mean(axis=1, keepdims=True)) / (F.std(axis=1, keepdims=True) + 1e-6)
    return np.concatenate([1.0 - ranks, z], axis=2)


def expand(F: np.ndarray, kind: str, cols: list[int] | None = None) -> np.ndarray:
    base = F if cols is None else F[:, :, cols]
    if kind == "plain":
        return base
    parts = [base]
    if kind in ("role_std", "ctx"):
        parts.append(role_std(F))
    if kind in ("resume_rank", "ctx"):
        parts.append(resume_rank(F))
    return np.concatenate(parts, axis=2)


# --- candidates --------------------------------------------------------------------------------


def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(-1, X.shape[-1]).astype(np.float64)


def _labels(truth: np.ndarray, roles: int) -> np.ndarray:
    return (truth[:, None] == np.arange(roles)[None, :]).astype(int).reshape(-1)


def lr(kind: str, *, C: float = 1.0, cols: list[int] | None = None, poly: bool = False) -> Fit:
    def fit(F: np.ndarray, truth: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import PolynomialFeatures, StandardScaler

        steps: list[Any] = [StandardScaler()]
        if poly:
            steps = [
                PolynomialFeatures(2, interaction_only=True, include_bias=False),
                StandardScaler(),
            ]
        model = make_pipeline(*steps, LogisticRegression(C=C, max_iter=3000))
        X = expand(F, kind, cols)
        model.fit(_flat(X), _labels(truth, F.shape[1]))
        return lambda G: model.decision_function(_flat(expand(G, kind, cols))).reshape(G.shape[:2])

    return fit


def hgb(kind: str = "plain") -> Fit:
    def fit(F: np.ndarray, truth: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        from sklearn.ensemble import HistGradientBoostingClassifier

        X = expand(F, kind)
        model = HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            monotonic_cst=[1] * X.shape[-1] if kind == "plain" else None,
            random_state=0,
        )
        model.fit(_flat(X), _labels(truth, F.shape[1]))
        return lambda G: model.decision_function(_flat(expand(G, kind))).reshape(G.shape[:2])

    return fit


def lgbm_model(F: np.ndarray, truth: np.ndarray, kind: str = "plain", *, ranker: bool) -> Any:
    """A fitted LightGBM ranker (LambdaMART, query = resume) or binary classifier."""
    import lightgbm as lgb

    X = expand(F, kind)
    params: dict[str, Any] = dict(
        n_estimators=300,
        learning_rate=0.03,
        num_leaves=7,
        min_child_samples=30,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        random_state=0,
        verbose=-1,
        n_jobs=1,
    )
    if kind == "plain":
        params["monotone_constraints"] = [1] * X.shape[-1]
    y = _labels(truth, F.shape[1])
    if ranker:
        return lgb.LGBMRanker(objective="lambdarank", **params).fit(
            _flat(X), y, group=[F.shape[1]] * F.shape[0]
        )
    return lgb.LGBMClassifier(objective="binary", **params).fit(_flat(X), y)


def lgbm(kind: str = "plain", *, ranker: bool) -> Fit:
    def fit(F: np.ndarray, truth: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        model = lgbm_model(F, truth, kind, ranker=ranker)
        return lambda G: model.predict(_flat(expand(G, kind)), raw_score=True).reshape(G.shape[:2])

    return fit


def candidates() -> dict[str, tuple[Fit, str]]:
    """name -> (fit, can it ship as a pair scorer in today's match flow?)."""
    shipped = json.loads((ROOT / "ml" / "default_scorer.json").read_text())
    v1_cols = [FEATURE_NAMES.index(n) for n in shipped["feature_names"]]
    return {
        "lr_v1": (lr("plain", C=10.0, cols=v1_cols), "yes (shipped v1)"),
        "lr_all": (lr("plain"), "yes"),
        "lr_interactions": (lr("plain", poly=True), "yes (pairwise products)"),
        "lr_role_std": (
            lr("role_std"),
            "no: needs every candidate's vectors before scoring (pool statistics)",
        ),
        "lr_resume_rank": (
            lr("resume_rank"),
            "no: a pair's score would depend on which other roles are in the run",
        ),
        "hgb": (hgb(), "yes, with a new model format"),
        "lgbm_classifier": (lgbm(ranker=False), "yes, with a new model format"),
        "lgbm_ranker": (lgbm(ranker=True), "yes, with a new model format"),
        "lgbm_ranker_ctx": (lgbm("ctx", ranker=True), "no: pool and run context (see above)"),
    }


# --- metrics -----------------------------------------------------------------------------------


def mrr_top3(scores: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    from benchmarks.matching_quality import rank_metrics

    m = rank_metrics(scores, truth, [str(i) for i in range(scores.shape[1])])
    return {k: m[k] for k in ("top1", "top3", "mrr", "macro_mrr")}


def cross_validate(fit: Fit, F: np.ndarray, truth: np.ndarray, folds: int = 5) -> dict[str, float]:
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(F.shape[:2])
    # a resume's 24 pairs stay in one fold; folds balanced over categories
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(F[:, 0, 0], truth):
        oof[te] = fit(F[tr], truth[tr])(F[te])
    return {**mrr_top3(oof, truth), "brier_after_platt": _platt_brier(oof, truth)}


def _platt_brier(raw: np.ndarray, truth: np.ndarray) -> float:
    """Brier score of a Platt sigmoid fitted on out-of-fold raw scores (calibration check)."""
    from sklearn.linear_model import LogisticRegression

    y = _labels(truth, raw.shape[1])
    x = raw.reshape(-1, 1)
    p = LogisticRegression(C=1e6).fit(x, y).predict_proba(x)[:, 1]
    return float(np.mean((p - y) ** 2))


# --- feature sets --------------------------------------------------------------------------------


def cached(name: str, make: Callable[[], np.ndarray]) -> np.ndarray:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"features-{name}.npy"
    if path.exists():
        return np.load(path)
    arr = make()
    np.save(path, arr)
    return arr


def tuning_set(n: int) -> tuple[np.ndarray, np.ndarray, str]:
    from benchmarks.fit_default_scorer import training_features

    VAR.mkdir(parents=True, exist_ok=True)
    meta_path, path = VAR / f"features-tune-{n}.json", VAR / f"features-tune-{n}.npy"
    if not (meta_path.exists() and path.exists()):
        d = training_features(n)
        np.save(path, d["feats"])
        meta_path.write_text(json.dumps({"truth": d["truth"].tolist(), "hash": d["data_hash"]}))
    meta = json.loads(meta_path.read_text())
    return np.load(path), np.array(meta["truth"]), meta["hash"]


def eval_sets(limit: int, kaggle: Path | None) -> dict[str, dict[str, Any]]:
    from benchmarks.matching_quality import (
        _tokens_en,
        _tokens_zh,
        bm25_scores,
        livecareer_profiles,
        tfidf_scores,
    )
    from data.text.taxonomy import load_taxonomy
    from ml.encoders import get_encoder
    from ml.matcher import document_features

    enc = get_encoder("minilm")
    base = load_taxonomy()
    out: dict[str, dict[str, Any]] = {}
    profiles, tax = livecareer_profiles(base)
    labels = [p.key for p in profiles]
    df = load_livecareer()
    order = stratified_order(df)[:limit]
    assert set(df["fold"][order]) <= set(EVAL_FOLDS)
    texts = [df["text_nofirst"][i] for i in order]
    with session_scope(cache_engine()) as s:
        F = cached(f"eval-{limit}", lambda: document_features(s, enc, texts, profiles, tax))
    rt = [p.text(tax) for p in profiles]
    out["livecareer folds 2-4"] = {
        "F": F,
        "truth": np.array([labels.index(df["label"][i]) for i in order]),
        "tfidf": tfidf_scores(texts, rt, _tokens_en),
        "bm25": bm25_scores(texts, rt, _tokens_en),
    }
    if kaggle is not None:
        import pandas as pd

        kprofiles, ktax = livecareer_profiles(base, HERE / "data" / "kaggle_resume_roles.yaml")
        kdf = pd.read_csv(kaggle, encoding="latin-1").drop_duplicates("Resume")
        kl = [p.key for p in kprofiles]
        ktexts = [str(t).strip() for t in kdf["Resume"]]
        with session_scope(cache_engine()) as s:
            KF = cached("kaggle", lambda: document_features(s, enc, ktexts, kprofiles, ktax))
        krt = [p.text(ktax) for p in kprofiles]
        out["UpdatedResumeDataSet"] = {
            "F": KF,
            "truth": np.array([kl.index(str(c).strip()) for c in kdf["Category"]]),
            "tfidf": tfidf_scores(ktexts, krt, _tokens_en),
            "bm25": bm25_scores(ktexts, krt, _tokens_en),
        }
    from benchmarks import zh_hard

    zprofiles = zh_hard.load_roles(base)
    zl = [p.key for p in zprofiles]
    zres = zh_hard.load_resumes()
    pool = [r["text"].strip() for r in zres] + zh_hard.resumener_bios()
    eng = zh_hard.make_engine(f"sqlite:///{zh_hard.CACHE_DB}")
    zh_hard.upgrade(eng)
    with session_scope(eng) as s:
        ZF = cached("zh_hard", lambda: document_features(s, enc, pool, zprofiles, base))
    zrt = [p.text(base) for p in zprofiles]
    n = len(zres)
    out["zh_hard (resume→roles)"] = {
        "F": ZF[:n],
        "pool_F": ZF,
        "truth": np.array([zl.index(r["role"]) for r in zres]),
        "tfidf": tfidf_scores(pool, zrt, _tokens_zh)[:n],
        "bm25": bm25_scores(pool[:n], zrt, _tokens_zh),
    }
    return out


# --- report ------------------------------------------------------------------------------------


def markdown(rep: dict[str, Any]) -> str:
    lines = [
        "# Default scorer candidates (issue 13, item 3)",
        "",
        f"Command: `{rep['command']}`  ",
        f"Run {rep['date']} on {rep['machine']}; {rep['seconds']:.0f} s.",
        "",
        f"Tuning sample: {rep['tune_n']} resumes of livecareer folds 0-1 (first line removed) x 24 "
        f"roles, the data of `ml/default_scorer.json` (hash `{rep['tune_hash'][:12]}…`). "
        "Choice by grouped 5-fold CV MRR on it, nothing else.",
        "",
        "## Cross-validation on folds 0-1 (the only numbers the choice used)",
        "",
        "| candidate | top-1 | top-3 | MRR | Brier after Platt | ships in today's match flow |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in rep["cv"].items():
        lines.append(
            f"| {name} | {r['top1']:.3f} | {r['top3']:.3f} | {r['mrr']:.3f} | "
            f"{r['brier_after_platt']:.4f} | {rep['shippable'][name]} |"
        )
    lines += [
        "",
        f"CV winner among shippable candidates: **{rep['cv_winner']}**.",
        "",
        "## Every candidate refitted on the tuning sample, reported on the held-out sets",
        "",
    ]
    for set_name, res in rep["held_out"].items():
        lines += [
            f"### {set_name} ({res['n']} resumes)",
            "",
            "| method | top-1 | top-3 | MRR | macro MRR |",
            "|---|---|---|---|---|",
        ]
        for m, r in res["methods"].items():
            lines.append(
                f"| {m} | {r['top1']:.3f} | {r['top3']:.3f} | {r['mrr']:.3f} | "
                f"{r['macro_mrr']:.3f} |"
            )
        lines.append("")
    lines += ["## Decision", "", rep["decision"], ""]
    lines += ["## Notes", "", *[f"- {n}" for n in rep["notes"]], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=240, help="tuning resumes of folds 0-1")
    ap.add_argument("--limit", type=int, default=480, help="first N of folds 2-4 (stratified)")
    ap.add_argument("--kaggle", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    t0 = time.time()
    F, truth, tune_hash = tuning_set(args.n)
    cands = candidates()
    # CV results are cached per feature tensor (var/bench, git-ignored): a rerun that only
    # adds held-out sets does not repeat 45 model fits on a busy 2-core machine
    digest = hashlib.sha256(F.tobytes() + truth.tobytes()).hexdigest()[:16]
    cv_path = VAR / f"scorer-cv-{digest}.json"
    cv = json.loads(cv_path.read_text()) if cv_path.exists() else {}
    for name, (fit, _ship) in cands.items():
        if name not in cv:
            cv[name] = cross_validate(fit, F, truth)
            cv_path.write_text(json.dumps(cv, indent=1))
        print(name, {k: round(v, 4) for k, v in cv[name].items()}, flush=True)
    shippable = {k: v[1] for k, v in cands.items()}
    winner = max((k for k in cv if not shippable[k].startswith("no")), key=lambda k: cv[k]["mrr"])
    sets = eval_sets(args.limit, args.kaggle)
    held: dict[str, Any] = {}
    fitted = {name: fit(F, truth) for name, (fit, _s) in cands.items()}
    for set_name, d in sets.items():
        methods = {
            "tfidf (baseline)": mrr_top3(d["tfidf"], d["truth"]),
            "bm25 (baseline)": mrr_top3(d["bm25"], d["truth"]),
        }
        G = d.get("pool_F", d["F"])
        methods[SHIPPED] = mrr_top3(score_pairs(G)[: len(d["truth"])], d["truth"])
        for name, score in fitted.items():
            methods[name] = mrr_top3(score(G)[: len(d["truth"])], d["truth"])
        held[set_name] = {"n": int(len(d["truth"])), "methods": methods}
    rep = {
        "command": "python -m benchmarks.scorer_candidates " + " ".join(argv or sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()}-core CPU shared with other jobs, no GPU",
        "seconds": time.time() - t0,
        "tune_n": args.n,
        "tune_hash": tune_hash,
        "cv": cv,
        "shippable": shippable,
        "cv_winner": winner,
        "held_out": held,
        "decision": "",
        "notes": NOTES,
        "features_sha256": hashlib.sha256(F.tobytes()).hexdigest(),
    }
    lc = held["livecareer folds 2-4"]["methods"]
    kg = held.get("UpdatedResumeDataSet", {}).get("methods")
    better_lc = lc[winner]["mrr"] > lc[SHIPPED]["mrr"]
    not_worse_kg = kg is not None and kg[winner]["mrr"] >= kg[SHIPPED]["mrr"]
    shipped_n = json.loads((ROOT / "ml" / "default_scorer.json").read_text())["trained_on"]
    same = winner == "lr_v1" and f"{args.n} resumes" in shipped_n
    if same:
        rep["decision"] = (
            "The shipped recipe (`lr_v1`, fitted on this same tuning sample) is the CV winner: "
            "the default scorer stays as it is."
        )
    elif better_lc and not_worse_kg:
        rep["decision"] = (
            f"`{winner}` (refitted on {args.n} tuning resumes) wins CV, is better than the "
            f"shipped default on folds 2-4 ({lc[winner]['mrr']:.3f} vs {lc[SHIPPED]['mrr']:.3f} "
            f"MRR) and not worse on the second set ({kg[winner]['mrr']:.3f} vs "
            f"{kg[SHIPPED]['mrr']:.3f}): it may replace the shipped default."
        )
    else:
        rep["decision"] = (
            f"`{winner}` (refitted on {args.n} tuning resumes) wins CV but fails the replacement "
            f"rule against the shipped default (better on folds 2-4: {better_lc}; not worse on "
            f"the second set: {not_worse_kg}): the shipped default stays."
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scorer_candidates.json").write_text(json.dumps(rep, indent=1))
    (args.out / "scorer_candidates.md").write_text(markdown(rep), encoding="utf-8")
    return rep


NOTES = [
    "Scaled down for a shared 2-core machine (load average 30-86 while the features were computed): the tuning "
    "sample is the 240 resumes the shipped scorer was fitted on (all of folds 0-1 would take "
    "hours to encode here) and folds 2-4 are the first `--limit` resumes of the fixed "
    "stratified round-robin order (equal numbers per category). CV results are cached in "
    "`var/bench/` keyed by the feature tensor and shown to 4 decimals.",
    "`lr_v1` keeps the feature set that `fit_default_scorer` chose on all 240 tuning resumes, "
    "so its CV figure is slightly optimistic (the selection saw every CV fold).",
    "Raw scores are reported (ranking only depends on them); every shippable model is then "
    "Platt-calibrated on grouped out-of-fold scores so the product shows 100 x P(fit) "
    "(`Brier after Platt` checks that calibration on the CV scores).",
    "Tree models carry monotone-increasing constraints on every feature (a fit never falls with "
    "more evidence), as the shipped logistic regression does by dropping negative weights; the "
    "context variants (`*_role_std`, `*_resume_rank`, `*_ctx`) do not.",
    "Reading the held-out tables (never used for the choice): several candidates that lost "
    "the CV edge the shipped LR on folds 2-4 by 0.004-0.015 MRR (`lr_resume_rank` 0.681, "
    "`lr_role_std` 0.676, `lr_all` 0.671, `lgbm_ranker` 0.670 vs 0.666 on the 480-resume run), "
    "and LambdaMART is also ahead on the second set (0.912 vs 0.910) and zh_hard (0.961 vs "
    "0.945). These gaps are inside the noise of 240 tuning resumes and 480 test resumes; "
    "picking one of them after seeing these numbers would be tuning on the test folds, so the "
    "shipped default stays. Refit the candidates on all ~1,000 resumes of folds 0-1 once the "
    "cache is warm (hours of encoding on this machine) before deciding again.",
    "`ships in today's match flow`: a pair scorer sees one (resume, role) pair's features; "
    "role-standardised encoder features need all candidates' vectors before any is scored, and "
    "resume-relative ranks make a pair's score depend on the other roles of the run, so those "
    "are measured here but not shippable without changing `ml.matcher.match`.",
]


if __name__ == "__main__":
    print(markdown(main()))
