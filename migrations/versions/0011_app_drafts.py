"""Drafts of apps edited in the designer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_app_draft",
        sa.Column("app_key", sa.String(48), primary_key=True),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("base_revision", sa.Integer, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", ID, sa.ForeignKey("jimu_user.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("jimu_app_draft")
