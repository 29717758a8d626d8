"""@mentions in comments: the users a comment names are told in their in-app inbox.

A comment sends the ids of the users it mentions (picked in the UI); a user is notified when the text
still holds `@<their display name>`, they are active, and they may read the record (their own roles and
record rules) — nobody learns of a record through a mention they could not open.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.i18n import label, translate
from jimu.platform.meta import users
from jimu.platform.notifications import inbox
from jimu.platform.notifications.message import Link, Message
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.directory import find_users
from jimu.platform.security.policy import RolePolicy
from jimu.platform.security.principal import load_principal
from jimu.platform.security.snapshot import load_snapshot

MAX_MENTIONS = 20


def mentioned_users(ctx: Context, text: str, ids: Sequence[int]) -> list[int]:
    """Those of `ids` (active users) whose `@display name` is in the text, in the order given."""
    found = {entry.id: entry for entry in find_users(ctx.conn, ids=list(ids)[:MAX_MENTIONS], limit=MAX_MENTIONS)}
    return [i for i in dict.fromkeys(ids) if i in found and f"@{found[i].display_name}" in text]


def _may_read(ctx: Context, entity: EntityDef, record_id: int, user_id: int, snapshot: object) -> bool:
    principal = load_principal(ctx.conn, user_id)
    policy = RolePolicy(principal, snapshot, ctx.catalog, ctx.tables, now=ctx.now(),  # type: ignore[arg-type]
                        dialect=ctx.dialect)
    if not policy.can(entity.key, "read"):
        return False
    table = ctx.tables[entity.key]
    condition = policy.row_condition(entity.key, table, "read")
    query = sa.select(table.c.id).where(table.c.id == record_id, table.c._deleted_at.is_(None))
    if condition is not None:
        query = query.where(condition)
    return ctx.conn.execute(query).first() is not None


def notify_mentions(ctx: Context, entity: EntityDef, record_id: int, text: str, ids: Sequence[int],
                    title: str | None) -> list[int]:
    """Tell the mentioned users who may read the record (not the writer); their ids."""
    wanted = [i for i in mentioned_users(ctx, text, ids) if i != ctx.user_id]
    if not wanted:
        return []
    snapshot = load_snapshot(ctx.conn)
    readers = [i for i in wanted if _may_read(ctx, entity, record_id, i, snapshot)]
    rows = ctx.conn.execute(sa.select(users.c.id, users.c.locale, users.c.display_name, users.c.username)
                            .where(users.c.id.in_(readers + ([ctx.user_id] if ctx.user_id else [])))).all()
    by_id = {row.id: row for row in rows}
    writer = by_id.get(ctx.user_id)
    author = (writer.display_name or writer.username) if writer is not None else "?"
    for user_id in readers:
        locale = by_id[user_id].locale or ctx.locale
        subject = translate("records.mentioned", locale, user=author, entity=label(entity.label, locale) or entity.key,
                            record=title or f"#{record_id}")
        inbox.deliver(ctx.conn, Message(subject, text, users=(user_id,), link=Link(entity.key, record_id)),
                      now=ctx.now())
    return readers
