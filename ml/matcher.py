"""Resume-to-role matching: role profiles, pair features, a 0-100 score, explanations, ranking.

The score of a (resume, role) pair is built from cheap features (``FEATURE_NAMES``, in this
column order):

``semantic_doc``
    cosine similarity of the role text and the whole resume (mean of its passage vectors);
``semantic_passage``
    the best cosine similarity between the role text and any single resume passage;
``required_coverage`` / ``nice_coverage``
    the weighted share of the role's required / nice-to-have skills that the bilingual taxonomy
    finds in the resume text (Chinese or English surface forms alike); a role without required
    skills counts as fully covered, one without nice-to-have skills as not covered;
``skills_found``
    how many of the role's skills were found, ``log1p(found) / log1p(role skills)``;
``skill_evidence``
    per role skill, the best cosine similarity between its name and any resume passage,
    averaged with the skill weights (required 3:1 over nice-to-have): coverage by meaning, which
    credits a synonym the taxonomy lacks;
``bm25``
    the role's BM25 score against the resume (``ml.retrieval``: words, Chinese bigrams and
    skill tokens) divided by the role's best BM25 score in the pool;
``tfidf``
    the cosine of the role's and the resume's TF-IDF vectors over the same tokens;
``bm25_z`` / ``tfidf_z``
    both standardised within the role over the whole pool (how far the resume stands out).

The score is ``100 * p`` of a calibrated model of "this resume fits this role": the user's own
promoted pair scorer when one is active, otherwise the default scorer shipped with the package
(``ml.default_scorer``: logistic regression fitted on public labelled resumes, Platt-calibrated).
Hand-set ``DEFAULT_WEIGHTS`` remain available (``weights=``) as a transparent fallback.

``match`` runs in two stages. Stage one (``ml.retrieval``) ranks the whole pool by BM25 per role
with no neural encoder (and, once ``talentmap embed`` stored document vectors, by vector too)
and keeps the best ``depth`` per role. Stage two encodes only those candidates (through the
embedding cache), computes every feature, scores and keeps the top ``k`` per role with
``np.argpartition``; ties in the rounded score are broken by the default scorer's raw margin.
With ``depth=None`` (or ``depth`` at least the pool size) every resume is a candidate and the
result is exhaustive scoring. Explanations are built for the shortlisted resumes only, and the
run is stored so it can be reproduced.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from data.errors import InputError, NotFoundError
from data.store.audit import record
from data.store.engine import write_transaction
from data.store.models import MatchRun, MatchScore, Resume, Role, RoleSkill, Skill
from data.text.taxonomy import credited_skills
from ml.embed import (
    DocumentVectors,
    ProgressFn,
    VectorStore,
    cache_writer,
    embed_documents,
    embed_texts,
)
from ml.encoders import Encoder

FEATURE_NAMES: tuple[str, ...] = (
    "semantic_doc",
    "semantic_passage",
    "required_coverage",
    "nice_coverage",
    "skills_found",
    "skill_evidence",
    "bm25",
    "tfidf",
    "bm25_z",
    "tfidf_z",
)
"""Column order of every feature matrix (the pair scorer's input contract)."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "semantic_doc": 0.20,
    "semantic_passage": 0.10,
    "required_coverage": 0.18,
    "nice_coverage": 0.06,
    "skills_found": 0.06,
    "skill_evidence": 0.40,
    "bm25": 0.0,
    "tfidf": 0.0,
    "bm25_z": 0.0,
    "tfidf_z": 0.0,
}
"""Hand-set weights of the score when no trained pair scorer is active (they sum to 1).

Chosen on the tuning sample of livecareer folds 0-1 (``benchmarks/matching_tune.py``), never on
the folds the quality benchmark reports."""

SIMILARITY_FEATURES: tuple[str, ...] = ("semantic_doc", "semantic_passage", "skill_evidence")
"""Cosine-valued features, rescaled from ``SEMANTIC_RANGE`` to 0..1 before weighting."""

SEMANTIC_RANGE: tuple[float, float] = (0.10, 0.60)
"""Cosine similarities are mapped linearly from this range onto 0..1 (clipped) before weighting."""

PairScorer = Callable[[np.ndarray], np.ndarray]
"""Maps an (n, len(FEATURE_NAMES)) feature matrix to n probabilities of advancing."""

DEFAULT_DEPTH = 200
"""Candidates per role that stage one passes to stage two (``talentmap match --depth``)."""

BLOCK = 256

MAX_PROBABILITY = 0.999
"""A pair scorer's probability is capped here: no score reads 100 (certainty), so the top of
a shortlist is never a tie at 100."""
"""Resumes scored per block in ``match`` (bounds memory: texts of one block at a time)."""


class SkillFinder(Protocol):
    """What the matcher needs of the taxonomy (``data.text.taxonomy.Taxonomy`` is one)."""

    by_key: dict[str, Any]

    def find(self, text: str) -> list[Any]: ...


# --- role profiles -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleProfile:
    """What a role asks for: its text and weighted skills ``(skill_key, weight, required)``."""

    role_id: int | None
    key: str
    title: str
    description: str
    skills: list[tuple[str, float, bool]] = field(default_factory=list)
    title_zh: str = ""

    def text(self, taxonomy: SkillFinder | None = None) -> str:
        """The text embedded for the role: titles, description, skill names in both languages."""
        names: list[str] = []
        for key, _w, _req in sorted(self.skills, key=lambda s: (not s[2], -s[1], s[0])):
            sd = taxonomy.by_key.get(key) if taxonomy is not None else None
            if sd is None:
                names.append(key.replace("_", " "))
            else:
                names.append(sd.name_en)
                if getattr(sd, "name_zh", ""):
                    names.append(sd.name_zh)
        head = " / ".join(t for t in (self.title, self.title_zh) if t)
        parts = [head, self.description.strip()]
        if names:
            parts.append("Skills: " + ", ".join(names))
        return "\n".join(p for p in parts if p)


