"""Reading installed definitions from the platform tables."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import apps, definition_versions
from jimu.platform.registry.model import AppDef


def definitions_stamp(conn: sa.Connection) -> int:
    """A number that grows whenever any definition is applied (the newest version row id)."""
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(definition_versions.c.id), 0))).scalar_one())


def load_apps(conn: sa.Connection) -> list[AppDef]:
    """Every installed app, in key order."""
    rows = conn.execute(sa.select(apps.c.definition).order_by(apps.c.key)).scalars()
    return [AppDef.build(definition) for definition in rows]


def load_app(conn: sa.Connection, key: str) -> AppDef | None:
    definition = conn.execute(sa.select(apps.c.definition).where(apps.c.key == key)).scalar_one_or_none()
    return AppDef.build(definition) if definition is not None else None
