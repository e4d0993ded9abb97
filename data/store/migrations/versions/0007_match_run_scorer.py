"""match runs say what scored them: a ``scorer`` description and the run's direction

Revision ID: 0007
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scorer", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("direction", sa.String(length=16), nullable=False, server_default="by_role")
        )


def downgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_column("direction")
        batch_op.drop_column("scorer")
