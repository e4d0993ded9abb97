"""Bias audit: rates and ratios against fairlearn, the NYC DCWP worked examples, exclusions,
unknowns, intersectional groups, Fisher p-values, and the stored audit and promotion gate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from scipy.stats import fisher_exact
from sqlalchemy import func, select

from analytics.fairness import (
    UNKNOWN,
    AuditResult,
    audit_counts,
    audit_model,
    audit_scores,
    audit_selection,
    describe_origin,
    describe_subject,
    excluded_text,
    group_name,
    latest_audit,
    run_audit,
)
from data.errors import InputError, NotFoundError
from data.store.engine import session_scope
from data.store.models import AuditLog, BiasAudit, ModelVersion


def _frame_from_cells(cells: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """One row per person from (sex, ethnicity, n, selected) cells."""
    rows = []
    for sex, eth, n, k in cells:
        rows += [(sex, eth, 1)] * k + [(sex, eth, 0)] * (n - k)
    return pd.DataFrame(rows, columns=["sex", "ethnicity", "selected"])


def _row(result: AuditResult, dimension: str, group: str):
    found = [r for r in result.rows if r.dimension == dimension and r.group == group]
    assert found, f"no row {dimension}/{group} in {[(r.dimension, r.group) for r in result.rows]}"
    return found[0]


def test_selection_rates_and_ratios_match_fairlearn() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    df = pd.DataFrame(
        {
            "sex": rng.choice(["male", "female"], n, p=[0.55, 0.45]),
            "ethnicity": rng.choice(["Asian", "White", "Black", "Hispanic"], n),
        }
    )
    p = np.where(df["sex"] == "male", 0.55, 0.40) + np.where(df["ethnicity"] == "Black", -0.1, 0)
    df["selected"] = (rng.random(n) < p).astype(int)
    result = audit_selection(df, "selected", min_share=0.0)

    for dims, dimension in (
        (["sex"], "sex"),
        (["ethnicity"], "ethnicity"),
        (["sex", "ethnicity"], "intersectional"),
    ):
        mf = MetricFrame(
            metrics=selection_rate,
            y_true=df["selected"],
            y_pred=df["selected"],
            sensitive_features=df[dims],
        )
        by_group = mf.by_group
        ratios = by_group / by_group.max()
        assert len(by_group) == len(result.table(dimension))
        for key, rate in by_group.items():
            label = " × ".join(key) if isinstance(key, tuple) else key
            row = _row(result, dimension, label)
            assert row.rate == pytest.approx(rate, abs=1e-12)
            assert row.impact_ratio == pytest.approx(ratios[key], abs=1e-12)
        assert mf.ratio(method="between_groups") == pytest.approx(
            min(r.impact_ratio for r in result.rows if r.dimension == dimension)
        )


def test_nyc_worked_example_female_447_male_543() -> None:
    df = _frame_from_cells([("male", "White", 1000, 543), ("female", "White", 1000, 447)])
    result = audit_selection(df, "selected", groups=("sex",))
    female = _row(result, "sex", "female")
    assert female.rate == pytest.approx(0.447)
    assert round(female.impact_ratio, 2) == 0.82
    assert not female.flagged and _row(result, "sex", "male").reference
    assert result.passed, result.reasons


# The DCWP's example tables (rules of NYC Local Law 144, 6 RCNY § 5-301): counts -> rates, ratios.
DCWP_SEX = [("male", 1390, 667, 0.48, 1.000), ("female", 1181, 555, 0.47, 0.979)]
DCWP_ETHNICITY = [
    ("Hispanic or Latino", 408, 204, 0.50, 0.97),
    ("White", 797, 412, 0.52, 1.00),
    ("Black or African American", 390, 170, 0.44, 0.84),
    ("Native Hawaiian or Pacific Islander", 119, 52, 0.44, 0.85),
    ("Asian", 616, 302, 0.49, 0.95),
    ("Native American or Alaska Native", 41, 18, 0.44, 0.85),
    ("Two or More Races", 213, 96, 0.45, 0.87),
]
DCWP_INTERSECTIONAL = [  # (sex, ethnicity, n, selected, rate, impact ratio)
    ("male", "Hispanic or Latino", 205, 90, 0.439, 0.841),
    ("female", "Hispanic or Latino", 190, 82, 0.432, 0.827),
    ("male", "White", 412, 215, 0.522, 1.000),
    ("male", "Black", 226, 95, 0.420, 0.806),
    ("male", "NHPI", 87, 37, 0.425, 0.815),
    ("male", "Asian", 321, 167, 0.520, 0.997),
    ("male", "NA/AN", 24, 11, 0.458, 0.878),
    ("male", "Two+", 115, 52, 0.452, 0.866),
    ("female", "White", 385, 197, 0.512, 0.981),
    ("female", "Black", 164, 75, 0.457, 0.876),
    ("female", "NHPI", 32, 15, 0.469, 0.898),
    ("female", "Asian", 295, 135, 0.458, 0.877),
    ("female", "NA/AN", 17, 7, 0.412, 0.789),
    ("female", "Two+", 98, 44, 0.449, 0.860),
]


def test_dcwp_sample_tables() -> None:
    sex = audit_counts(
        pd.DataFrame([(g, n, k) for g, n, k, *_ in DCWP_SEX], columns=["sex", "n", "selected"]),
        kind="selection",
        audited="example",
        source="DCWP",
        min_share=0,
    )
    for g, n, k, rate, ratio in DCWP_SEX:
        row = _row(sex, "sex", g)
        assert (row.n, row.selected, round(row.rate, 2), round(row.impact_ratio, 3)) == (
            n,
            k,
            rate,
            ratio,
        )
    eth = audit_counts(
        pd.DataFrame(
            [(g, n, k) for g, n, k, *_ in DCWP_ETHNICITY], columns=["ethnicity", "n", "selected"]
        ),
        kind="selection",
        audited="example",
        source="DCWP",
        min_share=0,
    )
    for g, _n, _k, rate, ratio in DCWP_ETHNICITY:
        row = _row(eth, "ethnicity", g)
        assert (round(row.rate, 2), round(row.impact_ratio, 2)) == (rate, ratio)
    cells = pd.DataFrame(
        [c[:4] for c in DCWP_INTERSECTIONAL], columns=["sex", "ethnicity", "n", "selected"]
    )
    both = audit_counts(cells, kind="selection", audited="example", source="DCWP", min_share=0)
    for s, e, _n, _k, rate, ratio in DCWP_INTERSECTIONAL:
        row = _row(both, "intersectional", f"{s} × {e}")
        assert (round(row.rate, 3), round(row.impact_ratio, 3)) == (rate, ratio)
    # the sex totals of the intersectional table are the sex table
    assert [
        (r.n, r.selected)
        for r in sorted(both.table("sex").itertuples(), key=lambda r: r.group, reverse=True)
    ] == [(1390, 667), (1181, 555)]
    assert _row(both, "intersectional", "female × NA/AN").flagged
    # with the default 2 % rule the three tiny intersections leave the ratios, with the reason
    default = audit_counts(cells, kind="selection", audited="example", source="DCWP")
    tiny = {
        r.group
        for r in default.rows
        if r.excluded == "small_share" and r.dimension == "intersectional"
    }
    assert tiny == {"male × NA/AN", "female × NA/AN", "female × NHPI"}
    assert _row(default, "ethnicity", "NA/AN").excluded  # 41 of 2571 = 1.6 %
    assert all(r.impact_ratio is None and not r.flagged for r in default.rows if r.group in tiny)


def test_small_groups_are_shown_but_excluded_and_unknowns_counted() -> None:
    df = _frame_from_cells(
        [
            ("male", "Asian", 500, 250),
            ("female", "Asian", 480, 200),
            ("female", "Sami", 15, 1),
            (None, "Asian", 40, 30),
            ("declined", "Asian", 5, 5),
        ]
    )
    result = audit_selection(df, "selected", groups=("sex", "ethnicity"))
    sami = _row(result, "ethnicity", "Sami")
    assert sami.n == 15 and sami.impact_ratio is None and not sami.flagged
    assert sami.excluded == "small_share"
    assert "2%" in excluded_text(sami, "en") and "2%" in excluded_text(sami, "zh")
    unknown = _row(result, "sex", UNKNOWN)
    assert unknown.n == 45 and unknown.selected == 35 and unknown.impact_ratio is None
    assert unknown.excluded == "unknown"
    assert result.known_sex == 995 and result.n == 1040
    # the unknown group's high rate does not become the reference
    assert _row(result, "sex", "male").reference
    assert sami.small_sample and not any("Sami" in w for w in result.warnings)  # excluded already


def test_fisher_p_values_match_scipy_on_the_2x2() -> None:
    df = _frame_from_cells([("male", "White", 120, 70), ("female", "White", 100, 40)])
    result = audit_selection(df, "selected", groups=("sex",))
    expected = fisher_exact([[40, 60], [70, 50]], alternative="two-sided").pvalue
    female = _row(result, "sex", "female")
    assert female.p_value == pytest.approx(expected, rel=1e-12)
    assert female.flagged and female.impact_ratio == pytest.approx((40 / 100) / (70 / 120))
    assert not result.passed and any("“Female”" in r for r in result.reasons)
    assert _row(result, "sex", "male").p_value is None


def test_small_sample_warning_on_expected_counts() -> None:
    df = _frame_from_cells([("male", "White", 200, 197), ("female", "White", 60, 57)])
    female = _row(audit_selection(df, "selected", groups=("sex",)), "sex", "female")
    assert female.n >= 30 and female.small_sample  # expected failures < 5


def test_scoring_rate_uses_whole_sample_median() -> None:
    df = pd.DataFrame(
        {
            "sex": ["male"] * 6 + ["female"] * 4,
            "ethnicity": ["White"] * 10,
            "score": [0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.65, 0.3, 0.2, 0.1],
        }
    )
    result = audit_scores(df, "score", min_share=0)
    median = float(np.median(df["score"]))
    assert result.median == pytest.approx(median)
    male, female = _row(result, "sex", "male"), _row(result, "sex", "female")
    assert (male.selected, female.selected) == (4, 1)
    assert female.impact_ratio == pytest.approx((1 / 4) / (4 / 6))


def test_bad_frames_get_clear_errors() -> None:
    with pytest.raises(InputError, match="no outcome column 'passed'"):
        audit_selection(pd.DataFrame({"sex": ["male"]}), "passed")
    with pytest.raises(InputError, match="demographic column"):
        audit_selection(pd.DataFrame({"selected": [1]}), "selected")
    with pytest.raises(InputError, match="numeric score"):
        audit_scores(pd.DataFrame({"sex": ["m"], "ethnicity": ["x"], "score": ["high"]}), "score")


def test_sparse_demographics_fail_the_audit() -> None:
    df = _frame_from_cells(
        [
            ("male", None, 40, 20),
            ("female", None, 40, 20),
            (None, "White", 100, 50),
            ("male", "White", 5, 2),
        ]
    )
    result = audit_selection(df, "selected")
    assert not result.passed
    assert any("Sex is known for only 46%" in r for r in result.reasons)
    assert any("Ethnicity: fewer than two groups" in r for r in result.reasons)
    assert not any("Ethnicity is known" in r for r in result.reasons)  # 105 of 185 known
    # stored as codes and numbers, rendered per language
    low = next(f for f in result.findings if f["code"] == "low_known")
    assert (low["dimension"], low["known"], low["n"]) == ("sex", 85, 185)
    assert any("仅 46% 的样本已知性别（85/185）" in r for r in result.reason_texts("zh"))


def test_a_result_stored_with_english_reasons_reads_back_as_codes() -> None:
    """Audits stored before findings were data held English text; they render in Chinese."""
    df = _frame_from_cells([("Male", "White", 300, 200), ("Female", "Asian", 300, 90)])
    new = audit_selection(df, "selected", audited="screening", source="test")
    old = new.to_dict()
    for key in ("findings", "subject", "origin", "min_share"):
        old.pop(key)
    old["reasons"], old["warnings"], old["flags"] = new.reasons, new.warnings, new.flags
    for r in old["rows"]:
        if r["excluded"] == "unknown":
            r["excluded"] = "unknown category: counted, not in the ratios"
    back = AuditResult.from_dict(old)
    assert back.findings == new.findings and back.reasons == new.reasons
    assert describe_subject(back, "zh") == "简历筛选"
    zh = back.reason_texts("zh")
    assert zh and all("群体“女性 × 亚裔”" in r or "群体“" in r for r in zh)
    assert group_name("intersectional", "Female × Asian", "zh") == "女性 × 亚裔"
    assert group_name("sex", UNKNOWN, "zh") == "未填报"
    assert all(r.excluded in (None, "unknown", "small_share") for r in back.rows)


def test_subject_and_origin_render_in_both_languages(engine) -> None:
    from analytics.filters import Filters

    result = audit_selection(
        _frame_from_cells([("Male", "White", 30, 20), ("Female", "Asian", 30, 9)]), "selected"
    )
    result.subject = {"run": 3, "model": "pair_scorer", "version": 2}
    assert describe_subject(result, "en") == "match run 3 (Shortlist scorer v2)"
    assert describe_subject(result, "zh") == "匹配批次 3 (短名单评分模型 第 2 版)"
    with session_scope(engine) as s:
        _, stored = run_audit(
            s,
            stage="screening",
            filters=Filters(countries=("LT",), channels=("job_board",)),
            actor="t",
        )
    zh = describe_origin(stored, "zh")
    assert "简历筛选" in zh and "立陶宛" in zh and "招聘网站" in zh
    assert "Lithuania" in describe_origin(stored, "en") and "LT" not in zh


def test_result_is_json_serialisable_and_round_trips() -> None:
    df = _frame_from_cells([("male", "White", 50, 30), ("female", "Asian", 50, 20)])
    result = audit_selection(df, "selected", audited="screening", source="test")
    back = AuditResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back == result


# --- against the store --------------------------------------------------------------------


def test_run_audit_on_screening_matches_the_records(seeded_store) -> None:
    engine, seeded = seeded_store
    decided = [p for p in seeded.people if p.screening]
    df = pd.DataFrame(
        {
            "sex": [p.sex for p in decided],
            "ethnicity": [p.ethnicity for p in decided],
            "selected": [p.screening == "pass" for p in decided],
        }
    )
    expected = audit_selection(df, "selected")
    with session_scope(engine) as s:
        row, result = run_audit(s, stage="screening", actor="tester")
    assert result.n == len(decided) and result.known_sex == expected.known_sex
    got = {
        (r.dimension, r.group): (r.n, r.selected, r.impact_ratio, r.p_value) for r in result.rows
    }
    assert got == {
        (r.dimension, r.group): (r.n, r.selected, r.impact_ratio, r.p_value) for r in expected.rows
    }
    assert _row(result, "ethnicity", "Native American").excluded  # 3 of ~180
    assert _row(result, "sex", "female").flagged and not result.passed  # the planted disparity
    with session_scope(engine) as s:
        stored = s.scalars(select(BiasAudit)).one()
        assert stored.kind == "selection" and stored.passed is False
        assert AuditResult.from_dict(stored.result).rows == result.rows
        logs = s.scalars(select(AuditLog).where(AuditLog.action == "audit.run")).all()
        assert len(logs) == 1 and logs[0].actor == "tester"
        latest = latest_audit(s)
        assert latest is not None and latest[0].id == stored.id


def test_run_audit_with_filters_and_bad_stage(seeded_store) -> None:
    from analytics.filters import Filters

    engine, seeded = seeded_store
    with session_scope(engine) as s:
        _, result = run_audit(
            s,
            stage="screening",
            actor="t",
            filters=Filters(roles=("ml_engineer",), countries=("CN",)),
        )
    expected = [
        p for p in seeded.people if p.screening and p.role == "ml_engineer" and p.country == "CN"
    ]
    assert result.n == len(expected) > 0
    with session_scope(engine) as s, pytest.raises(InputError, match="unknown stage 'screen'"):
        run_audit(s, stage="screen", actor="t")


def test_run_audit_on_match_scores(seeded_store) -> None:
    engine, seeded = seeded_store
    df = pd.DataFrame(
        {
            "sex": [x.person.sex for x in seeded.scores],
            "ethnicity": [x.person.ethnicity for x in seeded.scores],
            "score": [x.score for x in seeded.scores],
        }
    )
    expected = audit_scores(df, "score")
    with session_scope(engine) as s:
        _, result = run_audit(s, stage=None, run_id=seeded.run_id, actor="t")
    assert result.kind == "scoring" and result.median == pytest.approx(expected.median)
    assert {(r.group, r.dimension): (r.n, r.selected) for r in result.rows} == {
        (r.group, r.dimension): (r.n, r.selected) for r in expected.rows
    }
    with session_scope(engine) as s, pytest.raises(NotFoundError, match="no match run 999"):
        run_audit(s, stage=None, run_id=999, actor="t")


def test_audit_model_gate(seeded_store) -> None:
    engine, seeded = seeded_store
    with session_scope(engine) as s:
        outcome = audit_model(s, seeded.model_version_id, actor="trainer")
    assert outcome.passed is (not outcome.reasons)
    assert outcome.result.kind == "scoring" and outcome.result.n == len(seeded.scores)
    # a fair score frame passes; the same frame with a planted disparity fails
    rng = np.random.default_rng(5)
    fair = pd.DataFrame(
        {
            "sex": rng.choice(["male", "female"], 2000),
            "ethnicity": rng.choice(["Asian", "White", "Black"], 2000),
            "score": rng.random(2000),
        }
    )
    with session_scope(engine) as s:
        ok = audit_model(s, seeded.model_version_id, scores=fair, actor="trainer")
        unfair = fair.assign(score=fair["score"] + np.where(fair["sex"] == "male", 0.5, 0))
        bad = audit_model(s, seeded.model_version_id, scores=unfair, actor="trainer")
    assert ok.passed and ok.reasons == []
    assert not bad.passed and any("“Female”" in r and "impact ratio" in r for r in bad.reasons)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(BiasAudit)) == 3
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 3


def test_audit_model_fails_without_scores_or_demographics(seeded_store) -> None:
    engine, seeded = seeded_store
    with session_scope(engine) as s:
        mv = ModelVersion(kind="pair_scorer", version=9, created_by="t")
        s.add(mv)
        s.flush()
        none = audit_model(s, mv, actor="t")
        people = [p for p in seeded.people][:100]
        by_resume = pd.DataFrame(
            {"resume_id": [p.resume_id for p in people], "score": np.linspace(0, 1, len(people))}
        )
        joined = audit_model(s, mv, scores=by_resume, actor="t")
        blind = audit_model(
            s,
            mv,
            scores=pd.DataFrame(
                {
                    "sex": [None] * 80 + ["male"] * 20,
                    "ethnicity": ["White"] * 100,
                    "score": np.linspace(0, 1, 100),
                }
            ),
            actor="t",
        )
    assert not none.passed and "no match run" in none.reasons[0]
    assert joined.result.known_sex == sum(1 for p in people if p.sex)
    assert not blind.passed and any("Sex is known for only 20%" in r for r in blind.reasons)


def test_audit_model_scores_a_challenger_on_the_latest_run_pairs(seeded_store) -> None:
    engine, seeded = seeded_store
    sex_of = {x.resume_id: x.person.sex for x in seeded.scores}
    seen: list[int] = []

    def fair(pairs: pd.DataFrame) -> list[float]:
        seen.append(len(pairs))
        return list(np.linspace(0, 1, len(pairs))[::-1] if len(pairs) else [])

    def unfair(pairs: pd.DataFrame) -> list[float]:
        return [1.0 if sex_of[r] == "male" else 0.0 for r in pairs["resume_id"]]

    with session_scope(engine) as s:
        mv = ModelVersion(kind="pair_scorer", version=3, created_by="t")
        s.add(mv)
        s.flush()
        ok = audit_model(s, mv, scorer=fair, actor="t")
        bad = audit_model(s, mv, scorer=unfair, actor="t")
        with pytest.raises(InputError, match="one score per"):
            audit_model(s, mv, scorer=lambda pairs: [0.5], actor="t")
    assert seen == [len(seeded.scores)]
    assert ok.result.n == len(seeded.scores) and ok.result.known_sex > 0
    assert not bad.passed and _row(bad.result, "sex", "female").selected == 0
