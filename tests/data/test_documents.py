"""Strategy documents: reading, extraction with provenance, and storing (on both databases)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from data.errors import InputError, NotFoundError
from data.ingest.documents import import_documents
from data.queries.documents import (
    document_detail,
    document_pipelines,
    extraction_summary,
    list_documents,
)
from data.store.engine import session_scope
from data.store.models import (
    AuditLog,
    Document,
    Extraction,
    Pipeline,
    PipelineStage,
    Role,
    RoleSkill,
)
from data.text.documents import extract_document, read_document
from data.text.language import detect_language
from data.text.taxonomy import SkillDef, Taxonomy, load_taxonomy

SEED_002 = "002_538f5b10459867a4.txt"
SEED_000 = "000_d1bb547922d350f8.txt"
NINE_STAGES = [
    "needs_analysis",
    "sourcing",
    "screening",
    "interview",
    "onboarding",
    "development",
    "review_promotion",
    "compensation",
    "retention",
]
GOOD_MD = """# 招聘策略

## 岗位
- 算法工程师: 负责推荐模型的研发，并优化线上效果。

## 流程
```mermaid
flowchart LR
  A[需求分析] --> B[招聘] --> C[面试] --> D[入职]
```

## 如何吸引人才
1. **薪酬福利**：提供有竞争力的薪酬。
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- reading -------------------------------------------------------------------------------


def test_reads_utf8_with_and_without_bom_and_gb18030(tmp_path: Path) -> None:
    plain = read_document(_write(tmp_path / "a.md", GOOD_MD))
    bom = read_document(_write(tmp_path / "b.md", "\ufeff" + GOOD_MD))
    gb = read_document(_write(tmp_path / "c.txt", GOOD_MD, "gb18030"))
    assert (plain.encoding, bom.encoding, gb.encoding) == ("utf-8", "utf-8-sig", "gb18030")
    assert plain.lines == bom.lines == gb.lines
    assert gb.language == "zh" and gb.title == "招聘策略"
    assert gb.sha256 == hashlib.sha256(GOOD_MD.encode("gb18030")).hexdigest()


