"""Approvals of transitions: levels in sequence (each with a condition), approvers by role, user field or
department manager, completion modes (all / any / n_of_m / veto), and SLA timers (remind, escalate).

    transitions.run(ctx, "claim", 7, "submit")        # a transition with an `approval` starts it
    decisions.approve(ctx, task_id, comment="ok")     # the last level approved moves the record
    decisions.reject(ctx, task_id, comment="no receipt")
    decisions.delegate(ctx, task_id, to_user=12); decisions.add_signer(ctx, task_id, 13)
    decisions.recall(ctx, approval_id)                # the submitter, while pending
    views.inbox(ctx, limit=50)                        # the caller's pending tasks
    timers.fire_due_timers(ctx, now)                  # reminders and escalations due at `now`

Importing this package does not import the runtime (transitions imports it lazily: no import cycle).
"""
from __future__ import annotations

from .views import pending_summary

__all__ = ["pending_summary"]
