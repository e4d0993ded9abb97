"""Stage one of matching: lexical retrieval over the whole pool, with no neural encoder.

A ``LexicalIndex`` holds, for a pool of resumes, a BM25 index (``bm25s``) and an L2-normalised
TF-IDF matrix (scikit-learn) over the same tokens: words for English (English stopwords
dropped), overlapping character bigrams for Chinese runs (so no dictionary is needed and a
Chinese role text meets a Chinese resume), plus one ``skill:<key>`` token per skill of the
bilingual taxonomy found in the text (so ``NLP`` and ``自然语言处理`` are the same token).
A role's query is its text's tokens plus its skill tokens (required skills twice).

The index lives in the data directory (``<index_dir>/lexical``) with a fingerprint of the pool
(resume ids and content hashes, tokeniser version and taxonomy hash); when the pool changes the
index is **rebuilt** (BM25 statistics such as IDF depend on the whole pool, so an incremental
update would drift): a 10,000-resume pool rebuilds in seconds.

Both lexical scores are also pair features of stage two (``ml.matcher``): ``bm25`` divided by
the role's best BM25 score in the pool (so roles with long and short texts are comparable),
and ``tfidf``, the cosine of the TF-IDF vectors.

``VectorIndex`` keeps the document vectors of the pool for one encoder (written by
``talentmap embed``); once it exists stage one also takes the nearest resumes by vector.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

TOKENIZER_VERSION = "1"
"""Bumped whenever ``tokenize`` changes, so stored indexes are rebuilt."""

_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.][a-z0-9+#]+)*|[\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

ProgressFn = Callable[[int, int], None]


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | {"s", "t", "etc", "also", "will", "can"}


_STOP = _stopwords()


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of English (stopwords dropped) and character bigrams of Chinese.

    A one-character Chinese run stays as itself. ``c++``, ``c#`` and ``node.js`` stay whole.
    """
    out: list[str] = []
    for tok in _TOKEN_RE.findall((text or "").lower()):
        if _CJK.match(tok):
            if len(tok) == 1:
                out.append(tok)
            else:
                out.extend(tok[i : i + 2] for i in range(len(tok) - 1))
        elif tok not in _STOP:
            out.append(tok)
    return out


def skill_tokens(taxonomy: Any, text: str) -> list[str]:
    """One ``skill:<key>`` token per distinct taxonomy skill found in ``text``."""
    if taxonomy is None:
        return []
    return sorted({f"skill:{h.key}" for h in taxonomy.find(text)})


def document_tokens(text: str, taxonomy: Any = None) -> list[str]:
    """The tokens a resume is indexed by: its words/bigrams and its skills."""
    return tokenize(text) + skill_tokens(taxonomy, text)


def query_tokens(
    text: str, skills: Iterable[tuple[str, float, bool]] = (), taxonomy: Any = None
) -> list[str]:
    """The tokens a role searches with: its text and its skills (required ones twice)."""
    toks = tokenize(text)
    for key, _w, required in skills:
        toks.extend([f"skill:{key}"] * (2 if required else 1))
    return toks


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def pool_fingerprint(rows: Iterable[tuple[int, str]], taxonomy_hash: str = "") -> str:
    """A fingerprint of a pool: its (resume id, content hash) pairs, tokeniser and taxonomy."""
    h = hashlib.sha256(f"tok{TOKENIZER_VERSION}|{taxonomy_hash}".encode())
    for rid, digest in rows:
        h.update(f"{rid}:{digest};".encode())
    return h.hexdigest()


