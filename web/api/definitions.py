"""Definitions as the caller may see them: installed apps, and an entity limited to its readable fields."""
from __future__ import annotations

from typing import Any

from jimu.engines.reports.listing import app_reports
from jimu.engines.workflow.definitions import workflow_defs
from jimu.engines.workflow.model import ProcessDef
from jimu.platform.context import Context
from jimu.platform.errors import NotFoundError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import AppDef, EntityDef
from jimu.platform.registry.repository import app_revision
from jimu.platform.security import RolePolicy
from jimu.web.api.openapi_schemas import read_only


def _can(ctx: Context, entity_key: str, action: str) -> bool:
    access = ctx.access
    if isinstance(access, RolePolicy):
        return access.can(entity_key, action)
    try:
        access.require(entity_key, action)
    except Exception:  # noqa: BLE001 (any refusal means "no")
        return False
    return True


def require_design(ctx: Context, app_key: str) -> None:
    """Design rights on an app (on `*` for an app not installed yet)."""
    access = ctx.access
    if isinstance(access, RolePolicy):
        access.require_design(app_key)
    else:
        access.require("*", "design")


def require_app(ctx: Context, app_key: str) -> AppDef:
    app = ctx.catalog.apps.get(app_key)
    if app is None:
        raise NotFoundError(translate("api.app_not_found", ctx.locale, app=app_key), code="api.app_not_found",
                            app=app_key)
    return app


def visible_apps(ctx: Context) -> list[dict[str, Any]]:
    """Installed apps with at least one entity the caller may read or design."""
    shown = []
    for key, app in sorted(ctx.catalog.apps.items()):
        if any(_can(ctx, e.key, "read") or _can(ctx, e.key, "design") for e in app.entities):
            shown.append({"key": key, "version": app.version, "label": app.label,
                          "revision": app_revision(ctx.conn, key),
                          "entities": [e.key for e in app.entities if not e.is_child and _can(ctx, e.key, "read")],
                          **app_reports(ctx, key)})
    return shown


def entity_view(ctx: Context, entity: EntityDef) -> dict[str, Any]:
    """An entity's definition with only the fields the caller may read (child tables expanded likewise)."""
    readable = ctx.access.readable_fields(entity.key)
    writable = ctx.access.writable_fields(entity.key)
    process = workflow_defs(ctx.catalog).process_of(entity.key)
    fields = []
    for field in entity.fields:
        if readable is not None and field.name not in readable:
            continue
        raw = dict(field.raw)
        # computed, auto-numbered, read-only or a process's state (only transitions write it): no user writes it
        never_written = read_only(field) or (process is not None and field.name == process.state_field)
        raw["writable"] = not never_written and (writable is None or field.name in writable)
        if never_written:
            raw["read_only"] = True
        if ctx.catalog.field_type(field).owns_rows:
            raw["entity_definition"] = entity_view(ctx, ctx.catalog.require_related(field))
        fields.append(raw)
    title = ctx.catalog.title_field(entity)
    view = {"key": entity.key, "app": entity.app, "label": entity.label, "child": entity.is_child,
            "title_field": title if readable is None or title in readable else None, "fields": fields,
            "layout": _readable_layout(entity.raw.get("layout"), {f["name"] for f in fields})}
    if process is not None:
        view["process"] = _process_view(process)
    return view


def _process_view(process: ProcessDef) -> dict[str, Any]:
    """What a client shows of an entity's process: its state field and states (labels, phases, colours);
    which transitions a record offers is asked per record (GET .../transitions)."""
    return {"key": process.key, "label": process.label, "state_field": process.state_field,
            "initial": process.initial,
            "states": [{"key": s.key, "label": s.label, "phase": s.phase,
                        **({"color": s.color} if s.color else {})} for s in process.states]}


def _readable_layout(layout: Any, shown: set[str]) -> dict[str, Any] | None:
    """The definition's layout with the fields the caller may not read left out."""
    if not isinstance(layout, dict):
        return None

    def section(raw: dict[str, Any]) -> dict[str, Any]:
        return {**raw, "fields": [name for name in raw.get("fields", []) if name in shown]}

    out = {**layout, "list_columns": [name for name in layout.get("list_columns", []) if name in shown]}
    if "sections" in layout:
        out["sections"] = [section(s) for s in layout["sections"]]
    if "tabs" in layout:
        out["tabs"] = [{**tab, "sections": [section(s) for s in tab.get("sections", [])]} for tab in layout["tabs"]]
    return out
