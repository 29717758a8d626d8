"""Installed definitions in the platform tables: reading them, saving applied ones, their versions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import NotFoundError
from jimu.platform.meta import apps, definition_versions
from jimu.platform.registry.model import AppDef

# The definitions stamp: a number that grows whenever any definition is applied (the newest version
# row id). One statement object, built once: every unit of work runs it, and reusing the same object
# lets SQLAlchemy find its compiled SQL without rebuilding or re-keying it.
STAMP_QUERY = sa.select(sa.func.coalesce(sa.func.max(definition_versions.c.id), 0))


def definitions_stamp(conn: sa.Connection) -> int:
    """The current definitions stamp."""
    return int(conn.execute(STAMP_QUERY).scalar_one())


def load_apps(conn: sa.Connection) -> list[AppDef]:
    """Every installed app, in key order."""
    rows = conn.execute(sa.select(apps.c.definition).order_by(apps.c.key)).scalars()
    return [AppDef.build(definition) for definition in rows]


def load_app(conn: sa.Connection, key: str) -> AppDef | None:
    definition = conn.execute(sa.select(apps.c.definition).where(apps.c.key == key)).scalar_one_or_none()
    return AppDef.build(definition) if definition is not None else None


def app_revision(conn: sa.Connection, key: str) -> int:
    """The installed revision of an app (0 when it is not installed)."""
    revision = conn.execute(sa.select(apps.c.revision).where(apps.c.key == key)).scalar_one_or_none()
    return int(revision or 0)


def installed_definition(conn: sa.Connection, key: str) -> dict[str, Any] | None:
    definition = conn.execute(sa.select(apps.c.definition).where(apps.c.key == key)).scalar_one_or_none()
    return dict(definition) if definition is not None else None


def save_app(conn: sa.Connection, app: AppDef, *, revision: int, diff: list[dict[str, Any]], now: datetime,
             user_id: int | None) -> None:
    """Upsert the app row and append its definition version (with the schema diff that applied it)."""
    values = {"version": app.version, "revision": revision, "definition": app.raw, "updated_at": now}
    updated = conn.execute(sa.update(apps).where(apps.c.key == app.key).values(values)).rowcount
    if not updated:
        conn.execute(sa.insert(apps).values(key=app.key, installed_at=now, **values))
    conn.execute(sa.insert(definition_versions).values(
        app_key=app.key, revision=revision, version=app.version, definition=app.raw, diff=diff,
        applied_at=now, applied_by=user_id))


def list_versions(conn: sa.Connection, app_key: str) -> list[dict[str, Any]]:
    """Every applied revision of an app, oldest first, with its diff (without the definition)."""
    v = definition_versions
    rows = conn.execute(sa.select(v.c.revision, v.c.version, v.c.applied_at, v.c.applied_by, v.c.diff)
                        .where(v.c.app_key == app_key).order_by(v.c.revision)).mappings()
    return [dict(row) for row in rows]


def get_version(conn: sa.Connection, app_key: str, revision: int) -> dict[str, Any]:
    """One applied revision with its definition and diff; NotFoundError when there is none."""
    v = definition_versions
    row = conn.execute(sa.select(v.c.revision, v.c.version, v.c.applied_at, v.c.applied_by, v.c.diff, v.c.definition)
                       .where(v.c.app_key == app_key, v.c.revision == revision)).mappings().one_or_none()
    if row is None:
        raise NotFoundError(f"App {app_key!r} has no definition revision {revision}.",
                            code="schema.version_not_found", app=app_key, revision=revision)
    return dict(row)
