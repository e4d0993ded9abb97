"""Stage one (lexical retrieval), the two-stage match, and the bundled default scorer."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from data.store.engine import session_scope
from data.store.models import Resume
from data.text.taxonomy import load_taxonomy
from ml.default_scorer import load_default_scorer
from ml.matcher import FEATURE_NAMES, TopK, document_features, load_profiles, match, score_pairs
from ml.retrieval import (
    LexicalIndex,
    VectorIndex,
    document_tokens,
    load_or_build,
    query_tokens,
    tokenize,
)
from tests.ml.conftest import seed_matching_store

FILLER = [
    "Retail cashier. Handled the till and stocked shelves.",
    "Truck driver with ten years on long-haul routes.",
    "Primary school teacher, taught maths and reading.",
    "Nurse on a cardiology ward, patient care and medication rounds.",
    "Carpenter building kitchens and fitted wardrobes.",
    "收银员，负责门店收银和商品上架。",
    "小学语文教师，负责教学和班级管理。",
    "Barista and café shift lead.",
]


def _seed_pool(session, copies: int = 3) -> dict[str, int]:
    ids = seed_matching_store(session)
    for c in range(copies):
        for j, text in enumerate(FILLER):
            r = Resume(
                file_name=f"filler_{c}_{j}.txt",
                sha256=f"f{c:03d}{j:060d}",
                language="zh" if "，" in text else "en",
                text=f"{text}\nReference {c}-{j}.",
            )
            session.add(r)
            session.flush()
            ids[r.file_name] = r.id
    return ids


def test_tokens_keep_english_words_chinese_bigrams_and_skills():
    assert tokenize("The C++ and node.js engineer") == ["c++", "node.js", "engineer"]
    assert tokenize("自然语言处理") == ["自然", "然语", "语言", "言处", "处理"]
    tax = load_taxonomy()
    en = document_tokens("Built NLP systems", tax)
    zh = document_tokens("负责自然语言处理系统", tax)
    skill_en = {t for t in en if t.startswith("skill:")}
    assert skill_en and skill_en <= set(zh)  # the same skill token in both languages


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bm25_stage_retrieves_the_right_resume_in_both_languages(lang):
    tax = load_taxonomy()
    docs = {
        "en": [
            "Chef. Prepared meals and managed the kitchen.",
            "Speech recognition engineer: trained acoustic models and ASR decoders.",
            "Computer vision engineer: object detection and image segmentation.",
            "Accountant preparing ledgers and tax returns.",
        ],
        "zh": [
            "厨师，负责后厨管理和菜品制作。",
            "语音识别工程师，训练声学模型和解码器。",
            "计算机视觉工程师，负责目标检测和图像分割。",
            "会计，负责总账和纳税申报。",
        ],
    }[lang]
    queries = {
        "en": ["speech recognition acoustic model engineer", "image segmentation detection"],
        "zh": ["语音识别 声学模型", "目标检测 图像分割"],
    }[lang]
    index = LexicalIndex.build(list(range(10, 14)), [document_tokens(d, tax) for d in docs])
    scores = index.bm25_scores([query_tokens(q) for q in queries])
    assert scores.argmax(axis=1).tolist() == [1, 2]
    tf = index.tfidf_scores([query_tokens(q) for q in queries])
    assert tf.argmax(axis=1).tolist() == [1, 2]
    # TF-IDF cosine computed independently with scikit-learn on the same tokens
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True, lowercase=False)
    m = vec.fit_transform([document_tokens(d, tax) for d in docs])
    q = vec.transform([query_tokens(x) for x in queries])
    np.testing.assert_allclose(tf, (q @ m.T).toarray(), atol=1e-5)


def test_index_is_persisted_and_rebuilt_when_the_pool_changes(engine, tmp_path):
    tax = load_taxonomy()
    with session_scope(engine) as s:
        _seed_pool(s, copies=1)
        first, built = load_or_build(s, tmp_path, tax)
        assert built and (tmp_path / "lexical" / "meta.json").exists()
        again, built2 = load_or_build(s, tmp_path, tax)
        assert not built2 and again.ids.tolist() == first.ids.tolist()
        q = [query_tokens("PyTorch deep learning")]
        np.testing.assert_allclose(again.bm25_scores(q), first.bm25_scores(q), rtol=1e-6)
        s.add(Resume(file_name="new.txt", sha256="9" * 64, language="en", text="PyTorch dev"))
        s.flush()
        third, built3 = load_or_build(s, tmp_path, tax)
        assert built3 and len(third) == len(first) + 1


def _exhaustive(session, encoder, tax):
    """Every resume against every role, computed without the matcher's two stages."""
    profiles = load_profiles(session)
    rows = session.query(Resume.id, Resume.text).order_by(Resume.id).all()
    feats = document_features(session, encoder, [t for _i, t in rows], profiles, tax)
    scores = score_pairs(feats)
    out = {}
    for j, p in enumerate(profiles):
        order = sorted(range(len(rows)), key=lambda n: (-scores[n, j], rows[n][0]))
        out[p.key] = [(rows[n][0], round(float(scores[n, j]), 2)) for n in order]
    return out


