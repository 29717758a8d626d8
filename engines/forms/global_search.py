"""The global search: records whose title field contains a term, across every entity the user may read.

One bounded query per entity (the list query of `listing.py`, so the entity permission, record rules and
field permissions apply exactly as in a list): entities the user may not read, or whose title field they
may not read, are skipped; lines (child entities) are found through their owners, never on their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, PermissionDeniedError, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import EntityDef

from .listing import list_records
from .query import ListQuery

MAX_TERM = 100
DEFAULT_PER_ENTITY, MAX_PER_ENTITY = 5, 20


@dataclass(frozen=True)
class EntityHits:
    """The first records of one entity whose title contains the term."""

    app: str
    entity: EntityDef
    title_field: str
    records: list[dict[str, Any]]
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "entity": self.entity.key, "label": self.entity.label,
                "title_field": self.title_field, "has_more": self.has_more,
                "records": [{"id": r["id"], "title": r.get(self.title_field)} for r in self.records]}


def _invalid(path: str, code: str, **params: Any) -> ValidationError:
    message = translate(code, "en", **params)
    return ValidationError(message, code=code, details=[ErrorDetail(path, code, params, message)], **params)


def _may_read(ctx: Context, entity_key: str) -> bool:
    try:
        ctx.access.require(entity_key, "read")
    except PermissionDeniedError:
        return False
    return True


def _searchable(ctx: Context, app_key: str | None) -> list[tuple[str, EntityDef, str]]:
    """(app, entity, title field) of every root entity the user may read, with a readable title field."""
    found = []
    for app in ctx.catalog.apps.values():
        if app_key is not None and app.key != app_key:
            continue
        for entity in app.entities:
            title = entity.title_field
            if entity.is_child or title is None or not _may_read(ctx, entity.key):
                continue
            readable = ctx.access.readable_fields(entity.key)
            if readable is None or title in readable:
                found.append((app.key, entity, title))
    return found


def global_search(ctx: Context, term: str, *, per_entity: int = DEFAULT_PER_ENTITY,
                  app: str | None = None) -> list[EntityHits]:
    """The entities with at least one record whose title contains `term` (case-insensitive), in app order."""
    term = term.strip()
    if not term:
        raise _invalid("q", "search.term_empty")
    if len(term) > MAX_TERM:
        raise _invalid("q", "search.term_too_long", max=MAX_TERM)
    if not 1 <= per_entity <= MAX_PER_ENTITY:
        raise _invalid("limit", "search.limit_invalid", max=MAX_PER_ENTITY)
    hits = []
    for app_key, entity, title in _searchable(ctx, app):
        query = ListQuery(filters={"field": title, "op": "contains", "value": term}, fields=[title],
                          limit=per_entity)
        page = list_records(ctx, entity.key, query)
        if page.rows:
            hits.append(EntityHits(app_key, entity, title, page.rows, page.has_more))
    return hits
