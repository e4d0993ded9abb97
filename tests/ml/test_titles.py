"""Job-title normalisation: cleaning, tables, the fit/predict contract, known cscoder cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.errors import InputError, ModelError
from ml.titles import (
    DEFAULT_WEIGHTS,
    SIGNALS,
    Match,
    TitleNormaliser,
    clean_title,
    csco_table,
    esco_occupation_table,
)


@pytest.fixture(scope="module")
def csco() -> pd.DataFrame:
    return csco_table()


@pytest.fixture(scope="module")
def lexical(csco: pd.DataFrame) -> TitleNormaliser:
    """The lexical half of the model over the full CSCO table (no encoder: fast)."""
    return TitleNormaliser(encoder=None).fit(csco)


@pytest.fixture(scope="module")
def muse():
    from ml.encoders import get_encoder

    return get_encoder("muse")


SMALL = pd.DataFrame(
    {
        "code": ["2-02-10-03", "2-06-03-00", "4-03-02-01", "2-08-02-00", "2-05-08-00"],
        "label": ["计算机软件工程技术人员", "会计专业人员", "中式烹调师", "中小学教师", "护士"],
        "aliases": [("软件工程师",), ("会计", "注册会计师"), ("厨师",), ("老师",), ()],
        "description": [
            "从事计算机软件研究、设计、开发的工程技术人员",
            "从事会计核算和财务管理的专业人员",
            "烹制中式菜肴的人员",
            "在中小学从事教学工作的人员",
            "从事护理工作的专业人员",
        ],
        "level": [4, 3, 4, 3, 3],
    }
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("抖音房产分析师/选房师+提成70% 月入3万", "抖音房产分析师"),
        ("抚州8k续保专员/五险双休/员工餐", "续保专员"),
        ("激光焊接高级工程师 (MJ001141)", "激光焊接工程师"),
        ("造价工程师（土建专业）（职位编号：LZHR2301）", "造价工程师"),
        ("Senior Data Scientist", "data scientist"),
        ("招聘专员", "招聘专员"),
    ],
)
def test_clean_title_keeps_the_job_only(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_csco_table_has_every_level_and_clean_labels(csco: pd.DataFrame) -> None:
    assert len(csco) == 2047  # 2,051 rows in the file, four codes repeated
    assert set(csco["level"]) == {1, 2, 3, 4}
    assert csco["code"].is_unique
    assert not csco["label"].str.contains(r"[\u4e00-\u9fff][SL]$").any()
    row = csco.set_index("code").loc["4-12-01-01"]
    assert row["label"] == "汽车维修工" and "洗车工" in row["aliases"]


def test_esco_occupation_table_reads_preferred_labels() -> None:
    esco = esco_occupation_table()
    assert len(esco) > 3000
    assert esco["code"].str.startswith("http://data.europa.eu/esco/occupation/").all()
    labels = set(esco["label"])
    assert {"technical director", "data scientist", "accountant"} <= labels


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("采购员", "4-01-01-00"),
        ("贵州吉祥箱包有限公司招聘车工", "6-18-01-01"),
        ("皮肤管理美容师", "4-10-03-01"),
        ("淘宝天猫运营", "4-01-06-01"),
        ("销售专员（浙江地区）", "4-01-02-01"),
        ("电商仓库文员/仓库管理员", "4-02-06-01"),
        ("校长", "1-06-02-00"),
    ],
)
def test_known_cscoder_cases(lexical: TitleNormaliser, title: str, code: str) -> None:
    [match] = lexical.predict([title])
    assert isinstance(match, Match)
    assert match.code == code


def test_predict_top_is_ranked_and_labelled(lexical: TitleNormaliser) -> None:
    [top] = lexical.predict_top(["软件工程师"], k=3)
    assert [m.score for m in top] == sorted((m.score for m in top), reverse=True)
    assert top[0].code == "2-02-10-03" and top[0].label == "计算机软件工程技术人员"
    assert len({m.code for m in top}) == 3


def test_signals_have_one_column_per_occupation(lexical: TitleNormaliser, csco) -> None:
    sig = lexical.signals(["数据分析师", "车工"])
    assert set(sig) == set(SIGNALS)
    for matrix in sig.values():
        assert matrix.shape == (2, len(csco))
    assert sig["exact"][1, csco.index[csco["code"] == "6-18-01-01"][0]] == 1.0


def test_multilingual_embedding_reaches_chinese_labels(muse) -> None:
    model = TitleNormaliser(encoder=muse).fit(SMALL)
    got = [
        m.code for m in model.predict(["software engineer", "accountant", "primary school teacher"])
    ]
    assert got == ["2-02-10-03", "2-06-03-00", "2-08-02-00"]


def test_the_hybrid_uses_both_kinds_of_signal(muse) -> None:
    model = TitleNormaliser(encoder=muse).fit(SMALL)
    lexical_only = TitleNormaliser(encoder=None).fit(SMALL)
    # an English title has no characters in common with the Chinese labels
    assert lexical_only.signals(["nurse"])["tfidf_label"].max() == 0
    assert model.predict(["nurse"])[0].code == "2-05-08-00"
    assert model.predict(["中式厨师"])[0].code == "4-03-02-01"


def test_save_and_load_round_trip(tmp_path: Path, muse) -> None:
    model = TitleNormaliser(encoder=muse, weights=dict(DEFAULT_WEIGHTS)).fit(SMALL)
    folder = model.save(tmp_path / "idx")
    loaded = TitleNormaliser.load(folder, encoder=muse)
    titles = ["会计", "software developer", "护士长"]
    assert loaded.predict(titles) == model.predict(titles)
    np.testing.assert_allclose(loaded.label_vectors_, model.label_vectors_)


def test_load_refuses_a_different_encoder(tmp_path: Path, muse) -> None:
    folder = TitleNormaliser(encoder=muse).fit(SMALL).save(tmp_path / "idx")

    class Other:
        model_id = "other:1"

        def encode(self, texts, progress=None):
            return np.zeros((len(texts), 4), dtype=np.float32)

    with pytest.raises(ModelError, match="built with muse"):
        TitleNormaliser.load(folder, encoder=Other())


def test_corrupt_index_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="delete the folder"):
        TitleNormaliser.load(folder)


def test_contract_errors() -> None:
    with pytest.raises(ModelError, match="not fitted"):
        TitleNormaliser(encoder=None).predict(["会计"])
    with pytest.raises(InputError, match=r"lacks column\(s\) \['label'\]"):
        TitleNormaliser(encoder=None).fit(pd.DataFrame({"code": ["1"]}))
    with pytest.raises(InputError, match="empty"):
        TitleNormaliser(encoder=None).fit(SMALL.iloc[0:0])
    with pytest.raises(InputError, match="DataFrame"):
        TitleNormaliser(encoder=None).fit([("1", "a")])  # type: ignore[arg-type]
    model = TitleNormaliser(encoder=None).fit(SMALL)
    with pytest.raises(InputError, match="empty"):
        model.predict(["会计", "  "])


@pytest.mark.parametrize(
    "title",
    [
        "大模型专家",
        "大模型研发专家",
        "AI Scientist",
        "AI Scientist (LLM, Chatbot, GenAI)",
        "NLP算法工程师",
    ],
)
def test_ai_titles_go_to_the_ai_occupation(lexical: TitleNormaliser, title: str) -> None:
    (best,) = lexical.predict(title)
    assert best.label == "人工智能工程技术人员"  # not 模型制作工, not 地球科学研究人员
    assert best.score == 1.0 or best.score > 0.5


def test_scores_are_on_one_documented_0_1_scale(lexical: TitleNormaliser) -> None:
    tops = lexical.predict_top(["数据分析师", "大模型专家", "xyz unknown", "厨师"], 5)
    scores = [m.score for row in tops for m in row]
    assert all(0.0 <= s <= 1.0 for s in scores)
    # a known title scores far above a string that names no occupation
    assert tops[1][0].score > 0.5 > tops[2][0].score


def test_esco_answers_are_occupations_only() -> None:
    esco = esco_occupation_table()
    model = TitleNormaliser(encoder=None).fit(esco)
    for row in model.predict_top(["software developer", "nurse", "data scientist"], 3):
        assert all(m.code.startswith("http://data.europa.eu/esco/occupation/") for m in row)