def test_crlf_lines_count_like_an_editor(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path / "crlf.md", "第一行\r\n第二行\r\n"))
    assert doc.lines[:2] == ["第一行", "第二行"]


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("empty.md", b"", "empty", 1),
        ("blank.txt", b"  \n\n \t\n", "empty", 1),
        ("nul.txt", b"hello\nwor\x00ld\n", "binary", 2),
        ("png.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary", 1),
        ("ctrl.md", "ok\n第二行\x07\n".encode(), "binary", 2),
        ("utf16.md", "人才策略：吸引与保留\n".encode("utf-16-le"), "unknown encoding", 1),
        ("random.md", b"line one\n\x80\xff\xfe\x81\x30\xff\n", "unknown encoding", 2),
    ],
    ids=["empty", "blank", "nul", "png", "control-char", "utf16-no-bom", "random"],
)
def test_bad_files_are_refused_with_file_and_line(
    tmp_path: Path, name: str, content: bytes, message: str, line: int
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_document(path)
    assert err.value.file == str(path) and err.value.line == line
    assert str(path) in str(err.value)


def test_damaged_utf8_is_not_read_as_gb18030(tmp_path: Path) -> None:
    good = "人才吸引与保留的策略：薪酬福利、职业发展、工作环境。\n".encode()
    path = tmp_path / "damaged.md"
    path.write_bytes(good * 3 + good[:7] + b"\xff" + good[7:])
    with pytest.raises(InputError, match="damaged UTF-8") as err:
        read_document(path)
    assert err.value.line == 4


def test_unknown_encoding_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"\x80\xff\xfe")
    with pytest.raises(InputError, match="save it as UTF-8"):
        read_document(path)


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.md or \.txt"):
        read_document(_write(tmp_path / "plan.docx", "x"))
    with pytest.raises(InputError, match="not found"):
        read_document(tmp_path / "nope.md")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("大模型公司需要具备以下技能的人才：深度学习专家、数据科学家。", "zh"),
        ("We hire machine learning engineers and data scientists in Berlin.", "en"),
        ("我们在 Berlin 招聘 machine learning engineers and data scientists 和产品经理。", "mixed"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


# --- extraction on the seeds ---------------------------------------------------------------


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def test_seed_002_roles_with_their_duties(seeds_dir: Path, taxonomy: Taxonomy) -> None:
    ex = extract_document(read_document(seeds_dir / SEED_002), taxonomy=taxonomy)
    defined = {r.key: r for r in ex.roles if r.defined}
    assert set(defined) == {
        "deep_learning_expert",
        "ml_engineer",
        "data_scientist",
        "software_engineer",
        "product_manager",
    }
    duties = {k: [d.label for d in r.duties] for k, r in defined.items()}
    assert duties["ml_engineer"] == ["负责大模型的部署、监控和维护", "进行数据预处理和特征工程"]
    assert duties["product_manager"] == ["负责大模型产品的规划和设计", "与用户进行沟通和反馈"]
    assert all(len(d) == 2 for d in duties.values())
    assert [defined[k].item.line_start for k in defined] == [6, 7, 8, 9, 10]
    assert "feature_engineering" in defined["ml_engineer"].skills


def test_seed_000_strategies_attraction_and_cultivation(
    seeds_dir: Path, taxonomy: Taxonomy
) -> None:
    ex = extract_document(read_document(seeds_dir / SEED_000), taxonomy=taxonomy)
    by_cat: dict[str, set[str]] = {}
    for s in ex.strategies:
        by_cat.setdefault(s.category or "", set()).add(s.canonical_key or "")
    assert {
        "salary_benefits",
        "career_development",
        "work_environment",
        "international_opportunities",
    } <= by_cat["attraction"]
    assert {
        "cross_cultural_training",
        "professional_skills",
        "international_exchange",
        "leadership",
    } <= by_cat["cultivation"]
    labels = {s.label: (s.line_start, s.canonical_key) for s in ex.strategies}
    assert labels["薪资和福利"] == (849, "salary_benefits")
    assert labels["国际交流项目"] == (859, "international_exchange")
    assert "data_privacy" in by_cat["compliance_ethics"]
    assert not ex.pipelines and len(ex.diagrams) == 1
    assert (ex.diagrams[0].line_start, ex.diagrams[0].line_end) == (89, 101)


EN_DOC = """# Talent strategy 2025

## Roles we need
- Machine Learning Engineer: builds training pipelines; deploys models to production.
- **Data Scientist**: runs A/B tests and reports on model quality.

## How we attract talent
1. **Competitive salary and benefits**: top-quartile pay and stock options.
2. Career growth: clear promotion paths.

## How we retain people
- Mentoring: every new hire gets a mentor.

## Hiring flow
```mermaid
flowchart TD
  A[Workforce planning] --> B[Sourcing] --> C[Resume screening]
  C --> D[Technical interview] --> E[Onboarding]
```
"""


def test_english_document(tmp_path: Path, taxonomy: Taxonomy) -> None:
    doc = read_document(_write(tmp_path / "en.md", EN_DOC))
    assert doc.language == "en" and doc.title == "Talent strategy 2025"
    ex = extract_document(doc, taxonomy=taxonomy)
    roles = {r.key: [d.label for d in r.duties] for r in ex.roles}
    assert roles == {
        "ml_engineer": ["builds training pipelines", "deploys models to production"],
        "data_scientist": ["runs A/B tests and reports on model quality"],
    }
    strategies = {(s.label, s.canonical_key, s.category) for s in ex.strategies}
    assert strategies == {
        ("Competitive salary and benefits", "salary_benefits", "attraction"),
        ("Career growth", "career_development", "attraction"),
        ("Mentoring", "mentorship", "retention"),  # the section says "retain"
    }
    [pipe] = ex.pipelines
    assert pipe.name == "Hiring flow"
    assert [k for _, k in pipe.stages] == [
        "needs_analysis",
        "sourcing",
        "screening",
        "interview",
        "onboarding",
    ]


def test_challenges_are_not_taken_for_strategies(seeds_dir: Path, taxonomy: Taxonomy) -> None:
    ex = extract_document(read_document(seeds_dir / SEED_002), taxonomy=taxonomy)
    lines = {s.line_start for s in ex.strategies}
    assert {19, 20, 21, 22} <= lines
    assert not lines & {13, 14, 15, 16}  # "2.2 人才吸引与留存的挑战"


def test_every_extraction_points_at_lines_that_contain_it(
    seeds_dir: Path, taxonomy: Taxonomy
) -> None:
    seen_kinds: set[str] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        doc = read_document(path)
        ex = extract_document(doc, taxonomy=taxonomy)
        items = ex.items()
        assert items, path.name
        for item in items:
            seen_kinds.add(item.kind)
            assert 1 <= item.line_start <= item.line_end <= len(doc.lines), item
            span = "\n".join(doc.lines[item.line_start - 1 : item.line_end])
            if item.kind in ("pipeline", "diagram"):
                assert all(n["label"] in span for n in item.payload["nodes"]), item.label
            else:
                assert item.label in span, (path.name, item.kind, item.label)
    assert seen_kinds == {"role", "duty", "skill", "strategy", "pipeline", "diagram"}


# --- storing -------------------------------------------------------------------------------


def test_import_seeds_stores_the_nine_stage_pipeline_and_roles(
    engine: Engine, seeds_dir: Path
) -> None:
    report = import_documents(engine, [seeds_dir], actor="tester")
    assert report.ok and len(report.imported) == 5
    with session_scope(engine) as s:
        doc = s.scalar(select(Document).where(Document.file_name == SEED_002))
        [pipe] = s.scalars(select(Pipeline).where(Pipeline.document_id == doc.id)).all()
        assert pipe.source == "document"
        assert [st.canonical_key for st in pipe.stages] == NINE_STAGES
        assert [st.label for st in pipe.stages][:3] == ["人才需求分析", "人才招聘", "人才筛选"]
        for key in (
            "deep_learning_expert",
            "ml_engineer",
            "data_scientist",
            "software_engineer",
            "product_manager",
        ):
            role = s.scalar(select(Role).where(Role.key == key))
            assert role is not None and role.source == "document" and role.is_open
            duties = s.scalars(
                select(Extraction.label).where(
                    Extraction.kind == "duty",
                    Extraction.role_id == role.id,
                    Extraction.document_id == doc.id,
                )
            ).all()
            assert len(duties) == 2 and role.description
        ml = s.scalar(select(Role).where(Role.key == "ml_engineer"))
        assert (
            s.scalar(select(func.count()).select_from(RoleSkill).where(RoleSkill.role_id == ml.id))
            >= 1
        )
        concept = s.scalar(select(Document).where(Document.file_name == SEED_000))
        kinds = dict(
            s.execute(
                select(Extraction.kind, func.count())
                .where(Extraction.document_id == concept.id)
                .group_by(Extraction.kind)
            ).all()
        )
        assert kinds["diagram"] == 1 and "pipeline" not in kinds
        assert (
            s.scalar(
                select(func.count()).select_from(Pipeline).where(Pipeline.document_id == concept.id)
            )
            == 0
        )
        # every stored item has its provenance
        rows = s.scalars(select(Extraction)).all()
        assert rows and all(1 <= r.line_start <= r.line_end for r in rows)
        assert (
            s.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "docs.import")
            )
            == 5
        )
        strategies = {(x.canonical_key, x.category): x for x in extraction_summary(s, "strategy")}
        assert strategies[("salary_benefits", "attraction")].documents == 2  # seeds 000 and 002
        assert strategies[("data_privacy", "compliance_ethics")].mentions >= 3
        assert [p.document_id for p in document_pipelines(s)] == sorted(
            p.document_id for p in document_pipelines(s)
        )
        assert len(document_pipelines(s, doc.id)) == 1
        summaries = {d.file_name: d for d in list_documents(s)}
        assert summaries[SEED_002].counts["pipeline"] == 1
        _, items = document_detail(s, doc.id)
        assert [i.line_start for i in items] == sorted(i.line_start for i in items)
        with pytest.raises(NotFoundError):
            document_detail(s, 99999)


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Document, Extraction, Pipeline, PipelineStage, Role, AuditLog)
        }


