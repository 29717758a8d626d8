"""What people see of approvals: one approval with its tasks, a record's pending approval (who it waits
for), and a user's inbox of pending tasks (paginated by task id, with each record's title)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.i18n import label
from jimu.platform.meta import users

from ..definitions import workflow_defs
from ..errors import error
from ..model import ProcessDef
from . import store
from .errors import ApprovalNotFoundError
from .model import ApprovalDef
from .tables import PENDING, approval_tasks, approvals

MAX_PAGE = 200


def user_names(conn: sa.Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(sa.select(users.c.id, users.c.display_name, users.c.username).where(users.c.id.in_(wanted)))
    return {int(r.id): str(r.display_name or r.username) for r in rows}


def _person(names: dict[int, str], user_id: int | None) -> dict[str, Any] | None:
    return None if user_id is None else {"id": int(user_id), "name": names.get(int(user_id), f"#{user_id}")}


def _level_label(ctx: Context, process: ProcessDef | None, transition_key: str, level: int | None) -> str | None:
    transition = process.transition(transition_key) if process is not None else None
    if transition is None or level is None:
        return None
    found = ApprovalDef.build(transition.approval or {}).level(level)
    return label(found.label, ctx.locale) if found is not None else None


def approval_view(ctx: Context, approval_id: int) -> dict[str, Any]:
    from ..definitions import process_of_record

    row = store.approval_row(ctx.conn, approval_id)
    if row is None:
        raise error(ApprovalNotFoundError, "approval.not_found", ctx.locale, approval=approval_id)
    tasks = list(ctx.conn.execute(sa.select(approval_tasks).where(store.T.approval_id == approval_id)
                                  .order_by(store.T.id)))
    names = user_names(ctx.conn, [t.user_id for t in tasks] + [row.submitted_by or 0])
    process = process_of_record(ctx, row.entity, row.record_id)
    return {
        "id": int(row.id), "entity": row.entity, "record_id": int(row.record_id), "transition": row.transition,
        "status": row.status, "from": row.from_state, "level": row.level_key,
        "level_label": _level_label(ctx, process, row.transition, row.level),
        "submitted_by": _person(names, row.submitted_by), "comment": row.comment,
        "started_at": row.started_at, "finished_at": row.finished_at,
        "waiting_for": [_person(names, t.user_id) for t in tasks if t.status == PENDING],
        "tasks": [{"id": int(t.id), "level": t.level_key, "user": _person(names, t.user_id), "status": t.status,
                   "origin": t.origin, "comment": t.comment, "delegated_from": t.delegated_from,
                   "created_at": t.created_at, "decided_at": t.decided_at} for t in tasks],
        "reject_targets": _reject_targets(ctx, process, row),
    }


def _reject_targets(ctx: Context, process: ProcessDef | None, row: Any) -> list[dict[str, Any]]:
    """While pending: the states a rejection may send the record to (the default first), with their labels."""
    from .runtime import reject_choices

    if row.status != PENDING or process is None:
        return []
    out = []
    for key in reject_choices(ctx, row):
        state = process.state(key)
        out.append({"key": key, "label": label(state.label, ctx.locale) if state is not None else key})
    return out


def pending_summary(ctx: Context, process: ProcessDef, record_id: int) -> dict[str, Any] | None:
    """The record's pending approval for the transitions listing: its level and who it waits for."""
    row = store.pending_of(ctx.conn, process.entity, record_id)
    if row is None:
        return None
    waiting = store.pending_users(ctx.conn, int(row.id))
    names = user_names(ctx.conn, [*waiting, row.submitted_by or 0])
    return {"id": int(row.id), "transition": row.transition, "level": row.level_key,
            "level_label": _level_label(ctx, process, row.transition, row.level),
            "submitted_by": _person(names, row.submitted_by), "started_at": row.started_at,
            "waiting_for": [_person(names, u) for u in waiting]}


def inbox(ctx: Context, *, limit: int = 50, after: int | None = None) -> dict[str, Any]:
    """The caller's pending tasks, oldest first, `limit` at a time after the task id `after` (one query for
    the page, one for the submitters' names, one per entity for the titles). Labels come from the current
    definitions."""
    a, t = store.A, store.T
    size = min(limit, MAX_PAGE)
    query = (sa.select(t.id, t.level_key, t.origin, t.created_at, a.id.label("approval"), a.entity,
                       a.record_id, a.transition, a.submitted_by, a.started_at, a.comment)
             .join(approvals, a.id == t.approval_id)
             .where(t.user_id == ctx.user_id, t.status == PENDING, a.status == PENDING)
             .order_by(t.id).limit(size + 1))
    if after is not None:
        query = query.where(t.id > after)
    rows = list(ctx.conn.execute(query))
    page, more = rows[:size], len(rows) > size
    names = user_names(ctx.conn, [r.submitted_by or 0 for r in page])
    titles = _titles(ctx, page)
    defs = workflow_defs(ctx.catalog)
    items = []
    for r in page:
        entity = ctx.catalog.entity(r.entity)
        process = defs.process_of(r.entity)
        transition = process.transition(r.transition) if process is not None else None
        level = next((lv for lv in ApprovalDef.build(transition.approval or {}).levels if lv.key == r.level_key),
                     None) if transition is not None else None
        items.append({
            "task": int(r.id), "approval": int(r.approval), "entity": r.entity, "record_id": int(r.record_id),
            "entity_label": label(entity.label, ctx.locale) if entity is not None else r.entity,
            "title": titles.get((r.entity, int(r.record_id)), f"#{r.record_id}"), "transition": r.transition,
            "transition_label": label(transition.label, ctx.locale) if transition is not None else r.transition,
            "level": r.level_key, "level_label": label(level.label, ctx.locale) if level else r.level_key,
            "origin": r.origin, "since": r.created_at, "submitted_by": _person(names, r.submitted_by),
            "started_at": r.started_at, "comment": r.comment,
        })
    return {"items": items, "next_cursor": str(page[-1].id) if more else None, "has_more": more}


def _titles(ctx: Context, rows: Iterable[Any]) -> dict[tuple[str, int], str]:
    """The title of each record named in `rows` (entity, record_id): one query per entity."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        wanted.setdefault(r.entity, set()).add(int(r.record_id))
    found: dict[tuple[str, int], str] = {}
    for entity_key, ids in wanted.items():
        entity = ctx.catalog.entity(entity_key)
        title_name = ctx.catalog.title_field(entity) if entity is not None else None
        title = entity.field(title_name) if entity is not None and title_name else None
        if entity is None or title is None:
            continue
        table = ctx.tables[entity_key]
        for record_id, value in ctx.conn.execute(sa.select(table.c.id, table.c[title.column])
                                                 .where(table.c.id.in_(sorted(ids)))):
            if value is not None:
                found[(entity_key, int(record_id))] = str(value)
    return found
