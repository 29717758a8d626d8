"""The forms engine's table of personal saved list views (migration 0012); shared views live in app definitions."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime

# One row per view a user saved for themself: the view's definition (columns, filter, sort, q) by a stable key.
personal_views = sa.Table(
    "jimu_list_view",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("user_id", IdType, sa.ForeignKey("jimu_user.id", ondelete="CASCADE"), nullable=False),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("key", sa.String(48), nullable=False),
    sa.Column("definition", JsonType, nullable=False),  # checked by views.schema.json's `view`
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("user_id", "entity", "key", name="uq_jimu_list_view_key"),
)
