"""A small, deterministic store for fairness, report and privacy tests.

``seed_governance(engine)`` writes roles, skills, candidates with contacts and demographics,
resumes, applications with stage events (a planted disparity at screening), a match run of an
active model with explained scores, and returns the plain records it wrote, so tests compute
expected numbers from the records, independently of the SQL under test.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import Engine

from data.reference.stages import STAGES
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    MatchRun,
    MatchScore,
    ModelVersion,
    Pipeline,
    PipelineStage,
    Resume,
    Role,
    RoleSkill,
    Skill,
    StageEvent,
)

PAYLOADS = ['=HYPERLINK("http://x","y")', "<script>alert(1)</script>", "@SUM(1)", "+1", "-1"]
ROLES = [
    ("ml_engineer", "ML Engineer", "机器学习工程师", ["python", "pytorch", "nlp"]),
    ("data_analyst", "Data Analyst", "数据分析师", ["python", "sql"]),
]
SKILLS = [
    ("python", "Python", "Python"),
    ("pytorch", "PyTorch", "PyTorch"),
    ("nlp", "NLP", "自然语言处理"),
    ("sql", "SQL", "SQL"),
]
COUNTRIES = ["CN", "CN", "US", "DE", "SG"]
CHANNELS = ["referral", "linkedin", "campus", "job_board"]
ETHNICITIES = ["Asian", "White", "Black", "Hispanic"]
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@dataclass
class SeedPerson:
    id: int
    pseudonym: str
    name: str
    email: str
    sex: str | None
    ethnicity: str | None
    country: str
    channel: str
    resume_id: int
    resume_file: str
    app_id: int
    role: str
    applied_at: dt.datetime
    in_range: bool
    reached: list[str]
    screening: str | None  # pass | fail | None (undecided)
    hired_days: int | None
    status: str


@dataclass
class SeedScore:
    resume_id: int
    role: str
    score: float
    rank: int
    person: SeedPerson


@dataclass
class Governed:
    people: list[SeedPerson] = field(default_factory=list)
    scores: list[SeedScore] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)
    run_id: int = 0
    model_version_id: int = 0
    payload_people: list[SeedPerson] = field(default_factory=list)

    def in_range(self) -> list[SeedPerson]:
        return [p for p in self.people if p.in_range]


def seed_governance(engine: Engine, *, n: int = 200, seed: int = 3) -> Governed:
    """Fill an empty, migrated store with ``n`` candidates (plus a few outside the date range)."""
    rnd = random.Random(seed)
    out = Governed()
    with session_scope(engine) as s:
        skills = {
            k: Skill(key=k, name_en=en, name_zh=zh, category="technical") for k, en, zh in SKILLS
        }
        s.add_all(skills.values())
        roles = {}
        for key, en, zh, req in ROLES:
            role = Role(
                key=key,
                title_en=en,
                title_zh=zh,
                family="ai",
                source="demo",
                opened_at=dt.date(2025, 1, 1),
            )
            role.skills = [RoleSkill(skill=skills[k]) for k in req]
            roles[key] = role
            s.add(role)
        pipe = Pipeline(name="canonical", source="canonical")
        pipe.stages = [
            PipelineStage(position=i, label=k, canonical_key=k) for i, k in enumerate(STAGES)
        ]
        s.add(pipe)
        mv = ModelVersion(
            kind="pair_scorer",
            version=2,
            status="active",
            created_by="seed",
            metrics={"macro_f1": 0.812, "accuracy": 0.901},
        )
        s.add(mv)
        s.flush()
        out.roles = {k: r.id for k, r in roles.items()}
        out.model_version_id = mv.id
        total = n + 10
        cands, contacts = [], []
        for i in range(total):  # batched inserts: one flush per table, not per row
            sex = None if i % 20 == 19 else ("male", "female")[i % 2]
            if i in (5, 50, 150):
                eth: str | None = "Native American"  # 1.5 %: under the 2 % line
            elif i % 25 == 24:
                eth = "prefer_not_to_say"
            else:
                eth = ETHNICITIES[(i // 2) % 4]
            payload = PAYLOADS[i] if i < len(PAYLOADS) else None
            name = payload or f"Person {i:03d}"
            cand = Candidate(
                pseudonym=f"G-{i:05d}",
                country=COUNTRIES[i % 5],
                source_channel=CHANNELS[i % 4],
                external_ref=f"EXT-{i:05d}",
            )
            cand.contact = CandidateContact(
                name=name, email=f"person{i:03d}@example.com", phone=f"+1 555 {1000 + i}"
            )
            cand.demographics = CandidateDemographics(sex=sex, ethnicity=eth)
            cands.append(cand)
            contacts.append((payload, name, sex, eth))
        s.add_all(cands)
        s.flush()
        resumes, apps, plans = [], [], []
        for i, (cand, (payload, name, sex, eth)) in enumerate(zip(cands, contacts)):
            in_range = i < n
            file_name = f"{payload}.pdf" if payload else f"resume_{i:03d}.pdf"
            res = Resume(
                candidate_id=cand.id,
                file_name=file_name,
                sha256=f"{i:064x}",
                language="en",
                text=f"Resume {i}. Python SQL. [EMAIL]",
            )
            role_key = ROLES[i % 2][0]
            applied = (
                dt.datetime(2025, 1 + i % 6, 1 + i % 28, 9)
                if in_range
                else dt.datetime(2024, 6, 1 + i % 28, 9)
            )
            reached = ["sourcing", "screening"]
            if i % 10 == 3:
                screening = None
            else:
                p_pass = {"male": 0.65, "female": 0.35}.get(sex or "", 0.5)
                screening = "pass" if rnd.random() < p_pass else "fail"
            hired_days = None
            status = "active"
            if screening == "pass":
                reached.append("interview")
                if i % 3 == 0:
                    reached.append("onboarding")
                    hired_days = 10 + (i * 7) % 50
                    status = "hired"
            elif screening == "fail":
                status = "rejected"
            app = Application(
                candidate_id=cand.id,
                role_id=roles[role_key].id,
                pipeline_id=pipe.id,
                current_stage=reached[-1],
                status=status,
                applied_at=applied,
            )
            if status == "hired":
                app.hired_at = applied + dt.timedelta(days=hired_days or 0)
                app.offer_at = app.hired_at - dt.timedelta(days=2)
                app.offer_accepted = True
                app.closed_at = app.hired_at
            elif status == "rejected":
                app.closed_at = applied + dt.timedelta(days=5)
            resumes.append(res)
            apps.append(app)
            plans.append(
                (
                    i,
                    cand,
                    name,
                    sex,
                    eth,
                    payload,
                    file_name,
                    role_key,
                    applied,
                    in_range,
                    reached,
                    screening,
                    hired_days,
                    status,
                )
            )
        s.add_all(resumes + apps)
        s.flush()
        events = []
        for res, app, plan in zip(resumes, apps, plans):
            (
                i,
                cand,
                name,
                sex,
                eth,
                payload,
                file_name,
                role_key,
                applied,
                in_range,
                reached,
                screening,
                hired_days,
                status,
            ) = plan
            prev = None
            for k, stage in enumerate(reached):
                events.append(
                    StageEvent(
                        application_id=app.id,
                        from_stage=prev,
                        to_stage=stage,
                        at=applied + dt.timedelta(days=k),
                        actor="seed",
                        outcome="pass" if k else None,
                    )
                )
                prev = stage
            if screening == "fail":
                events.append(
                    StageEvent(
                        application_id=app.id,
                        from_stage="screening",
                        to_stage="screening",
                        at=applied + dt.timedelta(days=5),
                        actor="seed",
                        outcome="fail",
                    )
                )
            person = SeedPerson(
                cand.id,
                cand.pseudonym,
                name,
                f"person{i:03d}@example.com",
                sex,
                eth,
                COUNTRIES[i % 5],
                CHANNELS[i % 4],
                res.id,
                file_name,
                app.id,
                role_key,
                applied,
                in_range,
                reached,
                screening,
                hired_days,
                status,
            )
            out.people.append(person)
            if payload:
                out.payload_people.append(person)
        s.add_all(events)
        run = MatchRun(created_by="seed", encoder="minilm", model_version_id=mv.id)
        s.add(run)
        s.flush()
        out.run_id = run.id
        scores: list[MatchScore] = []
        for role_key, *_ in ROLES:
            pairs = []
            for p in out.people:
                bias = 0.08 if p.sex == "male" else 0.0
                score = round(0.3 + 0.5 * rnd.random() + bias, 4)
                if p in out.payload_people:
                    score = 0.99 - 0.01 * out.payload_people.index(p)
                pairs.append((score, p))
            pairs.sort(key=lambda x: (-x[0], x[1].id))
            for rank, (score, p) in enumerate(pairs, start=1):
                scores.append(
                    MatchScore(
                        run_id=run.id,
                        resume_id=p.resume_id,
                        role_id=roles[role_key].id,
                        score=score,
                        rank=rank,
                        explanation={
                            "matched_skills": [
                                {
                                    "key": "python",
                                    "name": "Python",
                                    "evidence": f"Python at line {rank}",
                                    "how": "lexical",
                                }
                            ],
                            "missing_required": [
                                {
                                    "key": "pytorch",
                                    "name": "PyTorch",
                                    "closest": "Torch-like work",
                                    "similarity": 0.41,
                                }
                            ],
                            "missing_nice": ["nlp"],
                            "strongest_passages": [
                                {"text": f"Resume {p.id} passage", "similarity": 0.5}
                            ],
                        },
                    )
                )
                out.scores.append(SeedScore(p.resume_id, role_key, score, rank, p))
        s.add_all(scores)
    return out
