"""SQLAlchemy 2 typed models of the TalentMap store.

Privacy by structure: a candidate's contact details (``CandidateContact``) and self-reported
demographics (``CandidateDemographics``) live in their own tables, so what a model sees
(``Candidate``, ``Resume.text``) never carries them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
str32 = Annotated[str, mapped_column(String(32))]
str64 = Annotated[str, mapped_column(String(64))]
str200 = Annotated[str, mapped_column(String(200))]
created = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=False), server_default=func.current_timestamp())
]
jsonb = Annotated[Any, mapped_column(JSON)]


class Base(DeclarativeBase):
    pass


# --- people and access ---------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    id: Mapped[intpk]
    name: Mapped[str64] = mapped_column(unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | recruiter | viewer
    password_hash: Mapped[str | None] = mapped_column(String(256))
    token_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the CLI token
    # a disabled user keeps password and token (re-enabling restores access) but neither works
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[created]


class LoginAttempt(Base):
    """One dashboard sign-in attempt: what the delay and the lockout count (kept in the store,
    so reruns, new browser sessions and several server processes all see the same count)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_user_at", "user_name", "at"),
        Index("ix_login_client_at", "client", "at"),
    )
    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    user_name: Mapped[str64]
    client: Mapped[str64]
    ok: Mapped[bool] = mapped_column(Boolean)


class AuditLog(Base):
    """Append-only: rows are inserted, never updated or deleted (erase rewrites no rows)."""

    __tablename__ = "audit_log"
    id: Mapped[intpk]
    at: Mapped[created]
    actor: Mapped[str64]
    action: Mapped[str64]
    target_type: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(64))  # candidates by pseudonym only
    model_version: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[jsonb | None]


# --- roles and skills ----------------------------------------------------------------------


class Skill(Base):
    __tablename__ = "skills"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str200]
    name_zh: Mapped[str200]
    category: Mapped[str64]
    aliases: Mapped[jsonb] = mapped_column(default=list)
    esco_uri: Mapped[str | None] = mapped_column(String(200))
    csco_code: Mapped[str | None] = mapped_column(String(32))


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str200]
    title_zh: Mapped[str200]
    family: Mapped[str64]
    level: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str32] = mapped_column(default="import")  # demo | document | import
    csco_code: Mapped[str | None] = mapped_column(String(32))
    esco_uri: Mapped[str | None] = mapped_column(String(200))
    pay: Mapped[jsonb | None]
    """The stated pay range: ``{text, low, high, currency, period, months}`` (see
    ``data.text.postings.PayRange``)."""
    soc_code: Mapped[str | None] = mapped_column(String(16))  # user's override of the SOC route
    skills: Mapped[list[RoleSkill]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )


class RoleSkill(Base):
    __tablename__ = "role_skills"
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    )
    importance: Mapped[float] = mapped_column(Float, default=1.0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[Role] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


# --- candidates and resumes ----------------------------------------------------------------


class Candidate(Base):
    __tablename__ = "candidates"
    id: Mapped[intpk]
    pseudonym: Mapped[str] = mapped_column(String(24), unique=True)
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    region: Mapped[str | None] = mapped_column(String(32))
    source_channel: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[created]
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    contact: Mapped[CandidateContact | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    demographics: Mapped[CandidateDemographics | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class CandidateContact(Base):
    """Contact details, kept apart from anything a model sees."""

    __tablename__ = "candidate_contacts"
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    links: Mapped[jsonb | None]


class CandidateDemographics(Base):
    """Self-reported sex and ethnicity (EEO-1 categories); used only by the bias audit."""

    __tablename__ = "candidate_demographics"
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    sex: Mapped[str | None] = mapped_column(String(32))
    ethnicity: Mapped[str | None] = mapped_column(String(64))


class Resume(Base):
    __tablename__ = "resumes"
    id: Mapped[intpk]
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str64] = mapped_column(unique=True)
    language: Mapped[str] = mapped_column(String(8))  # en | zh | mixed
    text: Mapped[str] = mapped_column(Text)  # contact details masked
    pages: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[created]


# --- pipelines and applications ------------------------------------------------------------


class Pipeline(Base):
    __tablename__ = "pipelines"
    id: Mapped[intpk]
    name: Mapped[str200]
    source: Mapped[str32] = mapped_column(default="canonical")  # canonical | document
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    stages: Mapped[list[PipelineStage]] = relationship(
        back_populates="pipeline", cascade="all, delete-orphan", order_by="PipelineStage.position"
    )


class PipelineStage(Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (UniqueConstraint("pipeline_id", "position"),)
    id: Mapped[intpk]
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str200]
    canonical_key: Mapped[str | None] = mapped_column(String(32))  # one of STAGES
    pipeline: Mapped[Pipeline] = relationship(back_populates="stages")


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (Index("ix_app_role_status", "role_id", "status"),)
    id: Mapped[intpk]
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    current_stage: Mapped[str32]  # canonical stage key
    status: Mapped[str] = mapped_column(
        String(16), default="active"
    )  # active|hired|rejected|withdrawn
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    offer_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    offer_accepted: Mapped[bool | None] = mapped_column(Boolean)
    hired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # employee left after hire
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("requisitions.id", ondelete="SET NULL", name="fk_applications_requisition_id"),
        index=True,
    )


class StageEvent(Base):
    __tablename__ = "stage_events"
    __table_args__ = (Index("ix_event_to_at", "to_stage", "at"),)
    id: Mapped[intpk]
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str32]
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))  # pass | fail | None


