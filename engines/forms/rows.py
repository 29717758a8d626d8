"""A RowAccess over record dicts for the expression interpreter; links are loaded lazily, once per call."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jimu.platform.context import Context
from jimu.platform.registry.catalog import PARENT
from jimu.platform.registry.model import EntityDef

from .reading import Record, fetch_record


class LinkCache:
    """Records loaded for expression evaluation during one call, by entity and id."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._records: dict[tuple[str, int], Record | None] = {}

    def load(self, entity: EntityDef, record_id: int) -> Record | None:
        key = (entity.key, record_id)
        if key not in self._records:
            self._records[key] = fetch_record(self.ctx, entity, record_id, include_deleted=True)
        return self._records[key]


class RecordRow:
    """One record (header or line) seen by the interpreter: fields by name, links, lines, `parent`."""

    def __init__(self, cache: LinkCache, entity: EntityDef, values: Mapping[str, Any],
                 parent: RecordRow | None = None) -> None:
        self.cache = cache
        self.entity = entity
        self.values = values
        self.parent = parent

    def get(self, name: str) -> Any:
        if name == PARENT and self.entity.is_child:
            return self.values.get("_parent_id")
        return self.values.get(name)

    def link(self, name: str) -> RecordRow | None:
        catalog = self.cache.ctx.catalog
        if name == PARENT and self.entity.is_child:
            if self.parent is not None:
                return self.parent
            owner = catalog.parent_of(self.entity.key)
            parent_id = self.values.get("_parent_id")
            if owner is None or parent_id is None:
                return None
            return self._loaded(owner[0], parent_id)
        field = self.entity.field(name)
        target_id = self.values.get(name)
        if field is None or not catalog.field_type(field).follows_link or target_id is None:
            return None
        return self._loaded(catalog.require_related(field), target_id)

    def _loaded(self, entity: EntityDef, record_id: int) -> RecordRow | None:
        record = self.cache.load(entity, record_id)
        return None if record is None else RecordRow(self.cache, entity, record)

    def children(self, name: str) -> Iterable[RecordRow]:
        field = self.entity.field(name)
        if field is None or not self.cache.ctx.catalog.field_type(field).owns_rows:
            return []
        child = self.cache.ctx.catalog.require_related(field)
        return [RecordRow(self.cache, child, line, parent=self) for line in self.values.get(name) or ()]
