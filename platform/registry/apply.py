"""Applying an app definition: validate, diff against the installed schema, check the data, migrate, record.

Everything happens in the caller's transaction (DDL is transactional on SQLite and PostgreSQL),
so a refusal or any failure leaves schema, data and definitions exactly as they were.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.env import EvalEnv
from jimu.platform.context import utcnow
from jimu.platform.errors import SchemaChangeError
from jimu.platform.i18n import translate
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.repository import app_revision, installed_definition, load_apps, save_app
from jimu.platform.registry.sections import Sections
from jimu.platform.registry.validation import validate_app
from jimu.platform.statements import interrupted
from jimu.platform.storage.archive import load_archived
from jimu.platform.storage.data_checks import check_changes
from jimu.platform.storage.diff import SchemaDiff, compute_diff
from jimu.platform.storage.migrate import apply_diff

log = logging.getLogger("jimu.registry")
# Key of the PostgreSQL advisory lock serialising definition applies ("JIMU" in ASCII).
APPLY_LOCK_KEY = 0x4A494D55


@dataclass(frozen=True)
class ApplyResult:
    """The applied (or, on a dry run, checked) app, its revision, the schema diff, and whether it was applied."""

    app: AppDef
    revision: int
    diff: SchemaDiff
    applied: bool

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app.key, "version": self.app.version, "revision": self.revision, "applied": self.applied,
                "changes": self.diff.as_dict(), "summary": self.diff.describe()}


def lock_definitions(conn: sa.Connection) -> None:
    """Serialise applies: a transaction-scoped advisory lock on PostgreSQL (SQLite's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(APPLY_LOCK_KEY)))


def apply_app(conn: sa.Connection, raw: Any, *, dry_run: bool = False, user_id: int | None = None,
              locale: str = "en", now: datetime | None = None, sections: Sections | None = None) -> ApplyResult:
    """Validate and apply an app definition; on `dry_run`, do the same and roll it back (nothing changes, and
    whatever the apply would refuse, the dry run refuses).

    `sections` are the engines' checks of their parts of the definition (see registry/sections.py).
    Raises DefinitionError (invalid definition) or SchemaChangeError (the data refuses a change).
    """
    lock_definitions(conn)
    now = now or utcnow()
    installed = load_apps(conn)
    app, catalog = validate_app(raw, installed, locale=locale, sections=sections)
    archived = load_archived(conn)
    diff = compute_diff(Catalog(installed), catalog, app.key, archived, locale=locale)
    current = app_revision(conn, app.key)
    if installed_definition(conn, app.key) == app.raw:
        return ApplyResult(app, current, diff, applied=False)
    plan = check_changes(conn, diff, archived, locale=locale)
    diff.changes += plan.fills  # "set default 'x' on 1,234 existing rows of t_customer", dry run or not
    revision = current + 1
    # A dry run applies too, inside a savepoint it then rolls back: it refuses exactly what the apply refuses.
    savepoint = conn.begin_nested()
    try:
        try:
            apply_diff(conn, diff, plan, revision=revision, now=now, env=EvalEnv(current_user=user_id, now=now))
        except sa.exc.DBAPIError as error:
            if interrupted(error):  # a lock wait or time limit: said as such by the caller (statements.py)
                raise
            raise _refused_by_database(app.key, error, locale) from error
        stored = AppDef.build(copy.deepcopy(app.raw))
        save_app(conn, stored, revision=revision, diff=diff.as_dict(), now=now, user_id=user_id)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        return ApplyResult(app, revision, diff, applied=False)
    savepoint.commit()
    return ApplyResult(app, revision, diff, applied=True)


def _refused_by_database(app_key: str, error: sa.exc.DBAPIError, locale: str) -> SchemaChangeError:
    """A schema change the database itself refused (no earlier check caught it): a 409 naming the app; the
    database's own words go to the log only (they may quote stored values)."""
    log.warning("schema change of app %s refused by the database: %s", app_key, error.orig)
    code = "schema.refused_by_database"
    return SchemaChangeError(translate(code, locale, app=app_key), code=code, app=app_key)
