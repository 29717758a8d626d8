"""The workflow engine's tables: records in a process, transition runs, created-from links.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_wf_instance",
        sa.Column("entity", sa.String(48), primary_key=True),
        sa.Column("record_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("process", sa.String(48), nullable=False),
        sa.Column("app", sa.String(48), nullable=False),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.Column("entered_at", UTC, nullable=False),
    )
    op.create_table(
        "jimu_wf_run",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("transition", sa.String(48), nullable=False),
        sa.Column("from_state", sa.String(100), nullable=True),
        sa.Column("to_state", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("user_id", sa.BigInteger, nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_jimu_wf_run_record", "jimu_wf_run", ["entity", "record_id", "id"])
    op.create_table(
        "jimu_wf_link",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("source_entity", sa.String(48), nullable=False),
        sa.Column("source_id", sa.BigInteger, nullable=False),
        sa.Column("target_entity", sa.String(48), nullable=False),
        sa.Column("target_id", sa.BigInteger, nullable=False),
        sa.Column("action_key", sa.String(200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("action_key"),
    )
    op.create_index("ix_jimu_wf_link_source", "jimu_wf_link", ["source_entity", "source_id"])
    op.create_index("ix_jimu_wf_link_target", "jimu_wf_link", ["target_entity", "target_id"])


def downgrade() -> None:
    op.drop_table("jimu_wf_link")
    op.drop_table("jimu_wf_run")
    op.drop_table("jimu_wf_instance")