@dataclass
class LexicalIndex:
    """BM25 and TF-IDF over one pool of documents (rows in the order of ``ids``)."""

    ids: np.ndarray
    bm25: Any
    vocabulary: dict[str, int]
    idf: np.ndarray
    tfidf: sparse.csr_matrix
    fingerprint: str = ""

    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        tokens: Sequence[list[str]],
        *,
        fingerprint: str = "",
    ) -> LexicalIndex:
        """Index already tokenised documents (``document_tokens``)."""
        import bm25s
        from sklearn.feature_extraction.text import TfidfVectorizer

        # an empty document would give bm25s nothing to index: give it a token no query has
        docs = [list(t) if t else ["\x00"] for t in tokens]
        bm = bm25s.BM25()
        bm.index(docs, show_progress=False)
        vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        m = vec.fit_transform(docs)
        return cls(
            np.asarray(list(ids), dtype=np.int64),
            bm,
            {str(k): int(v) for k, v in vec.vocabulary_.items()},
            np.asarray(vec.idf_, dtype=np.float32),
            sparse.csr_matrix(m, dtype=np.float32),
            fingerprint,
        )

    def __len__(self) -> int:
        return int(len(self.ids))

    def bm25_scores(self, queries: Sequence[list[str]]) -> np.ndarray:
        """(queries, documents) BM25 scores (a query's repeated tokens count repeatedly)."""
        out = np.zeros((len(queries), len(self)), dtype=np.float32)
        for j, q in enumerate(queries):
            if q:
                out[j] = self.bm25.get_scores(list(q))
        return out

    def query_tfidf(self, queries: Sequence[list[str]]) -> sparse.csr_matrix:
        """(queries, vocabulary) L2-normalised TF-IDF vectors of the queries (sublinear tf)."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for j, q in enumerate(queries):
            counts: dict[int, int] = {}
            for t in q:
                c = self.vocabulary.get(t)
                if c is not None:
                    counts[c] = counts.get(c, 0) + 1
            for c, n in counts.items():
                rows.append(j)
                cols.append(c)
                vals.append((1.0 + np.log(n)) * float(self.idf[c]))
        m = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(queries), len(self.vocabulary)),
        )
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m, dtype=np.float32)

    def tfidf_scores(self, queries: Sequence[list[str]]) -> np.ndarray:
        """(queries, documents) cosine of TF-IDF vectors."""
        q = self.query_tfidf(queries)
        return np.asarray((q @ self.tfidf.T).todense(), dtype=np.float32)

    # --- persistence -----------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        """Write the index to ``folder`` (replaced whole: a half-written index is never read)."""
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        self.bm25.save(str(tmp / "bm25"), show_progress=False)
        sparse.save_npz(tmp / "tfidf.npz", self.tfidf)
        np.savez(tmp / "arrays.npz", ids=self.ids, idf=self.idf)
        (tmp / "vocabulary.json").write_text(json.dumps(self.vocabulary), encoding="utf-8")
        (tmp / "meta.json").write_text(
            json.dumps({"fingerprint": self.fingerprint, "documents": len(self)}),
            encoding="utf-8",
        )
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
        return folder

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        arrays = np.load(folder / "arrays.npz")
        bm = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
        return cls(
            arrays["ids"].astype(np.int64),
            bm,
            json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")),
            arrays["idf"].astype(np.float32),
            sparse.load_npz(folder / "tfidf.npz").tocsr(),
            str(meta.get("fingerprint", "")),
        )

    @staticmethod
    def stored_fingerprint(folder: Path) -> str | None:
        try:
            meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return str(meta.get("fingerprint", "")) or None


LEXICAL_FEATURES: tuple[str, ...] = ("bm25", "tfidf", "bm25_z", "tfidf_z")
"""The lexical pair features, in the matcher's column order."""


