"""Role profiles from CSV and YAML: checked against the taxonomy, all-or-nothing, upserted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from data.errors import ImportErrors, InputError
from data.ingest.roles import check_roles, import_roles, list_roles, read_roles, slugify
from data.store.engine import session_scope
from data.store.models import AuditLog, Role, RoleSkill
from data.text.vocabulary import custom_key

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "key,title_en,title_zh,family,level,description,required_skills,nice_skills\n"


def _csv(tmp_path: Path, body: str, name: str = "roles.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def test_documented_examples_read(tmp_path: Path) -> None:
    csv_roles = read_roles(EXAMPLES / "roles.csv")
    assert [r.key for r in csv_roles] == ["llm_engineer", "计算机视觉算法工程师", "data_analyst"]
    llm = csv_roles[0]
    assert llm.required == {"llm": 1.0, "python": 0.9, "rag": 0.8, "nlp": 0.7}
    assert llm.nice == {"docker": 0.4, "kubernetes": 0.3, "vector_databases": 0.5}
    assert (llm.headcount, llm.is_open) == (2, True)
    cv = csv_roles[1]  # Chinese title only: key from the title, English title repeats it
    assert cv.title_zh == cv.title_en == "计算机视觉算法工程师"
    assert csv_roles[2].is_open is False

    yaml_roles = read_roles(EXAMPLES / "roles.yaml")
    assert [r.key for r in yaml_roles] == ["ml_platform_engineer", "推荐算法工程师"]
    rec = yaml_roles[1]
    assert rec.required == {"recommender_systems": 1.0, "machine_learning": 0.9, "python": 1.0}
    assert rec.nice == {"ab_testing": 0.5, "deep_learning": 0.5}  # default nice weight


def test_slugify() -> None:
    assert slugify("Senior ML Engineer (NLP)") == "senior_ml_engineer_nlp"
    assert slugify("  算法工程师 / 大模型 ") == "算法工程师_大模型"


def test_unknown_skill_names_become_custom_skills_with_a_notice(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        ",ML Engineer,,eng,,,Python:0.9; PyTorch:0.8,\n"
        ",NLP Scientist,,research,,,Pytorchh:1; nlp:0.5; 轨迹预测X算法:0.4,docker\n",
    )
    check = check_roles(path)
    nlp = check.profiles[1]
    assert set(nlp.required) == {"custom_pytorchh", "nlp", custom_key("轨迹预测X算法")}
    custom = {s.key: s for s in check.new_skills}
    assert custom["custom_pytorchh"].name_en == "Pytorchh" and custom["custom_pytorchh"].is_custom
    messages = [str(n) for n in check.notices]
    assert len(messages) == 2
    assert messages[0].startswith("roles.csv, row 3, field 'required_skills': 'Pytorchh'")
    assert "custom skill" in messages[0] and "did you mean 'PyTorch'" in messages[0]
    assert "'轨迹预测X算法'" in messages[1]


def test_two_names_of_one_skill_merge_keeping_the_higher_weight(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",DBA,,data,,,PostgreSQL:0.6; Postgres:0.9; Jenkins; CI/CD,\n")
    check = check_roles(path)
    (role,) = check.profiles
    assert role.required == {"postgresql": 0.9, "jenkins": 1.0, "ci_cd": 1.0}
    (notice,) = check.notices
    assert "'PostgreSQL' and 'Postgres' name the same skill" in str(notice)
    assert "weight 0.9" in str(notice) and "postgresql" not in str(notice).replace("PostgreSQL", "")


def test_skill_in_both_lists_stays_required_with_a_notice(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",DBA,,data,,,MySQL:0.8; SQL Server,mysql:0.3; 关系型数据库\n")
    check = check_roles(path)
    (role,) = check.profiles
    assert role.required == {"mysql": 0.8, "sql_server": 1.0}
    assert role.nice == {"relational_databases": 0.5}  # MySQL's parent is its own skill
    (notice,) = check.notices
    assert (notice.row, notice.field) == (2, "nice_skills")
    assert "'MySQL' (required) and 'mysql' (nice to have)" not in str(notice)
    assert "'MySQL' is both required and nice to have: kept as required (weight 0.8)" in str(notice)


def test_english_names_resolve_through_esco(tmp_path: Path) -> None:
    path = _csv(tmp_path, ",Build Engineer,,eng,,,Apache Maven; Python,\n")
    check = check_roles(path)
    (esco,) = check.new_skills
    assert esco.source == "esco" and esco.name_en == "Apache Maven"
    assert esco.esco_uri and esco.esco_uri.startswith("http://data.europa.eu/esco/skill/")
    assert check.notices == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (",,,eng,,,python,\n", "title_en", "no title"),
        (",Eng,,eng,,,,docker\n", "required_skills", "no required skills"),
        (",Eng,,eng,,,python:high,\n", "required_skills", "'high' of 'python' is not a number"),
        (",Eng,,eng,,,python:0,\n", "required_skills", "out of range"),
        (",Eng,,eng,,,python; :0.5,\n", "required_skills", "empty skill name"),
        ("x" * 81 + ",Eng,,eng,,,python,\n", "key", "more than 80"),
    ],
    ids=[
        "no-title",
        "no-required",
        "weight-text",
        "weight-zero",
        "empty-name",
        "long-key",
    ],
)
def test_bad_rows(tmp_path: Path, row: str, field: str, message: str) -> None:
    with pytest.raises(ImportErrors) as info:
        read_roles(_csv(tmp_path, row))
    assert [(e.row, e.field) for e in info.value.errors] == [(2, field)]
    assert message in str(info.value.errors[0])


def test_duplicate_keys_and_bad_cells(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "title_en,required_skills,headcount,is_open\n"
        "ML Engineer,python,two,maybe\nML engineer,sql,1,no\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportErrors) as info:
        read_roles(path)
    got = [(e.row, e.field) for e in info.value.errors]
    assert got == [(2, "headcount"), (2, "is_open"), (3, "key")]
    assert "already used in row 2" in str(info.value.errors[2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("title,skills\nx,y\n", "unknown column"),
        ("family,required_skills\neng,python\n", "no title column"),
        ('title_en,family\nGood,eng\n"Broken,eng\nAlso Good,eng\n', "row 3.*close the quote"),
    ],
    ids=["empty", "unknown-column", "no-title-column", "unclosed-quote"],
)
def test_bad_csv_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises((InputError, ImportErrors), match=message):  # header errors all listed
        read_roles(path)


def test_gb18030_semicolon_csv_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "title_zh;required_skills;nice_skills\n算法工程师;深度学习：0.9；Python：0.7;\n".encode(
            "gb18030"
        )
    )
    (role,) = read_roles(path)
    assert role.key == "算法工程师"
    assert role.required == {"deep_learning": 0.9, "python": 0.7}


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "- title_en: ML Engineer\n  required_skills: [python]\n"
        "- title_zh: 算法工程师\n  required_skills:\n    - {skill: 深度学习, weight: 2}\n"
        "    - {skill: Pytorchh, weight: x}\n  salary: 100\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportErrors) as info:
        read_roles(path)
    errors = info.value.errors
    assert {e.line for e in errors} == {3}
    text = "\n".join(map(str, errors))
    assert "unknown field(s) salary" in text
    assert "weight 2 of '深度学习' is out of range" in text
    assert "weight 'x' of 'Pytorchh' is not a number" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [("roles: [a, b\n", "not valid YAML"), ("title_en: x\n", "expected a list of roles")],
    ids=["syntax", "not-a-list"],
)
def test_bad_yaml_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises((InputError, ImportErrors), match=message):  # header errors all listed
        read_roles(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "roles.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unsupported file type '.xlsx'"):
        read_roles(path)


# --- storing (both databases) --------------------------------------------------------------


def test_import_and_list(engine: Engine) -> None:
    with session_scope(engine) as s:
        ids = import_roles(s, EXAMPLES / "roles.yaml", actor="alice")
        ids += import_roles(s, EXAMPLES / "roles.csv", actor="alice")
    assert len(set(ids)) == 5
    with session_scope(engine) as s:
        rows = {r.key: r for r in list_roles(s)}
        platform = rows["ml_platform_engineer"]
        assert (platform.title_zh, platform.family, platform.level, platform.headcount) == (
            "机器学习平台工程师",
            "engineering",
            "senior",
            2,
        )
        assert platform.source == "import"
        assert platform.required == (
            ("mlops", 1.0),
            ("kubernetes", 0.9),
            ("python", 0.8),
            ("distributed_training", 0.7),
        )
        assert platform.nice == (("cuda", 0.5), ("spark", 0.3))
        assert [r.key for r in list_roles(s, open_only=True)] == sorted(
            k for k in rows if k != "data_analyst"
        )
        audits = list(s.scalars(select(AuditLog).where(AuditLog.action == "roles.import")))
        assert sorted(a.target for a in audits) == sorted(rows)
        assert all(a.actor == "alice" for a in audits)


def test_reimport_updates_by_key(engine: Engine, tmp_path: Path) -> None:
    first = _csv(tmp_path, "mle,ML Engineer,,eng,mid,v1,python:0.9; sql:0.5,docker\n")
    with session_scope(engine) as s:
        (rid,) = import_roles(s, first, actor="alice")
    second = _csv(
        tmp_path, "mle,ML Engineer,机器学习工程师,eng,senior,v2,pytorch:1,\n", name="v2.csv"
    )
    with session_scope(engine) as s:
        assert import_roles(s, second, actor="alice") == [rid]
    with session_scope(engine) as s:
        (row,) = list_roles(s)
        assert (row.id, row.title_zh, row.level, row.description) == (
            rid,
            "机器学习工程师",
            "senior",
            "v2",
        )
        assert row.required == (("pytorch", 1.0),) and row.nice == ()
        assert s.scalar(select(func.count()).select_from(RoleSkill)) == 1


def test_bad_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = _csv(tmp_path, ",Good Role,,eng,,,python,\n,Bad Role,,eng,,,Pytorchh:2,\n")
    with session_scope(engine) as s, pytest.raises(ImportErrors):
        import_roles(s, path, actor="alice")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Role)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_example_files_are_in_the_repo(tmp_path: Path) -> None:
    """The README and docs point at these files: they must exist and stay importable."""
    for name in ("roles.csv", "roles.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
        assert read_roles(tmp_path / name)


def test_custom_skills_are_stored_marked_custom_and_found_in_resumes(
    engine: Engine, tmp_path: Path
) -> None:
    from data.ingest.roles import import_roles_checked
    from data.store.models import Skill
    from data.store.skills import store_taxonomy

    path = _csv(tmp_path, ",Mainframe Dev,,eng,,,Pytorchh; CICS transactions; Python,\n")
    with session_scope(engine) as s:
        done = import_roles_checked(s, path, actor="alice")
        assert len(done.ids) == 1 and len(done.notices) == 2
    with session_scope(engine) as s:
        row = s.scalars(select(Skill).where(Skill.key == "custom_pytorchh")).one()
        assert (row.name_en, row.category) == ("Pytorchh", "custom")
        (role,) = list_roles(s)
        assert {k for k, _w in role.required} == {
            "custom_pytorchh",
            custom_key("CICS transactions"),
            "python",
        }
        tax = store_taxonomy(s)
        found = {h.key for h in tax.find("Ten years of CICS Transactions and Python")}
        assert found == {custom_key("CICS transactions"), "python"}
        # a second import reuses the stored custom skill: no new notice, no new row
        before = s.scalar(select(func.count()).select_from(Skill))
    with session_scope(engine) as s:
        again = import_roles_checked(s, path, actor="alice")
        assert again.notices == [] and again.new_skills == []
        assert s.scalar(select(func.count()).select_from(Skill)) == before


def test_every_bad_row_is_listed_and_counted_as_rows(tmp_path: Path) -> None:
    body = "".join(f",Role {i},,eng,,,python:{2 + i},docker:x\n" for i in range(60))
    with pytest.raises(ImportErrors) as info:
        read_roles(_csv(tmp_path, body))
    text = str(info.value)
    assert text.startswith("60 bad row(s) (120 problems); nothing was imported")
    assert "row 61" in text and "more" not in text
    assert len(text.splitlines()) == 1 + 120


def test_an_ambiguous_name_needs_the_role_to_support_its_sense(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        ",Electrical Engineer,,eng,,,electrical design; transformers; switchgear,\n"
        ",NLP Engineer,,ai,,,PyTorch; transformers,\n",
    )
    check = check_roles(path)
    ee, nlp = check.profiles
    assert "transformer" not in ee.required and custom_key("transformers") in ee.required
    assert "transformer" in nlp.required
    (notice,) = [n for n in check.notices if n.row == 2 and "'transformers'" in str(n)]
    assert "'transformers' is kept as your own skill, not Transformer Architecture" in str(notice)
