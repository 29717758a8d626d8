"""Approvals of workflow transitions: one row per approval, one task per approver and level.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_wf_approval",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("process", sa.String(48), nullable=False),
        sa.Column("transition", sa.String(48), nullable=False),
        sa.Column("from_state", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pending_key", sa.String(120), nullable=True),
        sa.Column("level", sa.Integer, nullable=True),
        sa.Column("level_key", sa.String(48), nullable=True),
        sa.Column("level_started_at", UTC, nullable=True),
        sa.Column("reminded_at", UTC, nullable=True),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.Column("submitted_by", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.UniqueConstraint("pending_key"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_jimu_wf_approval_record", "jimu_wf_approval", ["entity", "record_id"])
    op.create_index("ix_jimu_wf_approval_status", "jimu_wf_approval", ["status", "level_started_at"])
    op.create_table(
        "jimu_wf_approval_task",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("approval_id", ID, sa.ForeignKey("jimu_wf_approval.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("level_key", sa.String(48), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("delegated_from", sa.BigInteger, nullable=True),
        sa.Column("added_by", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
    )
    op.create_index("ix_jimu_wf_approval_task_inbox", "jimu_wf_approval_task", ["user_id", "status", "id"])
    op.create_index("ix_jimu_wf_approval_task_approval", "jimu_wf_approval_task", ["approval_id", "level"])


def downgrade() -> None:
    op.drop_table("jimu_wf_approval_task")
    op.drop_table("jimu_wf_approval")
