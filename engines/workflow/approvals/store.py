"""Reading and writing approval rows and their tasks (no rules here: the runtime decides, this stores)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .modes import Tally
from .tables import APPROVED, PENDING, REJECTED, approval_tasks, approvals

A, T = approvals.c, approval_tasks.c
LIVE = (PENDING, APPROVED, REJECTED)  # tasks that count in a level's tally


def pending_key(entity: str, record_id: int) -> str:
    return f"{entity}:{record_id}"


def approval_row(conn: sa.Connection, approval_id: int) -> sa.Row[Any] | None:
    return conn.execute(sa.select(approvals).where(A.id == approval_id)).first()


def task_row(conn: sa.Connection, task_id: int) -> sa.Row[Any] | None:
    return conn.execute(sa.select(approval_tasks).where(T.id == task_id)).first()


def pending_of(conn: sa.Connection, entity: str, record_id: int) -> sa.Row[Any] | None:
    """The record's pending approval, if any."""
    return conn.execute(sa.select(approvals).where(A.pending_key == pending_key(entity, record_id))).first()


def by_idempotency_key(conn: sa.Connection, key: str) -> sa.Row[Any] | None:
    return conn.execute(sa.select(approvals).where(A.idempotency_key == key)).first()


def insert_approval(conn: sa.Connection, **values: Any) -> int:
    row = {**values, "status": PENDING, "pending_key": pending_key(values["entity"], values["record_id"])}
    return int(conn.execute(sa.insert(approvals).values(**row).returning(A.id)).scalar_one())


def set_level(conn: sa.Connection, approval_id: int, level: int, key: str, now: datetime,
              next_timer_at: datetime | None) -> None:
    conn.execute(sa.update(approvals).where(A.id == approval_id).values(
        level=level, level_key=key, level_started_at=now, reminded_at=None, escalated_at=None,
        next_timer_at=next_timer_at))


def finish(conn: sa.Connection, approval_id: int, status: str, now: datetime) -> None:
    conn.execute(sa.update(approvals).where(A.id == approval_id).values(status=status, pending_key=None,
                                                                         finished_at=now, next_timer_at=None))


def mark(conn: sa.Connection, approval_id: int, **values: Any) -> None:
    conn.execute(sa.update(approvals).where(A.id == approval_id).values(**values))


def add_tasks(conn: sa.Connection, approval_id: int, level: int, level_key: str, user_ids: Iterable[int], *,
              origin: str, now: datetime, added_by: int | None = None, delegated_from: int | None = None) -> list[int]:
    ids: list[int] = []
    for user_id in user_ids:
        ids.append(int(conn.execute(sa.insert(approval_tasks).values(
            approval_id=approval_id, level=level, level_key=level_key, user_id=user_id, status=PENDING,
            origin=origin, added_by=added_by, delegated_from=delegated_from, created_at=now,
        ).returning(T.id)).scalar_one()))
    return ids


def decide(conn: sa.Connection, task_id: int, status: str, comment: str | None, now: datetime) -> None:
    conn.execute(sa.update(approval_tasks).where(T.id == task_id).values(status=status, comment=comment,
                                                                         decided_at=now))


def close_pending(conn: sa.Connection, approval_id: int, status: str, now: datetime, *,
                  level: int | None = None, users: Sequence[int] | None = None) -> None:
    """Close the pending tasks of an approval (of one level, of some users) with `status`."""
    query = sa.update(approval_tasks).where(T.approval_id == approval_id, T.status == PENDING)
    if level is not None:
        query = query.where(T.level == level)
    if users is not None:
        query = query.where(T.user_id.in_(users))
    conn.execute(query.values(status=status, decided_at=now))


def level_tasks(conn: sa.Connection, approval_id: int, level: int) -> list[sa.Row[Any]]:
    return list(conn.execute(sa.select(approval_tasks).where(T.approval_id == approval_id, T.level == level)
                             .order_by(T.id)))


def tally(conn: sa.Connection, approval_id: int, level: int) -> Tally:
    counts: dict[str, int] = dict(conn.execute(sa.select(T.status, sa.func.count()).where(
        T.approval_id == approval_id, T.level == level, T.status.in_(LIVE)).group_by(T.status)).all())
    return Tally(approved=int(counts.get(APPROVED, 0)), rejected=int(counts.get(REJECTED, 0)),
                 pending=int(counts.get(PENDING, 0)))


def live_users(conn: sa.Connection, approval_id: int, level: int) -> set[int]:
    """Users with a pending or decided task at the level (a signer or delegate cannot be added twice)."""
    return set(conn.execute(sa.select(T.user_id).where(T.approval_id == approval_id, T.level == level,
                                                       T.status.in_(LIVE))).scalars())


def pending_users(conn: sa.Connection, approval_id: int) -> list[int]:
    return [int(u) for u in conn.execute(sa.select(T.user_id).where(T.approval_id == approval_id,
                                                                   T.status == PENDING).order_by(T.id)).scalars()]
