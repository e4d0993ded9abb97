"""The sample a model's bias audit scores: stored resumes of candidates who applied to a role.

The promotion gate audits what a model actually does. A role classifier or a pair scorer has
no match run of its own, so it is scored on this sample: each resume whose candidate has an
application, with the role of that candidate's first application and its family. Nothing here
reads ``candidate_demographics``: the audit looks demographics up separately, by resume id,
after the model has scored (no model input ever carries them).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.models import Application, Resume, Role

SAMPLE_COLUMNS = ["resume_id", "role_id", "family"]


def applied_resumes(session: Session, *, limit: int | None = 2000) -> pd.DataFrame:
    """``resume_id, role_id, family`` for resumes whose candidate applied to a role.

    The role is that of the candidate's first application (lowest id). With more than
    ``limit`` resumes, an evenly spaced, deterministic subset of them (by resume id) is kept.
    """
    first_app = (
        select(Application.candidate_id, func.min(Application.id).label("app_id"))
        .group_by(Application.candidate_id)
        .subquery()
    )
    stmt = (
        select(Resume.id, Application.role_id, Role.family)
        .select_from(Resume)
        .join(first_app, first_app.c.candidate_id == Resume.candidate_id)
        .join(Application, Application.id == first_app.c.app_id)
        .join(Role, Role.id == Application.role_id)
        .order_by(Resume.id)
    )
    rows = [tuple(r) for r in session.execute(stmt).all()]
    if limit is not None and len(rows) > limit:
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    frame = pd.DataFrame(rows, columns=SAMPLE_COLUMNS)
    return frame.astype({"resume_id": "int64", "role_id": "int64", "family": "object"})
