"""The approval tables (Alembic revisions 0008_approvals, 0009_approval_timers): one row per approval of a
transition, one task per approver and level."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

PENDING, APPROVED, REJECTED, RECALLED = "pending", "approved", "rejected", "recalled"
WITHDRAWN = "withdrawn"  # closed by a transition that withdraws a pending approval (cancel while waiting)
# task states beside pending/approved/rejected: handed on to someone else, or closed without a decision
DELEGATED, ESCALATED, CLOSED = "delegated", "escalated", "closed"
# why a task exists
APPROVER, SIGNER, DELEGATE, ESCALATION = "approver", "signer", "delegate", "escalation"

# An approval of a transition on a record. `pending_key` ("entity:id" while pending, NULL after) is unique:
# a record has at most one pending approval, even when two users start one at the same moment.
approvals = sa.Table(
    "jimu_wf_approval",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("record_id", sa.BigInteger, nullable=False),
    sa.Column("process", sa.String(48), nullable=False),
    sa.Column("transition", sa.String(48), nullable=False),
    sa.Column("from_state", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("pending_key", sa.String(120), nullable=True, unique=True),
    sa.Column("level", sa.Integer, nullable=True),  # index of the current level in the definition
    sa.Column("level_key", sa.String(48), nullable=True),
    sa.Column("level_started_at", UTCDateTime(), nullable=True),
    sa.Column("reminded_at", UTCDateTime(), nullable=True),  # of the current level
    sa.Column("escalated_at", UTCDateTime(), nullable=True),  # of the current level
    sa.Column("next_timer_at", UTCDateTime(), nullable=True),  # the current level's next reminder/escalation
    sa.Column("submitted_by", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Index("ix_jimu_wf_approval_record", "entity", "record_id"),
    sa.Index("ix_jimu_wf_approval_status", "status", "level_started_at"),
    sa.Index("ix_jimu_wf_approval_timer", "status", "next_timer_at"),  # migration 0009
)

# One approver's part in a level: pending until decided, delegated, escalated or closed.
approval_tasks = sa.Table(
    "jimu_wf_approval_task",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("approval_id", IdType, sa.ForeignKey("jimu_wf_approval.id", ondelete="CASCADE"), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("level_key", sa.String(48), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("delegated_from", sa.BigInteger, nullable=True),  # the task this one took over
    sa.Column("added_by", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Index("ix_jimu_wf_approval_task_inbox", "user_id", "status", "id"),
    sa.Index("ix_jimu_wf_approval_task_approval", "approval_id", "level"),
)