def test_reimport_is_a_no_op_and_a_changed_file_replaces(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "plan.md", GOOD_MD)
    first = import_documents(engine, [path])
    assert len(first.imported) == 1
    before = _counts(engine)
    again = import_documents(engine, [path, tmp_path])  # the same file twice, too
    assert len(again.unchanged) == 1 and not again.imported and not again.replaced
    assert _counts(engine) == before
    (tmp_path / "sub").mkdir()
    copy = _write(tmp_path / "sub" / "copy.md", GOOD_MD)
    assert len(import_documents(engine, [copy]).unchanged) == 1  # same content elsewhere
    assert _counts(engine) == before

    changed = GOOD_MD.replace("B[招聘] --> C[面试]", "B[招聘] --> S[简历筛选] --> C[面试]")
    changed = changed.replace(
        "1. **薪酬福利**：提供有竞争力的薪酬。", "1. **职业发展**：清晰的晋升通道。"
    )
    _write(path, changed)
    report = import_documents(engine, [path])
    assert len(report.replaced) == 1
    with session_scope(engine) as s:
        [doc] = s.scalars(select(Document)).all()
        [pipe] = s.scalars(select(Pipeline).where(Pipeline.document_id == doc.id)).all()
        assert [st.canonical_key for st in pipe.stages] == [
            "needs_analysis",
            "sourcing",
            "screening",
            "interview",
            "onboarding",
        ]
        strategies = s.scalars(
            select(Extraction.canonical_key).where(
                Extraction.document_id == doc.id, Extraction.kind == "strategy"
            )
        ).all()
        assert strategies == ["career_development"]
        assert s.scalar(select(func.count()).select_from(Pipeline)) == 1
        assert (
            s.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "docs.replace")
            )
            == 1
        )


