"""The history of rule runs: one row per run (rule, trigger, record, each step, the error, the status).

    run_id = open_run(ctx, rule, record_id, trigger="date", event={...}, status=QUEUED, occurrence_key=k)
    finish_run(ctx, run_id, status=FAILED, steps=[...], error={...})
    list_runs(ctx, rule="escalate", status="failed")
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import JimuError, ValidationError

from ..errors import detail, error
from .rules import RuleDef
from .tables import rule_runs

QUEUED, RUNNING, OK, FAILED, SKIPPED = "queued", "running", "ok", "failed", "skipped"
STATUSES = (QUEUED, RUNNING, OK, FAILED, SKIPPED)
MAX_LIST = 200


def jsonable(value: Any) -> Any:
    """A value as JSON keeps it (Decimal and dates as text)."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, (Decimal, date, datetime)):
        return str(value) if not isinstance(value, (date, datetime)) else value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def error_of(failure: JimuError) -> dict[str, Any]:
    found: dict[str, Any] = jsonable({"code": failure.code, "message": failure.message, "params": failure.params,
                     "details": [d.as_dict() for d in failure.details]})
    return found


def open_run(ctx: Context, rule: RuleDef, record_id: int | None, *, trigger: str, event: Mapping[str, Any],
             status: str, steps: list[dict[str, Any]] | None = None, error: dict[str, Any] | None = None,
             occurrence_key: str | None = None, finished: bool = False) -> int:
    """A history row (in the caller's transaction); a finished sync run is written whole in one statement."""
    now = ctx.now()
    values = {"rule": rule.key, "app": rule.app, "entity": rule.entity, "record_id": record_id, "trigger": trigger,
              "event": jsonable(dict(event)), "mode": rule.mode, "status": status, "steps": jsonable(steps or []),
              "error": error, "occurrence_key": occurrence_key, "attempts": 1 if finished else 0,
              "user_id": ctx.user_id, "created_at": now, "started_at": now if finished else None,
              "finished_at": now if finished else None}
    return int(ctx.conn.execute(sa.insert(rule_runs).values(**values).returning(rule_runs.c.id)).scalar_one())


def occurrence_taken(ctx: Context, occurrence_key: str) -> bool:
    found = ctx.conn.execute(sa.select(rule_runs.c.id).where(rule_runs.c.occurrence_key == occurrence_key)).first()
    return found is not None


def start_run(ctx: Context, run_id: int) -> bool:
    """Mark a queued run running (one attempt more); False when it is not queued (done already, or gone)."""
    updated = ctx.conn.execute(sa.update(rule_runs).where(rule_runs.c.id == run_id, rule_runs.c.status == QUEUED)
                               .values(status=RUNNING, started_at=ctx.now(), attempts=rule_runs.c.attempts + 1))
    return bool(updated.rowcount == 1)


def finish_run(ctx: Context, run_id: int, *, status: str, steps: list[dict[str, Any]],
               error: dict[str, Any] | None = None) -> None:
    ctx.conn.execute(sa.update(rule_runs).where(rule_runs.c.id == run_id).values(
        status=status, steps=jsonable(steps), error=error, finished_at=ctx.now()))


def prune(ctx: Context, *, before: datetime) -> int:
    """Delete the runs that went well (ok, skipped) and finished before `before`; how many."""
    result = ctx.conn.execute(sa.delete(rule_runs).where(rule_runs.c.status.in_((OK, SKIPPED)),
                                                         rule_runs.c.finished_at < before))
    return int(result.rowcount)


def requeue(ctx: Context, run_id: int) -> None:
    ctx.conn.execute(sa.update(rule_runs).where(rule_runs.c.id == run_id).values(
        status=QUEUED, error=None, steps=[], started_at=None, finished_at=None))


@dataclass(frozen=True)
class RunRow:
    id: int
    rule: str
    entity: str
    record_id: int | None
    trigger: str
    event: dict[str, Any]
    status: str
    user_id: int | None
    attempts: int


def get_run(ctx: Context, run_id: int) -> dict[str, Any] | None:
    row = ctx.conn.execute(sa.select(rule_runs).where(rule_runs.c.id == run_id)).first()
    return _view(row) if row is not None else None


def list_runs(ctx: Context, *, rule: str | None = None, status: str | None = None, record_id: int | None = None,
              before: int | None = None, limit: int = 50, apps: list[str] | None = None) -> list[dict[str, Any]]:
    """The newest runs first, filtered by rule, status, record and apps; `before` pages on by id."""
    if status is not None and status not in STATUSES:
        code = "automation.bad_status"
        params = {"status": status, "statuses": ", ".join(STATUSES)}
        raise error(ValidationError, code, ctx.locale, details=[detail("status", code, ctx.locale, **params)],
                    **params)
    query = sa.select(rule_runs).order_by(rule_runs.c.id.desc()).limit(max(1, min(limit, MAX_LIST)))
    if rule is not None:
        query = query.where(rule_runs.c.rule == rule)
    if status is not None:
        query = query.where(rule_runs.c.status == status)
    if record_id is not None:
        query = query.where(rule_runs.c.record_id == record_id)
    if before is not None:
        query = query.where(rule_runs.c.id < before)
    if apps is not None:
        query = query.where(rule_runs.c.app.in_(apps))
    return [_view(row) for row in ctx.conn.execute(query).all()]


def _view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "rule": row.rule, "app": row.app, "entity": row.entity, "record_id": row.record_id,
            "trigger": row.trigger, "event": row.event, "mode": row.mode, "status": row.status,
            "steps": row.steps, "error": row.error, "attempts": row.attempts, "user_id": row.user_id,
            "occurrence_key": row.occurrence_key, "created_at": row.created_at, "started_at": row.started_at,
            "finished_at": row.finished_at}


def run_row(ctx: Context, run_id: int) -> RunRow | None:
    row = ctx.conn.execute(sa.select(rule_runs).where(rule_runs.c.id == run_id)).first()
    if row is None:
        return None
    return RunRow(row.id, row.rule, row.entity, row.record_id, row.trigger, dict(row.event or {}), row.status,
                  row.user_id, int(row.attempts))
