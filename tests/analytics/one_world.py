"""One world for the "one truth per number" tests: applications whose hires fall after their
period, stages reached without an event, skipped stages, declined offers, demographics.

``build_world(engine)`` writes it and returns the plain records, so the expected numbers are
computed here in plain Python, independently of the SQL under test.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass, field

from sqlalchemy import Engine

from data.reference.stages import STAGES
from data.store.engine import session_scope
from data.store.models import (
    Application,
    Candidate,
    CandidateDemographics,
    Pipeline,
    PipelineStage,
    Role,
    StageEvent,
)

PATH = ["sourcing", "screening", "interview", "onboarding"]
COUNTRIES = {"CN": "East Asia", "US": "North America", "DE": "Western Europe", "IN": "South Asia"}
CHANNELS = ["referral", "linkedin", "campus", "job_board"]
PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))


@dataclass
class App:
    country: str
    region: str
    channel: str
    role: str
    sex: str | None
    applied_at: dt.datetime
    events: list[tuple[str | None, str, dt.datetime, str | None]]
    current_stage: str
    status: str
    hired_at: dt.datetime | None = None
    offer_at: dt.datetime | None = None
    offer_accepted: bool | None = None


@dataclass
class World:
    apps: list[App] = field(default_factory=list)

    def select(self, f) -> list[App]:
        """The applications a filter's non-date parts keep."""
        return [
            a
            for a in self.apps
            if (not f.countries or a.country in f.countries)
            and (not f.regions or a.region in f.regions)
            and (not f.channels or a.channel in f.channels)
            and (not f.roles or a.role in f.roles)
        ]

    @staticmethod
    def _in(d: dt.datetime | None, f) -> bool:
        return d is not None and f.start <= d.date() <= f.end

    def applications(self, f) -> list[App]:
        return [a for a in self.select(f) if self._in(a.applied_at, f)]

    def hires(self, f) -> list[App]:
        return [a for a in self.select(f) if self._in(a.hired_at, f)]

    def time_to_hire(self, f) -> float | None:
        days = [(a.hired_at.date() - a.applied_at.date()).days for a in self.hires(f)]
        return statistics.median(days) if days else None

    def funnel(self, f) -> list[tuple[str, int]]:
        apps = self.applications(f)
        idx = [
            [STAGES.index(to) for _, to, _, _ in a.events] + [STAGES.index(a.current_stage)]
            for a in apps
        ]
        if not idx:
            return []
        first = min(min(i) for i in idx)
        furthest = [max(i) for i in idx]
        return [
            (STAGES[s], sum(1 for top in furthest if top >= s))
            for s in range(first, max(furthest) + 1)
        ]

    def screening_decided(self, f) -> int:
        """Applications of the period decided at screening (passed on, or failed there)."""
        n = 0
        for a in self.applications(f):
            later = any(STAGES.index(to) > 2 for _, to, _, _ in a.events) or (
                STAGES.index(a.current_stage) > 2
            )
            failed = a.status == "rejected" and a.current_stage == "screening"
            n += later or failed
        return n


def build_world(engine: Engine, *, n: int = 400, seed: int = 11) -> World:
    rnd = random.Random(seed)
    world = World()
    start = dt.datetime(2024, 10, 1, 9)
    with session_scope(engine) as s:
        pipe = Pipeline(name="canonical", source="canonical")
        pipe.stages = [
            PipelineStage(position=i, label=k, canonical_key=k) for i, k in enumerate(STAGES)
        ]
        roles = {
            k: Role(key=k, title_en=k.title(), title_zh=zh, family="ai", source="test")
            for k, zh in (("ml_engineer", "机器学习工程师"), ("analyst", "数据分析师"))
        }
        s.add_all([pipe, *roles.values()])
        s.flush()
        for i in range(n):
            country = list(COUNTRIES)[i % 4 if i % 3 else 0]
            app = App(
                country=country,
                region=COUNTRIES[country],
                channel=CHANNELS[i % 4],
                role=("ml_engineer", "analyst")[i % 2],
                sex=(None, "male", "female")[i % 3] if i % 10 else None,
                applied_at=start + dt.timedelta(days=rnd.randint(0, 440), hours=rnd.randint(0, 8)),
                events=[],
                current_stage="sourcing",
                status="active",
            )
            depth = rnd.choice([0, 1, 1, 2, 2, 3, 3, 3])  # furthest index into PATH
            at = app.applied_at
            prev = None
            for k, stage in enumerate(PATH[: depth + 1]):
                at += dt.timedelta(days=rnd.randint(1, 15), hours=rnd.randint(0, 20))
                if stage == "screening" and i % 11 == 0 and depth > 1:
                    continue  # imported without its screening event
                if k == depth and i % 7 == 0 and k > 0:
                    app.current_stage = stage  # reached, but no event for it
                    break
                outcome = "pass" if prev == "screening" else None
                app.events.append((prev, stage, at, outcome))
                prev = stage
            app.current_stage = PATH[depth]
            if depth == 1 and rnd.random() < 0.6:
                app.status = "rejected"
                app.events.append(("screening", "screening", at + dt.timedelta(days=2), "fail"))
            elif depth == 3:
                app.status = "hired"
                app.hired_at = at + dt.timedelta(days=rnd.randint(0, 90))
                app.offer_at = app.hired_at - dt.timedelta(days=3)
                app.offer_accepted = True
            elif depth == 2 and i % 5 == 0:
                app.offer_at = at + dt.timedelta(days=4)
                app.offer_accepted = False
                app.status = "withdrawn"
            world.apps.append(app)
            cand = Candidate(
                pseudonym=f"W-{i:05d}",
                country=app.country,
                region=app.region,
                source_channel=app.channel,
            )
            cand.demographics = CandidateDemographics(sex=app.sex, ethnicity=None)
            s.add(cand)
            s.flush()
            row = Application(
                candidate_id=cand.id,
                role_id=roles[app.role].id,
                pipeline_id=pipe.id,
                current_stage=app.current_stage,
                status=app.status,
                applied_at=app.applied_at,
                hired_at=app.hired_at,
                offer_at=app.offer_at,
                offer_accepted=app.offer_accepted,
                closed_at=app.hired_at,
            )
            s.add(row)
            s.flush()
            s.add_all(
                StageEvent(application_id=row.id, from_stage=fr, to_stage=to, at=when, outcome=out)
                for fr, to, when, out in app.events
            )
    return world
