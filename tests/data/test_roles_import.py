"""Role profiles from CSV and YAML: checked against the taxonomy, all-or-nothing, upserted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from data.errors import ImportErrors, InputError
from data.ingest.roles import import_roles, list_roles, read_roles, slugify
from data.store.engine import session_scope
from data.store.models import AuditLog, Role, RoleSkill

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


def test_unknown_skill_names_file_row_field_and_hint(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        ",ML Engineer,,eng,,,Python:0.9; PyTorch:0.8,\n"
        ",NLP Scientist,,research,,,Pytorchh:1; nlp:0.5,docker\n",
    )
    with pytest.raises(ImportErrors) as info:
        read_roles(path)
    (err,) = info.value.errors
    assert (err.file, err.row, err.field) == ("roles.csv", 3, "required_skills")
    assert "unknown skill 'Pytorchh'" in str(err) and "check spelling" in str(err)
    assert "nothing was imported" in str(info.value)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (",,,eng,,,python,\n", "title_en", "no title"),
        (",Eng,,eng,,,,docker\n", "required_skills", "no required skills"),
        (",Eng,,eng,,,python:high,\n", "required_skills", "'high' of 'python' is not a number"),
        (",Eng,,eng,,,python:0,\n", "required_skills", "out of range"),
        (",Eng,,eng,,,python; Python,\n", "required_skills", "listed twice"),
        (",Eng,,eng,,,python,Python:0.2\n", "nice_skills", "both required and nice"),
        (",Eng,,eng,,,python; :0.5,\n", "required_skills", "empty skill name"),
        ("x" * 81 + ",Eng,,eng,,,python,\n", "key", "more than 80"),
    ],
    ids=[
        "no-title",
        "no-required",
        "weight-text",
        "weight-zero",
        "twice",
        "both-lists",
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
        "    - {skill: Pytorchh}\n  salary: 100\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportErrors) as info:
        read_roles(path)
    errors = info.value.errors
    assert {e.line for e in errors} == {3}
    text = "\n".join(map(str, errors))
    assert "unknown field(s) salary" in text
    assert "weight 2 of '深度学习' is out of range" in text
    assert "unknown skill 'Pytorchh'" in text


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
    path = _csv(tmp_path, ",Good Role,,eng,,,python,\n,Bad Role,,eng,,,Pytorchh,\n")
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
