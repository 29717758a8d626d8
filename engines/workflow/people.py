"""Who the caller is for the workflow: their roles (None for system work and superusers: every role)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.meta import users
from jimu.platform.security.departments import managers_of
from jimu.platform.security.tables import user_roles

from .model import SUBMITTED, SUBMITTER, AllowedDef, ProcessDef
from .tables import runs


def caller_roles(ctx: Context) -> frozenset[str] | None:
    """The roles of the caller; None when the caller is the system (no user) or a superuser."""
    if ctx.user_id is None:
        return None
    superuser = ctx.conn.execute(sa.select(users.c.is_superuser).where(users.c.id == ctx.user_id)).scalar_one_or_none()
    if superuser:
        return None
    rows = ctx.conn.execute(sa.select(user_roles.c.role_key).where(user_roles.c.user_id == ctx.user_id)).scalars()
    return frozenset(rows)


def user_named(ctx: Context, record: Mapping[str, Any], name: str) -> int | None:
    """The user a user field (or `_created_by`/`_updated_by`) of a record names."""
    value = record.get(name)
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def submitter(ctx: Context, process: ProcessDef, record: Mapping[str, Any]) -> int | None:
    """Who last moved the record into a submitted state (else who created it)."""
    submitted = [s.key for s in process.states if s.phase == SUBMITTED]
    user = ctx.conn.execute(sa.select(runs.c.user_id).where(
        runs.c.entity == process.entity, runs.c.record_id == record["id"], runs.c.to_state.in_(submitted),
        runs.c.user_id.is_not(None)).order_by(runs.c.id.desc()).limit(1)).scalar_one_or_none()
    return int(user) if user is not None else user_named(ctx, record, "_created_by")


def is_named_or_manager(ctx: Context, process: ProcessDef, allowed: AllowedDef, record: Mapping[str, Any]) -> bool:
    """Whether the caller is a user the record names in `allowed.users`, or a manager of `allowed.manager_of`."""
    if ctx.user_id is None:
        return False
    if any(user_named(ctx, record, name) == ctx.user_id for name in allowed.users):
        return True
    if allowed.manager_of is None:
        return False
    whose = submitter(ctx, process, record) if allowed.manager_of == SUBMITTER else \
        user_named(ctx, record, allowed.manager_of)
    return whose is not None and ctx.user_id in managers_of(ctx.conn, whose)
