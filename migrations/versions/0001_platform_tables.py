"""Platform tables: users, apps, definition versions, archived columns, number series, audit.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jimu_user",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(150), nullable=False),
        sa.Column("display_name", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.true()),
        sa.Column("is_superuser", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
        sa.Column("locale", sa.String(10)),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "jimu_app",
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("installed_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_table(
        "jimu_definition_version",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("app_key", sa.String(48), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("diff", JSON, nullable=False),
        sa.Column("applied_at", UTC, nullable=False),
        sa.Column("applied_by", ID, sa.ForeignKey("jimu_user.id"), nullable=True),
        sa.UniqueConstraint("app_key", "revision", name="uq_jimu_definition_version"),
    )
    op.create_index("ix_jimu_definition_version_app_key", "jimu_definition_version", ["app_key"])
    op.create_table(
        "jimu_archived_column",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("field_key", sa.String(48), nullable=False),
        sa.Column("column_name", sa.String(63), nullable=False),
        sa.Column("field", JSON, nullable=False),
        sa.Column("archived_at", UTC, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.UniqueConstraint("entity", "column_name", name="uq_jimu_archived_column"),
    )
    op.create_table(
        "jimu_number_series",
        sa.Column("series", sa.String(200), primary_key=True),
        sa.Column("last_value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "jimu_audit",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_jimu_audit_record", "jimu_audit", ["entity", "record_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_jimu_audit_record", table_name="jimu_audit")
    op.drop_table("jimu_audit")
    op.drop_table("jimu_number_series")
    op.drop_table("jimu_archived_column")
    op.drop_index("ix_jimu_definition_version_app_key", table_name="jimu_definition_version")
    op.drop_table("jimu_definition_version")
    op.drop_table("jimu_app")
    op.drop_table("jimu_user")
