"""The bilingual skill taxonomy: YAML integrity, matching rules, lookups and the store sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select

from data.errors import InputError
from data.store.engine import session_scope
from data.store.models import Skill
from data.store.skills import sync_skills
from data.text.taxonomy import DEFAULT_PATH, SkillDef, Taxonomy, load_taxonomy, parse_skills


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


def keys(tax: Taxonomy, text: str) -> list[str]:
    return [h.key for h in tax.find(text)]


# --- the YAML itself ---------------------------------------------------------------------------


def test_yaml_has_at_least_300_unique_bilingual_skills(tax: Taxonomy) -> None:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert len(raw) >= 300
    assert len(tax.skills) == len(raw)
    assert len({s["key"] for s in raw}) == len(raw)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for s in tax.skills:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", s.key), s.key
        assert s.name_en.strip() and s.name_zh.strip() and s.category.strip()
        assert cjk.search(s.name_zh), f"{s.key}: name_zh has no Chinese"


def test_no_surface_form_names_two_skills(tax: Taxonomy) -> None:
    owner: dict[str, str] = {}
    for s in tax.skills:
        for form in s.forms:
            norm = re.sub(r"[\s\-_]+", "", form).casefold()
            assert owner.setdefault(norm, s.key) == s.key, f"{form!r}: {owner[norm]} and {s.key}"


def test_taxonomy_covers_ai_and_non_ai_work(tax: Taxonomy) -> None:
    cats = {s.category for s in tax.skills}
    for needed in (
        "deep_learning",
        "nlp",
        "llm",
        "cv",
        "distributed_training",
        "mlops",
        "data_engineering",
        "product",
        "research",
        "languages",
        "cross_cultural",
        "hr_people",
        "compliance_ethics",
        "finance_accounting",
        "healthcare",
        "education",
        "legal",
        "hospitality_food",
        "agriculture",
    ):
        assert needed in cats, needed
    ai = {
        "deep_learning",
        "nlp",
        "llm",
        "cv",
        "speech",
        "reinforcement_learning",
        "ml_fundamentals",
        "distributed_training",
        "mlops",
    }
    share_non_ai = sum(s.category not in ai for s in tax.skills) / len(tax.skills)
    assert share_non_ai >= 0.4


def test_esco_uris_look_like_esco_skill_uris(tax: Taxonomy) -> None:
    uris = [s.esco_uri for s in tax.skills if s.esco_uri]
    for uri in uris:
        assert uri.startswith("http://data.europa.eu/esco/skill/"), uri


# --- matching rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skills: Go, Python", ["go", "python"]),
        ("Worked at Google two years ago; we go on", []),
        ("go-to-market plan", ["marketing_strategy"]),
        ("Languages: R and SQL", ["r_language", "sql"]),
        ("Led the R&D team", []),
        ("Rust and R, with C++", ["rust", "r_language", "cpp"]),
        ("C, C++ and C#", ["c_language", "cpp", "csharp"]),
        ("JavaScript developer", ["javascript"]),
        ("Java developer", ["java"]),
        ("JavaScript and Java", ["javascript", "java"]),
        ("NoSQL stores", ["nosql"]),
        ("SQL and NoSQL", ["sql", "nosql"]),
        ("MySQLx is not a skill", []),
        ("handled A/R, A/P and the G/L", []),
        ("reported to the C suite", []),
        ("signed by John C. Smith", []),
        (".NET services", ["csharp"]),
        ("excel at Excel and bookkeeping", ["excel", "bookkeeping"]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_latin_token_boundaries(tax: Taxonomy, text: str, expected: list[str]) -> None:
    assert keys(tax, text) == expected


def test_unspaced_chinese_finds_every_skill(tax: Taxonomy) -> None:
    assert keys(tax, "熟悉深度学习和自然语言处理") == ["deep_learning", "nlp"]
    assert keys(tax, "精通PyTorch与大模型微调，了解Go语言") == ["pytorch", "llm_fine_tuning", "go"]
    assert tax.keys_in("负责薪酬福利与跨文化培训") == {
        "compensation_benefits",
        "cross_cultural_training",
    }


def test_aliases_in_both_languages_name_the_same_skill(tax: Taxonomy) -> None:
    for a, b in [
        ("大模型", "LLM"),
        ("大语言模型", "large language models"),
        ("自然语言处理", "NLP"),
        ("PyTorch", "torch"),
        ("计算机视觉", "Computer Vision"),
    ]:
        assert tax.keys_in(a) == tax.keys_in(b) != set(), (a, b)


def test_longest_match_wins_and_hits_carry_offsets(tax: Taxonomy) -> None:
    text = "Built a 大模型微调 pipeline with machine-learning and Spark SQL."
    hits = tax.find(text)
    assert [h.key for h in hits] == ["llm_fine_tuning", "machine_learning", "spark"]
    for h in hits:
        assert text[h.start : h.end] == h.surface
    assert [h.surface for h in hits][-1] == "Spark SQL"
    assert hits == sorted(hits, key=lambda h: h.start)
    # "big data" and "data engineering" overlap: the longer hit wins
    assert keys(tax, "big data engineering") == ["data_engineering"]


def test_spacing_and_hyphen_variants_match(tax: Taxonomy) -> None:
    for text in ("machine learning", "Machine-Learning", "machine  learning"):
        assert keys(tax, text) == ["machine_learning"], text


def test_lookup_by_key_name_or_alias(tax: Taxonomy) -> None:
    assert tax.lookup("pytorch") is tax.by_key["pytorch"]
    assert tax.lookup("TORCH").key == "pytorch"
    assert tax.lookup("自然语言处理").key == "nlp"
    assert tax.lookup("Large Language Models").key == "llm"
    assert tax.lookup("no such skill") is None


# --- loading errors ----------------------------------------------------------------------------


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "skills.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = "- {key: a_skill, name_en: A Skill, name_zh: 技能甲, category: x, aliases: [ask]}\n"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (GOOD + GOOD, r"line 2, field 'key'.*already used on line 1"),
        (
            GOOD + "- {key: b, name_en: B, name_zh: 乙, category: x, aliases: [ASK]}\n",
            r"line 2, field 'aliases'.*'ASK' is already used by skill 'a_skill'",
        ),
        ("- {key: b, name_en: B, category: x}\n", r"line 1, field 'name_zh'"),
        ("- {key: b, name_en: B, name_zh: bee, category: x}\n", r"no Chinese"),
        ("- {key: Bad Key, name_en: B, name_zh: 乙, category: x}\n", r"snake_case"),
        ("- {key: b, name_en: B, name_zh: 乙, category: x, colour: red}\n", r"unknown field"),
        (
            "- {key: b, name_en: B, name_zh: 乙, category: x, exact_case: [Bee]}\n",
            r"exact_case.*not among",
        ),
        ("- {key: b, name_en: [unclosed\n", r"line \d+: not valid YAML"),
        ("just text\n", r"expected a YAML list"),
    ],
    ids=[
        "dup-key",
        "shared-alias",
        "no-zh",
        "zh-not-chinese",
        "bad-key",
        "unknown-field",
        "exact-case",
        "bad-yaml",
        "not-a-list",
    ],
)
def test_bad_taxonomy_files_name_file_line_and_field(tmp_path: Path, body: str, match: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(InputError, match=match) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_custom_file_loads_and_is_reloaded_when_changed(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    assert [s.key for s in load_taxonomy(path).skills] == ["a_skill"]
    path.write_text(GOOD + "- {key: b, name_en: Bee, name_zh: 乙, category: x}\n", encoding="utf-8")
    import os

    os.utime(path, ns=(1, 10**18))
    assert [s.key for s in load_taxonomy(path).skills] == ["a_skill", "b"]


def test_parse_keeps_aliases_and_exact_case() -> None:
    skills = parse_skills(
        "- {key: excel, name_en: Microsoft Excel, name_zh: 电子表格, category: business, "
        "aliases: [Excel], exact_case: [Excel]}\n",
        Path("mem.yaml"),
    )
    assert skills == [
        SkillDef("excel", "Microsoft Excel", "电子表格", "business", ("Excel",), None, ("Excel",))
    ]


# --- the store ---------------------------------------------------------------------------------


def test_sync_skills_is_idempotent_and_updates(engine: Engine, tax: Taxonomy) -> None:
    small = Taxonomy(tax.skills[:20])
    with session_scope(engine) as s:
        ids = sync_skills(s, small)
    assert set(ids) == set(small.by_key)
    with session_scope(engine) as s:
        again = sync_skills(s, small)
        assert again == ids
        assert s.scalar(select(func.count()).select_from(Skill)) == 20
    first = small.skills[0]
    renamed = SkillDef(
        first.key,
        first.name_en + " (renamed)",
        first.name_zh,
        first.category,
        first.aliases + ("new alias",),
        first.esco_uri,
    )
    with session_scope(engine) as s:
        ids2 = sync_skills(s, Taxonomy([renamed, *small.skills[1:]]))
    assert ids2 == ids
    with session_scope(engine) as s:
        row = s.scalar(select(Skill).where(Skill.key == first.key))
        assert row.name_en.endswith("(renamed)")
        assert "new alias" in row.aliases
        assert s.scalar(select(func.count()).select_from(Skill)) == 20


# --- ambiguous forms, the hierarchy, what is never a skill -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maintained power transformers and switchgear at the substation", []),
        ("Fine-tuned transformers with PyTorch", ["transformer", "pytorch"]),
        ("In spring we planted rice", []),
        ("Java 17, Spring and MySQL", ["java", "spring_framework", "mysql"]),
        ("Ready, set, Go!", []),
        ("Go, Kubernetes and Docker", ["go", "kubernetes", "docker"]),
        ("Swift river rafting guide", []),
        ("iOS apps in Swift and Kotlin", ["swift", "kotlin"]),
        ("estate Agent for ten years", []),
        ("built an Agent with LangChain", ["llm_agents", "langchain"]),
        ("负责重大决策", []),
        ("参与团队管理与决策", ["team_leadership", "decision_making"]),
        ("福利：弹性工作，五险一金", []),
        (
            "负责员工关系、企业文化与弹性工作制度设计",
            ["employee_relations", "corporate_culture", "work_environment"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_ambiguous_forms_need_supporting_context(
    tax: Taxonomy, text: str, expected: list[str]
) -> None:
    assert keys(tax, text) == expected


def test_ambiguous_forms_are_kept_without_the_context_check(tax: Taxonomy) -> None:
    text = "Maintained power transformers"
    assert keys(tax, text) == []
    assert [h.key for h in tax.find(text, context=False)] == ["transformer"]


def test_urls_and_emails_are_not_skills(tax: Taxonomy) -> None:
    text = "见 https://www.zhipin.com/job_detail/x.html 或 jobs@python.org；熟悉 Python"
    assert keys(tax, text) == ["python"]
    assert keys(tax, "www.example.com/index.html") == []


def test_hierarchy_credits_broader_skills_with_the_step(tax: Taxonomy) -> None:
    assert tax.ancestors("qwen")[0] == "llm"
    credited = tax.credited_parents(["qwen", "vllm"])
    assert credited["llm"] == "qwen" and credited["llm_inference"] == "vllm"
    assert tax.path("qwen", "llm") == ["qwen", "llm"]
    assert "deep_learning" in tax.credited_parents(["pytorch"])
    assert "llm" not in tax.credited_parents(["llm", "qwen"])  # found itself: no credit


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("LLaMA", "llama"),
        ("通义千问", "qwen"),
        ("ChatGLM", "chatglm"),
        ("DeepSeek", "deepseek"),
        ("Mistral", "mistral"),
        ("Agent框架", "agent_frameworks"),
        ("LangGraph", "langgraph"),
        ("AutoGen", "autogen"),
        ("vLLM", "vllm"),
        ("LoRA", "lora"),
        ("DPO", "dpo"),
        ("MLLM", "mllm"),
        ("多模态大模型", "mllm"),
        ("CUDA kernels", "cuda_kernels"),
        ("分布式训练", "distributed_training"),
        ("轨迹预测", "trajectory_prediction"),
        ("音频增强", "speech_enhancement"),
        ("COBOL", "cobol"),
        ("REST APIs", "api_design"),
    ],
)
def test_ai_era_and_chinese_names_resolve(tax: Taxonomy, name: str, key: str) -> None:
    skill = tax.lookup(name)
    assert skill is not None and skill.key == key


def test_ai_era_models_count_as_llms(tax: Taxonomy) -> None:
    for key in ("llama", "qwen", "chatglm", "deepseek", "mistral"):
        assert "llm" in tax.ancestors(key), key
