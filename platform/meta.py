"""The platform's own tables (managed by Alembic in migrations/)."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime

platform_metadata = sa.MetaData()

users = sa.Table(
    "jimu_user",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(150), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("email", sa.String(320)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.true()),
    sa.Column("is_superuser", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
    sa.Column("locale", sa.String(10)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

apps = sa.Table(
    "jimu_app",
    platform_metadata,
    sa.Column("key", sa.String(48), primary_key=True),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # the number of the latest definition version
    sa.Column("definition", JsonType, nullable=False),
    sa.Column("installed_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

definition_versions = sa.Table(
    "jimu_definition_version",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(48), nullable=False, index=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("definition", JsonType, nullable=False),
    sa.Column("diff", JsonType, nullable=False),
    sa.Column("applied_at", UTCDateTime(), nullable=False),
    sa.Column("applied_by", IdType, sa.ForeignKey("jimu_user.id"), nullable=True),
    sa.UniqueConstraint("app_key", "revision", name="uq_jimu_definition_version"),
)

# Columns of removed fields: the data stays in the table, recoverable by re-adding the field key.
archived_columns = sa.Table(
    "jimu_archived_column",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("field_key", sa.String(48), nullable=False),
    sa.Column("column_name", sa.String(63), nullable=False),
    sa.Column("field", JsonType, nullable=False),
    sa.Column("archived_at", UTCDateTime(), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.UniqueConstraint("entity", "column_name", name="uq_jimu_archived_column"),
)

# Gap-free counters: one row per series and period (e.g. "sales_order.number:SO-2026-").
number_series = sa.Table(
    "jimu_number_series",
    platform_metadata,
    sa.Column("series", sa.String(200), primary_key=True),
    sa.Column("last_value", sa.BigInteger, nullable=False),
)

audit_log = sa.Table(
    "jimu_audit",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # create, update, delete, restore, import
    sa.Column("user_id", sa.BigInteger, nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("changes", JsonType, nullable=False),  # [{"field", "old", "new"}] (lines: {"field", "row", ...})
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index("ix_jimu_audit_record", "entity", "record_id", "id"),
)

# The draft of an app a designer is editing (one per app): saved as they go, published through the apply path.
# `version` grows with every save; a save naming another version is refused (two designers never overwrite each other).
app_drafts = sa.Table(
    "jimu_app_draft",
    platform_metadata,
    sa.Column("app_key", sa.String(48), primary_key=True),
    sa.Column("definition", JsonType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("base_revision", sa.Integer, nullable=False),  # the installed revision the draft started from
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("updated_by", IdType, sa.ForeignKey("jimu_user.id"), nullable=True),
)
