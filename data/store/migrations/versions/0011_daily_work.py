"""Users can be disabled (and enabled again); notes on candidates; kept dashboard sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:55:00

``users.disabled``: a disabled user keeps their password hash and CLI token hash, so enabling
them again restores access without a new password; while disabled neither is accepted. Users
disabled before this revision had their password and token cleared; they stay as they are
(not flagged), and an admin gives them a new password as before. Downgrade clears the
password and token of the users disabled by then, so they stay locked out.

``candidate_notes``: what recruiters write about a candidate (author, time, text); deleted with
the candidate (``erase``) and by anonymisation. Downgrade drops the table and the notes.

``user_sessions``: a dashboard sign-in kept across reloads (sha256 of a random id, expiry,
revocation). Downgrade drops it, which signs every kept session out.
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
    op.create_table(
        "candidate_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("candidate_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_candidate_notes_candidate_id"), ["candidate_id"], unique=False
        )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_name"), ["user_name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_name"))
    op.drop_table("user_sessions")
    with op.batch_alter_table("candidate_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_notes_candidate_id"))
    op.drop_table("candidate_notes")
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
