"""Stored files of attachment fields (the bytes are in the file store).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_file",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("field", sa.String(48), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=True),
        sa.Column("uploaded_by", sa.BigInteger, nullable=True),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_jimu_file_record", "jimu_file", ["entity", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_file_record", table_name="jimu_file")
    op.drop_table("jimu_file")
