"""The platform tables of notifications (migration 0006): channel configurations and the in-app inbox.

Channel configurations hold credentials (SMTP passwords, robot secrets, webhook keys): they belong to the
installation, never to an app definition (definitions are exported as packages), and are shown masked.
"""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime

channels = sa.Table(
    "jimu_channel",
    platform_metadata,
    sa.Column("key", sa.String(48), primary_key=True),  # what definitions name (`"channel": "sales_robot"`)
    sa.Column("type", sa.String(20), nullable=False),  # a CHANNEL_TYPES name: email, dingtalk, ...
    sa.Column("config", JsonType, nullable=False),  # checked by the type's JSON Schema
    sa.Column("enabled", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.true()),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

# One row per recipient of an in-app message; only its recipient reads it.
notifications = sa.Table(
    "jimu_notification",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("user_id", IdType, sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("format", sa.String(10), nullable=False),  # text | markdown | html
    sa.Column("entity", sa.String(48), nullable=True),  # the record it is about, when there is one
    sa.Column("record_id", sa.BigInteger, nullable=True),
    sa.Column("url", sa.String(2000), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("read_at", UTCDateTime(), nullable=True),
    sa.Index("ix_jimu_notification_inbox", "user_id", "id"),
    sa.Index("ix_jimu_notification_unread", "user_id", "read_at", "id"),
)
