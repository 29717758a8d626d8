"""Durable jobs and their cron schedules.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_job",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("run_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("lease_token", sa.String(32), nullable=True),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("worker", sa.String(100), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_jimu_job_due", "jimu_job", ["due_at", "id"], sqlite_where=sa.text("due_at IS NOT NULL"),
                    postgresql_where=sa.text("due_at IS NOT NULL"))
    op.create_index("ix_jimu_job_state", "jimu_job", ["state", "id"])
    op.create_table(
        "jimu_job_schedule",
        sa.Column("key", sa.String(150), primary_key=True),
        sa.Column("cron", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("next_run_at", UTC, nullable=False),
        sa.Column("last_run_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_jimu_job_schedule_next", "jimu_job_schedule", ["next_run_at"])


def downgrade() -> None:
    op.drop_index("ix_jimu_job_schedule_next", table_name="jimu_job_schedule")
    op.drop_table("jimu_job_schedule")
    op.drop_index("ix_jimu_job_state", table_name="jimu_job")
    op.drop_index("ix_jimu_job_due", table_name="jimu_job")
    op.drop_table("jimu_job")
