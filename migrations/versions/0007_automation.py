"""Automation rules: the history of rule runs and the clocks of time-based rules.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_wf_rule_run",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(48), nullable=False),
        sa.Column("app", sa.String(48), nullable=False),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=True),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("occurrence_key", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("user_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.UniqueConstraint("occurrence_key"),
    )
    op.create_index("ix_jimu_wf_rule_run_rule", "jimu_wf_rule_run", ["rule", "id"])
    op.create_index("ix_jimu_wf_rule_run_status", "jimu_wf_rule_run", ["status", "id"])
    op.create_table(
        "jimu_wf_rule_clock",
        sa.Column("rule", sa.String(48), primary_key=True),
        sa.Column("app", sa.String(48), nullable=False),
        sa.Column("signature", sa.String(400), nullable=False),
        sa.Column("checked_until", UTC, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("jimu_wf_rule_clock")
    op.drop_index("ix_jimu_wf_rule_run_status", table_name="jimu_wf_rule_run")
    op.drop_index("ix_jimu_wf_rule_run_rule", table_name="jimu_wf_rule_run")
    op.drop_table("jimu_wf_rule_run")