def load_profiles(session: Session, role_keys: Sequence[str] | None = None) -> list[RoleProfile]:
    """Role profiles from the store (all roles, or those named, in the order named).

    Raises ``NotFoundError`` naming any unknown role key.
    """
    q = select(Role).order_by(Role.key)
    if role_keys:
        q = q.where(Role.key.in_(list(role_keys)))
    roles = list(session.scalars(q))
    if role_keys:
        known = {r.key for r in roles}
        unknown = [k for k in role_keys if k not in known]
        if unknown:
            raise NotFoundError(
                f"unknown role(s): {', '.join(unknown)}; `talentmap roles list` shows the keys"
            )
        order = {k: i for i, k in enumerate(dict.fromkeys(role_keys))}
        roles.sort(key=lambda r: order[r.key])
    skills: dict[int, list[tuple[str, float, bool]]] = {r.id: [] for r in roles}
    if roles:
        rows = session.execute(
            select(RoleSkill.role_id, Skill.key, RoleSkill.importance, RoleSkill.required)
            .join(Skill, Skill.id == RoleSkill.skill_id)
            .where(RoleSkill.role_id.in_(list(skills)))
            .order_by(RoleSkill.role_id, Skill.key)
        )
        for role_id, key, importance, required in rows:
            skills[role_id].append((key, float(importance or 1.0), bool(required)))
    return [
        RoleProfile(r.id, r.key, r.title_en, r.description or "", skills[r.id], r.title_zh or "")
        for r in roles
    ]


# --- skills --------------------------------------------------------------------------------


@dataclass
class SkillSpace:
    """The skills of a set of roles as matrices: resumes' hits times weights = coverage."""

    keys: list[str]
    required: np.ndarray
    """(skills, roles): required weights, each role's column summing to 1 (or all 0)."""
    nice: np.ndarray
    """(skills, roles): nice-to-have weights, normalised the same way."""
    present: np.ndarray
    """(skills, roles): 1 where the role lists the skill at all."""
    has_required: np.ndarray
    """(roles,) bool."""
    evidence: np.ndarray
    """(skills, roles): required 3:1 over nice-to-have, each role's column summing to 1 (or 0)."""

    @classmethod
    def of(cls, profiles: Sequence[RoleProfile]) -> SkillSpace:
        keys = sorted({k for p in profiles for k, _w, _r in p.skills})
        col = {k: i for i, k in enumerate(keys)}
        req = np.zeros((len(keys), len(profiles)), dtype=np.float32)
        nice = np.zeros_like(req)
        for j, p in enumerate(profiles):
            for k, w, r in p.skills:
                (req if r else nice)[col[k], j] = max(float(w), 0.0)
        present = ((req > 0) | (nice > 0)).astype(np.float32)
        has_required = req.sum(axis=0) > 0
        for m in (req, nice):
            sums = m.sum(axis=0, keepdims=True)
            sums[sums == 0] = 1.0
            m /= sums
        evidence = 0.75 * req + 0.25 * nice
        sums = evidence.sum(axis=0, keepdims=True)
        sums[sums == 0] = 1.0
        return cls(keys, req, nice, present, has_required, evidence / sums)

    def names(self, taxonomy: SkillFinder) -> list[str]:
        """The text embedded for each skill (its English name)."""
        return [_skill_name(taxonomy, k) for k in self.keys]

    def hits(self, taxonomy: SkillFinder, texts: Iterable[str]) -> sparse.csr_matrix:
        """(texts, skills) 0/1: which of these skills the taxonomy finds in each text, a broader
        skill counting where a narrower one is found (Qwen credits large language models)."""
        col = {k: i for i, k in enumerate(self.keys)}
        rows: list[int] = []
        cols: list[int] = []
        n = 0
        for i, text in enumerate(texts):
            n = i + 1
            found = {h.key for h in taxonomy.find(text)}
            for key in found | set(credited_skills(taxonomy, found)):
                j = col.get(key)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(n, len(self.keys)))


