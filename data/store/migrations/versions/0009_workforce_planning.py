"""workforce planning: requisitions (applications link to them), offers with pay, pay bands,
pay surveys, FX rates, mobility and channel costs, and a SOC override on roles

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-06 22:57:10.076440
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_costs",
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("cost_per_hire", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )
    op.create_table(
        "fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("per_usd", sa.Float(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("currency"),
    )
    op.create_table(
        "mobility_costs",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("visa_cost", sa.Float(), nullable=False),
        sa.Column("relocation_cost", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("country"),
    )
    op.create_table(
        "pay_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("midpoint", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role_id", "level", "location"),
    )
    op.create_table(
        "pay_survey_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey", sa.String(length=120), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("p25", sa.Float(), nullable=True),
        sa.Column("p50", sa.Float(), nullable=False),
        sa.Column("p75", sa.Float(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey", "role_id", "level", "location"),
    )
    op.create_table(
        "requisitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("quarter", sa.String(length=8), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("target_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisitions_role_id"), ["role_id"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("base_pay", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("bonus", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requisition_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_applications_requisition_id"), ["requisition_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_applications_requisition_id",
            "requisitions",
            ["requisition_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("soc_code", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_column("soc_code")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_applications_requisition_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_applications_requisition_id"))
        batch_op.drop_column("requisition_id")

    op.drop_table("offers")
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requisitions_role_id"))

    op.drop_table("requisitions")
    op.drop_table("pay_survey_rows")
    op.drop_table("pay_bands")
    op.drop_table("mobility_costs")
    op.drop_table("fx_rates")
    op.drop_table("channel_costs")