BAD_FILES: dict[str, tuple[bytes, int, str]] = {
    "cycle.md": (
        (
            "# 流程\n```mermaid\ngraph LR\nA[招聘] --> B[面试]\nB --> C[入职]\n"
            "C --> A\n```\n- 数据科学家: 负责分析\n"
        ).encode(),
        4,
        "no clear order",
    ),
    "pieces.md": (
        (
            "# 流程\n- 产品经理: 负责规划\ngraph LR\nA[需求分析] --> B[招聘]\nC[面试] --> D[入职]\n"
        ).encode(),
        3,
        "disconnected",
    ),
    "binary.txt": (b"\x00\x01\x02\x03binary\x00", 1, "binary"),
    "empty.md": (b"", 1, "empty"),
    "utf16.md": ("- 数据科学家: 负责分析\n".encode("utf-16-le"), 1, "unknown encoding"),
    "garbage.md": (b"ok\n\xff\xfe\x80\x80\xff\n", 2, "unknown encoding"),
    "malformed.md": (
        (
            "# 流程\n- 数据科学家: 负责分析\n```mermaid\ngraph LR\n"
            "A[需求分析] --> B[招聘\nB --> C[面试]\n```\n"
        ).encode(),
        5,
        "unbalanced",
    ),
    "dangling.txt": (
        "- 产品经理: 负责规划\ngraph TD\nA[需求分析] --> B[招聘]\nB -->\n".encode(),
        4,
        "dangling",
    ),
}


