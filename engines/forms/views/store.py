"""Saved list views of an entity: the shared ones (app definitions' `views`) and the caller's personal ones.

Personal views are rows of `jimu_list_view`, owned by one user and read by no one else. Shared views are
part of the definition of the app that owns the entity: `with_shared_view` / `without_shared_view` give
the changed definition, which the caller applies like any other (design rights, a new version).
"""
from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, NotFoundError, PermissionDeniedError, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import EntityDef

from .model import check_view, view_json, view_schema_errors
from .tables import personal_views

MAX_PERSONAL_VIEWS = 200  # per user and entity
VIEW_PROPERTIES = ("label", "columns", "filter", "sort", "q")


def list_views(ctx: Context, entity_key: str) -> dict[str, list[dict[str, Any]]]:
    """{"shared": [...], "personal": [...]} for an entity the caller may read."""
    entity = _listable(ctx, entity_key)
    shared = [view_json(raw, shared=True, app=app.key) for app in ctx.catalog.apps.values()
              for raw in app.raw.get("views", ()) if raw["entity"] == entity.key]
    personal: list[dict[str, Any]] = []
    if ctx.user_id is not None:
        rows = ctx.conn.execute(sa.select(personal_views.c.definition).where(
            personal_views.c.user_id == ctx.user_id, personal_views.c.entity == entity.key,
        ).order_by(personal_views.c.id))
        personal = [view_json(row.definition, shared=False) for row in rows]
    return {"shared": shared, "personal": personal}


def checked_view(ctx: Context, entity_key: str, key: str, body: Any) -> dict[str, Any]:
    """The view `body` (label, columns, filter, sort, q) under `key`, checked; ValidationError naming each
    bad property otherwise."""
    entity = _listable(ctx, entity_key)
    raw = {**(body if isinstance(body, dict) else {}), "key": key, "entity": entity.key}
    if not isinstance(body, dict):
        _refuse(ctx, [("", "views.invalid_view", {"error": "an object"})])
    problems = [(path.lstrip("/"), "views.invalid_view", {"error": message})
                for path, message in view_schema_errors(raw)]
    if not problems:
        problems = check_view(entity, raw)
    if problems:
        _refuse(ctx, problems)
    return {name: raw[name] for name in ("key", "entity", *VIEW_PROPERTIES) if name in raw}


def save_personal(ctx: Context, entity_key: str, key: str, body: Any) -> dict[str, Any]:
    """Create or replace the caller's personal view `key` of the entity."""
    view = checked_view(ctx, entity_key, key, body)
    user_id = _user(ctx)
    table = personal_views
    where = (table.c.user_id == user_id, table.c.entity == view["entity"], table.c.key == key)
    now = ctx.now()
    found = ctx.conn.execute(sa.select(table.c.id).where(*where)).first()
    if found is not None:
        ctx.conn.execute(sa.update(table).where(table.c.id == found.id).values(definition=view, updated_at=now))
    else:
        count = ctx.conn.execute(sa.select(sa.func.count()).select_from(table).where(*where[:2])).scalar_one()
        if count >= MAX_PERSONAL_VIEWS:
            _refuse(ctx, [("key", "views.too_many", {"limit": MAX_PERSONAL_VIEWS})])
        ctx.conn.execute(sa.insert(table).values(user_id=user_id, entity=view["entity"], key=key, definition=view,
                                                 created_at=now, updated_at=now))
    return view_json(view, shared=False)


def delete_personal(ctx: Context, entity_key: str, key: str) -> None:
    entity = _listable(ctx, entity_key)
    table = personal_views
    deleted = ctx.conn.execute(sa.delete(table).where(
        table.c.user_id == _user(ctx), table.c.entity == entity.key, table.c.key == key)).rowcount
    if not deleted:
        raise _not_found(ctx, entity.key, key)


def with_shared_view(ctx: Context, view: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(app key, that app's definition with `view` added or replacing the one of the same entity and key)."""
    app_key, raw = _owner_definition(ctx, view["entity"])
    views = [v for v in raw.get("views", []) if (v["entity"], v["key"]) != (view["entity"], view["key"])]
    raw["views"] = [*views, view]
    return app_key, raw


def without_shared_view(ctx: Context, entity_key: str, key: str) -> tuple[str, dict[str, Any]]:
    """(app key, that app's definition without the shared view); NotFoundError when there is none."""
    _listable(ctx, entity_key)
    app_key, raw = _owner_definition(ctx, entity_key)
    views = raw.get("views", [])
    kept = [v for v in views if (v["entity"], v["key"]) != (entity_key, key)]
    if len(kept) == len(views):
        raise _not_found(ctx, entity_key, key)
    if kept:
        raw["views"] = kept
    else:
        raw.pop("views", None)
    return app_key, raw


def _owner_definition(ctx: Context, entity_key: str) -> tuple[str, dict[str, Any]]:
    entity = ctx.catalog.require_entity(entity_key)
    return entity.app, copy.deepcopy(ctx.catalog.apps[entity.app].raw)


def _listable(ctx: Context, entity_key: str) -> EntityDef:
    entity = ctx.catalog.require_entity(entity_key)
    if entity.is_child:
        raise NotFoundError(translate("views.unknown_entity", ctx.locale, entity=entity_key),
                            code="views.unknown_entity", entity=entity_key)
    ctx.access.require(entity_key, "read")
    return entity


def _user(ctx: Context) -> int:
    if ctx.user_id is None:
        code = "views.personal_needs_user"
        raise PermissionDeniedError(translate(code, ctx.locale), code=code)
    return ctx.user_id


def _not_found(ctx: Context, entity_key: str, key: str) -> NotFoundError:
    code = "views.not_found"
    return NotFoundError(translate(code, ctx.locale, key=key, entity=entity_key), code=code, key=key,
                         entity=entity_key)


def _refuse(ctx: Context, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
    details = [ErrorDetail(path, code, params, translate(code, ctx.locale, **params))
               for path, code, params in problems]
    raise ValidationError(details[0].message, details=details, code=details[0].code)
