"""Notification channels (configurations with their credentials) and the in-app inbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_channel",
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_table(
        "jimu_notification",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("entity", sa.String(48), nullable=True),
        sa.Column("record_id", sa.BigInteger, nullable=True),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("read_at", UTC, nullable=True),
    )
    op.create_index("ix_jimu_notification_inbox", "jimu_notification", ["user_id", "id"])
    op.create_index("ix_jimu_notification_unread", "jimu_notification", ["user_id", "read_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_notification_unread", table_name="jimu_notification")
    op.drop_index("ix_jimu_notification_inbox", table_name="jimu_notification")
    op.drop_table("jimu_notification")
    op.drop_table("jimu_channel")
