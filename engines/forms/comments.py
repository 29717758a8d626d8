"""Comments on a record: lines of its timeline (the audit trail) beside field changes and transitions."""
from __future__ import annotations

from typing import Any

from jimu.platform.audit import AuditEntry, audit_entries
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

from .reading import fetch_record
from .writing import not_found

COMMENT_ACTION = "comment"
MAX_COMMENT = 4000


def add_comment(ctx: Context, entity_key: str, record_id: int, text: Any) -> dict[str, Any]:
    """Add a comment by the current user to a record they may read; the timeline entry written."""
    entity = ctx.catalog.require_entity(entity_key)
    ctx.access.require(entity_key, "read")
    condition = ctx.access.row_condition(entity_key, ctx.tables[entity_key], "read")
    if fetch_record(ctx, entity, record_id, condition=condition) is None:
        raise not_found(ctx, entity, record_id)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_COMMENT:
        code = "records.comment_invalid"
        message = translate(code, ctx.locale, limit=MAX_COMMENT)
        raise ValidationError(message, code=code, limit=MAX_COMMENT,
                              details=[ErrorDetail("text", code, {"limit": MAX_COMMENT}, message)])
    change = {"field": "_comment", "text": text.strip()}
    now = ctx.now()
    audit_entries(ctx, [AuditEntry(entity_key, record_id, COMMENT_ACTION, None, [change])], at=now)
    return {"action": COMMENT_ACTION, "user_id": ctx.user_id, "at": now, "changes": [change]}
