"""Public forms: their links (token, secret, switch, actor) and submission attempts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_public_form",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("app", sa.String(48), nullable=False),
        sa.Column("form_key", sa.String(48), nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("actor_id", sa.BigInteger, sa.ForeignKey("jimu_user.id"), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("rotated_at", UTC, nullable=False),
        sa.UniqueConstraint("app", "form_key", name="uq_jimu_public_form_key"),
    )
    op.create_table(
        "jimu_public_form_attempt",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("form_id", sa.BigInteger, sa.ForeignKey("jimu_public_form.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
    )
    op.create_index("ix_jimu_public_form_attempt_form", "jimu_public_form_attempt", ["form_id", "at"])
    op.create_index("ix_jimu_public_form_attempt_ip", "jimu_public_form_attempt", ["form_id", "ip", "at"])


def downgrade() -> None:
    op.drop_table("jimu_public_form_attempt")
    op.drop_table("jimu_public_form")
