"""Plan, pay-band, survey, FX and mobility files: good files are stored, bad ones are refused
with file, row and field, and nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from data.errors import ImportErrors, InputError
from data.ingest.planning import import_table, link_applications, quarter_end, read_table
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Candidate,
    FxRate,
    PayBand,
    PaySurveyRow,
    Pipeline,
    Requisition,
    Role,
)


@pytest.fixture
def roles(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        for key in ("ml_engineer", "data_scientist"):
            s.add(Role(key=key, title_en=key, title_zh=key, family="engineering", level="mid"))
    return engine


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_quarter_end_is_the_last_day() -> None:
    assert quarter_end("2026Q1") == dt.date(2026, 3, 31)
    assert quarter_end("2026Q4") == dt.date(2026, 12, 31)
    assert quarter_end("2024Q1") == dt.date(2024, 3, 31)


def test_plan_csv_is_stored_with_defaults_and_updated_again(roles: Engine, tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        "plan.csv",
        "role,location,quarter,headcount,target_start,status\n"
        "ml_engineer,singapore,2026Q2,12,,\n"
        "data_scientist,Austin,,2,2026-05-15,on_hold\n",
    )
    # Austin is not a known location: it needs its country
    with session_scope(roles) as s, pytest.raises(ImportErrors) as err:
        import_table(s, f, "plan", actor="t")
    (e,) = err.value.errors
    assert (e.file, e.row, e.field) == ("plan.csv", 3, "country")
    f.write_text(
        "role,location,country,quarter,headcount,target_start,status\n"
        "ml_engineer,singapore,,2026Q2,12,,\n"
        "data_scientist,Austin,US,,2,2026-05-15,on_hold\n",
        encoding="utf-8",
    )
    with session_scope(roles) as s:
        r = import_table(s, f, "plan", actor="t")
    assert (r.created, r.updated) == (2, 0)
    with session_scope(roles) as s:
        rows = {q.key: q for q in s.scalars(select(Requisition))}
        sg = rows["ml_engineer-singapore-2026Q2"]
        assert (sg.country, sg.headcount, sg.target_start, sg.status) == (
            "SG",
            12,
            dt.date(2026, 6, 30),
            "open",
        )
        au = rows["data_scientist-Austin-2026Q2"]
        assert (au.quarter, au.status) == ("2026Q2", "on_hold")
    with session_scope(roles) as s:
        assert import_table(s, f, "plan", actor="t").updated == 2


BAD_PLANS = [
    ("role,location,headcount,quarter\nnobody,beijing,1,2026Q1\n", 2, "role"),
    ("role,location,headcount,quarter\nml_engineer,beijing,0,2026Q1\n", 2, "headcount"),
    ("role,location,headcount,quarter\nml_engineer,beijing,two,2026Q1\n", 2, "headcount"),
    ("role,location,headcount,target_start\nml_engineer,beijing,1,31/03/2026\n", 2, "target_start"),
    ("role,location,headcount,quarter\nml_engineer,beijing,1,2026-Q5\n", 2, "quarter"),
    ("role,location,headcount\nml_engineer,beijing,1\n", 2, "target_start"),
    ("role,location,headcount,quarter,status\nml_engineer,beijing,1,2026Q1,maybe\n", 2, "status"),
    ("role,location,country,headcount,quarter\nml_engineer,beijing,US,1,2026Q1\n", 2, "country"),
    ("role,location,headcount,quarter,colour\nml_engineer,beijing,1,2026Q1,red\n", 1, "colour"),
    ("role,location,quarter\nml_engineer,beijing,2026Q1\n", 1, "headcount"),
    (
        "role,location,headcount,quarter\nml_engineer,beijing,1,2026Q1\nml_engineer,beijing,2,2026Q1\n",
        3,
        "key",
    ),
]


@pytest.mark.parametrize(
    ("text", "row", "fld"), BAD_PLANS, ids=[b[2] + str(i) for i, b in enumerate(BAD_PLANS)]
)
def test_bad_plan_rows_are_named_and_nothing_is_stored(
    roles: Engine, tmp_path: Path, text: str, row: int, fld: str
) -> None:
    f = _write(tmp_path, "bad-plan.csv", text)
    with session_scope(roles) as s, pytest.raises((ImportErrors, InputError)) as err:
        import_table(s, f, "plan", actor="t")
    errors = err.value.errors if isinstance(err.value, ImportErrors) else [err.value]
    assert any((e.file, e.row, e.field) == ("bad-plan.csv", row, fld) for e in errors), [
        str(e) for e in errors
    ]
    assert "bad-plan.csv" in str(err.value)
    with session_scope(roles) as s:
        assert s.scalar(select(func.count()).select_from(Requisition)) == 0


def test_yaml_plan_errors_name_the_line(roles: Engine, tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        "plan.yaml",
        "requisitions:\n"
        "  - {role: ml_engineer, location: beijing, quarter: 2026Q2, headcount: 2}\n"
        "  - role: ml_engineer\n"
        "    location: shanghai\n"
        "    quarter: 2026Q2\n"
        "    headcount: -1\n",
    )
    with session_scope(roles) as s, pytest.raises(ImportErrors) as err:
        import_table(s, f, "plan", actor="t")
    (e,) = err.value.errors
    assert (e.file, e.line, e.field) == ("plan.yaml", 3, "headcount")


def test_bands_are_made_yearly_and_checked(roles: Engine, tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        "bands.csv",
        "role,level,location,currency,period,minimum,maximum\n"
        "ml_engineer,mid,beijing,cny,month,30000,50000\n",
    )
    with session_scope(roles) as s:
        import_table(s, f, "bands", actor="t")
    with session_scope(roles) as s:
        b = s.scalar(select(PayBand))
        # monthly figures x 12; the midpoint defaults to halfway
        assert (b.currency, b.minimum, b.midpoint, b.maximum) == ("CNY", 360000, 480000, 600000)
    bad = _write(
        tmp_path,
        "bad-bands.csv",
        "role,location,currency,minimum,midpoint,maximum\n"
        "ml_engineer,beijing,CNY,500000,450000,400000\n"
        "ml_engineer,shanghai,RMB¥,1,2,3\n"
        "ml_engineer,shenzhen,CNY,-5,2,3\n",
    )
    with session_scope(roles) as s, pytest.raises(ImportErrors) as err:
        import_table(s, bad, "bands", actor="t")
    got = {(e.row, e.field) for e in err.value.errors}
    assert {(2, "minimum"), (3, "currency"), (4, "minimum")} <= got


def test_survey_and_fx_rows(roles: Engine, tmp_path: Path) -> None:
    survey = _write(
        tmp_path,
        "shenzhen-2026.csv",
        "role,location,currency,period,p25,p50,p75\nml_engineer,shenzhen,CNY,month,25000,32000,40000\n",
    )
    fx = _write(tmp_path, "fx.yaml", "fx:\n  - {currency: CNY, per_usd: 7.1, as_of: 2026-11-30}\n")
    with session_scope(roles) as s:
        import_table(s, survey, "survey", actor="t")
        import_table(s, fx, "fx", actor="t")
    with session_scope(roles) as s:
        row = s.scalar(select(PaySurveyRow))
        assert (row.survey, row.period, row.p50) == ("shenzhen-2026", "month", 32000)
        assert s.scalar(select(FxRate.per_usd).where(FxRate.currency == "CNY")) == 7.1
    bad = _write(
        tmp_path,
        "bad-survey.csv",
        "role,location,currency,p25,p50,p75\nml_engineer,shenzhen,CNY,40000,32000,50000\n"
        "ml_engineer,beijing,CNY,1,x,3\n",
    )
    with session_scope(roles) as s, pytest.raises(ImportErrors) as err:
        import_table(s, bad, "survey", actor="t")
    assert {(e.file, e.row, e.field) for e in err.value.errors} == {
        ("bad-survey.csv", 2, "p50"),
        ("bad-survey.csv", 3, "p50"),
    }


def test_unclosed_quote_is_refused_with_row(roles: Engine, tmp_path: Path) -> None:
    f = _write(
        tmp_path, "q.csv", 'role,location,headcount,quarter\n"ml_engineer,beijing,1,2026Q1\n'
    )
    with pytest.raises(InputError) as err:
        read_table(f, "plan", roles={"ml_engineer": 1})
    assert err.value.row == 2 and err.value.file == "q.csv"


def test_applications_link_to_the_next_requisition_of_their_role(roles: Engine) -> None:
    with session_scope(roles) as s:
        role = s.scalar(select(Role).where(Role.key == "ml_engineer"))
        pipe = Pipeline(name="p")
        s.add(pipe)
        s.flush()
        reqs = [
            Requisition(
                key=k,
                role_id=role.id,
                location="beijing",
                country="CN",
                quarter=q,
                headcount=1,
                target_start=d,
            )
            for k, q, d in (
                ("a", "2026Q1", dt.date(2026, 3, 31)),
                ("b", "2026Q2", dt.date(2026, 6, 30)),
            )
        ]
        s.add_all(reqs)
        for i, day in enumerate((dt.date(2026, 2, 1), dt.date(2026, 4, 1), dt.date(2026, 9, 1))):
            c = Candidate(pseudonym=f"P{i}")
            s.add(c)
            s.flush()
            s.add(
                Application(
                    candidate_id=c.id,
                    role_id=role.id,
                    pipeline_id=pipe.id,
                    current_stage="sourcing",
                    applied_at=dt.datetime.combine(day, dt.time(9)),
                )
            )
        s.flush()
        assert link_applications(s) == 3
        got = [
            k
            for (k,) in s.execute(
                select(Requisition.key)
                .join(Application, Application.requisition_id == Requisition.id)
                .order_by(Application.applied_at)
            )
        ]
    # the first open requisition on or after the application; after the last, the last
    assert got == ["a", "b", "b"]