def test_bad_files_fail_alone_and_store_nothing(engine: Engine, tmp_path: Path) -> None:
    for name, (content, _, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(content)
    good = _write(tmp_path / "zz_good.md", GOOD_MD)
    report = import_documents(engine, [tmp_path])
    assert [r.file for r in report.imported] == [str(good)]
    failed = dict(report.failed)
    assert set(failed) == {str(tmp_path / n) for n in BAD_FILES}
    for name, (_, line, message) in BAD_FILES.items():
        text = failed[str(tmp_path / name)]
        assert message in text and f"{tmp_path / name}, line {line}" in text, text
    with session_scope(engine) as s:
        assert s.scalars(select(Document.file_name)).all() == ["zz_good.md"]
        assert s.scalar(select(func.count()).select_from(Pipeline)) == 1
        roles = set(s.scalars(select(Role.key)))
        assert roles == {"algorithm_engineer"}  # none from the bad files
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_gb18030_document_imports(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "gbk.txt", GOOD_MD, "gb18030")
    report = import_documents(engine, [path])
    assert len(report.imported) == 1
    with session_scope(engine) as s:
        doc = s.scalar(select(Document))
        assert doc.encoding == "gb18030" and doc.language == "zh"
        labels = set(s.scalars(select(Extraction.label).where(Extraction.kind == "role")))
        assert labels == {"算法工程师"}


def test_import_into_a_session_uses_a_savepoint_per_file(engine: Engine, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", GOOD_MD)
    bad = tmp_path / "bad.md"
    bad.write_bytes(BAD_FILES["malformed.md"][0])
    with session_scope(engine) as s:
        report = import_documents(s, [bad, good])
        assert len(report.imported) == 1 and len(report.failed) == 1
    assert _counts(engine)["documents"] == 1


def test_missing_paths_are_reported(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "empty_dir").mkdir()
    report = import_documents(engine, [tmp_path / "nope.md", tmp_path / "empty_dir"])
    assert [f for f, _ in report.failed] == [str(tmp_path / "nope.md"), str(tmp_path / "empty_dir")]


# --- skills by embedding -------------------------------------------------------------------


def _tiny_taxonomy() -> Taxonomy:
    return Taxonomy(
        [
            SkillDef("model_compression", "Model Compression", "模型压缩", "deep_learning", ()),
            SkillDef("python", "Python", "Python编程", "programming", ("python3",)),
        ]
    )


def _fake_embed(synonyms: dict[str, str]):
    """Texts in ``synonyms`` embed exactly like the skill name they point at; others get
    their own (nearly orthogonal) random direction."""

    def embed(texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            seed = int(hashlib.sha256(synonyms.get(t, t).encode()).hexdigest()[:8], 16)
            out.append(np.random.default_rng(seed).normal(size=256))
        return np.asarray(out, dtype=np.float32)

    return embed


def test_embedding_finds_skills_the_aliases_miss(tmp_path: Path) -> None:
    doc = read_document(
        _write(
            tmp_path / "s.md",
            "# 技能\n- 网络瘦身: 让模型更小\n- Python3: 脚本\n- 团队建设: 每月一次\n",
        )
    )
    tax = _tiny_taxonomy()
    plain = extract_document(doc, taxonomy=tax)
    assert [s.canonical_key for s in plain.skills] == ["python"]
    ex = extract_document(doc, taxonomy=tax, embed_fn=_fake_embed({"网络瘦身": "模型压缩"}))
    by_key = {s.canonical_key: s for s in ex.skills}
    assert set(by_key) == {"python", "model_compression"}
    found = by_key["model_compression"]
    assert found.label == "网络瘦身" and found.line_start == 2
    assert found.payload["method"] == "embedding" and found.payload["score"] > 0.99
    assert by_key["python"].payload["method"] == "alias"


def test_embedding_skills_are_stored_with_their_skill(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "s.md", "# 技能\n- 网络瘦身: 让模型更小\n")
    report = import_documents(
        engine,
        [path],
        taxonomy=_tiny_taxonomy(),
        embed_fn=_fake_embed({"网络瘦身": "Model Compression"}),
    )
    assert report.ok
    with session_scope(engine) as s:
        row = s.scalar(select(Extraction).where(Extraction.kind == "skill"))
        assert row.label == "网络瘦身" and row.canonical_key == "model_compression"
        assert row.skill_id is not None


@pytest.mark.slow
def test_embedding_with_the_real_muse_encoder(tmp_path: Path) -> None:
    from ml.encoders import get_encoder

    encoder = get_encoder("muse")
    doc = read_document(
        _write(tmp_path / "s.md", "# 技能\n- 团队建设: 每月一次\n- 压缩模型: 让模型更小\n")
    )
    tax = Taxonomy(
        [
            SkillDef("model_compression", "Model Compression", "模型压缩", "deep_learning", ()),
            SkillDef("team_building", "Recruiting", "招聘", "hr", ()),
        ]
    )
    assert not extract_document(doc, taxonomy=tax).skills
    ex = extract_document(doc, taxonomy=tax, embed_fn=encoder.encode)
    assert [(s.canonical_key, s.label) for s in ex.skills] == [("model_compression", "压缩模型")]
    assert ex.skills[0].line_start == 3 and ex.skills[0].payload["score"] >= 0.8