def taxonomy_hash(taxonomy: SkillFinder) -> str:
    """A short fingerprint of the taxonomy's skills and surface forms (stored with each run)."""
    h = hashlib.sha256()
    for key in sorted(taxonomy.by_key):
        sd = taxonomy.by_key[key]
        forms = getattr(sd, "forms", ())
        h.update(json.dumps([key, list(forms)], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:16]


# --- features and score --------------------------------------------------------------------


def pair_features(
    doc_vectors: np.ndarray,
    passage_best: np.ndarray,
    skill_hits: sparse.spmatrix | np.ndarray,
    role_vectors: np.ndarray,
    space: SkillSpace,
    *,
    skill_best: np.ndarray | None = None,
    lexical: np.ndarray | None = None,
) -> np.ndarray:
    """The (resumes, roles, len(FEATURE_NAMES)) feature tensor of a block of resumes.

    ``passage_best`` is (resumes, roles): each resume's best passage similarity per role;
    ``skill_best`` is (resumes, skills of ``space``): the best passage similarity per skill
    name; ``lexical`` is (resumes, roles, 4): ``bm25``, ``tfidf``, ``bm25_z``, ``tfidf_z``
    (``lexical_block``).
    ``block_features`` and ``document_features`` compute them for you. Without ``lexical``
    the four lexical columns are 0 (a bare feature computation, not a match).
    """
    if skill_best is None:
        raise ValueError(
            "pair_features needs skill_best (best passage similarity per skill "
            "name); call ml.matcher.block_features or document_features instead"
        )
    n, r = doc_vectors.shape[0], role_vectors.shape[0]
    out = np.empty((n, r, len(FEATURE_NAMES)), dtype=np.float32)
    out[:, :, 0] = doc_vectors @ role_vectors.T
    out[:, :, 1] = passage_best
    if len(space.keys):
        hits = sparse.csr_matrix(skill_hits)
        req = np.asarray(hits @ space.required)
        nice = np.asarray(hits @ space.nice)
        found = np.asarray(hits @ space.present)
    else:
        req = nice = found = np.zeros((n, r), dtype=np.float32)
    out[:, :, 2] = np.where(space.has_required[None, :], req, 1.0)
    out[:, :, 3] = nice
    n_skills = space.present.sum(axis=0) if len(space.keys) else np.zeros(r)
    denom = np.log1p(np.maximum(n_skills, 1))
    out[:, :, 4] = np.log1p(found) / denom[None, :]
    if len(space.keys):
        out[:, :, 5] = np.asarray(skill_best, dtype=np.float32) @ space.evidence
    else:
        out[:, :, 5] = 0.0
    out[:, :, 6:10] = 0.0 if lexical is None else lexical
    return out


def role_queries(profiles: Sequence[RoleProfile], taxonomy: SkillFinder) -> list[list[str]]:
    """Each role's stage-one query tokens (its text and its skills)."""
    from ml.retrieval import query_tokens

    return [query_tokens(p.text(taxonomy), p.skills) for p in profiles]


def lexical_block(
    texts: Sequence[str], profiles: Sequence[RoleProfile], taxonomy: SkillFinder
) -> np.ndarray:
    """(texts, profiles, 4) lexical features with ``texts`` themselves as the pool.

    For a whole stored pool ``match`` uses the persisted index instead (same features).
    """
    from ml.retrieval import LexicalIndex, document_tokens, lexical_features

    index = LexicalIndex.build(
        list(range(len(texts))), [document_tokens(t, taxonomy) for t in texts]
    )
    feats, _raw = lexical_features(index, role_queries(profiles, taxonomy))
    return feats


def block_features(
    docs: DocumentVectors,
    texts: Sequence[str],
    taxonomy: SkillFinder,
    role_vectors: np.ndarray,
    skill_vectors: np.ndarray,
    space: SkillSpace,
    *,
    lexical: np.ndarray | None = None,
) -> np.ndarray:
    """Features of a block of embedded resumes: one passage pass against roles and skills.

    ``lexical`` (texts, roles, 4) comes from the pool's lexical index (``lexical_block``).
    """
    if lexical is None:
        raise ValueError(
            "block_features needs lexical (bm25, tfidf, bm25_z, tfidf_z per pair): "
            "ml.matcher.lexical_block(texts, profiles, taxonomy) computes them"
        )
    targets = np.vstack([role_vectors, skill_vectors]) if len(space.keys) else role_vectors
    best = passage_best(docs.passage_vectors, targets)
    r = role_vectors.shape[0]
    return pair_features(
        docs.vectors,
        best[:, :r],
        space.hits(taxonomy, texts),
        role_vectors,
        space,
        skill_best=best[:, r:],
        lexical=lexical,
    )


def document_features(
    session: Session,
    encoder: Encoder,
    texts: Sequence[str],
    profiles: Sequence[RoleProfile],
    taxonomy: SkillFinder,
) -> np.ndarray:
    """(texts, profiles, len(FEATURE_NAMES)) features, embedding through the store's cache.

    The one call the training code needs to build pair-scorer inputs for (resume, role) pairs.
    """
    space = SkillSpace.of(profiles)
    role_vectors = embed_texts(session, encoder, [p.text(taxonomy) for p in profiles])
    skill_vectors = embed_texts(session, encoder, space.names(taxonomy))
    lexical = lexical_block(texts, profiles, taxonomy)
    out = np.empty((len(texts), len(profiles), len(FEATURE_NAMES)), dtype=np.float32)
    for start in range(0, len(texts), BLOCK):
        block = list(texts[start : start + BLOCK])
        docs = embed_documents(session, encoder, block)
        out[start : start + len(block)] = block_features(
            docs,
            block,
            taxonomy,
            role_vectors,
            skill_vectors,
            space,
            lexical=lexical[start : start + len(block)],
        )
    return out


def passage_best(passage_vectors: Sequence[np.ndarray], role_vectors: np.ndarray) -> np.ndarray:
    """(resumes, roles): the best similarity between any passage of a resume and each role.

    Resumes with the same number of passages are stacked into one (n, p, dim) block, so the
    work is one matrix product and one ``max`` per distinct passage count.
    """
    n, r = len(passage_vectors), role_vectors.shape[0]
    out = np.zeros((n, r), dtype=np.float32)
    sizes = np.array([len(pv) for pv in passage_vectors], dtype=np.int64)
    roles_t = np.ascontiguousarray(role_vectors.T, dtype=np.float32)
    for size in np.unique(sizes):
        if size == 0:
            continue
        idx = np.flatnonzero(sizes == size)
        stack = np.concatenate([passage_vectors[int(i)] for i in idx]).astype(
            np.float32, copy=False
        )
        out[idx] = (stack @ roles_t).reshape(len(idx), int(size), r).max(axis=1)
    return out


def _scorer_columns(scorer: Any) -> list[int] | None:
    """The feature columns a trained scorer was fitted on, when it names them."""
    names = getattr(scorer, "feature_names_", None) or getattr(scorer, "feature_names", None)
    if not names:
        return None
    names = list(names)
    if names == list(FEATURE_NAMES):
        return None
    missing = [n for n in names if n not in FEATURE_NAMES]
    if missing:
        raise ValueError(
            f"the pair scorer was fitted on features this matcher does not compute: {missing}"
        )
    return [FEATURE_NAMES.index(n) for n in names]


def score_pairs(
    features: np.ndarray,
    *,
    weights: dict[str, float] | None = None,
    pair_scorer: PairScorer | None = None,
) -> np.ndarray:
    """Scores 0-100 of feature rows (``features[..., len(FEATURE_NAMES)]``; any leading shape).

    With ``pair_scorer`` (a calibrated model mapping an (n, F) matrix to probabilities; when it
    records ``feature_names_`` only those columns are passed) the score is ``100 * p``; with
    ``weights`` the hand-set weights combine the features, similarities rescaled from
    ``SEMANTIC_RANGE`` to 0..1; with neither, the bundled default scorer
    (``ml.default_scorer``) gives ``100 * p``.
    """
    features = np.asarray(features, dtype=np.float32)
    if features.shape[-1] != len(FEATURE_NAMES):
        raise ValueError(
            f"expected {len(FEATURE_NAMES)} feature columns ({', '.join(FEATURE_NAMES)}), "
            f"got {features.shape[-1]}"
        )
    lead = features.shape[:-1]
    flat = features.reshape(-1, len(FEATURE_NAMES))
    if pair_scorer is None and weights is None:
        pair_scorer = default_scorer()
    if pair_scorer is not None:
        cols = _scorer_columns(pair_scorer)
        x = flat if cols is None else flat[:, cols]
        p = np.asarray(pair_scorer(x), dtype=np.float64).reshape(-1)
        if p.shape[0] != flat.shape[0]:
            raise ValueError(f"pair scorer returned {p.shape[0]} values for {flat.shape[0]} rows")
        return (100.0 * np.clip(p, 0.0, MAX_PROBABILITY)).astype(np.float32).reshape(lead)
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(FEATURE_NAMES)
    if unknown:
        raise ValueError(f"unknown feature weight(s) {sorted(unknown)}; known: {FEATURE_NAMES}")
    lo, hi = SEMANTIC_RANGE
    scaled = flat.copy()
    sim = [FEATURE_NAMES.index(n) for n in SIMILARITY_FEATURES]
    scaled[:, sim] = np.clip((flat[:, sim] - lo) / (hi - lo), 0.0, 1.0)
    vec = np.array([w.get(n, 0.0) for n in FEATURE_NAMES], dtype=np.float32)
    total = float(vec.sum()) or 1.0
    return (100.0 * (scaled @ vec) / total).astype(np.float32).reshape(lead)


def default_scorer() -> Any:
    """The bundled default scorer (``ml.default_scorer.load_default_scorer``)."""
    from ml.default_scorer import load_default_scorer

    return load_default_scorer()


def margins(features: np.ndarray) -> np.ndarray:
    """The default scorer's raw margin of feature rows (any leading shape): the tie-breaker."""
    features = np.asarray(features, dtype=np.float32)
    lead = features.shape[:-1]
    scorer = default_scorer()
    cols = _scorer_columns(scorer)
    flat = features.reshape(-1, len(FEATURE_NAMES))
    x = flat if cols is None else flat[:, cols]
    return np.asarray(scorer.margin(x), dtype=np.float64).reshape(lead)


def score_source(pair_scorer: Any, weights: dict[str, float] | None) -> str:
    """What produced the scores: ``pair_scorer``, ``weights`` or ``default_scorer``."""
    if pair_scorer is not None:
        return "pair_scorer"
    return "weights" if weights is not None else "default_scorer"


def best_of(
    scores: np.ndarray, margin: np.ndarray, ids: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per role (column), the ``k`` best rows of (n, roles) ``scores`` / ``margin`` / ``ids``:
    by score, then margin, then resume id, all descending but id. Fewer rows are kept whole."""
    if scores.shape[0] <= k:
        return scores, margin, ids
    part = np.lexsort((ids.T, -margin.T, -scores.T.astype(np.float64)), axis=-1)[:, :k].T
    return (
        np.take_along_axis(scores, part, axis=0),
        np.take_along_axis(margin, part, axis=0),
        np.take_along_axis(ids, part, axis=0),
    )


class TopK:
    """The ``k`` best (score, resume id) per role over blocks, by ``np.lexsort``.

    Ranking is by score, then by ``margin`` (the default scorer's raw margin, so equal rounded
    probabilities keep the order of the underlying evidence), then by resume id. Shards of a
    pool each keep their own ``TopK``; ``merge_top`` combines them into the pool's.
    """

    def __init__(self, roles: int, k: int) -> None:
        self.k = k
        self.scores = np.zeros((0, roles), dtype=np.float32)
        self.margins = np.zeros((0, roles), dtype=np.float64)
        self.ids = np.zeros((0, roles), dtype=np.int64)

    def add(self, scores: np.ndarray, ids: np.ndarray, margin: np.ndarray | None = None) -> None:
        """Merge a block: ``scores`` (n, roles) of resumes ``ids`` (n,); ``-inf`` = not a
        candidate for that role."""
        ids2 = np.broadcast_to(np.asarray(ids, dtype=np.int64)[:, None], scores.shape)
        mg = np.zeros(scores.shape) if margin is None else np.asarray(margin, dtype=np.float64)
        self.scores, self.margins, self.ids = best_of(
            np.vstack([self.scores, scores.astype(np.float32, copy=False)]),
            np.vstack([self.margins, mg]),
            np.vstack([self.ids, ids2]),
            self.k,
        )

    def result(self) -> list[list[tuple[int, float]]]:
        """Per role, ``(resume_id, score)`` best first (ties by margin, then resume id)."""
        out: list[list[tuple[int, float]]] = []
        for j in range(self.scores.shape[1]):
            trip = sorted(
                zip(
                    self.ids[:, j].tolist(),
                    self.scores[:, j].tolist(),
                    self.margins[:, j].tolist(),
                ),
                key=lambda p: (-p[1], -p[2], p[0]),
            )
            out.append([(rid, sc) for rid, sc, _m in trip if sc != -math.inf])
        return out


def merge_top(parts: Sequence[TopK], k: int) -> TopK:
    """The top ``k`` per role of a pool from its shards' own ``TopK`` lists.

    Because the order (score, margin, resume id) is total, the best ``k`` of the union are
    among each shard's best ``k``: the merge equals one ``TopK`` over the whole pool.
    """
    if not parts:
        raise ValueError("merge_top needs at least one shard's TopK")
    roles = {p.scores.shape[1] for p in parts}
    if len(roles) != 1:
        raise ValueError(f"shards disagree on the number of roles: {sorted(roles)}")
    out = TopK(roles.pop(), k)
    out.scores, out.margins, out.ids = best_of(
        np.vstack([p.scores for p in parts]),
        np.vstack([p.margins for p in parts]),
        np.vstack([p.ids for p in parts]),
        k,
    )
    return out


# --- explanations --------------------------------------------------------------------------

_SENTENCE_RE = re.compile(r"[^\n。！？；!?;]+[。！？；!?;]?")
SNIPPET_CHARS = 220


def _snippet(text: str, start: int, end: int) -> str:
    """The sentence or line of ``text`` around ``text[start:end]``, trimmed to a readable size."""
    for m in _SENTENCE_RE.finditer(text):
        if m.start() <= start < m.end():
            s = " ".join(m.group(0).split())
            if len(s) <= SNIPPET_CHARS:
                return s
            rel = start - m.start()
            lo = max(0, rel - SNIPPET_CHARS // 2)
            return ("…" if lo else "") + " ".join(m.group(0)[lo : lo + SNIPPET_CHARS].split()) + "…"
    return " ".join(text[max(0, start - 80) : end + 80].split())


def _best_line(passage: str, name: str) -> str:
    words = {w for w in re.findall(r"\w+", name.lower()) if len(w) > 2}
    lines = [ln for ln in passage.splitlines() if ln.strip()] or [passage]
    best = max(lines, key=lambda ln: len(words & set(re.findall(r"\w+", ln.lower()))))
    return best[:SNIPPET_CHARS]


@dataclass
class Explanation:
    """Why a resume scored what it did for a role (stored as JSON with each match score)."""

    matched_skills: list[dict[str, Any]]
    """``{key, name, required, weight, evidence, how}``; ``how`` is ``lexical``, or
    ``hierarchy`` with ``via`` (the narrower skill found) and ``step`` ("Qwen → Large Language
    Models")."""
    missing_required: list[dict[str, Any]]
    """``{key, name, weight, closest, similarity}``: the nearest passage, by embedding."""
    missing_nice: list[str]
    strongest_passages: list[dict[str, Any]]
    """``{text, similarity}``: the resume passages closest to the role text."""
    features: dict[str, float]
    score_source: str = "weights"

    def to_json(self) -> dict[str, Any]:
        return {
            "matched_skills": self.matched_skills,
            "missing_required": self.missing_required,
            "missing_nice": self.missing_nice,
            "strongest_passages": self.strongest_passages,
            "features": self.features,
            "score_source": self.score_source,
        }


SEMANTIC_EVIDENCE_MIN = 0.35
"""A missing skill's closest passage is shown only when at least this similar to its name."""


def explain(
    text: str,
    profile: RoleProfile,
    taxonomy: SkillFinder,
    features: np.ndarray,
    *,
    passages: Sequence[str],
    passage_vectors: np.ndarray,
    role_vector: np.ndarray,
    skill_vectors: dict[str, np.ndarray],
    score_source: str = "weights",
) -> Explanation:
    """Evidence for one (resume, role) pair.

    Matched skills carry the sentence or line where the taxonomy found them (lexical evidence);
    each missing required skill carries the resume passage closest to the skill's name by
    embedding, when one is close enough, so a reviewer can judge a synonym the taxonomy lacks.
    """
    first: dict[str, Any] = {}
    for hit in taxonomy.find(text):
        first.setdefault(hit.key, hit)
    via = credited_skills(taxonomy, first)

    def name(key: str) -> str:
        sd = taxonomy.by_key.get(key)
        return sd.name_en if sd is not None else key

    matched: list[dict[str, Any]] = []
    missing_req: list[dict[str, Any]] = []
    missing_nice: list[str] = []
    for key, weight, required in sorted(profile.skills, key=lambda s: (not s[2], -s[1], s[0])):
        hit = first.get(key)
        if hit is not None:
            matched.append(
                {
                    "key": key,
                    "name": name(key),
                    "required": required,
                    "weight": weight,
                    "evidence": _snippet(text, hit.start, hit.end),
                    "how": "lexical",
                }
            )
        elif key in via:
            child = first[via[key]]
            chain = getattr(taxonomy, "path", lambda a, b: [a, b])(via[key], key)
            matched.append(
                {
                    "key": key,
                    "name": name(key),
                    "required": required,
                    "weight": weight,
                    "evidence": _snippet(text, child.start, child.end),
                    "how": "hierarchy",
                    "via": via[key],
                    "step": " → ".join(name(k) for k in chain),
                }
            )
        elif required:
            item: dict[str, Any] = {
                "key": key,
                "name": name(key),
                "weight": weight,
                "closest": None,
                "similarity": None,
            }
            sv = skill_vectors.get(key)
            if sv is not None and len(passage_vectors):
                sims = passage_vectors @ sv
                b = int(np.argmax(sims))
                if sims[b] >= SEMANTIC_EVIDENCE_MIN:
                    item["closest"] = _best_line(passages[b], name(key))
                    item["similarity"] = round(float(sims[b]), 3)
            missing_req.append(item)
        else:
            missing_nice.append(key)
    strongest: list[dict[str, Any]] = []
    if len(passage_vectors):
        sims = passage_vectors @ role_vector
        for b in np.argsort(-sims)[:3]:
            snippet = " ".join(passages[int(b)].split())
            if len(snippet) > SNIPPET_CHARS:
                snippet = snippet[:SNIPPET_CHARS] + "…"
            strongest.append({"text": snippet, "similarity": round(float(sims[b]), 3)})
    feats = {n: round(float(v), 4) for n, v in zip(FEATURE_NAMES, features)}
    return Explanation(matched, missing_req, missing_nice, strongest, feats, score_source)


# --- batch matching ------------------------------------------------------------------------


@dataclass
class MatchRow:
    """One shortlisted resume for one role."""

    role: str
    role_title: str
    resume_id: int
    resume: str
    rank: int
    score: float
    explanation: dict[str, Any]

    @property
    def matched_skills(self) -> list[str]:
        return [m["key"] for m in self.explanation.get("matched_skills", [])]

    @property
    def missing_skills(self) -> list[str]:
        return [m["key"] for m in self.explanation.get("missing_required", [])]


@dataclass
class MatchResult:
    """A stored match run and its shortlists (best first per role)."""

    run_id: int
    encoder: str
    rows: list[MatchRow]
    resumes_scored: int
    texts_encoded: int
    params: dict[str, Any]

    def for_role(self, role_key: str) -> list[MatchRow]:
        return [r for r in self.rows if r.role == role_key]

    def for_resume(self, resume_id: int) -> list[MatchRow]:
        """The roles ranked for one resume (a ``by_resume`` run), best first."""
        return sorted((r for r in self.rows if r.resume_id == resume_id), key=lambda r: r.rank)

    @property
    def scorer(self) -> dict[str, Any]:
        """What scored the run (``ml.provenance.scorer_record``)."""
        return dict(self.params.get("scorer") or {})

    @property
    def direction(self) -> str:
        return str(self.params.get("direction") or "by_role")


def _resume_ids(session: Session, resume_ids: Sequence[int] | None) -> list[int]:
    if resume_ids is None:
        return list(session.scalars(select(Resume.id).order_by(Resume.id)))
    wanted = sorted(set(int(i) for i in resume_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 900):
        found.update(
            session.scalars(select(Resume.id).where(Resume.id.in_(wanted[start : start + 900])))
        )
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise NotFoundError(f"unknown resume id(s): {unknown[:10]}")
    return wanted


def _texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(Resume.id, Resume.file_name, Resume.text).where(Resume.id.in_(list(ids)))
    )
    return {i: (fn, t) for i, fn, t in rows}


@dataclass
class Scoring:
    """What stage two needs to score any shard of the candidates: the roles, their vectors,
    the skill space and the scorer. Small and picklable, so a Ray worker gets one copy."""

    profiles: list[RoleProfile]
    taxonomy: SkillFinder
    space: SkillSpace
    role_vectors: np.ndarray
    skill_vectors: np.ndarray
    k: int
    weights: dict[str, float] | None = None
    pair_scorer: PairScorer | None = None


@dataclass
class MatchPlan:
    """Stage one's outcome over the whole pool: which resumes each role keeps as candidates."""

    scoring: Scoring
    ids: list[int]
    """The pool's resume ids, ascending (row order of ``lexical`` and ``candidates``)."""
    lexical: np.ndarray
    """(pool, roles, 4): bm25, tfidf, bm25_z, tfidf_z from the whole pool's lexical index."""
    candidates: np.ndarray
    """(pool, roles) bool: the pairs stage two scores."""
    stage_two: np.ndarray
    """Pool rows that are a candidate for at least one role, ascending."""
    stage: dict[str, Any]
    source: str
    top_k: int
    depth: int | None
    resume_ids: list[int] | None


def plan_match(
    session: Session,
    encoder: Encoder,
    *,
    role_keys: Sequence[str] | None = None,
    resume_ids: Sequence[int] | None = None,
    top_k: int = 10,
    pair_scorer: PairScorer | None = None,
    taxonomy: SkillFinder | None = None,
    weights: dict[str, float] | None = None,
    depth: int | None = DEFAULT_DEPTH,
    index_dir: Path | None = None,
    stage_progress: Callable[[str, int, int], None] | None = None,
    store: VectorStore | None = None,
) -> MatchPlan:
    """Stage one of ``match``: check the arguments, rank the whole pool per role by BM25 (and
    by stored document vector) and keep ``depth`` candidates per role from each.

    Role texts and skill names are embedded here (through ``session``'s cache, or ``store``
    when given: see ``ml.embed.embed_texts``); resumes are not.
    """
    from ml.retrieval import VectorIndex, lexical_features, load_or_build, top_rows

    if top_k < 1:
        raise InputError(f"top must be at least 1, got {top_k}", field="top")
    if depth is not None and depth < 1:
        raise InputError(f"depth must be at least 1, got {depth}", field="depth")
    if taxonomy is None:
        from data.store.skills import store_taxonomy

        taxonomy = store_taxonomy(session)  # the core plus the store's ESCO/custom skills
    profiles = load_profiles(session, role_keys)
    if not profiles:
        raise NotFoundError("there are no roles to match: import roles or load the demo first")
    ids = _resume_ids(session, resume_ids)
    if not ids:
        raise NotFoundError("there are no resumes to match: `talentmap resumes import PATH` first")

    def index_progress(done: int, total: int) -> None:
        if stage_progress:
            stage_progress("index", done, total)

    index, rebuilt = load_or_build(
        session, index_dir, taxonomy, resume_ids=resume_ids, progress=index_progress
    )
    if index.ids.tolist() != ids:
        if resume_ids is not None:
            raise RuntimeError("the lexical index does not cover the pool it was built for")
        # resumes were stored (or erased) by another writer since the pool was listed: the
        # index, read once, is the pool this run ranks
        ids = [int(i) for i in index.ids.tolist()]
        if not ids:
            raise NotFoundError(
                "there are no resumes to match: `talentmap resumes import PATH` first"
            )
    lexical, raw_bm25 = lexical_features(index, role_queries(profiles, taxonomy))
    eff_depth = len(ids) if depth is None else max(depth, top_k)
    candidates = np.zeros((len(ids), len(profiles)), dtype=bool)
    for j, rows_j in enumerate(top_rows(raw_bm25, eff_depth)):
        candidates[rows_j, j] = True
    space = SkillSpace.of(profiles)
    role_vectors = embed_texts(session, encoder, [p.text(taxonomy) for p in profiles], store=store)
    skill_vectors = embed_texts(session, encoder, space.names(taxonomy), store=store)
    vector_hits = 0
    stored = VectorIndex.load(index_dir, encoder.model_id) if eff_depth < len(ids) else None
    if stored is not None:
        digests = dict(
            session.execute(select(Resume.id, Resume.sha256).where(Resume.id.in_(ids))).all()
        )
        v_ids, v_vecs = stored.current({int(k): str(v) for k, v in digests.items()})
        if len(v_ids):
            pos = {rid: n for n, rid in enumerate(ids)}
            v_rows = np.array([pos[int(i)] for i in v_ids if int(i) in pos], dtype=np.int64)
            keep = np.array([int(i) in pos for i in v_ids], dtype=bool)
            sims = (v_vecs[keep] @ role_vectors.T).T
            for j, rows_j in enumerate(top_rows(sims, min(eff_depth, len(v_rows)))):
                candidates[v_rows[rows_j], j] = True
            vector_hits = int(len(v_rows))
    stage_two = np.flatnonzero(candidates.any(axis=1))
    scoring = Scoring(
        profiles,
        taxonomy,
        space,
        role_vectors,
        skill_vectors,
        min(top_k, len(ids)),
        weights,
        pair_scorer,
    )
    stage = {
        "depth": depth,
        "candidates": int(len(stage_two)),
        "pool": len(ids),
        "index_rebuilt": rebuilt,
        "vector_candidates_from": vector_hits,
    }
    return MatchPlan(
        scoring,
        ids,
        lexical,
        candidates,
        stage_two,
        stage,
        score_source(pair_scorer, weights),
        top_k,
        depth,
        None if resume_ids is None else ids,
    )


def score_candidates(
    session: Session,
    encoder: Encoder,
    scoring: Scoring,
    ids: Sequence[int],
    lexical: np.ndarray,
    candidates: np.ndarray,
    *,
    progress: ProgressFn | None = None,
    store: VectorStore | None = None,
) -> tuple[TopK, int]:
    """Stage two for resumes ``ids`` (ascending; ``lexical`` and ``candidates`` are their rows
    of the plan): embed through the cache, compute every feature, score and keep the top ``k``
    per role of the pairs ``candidates`` marks. The whole pool, or one shard of it on a Ray
    worker (``ml.distributed``; ``merge_top`` joins the shards). Returns the ``TopK`` and the
    number of passages encoded. ``progress(done, total)`` counts resumes scored."""
    sc = scoring
    top = TopK(len(sc.profiles), sc.k)
    encoded = 0

    def count(done: int, total: int) -> None:
        nonlocal encoded
        if done == total:
            encoded += total

    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), BLOCK):
        block_ids = [int(i) for i in ids[start : start + BLOCK]]
        texts = _texts(session, block_ids)
        block_texts = [texts[i][1] for i in block_ids]
        docs = embed_documents(session, encoder, block_texts, progress=count, store=store)
        feats = block_features(
            docs,
            block_texts,
            sc.taxonomy,
            sc.role_vectors,
            sc.skill_vectors,
            sc.space,
            lexical=lexical[start : start + BLOCK],
        )
        scores = score_pairs(feats, weights=sc.weights, pair_scorer=sc.pair_scorer)
        scores = np.where(candidates[start : start + BLOCK], scores, -np.inf).astype(np.float32)
        top.add(scores, np.asarray(block_ids), margins(feats))
        del texts, block_texts, docs, feats
        if progress:
            progress(min(start + BLOCK, len(ids)), len(ids))
    return top, encoded


def finish_match(
    session: Session,
    encoder: Encoder,
    plan: MatchPlan,
    top: TopK,
    *,
    encoded: int,
    actor: str,
    model_version_id: int | None = None,
) -> MatchResult:
    """Store a run from its merged ``top``: the run record, an explanation per shortlisted
    pair, the ``MatchScore`` rows and the audit entry (the last step of ``match``), in the
    caller's transaction (``explain_run`` then ``save_run``)."""
    ranked = explain_run(
        session, encoder, plan, top, encoded=encoded, model_version_id=model_version_id
    )
    return save_run(session, ranked, actor=actor)


@dataclass
class RankedRun:
    """A ranked and explained run not stored yet: what ``save_run`` writes."""

    encoder: str
    direction: str
    profiles: list[RoleProfile]
    rows: list[MatchRow]
    params: dict[str, Any]
    model_version_id: int | None
    resumes: int
    texts_encoded: int
    audit: dict[str, Any]
    """the audit row's detail"""


def save_run(session: Session, ranked: RankedRun, *, actor: str) -> MatchResult:
    """Store a ranked run (``MatchRun``, one ``MatchScore`` per row) and its audit row: a few
    statements, no encoding, so the write transaction around it is short."""
    run = MatchRun(
        created_by=actor,
        encoder=ranked.encoder,
        params=ranked.params,
        model_version_id=ranked.model_version_id,
        scorer=ranked.params["scorer"],
        direction=ranked.direction,
    )
    session.add(run)
    session.flush()
    store_rows(session, run.id, ranked.profiles, ranked.rows)
    record(
        session,
        actor,
        "match.run",
        target_type="match_run",
        target=str(run.id),
        model_version=str(ranked.model_version_id) if ranked.model_version_id else None,
        detail=ranked.audit,
    )
    session.flush()
    return MatchResult(
        run.id, ranked.encoder, ranked.rows, ranked.resumes, ranked.texts_encoded, ranked.params
    )


def explain_run(
    session: Session,
    encoder: Encoder,
    plan: MatchPlan,
    top: TopK,
    *,
    encoded: int,
    model_version_id: int | None = None,
    store: VectorStore | None = None,
) -> RankedRun:
    """The run from its merged ``top``, nothing written: its parameters and an explanation
    per shortlisted pair (passages read from the cache; ``store`` as for ``embed_texts``)."""
    sc = plan.scoring
    profiles, taxonomy, ids = sc.profiles, sc.taxonomy, plan.ids
    skill_vecs = dict(zip(sc.space.keys, sc.skill_vectors))
    shortlists = top.result()
    listed = sorted({rid for sl in shortlists for rid, _s in sl})
    pos_in_pool = {rid: n for n, rid in enumerate(ids)}
    source = plan.source
    params = {
        "top_k": plan.top_k,
        "weights": sc.weights,
        "semantic_range": list(SEMANTIC_RANGE),
        "feature_names": list(FEATURE_NAMES),
        "score_source": source,
        "default_scorer": _default_scorer_info() if source == "default_scorer" else None,
        "stage_one": plan.stage,
        "roles": [p.key for p in profiles],
        "resumes": len(ids),
        "resume_ids_sha256": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
        "resume_ids": plan.resume_ids,
        "taxonomy_hash": taxonomy_hash(taxonomy),
        "taxonomy_skills": len(taxonomy.by_key),
        "encoder_dim": encoder.dim,
    }
    params["scorer"] = run_scorer(
        session,
        encoder,
        pair_scorer=sc.pair_scorer,
        model_version_id=model_version_id,
        stage_one_depth=plan.depth,
        default_model=source == "default_scorer",
    )
    rows: list[MatchRow] = []
    for start in range(0, len(listed), BLOCK):
        part = listed[start : start + BLOCK]
        texts = _texts(session, part)
        part_texts = [texts[i][1] for i in part]
        docs = embed_documents(session, encoder, part_texts, store=store)
        pos = {rid: n for n, rid in enumerate(part)}
        feats_all = block_features(
            docs,
            part_texts,
            taxonomy,
            sc.role_vectors,
            sc.skill_vectors,
            sc.space,
            lexical=np.stack([plan.lexical[pos_in_pool[i]] for i in part]),
        )
        for j, profile in enumerate(profiles):
            for rank, (rid, score) in enumerate(shortlists[j], start=1):
                n = pos.get(rid)
                if n is None:
                    continue
                exp = explain(
                    texts[rid][1],
                    profile,
                    taxonomy,
                    feats_all[n, j],
                    passages=docs.passages[n],
                    passage_vectors=docs.passage_vectors[n],
                    role_vector=sc.role_vectors[j],
                    skill_vectors=skill_vecs,
                    score_source=source,
                ).to_json()
                rows.append(
                    MatchRow(
                        profile.key,
                        profile.title,
                        rid,
                        texts[rid][0],
                        rank,
                        round(float(score), 2),
                        exp,
                    )
                )
    order = {p.key: n for n, p in enumerate(profiles)}
    rows.sort(key=lambda r: (order[r.role], r.rank))
    return RankedRun(
        encoder=encoder.model_id,
        direction="by_role",
        profiles=list(profiles),
        rows=rows,
        params=params,
        model_version_id=model_version_id,
        resumes=len(ids),
        texts_encoded=encoded,
        audit={
            "roles": len(profiles),
            "resumes": len(ids),
            "top_k": plan.top_k,
            "encoder": encoder.model_id,
            "texts_encoded": encoded,
            "depth": plan.depth,
            "candidates": int(len(plan.stage_two)),
            "score_source": source,
        },
    )


def match(
    session: Session,
    encoder: Encoder,
    *,
    role_keys: Sequence[str] | None = None,
    resume_ids: Sequence[int] | None = None,
    top_k: int = 10,
    actor: str,
    pair_scorer: PairScorer | None = None,
    model_version_id: int | None = None,
    progress: ProgressFn | None = None,
    taxonomy: SkillFinder | None = None,
    weights: dict[str, float] | None = None,
    depth: int | None = DEFAULT_DEPTH,
    index_dir: Path | None = None,
    stage_progress: Callable[[str, int, int], None] | None = None,
) -> MatchResult:
    """Rank resumes for roles in two stages, store the run (``MatchRun`` + ``MatchScore``
    rows) and audit it.

    Stage one (``plan_match``) ranks every stored resume (or ``resume_ids``) per role by BM25
    over the lexical index (kept under ``index_dir`` and rebuilt when the pool changed; in
    memory without it), plus by document vector when ``talentmap embed`` stored them in
    ``index_dir``, and keeps ``depth`` candidates per role from each (``depth=None``: every
    resume). Stage two (``score_candidates``) encodes only the candidates (through the
    embedding cache), computes every feature and scores: the user's ``pair_scorer`` (with the
    ``model_version_id`` it came from) when given, the hand-set ``weights`` when given,
    otherwise the bundled default scorer. The ``top_k`` per role get an explanation
    (``finish_match``). ``progress(done, total)`` counts candidates scored in stage two;
    ``stage_progress(stage, done, total)`` also reports the index build (``"index"``).
    """
    plan = plan_match(
        session,
        encoder,
        role_keys=role_keys,
        resume_ids=resume_ids,
        top_k=top_k,
        pair_scorer=pair_scorer,
        taxonomy=taxonomy,
        weights=weights,
        depth=depth,
        index_dir=index_dir,
        stage_progress=stage_progress,
    )
    top, encoded = _score_stage_two(session, encoder, plan, progress=progress)
    return finish_match(
        session, encoder, plan, top, encoded=encoded, actor=actor, model_version_id=model_version_id
    )


def _score_stage_two(
    session: Session,
    encoder: Encoder,
    plan: MatchPlan,
    *,
    progress: ProgressFn | None,
    store: VectorStore | None = None,
) -> tuple[TopK, int]:
    """Stage two of ``plan`` in this process: its candidates scored, the top per role kept."""
    rows = plan.stage_two
    return score_candidates(
        session,
        encoder,
        plan.scoring,
        [plan.ids[int(r)] for r in rows],
        plan.lexical[rows],
        plan.candidates[rows],
        progress=progress,
        store=store,
    )


def run_match(
    engine: Engine,
    encoder: Encoder,
    *,
    actor: str,
    model_version_id: int | None = None,
    progress: ProgressFn | None = None,
    **plan_kw: Any,
) -> MatchResult:
    """``match`` safe beside other writers (the CLI's and the dashboard's): it reads in its
    own session and holds no write lock while it encodes (each block of new vectors goes into
    the embedding cache in its own short transaction, ``ml.embed.cache_writer``); then the
    run, its ``MatchScore`` rows and the audit row are written in one short transaction,
    retried when the database is busy. Takes ``match``'s keyword arguments."""
    store = cache_writer(engine)
    with Session(engine) as reader:
        plan = plan_match(reader, encoder, store=store, **plan_kw)
        top, encoded = _score_stage_two(reader, encoder, plan, progress=progress, store=store)
        ranked = explain_run(
            reader,
            encoder,
            plan,
            top,
            encoded=encoded,
            model_version_id=model_version_id,
            store=store,
        )
    return write_transaction(engine, lambda s: save_run(s, ranked, actor=actor))


def _default_scorer_info() -> dict[str, Any]:
    sc = default_scorer()
    return {"version": sc.version, "data_hash": sc.data_hash, "label": sc.label}


def store_rows(
    session: Session, run_id: int, profiles: Sequence[RoleProfile], rows: Sequence[MatchRow]
) -> None:
    """Store a run's ranked rows as ``MatchScore`` rows (both matching directions)."""
    if not rows:
        return
    role_ids = {p.key: p.role_id for p in profiles}
    session.execute(
        insert(MatchScore),
        [
            {
                "run_id": run_id,
                "resume_id": r.resume_id,
                "role_id": role_ids[r.role],
                "score": r.score,
                "rank": r.rank,
                "explanation": r.explanation,
            }
            for r in rows
        ],
    )


def run_scorer(
    session: Session,
    encoder: Encoder,
    *,
    pair_scorer: PairScorer | None,
    model_version_id: int | None,
    stage_one_depth: int | None = None,
    default_model: bool = False,
) -> dict[str, Any]:
    """The ``scorer`` record of a run (``ml.provenance``): which model, encoder, depth."""
    from data.store.models import ModelVersion
    from ml.provenance import scorer_record

    mv = session.get(ModelVersion, model_version_id) if model_version_id else None
    if pair_scorer is not None and mv is not None:
        return scorer_record(
            encoder=encoder.model_id,
            kind="pair_scorer",
            version=mv.version,
            model_version_id=mv.id,
            stage_one_depth=stage_one_depth,
        )
    if default_model:
        return scorer_record(
            encoder=encoder.model_id,
            kind="default_model",
            version=default_scorer().version,
            stage_one_depth=stage_one_depth,
        )
    return scorer_record(encoder=encoder.model_id, stage_one_depth=stage_one_depth)


def _skill_name(taxonomy: SkillFinder, key: str) -> str:
    sd = taxonomy.by_key.get(key)
    return key.replace("_", " ") if sd is None else sd.name_en


def load_run(session: Session, run_id: int) -> MatchResult:
    """A stored run's shortlists, exactly as ``match`` returned them."""
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFoundError(f"no match run {run_id}")
    q = (
        select(MatchScore, Role.key, Role.title_en, Resume.file_name)
        .join(Role, Role.id == MatchScore.role_id)
        .join(Resume, Resume.id == MatchScore.resume_id)
        .where(MatchScore.run_id == run_id)
    )
    order = {k: i for i, k in enumerate(run.params.get("roles", []))}
    rows = [
        MatchRow(key, title, ms.resume_id, fn, ms.rank, ms.score, ms.explanation or {})
        for ms, key, title, fn in session.execute(q)
    ]
    rows.sort(key=lambda r: (order.get(r.role, math.inf), r.rank))
    params = dict(run.params)
    params["scorer"] = run.scorer or params.get("scorer")
    params["direction"] = run.direction or "by_role"
    if params["direction"] == "by_resume":
        rows.sort(key=lambda r: (r.resume_id, r.rank))
    return MatchResult(run.id, run.encoder, rows, int(run.params.get("resumes", 0)), 0, params)


def latest_run_id(session: Session) -> int | None:
    """The id of the most recent match run, if any."""
    return session.scalar(select(func.max(MatchRun.id)))
