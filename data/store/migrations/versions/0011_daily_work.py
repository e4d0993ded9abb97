"""Users can be disabled (and enabled again)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:55:00

``users.disabled``: a disabled user keeps their password hash and CLI token hash, so enabling
them again restores access without a new password; while disabled neither is accepted. Users
disabled before this revision had their password and token cleared; they stay as they are
(not flagged), and an admin gives them a new password as before. Downgrade clears the
password and token of the users disabled by then, so they stay locked out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    # before 0011 a disabled user was one without password and token: keep them locked out
    users = sa.table(
        "users",
        sa.column("password_hash", sa.String),
        sa.column("token_hash", sa.String),
        sa.column("disabled", sa.Boolean),
    )
    op.execute(
        users.update().where(users.c.disabled.is_(True)).values(password_hash=None, token_hash=None)
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled")
