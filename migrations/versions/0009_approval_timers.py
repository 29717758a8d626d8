"""Approval SLA timers: each pending approval's next reminder or escalation, indexed for the sweep.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("jimu_wf_approval", sa.Column("next_timer_at", UTC, nullable=True))
    op.create_index("ix_jimu_wf_approval_timer", "jimu_wf_approval", ["status", "next_timer_at"])


def downgrade() -> None:
    op.drop_index("ix_jimu_wf_approval_timer", "jimu_wf_approval")
    with op.batch_alter_table("jimu_wf_approval") as batch:
        batch.drop_column("next_timer_at")
