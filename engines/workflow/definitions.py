"""The workflow definitions of the installed apps, built once per catalog, and older process versions."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.meta import definition_versions
from jimu.platform.registry.catalog import Catalog

from .model import ProcessDef, WorkflowDefs
from .tables import instances


def workflow_defs(catalog: Catalog) -> WorkflowDefs:
    """Every process, action list and automation of the catalog (built once, dropped with the catalog)."""
    defs: WorkflowDefs = catalog.caches["engines"].get_or_build("workflow", lambda: WorkflowDefs.build(catalog.apps))
    return defs


def process_of_record(ctx: Context, entity_key: str, record_id: int) -> ProcessDef | None:
    """The process a record follows: the version it entered with, kept while it is in flight, even after a
    newer definition was applied (records entering after that follow the newer one)."""
    current = workflow_defs(ctx.catalog).process_of(entity_key)
    row = ctx.conn.execute(sa.select(instances.c.process, instances.c.app, instances.c.stamp).where(
        instances.c.entity == entity_key, instances.c.record_id == record_id)).first()
    if row is None or row.stamp == ctx.definitions.stamp:
        return current
    key = ("workflow.process", row.app, int(row.stamp), row.process)
    cache = ctx.catalog.caches["engines"]
    found: ProcessDef | None = cache.get(key)
    if found is None:
        found = cache.put(key, _process_at(ctx, row.app, int(row.stamp), row.process, current))
    return found


def _process_at(ctx: Context, app: str, stamp: int, process_key: str, current: ProcessDef | None) -> ProcessDef | None:
    v = definition_versions
    definition = ctx.conn.execute(sa.select(v.c.definition).where(v.c.app_key == app, v.c.id <= stamp)
                                  .order_by(v.c.id.desc()).limit(1)).scalar_one_or_none()
    raw = next((p for p in (definition or {}).get("processes", ()) if p.get("key") == process_key), None)
    if raw is None:
        return current
    if current is not None and current.raw == raw:
        return current
    return ProcessDef.build(app, raw)


def enter_process(ctx: Context, process: ProcessDef, record_id: int) -> None:
    """Note that a new record entered its process with the current definitions."""
    ctx.conn.execute(sa.insert(instances).values(entity=process.entity, record_id=record_id, process=process.key,
                                                 app=process.app, stamp=ctx.definitions.stamp, entered_at=ctx.now()))
