"""The other direction of matching: for each candidate's resume, the roles it fits best.

For internal mobility and referrals. ``match_by_resume`` scores the chosen resumes (or every
stored one) against every role (or the roles named) with exactly the matcher's features,
scorer and explanations (``ml.matcher``), keeps the ``top_k`` roles per resume, and stores the
run (``MatchRun.direction = "by_resume"``, one ``MatchScore`` per kept pair, ``rank`` = the
role's place for that resume), so CLI, JSON and the dashboard read the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.errors import InputError, NotFoundError
from data.store.engine import write_transaction
from ml import matcher
from ml.embed import ProgressFn, VectorStore, cache_writer, embed_documents, embed_texts
from ml.encoders import Encoder


def match_by_resume(
    session: Session,
    encoder: Encoder,
    *,
    resume_ids: Sequence[int] | None = None,
    role_keys: Sequence[str] | None = None,
    top_k: int = 5,
    actor: str,
    pair_scorer: matcher.PairScorer | None = None,
    model_version_id: int | None = None,
    progress: ProgressFn | None = None,
    taxonomy: matcher.SkillFinder | None = None,
    weights: dict[str, float] | None = None,
    index_dir: Path | None = None,
) -> matcher.MatchResult:
    """Rank roles for resumes, store the run and audit it; rows grouped by resume, best first.

    The lexical features come from the index of the whole stored pool (``index_dir`` as for
    ``ml.matcher.match``), so a pair scores the same whichever direction asked and however
    many resumes were chosen. ``progress(done, total)`` counts resumes scored. All in the
    caller's transaction; ``run_match_by_resume`` keeps the write lock out of the encoding.
    """
    ranked = rank_roles(
        session,
        encoder,
        resume_ids=resume_ids,
        role_keys=role_keys,
        top_k=top_k,
        pair_scorer=pair_scorer,
        model_version_id=model_version_id,
        progress=progress,
        taxonomy=taxonomy,
        weights=weights,
        index_dir=index_dir,
    )
    return matcher.save_run(session, ranked, actor=actor)


def run_match_by_resume(
    engine: Engine, encoder: Encoder, *, actor: str, **kw: Any
) -> matcher.MatchResult:
    """``match_by_resume`` safe beside other writers, as ``ml.matcher.run_match``: reads and
    encodes with no write lock held (new vectors cached in their own short transactions),
    then stores the run in one short transaction."""
    with Session(engine) as reader:
        ranked = rank_roles(reader, encoder, store=cache_writer(engine), **kw)
    return write_transaction(engine, lambda s: matcher.save_run(s, ranked, actor=actor))


def rank_roles(
    session: Session,
    encoder: Encoder,
    *,
    resume_ids: Sequence[int] | None = None,
    role_keys: Sequence[str] | None = None,
    top_k: int = 5,
    pair_scorer: matcher.PairScorer | None = None,
    model_version_id: int | None = None,
    progress: ProgressFn | None = None,
    taxonomy: matcher.SkillFinder | None = None,
    weights: dict[str, float] | None = None,
    index_dir: Path | None = None,
    store: VectorStore | None = None,
) -> matcher.RankedRun:
    """The ranking of ``match_by_resume``, nothing stored but the vectors it encodes (into
    ``session``, or through ``store`` when given)."""
    from ml.retrieval import lexical_features, load_or_build

    if top_k < 1:
        raise InputError(f"top must be at least 1, got {top_k}", field="top")
    if taxonomy is None:
        from data.store.skills import store_taxonomy

        taxonomy = store_taxonomy(session)  # the core plus the store's ESCO/custom skills
    profiles = matcher.load_profiles(session, role_keys)
    if not profiles:
        raise NotFoundError("there are no roles to match: import roles or load the demo first")
    ids = matcher._resume_ids(session, resume_ids)
    if not ids:
        raise NotFoundError("there are no resumes to match: `talentmap resumes import PATH` first")
    source = matcher.score_source(pair_scorer, weights)
    index, _rebuilt = load_or_build(session, index_dir, taxonomy)
    pool_lexical, _raw = lexical_features(index, matcher.role_queries(profiles, taxonomy))
    row_of = {int(r): n for n, r in enumerate(index.ids.tolist())}
    space = matcher.SkillSpace.of(profiles)
    role_vectors = embed_texts(session, encoder, [p.text(taxonomy) for p in profiles], store=store)
    skill_vectors = embed_texts(session, encoder, space.names(taxonomy), store=store)
    skill_vecs = dict(zip(space.keys, skill_vectors, strict=True))
    k = min(top_k, len(profiles))
    scorer = matcher.run_scorer(
        session,
        encoder,
        pair_scorer=pair_scorer,
        model_version_id=model_version_id,
        default_model=source == "default_scorer",
    )
    params = {
        "top_k": top_k,
        "weights": weights,
        "semantic_range": list(matcher.SEMANTIC_RANGE),
        "feature_names": list(matcher.FEATURE_NAMES),
        "score_source": source,
        "roles": [p.key for p in profiles],
        "resumes": len(ids),
        "resume_ids_sha256": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
        "resume_ids": None if resume_ids is None else ids,
        "taxonomy_hash": matcher.taxonomy_hash(taxonomy),
        "taxonomy_skills": len(taxonomy.by_key),
        "encoder_dim": encoder.dim,
        "scorer": scorer,
        "direction": "by_resume",
    }
    rows: list[matcher.MatchRow] = []
    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), matcher.BLOCK):
        block_ids = ids[start : start + matcher.BLOCK]
        texts = matcher._texts(session, block_ids)
        block_texts = [texts[i][1] for i in block_ids]
        docs = embed_documents(session, encoder, block_texts, store=store)
        feats = matcher.block_features(
            docs,
            block_texts,
            taxonomy,
            role_vectors,
            skill_vectors,
            space,
            lexical=pool_lexical[[row_of[i] for i in block_ids]],
        )
        scores = matcher.score_pairs(feats, weights=weights, pair_scorer=pair_scorer)
        for n, (rid, order) in enumerate(zip(block_ids, best_roles(scores, k), strict=True)):
            for rank, j in enumerate(order, start=1):
                exp = matcher.explain(
                    block_texts[n],
                    profiles[j],
                    taxonomy,
                    feats[n, j],
                    passages=docs.passages[n],
                    passage_vectors=docs.passage_vectors[n],
                    role_vector=role_vectors[j],
                    skill_vectors=skill_vecs,
                    score_source=source,
                ).to_json()
                rows.append(
                    matcher.MatchRow(
                        profiles[j].key,
                        profiles[j].title,
                        rid,
                        texts[rid][0],
                        rank,
                        round(float(scores[n, j]), 2),
                        exp,
                    )
                )
        if progress:
            progress(min(start + matcher.BLOCK, len(ids)), len(ids))
    return matcher.RankedRun(
        encoder=encoder.model_id,
        direction="by_resume",
        profiles=list(profiles),
        rows=rows,
        params=params,
        model_version_id=model_version_id,
        resumes=len(ids),
        texts_encoded=0,
        audit={
            "direction": "by_resume",
            "roles": len(profiles),
            "resumes": len(ids),
            "top_k": top_k,
            "encoder": encoder.model_id,
        },
    )


def best_roles(scores: np.ndarray, k: int) -> list[list[int]]:
    """Per row of ``scores`` (resumes × roles), the ``k`` best role columns, best first; ties
    go to the earlier column (roles are in key order)."""
    return [sorted(range(scores.shape[1]), key=lambda j: (-float(row[j]), j))[:k] for row in scores]
