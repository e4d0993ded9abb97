"""Decisions: one per reviewer, resume and role

Revision ID: 0010
Revises: 0002
Create Date: 2026-12-07 00:55:00

Before this, every click on Advance stored another row. Upgrade keeps each reviewer's latest
decision on a pair (the one that was in force) and drops the older copies, then adds the unique
key that makes two clicks at once store one decision. The audit log still holds every decision
ever made, so no history is lost. Downgrade only drops the key.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM feedback WHERE id NOT IN ("
        " SELECT keep FROM (SELECT MAX(id) AS keep FROM feedback"
        " GROUP BY resume_id, role_id, reviewer) AS latest)"
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_feedback_reviewer_pair", ["resume_id", "role_id", "reviewer"]
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint("uq_feedback_reviewer_pair", type_="unique")
