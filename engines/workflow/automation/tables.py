"""The automation tables (Alembic revision 0007_automation): the history of rule runs and the clocks of the
time-based rules."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

# One row per rule run: what triggered it, on which record, each step's input and output, the error.
# status: queued → running → ok | failed | skipped (the condition did not hold). `occurrence_key` makes a
# time-based occurrence (rule + record + moment) or a queued event run happen once.
rule_runs = sa.Table(
    "jimu_wf_rule_run",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("rule", sa.String(48), nullable=False),
    sa.Column("app", sa.String(48), nullable=False),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=True),
    sa.Column("trigger", sa.String(32), nullable=False),
    sa.Column("event", sa.JSON, nullable=False),  # what fired it: changed fields, state, occurrence...
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),  # each step: path, type, key, input, output, status, error
    sa.Column("error", sa.JSON, nullable=True),  # code, message, details
    sa.Column("occurrence_key", sa.String(200), nullable=True, unique=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("user_id", sa.BigInteger, nullable=True),  # whose write triggered it (None: a schedule)
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_jimu_wf_rule_run_rule", "rule", "id"),
    sa.Index("ix_jimu_wf_rule_run_status", "status", "id"),
)

# How far each time-based rule has been looked at: occurrences in (checked_until, now] are due next.
rule_clocks = sa.Table(
    "jimu_wf_rule_clock",
    platform_metadata,
    sa.Column("rule", sa.String(48), primary_key=True),
    sa.Column("app", sa.String(48), nullable=False),
    sa.Column("signature", sa.String(400), nullable=False),  # the trigger it was computed for
    sa.Column("checked_until", UTCDateTime(), nullable=False),
)