# --- cultivation ---------------------------------------------------------------------------


class Programme(Base):
    __tablename__ = "programmes"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str200]
    name_zh: Mapped[str200]
    kind: Mapped[str32]  # cross_cultural | upskilling | exchange | leadership
    description: Mapped[str] = mapped_column(Text, default="")


class Enrolment(Base):
    __tablename__ = "enrolments"
    id: Mapped[intpk]
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    enrolled_at: Mapped[dt.date] = mapped_column(Date)
    completed_at: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(16), default="enrolled"
    )  # enrolled|completed|dropped


# --- strategy documents --------------------------------------------------------------------


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[intpk]
    path: Mapped[str] = mapped_column(String(500), unique=True)  # identity across versions
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str64] = mapped_column(index=True)
    encoding: Mapped[str32]
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(String(500))
    imported_at: Mapped[created]
    extractions: Mapped[list[Extraction]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Extraction(Base):
    """One item read from a document, with provenance (line span)."""

    __tablename__ = "extractions"
    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # role|skill|strategy|pipeline|diagram|duty
    label: Mapped[str] = mapped_column(String(500))
    canonical_key: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="SET NULL"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skills.id", ondelete="SET NULL"))
    pipeline_id: Mapped[int | None] = mapped_column(ForeignKey("pipelines.id", ondelete="SET NULL"))
    payload: Mapped[jsonb | None]


# --- models, matching, feedback ------------------------------------------------------------


class Embedding(Base):
    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("model_id", "text_hash"),)
    id: Mapped[intpk]
    model_id: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str64]
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("kind", "version"),)
    id: Mapped[intpk]
    kind: Mapped[str32]  # classifier | pair_scorer | encoder
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")  # candidate|active|retired
    params: Mapped[jsonb] = mapped_column(default=dict)
    metrics: Mapped[jsonb] = mapped_column(default=dict)
    artefact_path: Mapped[str | None] = mapped_column(String(500))
    checksum: Mapped[str | None] = mapped_column(String(64))
    data_hash: Mapped[str | None] = mapped_column(String(64))
    lib_versions: Mapped[jsonb] = mapped_column(default=dict)
    created_by: Mapped[str64]
    created_at: Mapped[created]
    promoted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class MatchRun(Base):
    __tablename__ = "match_runs"
    id: Mapped[intpk]
    created_at: Mapped[created]
    created_by: Mapped[str64]
    encoder: Mapped[str200]
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    params: Mapped[jsonb] = mapped_column(default=dict)
    scorer: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    """What scored the run (``ml.provenance.scorer_record``): model kind and version, encoder,
    stage-one depth; every shortlist renders it (``ml.provenance.describe_scorer``)."""
    direction: Mapped[str] = mapped_column(String(16), default="by_role", server_default="by_role")
    """``by_role`` (best resumes per role) or ``by_resume`` (best roles per resume)."""


class MatchScore(Base):
    __tablename__ = "match_scores"
    __table_args__ = (Index("ix_score_run_role", "run_id", "role_id", "rank"),)
    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[jsonb] = mapped_column(default=dict)


