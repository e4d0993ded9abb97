"""A small, deterministic store for dashboard and analytics tests.

``seed_store(engine)`` writes roles, skills, candidates, resumes, applications with stage
events, programmes and enrolments, and returns the plain records it wrote so tests can compute
expected numbers independently of the SQL under test.
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
    Enrolment,
    Pipeline,
    PipelineStage,
    Programme,
    Resume,
    Role,
    RoleSkill,
    Skill,
    StageEvent,
)

SKILLS = [
    ("python", "Python", "Python", "technical", ["python3"]),
    ("pytorch", "PyTorch", "PyTorch", "technical", []),
    ("sql", "SQL", "SQL", "technical", []),
    ("nlp", "Natural language processing", "自然语言处理", "technical", ["NLP"]),
    ("communication", "Communication", "沟通能力", "soft", []),
    ("mandarin", "Mandarin", "普通话", "language", ["Chinese"]),
]
ROLES = [
    (
        "ml_engineer",
        "ML Engineer",
        "机器学习工程师",
        {"python": 1.0, "pytorch": 0.9, "nlp": 0.6},
        3,
    ),
    (
        "data_scientist",
        "Data Scientist",
        "数据科学家",
        {"python": 0.9, "sql": 0.8, "communication": 0.5},
        2,
    ),
    (
        "hr_partner",
        "HR Business Partner",
        "人力资源业务伙伴",
        {"communication": 1.0, "mandarin": 0.7},
        1,
    ),
]
COUNTRIES = ["CN", "CN", "CN", "US", "IN", "DE", "SG"]
CHANNELS = ["referral", "linkedin", "campus", "job_board"]
PROGRAMMES = [
    ("cross_culture", "Cross-cultural onboarding", "跨文化融入", "cross_cultural"),
    ("upskill_llm", "LLM upskilling", "大模型技能提升", "upskilling"),
]


@dataclass
class SeedApp:
    id: int
    candidate_id: int
    role: str
    country: str
    channel: str
    applied_at: dt.datetime
    stages: list[tuple[str, dt.datetime]]
    status: str
    hired_at: dt.datetime | None
    offer_at: dt.datetime | None
    offer_accepted: bool | None
    left_at: dt.datetime | None


@dataclass
class Seeded:
    apps: list[SeedApp] = field(default_factory=list)
    resumes: dict[int, str] = field(default_factory=dict)  # resume id -> text
    roles: dict[str, int] = field(default_factory=dict)
    enrolments: list[tuple[str, int, str]] = field(default_factory=list)  # programme, cand, status


def seed_store(engine: Engine, *, n_candidates: int = 60, seed: int = 1) -> Seeded:
    """Fill an empty, migrated store; dates fall in 2025."""
    rnd = random.Random(seed)
    out = Seeded()
    with session_scope(engine) as s:
        skills = {}
        for key, en, zh, cat, aliases in SKILLS:
            skills[key] = Skill(key=key, name_en=en, name_zh=zh, category=cat, aliases=aliases)
            s.add(skills[key])
        roles = {}
        for key, en, zh, req, headcount in ROLES:
            role = Role(
                key=key,
                title_en=en,
                title_zh=zh,
                family="ai",
                is_open=key != "hr_partner",
                headcount=headcount,
                opened_at=dt.date(2025, 1, 1),
                source="demo",
            )
            role.skills = [RoleSkill(skill=skills[k], importance=w) for k, w in req.items()]
            s.add(role)
            roles[key] = role
        pipe = Pipeline(name="canonical", source="canonical")
        pipe.stages = [
            PipelineStage(position=i, label=k, canonical_key=k) for i, k in enumerate(STAGES)
        ]
        s.add(pipe)
        progs = {}
        for key, en, zh, kind in PROGRAMMES:
            progs[key] = Programme(key=key, name_en=en, name_zh=zh, kind=kind)
            s.add(progs[key])
        s.flush()
        out.roles = {k: r.id for k, r in roles.items()}
        funnel = ["sourcing", "screening", "interview", "onboarding"]
        for i in range(n_candidates):
            country = COUNTRIES[i % len(COUNTRIES)]
            channel = CHANNELS[i % len(CHANNELS)]
            cand = Candidate(
                pseudonym=f"C-{i:05d}",
                country=country,
                region="Asia" if country in ("CN", "IN", "SG") else "Other",
                source_channel=channel,
            )
            s.add(cand)
            s.flush()
            role_key = list(roles)[i % len(roles)]
            words = [
                sk
                for sk in ("Python", "PyTorch", "SQL", "NLP", "沟通能力", "Mandarin")
                if rnd.random() < 0.5
            ]
            text = f"Candidate {i}. Skills: {', '.join(words)}. <script>alert(1)</script>"
            res = Resume(
                candidate_id=cand.id,
                file_name=f"r{i}.txt",
                sha256=f"{i:064d}",
                language="en",
                text=text,
            )
            s.add(res)
            applied = dt.datetime(2025, 1 + (i % 12), 1 + (i % 27), 9, 0)
            depth = rnd.randint(1, len(funnel))
            stages, t = [], applied
            for st in funnel[:depth]:
                stages.append((st, t))
                t = t + dt.timedelta(days=rnd.randint(1, 20))
            hired = depth == len(funnel) and rnd.random() < 0.8
            offer_at = stages[-1][1] if depth >= 3 else None
            accepted = None if offer_at is None else hired
            status = "hired" if hired else ("active" if depth < 3 and i % 2 else "rejected")
            hired_at = stages[-1][1] if hired else None
            left_at = (
                hired_at + dt.timedelta(days=rnd.randint(30, 500))
                if hired and rnd.random() < 0.4
                else None
            )
            app = Application(
                candidate_id=cand.id,
                role_id=roles[role_key].id,
                pipeline_id=pipe.id,
                current_stage=stages[-1][0],
                status=status,
                applied_at=applied,
                closed_at=None if status == "active" else t,
                offer_at=offer_at,
                offer_accepted=accepted,
                hired_at=hired_at,
                left_at=left_at,
            )
            s.add(app)
            s.flush()
            prev = None
            for st, at in stages:
                s.add(
                    StageEvent(
                        application_id=app.id,
                        from_stage=prev,
                        to_stage=st,
                        at=at,
                        actor="seed",
                        outcome="pass",
                    )
                )
                prev = st
            out.apps.append(
                SeedApp(
                    app.id,
                    cand.id,
                    role_key,
                    country,
                    channel,
                    applied,
                    stages,
                    status,
                    hired_at,
                    offer_at,
                    accepted,
                    left_at,
                )
            )
            out.resumes[res.id] = text
            if hired or i % 5 == 0:
                pkey = list(progs)[i % 2]
                estatus = ["completed", "enrolled", "dropped"][i % 3]
                s.add(
                    Enrolment(
                        programme_id=progs[pkey].id,
                        candidate_id=cand.id,
                        enrolled_at=applied.date(),
                        status=estatus,
                        completed_at=applied.date() + dt.timedelta(days=60)
                        if estatus == "completed"
                        else None,
                    )
                )
                out.enrolments.append((pkey, cand.id, estatus))
    return out
