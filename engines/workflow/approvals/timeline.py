"""Every approval step in the record's timeline (the audit trail, action "approval") and in the run's effects."""
from __future__ import annotations

from typing import Any

from jimu.platform.audit import AuditEntry, audit_entries
from jimu.platform.context import Context

TIMELINE_ACTION = "approval"
STARTED, LEVEL_OPENED, APPROVED, REJECTED, DELEGATED = "started", "level_opened", "approved", "rejected", "delegated"
SIGNER_ADDED, RECALLED, REMINDED, ESCALATED, COMPLETED = "signer_added", "recalled", "reminded", "escalated", \
    "completed"
WITHDRAWN = "withdrawn"


def note(ctx: Context, entity: str, record_id: int, approval_id: int, event: str, effects: list[dict[str, Any]],
         **data: Any) -> None:
    """One line in the record's timeline, written by the caller (the system for timers), and one effect."""
    change = {"field": "_approval", "event": event, "approval": approval_id, **data}
    audit_entries(ctx, [AuditEntry(entity, record_id, TIMELINE_ACTION, None, [change])])
    effects.append({"kind": f"approval.{event}", "entity": entity, "id": record_id, "approval": approval_id, **data})
