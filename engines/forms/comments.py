"""Comments on a record: lines of its timeline (the audit trail) beside field changes and transitions."""
from __future__ import annotations

from typing import Any

from jimu.platform.audit import AuditEntry, audit_entries
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

from .mentions import MAX_MENTIONS, notify_mentions
from .reading import fetch_record
from .writing import not_found

COMMENT_ACTION = "comment"
MAX_COMMENT = 4000


def add_comment(ctx: Context, entity_key: str, record_id: int, text: Any, mentions: Any = None) -> dict[str, Any]:
    """Add a comment by the current user to a record they may read; the timeline entry written.
    `mentions`: ids of the users it @mentions (told in their inbox, see mentions.py)."""
    entity = ctx.catalog.require_entity(entity_key)
    ctx.access.require(entity_key, "read")
    condition = ctx.access.row_condition(entity_key, ctx.tables[entity_key], "read")
    record = fetch_record(ctx, entity, record_id, condition=condition)
    if record is None:
        raise not_found(ctx, entity, record_id)
    wanted = _mention_ids(ctx, mentions)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_COMMENT:
        code = "records.comment_invalid"
        message = translate(code, ctx.locale, limit=MAX_COMMENT)
        raise ValidationError(message, code=code, limit=MAX_COMMENT,
                              details=[ErrorDetail("text", code, {"limit": MAX_COMMENT}, message)])
    change: dict[str, Any] = {"field": "_comment", "text": text.strip()}
    now = ctx.now()
    title_field = ctx.catalog.title_field(entity)
    title = record.get(title_field) if title_field else None
    notified = notify_mentions(ctx, entity, record_id, change["text"], wanted, None if title is None else str(title))
    if notified:
        change["mentions"] = notified
    audit_entries(ctx, [AuditEntry(entity_key, record_id, COMMENT_ACTION, None, [change])], at=now)
    return {"action": COMMENT_ACTION, "user_id": ctx.user_id, "at": now, "changes": [change]}


def _mention_ids(ctx: Context, mentions: Any) -> list[int]:
    if mentions is None:
        return []
    if (not isinstance(mentions, list) or len(mentions) > MAX_MENTIONS
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in mentions)):
        code = "records.mentions_invalid"
        message = translate(code, ctx.locale, limit=MAX_MENTIONS)
        raise ValidationError(message, code=code, limit=MAX_MENTIONS,
                              details=[ErrorDetail("mentions", code, {"limit": MAX_MENTIONS}, message)])
    return list(mentions)
