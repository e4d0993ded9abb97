"""Job postings into role-profile drafts: pay, title, sections, nice-to-have cues, chrome."""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.ingest.roles import draft_from_posting
from data.text.postings import clean_title, guess_level, parse_pay, read_posting
from data.text.taxonomy import Taxonomy, load_taxonomy

# Written for these tests in the style of a BOSS直聘 page (not taken from any real posting).
BOSS_POSTING = """Title: 「大模型应用算法工程师招聘」_某AI科技公司招聘-BOSS直聘

URL Source: https://www.zhipin.com/job_detail/abc123.html?lid=x.search.1

大模型应用算法工程师（base深圳） 40-70K·15薪
职位亮点：弹性工作，五险一金，股票期权，团队氛围好
岗位职责：
1、负责基于大模型的RAG与Agent应用研发；
2、跟踪NLP领域前沿技术动态。
任职要求：
1、熟练掌握Python，熟悉PyTorch；
2、熟悉vLLM部署，有Qwen或LLaMA微调经验；
3、有LangGraph、AutoGen等Agent框架开发经验者优先；
4、加分项：在ACL等会议发表论文。
公司介绍
我们专注网站开发与HTML5小游戏，官网 www.example-games.com/index.html
查看全部
"""


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


@pytest.mark.parametrize(
    ("text", "low", "high", "currency", "period", "months"),
    [
        ("50-80K·15薪", 50_000, 80_000, "CNY", "month", 15),
        ("薪资 20-30K", 20_000, 30_000, "CNY", "month", None),
        ("1.5-2万", 15_000, 20_000, "CNY", "month", None),
        ("年薪 40-60万", 400_000, 600_000, "CNY", "year", None),
        ("200-300元/天", 200, 300, "CNY", "day", None),
        ("$150k–$180k", 150_000, 180_000, "USD", "year", None),
        ("$150,000 - $180,000 per year", 150_000, 180_000, "USD", "year", None),
        ("£45-55 per hour", 45, 55, "GBP", "hour", None),
    ],
)
def test_pay_ranges(text: str, low: float, high: float, currency: str, period: str, months):
    pay = parse_pay(text)
    assert pay is not None
    assert (pay.low, pay.high, pay.currency, pay.period, pay.months) == (
        low,
        high,
        currency,
        period,
        months,
    )
    assert pay.text in text


def test_no_pay_in_plain_text() -> None:
    assert parse_pay("熟悉Python，3年以上经验，本科及以上") is None


def test_annual_pay_counts_the_months_stated() -> None:
    pay = parse_pay("50-80K·15薪")
    assert pay is not None and pay.annual == (750_000, 1_200_000)


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("大模型应用算法工程师（base深圳） 40-70K·15薪", "大模型应用算法工程师"),
        ("代码大模型专家-P8-北京/深圳 80-110K·16薪", "代码大模型专家"),
        ("【高阶多模态算法】业务中台-深圳 50-80K·15薪", "高阶多模态算法"),
        ("AI Engineer (LLM, Chatbot, GenAI)P7-8 70-100K·14薪", "AI Engineer (LLM, Chatbot, GenAI)"),
        ("Senior Data Engineer — Remote", "Senior Data Engineer"),
    ],
)
def test_titles_lose_pay_location_and_level_codes(raw: str, title: str) -> None:
    assert clean_title(raw) == title


def test_levels_from_title_words() -> None:
    assert guess_level("高级NLP算法工程师") == "senior"
    assert guess_level("音频算法专家") == "lead"
    assert guess_level("NLP算法工程师（可考虑应届生）") == "junior"
    assert guess_level("Machine Learning Intern") == "intern"
    assert guess_level("数据分析师") is None


def test_boss_posting_becomes_a_draft(tax: Taxonomy) -> None:
    d = read_posting(BOSS_POSTING, tax)
    assert d.title == "大模型应用算法工程师" and d.language == "zh"
    assert d.pay is not None and (d.pay.text, d.pay.months) == ("40-70K·15薪", 15)
    req = {s.key: s for s in d.required}
    nice = {s.key for s in d.nice}
    assert {"python", "pytorch", "vllm", "qwen", "llama", "llm_fine_tuning"} <= set(req)
    assert req["python"].weight == 1.0 and req["python"].section == "requirements"
    assert {"rag", "llm_agents"} <= set(req) and req["rag"].weight == 0.7  # from the duties
    # 优先 and 加分项 items are nice to have, with the posting's words
    assert {"langgraph", "autogen", "agent_frameworks", "paper_writing"} <= nice
    assert [s.name for s in d.nice if s.key == "langgraph"] == ["LangGraph"]
    assert not nice & set(req)
    # perks, the company blurb, the URL and the page title are not skills
    found = set(req) | nice
    assert not found & {"work_environment", "compensation_benefits", "web_development"}
    # keeping up with a field is not asking for it
    assert "nlp" not in found
    assert "岗位职责" not in d.description and "负责基于大模型的RAG" in d.description


def test_english_posting_sections_and_cues(tax: Taxonomy) -> None:
    text = (
        "Senior Machine Learning Engineer\n$150k–$180k\n"
        "Responsibilities:\n- Build retrieval-augmented generation services.\n"
        "Requirements:\n- 5+ years of Python and PyTorch.\n"
        "- Experience with Kubernetes is a plus.\n"
        "Nice to have:\n- Rust\n- Published papers\n"
        "Benefits:\n- Flexible working and remote work\n"
    )
    d = read_posting(text, tax)
    assert (d.title, d.level, d.language) == ("Senior Machine Learning Engineer", "senior", "en")
    assert d.pay is not None and d.pay.currency == "USD" and d.pay.high == 180_000
    req = {s.key for s in d.required}
    nice = {s.key for s in d.nice}
    assert {"python", "pytorch", "rag"} <= req
    assert "kubernetes" in nice and "kubernetes" not in req
    assert "work_environment" not in req | nice
    rec = d.record()
    assert rec["title_en"] == d.title and rec["pay"] == "$150k–$180k"


def test_posting_without_skills_or_title_says_so(tax: Taxonomy) -> None:
    with pytest.raises(InputError, match="blank.txt.*empty posting"):
        draft_from_posting("   ", name="blank.txt", taxonomy=tax)
    with pytest.raises(InputError, match="memo.txt.*no skills found.*nothing was saved"):
        draft_from_posting("Team lunch on Friday\nBring snacks.", name="memo.txt", taxonomy=tax)
