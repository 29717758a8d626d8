"""Personal saved list views (the forms engine's; shared views are part of app definitions).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "jimu_list_view",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.UniqueConstraint("user_id", "entity", "key", name="uq_jimu_list_view_key"),
    )


def downgrade() -> None:
    op.drop_table("jimu_list_view")