@pytest.mark.parametrize("depth", [None, 1000])
def test_two_stages_equal_exhaustive_scoring_when_depth_covers_the_pool(
    engine, counting_encoder, tmp_path, depth
):
    tax = load_taxonomy()
    with session_scope(engine) as s:
        _seed_pool(s)
        pool = s.query(Resume).count()
        expected = _exhaustive(s, counting_encoder, tax)
        result = match(s, counting_encoder, top_k=pool, actor="a", depth=depth, index_dir=tmp_path)
    for role, want in expected.items():
        got = [(r.resume_id, r.score) for r in result.for_role(role)]
        assert [i for i, _ in got] == [i for i, _ in want]
        np.testing.assert_allclose([x for _, x in got], [x for _, x in want], atol=0.011)
    assert result.params["stage_one"]["candidates"] == pool


def test_a_shallow_stage_one_encodes_only_the_candidates(engine, counting_encoder, tmp_path):
    tax = load_taxonomy()
    with session_scope(engine) as s:
        ids = _seed_pool(s)
        result = match(
            s,
            counting_encoder,
            role_keys=["ml_engineer"],
            top_k=2,
            depth=3,
            actor="a",
            index_dir=tmp_path,
            taxonomy=tax,
        )
        stage = result.params["stage_one"]
    assert stage["candidates"] == 3 and stage["pool"] == len(ids)
    assert {r.resume for r in result.rows} == {"ml_en.txt", "ml_zh.txt"}
    encoded = set(counting_encoder.encoded)
    assert not any("Reference" in t for t in encoded)  # no filler resume was encoded


def test_stored_vectors_add_candidates_to_stage_one(engine, counting_encoder, tmp_path):
    from ml.embed import embed_pool

    with session_scope(engine) as s:
        _seed_pool(s)
        n = embed_pool(s, counting_encoder, tmp_path)
        pool = s.query(Resume).count()
        assert n == pool
        stored = VectorIndex.load(tmp_path, counting_encoder.model_id)
        assert stored is not None and len(stored.ids) == pool
        result = match(
            s,
            counting_encoder,
            role_keys=["ml_engineer"],
            top_k=1,
            depth=1,
            actor="a",
            index_dir=tmp_path,
        )
    # BM25 gives one candidate, the vectors a second (or the same one)
    assert 1 <= result.params["stage_one"]["candidates"] <= 2
    assert result.params["stage_one"]["vector_candidates_from"] == pool


def test_the_default_scorer_ships_with_hash_features_and_calibration():
    raw = json.loads(resources.files("ml").joinpath("default_scorer.json").read_text("utf-8"))
    sc = load_default_scorer()
    assert sc.version == raw["version"] >= 1 and sc.label == f"default model v{sc.version}"
    assert len(sc.data_hash) == 64 and int(sc.data_hash, 16) >= 0
    assert set(sc.feature_names) <= set(FEATURE_NAMES) and len(sc.feature_names) >= 3
    assert (sc.coef >= 0).all()
    # the probabilities are scikit-learn's: rebuild the fitted objects from the JSON numbers
    from sklearn.calibration import _SigmoidCalibration
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(3)
    X = rng.normal(sc.mean, sc.scale * 2, size=(500, len(sc.feature_names)))
    scaler = StandardScaler()
    scaler.mean_, scaler.scale_ = sc.mean, sc.scale
    scaler.n_features_in_, scaler.var_ = len(sc.mean), sc.scale**2
    lr = LogisticRegression()
    lr.coef_, lr.intercept_ = sc.coef[None, :], np.array([sc.intercept])
    lr.classes_ = np.array([0, 1])
    lr.n_features_in_ = len(sc.mean)
    sig = _SigmoidCalibration()
    sig.a_, sig.b_ = sc.a, sc.b
    ref = sig.predict(lr.decision_function(scaler.transform(X)))
    p = sc(X)
    np.testing.assert_allclose(p, np.minimum(ref, sc.cap), atol=1e-9)
    assert ((p >= 0) & (p <= sc.cap) & (sc.cap < 1)).all()
    # monotonic: a larger margin never gives a lower probability
    m = sc.margin(X)
    order = np.argsort(m)
    assert (np.diff(p[order]) >= -1e-12).all()


def test_ties_in_score_are_broken_by_the_margin():
    scores = np.full((4, 1), 99.0, np.float32)
    margin = np.array([[0.1], [3.0], [2.0], [0.5]])
    top = TopK(1, 3)
    top.add(scores[:2], np.array([1, 2]), margin[:2])
    top.add(scores[2:], np.array([3, 4]), margin[2:])
    assert [rid for rid, _s in top.result()[0]] == [2, 3, 4]


def test_match_never_shows_100(engine, counting_encoder, tmp_path):
    with session_scope(engine) as s:
        _seed_pool(s, copies=1)
        result = match(s, counting_encoder, top_k=5, actor="a", index_dir=tmp_path)
    cap = load_default_scorer().cap
    assert max(r.score for r in result.rows) <= 100 * cap