class Feedback(Base):
    """A recruiter's decision on a (resume, role) pair; never saved without a reviewer."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("import_key", name="uq_feedback_import_key"),
        # one decision per reviewer on a pair; a changed decision updates it (the audit log
        # keeps the history), two clicks at once store one row
        UniqueConstraint("resume_id", "role_id", "reviewer", name="uq_feedback_reviewer_pair"),
    )
    id: Mapped[intpk]
    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(8))  # advance | reject
    reviewer: Mapped[str64] = mapped_column(nullable=False)
    at: Mapped[created]
    note: Mapped[str | None] = mapped_column(Text)
    match_score_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_scores.id", ondelete="SET NULL")
    )
    used_in_model_version: Mapped[int | None] = mapped_column(Integer)
    # sha256 of (resume, role, decision, reviewer, note) for imported rows: importing a file
    # twice, or twice at once, stores each decision once; NULL for decisions made in the app
    import_key: Mapped[str | None] = mapped_column(String(64))


class BiasAudit(Base):
    __tablename__ = "bias_audits"
    id: Mapped[intpk]
    at: Mapped[created]
    actor: Mapped[str64]
    kind: Mapped[str32]  # selection | scoring
    source: Mapped[str] = mapped_column(String(200))  # data source described
    passed: Mapped[bool] = mapped_column(Boolean)
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    result: Mapped[jsonb] = mapped_column(default=dict)


# --- workforce planning --------------------------------------------------------------------


class Requisition(Base):
    """One line of the headcount plan: seats of a role at a location, to start by a date."""

    __tablename__ = "requisitions"
    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(80), unique=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    location: Mapped[str64]  # a key of data/reference/locations.yaml or free text
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2 of the location
    quarter: Mapped[str] = mapped_column(String(8))  # "2026Q2"
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    target_start: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|on_hold|filled|cancelled
    opened_at: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str32] = mapped_column(default="import")  # demo | import | dashboard
    created_at: Mapped[created]


class Offer(Base):
    """The pay of an offer made on an application (at most one offer per application)."""

    __tablename__ = "offers"
    id: Mapped[intpk]
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    level: Mapped[str | None] = mapped_column(String(32))
    base_pay: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    period: Mapped[str] = mapped_column(String(8))  # year | month | hour
    bonus: Mapped[float] = mapped_column(Float, default=0.0)  # yearly, in ``currency``


class PayBand(Base):
    """The company's own pay range for a role, level and location (yearly base pay)."""

    __tablename__ = "pay_bands"
    __table_args__ = (UniqueConstraint("role_id", "level", "location"),)
    id: Mapped[intpk]
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    level: Mapped[str32] = mapped_column(default="")  # "" = every level
    location: Mapped[str64]
    currency: Mapped[str] = mapped_column(String(3))
    minimum: Mapped[float] = mapped_column(Float)
    midpoint: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)


class PaySurveyRow(Base):
    """A market figure from a user-imported pay survey (markets OEWS does not cover)."""

    __tablename__ = "pay_survey_rows"
    __table_args__ = (UniqueConstraint("survey", "role_id", "level", "location"),)
    id: Mapped[intpk]
    survey: Mapped[str] = mapped_column(String(120))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    level: Mapped[str32] = mapped_column(default="")
    location: Mapped[str64]
    currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[str] = mapped_column(String(8), default="year")
    p25: Mapped[float | None] = mapped_column(Float)
    p50: Mapped[float] = mapped_column(Float)
    p75: Mapped[float | None] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)


class FxRate(Base):
    """Units of ``currency`` per one US dollar."""

    __tablename__ = "fx_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    per_usd: Mapped[float] = mapped_column(Float)
    as_of: Mapped[dt.date | None] = mapped_column(Date)


class MobilityCost(Base):
    """Visa and relocation cost and lead time of a hire from a source country."""

    __tablename__ = "mobility_costs"
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    visa_cost: Mapped[float] = mapped_column(Float, default=0.0)
    relocation_cost: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)


class ChannelCost(Base):
    """What a source channel costs per hire (agency fee, ads, events, referral bonus)."""

    __tablename__ = "channel_costs"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    cost_per_hire: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")


class KpiTarget(Base):
    """A user-set target for one KPI of the metric layer (``data.queries.metrics``)."""

    __tablename__ = "kpi_targets"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # a metric key
    value: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str64]
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)
