"""The platform table of stored files (migration 0004); the bytes are in the file store."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

files = sa.Table(
    "jimu_file",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),  # the store's key (generated)
    sa.Column("name", sa.String(255), nullable=False),  # the original name, sanitised (metadata only)
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),  # sniffed from the bytes
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("field", sa.String(48), nullable=False),  # the attachment field's stable key
    sa.Column("record_id", sa.BigInteger, nullable=True),  # None until a record's write attaches it
    sa.Column("uploaded_by", sa.BigInteger, nullable=True),
    sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    sa.Index("ix_jimu_file_record", "entity", "record_id"),
)
