"""The in-app inbox: messages written for users, each read only by its recipient.

    ids = deliver(conn, Message("Order SO-1 approved", "...", users=(7, 8)), now=now)
    page = list_notifications(conn, user_id=7, unread_only=True, limit=20)   # newest first
    mark_read(conn, user_id=7, notification_id=ids[0], now=now)
    mark_all_read(conn, user_id=7, now=now)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.meta import users
from jimu.platform.notifications.errors import MessageInvalid, NotificationNotFound
from jimu.platform.notifications.message import Message
from jimu.platform.notifications.tables import notifications

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
MAX_TITLE = 500


@dataclass(frozen=True)
class InboxPage:
    data: list[dict[str, Any]]
    next_cursor: str | None
    unread: int

    def as_dict(self) -> dict[str, Any]:
        return {"data": self.data, "next_cursor": self.next_cursor, "has_more": self.next_cursor is not None,
                "unread": self.unread}


def deliver(conn: sa.Connection, message: Message, *, now: datetime) -> list[int]:
    """One inbox row per recipient (MessageInvalid naming unknown users); their ids, in `users` order."""
    wanted = list(dict.fromkeys(message.users))
    known = set(conn.scalars(sa.select(users.c.id).where(users.c.id.in_(wanted))))
    unknown = [user for user in wanted if user not in known]
    if unknown:
        raise MessageInvalid("Unknown recipients.", details=[
            ErrorDetail("/users", "notifications.unknown_users", {"users": unknown})])
    link = message.link
    rows = [{"user_id": user, "title": message.subject[:MAX_TITLE], "body": message.body, "format": message.format,
             "entity": link.entity if link else None, "record_id": link.record_id if link else None,
             "url": message.url, "created_at": now} for user in wanted]
    return [int(conn.execute(sa.insert(notifications).values(row).returning(notifications.c.id)).scalar_one())
            for row in rows]


def _view(row: Any) -> dict[str, Any]:
    link = {"entity": row.entity, "record_id": row.record_id} if row.entity else None
    return {"id": row.id, "title": row.title, "body": row.body, "format": row.format, "link": link, "url": row.url,
            "created_at": row.created_at.isoformat(), "read_at": row.read_at.isoformat() if row.read_at else None}


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise ValidationError("Invalid cursor.", code="notifications.cursor_invalid",
                              details=[ErrorDetail("cursor", "notifications.cursor_invalid")])
    return int(cursor)


def list_notifications(conn: sa.Connection, *, user_id: int, unread_only: bool = False, cursor: str | None = None,
                       limit: int = DEFAULT_LIMIT) -> InboxPage:
    """A page of the user's own messages, newest first, with the number still unread."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("Invalid page size.", code="notifications.limit_invalid", max=MAX_LIMIT,
                              details=[ErrorDetail("limit", "notifications.limit_invalid", {"max": MAX_LIMIT})])
    query = sa.select(notifications).where(notifications.c.user_id == user_id)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    before = _cursor(cursor)
    if before is not None:
        query = query.where(notifications.c.id < before)
    rows = conn.execute(query.order_by(notifications.c.id.desc()).limit(limit + 1)).all()
    shown = rows[:limit]
    unread = conn.scalar(sa.select(sa.func.count()).select_from(notifications).where(
        notifications.c.user_id == user_id, notifications.c.read_at.is_(None)))
    next_cursor = str(shown[-1].id) if len(rows) > limit else None
    return InboxPage([_view(row) for row in shown], next_cursor, int(unread or 0))


def mark_read(conn: sa.Connection, *, user_id: int, notification_id: int, now: datetime) -> dict[str, Any]:
    """Mark one of the user's messages read (kept as first read); NotificationNotFound for anyone else's."""
    own = (notifications.c.id == notification_id) & (notifications.c.user_id == user_id)
    conn.execute(sa.update(notifications).where(own, notifications.c.read_at.is_(None)).values(read_at=now))
    row = conn.execute(sa.select(notifications).where(own)).first()
    if row is None:
        raise NotificationNotFound(notification_id)
    return _view(row)


def mark_all_read(conn: sa.Connection, *, user_id: int, now: datetime) -> int:
    """Mark every unread message of the user read; how many were."""
    result = conn.execute(sa.update(notifications).where(
        notifications.c.user_id == user_id, notifications.c.read_at.is_(None)).values(read_at=now))
    return int(result.rowcount)