def lexical_features(
    index: LexicalIndex, queries: Sequence[list[str]], rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(documents, queries, 4) lexical features of the index rows ``rows`` (all by default),
    and the raw BM25 scores (queries, all documents) that stage one ranks by.

    ``bm25`` is divided by the query's best score in the pool; ``tfidf`` is the cosine;
    ``bm25_z`` / ``tfidf_z`` standardise both within the query over the whole pool (how far the
    resume stands out from the pool for this role: this makes roles with generic and specific
    texts comparable). Pool statistics use no labels.
    """
    raw = index.bm25_scores(queries)
    best = raw.max(axis=1, initial=0.0)
    best[best <= 0] = 1.0
    bm = (raw / best[:, None]).T
    tf = index.tfidf_scores(queries).T

    def z(a: np.ndarray) -> np.ndarray:
        sd = a.std(axis=0, keepdims=True)
        sd[sd == 0] = 1.0
        return np.asarray((a - a.mean(axis=0, keepdims=True)) / sd)

    feats = np.stack([bm, tf, z(bm), z(tf)], axis=-1).astype(np.float32)
    if rows is not None:
        feats = feats[rows]
    return feats, raw


def top_rows(scores: np.ndarray, depth: int) -> list[np.ndarray]:
    """Per row of ``scores`` (queries, documents), the column positions of the ``depth`` best
    (ties broken by position, i.e. by resume id in an id-ordered pool)."""
    n = scores.shape[1]
    if depth >= n:
        return [np.arange(n) for _ in range(scores.shape[0])]
    out = []
    for row in scores:
        part = np.argpartition(-row, depth - 1)[:depth]
        out.append(np.sort(part))
    return out


# --- the stored pool index -----------------------------------------------------------------


def load_or_build(
    session: Any,
    index_dir: Path | None,
    taxonomy: Any,
    *,
    resume_ids: Sequence[int] | None = None,
    progress: ProgressFn | None = None,
    block: int = 2000,
) -> tuple[LexicalIndex, bool]:
    """The lexical index of the stored resumes (or of ``resume_ids``), and whether it was built.

    With ``index_dir`` the index of the whole store is kept at ``index_dir/lexical`` and
    rebuilt only when the pool's fingerprint changed; without it (or for a subset of resumes)
    it is built in memory.
    """
    from sqlalchemy import select

    from data.store.models import Resume
    from ml.matcher import taxonomy_hash

    q = select(Resume.id, Resume.sha256).order_by(Resume.id)
    if resume_ids is not None:
        wanted = sorted(set(int(i) for i in resume_ids))
        rows: list[tuple[int, str]] = []
        for start in range(0, len(wanted), 900):
            rows.extend(
                (int(i), str(s))
                for i, s in session.execute(
                    q.where(Resume.id.in_(wanted[start : start + 900]))
                ).all()
            )
        rows.sort()
    else:
        rows = [(int(i), str(s)) for i, s in session.execute(q).all()]
    fp = pool_fingerprint(rows, taxonomy_hash(taxonomy))
    folder = None if index_dir is None or resume_ids is not None else Path(index_dir) / "lexical"
    if folder is not None and LexicalIndex.stored_fingerprint(folder) == fp:
        try:
            return LexicalIndex.load(folder), False
        except (OSError, ValueError, KeyError):
            pass  # unreadable: rebuild below
    ids = [r for r, _ in rows]
    tokens: list[list[str]] = []
    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), block):
        part = ids[start : start + block]
        texts = {
            int(i): t
            for i, t in session.execute(
                select(Resume.id, Resume.text).where(Resume.id.in_(part))
            ).all()
        }
        tokens.extend(document_tokens(texts[i] or "", taxonomy) for i in part)
        if progress:
            progress(min(start + block, len(ids)), len(ids))
    index = LexicalIndex.build(ids, tokens, fingerprint=fp)
    if folder is not None:
        index.save(folder)
    return index, True


# --- document vectors of the pool ----------------------------------------------------------


def _slug(model_id: str) -> str:
    return (
        re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-")[:80]
        + "-"
        + hashlib.sha256(model_id.encode()).hexdigest()[:8]
    )


@dataclass
class VectorIndex:
    """Document vectors of resumes for one encoder: ``ids`` (n,), ``digests`` (n,), ``vectors``."""

    ids: np.ndarray
    digests: list[str]
    vectors: np.ndarray

    @staticmethod
    def path(index_dir: Path, model_id: str) -> Path:
        return Path(index_dir) / f"vectors-{_slug(model_id)}.npz"

    @classmethod
    def load(cls, index_dir: Path | None, model_id: str) -> VectorIndex | None:
        if index_dir is None:
            return None
        p = cls.path(index_dir, model_id)
        if not p.exists():
            return None
        try:
            z = np.load(p)
            return cls(z["ids"].astype(np.int64), [str(d) for d in z["digests"]], z["vectors"])
        except (OSError, ValueError, KeyError):
            return None

    def save(self, index_dir: Path, model_id: str) -> Path:
        p = self.path(index_dir, model_id)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.stem + ".tmp.npz")
        np.savez(
            tmp,
            ids=self.ids,
            digests=np.asarray(self.digests, dtype="U64"),
            vectors=self.vectors.astype(np.float32),
        )
        tmp.replace(p)
        return p

    def current(self, digests: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
        """The (ids, vectors) still valid for a pool whose content hashes are ``digests``."""
        keep = np.array(
            [digests.get(int(i)) == d for i, d in zip(self.ids, self.digests)], dtype=bool
        )
        return self.ids[keep], self.vectors[keep]
