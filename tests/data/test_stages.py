"""Canonical stage and strategy labels: free labels in either language map onto one key."""

from __future__ import annotations

import pytest

from data.reference.stages import (
    STAGES,
    canonical_strategy,
    category_label,
    map_stage,
    stage_label,
    stages,
    strategy_labels,
)


def test_nine_stages_in_order_with_both_languages() -> None:
    assert [s.key for s in stages()] == list(STAGES)
    assert stage_label("sourcing", "zh") == "人才搜寻"
    assert stage_label("review_promotion", "en") == "Review and promotion"
    assert all(stage_label(k, "zh") and stage_label(k, "en") for k in STAGES)
    with pytest.raises(KeyError, match="unknown stage"):
        stage_label("hiring", "en")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("人才需求分析", "needs_analysis"),
        ("招聘渠道", "sourcing"),
        ("人才招聘", "sourcing"),
        ("人才筛选", "screening"),
        ("面试评估", "interview"),
        ("入职培训", "onboarding"),
        ("培训与发展", "development"),
        ("职业发展规划", "development"),
        ("绩效评估与晋升", "review_promotion"),
        ("绩效考核与晋升", "review_promotion"),
        ("薪酬福利管理", "compensation"),
        ("薪酬福利调整", "compensation"),
        ("人才留存", "retention"),
        ("Talent retention", "retention"),
        ("Resume screening", "screening"),
        ("Technical Interview", "interview"),
    ],
)
def test_map_stage(text: str, key: str) -> None:
    assert map_stage(text) == key


@pytest.mark.parametrize("text", ["神经网络", "AI大模型", "payroll", ""])
def test_map_stage_none_for_unrelated_labels(text: str) -> None:
    assert map_stage(text) is None


@pytest.mark.parametrize(
    ("labels", "key", "category"),
    [
        (
            ["薪资和福利", "薪酬福利", "salary and benefits", "提供具有竞争力的薪酬福利待遇"],
            "salary_benefits",
            "attraction",
        ),
        (["职业发展", "Career development"], "career_development", "attraction"),
        (["工作环境", "work environment"], "work_environment", "attraction"),
        (
            ["国际化机会", "国际机会", "international opportunities"],
            "international_opportunities",
            "attraction",
        ),
        (["跨文化培训", "cross-cultural training"], "cross_cultural_training", "cultivation"),
        (
            ["专业技能培训", "专业技能提升", "professional skills"],
            "professional_skills",
            "cultivation",
        ),
        (["国际交流", "国际交流项目"], "international_exchange", "cultivation"),
        (["领导力培养", "leadership"], "leadership", "cultivation"),
        (["人才保留", "留住人才"], "retention_programme", "retention"),
        (["数据隐私和安全", "隐私保护"], "data_privacy", "compliance_ethics"),
        (["公平性和偏见", "算法偏见"], "fairness_bias", "compliance_ethics"),
        (["国际合作"], "international_cooperation", "internationalisation"),
    ],
)
def test_canonical_strategy_synonyms(labels: list[str], key: str, category: str) -> None:
    for label in labels:
        hit = canonical_strategy(label)
        assert hit is not None and hit.key == key, label
        assert hit.category == category


def test_strategy_table_covers_every_category_bilingually() -> None:
    labels = strategy_labels()
    assert {s.category for s in labels} == {
        "attraction",
        "retention",
        "cultivation",
        "internationalisation",
        "compliance_ethics",
    }
    assert all(s.en and s.zh for s in labels)
    assert category_label("compliance_ethics", "zh") == "合规与伦理"
    assert canonical_strategy("神经网络") is None
