"""Notices of approvals, each in its recipient's language: a new task (a level opened, a task delegated, a
signer added, an escalation) and the SLA reminder. They reach the in-app inbox (platform/notifications),
and the level's `channels` too (e-mail to the users' addresses, a group robot...: queued deliveries, sent
after commit, once per approval, level, kind and recipients). Everything is written in the transaction of
the step that causes them (a dry run rolls it back) and listed in the run's effects."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, label, translate
from jimu.platform.meta import users
from jimu.platform.notifications import INAPP, Link, Message, inbox, queue_notification

from .model import LevelDef

TASK, REMINDER = "task", "reminder"


def notify(ctx: Context, row: Any, level: LevelDef, user_ids: Sequence[int], kind: str,
           effects: list[dict[str, Any]]) -> None:
    """Tell `user_ids` about the approval `row` (a jimu_wf_approval row) at `level`."""
    if not user_ids:
        return
    from .. import transitions

    entity = ctx.catalog.require_entity(row.entity)
    title = transitions.record_title(ctx, entity, row.record_id)
    link = Link(row.entity, int(row.record_id))
    for locale, group in _by_locale(ctx, user_ids).items():
        what = label(entity.label, locale)
        level_label = label(level.label, locale)
        if kind == REMINDER:
            subject = translate("approval.notice_reminder", locale, entity=what, title=title, level=level_label)
        else:
            subject = translate("approval.notice_task", locale, entity=what, title=title, level=level_label)
        message = Message(subject, subject, users=tuple(group), link=link, event=f"approval.{kind}")
        inbox.deliver(ctx.conn, message, now=ctx.now())
        for channel in _outside(level):
            queue_notification(ctx.conn, channel=channel, message=message, now=ctx.now(),
                               idempotency_key=_key(row, level, kind, channel, group, ctx.now()))
    for channel in (INAPP, *_outside(level)):
        effects.append({"kind": "notification.queued", "channel": channel, "event": f"approval.{kind}",
                        "users": list(user_ids), "entity": row.entity, "id": int(row.record_id)})


def _outside(level: LevelDef) -> tuple[str, ...]:
    """The level's channels but the in-app inbox, which every notice reaches anyway."""
    return tuple(c for c in level.channels if c != INAPP)


def _key(row: Any, level: LevelDef, kind: str, channel: str, group: Sequence[int], now: datetime) -> str:
    """Once per approval, level, kind, channel and recipients (a reminder of the same moment, again)."""
    who = hashlib.sha256(",".join(str(u) for u in sorted(group)).encode()).hexdigest()[:16]
    return f"approval:{row.id}:{level.index}:{kind}:{channel}:{who}:{now.isoformat()}"[:200]


def _by_locale(ctx: Context, user_ids: Sequence[int]) -> dict[str, list[int]]:
    rows = ctx.conn.execute(sa.select(users.c.id, users.c.locale).where(users.c.id.in_(list(user_ids))))
    found: dict[str, list[int]] = {}
    for user_id, locale in rows:
        found.setdefault(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE, []).append(int(user_id))
    return found
