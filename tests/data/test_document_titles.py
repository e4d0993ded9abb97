"""Document titles (issue 18: all five seed documents were titled "1. 背景介绍"): the first H1/H2
that is not a standard section heading, else the file name without its extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.text.documents import read_document
from data.text.markdown import document_title, is_generic_heading

# read by hand: every H1/H2 of these five is a numbered outline section (1. 背景介绍,
# 2. 核心概念与联系 … 9. 附录), 004 has only H3 and deeper, 002 is plain text whose "# …" lines
# are comments in pasted code; none has a title, so each is named by its file
SEEDS = {
    "000_d1bb547922d350f8.txt": "000_d1bb547922d350f8",
    "001_7817bee2fb2b1d98.txt": "001_7817bee2fb2b1d98",
    "002_538f5b10459867a4.txt": "002_538f5b10459867a4",
    "003_6301cbd5fa0a2865.txt": "003_6301cbd5fa0a2865",
    "004_21c96dc4ddaf4b60.txt": "004_21c96dc4ddaf4b60",
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_the_seed_documents_are_not_titled_by_their_first_section(seeds_dir: Path, name: str):
    doc = read_document(seeds_dir / name)
    assert doc.title == SEEDS[name]
    assert "背景介绍" not in (doc.title or "")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("## 1. 背景介绍\n正文\n## 2. 大模型人才国际化战略\n", "大模型人才国际化战略"),
        ("# Introduction\ntext\n# Hiring plan for Europe\n", "Hiring plan for Europe"),
        ("# 目录\n- a\n## 概述\n## 2027 年招聘策略\n", "2027 年招聘策略"),
        ("Contents\n========\n\nTalent review\n=============\n", "Talent review"),
        ("## 1. Background and goals\n## Table of Contents\n## **Talent 2026**\n", "Talent 2026"),
        ("```python\n# not a heading\n```\n## 人才盘点\n", "人才盘点"),
        ("### 1. 背景介绍\n### 人才战略\n", "plan"),  # H3 is a section, not a title
        ("年度人才规划\n第一部分 …\n", "年度人才规划"),  # plain text: its first short line
        ("1. 背景介绍\n正文\n", "plan"),
        ("x = load()\n# 定义模型结构\nmodel = build()\n", "plan"),  # a comment in code
        ("# Introduction to our 2027 hiring plan\n", "plan"),  # "Introduction…" is generic
        ("# Introductory offers\n", "Introductory offers"),  # a whole word only
    ],
)
def test_a_title_is_the_first_meaningful_heading_or_the_file_name(text: str, expected: str):
    assert document_title(text.split("\n"), "plan.md") == expected


def test_generic_headings_in_both_languages():
    for h in ("1. 背景介绍", "三、概述", "9. 附录：常见问题与解答", "Introduction", "2 Background"):
        assert is_generic_heading(h), h
    for h in ("人才战略", "Talent strategy 2025", "Backend hiring"):
        assert not is_generic_heading(h), h
