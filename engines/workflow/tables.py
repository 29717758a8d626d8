"""The workflow engine's own tables (Alembic revision 0005_workflow): records in a process, transition runs,
the documents created from a record."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

# A record in a process: the definitions stamp it entered with (its process version stays that one).
instances = sa.Table(
    "jimu_wf_instance",
    platform_metadata,
    sa.Column("entity", sa.String(48), primary_key=True),
    sa.Column("record_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("process", sa.String(48), nullable=False),
    sa.Column("app", sa.String(48), nullable=False),
    sa.Column("stamp", sa.BigInteger, nullable=False),  # definitions stamp when the record entered
    sa.Column("entered_at", UTCDateTime(), nullable=False),
)

# Each transition run: its idempotency key makes a retry or double click return the first run's result.
runs = sa.Table(
    "jimu_wf_run",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("transition", sa.String(48), nullable=False),
    sa.Column("from_state", sa.String(100), nullable=True),
    sa.Column("to_state", sa.String(100), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
    sa.Column("user_id", sa.BigInteger, nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Index("ix_jimu_wf_run_record", "entity", "record_id", "id"),
)

# Records created from another by an action (delivery from order, invoice from delivery): the source's
# cancel is refused while a created record is still submitted; an action's key makes creation happen once.
created_links = sa.Table(
    "jimu_wf_link",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("source_entity", sa.String(48), nullable=False),
    sa.Column("source_id", sa.BigInteger, nullable=False),
    sa.Column("target_entity", sa.String(48), nullable=False),
    sa.Column("target_id", sa.BigInteger, nullable=False),
    sa.Column("action_key", sa.String(200), nullable=False, unique=True),  # idempotency key of the creation
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_jimu_wf_link_source", "source_entity", "source_id"),
    sa.Index("ix_jimu_wf_link_target", "target_entity", "target_id"),
)
