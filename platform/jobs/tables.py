"""The platform tables of durable jobs and their cron schedules (migration 0010)."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime

# States of a job; `due_at` is when a worker may claim it next: queued/failed at their run time,
# running at the end of their lease (a crashed worker's job becomes claimable again), done/dead never.
QUEUED, RUNNING, DONE, FAILED, DEAD = "queued", "running", "done", "failed", "dead"
STATES = (QUEUED, RUNNING, DONE, FAILED, DEAD)

jobs = sa.Table(
    "jimu_job",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("payload", JsonType, nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("run_at", UTCDateTime(), nullable=False),  # when it was asked to run (first attempt)
    sa.Column("due_at", UTCDateTime(), nullable=True),  # when it may be claimed next (None: done or dead)
    sa.Column("attempts", sa.Integer, nullable=False),  # claims so far (a crashed attempt counts)
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
    sa.Column("lease_token", sa.String(32), nullable=True),  # the current claim's (None when not running)
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("worker", sa.String(100), nullable=True),  # who claimed it last
    sa.Column("result", JsonType, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    # The claim query: due jobs by due time (done and dead jobs are not in the index).
    sa.Index("ix_jimu_job_due", "due_at", "id", sqlite_where=sa.text("due_at IS NOT NULL"),
             postgresql_where=sa.text("due_at IS NOT NULL")),
    sa.Index("ix_jimu_job_state", "state", "id"),
)

schedules = sa.Table(
    "jimu_job_schedule",
    platform_metadata,
    sa.Column("key", sa.String(150), primary_key=True),
    sa.Column("cron", sa.String(100), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),  # the cron's wall clock (the company's)
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("payload", JsonType, nullable=False),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("next_run_at", UTCDateTime(), nullable=False),  # the next occurrence, in UTC
    sa.Column("last_run_at", UTCDateTime(), nullable=True),  # the last occurrence enqueued
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_jimu_job_schedule_next", "next_run_at"),
)
